// The shape every family shares: one fused pass over the data, in blocks of BLOCK points.
// For each block: the family writes log(w_k) + log p(x_i | θ_k) (up to a per-point constant)
// into a BLOCK×K scratch matrix, `normalize` turns each row into responsibilities with
// log-sum-exp and adds the row's log-likelihood, then the family adds the block's weighted
// sufficient statistics. The block stays in L1 between the three steps; no N×K matrix is kept.

export const BLOCK: i32 = 256;

/**
 * Fills out[i*k + j] = log w_j + log p(x_i | θ_j) (minus the point's constant) for one block.
 * x points at the block's first point (dims values per point, row-major); aux at its aux values.
 */
export type LogDensityFn = (x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize) => void;
/** Adds the block's responsibility-weighted sufficient statistics into stats. */
export type AccumulateFn = (x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize) => void;

export const FLAG_HARD: i32 = 1;       // classification EM: responsibilities become one-hot at the argmax
export const FLAG_ACCUMULATE: i32 = 2; // zero `stats`, then accumulate into it
export const FLAG_KEEP_STATS: i32 = 4; // with FLAG_ACCUMULATE: add to `stats` as they are (a pass in pieces)

// @ts-ignore: decorator
@inline function expInPlace(p: usize, m: f64): f64 {
  const e = Math.exp(load<f64>(p) - m);
  store<f64>(p, e);
  return e;
}

/**
 * Rows of lp (count × k) become responsibilities in place; returns Σ_i log Σ_j exp(lp_ij).
 * Log-sum-exp: log Σ exp(a_j) = m + log Σ exp(a_j − m), m = max_j a_j, so nothing underflows.
 * Σ_i log s_i is taken as log Π_i s_i: each s_i is in [1, k], and every 32 points the product's
 * binary exponent moves into an integer, so it never overflows and log runs once per block.
 * (Each multiply adds at most ½ ulp relative error: the same as a log per point would.)
 */
export function normalize(lp: usize, count: i32, k: i32, hard: bool): f64 {
  let sumMax = 0.0;
  let prod = 1.0;
  let exponent: i64 = 0;
  const rowBytes = <usize>k << 3;
  for (let i = 0; i < count; i++) {
    const row = lp + <usize>i * rowBytes;
    let m = -Infinity;
    let best = 0;
    for (let j = 0; j < k; j++) {
      const v = load<f64>(row + (<usize>j << 3));
      if (v > m) { m = v; best = j; }
    }
    if (m == -Infinity) {
      // Impossible under every component (cannot happen with floored parameters):
      // report it through the log-likelihood, keep responsibilities finite.
      for (let j = 0; j < k; j++) store<f64>(row + (<usize>j << 3), j == best ? 1.0 : 0.0);
      sumMax = -Infinity;
      continue;
    }
    // exp(a_best − m) = 1 exactly: only the other k − 1 terms need an exp (half of them for k = 2).
    let s = 1.0;
    store<f64>(row + (<usize>best << 3), 1.0);
    for (let j = 0; j < best; j++) s += expInPlace(row + (<usize>j << 3), m);
    for (let j = best + 1; j < k; j++) s += expInPlace(row + (<usize>j << 3), m);
    sumMax += m;
    prod *= s;
    if ((i & 31) == 31) {
      const bits = reinterpret<u64>(prod);
      exponent += <i64>((bits >> 52) & 0x7ff) - 1023;
      prod = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
    }
    if (hard) {
      for (let j = 0; j < k; j++) store<f64>(row + (<usize>j << 3), j == best ? 1.0 : 0.0);
    } else {
      const inv = 1.0 / s;
      for (let j = 0; j < k; j++) {
        const p = row + (<usize>j << 3);
        store<f64>(p, load<f64>(p) * inv);
      }
    }
  }
  // exponent·ln 2 in two parts (ln 2 = LN2_HI + LN2_LO, LN2_HI exact in 32 bits) so it is exact.
  const e = <f64>exponent;
  return sumMax + (Math.log(prod) + (e * 6.93147180369123816490e-01 + e * 1.90821492927058770002e-10));
}

/**
 * One E-step (plus statistics) over n points: x holds n × dims f64 (row-major), aux n f64 or 0,
 * scratch holds BLOCK×k f64, respOut (0 = not wanted) receives the n×k responsibilities.
 * Returns Σ_i log Σ_j w_j p(x_i | θ_j) without the per-point constants.
 * With labels ≠ 0 (n f64 component indices) the responsibilities are those labels, one-hot, and
 * no density is evaluated (returns 0): the statistics of a given hard assignment, for seeding.
 */
export function blockedPass(
  logDensity: LogDensityFn, accumulate: AccumulateFn,
  x: usize, dims: i32, aux: usize, n: i32, params: usize, k: i32,
  stats: usize, statsLen: i32, scratch: usize, respOut: usize, labels: usize, flags: i32,
): f64 {
  const doStats = (flags & FLAG_ACCUMULATE) != 0;
  const hard = (flags & FLAG_HARD) != 0;
  if (doStats && (flags & FLAG_KEEP_STATS) == 0) memory.fill(stats, 0, <usize>statsLen << 3);
  let total = 0.0;
  for (let start = 0; start < n; start += BLOCK) {
    const count = min(BLOCK, n - start);
    const off = <usize>start << 3;
    const xb = x + off * <usize>dims;
    const ab: usize = aux == 0 ? 0 : aux + off;
    if (labels != 0) {
      oneHot(labels + off, count, k, scratch);
    } else {
      logDensity(xb, ab, count, params, k, scratch);
      total += normalize(scratch, count, k, hard);
    }
    if (doStats) accumulate(xb, ab, count, params, k, scratch, stats);
    if (respOut != 0) memory.copy(respOut + <usize>start * (<usize>k << 3), scratch, <usize>count * (<usize>k << 3));
  }
  return total;
}

function oneHot(labels: usize, count: i32, k: i32, out: usize): void {
  memory.fill(out, 0, <usize>count * (<usize>k << 3));
  for (let i = 0; i < count; i++) {
    const j = <i32>load<f64>(labels + (<usize>i << 3));
    store<f64>(out + ((<usize>i * <usize>k + <usize>j) << 3), 1.0);
  }
}
