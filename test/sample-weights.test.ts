// Sample weights beyond the conformance table: seeding draws as among w_i copies, BIC counts Σ w,
// fractional weights against mclust's me.weighted, and the paths that take them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitInWorker, fit, fitSync, initSync } from "../src/index.js";
import { bic } from "../src/criteria.js";
import { kmeansPlusPlus, randomDistinct } from "../src/seeding.js";
import { Random } from "../src/random.js";
import { mulberry32, normal } from "./helpers.js";

initSync();
const u = mulberry32(21);
const x = Array.from({ length: 2000 }, (_, i) => (i % 3) * 5 + normal(u) * (1 + (i % 3) * 0.3));

describe("sample weights", () => {
  it("points of weight 0 are never drawn as seeds (k-means++ and random)", () => {
    const points = Float64Array.from(x), w = new Float64Array(x.length).map((_, i) => (i % 2 ? 0 : 1 + (i % 5)));
    for (let seed = 0; seed < 20; seed++) {
      for (const f of [kmeansPlusPlus, randomDistinct]) {
        const seeds = f({ points, dims: 1 }, x.length, 4, new Random(seed), w);
        for (const v of seeds) expect(w[x.indexOf(v)]).toBeGreaterThan(0);
      }
    }
  });

  it("count Σ w observations: nObservations, BIC", () => {
    const w = x.map((_, i) => 0.5 + (i % 4) * 0.25);
    const m = fitSync(x, { k: 3, sampleWeights: w });
    const total = w.reduce((a, b) => a + b, 0);
    expect(m.nObservations).toBe(total);
    expect(bic(m.logLikelihood, m.nParameters, m.nObservations)).toBeCloseTo(-2 * m.logLikelihood + m.nParameters * Math.log(total), 8);
    // The model's own criteria and score on weighted data: the fit's log-likelihood, Σ w observations.
    expect(m.logLikelihoodOf(x, { sampleWeights: w })).toBe(m.logLikelihood);
    expect(m.score(x, { sampleWeights: w })).toBe(m.logLikelihood / total);
    expect(m.bic(x, { sampleWeights: w })).toBe(bic(m.logLikelihood, m.nParameters, total));
    expect(() => m.predict(x, { sampleWeights: w } as never)).toThrow(/sampleWeights/);
  });

  it("fit (one thread) and fitInWorker give fitSync's model; more threads are refused for now", async () => {
    const w = x.map((_, i) => (i % 7) / 3);
    const a = fitSync(x, { k: 3, seed: 2, sampleWeights: w });
    const b = await fit(x, { k: 3, seed: 2, sampleWeights: w });
    const c = await fitInWorker(x, { k: 3, seed: 2, sampleWeights: Float64Array.from(w) });
    expect(b.components).toEqual(a.components);
    expect(c.components).toEqual(a.components);
    await expect(fit(x, { k: 3, sampleWeights: w, threads: 2 })).rejects.toThrow(/options\.threads: must be 1 with sampleWeights/);
    expect(() => fitSync(x, { k: 3, sampleWeights: "1,2" as never })).toThrow(/options\.sampleWeights: must be an array/);
    expect(() => fitSync(x, { k: 3, sampleWeights: x.map((_, i) => (i === 9 ? NaN : 1)) })).toThrow(/options\.sampleWeights\[9\]: is NaN/);
    expect(w[0]).toBe(0); // the caller's array is untouched
  });
});

describe("fractional weights against mclust's me.weighted (fixture: test/fixtures/peers/make_mclust_weighted.R)", () => {
  const peer = JSON.parse(readFileSync(new URL("./fixtures/peers/mclust-weighted.json", import.meta.url), "utf8"));
  const rows = readFileSync(new URL("../examples/faithful.csv", import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
  const start = { maxIter: 100_000, tol: 0, regCovar: 0 };
  const close = (a: number[], b: number[], tol: number) => a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(tol * Math.max(1, Math.abs(b[i]))));

  it("1-D (model V): the same fixed point", () => {
    const waiting = rows.map((r) => r[1]);
    const m = fitSync(waiting, { k: 2, sampleWeights: peer.weights, init: { means: [55, 80], variances: [30, 30] }, ...start });
    close([...m.weights], peer.waiting.pro, 1e-8);
    close(m.components.map((c) => c.mean), peer.waiting.mean, 1e-8);
    // mclust stops on its log-likelihood change while the variances still move by ~1e-8 relative.
    close(m.components.map((c) => c.variance), peer.waiting.variance, 1e-7);
    expect(Math.abs(m.logLikelihood - peer.waiting.loglik)).toBeLessThan(1e-9 * Math.abs(peer.waiting.loglik));
  });

  it("2-D (model VVV): the same fixed point", () => {
    const m = fitSync(rows, { family: "mvgaussian", k: 2, sampleWeights: peer.weights, init: { means: [[2, 55], [4.3, 80]], covariances: [[[0.1, 0], [0, 30]], [[0.1, 0], [0, 30]]] }, ...start });
    close([...m.weights], peer.both.pro, 1e-8);
    close(m.components.flatMap((c) => c.mean), peer.both.mean.flat(), 1e-8);
    close(m.components.flatMap((c) => c.covariance.flat()), peer.both.variance.flat(2), 1e-7);
    expect(Math.abs(m.logLikelihood - peer.both.loglik)).toBeLessThan(1e-9 * Math.abs(peer.both.loglik));
  });
});
