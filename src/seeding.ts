// Choosing k starting locations among the points (rows of an n × d matrix): k-means++ (D²
// sampling, Arthur & Vassilvitskii 2007) or k distinct points uniformly; then every point to its
// nearest seed. Both pick only distinct rows, so no two components start identical. Families for
// data with far outliers (Spec.skipIsolatedSeeds: t, mvt) have k-means++ pass over isolated
// points (Isolation below).
// Each function reads `p.points` once (it may be a view into WebAssembly memory, re-made after growth),
// or, for Points that make rows on demand (Points.rows), a block at a time.
import type { Random } from "./random.js";
import type { Points } from "./family.js";

/**
 * Rows of a matrix: all of them (`x`, read once from Points), or — Points that make their rows on
 * demand (Points.rows) — a block of ROWS_PER_BLOCK at a time, so that no n × dims matrix is made.
 */
interface Rows { x: Float64Array | null; dims: number; points: Points }
const rows = (p: Points): Rows => ({ x: p.rows ? null : p.points, dims: p.dims, points: p });
const ROWS_PER_BLOCK = 65536;
/** Rows in one block (all n when they are all there). */
const span = (p: Rows, n: number) => (p.x ? Math.max(n, 1) : ROWS_PER_BLOCK);
/** Rows [from, from + count), row-major; a block made on demand is valid until the next one is asked for. */
const block = (p: Rows, from: number, count: number) => (p.x ? p.x.subarray(from * p.dims, (from + count) * p.dims) : p.points.rows!(from, count));

/** |row o of x − seed s|², the sum in coordinate order. */
function dist2(x: Float64Array, o: number, d: number, seeds: Float64Array, s: number): number {
  let sum = 0;
  for (let a = 0; a < d; a++) { const v = x[o * d + a] - seeds[s * d + a]; sum += v * v; }
  return sum;
}

function rowKey(x: Float64Array, o: number, d: number): number | string {
  return d === 1 ? x[o] : Array.from(x.subarray(o * d, (o + 1) * d)).join(",");
}

/**
 * Sample weights, one per point: an array, or a function giving the current view of them (weights
 * in WebAssembly memory: a block of rows made on demand may grow it, which detaches older views;
 * each function below re-reads them after every block).
 */
export type Weights = Float64Array | (() => Float64Array) | null;
const weightsNow = (w: Weights): Float64Array | null => (typeof w === "function" ? w() : w);

/** Blocks of rows (block) and the weights' view current after the last block read (`w`). */
function reader(p: Rows, w: Weights): { w: Float64Array | null; block(from: number, count: number): Float64Array } {
  const r = {
    w: weightsNow(w),
    block(from: number, count: number): Float64Array { const x = block(p, from, count); r.w = weightsNow(w); return x; },
  };
  return r;
}

/** Number of distinct rows, counting no further than `limit`. */
export function countDistinct(points: Points, n: number, limit: number, w: Weights = null): number {
  const p = rows(points), d = p.dims, step = span(p, n);
  const r = reader(p, w);
  const seen = new Set<number | string>();
  for (let from = 0; from < n && seen.size < limit; from += step) {
    const m = Math.min(step, n - from), x = r.block(from, m);
    for (let o = 0; o < m && seen.size < limit; o++) if (!w || r.w![from + o] > 0) seen.add(rowKey(x, o, d));
  }
  return seen.size;
}

/**
 * Above this many points (and for k ≤ STORE_BELOW_K), k-means++ recomputes each point's distance to
 * its nearest seed instead of keeping one per point (8n bytes: as much again as 1-D data). A
 * minimum of the same exact distances, it draws the same seeds; it costs ~k²/2 distances per point
 * instead of k.
 */
export const RECOMPUTE_ABOVE = 2 ** 20;
const STORE_BELOW_K = 8;

/** Neighbour rank, sample size, reference rows, density ratio and draws of the isolation test (see Isolation). */
const NEIGHBOUR = 5, SAMPLE = 4096, REFERENCES = 64, SPARSER = 100, TRIES = 32;

