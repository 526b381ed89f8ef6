// Seeds among far outliers (Spec.seedScreen of the t and mvt families, which src/seeding.ts asks
// for each seed). D² sampling makes a far point a likely seed, and EM started from a seed on a
// handful of outliers tends to keep a component on them (docs/numerics.md, "Seeding among
// outliers"). What tells an outlier from a small cluster far away is density, not distance.
import type { Points, SeedScreen } from "./family.js";
import type { Random } from "./random.js";
import type { Weights } from "./seeding.js";
import { GAUSSIAN_MIN_VARIANCE } from "./data.js";

/** Neighbour rank, sample size, reference rows, density ratio, and draws per seed. */
const NEIGHBOUR = 5, SAMPLE = 4096, REFERENCES = 64, SPARSER = 20, DRAWS = 32;
/** Rows read at a time from Points that make them on demand (as src/seeding.ts). */
const ROWS_PER_BLOCK = 65536;
const rowsOf = (p: Points, from: number, count: number) => (p.rows ? p.rows(from, count) : p.points.subarray(from * p.dims, (from + count) * p.dims));

/**
 * `count` indices drawn independently with probability mass_i / total, in one pass (in draw order;
 * the last positive one on rounding): `scan` calls visit(i, mass_i) in row order until it returns false.
 */
function drawMany(count: number, total: number, rng: Random, scan: (visit: (i: number, v: number) => boolean) => void): number[] {
  const targets = Array.from({ length: count }, () => rng.uniform() * total);
  const order = targets.map((_, j) => j).sort((a, b) => targets[a] - targets[b]);
  const picks: number[] = new Array(count).fill(-1);
  let sum = 0, q = 0, last = -1;
  scan((i, v) => {
    if (v > 0) { last = i; sum += v; while (q < count && targets[order[q]] < sum) picks[order[q++]] = i; }
    return q < count;
  });
  for (; q < count; q++) picks[order[q]] = last;
  return picks;
}

/**
 * A point whose neighbourhood is more than SPARSER times sparser than the data's typical one is
 * isolated. r(x), the squared distance from x to its NEIGHBOUR-th nearest row among a sample of
 * SAMPLE rows (drawn ∝ w_i; x itself left out), estimates the density f(x) ∝ r(x)^(−d/2); so x is
 * isolated when r(x) > SPARSER^(2/d) × the median r of REFERENCES rows spread through the sample.
 * Each seed is the first of DRAWS independent draws (made in one pass) that is not isolated, or
 * the densest of them if all are.
 */
export class Isolation implements SeedScreen {
  readonly draws = DRAWS;
  draw(total: number, rng: Random, scan: (visit: (i: number, v: number) => boolean) => void): number[] { return drawMany(DRAWS, total, rng, scan); }
  private readonly sample: Float64Array;
  private readonly index: Int32Array;
  private readonly nearest = new Float64Array(NEIGHBOUR);
  /** SPARSER^(2/d) × the median r of the reference rows: r(x) above it is isolated. */
  readonly limit: number;

  /** Null when the test cannot tell (fewer than NEIGHBOUR + 1 rows, or a median r of 0: repeated values). */
  static of(p: Points, n: number, rng: Random, w: Weights): Isolation | null {
    if (n <= NEIGHBOUR) return null;
    const t = new Isolation(p, n, rng, w);
    return t.limit > 0 ? t : null;
  }

