// The shape every family shares: one fused pass over the data, in blocks of BLOCK points.
// For each block: the family writes log(w_k) + log p(x_i | θ_k) (up to a per-point constant)
// into a BLOCK×K scratch matrix, `normalize` turns each row into responsibilities with
// log-sum-exp and adds the row's log-likelihood, then the family adds the block's weighted
// sufficient statistics. The block stays in L1 between the three steps; no N×K matrix is kept.

export const BLOCK: i32 = 256;

/** Fills out[i*k + j] = log w_j + log p(x_i | θ_j) (minus the point's constant) for one block. */
export type LogDensityFn = (x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize) => void;
/** Adds the block's responsibility-weighted sufficient statistics into stats. */
export type AccumulateFn = (x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize) => void;

export const FLAG_HARD: i32 = 1;       // classification EM: responsibilities become one-hot at the argmax
export const FLAG_ACCUMULATE: i32 = 2; // zero `stats`, then accumulate into it

/**
 * Rows of lp (count × k) become responsibilities in place; returns Σ_i log Σ_j exp(lp_ij).
 * Log-sum-exp: log Σ exp(a_j) = m + log Σ exp(a_j − m), m = max_j a_j, so nothing underflows.
 */
export function normalize(lp: usize, count: i32, k: i32, hard: bool): f64 {
  let total = 0.0;
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
      total += -Infinity;
      continue;
    }
    let s = 0.0;
    for (let j = 0; j < k; j++) {
      const p = row + (<usize>j << 3);
      const e = Math.exp(load<f64>(p) - m);
      store<f64>(p, e);
      s += e;
    }
    total += m + Math.log(s);
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
  return total;
}

/**
 * One E-step (plus statistics) over n points: x and aux are f64 arrays of n values (aux may be 0),
 * scratch holds BLOCK×k f64, respOut (0 = not wanted) receives the n×k responsibilities.
 * Returns Σ_i log Σ_j w_j p(x_i | θ_j) without the per-point constants.
 * With labels ≠ 0 (n f64 component indices) the responsibilities are those labels, one-hot, and
 * no density is evaluated (returns 0): the statistics of a given hard assignment, for seeding.
 */
export function blockedPass(
  logDensity: LogDensityFn, accumulate: AccumulateFn,
  x: usize, aux: usize, n: i32, params: usize, k: i32,
  stats: usize, statsLen: i32, scratch: usize, respOut: usize, labels: usize, flags: i32,
): f64 {
  const doStats = (flags & FLAG_ACCUMULATE) != 0;
  const hard = (flags & FLAG_HARD) != 0;
  if (doStats) memory.fill(stats, 0, <usize>statsLen << 3);
  let total = 0.0;
  for (let start = 0; start < n; start += BLOCK) {
    const count = min(BLOCK, n - start);
    const off = <usize>start << 3;
    const xb = x + off;
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
