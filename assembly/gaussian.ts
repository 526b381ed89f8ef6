// 1-D Gaussian. Kernel parameters per component j: [mean_j, a_j = −1/(2σ²_j), c_j = log w_j − ½·log(2πσ²_j)],
// so log w_j + log N(x | mean_j, σ²_j) = c_j + a_j·(x − mean_j)².
// Statistics per component, about the current mean (shifted, so they stay exact far from 0):
// [Σ r, Σ r·(x − mean), Σ r·(x − mean)²].
import { blockedPass } from "./pass";

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * 24;
    const mean = load<f64>(p), a = load<f64>(p, 8), c = load<f64>(p, 16);
    let o = out + (<usize>j << 3);
    for (let i = 0; i < count; i++) {
      const d = load<f64>(x + (<usize>i << 3)) - mean;
      store<f64>(o, c + a * d * d);
      o += stride;
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const mean = load<f64>(params + <usize>j * 24);
    let s0 = 0.0, s1 = 0.0, s2 = 0.0;
    let r = resp + (<usize>j << 3);
    for (let i = 0; i < count; i++) {
      const w = load<f64>(r);
      const d = load<f64>(x + (<usize>i << 3)) - mean;
      const wd = w * d;
      s0 += w; s1 += wd; s2 += wd * d;
      r += stride;
    }
    const s = stats + <usize>j * 24;
    store<f64>(s, load<f64>(s) + s0);
    store<f64>(s, load<f64>(s, 8) + s1, 8);
    store<f64>(s, load<f64>(s, 16) + s2, 16);
  }
}

export function gaussianPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, x, 1, aux, n, params, k, stats, k * 3, scratch, respOut, labels, flags);
}
