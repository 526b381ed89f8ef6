// Binomial (x heads out of n trials; dims must be 1). Kernel parameters: header [n_const], then per
// component j: [logit p_j, log(1 − p_j), log w_j], so
// log w_j + log Bin(x | n, p_j) = log w_j + x·logit p_j + n·log(1 − p_j) + log C(n, x)
// (log C(n, x) is added once per fit, outside). aux holds n per point, or is 0 when n is n_const.
// Statistics per component: [Σ r, Σ r·x, Σ r·n]; the M-step is p_j = Σ r·x / Σ r·n. No work columns.
import { addHsum3, blockedPass, COLUMN, F64 } from "../pass";

const HEADER: usize = 1;
const PARAMS: usize = 3;
const STATS: i32 = 3;

// @ts-ignore: decorator
@inline function trialsAt(aux: usize, nConst: v128, i: usize): v128 {
  return aux == 0 ? nConst : v128.load(aux + i);
}

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  const nConst = v128.load64_splat(params);
  for (let j = 0; j < k; j++) {
    const p = params + (HEADER + <usize>j * PARAMS) * F64;
    const logit = v128.load64_splat(p), log1m = v128.load64_splat(p, 8), logW = v128.load64_splat(p, 16);
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count * F64; i += 16) {
      const t = f64x2.add(f64x2.mul(v128.load(x + i), logit), f64x2.mul(trialsAt(aux, nConst, i), log1m));
      v128.store(o + i, f64x2.add(logW, t));
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  const nConst = v128.load64_splat(params);
  for (let j = 0; j < k; j++) {
    const r = resp + <usize>j * COLUMN;
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0;
    for (let i: usize = 0; i < <usize>count * F64; i += 16) {
      const w = v128.load(r + i);
      s0 = f64x2.add(s0, w);
      s1 = f64x2.add(s1, f64x2.mul(w, v128.load(x + i)));
      s2 = f64x2.add(s2, f64x2.mul(w, trialsAt(aux, nConst, i)));
    }
    addHsum3(stats + <usize>j * <usize>STATS * F64, s0, s1, s2);
  }
}

export function binomialPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, STATS, x, aux, n, 1, params, k, stats, scratch, respOut, labels, flags);
}
