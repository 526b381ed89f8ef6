// Poisson. Kernel parameters per component j: [log λ_j, c_j = log w_j − λ_j], so
// log w_j + log Pois(x | λ_j) = c_j + x·log λ_j − log x!  (log x! is added once per fit, outside).
// Statistics per component: [Σ r, Σ r·x].
import { blockedPass } from "./pass";

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const p = params + (<usize>j << 4);
    const logLambda = load<f64>(p), c = load<f64>(p, 8);
    let o = out + (<usize>j << 3);
    for (let i = 0; i < count; i++) {
      store<f64>(o, c + load<f64>(x + (<usize>i << 3)) * logLambda);
      o += stride;
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    let s0 = 0.0, s1 = 0.0;
    let r = resp + (<usize>j << 3);
    for (let i = 0; i < count; i++) {
      const w = load<f64>(r);
      s0 += w; s1 += w * load<f64>(x + (<usize>i << 3));
      r += stride;
    }
    const s = stats + (<usize>j << 4);
    store<f64>(s, load<f64>(s) + s0);
    store<f64>(s, load<f64>(s, 8) + s1, 8);
  }
}

export function poissonPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, x, 1, aux, n, params, k, stats, k * 2, scratch, respOut, labels, flags);
}
