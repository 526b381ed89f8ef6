// mvgaussian against scikit-learn (GaussianMixture, four covariance types) and mclust (em: VVV,
// EEE, VVI, VII) on iris (4-D, K = 3) and Old Faithful (2-D, K = 2), from the same start, for the
// same number of iterations. Fixtures and the scripts that made them: test/fixtures/peers/.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, type MvGaussianComponent } from "../src/index.js";
import { maxRelErr, relErr } from "./helpers.js";

initSync();
const read = (f: string) => JSON.parse(readFileSync(new URL(f, import.meta.url), "utf8"));
const csv = (name: string) => readFileSync(new URL(`../examples/${name}`, import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
const data: Record<string, number[][]> = {
  iris: csv("iris.csv").map((r) => r.slice(0, 4).map(Number)),
  faithful: csv("faithful.csv").map((r) => r.map(Number)),
};

interface Case {
  data: string; covariance: "full" | "tied" | "diag" | "spherical"; iterations: number;
  init: { weights: number[]; means: number[][]; covariances: number[][][] };
  weights: number[]; means: number[][]; covariances: number[][][]; logLikelihood: number;
}

/** Smallest largest-relative-error over all matchings of mixem's components to the peer's. */
function bestMatch(model: ReturnType<typeof fitSync>, c: Case): number {
  const comps = model.components as MvGaussianComponent[];
  const k = comps.length;
  const perms = (a: number[]): number[][] => (a.length <= 1 ? [a] : a.flatMap((x, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [x, ...p])));
  return Math.min(...perms([...Array(k).keys()]).map((p) => maxRelErr(
    p.flatMap((j) => [model.weights[j], ...comps[j].mean, ...comps[j].covariance.flat()]),
    p.flatMap((_, i) => [c.weights[i], ...c.means[i], ...c.covariances[i].flat()]),
  )));
}

// Entries that are exactly 0 on one side and ~1e-17 on the other (off-diagonals of products)
// would make a relative comparison meaningless; covariances here have no zero entries except by
// construction (diag/spherical), where both sides are exactly 0.
describe.each([
  ["scikit-learn 1.2.1", "./fixtures/peers/sklearn-mv.json"],
  ["mclust 6.0.0", "./fixtures/peers/mclust-mv.json"],
])("%s", (_tool, file) => {
  const cases: Case[] = read(file).cases;
  it.each(cases.map((c) => [c.data, c.covariance, c.iterations, c] as const))("%s, %s, %i iterations: log-likelihood and parameters to 1e-9", (name, covariance, iterations, c) => {
    const model = fitSync(data[name], { family: "mvgaussian", covariance, k: c.weights.length, init: c.init, maxIter: iterations, tol: 0, regCovar: 0 });
    expect(relErr(model.logLikelihood, c.logLikelihood)).toBeLessThan(1e-9);
    expect(bestMatch(model, c)).toBeLessThan(1e-9);
  });
});
