// Choosing k starting locations among the points: k-means++ (D² sampling, Arthur & Vassilvitskii
// 2007) or k distinct points uniformly. Both pick only distinct values, so no two components start
// identical.
import type { Random } from "./random.js";

/** Number of distinct values among loc(0..n-1), counting no further than `limit`. */
export function countDistinct(n: number, loc: (i: number) => number, limit: number): number {
  const seen = new Set<number>();
  for (let i = 0; i < n && seen.size < limit; i++) seen.add(loc(i));
  return seen.size;
}

export function kmeansPlusPlus(n: number, loc: (i: number) => number, k: number, rng: Random): number[] {
  const seeds = [loc(rng.int(n))];
  const d2 = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) { const d = loc(i) - seeds[0]; d2[i] = d * d; total += d2[i]; }
  while (seeds.length < k) {
    // Draw i with probability d2[i] / total; fall back to the last positive d2 on rounding.
    let target = rng.uniform() * total;
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (d2[i] > 0) { pick = i; target -= d2[i]; if (target < 0) break; }
    }
    const c = loc(pick);
    seeds.push(c);
    total = 0;
    for (let i = 0; i < n; i++) { const d = loc(i) - c; const v = d * d; if (v < d2[i]) d2[i] = v; total += d2[i]; }
  }
  return seeds;
}

export function randomDistinct(n: number, loc: (i: number) => number, k: number, rng: Random): number[] {
  const seeds: number[] = [];
  const chosen = new Set<number>();
  while (seeds.length < k) {
    const v = loc(rng.int(n));
    if (!chosen.has(v)) { chosen.add(v); seeds.push(v); }
  }
  return seeds;
}

/** labels[i] = index of the seed nearest to loc(i) (the first on ties). */
export function nearestSeed(n: number, loc: (i: number) => number, seeds: readonly number[], labels: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const v = loc(i);
    let best = 0, bestD = Math.abs(v - seeds[0]);
    for (let j = 1; j < seeds.length; j++) {
      const d = Math.abs(v - seeds[j]);
      if (d < bestD) { bestD = d; best = j; }
    }
    labels[i] = best;
  }
}
