// 1-D Gaussian. Kernel parameters per component j: [mean_j, a_j = −1/(2σ²_j), c_j = log w_j − ½·log(2πσ²_j)],
// so log w_j + log N(x | mean_j, σ²_j) = c_j + a_j·(x − mean_j)².
// Statistics per component, about the current mean (shifted, so they stay exact far from 0):
// [Σ r, Σ r·(x − mean), Σ r·(x − mean)²].
import { blockedPass, COLUMN } from "./pass";
import { hsum } from "./simd";

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * 24;
    const mean = v128.load64_splat(p), a = v128.load64_splat(p, 8), c = v128.load64_splat(p, 16);
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count << 3; i += 16) {
      const d = f64x2.sub(v128.load(x + i), mean);
      v128.store(o + i, f64x2.add(c, f64x2.mul(f64x2.mul(a, d), d)));
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  for (let j = 0; j < k; j++) {
    const mean = v128.load64_splat(params + <usize>j * 24);
    const r = resp + <usize>j * COLUMN;
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0;
    for (let i: usize = 0; i < <usize>count << 3; i += 16) {
      const w = v128.load(r + i);
      const d = f64x2.sub(v128.load(x + i), mean);
      const wd = f64x2.mul(w, d);
      s0 = f64x2.add(s0, w); s1 = f64x2.add(s1, wd); s2 = f64x2.add(s2, f64x2.mul(wd, d));
    }
    const s = stats + <usize>j * 24;
    store<f64>(s, load<f64>(s) + hsum(s0));
    store<f64>(s, load<f64>(s, 8) + hsum(s1), 8);
    store<f64>(s, load<f64>(s, 16) + hsum(s2), 16);
  }
}

export function gaussianPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, x, 1, aux, n, params, k, stats, k * 3, scratch, respOut, labels, flags);
}
