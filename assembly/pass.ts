// The shape every family shares: one fused pass over the data, in blocks of BLOCK points.
// For each block: the family writes log(w_k) + log p(x_i | θ_k) (up to a per-point constant)
// into a K×BLOCK scratch matrix, `normalize` turns it into responsibilities with log-sum-exp and
// adds the block's log-likelihood, then the family adds the block's weighted sufficient
// statistics. The block stays in cache between the three steps; no N×K matrix is kept.
//
// Layout, chosen for f64x2 (two points per vector): everything is column-major within a block.
// Component j's log-densities / responsibilities are one contiguous column (j·BLOCK … + BLOCK), and
// the kernels see the block's points column-major too (coordinate a of point i at a·BLOCK + i), with
// a count that is a multiple of GROUP. When the data is not already in that form (d > 1, or the
// last, short block) the pass copies the block into scratch and pads it with copies of its last
// point; padded points get responsibility 0, so they add nothing to any statistic or to the
// log-likelihood.
import { expv, hsum, LN2_HI, LN2_LO, logv } from "./simd";

export const BLOCK: i32 = 256;
/** The kernels handle points in groups of GROUP (four f64x2 vectors). */
export const GROUP: i32 = 8;
/** Bytes of one f64. */
export const F64: usize = 8;
/** Bytes of one column of a block. */
export const COLUMN: usize = <usize>BLOCK * F64;

/**
 * Fills out + j·COLUMN + i·8 with log w_j + log p(x_i | θ_j) (minus the point's constant) for one
 * block of count points (a multiple of GROUP); coordinate a (< dims) of point i is at x + a·COLUMN + i·8.
 * params: the family's header, then k component blocks. work: the kernel's own work columns
 * (W·COLUMN bytes, see blockedPass), 16-byte aligned if scratch is.
 */
export type LogDensityFn = (x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize) => void;
/** Adds the block's responsibility-weighted sufficient statistics (resp laid out as out above) into stats. */
export type AccumulateFn = (x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize) => void;

/** *p += lane 0 + lane 1 of v: a vector partial sum into a statistic. */
// @ts-ignore: decorator
@inline export function addHsum(p: usize, v: v128): void {
  store<f64>(p, load<f64>(p) + hsum(v));
}

/** Three vector partial sums into the statistics at p, p + 8, p + 16 (the 1-D kernels' three statistics). */
// @ts-ignore: decorator
@inline export function addHsum3(p: usize, a: v128, b: v128, c: v128): void {
  addHsum(p, a);
  addHsum(p + F64, b);
  addHsum(p + 2 * F64, c);
}

/** *p += Σ of the first bytes/8 values of the column r (the Σ r statistic). */
// @ts-ignore: decorator
@inline export function addColumnSum(p: usize, r: usize, bytes: usize): void {
  let s = f64x2.splat(0);
  for (let i: usize = 0; i < bytes; i += 16) s = f64x2.add(s, v128.load(r + i));
  addHsum(p, s);
}

/**
 * Per-point weights of the next pass (sample weights: n f64 from the pass's first point), or 0 for
 * none; set by setPointWeights just before a kernel call and cleared after it (src/wasm.ts).
 */
let pointWeights: usize = 0;
export function setPointWeights(ptr: usize): void { pointWeights = ptr; }
/**
 * The block's sample weights while a kernel accumulates it (0: none). Its responsibilities are
 * already times w_i; a statistic that multiplies two of them (the Student-t cross sums) divides by w_i.
 */
export let blockWeights: usize = 0;

/**
 * Partial labels of the next pass (n f64 from the pass's first point: −1 unknown, else the
 * component), or 0 for none; set by setPointLabels around a kernel call (src/wasm.ts). A labelled
 * point's responsibilities are one-hot at its label (mclust's MclustSSC), and the pass adds
 * Σ_labelled w_i log r_i,l to labelTerm — r the responsibility the point would have without its label —
 * so that log-likelihood + labelTerm = Σ_labelled w_i log π_l p(x_i | θ_l) + Σ_unlabelled w_i log Σ_j π_j p(x_i | θ_j).
 */
let pointLabels: usize = 0;
export function setPointLabels(ptr: usize): void { pointLabels = ptr; }
let labelTerm: f64 = 0;
/** The label term of the last pass (see pointLabels). */
export function lastLabelTerm(): f64 { return labelTerm; }

