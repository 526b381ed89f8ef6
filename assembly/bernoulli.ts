// Multivariate Bernoulli (d independent 0/1 features per component).
// Kernel parameters: header [d], then per component j: [c_j, logit p_j (d)] with
// c_j = log w_j + Σ_a log(1 − p_ja), so log w_j + log p(x | p_j) = c_j + Σ_a x_a · logit p_ja.
// Statistics per component: [Σ r, Σ r x (d)].
import { blockedPass, COLUMN } from "./pass";
import { hsum } from "./simd";

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + ud) << 3;
  for (let j = 0; j < k; j++) {
    const p = params + 8 + <usize>j * compBytes;
    const c = v128.load64_splat(p);
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count << 3; i += 16) {
      let q = c;
      for (let a: usize = 0; a < ud; a++) q = f64x2.add(q, f64x2.mul(v128.load(x + a * COLUMN + i), v128.load64_splat(p + 8 + (a << 3))));
      v128.store(o + i, q);
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + ud) << 3;
  const bytes = <usize>count << 3;
  for (let j = 0; j < k; j++) {
    const s = stats + <usize>j * compBytes;
    const r = resp + <usize>j * COLUMN;
    let s0 = f64x2.splat(0);
    for (let i: usize = 0; i < bytes; i += 16) s0 = f64x2.add(s0, v128.load(r + i));
    store<f64>(s, load<f64>(s) + hsum(s0));
    for (let a: usize = 0; a < ud; a++) {
      const xa = x + a * COLUMN;
      let s1 = f64x2.splat(0);
      for (let i: usize = 0; i < bytes; i += 16) s1 = f64x2.add(s1, f64x2.mul(v128.load(r + i), v128.load(xa + i)));
      store<f64>(s + 8 + (a << 3), load<f64>(s + 8 + (a << 3)) + hsum(s1));
    }
  }
}

export function bernoulliPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const d = <i32>load<f64>(params);
  return blockedPass(logDensity, accumulate, x, d, aux, n, params, k, stats, k * (1 + d), scratch, respOut, labels, flags);
}
