// Poisson (dims must be 1). Kernel parameters per component j (no header): [log λ_j, c_j = log w_j − λ_j], so
// log w_j + log Pois(x | λ_j) = c_j + x·log λ_j − log x!  (log x! is added once per fit, outside).
// Statistics per component: [Σ r, Σ r·x]. No work columns.
import { addHsum, blockedPass, COLUMN, F64 } from "../pass";

const PARAMS: usize = 2;
const STATS: i32 = 2;

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * PARAMS * F64;
    const logLambda = v128.load64_splat(p), c = v128.load64_splat(p, 8);
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count * F64; i += 16) {
      v128.store(o + i, f64x2.add(c, f64x2.mul(v128.load(x + i), logLambda)));
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  for (let j = 0; j < k; j++) {
    const r = resp + <usize>j * COLUMN;
    let s0 = f64x2.splat(0), s1 = s0;
    for (let i: usize = 0; i < <usize>count * F64; i += 16) {
      const w = v128.load(r + i);
      s0 = f64x2.add(s0, w); s1 = f64x2.add(s1, f64x2.mul(w, v128.load(x + i)));
    }
    const s = stats + <usize>j * <usize>STATS * F64;
    addHsum(s, s0);
    addHsum(s + F64, s1);
  }
}

export function poissonPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, STATS, x, aux, n, 1, params, k, stats, scratch, respOut, labels, flags);
}
