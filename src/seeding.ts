// Choosing k starting locations among the points (rows of an n × d matrix): k-means++ (D²
// sampling, Arthur & Vassilvitskii 2007) or k distinct points uniformly; then every point to its
// nearest seed. Both pick only distinct rows, so no two components start identical. A family may
// screen the drawn seeds (Spec.seedScreen; t and mvt pass over isolated points: src/isolation.ts).
// Each function reads `p.points` once (it may be a view into WebAssembly memory, re-made after growth),
// or, for Points that make rows on demand (Points.rows), a block at a time.
import type { Random } from "./random.js";
import type { OneHotCodes, Points, SeedRowOps as RowOps, SeedScreen, Spec } from "./family.js";

/**
 * Rows of a matrix: all of them (`x`, read once from Points), or — Points that make their rows on
 * demand (Points.rows) — a block at a time, so that no n × dims matrix is made; or — rows given by
 * codes (Points.oneHot: categorical, independent) — their codes, one per column, a block at a time,
 * read by the codes' own operations (src/coded-rows.ts).
 */
interface Rows { x: Float64Array | null; dims: number; points: Points; hot: OneHotCodes | undefined }
const rows = (p: Points): Rows => ({ x: p.oneHot || p.rows ? null : p.points, dims: p.dims, points: p, hot: p.oneHot });
/** Values in one block of rows made on demand (8 MB). */
const BLOCK_VALUES = 2 ** 20;
/** Rows in one block: all n when they are all there, else 2^20 values (dims, or codes, a row). */
const span = (p: Rows, n: number) => (p.x ? Math.max(n, 1) : Math.max(1, Math.floor(BLOCK_VALUES / (p.hot ? p.hot.offsets.length : p.dims))));
/** Rows [from, from + count), row-major (dims values each, or codes); a block made on demand is valid until the next one is asked for. */
const block = (p: Rows, from: number, count: number) => (p.x ? p.x.subarray(from * p.dims, (from + count) * p.dims) : p.hot ? p.hot.codes(from, count) : p.points.rows!(from, count));

/** Seeding's operations on dense rows (|x − seed|², the sum in coordinate order), or the coded rows' own (Points.oneHot). */
function opsOf(p: Rows): RowOps {
  const d = p.dims;
  return p.hot ? p.hot.ops() : {
    dist2: (x, o, seeds, s) => dist2(x, o, d, seeds, s),
    key: (x, o) => rowKey(x, o, d),
    put: (x, o, seeds, s) => seeds.set(x.subarray(o * d, (o + 1) * d), s * d),
    add: (x, o, w, seeds, j) => { for (let a = 0; a < d; a++) seeds[j * d + a] += w * x[o * d + a]; },
    seeded: () => {},
  };
}

/** A dense row (`dims` values) of row o of a block, for a seed screen (Spec.seedScreen). */
function denseRow(p: Rows, ops: RowOps, x: Float64Array, o: number): Float64Array {
  if (!p.hot) return x.subarray(o * p.dims, (o + 1) * p.dims);
  const row = new Float64Array(p.dims);
  ops.put(x, o, row, 0);
  return row;
}

/** |row o of x − seed s|², the sum in coordinate order. */
function dist2(x: Float64Array, o: number, d: number, seeds: Float64Array, s: number): number {
  let sum = 0;
  for (let a = 0; a < d; a++) { const v = x[o * d + a] - seeds[s * d + a]; sum += v * v; }
  return sum;
}

/** A key of row o (d values): equal rows, equal keys. */
export function rowKey(x: Float64Array, o: number, d: number): number | string {
  return d === 1 ? x[o] : Array.from(x.subarray(o * d, (o + 1) * d)).join(",");
}

/**
 * Sample weights, one per point: an array, or a function giving the current view of them (weights
 * in WebAssembly memory: a block of rows made on demand may grow it, which detaches older views;
 * each function below re-reads them after every block).
 */
export type Weights = Float64Array | (() => Float64Array) | null;
const weightsNow = (w: Weights): Float64Array | null => (typeof w === "function" ? w() : w);