  private constructor(p: Points, n: number, private readonly rng: Random, w: Weights) {
    const d = p.dims, m = Math.min(n, SAMPLE), wNow = typeof w === "function" ? w() : w;
    // Systematic sampling: steps of Σw / m through the cumulative weights from one uniform offset
    // (unweighted and m = n: every row), so the sample is in row order.
    this.index = new Int32Array(m);
    const offset = rng.uniform();
    if (!wNow) for (let j = 0; j < m; j++) this.index[j] = Math.floor(((j + offset) * n) / m);
    else {
      let total = 0;
      for (let i = 0; i < n; i++) total += wNow[i];
      let j = 0, cum = 0, last = 0;
      for (let i = 0; i < n && j < m; i++) {
        if (!(wNow[i] > 0)) continue;
        cum += wNow[i]; last = i;
        while (j < m && ((j + offset) * total) / m < cum) this.index[j++] = i;
      }
      while (j < m) this.index[j++] = last; // rounding at the end
    }
    this.sample = new Float64Array(m * d);
    const step = p.rows ? ROWS_PER_BLOCK : n;
    for (let from = 0, j = 0; from < n && j < m; from += step) {
      const count = Math.min(step, n - from), x = rowsOf(p, from, count);
      for (; j < m && this.index[j] < from + count; j++) this.sample.set(x.subarray((this.index[j] - from) * d, (this.index[j] - from + 1) * d), j * d);
    }
    const refs = Math.min(m, REFERENCES), r = new Float64Array(refs);
    for (let j = 0; j < refs; j++) {
      const at = Math.floor(((j + 0.5) * m) / refs);
      r[j] = this.spread(this.sample.subarray(at * d, (at + 1) * d), this.index[at]);
    }
    r.sort();
    this.limit = r[refs >> 1] * SPARSER ** (2 / d);
  }

  /** r(x) for the row `x` (index `self`, left out of the sample): the NEIGHBOUR-th smallest squared distance. */
  spread(x: Float64Array, self: number): number {
    const near = this.nearest.fill(Infinity), d = x.length, s = this.sample, last = NEIGHBOUR - 1;
    for (let j = 0; j < this.index.length; j++) {
      if (this.index[j] === self) continue;
      let v = 0;
      for (let a = 0; a < d; a++) { const u = x[a] - s[j * d + a]; v += u * u; }
      if (v < near[last]) { let q = last; for (; q > 0 && near[q - 1] > v; q--) near[q] = near[q - 1]; near[q] = v; }
    }
    return near[last];
  }

  /**
   * The first of the drawn points (in draw order) that is not isolated. When every draw is (far
   * outliers hold nearly all the D² mass), a row of the sample that is not isolated, drawn ∝ its
   * D² to the seeds so far (`near`; the sample is drawn ∝ w, so ∝ w D² as k-means++); without
   * `near` or such a row, the densest draw.
   */
  choose(drawn: readonly number[], row: (i: number) => Float64Array, near?: { seeds: Float64Array; count: number }): number {
    let densest = -1, least = Infinity;
    for (const i of drawn) {
      if (i < 0) return i;
      const v = this.spread(row(i), i);
      if (v <= this.limit) return i;
      if (v < least) { least = v; densest = i; }
    }
    if (!near || near.count === 0) return densest;
    const m = this.index.length, d = this.sample.length / m, x = this.sample;
    // Which sample rows are not isolated: once per seeding, and only when it comes to this.
    const dense = (this.dense ??= Uint8Array.from({ length: m }, (_, j) => (this.spread(x.subarray(j * d, (j + 1) * d), this.index[j]) <= this.limit ? 1 : 0)));
    const d2 = new Float64Array(m);
    let total = 0;
    for (let j = 0; j < m; j++) {
      if (!dense[j]) continue;
      let best = Infinity;
      for (let s = 0; s < near.count; s++) {
        let v = 0;
        for (let a = 0; a < d; a++) { const u = x[j * d + a] - near.seeds[s * d + a]; v += u * u; }
        if (v < best) best = v;
      }
      d2[j] = best;
      total += best;
    }
    if (!(total > 0)) return densest;
    let target = this.rng.uniform() * total, pick = -1;
    for (let j = 0; j < m; j++) if (d2[j] > 0) { pick = j; target -= d2[j]; if (target < 0) break; }
    return this.index[pick];
  }
  private dense: Uint8Array | undefined;

