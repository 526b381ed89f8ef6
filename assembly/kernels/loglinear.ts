// Log-linear densities: log w_j + log p(x | θ_j) = c_j + Σ_a x_a·β_ja (+ a per-point constant).
// Serves two families:
//   multivariate Bernoulli (dims independent 0/1 features): β_ja = logit p_ja,
//     c_j = log w_j + Σ_a log(1 − p_ja);
//   Poisson (dims = 1): β_j = log λ_j, c_j = log w_j − λ_j (−log x! is added once per fit, outside).
// Kernel parameters per component j (no header): [c_j, β_j (dims)].
// Statistics per component: [Σ r, Σ r·x (dims)]. No work columns.
// dims = 1 takes a fused path (one sweep of r for both statistics); it adds the same numbers in the
// same order as the general one, so the bits do not depend on the path.
import { addColumnSum, addHsum, blockedPass, COLUMN, F64 } from "../pass";

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  const ud = <usize>dims;
  const compBytes = (<usize>1 + ud) * F64;
  const bytes = <usize>count * F64;
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * compBytes;
    const c = v128.load64_splat(p);
    const o = out + <usize>j * COLUMN;
    if (ud == 1) {
      const beta = v128.load64_splat(p, 8);
      for (let i: usize = 0; i < bytes; i += 16) v128.store(o + i, f64x2.add(c, f64x2.mul(v128.load(x + i), beta)));
    } else {
      for (let i: usize = 0; i < bytes; i += 16) {
        let q = c;
        for (let a: usize = 0; a < ud; a++) q = f64x2.add(q, f64x2.mul(v128.load(x + a * COLUMN + i), v128.load64_splat(p + (1 + a) * F64)));
        v128.store(o + i, q);
      }
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  const ud = <usize>dims;
  const compBytes = (<usize>1 + ud) * F64;
  const bytes = <usize>count * F64;
  for (let j = 0; j < k; j++) {
    const s = stats + <usize>j * compBytes;
    const r = resp + <usize>j * COLUMN;
    if (ud == 1) {
      let s0 = f64x2.splat(0), s1 = s0;
      for (let i: usize = 0; i < bytes; i += 16) {
        const w = v128.load(r + i);
        s0 = f64x2.add(s0, w); s1 = f64x2.add(s1, f64x2.mul(w, v128.load(x + i)));
      }
      addHsum(s, s0);
      addHsum(s + F64, s1);
    } else {
      addColumnSum(s, r, bytes);
      for (let a: usize = 0; a < ud; a++) {
        const xa = x + a * COLUMN;
        let s1 = f64x2.splat(0);
        for (let i: usize = 0; i < bytes; i += 16) s1 = f64x2.add(s1, f64x2.mul(v128.load(r + i), v128.load(xa + i)));
        addHsum(s + (1 + a) * F64, s1);
      }
    }
  }
}

export function loglinearPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, 1 + dims, x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
}
