// Binomial (x heads out of n trials). Kernel parameters: [n_const] then per component j:
// [logit p_j, log(1 − p_j), log w_j], so
// log w_j + log Bin(x | n, p_j) = log w_j + x·logit p_j + n·log(1 − p_j) + log C(n, x)
// (log C(n, x) is added once per fit, outside). aux holds n per point, or is 0 when n is n_const.
// Statistics per component: [Σ r, Σ r·x, Σ r·n]; the M-step is p_j = Σ r·x / Σ r·n.
import { blockedPass } from "./pass";

// @ts-ignore: decorator
@inline function trialsAt(aux: usize, nConst: f64, i: i32): f64 {
  return aux == 0 ? nConst : load<f64>(aux + (<usize>i << 3));
}

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const stride = <usize>k << 3;
  const nConst = load<f64>(params);
  for (let j = 0; j < k; j++) {
    const p = params + 8 + <usize>j * 24;
    const logit = load<f64>(p), log1m = load<f64>(p, 8), logW = load<f64>(p, 16);
    let o = out + (<usize>j << 3);
    for (let i = 0; i < count; i++) {
      store<f64>(o, logW + load<f64>(x + (<usize>i << 3)) * logit + trialsAt(aux, nConst, i) * log1m);
      o += stride;
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const stride = <usize>k << 3;
  const nConst = load<f64>(params);
  for (let j = 0; j < k; j++) {
    let s0 = 0.0, s1 = 0.0, s2 = 0.0;
    let r = resp + (<usize>j << 3);
    for (let i = 0; i < count; i++) {
      const w = load<f64>(r);
      s0 += w; s1 += w * load<f64>(x + (<usize>i << 3)); s2 += w * trialsAt(aux, nConst, i);
      r += stride;
    }
    const s = stats + <usize>j * 24;
    store<f64>(s, load<f64>(s) + s0);
    store<f64>(s, load<f64>(s, 8) + s1, 8);
    store<f64>(s, load<f64>(s, 16) + s2, 16);
  }
}

export function binomialPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, x, 1, aux, n, params, k, stats, k * 3, scratch, respOut, labels, flags);
}