export const FLAG_HARD: i32 = 1;       // classification EM: responsibilities become one-hot at the argmax
export const FLAG_ACCUMULATE: i32 = 2; // zero `stats`, then accumulate into it
export const FLAG_KEEP_STATS: i32 = 4; // with FLAG_ACCUMULATE: add to `stats` as they are (a pass in pieces)
export const FLAG_LIGHT: i32 = 8; // a search pass (ECME's ν steps): a kernel may leave out the statistics `refine` does not read

/** Two points' columns e_ij = exp(lp_ji − m_i) in place, from `first` to `end` (one COLUMN apart); returns s_i = Σ_j e_ij. */
@inline function expColumns(first: usize, end: usize, m: v128): v128 {
  let s = f64x2.splat(0.0);
  for (let p = first; p <= end; p += COLUMN) {
    const e = expv(f64x2.sub(v128.load(p), m));
    v128.store(p, e);
    s = f64x2.add(s, e);
  }
  return s;
}

/**
 * Columns of lp (k columns of count values) become responsibilities in place; returns
 * Σ_i log Σ_j exp(lp_ji). Log-sum-exp: log Σ exp(a_j) = m + log Σ exp(a_j − m), m = max_j a_j, so
 * nothing underflows. Σ_i log s_i is taken as log Π_i s_i per lane: each s_i is in [1, k], and
 * every 32 points the product's binary exponent moves into an integer, so it never overflows and
 * log runs twice per block. (Each multiply adds at most ½ ulp relative error, as a log per point would.)
 */