/**
 * A copy of `points` that outlives its data set (a stream's first chunk, a distributed fit's
 * sample): the rows, or — one-hot rows — their codes and offsets (never the n × levels rows).
 */
export function detachedPoints(points: Points): Points {
  const hot = points.oneHot;
  if (!hot) return { points: Float64Array.from(points.points), dims: points.dims };
  const count = points.count ?? points.points.length / points.dims, columns = hot.offsets.length;
  const codes = Float64Array.from(hot.codes(0, count)), offsets = Int32Array.from(hot.offsets);
  return {
    get points(): Float64Array { throw new Error("mixem: one-hot rows are read as codes"); },
    dims: points.dims, count,
    oneHot: { ...hot, offsets, codes: (from, c) => codes.subarray(from * columns, (from + c) * columns) },
  };
}

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
  const p = rows(points), ops = opsOf(p), step = span(p, n);
  const r = reader(p, w);
  const seen = new Set<number | string>();
  for (let from = 0; from < n && seen.size < limit; from += step) {
    const m = Math.min(step, n - from), x = r.block(from, m);
    for (let o = 0; o < m && seen.size < limit; o++) if (!w || r.w![from + o] > 0) seen.add(ops.key(x, o));
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

/**
 * k seeds (k × dims) by D² sampling. With sample weights w, point i is drawn with probability
 * ∝ w_i (the first seed) and ∝ w_i D(i)² (the others), as among w_i copies of it. With a
 * `screen` (Spec.seedScreen), each seed is the one it chooses among `draws` such draws.
 */
export function kmeansPlusPlus(points: Points, n: number, k: number, rng: Random, w: Weights = null, keep = n <= RECOMPUTE_ABOVE || k > STORE_BELOW_K, screen?: Spec["seedScreen"]): Float64Array {
  const p = rows(points), d = p.dims, ops = opsOf(p), step = span(p, n);
  const r = reader(p, w);
  const seeds = new Float64Array(k * d);
  const take = (s: number, i: number) => { ops.put(r.block(i, 1), 0, seeds, s); ops.seeded(seeds, s); };
  const screened: SeedScreen | null = screen ? screen(points, n, rng, w) : null;
  const row = (i: number) => denseRow(p, ops, r.block(i, 1), 0);
  if (!screened) take(0, w ? weightedPick(r.w!, n, rng) : rng.int(n));
  else if (!w) take(0, screened.choose(Array.from({ length: screened.draws }, () => rng.int(n)), row));
  else {
    const wNow = r.w!;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += wNow[i];
    take(0, screened.choose(screened.draw(sum, rng, (visit) => { for (let i = 0; i < n && visit(i, wNow[i]); i++); }), row));
  }
  // D(i)² = min over the seeds so far of |x_i − seed|²: kept per point, or recomputed (same values).
  const d2 = keep ? new Float64Array(n) : null;
  const nearest = (x: Float64Array, o: number, s: number) => {
    let best = ops.dist2(x, o, seeds, 0);
    for (let t = 1; t < s; t++) { const v = ops.dist2(x, o, seeds, t); if (v < best) best = v; }
    return best;
  };
  const mass = (i: number, v: number) => (w ? r.w![i] * v : v); // w_i D(i)²
  let total = 0;
  for (let from = 0; from < n; from += step) {
    const m = Math.min(step, n - from), x = r.block(from, m);
    for (let o = 0; o < m; o++) { const i = from + o, v = ops.dist2(x, o, seeds, 0); if (d2) d2[i] = v; total += mass(i, v); }
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
    // Screened: all its draws in one pass (the same sampling; no pass per draw).
    const scan = (visit: (i: number, v: number) => boolean) => {
      if (d2) { for (let i = 0; i < n && visit(i, mass(i, d2[i])); i++); return; }
      for (let from = 0; from < n; from += step) {
        const m = Math.min(step, n - from), x = r.block(from, m);
        for (let o = 0; o < m; o++) if (!visit(from + o, mass(from + o, nearest(x, o, s)))) return;
      }
    };
    take(s, screened ? screened.choose(screened.draw(total, rng, scan), row, { seeds, count: s }) : drawD2());
    total = 0;
    for (let from = 0; from < n; from += step) {
      const m = Math.min(step, n - from), x = r.block(from, m);
      if (d2) for (let o = 0; o < m; o++) { const i = from + o, v = ops.dist2(x, o, seeds, s); if (v < d2[i]) d2[i] = v; total += mass(i, d2[i]); }
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
  const p = rows(points), d = p.dims, ops = opsOf(p);
  const r = reader(p, w);
  const seeds = new Float64Array(k * d);
  const chosen = new Set<number | string>();
  for (let s = 0; s < k; ) {
    const i = w ? weightedPick(r.w!, n, rng) : rng.int(n), row = r.block(i, 1), key = ops.key(row, 0);
    if (!chosen.has(key)) { chosen.add(key); ops.put(row, 0, seeds, s); s++; }
  }
  return seeds;
}

/** labels[i] = index of the seed nearest to row i (the first on ties). */
export function nearestSeed(points: Points, n: number, seeds: Float64Array, k: number, labels: Float64Array): void {
  const p = rows(points), ops = opsOf(p), step = span(p, n);
  for (let s = 0; s < k; s++) ops.seeded(seeds, s);
  for (let from = 0; from < n; from += step) {
    const m = Math.min(step, n - from), x = block(p, from, m);
    for (let o = 0; o < m; o++) {
      let best = 0, bestD = ops.dist2(x, o, seeds, 0);
      for (let s = 1; s < k; s++) {
        const v = ops.dist2(x, o, seeds, s);
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
  const p = rows(points), d = p.dims, ops = opsOf(p), step = span(p, n);
  const r = reader(p, w);
  const seeds = new Float64Array(k * d), mass = new Float64Array(k);
  for (let from = 0; from < n; from += step) {
    const m = Math.min(step, n - from), x = r.block(from, m);
    for (let o = 0; o < m; o++) {
      const i = from + o, j = labels[i], wi = w ? r.w![i] : 1;
      if (j < 0 || !(wi > 0)) continue;
      mass[j] += wi;
      ops.add(x, o, wi, seeds, j);
    }
  }
  const has = Array.from(mass, (m) => m > 0);
  for (let j = 0; j < k; j++) if (has[j]) for (let a = 0; a < d; a++) seeds[j * d + a] /= mass[j];
  return { seeds, has };
}

/**
 * Seeds with some given (partial labels: the class means of the labelled components): the others
 * by D² sampling from the given ones and those drawn so far ("kmeans++"; screened as in
 * kmeansPlusPlus), or uniformly ("random"; distinct from each other), each drawn with sample
 * weights as among w_i copies.
 */
export function seedsAround(points: Points, n: number, k: number, rng: Random, w: Weights, given: { seeds: Float64Array; has: boolean[] }, how: "kmeans++" | "random", screen?: Spec["seedScreen"]): Float64Array {
  const p = rows(points), d = p.dims, ops = opsOf(p), step = span(p, n);
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
      for (let o = 0; o < m; o++) { const v = ops.dist2(x, o, seeds, s); if (v < d2[from + o]) d2[from + o] = v; }
    }
  };
  given.has.forEach((h, j) => { if (h) { ops.seeded(seeds, j); update(j); } });
  const screened = screen ? screen(points, n, rng, w) : null;
  for (const s of free) {
    let total = 0;
    for (let i = 0; i < n; i++) total += mass(i);
    let pick = -1;
    if (screened) pick = screened.choose(screened.draw(total, rng, (visit) => { for (let i = 0; i < n && visit(i, mass(i)); i++); }), (i) => denseRow(p, ops, r.block(i, 1), 0));
    else {
      let target = rng.uniform() * total;
      for (let i = 0; i < n; i++) { const v = mass(i); if (v > 0) { pick = i; target -= v; if (target < 0) break; } }
    }
    if (pick < 0) pick = w ? weightedPick(r.w!, n, rng) : rng.int(n); // every point on a given seed
    ops.put(r.block(pick, 1), 0, seeds, s);
    ops.seeded(seeds, s);
    update(s);
  }
  return seeds;
}
