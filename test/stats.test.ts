// Mergeable statistics: accumulate on shards, merge, maximize — equals the in-memory fit.
import { describe, expect, it } from "vitest";
import { accumulate, fitSync, initSync, maximize, mergeStats, type FitOptions, type MixtureModel } from "../src/index.js";
import { closeness, drawLabels, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const u = mulberry32(17);
const labels = drawLabels(u, 4001, [0.35, 0.65]);
const cases: [string, unknown[], FitOptions][] = [
  ["gaussian around 1e8", labels.map((j) => 1e8 + 3 * j + normal(u)), { k: 2, init: { means: [1e8 - 1, 1e8 + 4], variances: [2, 2] } }],
  ["mvgaussian full", labels.map((j) => [2 * j + normal(u), normal(u) - j, 0.5 * normal(u)]), { family: "mvgaussian", k: 2, init: { means: [[0, 0, 0], [2, -1, 0]], covariances: [[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]] } }],
  ["poisson with a prior", labels.map((j) => poissonDraw(u, j ? 9 : 2)), { family: "poisson", k: 2, init: { lambdas: [1, 10] }, prior: { weights: 2 } }],
  ["binomial, hard EM", labels.map((j) => Math.min(20, Math.max(0, Math.round(20 * (j ? 0.7 : 0.3) + 2 * normal(u))))), { family: "binomial", trials: 20, k: 2, mode: "hard", init: { p: [0.2, 0.8] } }],
];
const params = (m: MixtureModel) => [...m.weights, ...m.components.flatMap((c) => Object.values(c).flat(2) as number[])];

describe("a 4-shard fit equals the single fit", () => {
  it.each(cases)("%s: 20 iterations, statistics through JSON", (_name, data, options) => {
    const single = fitSync(data as never, { ...options, maxIter: 21, tol: 0 });
    let m = fitSync(data as never, { ...options, maxIter: 1, tol: 0 });
    const shards = [0, 1, 2, 3].map((s) => data.filter((_, i) => i % 4 === s));
    const evalOptions = options.family === "binomial" ? { trials: 20 } : undefined;
    for (let it = 0; it < 20; it++) {
      const parts = shards.map((shard) => JSON.parse(JSON.stringify(accumulate(m, shard as never, evalOptions))));
      const merged = mergeStats(mergeStats(parts[0], parts[1]), mergeStats(parts[2], parts[3]));
      expect(merged.n).toBe(data.length);
      m = maximize(m, merged);
    }
    expect(m.iterations).toBe(21);
    expect(closeness(params(m), params(single), 1e-12, 1e-14)).toBeLessThan(1);
    // Its logLikelihood is that of the previous parameters; one more pass gives the current one.
    const again = mergeStats(...shards.map((shard) => accumulate(m, shard as never, evalOptions)));
    expect(closeness([again.logLikelihood], [single.logLikelihood], 1e-12, 0)).toBeLessThan(1);
  });

  it("second moments about the current means stay exact for data around 1e8", () => {
    const [, data, options] = cases[0];
    let m = fitSync(data as never, { ...options, maxIter: 1, tol: 0 });
    for (let it = 0; it < 30; it++) m = maximize(m, mergeStats(...[0, 1].map((s) => accumulate(m, data.filter((_, i) => i % 2 === s) as never))));
    for (const c of m.components as readonly { variance: number }[]) expect(c.variance).toBeGreaterThan(0.7), expect(c.variance).toBeLessThan(1.4);
  });
});

describe("statistics only combine when they belong together", () => {
  const [, data, options] = cases[2];
  const a = fitSync(data as never, { ...options, maxIter: 1, tol: 0 });
  const b = fitSync(data as never, { ...options, maxIter: 2, tol: 0 });
  it("parts computed at different models are refused, by merge and by maximize", () => {
    expect(() => mergeStats(accumulate(a, data as never), accumulate(b, data as never))).toThrow(/^parts\[1\]: were computed at another model/);
    expect(() => maximize(b, accumulate(a, data as never))).toThrow(/^stats: were computed at another model/);
  });
  it("malformed statistics are refused", () => {
    expect(() => mergeStats()).toThrow(/^parts: needs at least one/);
    expect(() => maximize(a, { ...accumulate(a, data as never), values: [NaN] })).toThrow(/^stats: has non-finite values/);
    expect(() => mergeStats({ format: "other" } as never)).toThrow(/^parts\[0\]: must be statistics from accumulate\(\)/);
  });
});