export function normalize(lp: usize, count: i32, k: i32, hard: bool, mOut: usize = 0, sOut: usize = 0): f64 {
  const zero = f64x2.splat(0.0), one = f64x2.splat(1.0), negInf = f64x2.splat(-Infinity);
  const last = lp + <usize>(k - 1) * COLUMN;
  let sumMax = zero;
  let prod = one;
  let exponent = i64x2.splat(0);
  let impossible = false;
  for (let i: usize = 0; i < <usize>count; i += 2) {
    const first = lp + (i << 3), end = last + (i << 3);
    let m = v128.load(first);
    let best = zero; // hard: index of the first maximum, per lane
    if (hard) {
      let j = 1.0;
      for (let p = first + COLUMN; p <= end; p += COLUMN) {
        const v = v128.load(p);
        const above = f64x2.gt(v, m);
        m = v128.bitselect(v, m, above);
        best = v128.bitselect(f64x2.splat(j), best, above);
        j += 1.0;
      }
    } else {
      for (let p = first + COLUMN; p <= end; p += COLUMN) m = f64x2.pmax(m, v128.load(p));
    }
    const dead = f64x2.eq(m, negInf);
    if (v128.any_true(dead)) {
      // Impossible under every component (cannot happen with floored parameters): reported through
      // the log-likelihood; the responsibilities stay finite (all on component 0).
      v128.store(first, v128.bitselect(zero, v128.load(first), dead));
      m = v128.bitselect(zero, m, dead);
      impossible = true;
    }
    const s = expColumns(first, end, m);
    if (mOut != 0) {
      // Sample weights: each point's m and s, for Σ w_i (m_i + log s_i) (see weightedLogSum).
      v128.store(mOut + (i << 3), v128.bitselect(negInf, m, dead));
      v128.store(sOut + (i << 3), s);
    }
    sumMax = f64x2.add(sumMax, m);
    prod = f64x2.mul(prod, s);
    if ((i & 63) == 62) {
      exponent = i64x2.add(exponent, i64x2.sub(i64x2.shr_u(prod, 52), i64x2.splat(1023)));
      prod = v128.or(v128.and(prod, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
    }
    if (hard) {
      let j = 0.0;
      for (let p = first; p <= end; p += COLUMN) {
        v128.store(p, v128.and(f64x2.eq(best, f64x2.splat(j)), one));
        j += 1.0;
      }
    } else {
      const inv = f64x2.div(one, s);
      for (let p = first; p <= end; p += COLUMN) v128.store(p, f64x2.mul(v128.load(p), inv));
    }
  }
  if (impossible) return -Infinity;
  // exponent·ln 2 in two parts (LN2_HI has 32 significant bits, so e·LN2_HI is exact).
  const e = <f64>(i64x2.extract_lane(exponent, 0) + i64x2.extract_lane(exponent, 1));
  const logProd = Math.log(f64x2.extract_lane(prod, 0)) + Math.log(f64x2.extract_lane(prod, 1));
  return hsum(sumMax) + (logProd + (e * LN2_HI + e * LN2_LO));
}

/**
 * normalize for soft EM under sample weights with statistics only: columns of lp become
 * r_ij w_i = e_ij (w_i / s_i) (e_ij = exp(lp_ji − m_i), s_i = Σ_j e_ij, m_i = max_j lp_ji); w holds
 * count weights (a short block's padded with zeros by blockedPass, so a padded point's
 * responsibilities are 0). Each point's m_i (−∞ for a point impossible under every component) and
 * s_i go to mOut and sOut for the log-likelihood Σ_i w_i (m_i + log s_i), taken after this loop
 * (possibleLogSum, or weightedLogSum when this returns true: some point was impossible). No hard
 * assignment, no running product, no per-point branch on the weights: what normalize does for
 * the unweighted pass, without its log-likelihood.
 */
function normalizeWeighted(lp: usize, count: i32, k: i32, mOut: usize, sOut: usize, w: usize): bool {
  const zero = f64x2.splat(0.0), one = f64x2.splat(1.0), negInf = f64x2.splat(-Infinity);
  const last = lp + <usize>(k - 1) * COLUMN;
  let impossible = false;
  for (let i: usize = 0; i < <usize>count; i += 2) {
    const first = lp + (i << 3), end = last + (i << 3);
    let m = v128.load(first);
    for (let p = first + COLUMN; p <= end; p += COLUMN) m = f64x2.pmax(m, v128.load(p));
    v128.store(mOut + (i << 3), m);
    const dead = f64x2.eq(m, negInf);
    if (v128.any_true(dead)) { // as in normalize: the responsibilities stay finite (all on component 0)
      v128.store(first, v128.bitselect(zero, v128.load(first), dead));
      m = v128.bitselect(zero, m, dead);
      impossible = true;
    }
    const s = expColumns(first, end, m);
    v128.store(sOut + (i << 3), s);
    const inv = f64x2.mul(f64x2.div(one, s), v128.load(w + (i << 3)));
    for (let p = first; p <= end; p += COLUMN) v128.store(p, f64x2.mul(v128.load(p), inv));
  }
  return impossible;
}

/**
 * One E-step (plus statistics) over n points: x holds n × dims f64 (row-major), aux n f64 or 0,
 * scratch holds BLOCK × (k + dims + 4 + W) f64 (W: the kernel's work columns, at
 * scratch + (k + dims + 4)·COLUMN; the three before them hold each point's max and sum under sample
 * weights or labels, and each labelled point's log-density at its label), respOut (0 = not wanted) receives the n×k responsibilities
 * (row-major). stats holds k × statsPerComponent f64. Returns Σ_i log Σ_j w_j p(x_i | θ_j) without
 * the per-point constants. With labels ≠ 0 (n f64 component indices) the responsibilities are
 * those labels, one-hot, and no density is evaluated (returns 0): the statistics of a given hard
 * assignment, for seeding.
 */
export function blockedPass(
  logDensity: LogDensityFn, accumulate: AccumulateFn, statsPerComponent: i32,
  x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32,
  stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32,
): f64 {
  const doStats = (flags & FLAG_ACCUMULATE) != 0;
  const hard = (flags & FLAG_HARD) != 0;
  if (doStats && (flags & FLAG_KEEP_STATS) == 0) memory.fill(stats, 0, <usize>k * <usize>statsPerComponent * F64);
  const xCopy = scratch + <usize>k * COLUMN;
  const auxCopy = xCopy + <usize>dims * COLUMN;
  const mColumn = auxCopy + COLUMN, sColumn = mColumn + COLUMN; // sample weights: each point's max and sum
  const lColumn = sColumn + COLUMN; // partial labels: each labelled point's log π_l p(x_i | θ_l)
  const work = lColumn + COLUMN;
  let total = 0.0;
  labelTerm = 0.0;
  for (let start = 0; start < n; start += BLOCK) {
    const count = min(BLOCK, n - start);
    const padded = (count + GROUP - 1) & ~(GROUP - 1);
    const off = <usize>start << 3;
    let xb = x + off * <usize>dims;
    let ab: usize = aux == 0 ? 0 : aux + off;
    if (dims > 1 || padded != count) {
      toColumns(xb, dims, count, padded, xCopy);
      xb = xCopy;
      if (ab != 0) {
        toColumns(ab, 1, count, padded, auxCopy);
        ab = auxCopy;
      }
    }
    const wb: usize = pointWeights == 0 ? 0 : pointWeights + off;
    let weighed = false;
    if (labels != 0) {
      oneHot(labels + off, count, k, scratch);
    } else {
      logDensity(xb, ab, padded, dims, params, k, scratch, work);
      // Padded points: all weight on component 0 with log-density 0, so they add exactly 0 here…
      for (let i = count; i < padded; i++) {
        store<f64>(scratch + (<usize>i << 3), 0.0);
        for (let j = 1; j < k; j++) store<f64>(scratch + <usize>j * COLUMN + (<usize>i << 3), -Infinity);
      }
      const lb: usize = pointLabels == 0 ? 0 : pointLabels + off;
      if (lb != 0) keepLabelled(lb, count, scratch, lColumn);
      // Sample weights with statistics only (soft, no labels, no responsibilities out): folded into
      // the normalisation; otherwise the columns are weighed after it (weighColumns below).
      weighed = wb != 0 && doStats && !hard && lb == 0 && respOut == 0;
      if (wb == 0 && lb == 0) total += normalize(scratch, padded, k, hard);
      else {
        if (weighed) {
          // The block's weights in place; a short block's padded with zeros in the labels' column
          // (no labels here), so that normalizeWeighted reads padded points' weights too.
          let wp = wb;
          if (padded != count) {
            memory.copy(lColumn, wb, <usize>count << 3);
            memory.fill(lColumn + (<usize>count << 3), 0, <usize>(padded - count) << 3);
            wp = lColumn;
          }
          const impossible = normalizeWeighted(scratch, padded, k, mColumn, sColumn, wp);
          total += impossible ? weightedLogSum(mColumn, sColumn, wp, count) : possibleLogSum(mColumn, sColumn, wp, count);
        } else {
          const t = normalize(scratch, padded, k, hard, mColumn, sColumn);
          total += wb == 0 ? t : weightedLogSum(mColumn, sColumn, wb, count);
        }
        if (lb != 0) labelTerm += labelled(lb, wb, count, k, scratch, mColumn, sColumn, lColumn);
      }
      // … and responsibility 0 everywhere, so they add nothing to the statistics.
      for (let i = count; i < padded; i++) store<f64>(scratch + (<usize>i << 3), 0.0);
    }
    if (respOut != 0) toRows(scratch, count, k, respOut + <usize>start * (<usize>k << 3));
    // Sample weights: point i's responsibilities count w_i times in every statistic.
    if (wb != 0 && doStats && !weighed) weighColumns(scratch, wb, count, k);
    blockWeights = wb;
    if (doStats) accumulate(xb, ab, padded, dims, params, k, scratch, stats, work);
    blockWeights = 0;
  }
  return total;
}

/**
 * Σ_i w_i log Σ_j exp(lp_ji) = Σ_i w_i (m_i + log s_i) over the block's count points; a point
 * impossible under every component (m_i = −∞) counts only when its weight is not 0.
 */
function weightedLogSum(m: usize, s: usize, w: usize, count: i32): f64 {
  // Pairs of points with the vector log (s_i ≥ 1: the max term is exp(0)); weights are read only
  // for the count points. A weight-0 point adds 0 (0 · finite); an impossible one (m = −∞) counts
  // only when its weight is not 0.
  const zero = f64x2.splat(0), negInf = f64x2.splat(-Infinity);
  let acc = zero;
  let i: usize = 0;
  const pairs = <usize>(count & ~1);
  for (; i < pairs; i += 2) {
    const wi = v128.load(w + (i << 3)), mi = v128.load(m + (i << 3));
    const dead = f64x2.eq(mi, negInf);
    if (v128.any_true(v128.and(dead, f64x2.ne(wi, zero)))) return -Infinity;
    const term = f64x2.add(v128.bitselect(zero, mi, dead), logv(v128.load(s + (i << 3))));
    acc = f64x2.add(acc, v128.bitselect(zero, f64x2.mul(wi, term), dead));
  }
  let total = hsum(acc);
  if (i < <usize>count) {
    const wi = load<f64>(w + (i << 3)), mi = load<f64>(m + (i << 3));
    if (wi != 0) {
      if (mi == -Infinity) return -Infinity;
      total += wi * (mi + Math.log(load<f64>(s + (i << 3))));
    }
  }
  return total;
}

/** weightedLogSum for a block without impossible points (every m_i finite): the same sums, no checks. */
function possibleLogSum(m: usize, s: usize, w: usize, count: i32): f64 {
  let acc = f64x2.splat(0);
  let i: usize = 0;
  const pairs = <usize>(count & ~1);
  for (; i < pairs; i += 2) {
    const term = f64x2.add(v128.load(m + (i << 3)), logv(v128.load(s + (i << 3))));
    acc = f64x2.add(acc, f64x2.mul(v128.load(w + (i << 3)), term));
  }
  let total = hsum(acc);
  if (i < <usize>count) {
    const wi = load<f64>(w + (i << 3));
    if (wi != 0) total += wi * (load<f64>(m + (i << 3)) + Math.log(load<f64>(s + (i << 3))));
  }
  return total;
}

/** l[i] = lp[label_i][i] for each labelled point of the block (before normalize overwrites lp). */
function keepLabelled(labels: usize, count: i32, lp: usize, l: usize): void {
  for (let i: usize = 0; i < <usize>count; i++) {
    const j = load<f64>(labels + (i << 3));
    if (j >= 0) store<f64>(l + (i << 3), load<f64>(lp + <usize>(<i32>j) * COLUMN + (i << 3)));
  }
}

/**
 * Labelled points: responsibilities one-hot at the label; returns Σ_labelled w_i log r_i,l with
 * log r_i,l = lp_i,l − m_i − log s_i (the point's max and sum from normalize), exact even where r underflows.
 * A labelled point impossible under its own component gives −∞ (weight 0: nothing).
 */
function labelled(labels: usize, w: usize, count: i32, k: i32, r: usize, m: usize, s: usize, l: usize): f64 {
  let term = 0.0;
  for (let i: usize = 0; i < <usize>count; i++) {
    const label = load<f64>(labels + (i << 3));
    if (label < 0) continue;
    const wi = w == 0 ? 1.0 : load<f64>(w + (i << 3));
    if (wi != 0) {
      const lp = load<f64>(l + (i << 3));
      term += lp == -Infinity ? -Infinity : wi * (lp - load<f64>(m + (i << 3)) - Math.log(load<f64>(s + (i << 3))));
    }
    const at = <i32>label;
    for (let j = 0; j < k; j++) store<f64>(r + <usize>j * COLUMN + (i << 3), j == at ? 1.0 : 0.0);
  }
  return term;
}

/** Responsibility columns times each point's weight (count points; padded ones stay 0). */
function weighColumns(r: usize, w: usize, count: i32, k: i32): void {
  const pairs = <usize>(count & ~1) << 3, bytes = <usize>count << 3; // weights are read for the count points only
  for (let j = 0; j < k; j++) {
    const col = r + <usize>j * COLUMN;
    for (let i: usize = 0; i < pairs; i += 16) v128.store(col + i, f64x2.mul(v128.load(col + i), v128.load(w + i)));
    if (pairs < bytes) store<f64>(col + pairs, load<f64>(col + pairs) * load<f64>(w + pairs));
  }
}

/** Row-major points (dims values each) → columns of the block, padded with copies of the last point. */
export function toColumns(src: usize, dims: i32, count: i32, padded: i32, dst: usize): void {
  const ud = <usize>dims;
  for (let a: usize = 0; a < ud; a++) {
    const col = dst + a * COLUMN;
    let p = src + (a << 3);
    for (let i: usize = 0; i < <usize>count; i++) {
      store<f64>(col + (i << 3), load<f64>(p));
      p += ud << 3;
    }
    const lastValue = load<f64>(col + (<usize>(count - 1) << 3));
    for (let i = count; i < padded; i++) store<f64>(col + (<usize>i << 3), lastValue);
  }
}

/** Block columns → rows of the n × k output. */
function toRows(cols: usize, count: i32, k: i32, dst: usize): void {
  for (let i: usize = 0; i < <usize>count; i++) {
    for (let j = 0; j < k; j++) {
      store<f64>(dst, load<f64>(cols + <usize>j * COLUMN + (i << 3)));
      dst += 8;
    }
  }
}

function oneHot(labels: usize, count: i32, k: i32, out: usize): void {
  memory.fill(out, 0, <usize>k * COLUMN);
  for (let i = 0; i < count; i++) {
    const j = <i32>load<f64>(labels + (<usize>i << 3));
    store<f64>(out + <usize>j * COLUMN + (<usize>i << 3), 1.0);
  }
}

/** Whether the next pass has neither sample weights nor partial labels (a kernel's fast path may then skip blockedPass). */
export function plainPass(): bool { return pointWeights == 0 && pointLabels == 0; }
