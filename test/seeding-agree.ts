// A check shared by the one-hot families' tests (categorical, independent): seeding on codes
// (Points.oneHot) against the same rows made dense — partial labels' class means, the seeds drawn
// around them, and every point's nearest seed, bit for bit.
import { expect } from "vitest";
import { classMeans, nearestSeed, seedsAround } from "../src/seeding.js";
import { Random } from "../src/random.js";
import type { Points } from "../src/family.js";

/** Compares the coded and the dense rows' seeding from partial labels; returns the seeds (of the coded rows). */
export function expectSameSeedsAround(hot: Points, plain: Points, n: number, k: number, labels: Float64Array, weights: Float64Array | null, trial: number): Float64Array {
  const ga = classMeans(hot, n, k, labels, weights), gb = classMeans(plain, n, k, labels, weights);
  expect(ga).toEqual(gb);
  const a = seedsAround(hot, n, k, new Random(trial), weights, ga, "kmeans++"), b = seedsAround(plain, n, k, new Random(trial), weights, gb, "kmeans++");
  expect(a, `trial ${trial}`).toEqual(b);
  const la = new Float64Array(n), lb = new Float64Array(n);
  nearestSeed(hot, n, a, k, la);
  nearestSeed(plain, n, b, k, lb);
  expect(la, `trial ${trial}`).toEqual(lb);
  return a;
}
