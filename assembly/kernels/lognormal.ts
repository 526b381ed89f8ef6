// Log-normal (dims = 1): the 1-D Gaussian kernel (gaussian.ts) applied to aux = log x, computed
// once when the data is loaded. The Jacobian −log x is a per-point constant added once per fit
// outside the kernel, so the log-likelihood is that of x on its original scale.
// Kernel parameters per component j (no header): [m_j, a_j = −1/(2σ²_j), c_j = log w_j − ½·log(2πσ²_j)]
// (m, σ² the mean and variance of log x). Statistics per component, about the current m:
// [Σ r, Σ r·(log x − m), Σ r·(log x − m)²]. No work columns.
import { addHsum3, blockedPass, COLUMN, F64 } from "../pass";

const PARAMS: usize = 3;
const STATS: i32 = 3;

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * PARAMS * F64;
    const mean = v128.load64_splat(p), a = v128.load64_splat(p, 8), c = v128.load64_splat(p, 16);
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count * F64; i += 16) {
      const d = f64x2.sub(v128.load(aux + i), mean);
      v128.store(o + i, f64x2.add(c, f64x2.mul(f64x2.mul(a, d), d)));
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  for (let j = 0; j < k; j++) {
    const mean = v128.load64_splat(params + <usize>j * PARAMS * F64);
    const r = resp + <usize>j * COLUMN;
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0;
    for (let i: usize = 0; i < <usize>count * F64; i += 16) {
      const w = v128.load(r + i);
      const d = f64x2.sub(v128.load(aux + i), mean);
      const wd = f64x2.mul(w, d);
      s0 = f64x2.add(s0, w); s1 = f64x2.add(s1, wd); s2 = f64x2.add(s2, f64x2.mul(wd, d));
    }
    addHsum3(stats + <usize>j * <usize>STATS * F64, s0, s1, s2);
  }
}

export function lognormalPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, STATS, x, aux, n, 1, params, k, stats, scratch, respOut, labels, flags);
}
