// The worked examples of the founding documents (test/fixtures/seed-examples, copied from
// shared/seed-examples) reproduce their published numbers, to the digits printed.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, loadModel, type ModelJSON } from "../src/index.js";
import { drawLabels, mulberry32, poissonDraw } from "./helpers.js";

initSync();
const example = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/seed-examples/${name}.json`, import.meta.url), "utf8"));

/** A model at given parameters (to read responsibilities at the initial guesses). */
function modelAt(family: ModelJSON["family"], weights: number[], components: ModelJSON["components"], trials: number) {
  return loadModel({
    format: "mixem-model", version: 1, family, k: weights.length, weights, components,
    settings: { mode: "soft", fixWeights: true, trials },
    fit: { logLikelihood: 0, history: [], iterations: 0, converged: false, stopReason: "maxIter", nObservations: 0 },
  });
}
const round = (v: number, digits: number) => Number(v.toFixed(digits));

describe("two coins, 5 tosses per set (hard vs soft EM from p = 0.2 / 0.7)", () => {
  const ex = example("coins-5x5");
  const base = { family: "binomial", k: 2, trials: ex.trials, fixWeights: true, init: { p: ex.init.p }, maxIter: 1, tol: 0 } as const;

  it("hard EM: most likely coins 2,1,1,2,1, then p = 5/15 and 6/10", () => {
    const start = modelAt("binomial", ex.init.weights, ex.init.p.map((p: number) => ({ p })), ex.trials);
    expect(Array.from(start.predict(ex.heads), (j) => j + 1)).toEqual(ex.published.hardEM_oneIteration.assignments);
    const m = fitSync(ex.heads, { ...base, mode: "hard" });
    expect(m.components[0]).toEqual({ p: expect.closeTo(5 / 15, 15) });
    expect(m.components[1]).toEqual({ p: expect.closeTo(6 / 10, 15) });
    expect(round((m.components[0] as { p: number }).p, 3)).toBe(ex.published.hardEM_oneIteration.p[0]);
  });

  it("soft EM: set 1 is 0.14 / 0.86, coin 1 expects 4.22 heads / 7.98 tails, then p1 = 0.35", () => {
    const start = modelAt("binomial", ex.init.weights, ex.init.p.map((p: number) => ({ p })), ex.trials);
    const r = start.predictProba(ex.heads);
    expect([round(r[0], 2), round(r[1], 2)]).toEqual(ex.published.softEM_oneIteration.round1Responsibility);
    let heads = 0, tails = 0, roundedHeads = 0, roundedTails = 0;
    ex.heads.forEach((h: number, i: number) => {
      heads += r[2 * i] * h; tails += r[2 * i] * (ex.trials - h);
      // The tutorial summed responsibilities rounded to two decimals: that gives its 4.22 / 7.98.
      roundedHeads += round(r[2 * i], 2) * h; roundedTails += round(r[2 * i], 2) * (ex.trials - h);
    });
    expect([round(roundedHeads, 2), round(roundedTails, 2)]).toEqual(ex.published.softEM_oneIteration.coin1HeadsTails);
    expect([round(heads, 2), round(tails, 2)]).toEqual([4.22, 7.96]); // exact expected counts
    const m = fitSync(ex.heads, { ...base, mode: "soft" });
    expect((m.components[0] as { p: number }).p).toBeCloseTo(heads / (heads + tails), 14);
    expect(round((m.components[0] as { p: number }).p, 2)).toBe(ex.published.softEM_oneIteration.p1);
  });
});

describe("Do & Batzoglou (2008): five sets of ten tosses from 0.6 / 0.5", () => {
  const ex = example("coins-do-batzoglou");
  const run = (maxIter: number) =>
    fitSync(ex.heads, { family: "binomial", k: 2, trials: ex.trials, fixWeights: true, init: { p: ex.init.p }, maxIter, tol: 0 });
  const ps = (m: ReturnType<typeof run>) => m.components.map((c) => round((c as { p: number }).p, 2));

  it("heads counted from the sequences", () => {
    expect(ex.sequences.map((s: string) => [...s].filter((c) => c === "H").length)).toEqual(ex.heads);
  });
  it("first set: responsibilities 0.45 / 0.55 at the initial guesses", () => {
    const r = modelAt("binomial", ex.init.weights, ex.init.p.map((p: number) => ({ p })), ex.trials).predictProba(ex.heads);
    expect([round(r[0], 2), round(r[1], 2)]).toEqual(ex.published.firstSetResponsibility);
  });
  it("iteration 1: 0.71 / 0.58", () => expect(ps(run(1))).toEqual(ex.published.iteration1.p));
  it("iteration 10: 0.80 / 0.52", () => expect(ps(run(10))).toEqual(ex.published.iteration10.p));
});

describe("red and blue 1-D Gaussians (40 points, poor initial guesses)", () => {
  const ex = example("red-blue");
  it("the data are the published draws", () => {
    expect(ex.data).toHaveLength(40);
    expect([...ex.labelsKnown.red, ...ex.labelsKnown.blue].sort((a: number, b: number) => a - b)).toEqual(ex.data);
  });

  it("the tutorial's own procedure reproduces its table to every printed digit", () => {
    // Weights fixed at 1/2; each iteration: responsibilities, each sd around the PREVIOUS mean,
    // then each mean (as the tutorial did). Written out here to pin the data and the table.
    const x: number[] = ex.data;
    let means = [...ex.init.means], sds = [...ex.init.sds];
    const pdf = (v: number, m: number, s: number) => Math.exp(-((v - m) ** 2) / (2 * s * s)) / (s * Math.sqrt(2 * Math.PI));
    for (let it = 0; it < ex.published.iterations; it++) {
      const r = x.map((v) => { const a = pdf(v, means[0], sds[0]), b = pdf(v, means[1], sds[1]); return [a / (a + b), b / (a + b)]; });
      const w = [0, 1].map((j) => r.reduce((s, ri) => s + ri[j], 0));
      sds = [0, 1].map((j) => Math.sqrt(x.reduce((s, v, i) => s + r[i][j] * (v - means[j]) ** 2, 0) / w[j]));
      means = [0, 1].map((j) => x.reduce((s, v, i) => s + r[i][j] * v, 0) / w[j]);
    }
    expect(round(means[0], 2)).toBe(ex.published.red.mean);
    expect(round(sds[0], 3)).toBe(ex.published.red.sd);
    expect(round(means[1], 3)).toBe(ex.published.blue.mean);
    expect(round(sds[1], 3)).toBe(ex.published.blue.sd);
  });

  it("standard EM from the same guesses lands near the published table", () => {
    const m = fitSync(ex.data, {
      family: "gaussian", k: 2, fixWeights: true, maxIter: ex.published.iterations, tol: 0,
      init: { means: ex.init.means, variances: ex.init.sds.map((s: number) => s * s) },
    });
    const [red, blue] = m.components as { mean: number; variance: number }[];
    expect(Math.abs(red.mean - ex.published.red.mean)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(red.variance) - ex.published.red.sd)).toBeLessThan(0.03);
    expect(Math.abs(blue.mean - ex.published.blue.mean)).toBeLessThan(0.05);
    expect(Math.abs(Math.sqrt(blue.variance) - ex.published.blue.sd)).toBeLessThan(0.05);
  });
});

describe("Poisson with rates 2 and 6", () => {
  it("recovers λ and the weights from 4000 generated counts; labels by largest posterior", () => {
    const u = mulberry32(2024);
    const truth = { lambdas: [2, 6], weights: [0.4, 0.6] };
    const labels = drawLabels(u, 4000, truth.weights);
    const data = labels.map((j) => poissonDraw(u, truth.lambdas[j]));
    const m = fitSync(data, { family: "poisson", k: 2, nInit: 3, seed: 7 });
    const order = m.components[0] && (m.components[0] as { lambda: number }).lambda < (m.components[1] as { lambda: number }).lambda ? [0, 1] : [1, 0];
    const lambdas = order.map((j) => (m.components[j] as { lambda: number }).lambda);
    const weights = order.map((j) => m.weights[j]);
    expect(m.converged).toBe(true);
    expect(Math.abs(lambdas[0] - 2)).toBeLessThan(0.35);
    expect(Math.abs(lambdas[1] - 6)).toBeLessThan(0.35);
    expect(Math.abs(weights[0] - 0.4)).toBeLessThan(0.08);
    const predicted = m.predict(data);
    const agree = labels.filter((l, i) => order[l] === predicted[i]).length / labels.length;
    expect(agree).toBeGreaterThan(0.8);
    // The stopping rule: the last change of the mean log-likelihood was below tol.
    const h = m.history;
    expect(Math.abs(h[h.length - 1] - h[h.length - 2]) / data.length).toBeLessThan(1e-8);
  });
});
