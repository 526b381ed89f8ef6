// Sample weights beyond the conformance table: seeding draws as among w_i copies, BIC counts Σ w,
// fractional weights against mclust's me.weighted, and the paths that take them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { accumulate, fitInWorker, fit, fitStream, fitSync, initSync, maximize, mergeStats } from "../src/index.js";
import { bic } from "../src/criteria.js";
import { kmeansPlusPlus, randomDistinct } from "../src/seeding.js";
import { Random } from "../src/random.js";
import { mulberry32, normal } from "./helpers.js";

initSync();
const maxRel = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1e-300, Math.abs(b[i]))));
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

  it("fit on any number of threads and fitInWorker give fitSync's model, bit for bit; a stream of weighted chunks the same fit", async () => {
    const big = Array.from({ length: 150_000 }, (_, i) => (i % 3) * 5 + normal(u) * (1 + (i % 3) * 0.3));
    const wb = big.map((_, i) => ((i * 13) % 5) / 2);
    const a = fitSync(big, { k: 3, seed: 2, sampleWeights: wb, maxIter: 30 });
    for (const threads of [1, 2, 3]) {
      const b = await fit(big, { k: 3, seed: 2, sampleWeights: wb, maxIter: 30, threads });
      expect(b.components).toEqual(a.components);
      expect(b.logLikelihood).toBe(a.logLikelihood);
      expect(b.nObservations).toBe(a.nObservations);
    }
    const w = x.map((_, i) => (i % 7) / 3);
    const c = await fitInWorker(x, { k: 3, seed: 2, sampleWeights: Float64Array.from(w) });
    expect(c.components).toEqual(fitSync(x, { k: 3, seed: 2, sampleWeights: w }).components);
    // A stream: chunks { data, sampleWeights }; from an explicit start, the in-memory fit up to the chunked sums.
    const init = { means: [0, 5, 10], variances: [1, 1, 1] };
    const whole = fitSync(x, { k: 3, init, sampleWeights: w, maxIter: 40, tol: 0 });
    const streamed = await fitStream(() => [0, 500, 1000, 1500].map((at) => ({ data: x.slice(at, at + 500), sampleWeights: w.slice(at, at + 500) })), { k: 3, init, maxIter: 40, tol: 0 });
    expect(streamed.nObservations).toBe(whole.nObservations);
    expect(Math.abs(streamed.logLikelihood - whole.logLikelihood)).toBeLessThan(1e-9 * Math.abs(whole.logLikelihood));
    await expect(fitStream(() => [x], { k: 3, sampleWeights: w })).rejects.toThrow(/options\.sampleWeights: are given per chunk in a stream/);
    // accumulate + mergeStats + maximize on weighted parts: the weighted M-step.
    const model = fitSync(x, { k: 3, seed: 2, maxIter: 3 });
    const parts = [accumulate(model, x.slice(0, 700), { sampleWeights: w.slice(0, 700) }), accumulate(model, x.slice(700), { sampleWeights: w.slice(700) })];
    const merged = mergeStats(...parts);
    expect(merged.n).toBeCloseTo(w.reduce((s, v) => s + v, 0), 9);
    const next = maximize(model, merged);
    const oneStep = fitSync(x, { k: 3, init: model, maxIter: 1, tol: 0, sampleWeights: w });
    expect(maxRel((next.components as { mean: number; variance: number }[]).flatMap((cc) => [cc.mean, cc.variance]), oneStep.components.flatMap((cc) => [cc.mean, cc.variance]))).toBeLessThan(1e-12);
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

describe("the CLI's --weights", () => {
  it("fits as the API with sampleWeights (the column is not data); bad weights name the row", async () => {
    const { spawnSync } = await import("node:child_process");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "mixem-weights-"));
    const w = x.map((_, i) => (i % 5) / 2);
    const file = join(dir, "w.csv");
    writeFileSync(file, "x,w\n" + x.map((v, i) => `${v},${w[i]}`).join("\n") + "\n");
    const cli = (args: string[]) => spawnSync(process.execPath, [new URL("../dist/cli.js", import.meta.url).pathname, ...args], { encoding: "utf8" });
    const r = cli(["fit", file, "-k", "3", "--weights", "w", "--json", "--quiet"]);
    expect(r.status, r.stderr).toBe(0);
    const api = fitSync(x, { k: 3, sampleWeights: w, accelerate: "squarem" }); // the CLI fits with SQUAREM
    const out = JSON.parse(r.stdout);
    expect(out.components).toEqual(JSON.parse(JSON.stringify(api.components)));
    expect(out.fit.nObservations).toBe(api.nObservations);
    writeFileSync(file, "x,w\n1,1\n2,1\n3,-1\n4,1\n");
    const bad = cli(["fit", file, "-k", "2", "--weights", "w"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`mixem: ${file}, row 3, column w: -1 is negative; weights must be ≥ 0\n`);
  });
});

describe("the data's scale under sample weights (the variance floor's and the seeding's)", () => {
  const u = mulberry32(77);
  const x = Array.from({ length: 100 }, (_, i) => (i % 2) * 3 + normal(u) * 0.7);
  const rows = x.map((v, i) => [v, (i % 2) * 2 + normal(u)]);
  const bitsOf = (m: { weights: readonly number[]; components: readonly object[]; logLikelihood: number }) => JSON.stringify([m.weights, m.components, m.logLikelihood]);

  it("a row of weight 0 is as if removed, even an outlier that would set the floor (fitSync, fit on 2 threads, fitStream, fitInWorker)", async () => {
    for (const [data, more] of [[x, {}], [rows, { family: "mvgaussian" as const }]] as const) {
      const outlier = Array.isArray(data[0]) ? [1e5, -1e5] : 1e5;
      const withRow = [...data, outlier] as typeof data;
      const w = [...data.map(() => 1), 0];
      const o = { ...more, k: 2, seed: 5, maxIter: 50, tol: 0 } as const;
      const without = fitSync(data as never, o as never);
      const zero = fitSync(withRow as never, { ...o, sampleWeights: w } as never);
      expect(zero.settings.scale).toEqual(without.settings.scale);
      const flat = (m: typeof zero) => [...m.weights, m.logLikelihood, ...JSON.stringify(m.components).match(/-?\d[\d.e+-]*/g)!.map(Number)];
      const [p, q] = [flat(zero), flat(without)];
      expect(p.length).toBe(q.length);
      expect(p.every((v, i) => Math.abs(v - q[i]) <= 1e-10 * Math.abs(q[i]) + 1e-12)).toBe(true); // the same fit, to the rounding of sums with a 0 term
      // (Before: the floor regCovar × var(all rows) bound — variances 98 instead of 0.49 in 1-D.)
      const threaded = await fit(withRow as never, { ...o, sampleWeights: w, threads: 2 } as never);
      expect(bitsOf(threaded)).toBe(bitsOf(zero));
      expect(bitsOf(await fitInWorker(withRow as never, { ...o, sampleWeights: w } as never))).toBe(bitsOf(zero));
      const half = Math.floor(withRow.length / 2);
      const streamed = await fitStream(() => [{ data: withRow.slice(0, half), sampleWeights: w.slice(0, half) }, { data: withRow.slice(half), sampleWeights: w.slice(half) }] as never, o as never);
      expect((streamed.settings.scale as number[]).map((v, a) => Math.abs(v - (without.settings.scale as number[])[a]) / v).every((e) => e < 1e-12)).toBe(true);
    }
  });

  it("a weighted spread below 1e-280 is an error naming the data and the weights (as unweighted data's)", () => {
    expect(() => fitSync([0, 1e-141, 2e-141, 3e-141, 5, 9], { k: 2, sampleWeights: [1, 1, 1, 1, 0, 0] })).toThrow(/^data: has a variance of 1\.25e-282 under options\.sampleWeights, below 1e-280/);
  });

  it("integer weights are duplicated rows also where the floor binds (regCovar large)", () => {
    const w = x.map((_, i) => 1 + (i % 4));
    const dup = x.flatMap((v, i) => Array(w[i]).fill(v));
    const o = { k: 2, init: { means: [0, 3], variances: [1, 1] }, regCovar: 0.6, maxIter: 40, tol: 0 };
    const a = fitSync(x, { ...o, sampleWeights: w }), b = fitSync(dup, o);
    expect(Math.abs((a.settings.scale as number[])[0] - (b.settings.scale as number[])[0]) / (b.settings.scale as number[])[0]).toBeLessThan(1e-13);
    const floor = 0.6 * (b.settings.scale as number[])[0];
    expect(b.components.some((c) => c.variance === floor)).toBe(true); // the floor binds
    for (let j = 0; j < 2; j++) expect(Math.abs(a.components[j].variance - b.components[j].variance) / b.components[j].variance).toBeLessThan(1e-10);
    expect(Math.abs(a.logLikelihood - b.logLikelihood) / Math.abs(b.logLikelihood)).toBeLessThan(1e-12);
  });
});
