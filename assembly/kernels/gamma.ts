// Gamma (dims = 1), aux = log x (computed once when the data is loaded, not per iteration).
// log w_j + log Gamma(x | a_j, b_j) = c_j + α_j·log x + β_j·x with α_j = a_j − 1, β_j = −b_j,
// c_j = log w_j + a_j log b_j − log Γ(a_j).
// Kernel parameters per component j (no header): [c_j, α_j, β_j].
// Statistics per component: [Σ r, Σ r·x, Σ r·log x] (the shape's Newton equation needs the last two).
// No work columns.
import { addHsum3, blockedPass, COLUMN, F64 } from "../pass";

const PARAMS: usize = 3;
const STATS: i32 = 3;

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * PARAMS * F64;
    const c = v128.load64_splat(p), alpha = v128.load64_splat(p, 8), beta = v128.load64_splat(p, 16);
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count * F64; i += 16)
      v128.store(o + i, f64x2.add(f64x2.add(c, f64x2.mul(v128.load(aux + i), alpha)), f64x2.mul(v128.load(x + i), beta)));
  }
}

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  for (let j = 0; j < k; j++) {
    const r = resp + <usize>j * COLUMN;
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0;
    for (let i: usize = 0; i < <usize>count * F64; i += 16) {
      const w = v128.load(r + i);
      s0 = f64x2.add(s0, w);
      s1 = f64x2.add(s1, f64x2.mul(w, v128.load(x + i)));
      s2 = f64x2.add(s2, f64x2.mul(w, v128.load(aux + i)));
    }
    addHsum3(stats + <usize>j * <usize>STATS * F64, s0, s1, s2);
  }
}

export function gammaPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, STATS, x, aux, n, 1, params, k, stats, scratch, respOut, labels, flags);
}