/**
 * Which points k-means++ passes over among far outliers. D² sampling makes a far point a likely
 * seed, and EM started from a seed on a handful of outliers tends to keep a component on them.
 * What tells an outlier from a small cluster far away is density, not distance: a point whose
 * neighbourhood is more than SPARSER times sparser than the data's typical one is isolated. r(x),
 * the squared distance from x to its NEIGHBOUR-th nearest row among a sample of SAMPLE rows (drawn
 * ∝ w_i; x itself left out), estimates the density f(x) ∝ r(x)^(−d/2); so x is isolated when
 * r(x) > SPARSER^(2/d) × the median r of REFERENCES rows spread through the sample. Each seed is
 * the first of TRIES independent draws (made in one pass) that is not isolated, or the densest of
 * them if all are.
 */
class Isolation {
  private readonly sample: Float64Array;
  private readonly index: Int32Array;
  private readonly nearest = new Float64Array(NEIGHBOUR);
  /** SPARSER^(2/d) × the median r of the reference rows: r(x) above it is isolated. */
  readonly limit: number;

  /** Null when the test cannot tell (fewer than NEIGHBOUR + 1 rows, or a median r of 0: repeated values). */
  static of(p: Rows, n: number, rng: Random, w: Weights): Isolation | null {
    if (n <= NEIGHBOUR) return null;
    const t = new Isolation(p, n, rng, w);
    return t.limit > 0 ? t : null;
  }