  /**
   * Per seed, a factor in (0, 1] on the data's variance for its component's start (Spec.seed):
   * over the sample's rows nearest to seed s (Euclidean, the first seed on ties, as the seeding
   * pass labels them), q = Σ_a (x_a − s_a)² / scale_a, and the factor is median q / median χ²_d
   * (Wilson–Hilferty: d (1 − 2/(9d))³), at most 1 — the scale of the group about the seed, which
   * the outliers among those rows do not move as they move its variance. 1 where fewer than
   * NEIGHBOUR rows are nearest or the median is 0 (repeated values).
   */
  spreads(seeds: Float64Array, k: number, scale: ArrayLike<number>): Float64Array {
    const m = this.index.length, d = this.sample.length / m, x = this.sample;
    const owner = new Int32Array(m), count = new Int32Array(k), q = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let best = 0, bestD = Infinity;
      for (let s = 0; s < k; s++) {
        let v = 0;
        for (let a = 0; a < d; a++) { const u = x[i * d + a] - seeds[s * d + a]; v += u * u; }
        if (v < bestD) { bestD = v; best = s; }
      }
      owner[i] = best;
      count[best]++;
    }
    const out = new Float64Array(k).fill(1), chi = d * (1 - 2 / (9 * d)) ** 3;
    for (let s = 0; s < k; s++) {
      if (count[s] < NEIGHBOUR) continue;
      let c = 0;
      for (let i = 0; i < m; i++) if (owner[i] === s) {
        let v = 0;
        for (let a = 0; a < d; a++) { const u = x[i * d + a] - seeds[s * d + a]; v += (u * u) / scale[a]; }
        q[c++] = v;
      }
      const f = median(q.subarray(0, c)) / chi;
      if (f > 0) out[s] = Math.min(1, f);
    }
    return out;
  }
}

/** The median of `v` (sorted in place): the lower middle value. */
function median(v: Float64Array): number {
  v.sort();
  return v[(v.length - 1) >> 1];
}

/** The t and mvt families' Spec.seedScreen: null when the test cannot tell (then plain k-means++). */
export const skipIsolated = (points: Points, n: number, rng: Random, w: Weights): SeedScreen | null => Isolation.of(points, n, rng, w);

/** Whether each of `rows` is isolated (tests and benches: the rule skipIsolated applies). */
export function isolatedRows(points: Points, n: number, rows: readonly number[], rng: Random, w: Weights = null): boolean[] {
  const t = Isolation.of(points, n, rng, w);
  return rows.map((i) => t !== null && t.spread(rowsOf(points, i, 1).subarray(0, points.dims), i) > t.limit);
}

/** 1/Φ⁻¹(3/4): for normal data (MAD_SD · MAD)² estimates the variance. */
const MAD_SD = 1.482602218505602;

/** Rows the robust scale reads at most: one per equal stratum of the seed rows beyond it. */
const SCALE_ROWS = 65536;
/** Fewer seed rows of positive weight than this: the variance (a stream's first chunk of 3 rows gave 2e-8 for 10). */
const SCALE_LEAST = 20;
/** The robust scale's least share of the variance (robustScales). */
const RANGE = 1e-200;

/**
 * The scale of the robust families (Spec.robustScale: t, mvt), for their variance floor
 * (regCovar × it) and starting scales: per dimension the smaller of the data's variance
 * (`variance`) and (1.4826 · MAD)², MAD = median |x − median x| over the seed rows — every one up to
 * 65,536, else one in each of 65,536 equal strata (row ⌊(j + frac(j φ)) n / 65,536⌋, φ = 0.618…)
 * — weighted medians under sample weights, rows of weight 0 left out. A few far outliers make the variance, not the MAD: one point at 10⁵
 * among 2,000 of sd 1 gives a variance of 10⁷ and a floor (regCovar 10⁻⁶) ten times the groups'
 * own variances. The variance stays where the MAD is 0 (over half the values equal) or not below it
 * (two groups of equal size a few widths apart: the lower median at one group's far edge).
 * At least RANGE × the variance: n values (unweighted) of variance s² span at most √(2n) s, so a
 * squared distance over the floor stays below 2n / (regCovar · RANGE), finite (the variance's floor
 * kept it below 2n / regCovar); a group of sd 10⁻⁶⁰ beside points at ±10¹⁰⁰ took a floor of
 * 10⁻¹²⁵, their δ²/σ² overflowed: a training point's log density −∞, the fit's log-likelihood finite.
 */
