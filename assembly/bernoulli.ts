// Multivariate Bernoulli (d independent 0/1 features per component).
// Kernel parameters: header [d], then per component j: [c_j, logit p_j (d)] with
// c_j = log w_j + Σ_a log(1 − p_ja), so log w_j + log p(x | p_j) = c_j + Σ_a x_a · logit p_ja.
// Statistics per component: [Σ r, Σ r x (d)].
import { blockedPass } from "./pass";

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + ud) << 3;
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const p = params + 8 + <usize>j * compBytes;
    const c = load<f64>(p);
    const logit = p + 8;
    let o = out + (<usize>j << 3);
    let xi = x;
    for (let i = 0; i < count; i++) {
      let q = c;
      for (let a: usize = 0; a < ud; a++) q += load<f64>(xi + (a << 3)) * load<f64>(logit + (a << 3));
      store<f64>(o, q);
      o += stride;
      xi += ud << 3;
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + ud) << 3;
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const s = stats + <usize>j * compBytes;
    const s1 = s + 8;
    let r = resp + (<usize>j << 3);
    let xi = x;
    let s0 = 0.0;
    for (let i = 0; i < count; i++) {
      const w = load<f64>(r);
      s0 += w;
      for (let a: usize = 0; a < ud; a++) store<f64>(s1 + (a << 3), load<f64>(s1 + (a << 3)) + w * load<f64>(xi + (a << 3)));
      r += stride;
      xi += ud << 3;
    }
    store<f64>(s, load<f64>(s) + s0);
  }
}

export function bernoulliPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const d = <i32>load<f64>(params);
  return blockedPass(logDensity, accumulate, x, d, aux, n, params, k, stats, k * (1 + d), scratch, respOut, labels, flags);
}