  private constructor(p: Rows, n: number, rng: Random, w: Weights) {
    const d = p.dims, m = Math.min(n, SAMPLE), wNow = weightsNow(w);
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
    const step = span(p, n);
    for (let from = 0, j = 0; from < n && j < m; from += step) {
      const count = Math.min(step, n - from), x = block(p, from, count);
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

  /** The first of the drawn points (in draw order) that is not isolated, else the densest of them. */
  choose(drawn: readonly number[], row: (i: number) => Float64Array): number {
    let densest = -1, least = Infinity;
    for (const i of drawn) {
      if (i < 0) return i;
      const v = this.spread(row(i), i);
      if (v <= this.limit) return i;
      if (v < least) { least = v; densest = i; }
    }
    return densest;
  }
}

/** Whether each of `rows` is isolated (tests and benches: the rule kmeansPlusPlus applies with skipIsolated). */
export function isolatedRows(points: Points, n: number, rows_: readonly number[], rng: Random, w: Weights = null): boolean[] {
  const p = rows(points), t = Isolation.of(p, n, rng, w);
  return rows_.map((i) => t !== null && t.spread(block(p, i, 1).subarray(0, p.dims), i) > t.limit);
}

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
 * k seeds (k × dims) by D² sampling. With sample weights w, point i is drawn with probability
 * ∝ w_i (the first seed) and ∝ w_i D(i)² (the others), as among w_i copies of it. With
 * `skipIsolated`, each draw passes over isolated points (Isolation).
 */
export function kmeansPlusPlus(points: Points, n: number, k: number, rng: Random, w: Weights = null, keep = n <= RECOMPUTE_ABOVE || k > STORE_BELOW_K, skipIsolated = false): Float64Array {
  const p = rows(points), d = p.dims, step = span(p, n);
  const r = reader(p, w);
  const seeds = new Float64Array(k * d);
  const take = (s: number, i: number) => seeds.set(r.block(i, 1).subarray(0, d), s * d);
  const isolation = skipIsolated ? Isolation.of(p, n, rng, w) : null;
  const row = (i: number) => r.block(i, 1).subarray(0, d);
  if (!isolation) take(0, w ? weightedPick(r.w!, n, rng) : rng.int(n));
  else if (!w) take(0, isolation.choose(Array.from({ length: TRIES }, () => rng.int(n)), row));
  else {
    const wNow = r.w!;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += wNow[i];
    take(0, isolation.choose(drawMany(TRIES, sum, rng, (visit) => { for (let i = 0; i < n && visit(i, wNow[i]); i++); }), row));
  }
  // D(i)² = min over the seeds so far of |x_i − seed|²: kept per point, or recomputed (same values).
  const d2 = keep ? new Float64Array(n) : null;
  const nearest = (x: Float64Array, o: number, s: number) => {
    let best = dist2(x, o, d, seeds, 0);
    for (let t = 1; t < s; t++) { const v = dist2(x, o, d, seeds, t); if (v < best) best = v; }
    return best;
  };
  const mass = (i: number, v: number) => (w ? r.w![i] * v : v); // w_i D(i)²
  let total = 0;
  for (let from = 0; from < n; from += step) {
    const m = Math.min(step, n - from), x = r.block(from, m);
    for (let o = 0; o < m; o++) { const i = from + o, v = dist2(x, o, d, seeds, 0); if (d2) d2[i] = v; total += mass(i, v); }
  }
  for (let s = 1; s < k; s++) {
    // Draw i with probability w_i D(i)² / total; fall back to the last positive one on rounding.
    const drawD2 = (): number => {
      let target = rng.uniform() * total;
      let pick = -1;
      if (d2) {
        for (let i = 0; i < n; i++) {
          const v = mass(i, d2[i]);
          if (v > 0) { pick = i; target -= v; if (target < 0) break; }
        }
      } else {
        draw: for (let from = 0; from < n; from += step) {
          const m = Math.min(step, n - from), x = r.block(from, m);
          for (let o = 0; o < m; o++) {
            const i = from + o, v = mass(i, nearest(x, o, s));
            if (v > 0) { pick = i; target -= v; if (target < 0) break draw; }
          }
        }
      }
      return pick;
    };
    // Skipping isolated points: TRIES draws in one pass (the same sampling; no pass per retry).
    const scan = (visit: (i: number, v: number) => boolean) => {
      if (d2) { for (let i = 0; i < n && visit(i, mass(i, d2[i])); i++); return; }
      for (let from = 0; from < n; from += step) {
        const m = Math.min(step, n - from), x = r.block(from, m);
        for (let o = 0; o < m; o++) if (!visit(from + o, mass(from + o, nearest(x, o, s)))) return;
      }
    };
    take(s, isolation ? isolation.choose(drawMany(TRIES, total, rng, scan), row) : drawD2());
    total = 0;
    for (let from = 0; from < n; from += step) {
      const m = Math.min(step, n - from), x = r.block(from, m);
      if (d2) for (let o = 0; o < m; o++) { const i = from + o, v = dist2(x, o, d, seeds, s); if (v < d2[i]) d2[i] = v; total += mass(i, d2[i]); }
      else for (let o = 0; o < m; o++) total += mass(from + o, nearest(x, o, s + 1));
    }
  }
  return seeds;
}

/** i with probability w_i / Σ w (the last positive weight on rounding). */
function weightedPick(w: Float64Array, n: number, rng: Random): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i];
  let target = rng.uniform() * total, pick = -1;
  for (let i = 0; i < n; i++) if (w[i] > 0) { pick = i; target -= w[i]; if (target < 0) break; }
  return pick;
}

/** k distinct rows drawn uniformly (with sample weights w: ∝ w_i). */
export function randomDistinct(points: Points, n: number, k: number, rng: Random, w: Weights = null): Float64Array {
  const p = rows(points), d = p.dims;
  const r = reader(p, w);
  const seeds = new Float64Array(k * d);
  const chosen = new Set<number | string>();
  for (let s = 0; s < k; ) {
    const i = w ? weightedPick(r.w!, n, rng) : rng.int(n), row = r.block(i, 1), key = rowKey(row, 0, d);
    if (!chosen.has(key)) { chosen.add(key); seeds.set(row.subarray(0, d), s * d); s++; }
  }
  return seeds;
}