export function robustScales(points: Points, n: number, variance: ArrayLike<number>, weights: Weights): Float64Array {
  const d = points.dims, out = Float64Array.from(variance), m = Math.min(n, SCALE_ROWS);
  const v = new Float64Array(m * d), vw = new Float64Array(m);
  let c = 0;
  for (let j = 0; j < m; j++) {
    // Row j of stratum [j n / m, (j + 1) n / m) at a Weyl offset frac(j φ) (deterministic, no two
    // strata alike): a stride's first rows alone were one sensor's of data stored 16 sensors a time.
    const i = m === n ? j : Math.floor(((j + ((j * 0.6180339887498949) % 1)) * n) / m), x = rowsOf(points, i, 1);
    const w = typeof weights === "function" ? weights() : weights; // read after the row (Points.rows may grow memory)
    if (w && !(w[i] > 0)) continue;
    vw[c] = w ? w[i] : 1;
    for (let a = 0; a < d; a++) v[a * m + c] = x[a];
    c++;
  }
  for (let a = 0; a < d && c >= SCALE_LEAST; a++) {
    const col = v.subarray(a * m, a * m + c), cw = Float64Array.from(vw.subarray(0, c));
    const centre = weightedMedian(col, cw, c);
    for (let i = 0; i < c; i++) col[i] = Math.abs(col[i] - centre);
    const s = (MAD_SD * weightedMedian(col, cw, c)) ** 2;
    if (s >= GAUSSIAN_MIN_VARIANCE && s < out[a]) out[a] = Math.max(s, RANGE * out[a]);
  }
  return out;
}

/**
 * The weighted lower median of v[0, n) (weights w): the smallest value whose cumulative weight
 * reaches half the total. Quickselect with three-way partitions, v and w reordered together; past
 * 2·log₂ n + 8 rounds (pivots made to defeat the pseudo-random median of three) the rest is sorted.
 */
export function weightedMedian(v: Float64Array, w: Float64Array, n: number, rounds = 2 * Math.log2(n + 1) + 8): number {
  let half = 0, lo = 0, hi = n, below = 0, seed = n;
  for (let i = 0; i < n; i++) half += w[i];
  half /= 2;
  const swap = (i: number, j: number) => { let t = v[i]; v[i] = v[j]; v[j] = t; t = w[i]; w[i] = w[j]; w[j] = t; };
  for (let round = 0; ; round++) {
    if (round >= rounds) {
      // The rest in order (by index, so that the weights follow), then the first value reaching half.
      const order = Uint32Array.from({ length: hi - lo }, (_, i) => lo + i).sort((i, j) => v[i] - v[j]);
      for (const i of order) if ((below += w[i]) >= half) return v[i];
      return v[order[order.length - 1]];
    }
    // The median of three values at pseudo-random places (data in order, or V-shaped as the
    // deviations of sorted data, would defeat fixed places).
    const at = () => lo + ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % (hi - lo));
    const x = v[at()], y = v[at()], z = v[at()];
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let lt = lo, i = lo, gt = hi, less = 0, equal = 0;
    while (i < gt) {
      if (v[i] < pivot) swap(lt++, i++);
      else if (v[i] > pivot) swap(i, --gt);
      else i++;
    }
    for (let j = lo; j < gt; j++) if (j < lt) less += w[j]; else equal += w[j];
    if (lt > lo && below + less >= half) hi = lt;
    else if (below + less + equal >= half || gt >= hi) return pivot;
    else { below += less + equal; lo = gt; }
  }
}
