// Choosing k starting locations among the points (rows of an n × d matrix): k-means++ (D²
// sampling, Arthur & Vassilvitskii 2007) or k distinct points uniformly; then every point to its
// nearest seed. Both pick only distinct rows, so no two components start identical.
// Each function reads `p.points` once (it may be a view into WebAssembly memory, re-made after growth).
import type { Random } from "./random.js";
import type { Points } from "./family.js";

/** Rows of a matrix, read once from Points. */
interface Rows { x: Float64Array; dims: number }
const rows = (p: Points): Rows => ({ x: p.points, dims: p.dims });

function dist2(p: Rows, i: number, seeds: Float64Array, s: number): number {
  const d = p.dims;
  let sum = 0;
  for (let a = 0; a < d; a++) { const v = p.x[i * d + a] - seeds[s * d + a]; sum += v * v; }
  return sum;
}

function rowKey(p: Rows, i: number): number | string {
  return p.dims === 1 ? p.x[i] : Array.from(p.x.subarray(i * p.dims, (i + 1) * p.dims)).join(",");
}

/** Number of distinct rows, counting no further than `limit`. */
export function countDistinct(points: Points, n: number, limit: number, w: Float64Array | null = null): number {
  const p = rows(points);
  const seen = new Set<number | string>();
  for (let i = 0; i < n && seen.size < limit; i++) if (!w || w[i] > 0) seen.add(rowKey(p, i));
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
 * ∝ w_i (the first seed) and ∝ w_i D(i)² (the others), as among w_i copies of it.
 */
export function kmeansPlusPlus(points: Points, n: number, k: number, rng: Random, w: Float64Array | null = null, keep = n <= RECOMPUTE_ABOVE || k > STORE_BELOW_K): Float64Array {
  const p = rows(points), d = p.dims;
  const seeds = new Float64Array(k * d);
  const take = (s: number, i: number) => seeds.set(p.x.subarray(i * d, (i + 1) * d), s * d);
  take(0, w ? weightedPick(w, n, rng) : rng.int(n));
  // D(i)² = min over the seeds so far of |x_i − seed|²: kept per point, or recomputed (same values).
  const d2 = keep ? new Float64Array(n) : null;
  const nearest = (i: number, s: number) => {
    let best = dist2(p, i, seeds, 0);
    for (let t = 1; t < s; t++) { const v = dist2(p, i, seeds, t); if (v < best) best = v; }
    return best;
  };
  const mass = (i: number, v: number) => (w ? w[i] * v : v); // w_i D(i)²
  let total = 0;
  for (let i = 0; i < n; i++) { const v = dist2(p, i, seeds, 0); if (d2) d2[i] = v; total += mass(i, v); }
  for (let s = 1; s < k; s++) {
    // Draw i with probability w_i D(i)² / total; fall back to the last positive one on rounding.
    let target = rng.uniform() * total;
    let pick = -1;
    for (let i = 0; i < n; i++) {
      const v = mass(i, d2 ? d2[i] : nearest(i, s));
      if (v > 0) { pick = i; target -= v; if (target < 0) break; }
    }
    take(s, pick);
    total = 0;
    if (d2) for (let i = 0; i < n; i++) { const v = dist2(p, i, seeds, s); if (v < d2[i]) d2[i] = v; total += mass(i, d2[i]); }
    else for (let i = 0; i < n; i++) total += mass(i, nearest(i, s + 1));
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
export function randomDistinct(points: Points, n: number, k: number, rng: Random, w: Float64Array | null = null): Float64Array {
  const p = rows(points), d = p.dims;
  const seeds = new Float64Array(k * d);
  const chosen = new Set<number | string>();
  for (let s = 0; s < k; ) {
    const i = w ? weightedPick(w, n, rng) : rng.int(n), key = rowKey(p, i);
    if (!chosen.has(key)) { chosen.add(key); seeds.set(p.x.subarray(i * d, (i + 1) * d), s * d); s++; }
  }
  return seeds;
}

/** labels[i] = index of the seed nearest to row i (the first on ties). */
export function nearestSeed(points: Points, n: number, seeds: Float64Array, k: number, labels: Float64Array): void {
  const p = rows(points);
  for (let i = 0; i < n; i++) {
    let best = 0, bestD = dist2(p, i, seeds, 0);
    for (let s = 1; s < k; s++) {
      const v = dist2(p, i, seeds, s);
      if (v < bestD) { bestD = v; best = s; }
    }
    labels[i] = best;
  }
}

/**
 * Partial labels: the (weighted) mean of each component's labelled points, as seeds of those
 * components; `has[j]` says whether component j has a labelled point.
 */
export function classMeans(points: Points, n: number, k: number, labels: Float64Array, w: Float64Array | null = null): { seeds: Float64Array; has: boolean[] } {
  const p = rows(points), d = p.dims;
  const seeds = new Float64Array(k * d), mass = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const j = labels[i], wi = w ? w[i] : 1;
    if (j < 0 || !(wi > 0)) continue;
    mass[j] += wi;
    for (let a = 0; a < d; a++) seeds[j * d + a] += wi * p.x[i * d + a];
  }
  const has = Array.from(mass, (m) => m > 0);
  for (let j = 0; j < k; j++) if (has[j]) for (let a = 0; a < d; a++) seeds[j * d + a] /= mass[j];
  return { seeds, has };
}

/**
 * Seeds with some given (partial labels: the class means of the labelled components): the others
 * by D² sampling from the given ones and those drawn so far ("kmeans++"), or uniformly ("random";
 * distinct from each other), each drawn with sample weights as among w_i copies.
 */
export function seedsAround(points: Points, n: number, k: number, rng: Random, w: Float64Array | null, given: { seeds: Float64Array; has: boolean[] }, how: "kmeans++" | "random"): Float64Array {
  const p = rows(points), d = p.dims;
  const seeds = Float64Array.from(given.seeds);
  const free = given.has.flatMap((h, j) => (h ? [] : [j]));
  if (how === "random") {
    const drawn = randomDistinct(points, n, free.length, rng, w);
    free.forEach((s, f) => seeds.set(drawn.subarray(f * d, (f + 1) * d), s * d));
    return seeds;
  }
  // D(i)² to the nearest seed so far (the given ones first), kept per point.
  const d2 = new Float64Array(n).fill(Infinity);
  const mass = (i: number) => (w ? w[i] * d2[i] : d2[i]);
  const update = (s: number) => { for (let i = 0; i < n; i++) { const v = dist2(p, i, seeds, s); if (v < d2[i]) d2[i] = v; } };
  given.has.forEach((h, j) => { if (h) update(j); });
  for (const s of free) {
    let total = 0;
    for (let i = 0; i < n; i++) total += mass(i);
    let target = rng.uniform() * total, pick = -1;
    for (let i = 0; i < n; i++) { const v = mass(i); if (v > 0) { pick = i; target -= v; if (target < 0) break; } }
    if (pick < 0) pick = w ? weightedPick(w, n, rng) : rng.int(n); // every point on a given seed
    seeds.set(p.x.subarray(pick * d, (pick + 1) * d), s * d);
    update(s);
  }
  return seeds;
}
