// fit({ threads }): shards in workers, statistics merged on the calling thread.
import { describe, expect, it } from "vitest";
import { fit, fitSync, initSync, MixemError, type FitOptions, type MixtureModel } from "../src/index.js";
import { closeness, drawLabels, mulberry32, normal } from "./helpers.js";

initSync();
const u = mulberry32(29);
const labels = drawLabels(u, 6000, [0.3, 0.3, 0.4]);
const params = (m: MixtureModel) => [...m.weights, ...m.components.flatMap((c) => Object.values(c).flat(2) as number[])];
const workers = () => process.getActiveResourcesInfo().filter((r) => r === "MessagePort" || r === "Worker").length;
const settle = () => new Promise((r) => setTimeout(r, 150));

describe("threaded fits equal the single-threaded fit (to the rounding of the merge)", () => {
  it.each<[string, unknown, FitOptions]>([
    ["gaussian, k-means++ with restarts", labels.map((j) => 4 * j + normal(u)), { k: 3, nInit: 3, seed: 5, maxIter: 40, tol: 0 }],
    ["mvgaussian full with a prior", labels.map((j) => [2 * j + normal(u), normal(u) - j]), { family: "mvgaussian", k: 3, prior: true, maxIter: 30, tol: 0 }],
    ["binomial, per-observation trials", labels.map((j) => 3 * j + 1), { family: "binomial", k: 3, trials: labels.map(() => 9), maxIter: 30, tol: 0 }],
    ["bernoulli, hard EM", labels.map((j) => [0, 1, 2].map((a) => (a === j ? 1 : u() < 0.2 ? 1 : 0))), { family: "bernoulli", k: 3, mode: "hard", maxIter: 20, tol: 0 }],
  ])("%s, 3 threads", async (_name, data, options) => {
    const one = fitSync(data as never, options);
    const three = await fit(data as never, { ...options, threads: 3 });
    expect(three.iterations).toBe(one.iterations);
    expect(closeness(params(three), params(one), 1e-11, 1e-13)).toBeLessThan(1);
    expect(closeness(three.history, one.history, 1e-12, 0)).toBeLessThan(1);
    await settle();
    expect(workers()).toBe(0);
  });

  it("onIteration runs on the calling thread; an abort stops the fit and the workers", async () => {
    const data = labels.map((j) => 4 * j + normal(u));
    const seen: number[] = [];
    const c = new AbortController();
    await expect(fit(data, { k: 3, threads: 2, maxIter: 1000, tol: 0, signal: c.signal, onIteration: (i) => { seen.push(i.iteration); if (i.iteration === 3) c.abort(new Error("enough")); } })).rejects.toThrow("enough");
    expect(seen).toEqual([1, 2, 3]);
    await settle();
    expect(workers()).toBe(0);
  });

  it("errors: bad data is found before any worker starts; fitSync refuses threads", async () => {
    await expect(fit([1, 2, NaN], { k: 1, threads: 2 })).rejects.toThrow(/^data\[2\]: is NaN/);
    expect(() => fitSync([1, 2, 3], { k: 1, threads: 2 })).toThrow(/^options\.threads: needs the asynchronous fit\(\)/);
    await expect(fit([1, 2, 3], { k: 1, threads: 0 })).rejects.toBeInstanceOf(MixemError);
    await settle();
    expect(workers()).toBe(0);
  });
});

describe("results do not depend on the number of threads", () => {
  it("1, 2, 3 and 4 threads and fitSync give the same bits (3·10⁵ points: 5 summing blocks)", async () => {
    const v = mulberry32(41);
    const data = Float64Array.from({ length: 300_000 }, (_, i) => 5 * (i % 3) + normal(v));
    const options: FitOptions = { k: 3, maxIter: 8, tol: 0, seed: 2 };
    const one = fitSync(data, options);
    for (const threads of [1, 2, 3, 4]) {
      const m = await fit(data, { ...options, threads });
      expect(m.history, `${threads} threads`).toEqual(one.history);
      expect(m.components, `${threads} threads`).toEqual(one.components);
    }
    const rows = Array.from({ length: 140_000 }, (_, i) => [i % 2 + normal(v), normal(v)]);
    const mv = fitSync(rows, { family: "mvgaussian", k: 2, maxIter: 5, tol: 0 });
    expect((await fit(rows, { family: "mvgaussian", k: 2, maxIter: 5, tol: 0, threads: 2 })).components).toEqual(mv.components);
    await settle();
    expect(workers()).toBe(0);
  }, 120_000);
});