/** labels[i] = index of the seed nearest to row i (the first on ties). */
export function nearestSeed(points: Points, n: number, seeds: Float64Array, k: number, labels: Float64Array): void {
  const p = rows(points), d = p.dims, step = span(p, n);
  for (let from = 0; from < n; from += step) {
    const m = Math.min(step, n - from), x = block(p, from, m);
    for (let o = 0; o < m; o++) {
      let best = 0, bestD = dist2(x, o, d, seeds, 0);
      for (let s = 1; s < k; s++) {
        const v = dist2(x, o, d, seeds, s);
        if (v < bestD) { bestD = v; best = s; }
      }
      labels[from + o] = best;
    }
  }
}

/**
 * Partial labels: the (weighted) mean of each component's labelled points, as seeds of those
 * components; `has[j]` says whether component j has a labelled point.
 */
export function classMeans(points: Points, n: number, k: number, labels: Float64Array, w: Weights = null): { seeds: Float64Array; has: boolean[] } {
  const p = rows(points), d = p.dims, step = span(p, n);
  const r = reader(p, w);
  const seeds = new Float64Array(k * d), mass = new Float64Array(k);
  for (let from = 0; from < n; from += step) {
    const m = Math.min(step, n - from), x = r.block(from, m);
    for (let o = 0; o < m; o++) {
      const i = from + o, j = labels[i], wi = w ? r.w![i] : 1;
      if (j < 0 || !(wi > 0)) continue;
      mass[j] += wi;
      for (let a = 0; a < d; a++) seeds[j * d + a] += wi * x[o * d + a];
    }
  }
  const has = Array.from(mass, (m) => m > 0);
  for (let j = 0; j < k; j++) if (has[j]) for (let a = 0; a < d; a++) seeds[j * d + a] /= mass[j];
  return { seeds, has };
}

/**
 * Seeds with some given (partial labels: the class means of the labelled components): the others
 * by D² sampling from the given ones and those drawn so far ("kmeans++"; with `skipIsolated`
 * passing over isolated points, as kmeansPlusPlus), or uniformly ("random"; distinct from each
 * other), each drawn with sample weights as among w_i copies.
 */
export function seedsAround(points: Points, n: number, k: number, rng: Random, w: Weights, given: { seeds: Float64Array; has: boolean[] }, how: "kmeans++" | "random", skipIsolated = false): Float64Array {
  const p = rows(points), d = p.dims, step = span(p, n);
  const r = reader(p, w);
  const seeds = Float64Array.from(given.seeds);
  const free = given.has.flatMap((h, j) => (h ? [] : [j]));
  if (how === "random") {
    const drawn = randomDistinct(points, n, free.length, rng, w);
    free.forEach((s, f) => seeds.set(drawn.subarray(f * d, (f + 1) * d), s * d));
    return seeds;
  }
  // D(i)² to the nearest seed so far (the given ones first), kept per point.
  const d2 = new Float64Array(n).fill(Infinity);
  const mass = (i: number) => (w ? r.w![i] * d2[i] : d2[i]);
  const update = (s: number) => {
    for (let from = 0; from < n; from += step) {
      const m = Math.min(step, n - from), x = r.block(from, m);
      for (let o = 0; o < m; o++) { const v = dist2(x, o, d, seeds, s); if (v < d2[from + o]) d2[from + o] = v; }
    }
  };
  given.has.forEach((h, j) => { if (h) update(j); });
  const isolation = skipIsolated ? Isolation.of(p, n, rng, w) : null;
  for (const s of free) {
    let total = 0;
    for (let i = 0; i < n; i++) total += mass(i);
    let pick = -1;
    if (isolation) pick = isolation.choose(drawMany(TRIES, total, rng, (visit) => { for (let i = 0; i < n && visit(i, mass(i)); i++); }), (i) => r.block(i, 1).subarray(0, d));
    else {
      let target = rng.uniform() * total;
      for (let i = 0; i < n; i++) { const v = mass(i); if (v > 0) { pick = i; target -= v; if (target < 0) break; } }
    }
    if (pick < 0) pick = w ? weightedPick(r.w!, n, rng) : rng.int(n); // every point on a given seed
    seeds.set(r.block(pick, 1).subarray(0, d), s * d);
    update(s);
  }
  return seeds;
}
