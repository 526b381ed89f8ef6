// Determinism and stability: bit-identical results for the same seed (in this process and in
// another), row order does not matter beyond rounding, maxIter is always respected, and no API
// call changes its inputs.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { fitSync, initSync, loadModel, type FitOptions } from "../src/index.js";
import { drawLabels, mulberry32, normal, poissonDraw, relErr } from "./helpers.js";

initSync();
const root = fileURLToPath(new URL("..", import.meta.url));
const u = mulberry32(11);
const labels = drawLabels(u, 300, [0.4, 0.6]);
const problems: [string, unknown, FitOptions][] = [
  ["gaussian", labels.map((j) => 4 * j + normal(u)), { k: 2 }],
  ["poisson", labels.map((j) => poissonDraw(u, j ? 7 : 2)), { family: "poisson", k: 2 }],
  ["binomial", labels.map((j) => Math.round(10 * (j ? 0.8 : 0.3) + normal(u))).map((v) => Math.min(10, Math.max(0, v))), { family: "binomial", trials: 10, k: 2 }],
  ["mvgaussian", labels.map((j) => [3 * j + normal(u), normal(u) - j]), { family: "mvgaussian", k: 2 }],
  ["bernoulli", labels.map((j) => [0.2, 0.7, 0.5].map((p) => (u() < (j ? p : 1 - p) ? 1 : 0))), { family: "bernoulli", k: 2 }],
];

describe("same seed, same result", () => {
  it("bit-identical in another process (the built package) and in this one", () => {
    const script = `
      import { fitSync, initSync } from "mixem";
      initSync();
      const problems = JSON.parse(process.argv[1]);
      console.log(JSON.stringify(problems.map(([data, options]) => fitSync(data, { ...options, seed: 42, nInit: 3, init: "random" }))));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(problems.map(([, d, o]) => [d, o]))], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const here = JSON.stringify(problems.map(([, data, options]) => fitSync(data as never, { ...options, seed: 42, nInit: 3, init: "random" })));
    expect(r.stdout.trim()).toBe(here);
  });
});

describe("row order", () => {
  it.each(problems)("%s: shuffled rows, same explicit start → final log-likelihood within 1e-9", (_name, data, options) => {
    const first = fitSync(data as never, { ...options, maxIter: 3, tol: 0 });
    const init = { weights: [...first.weights], ...startOf(first) };
    const rows = data as unknown[];
    const order = rows.map((_, i) => i).sort(() => u() - 0.5);
    const shuffled = order.map((i) => rows[i]);
    const trialsFor = (options as { trials?: unknown }).trials;
    const a = fitSync(rows as never, { ...options, init: init as never, maxIter: 2000, tol: 1e-13 });
    const b = fitSync(shuffled as never, { ...options, trials: trialsFor as never, init: init as never, maxIter: 2000, tol: 1e-13 } as FitOptions);
    expect(relErr(a.logLikelihood, b.logLikelihood)).toBeLessThan(1e-9);
  });
});

function startOf(m: ReturnType<typeof fitSync>): object {
  const c = m.components as any[];
  switch (m.family) {
    case "gaussian": return { means: c.map((x) => x.mean), variances: c.map((x) => x.variance) };
    case "poisson": return { lambdas: c.map((x) => x.lambda) };
    case "mvgaussian": return { means: c.map((x) => x.mean), covariances: c.map((x) => x.covariance) };
    default: return { p: c.map((x) => x.p) };
  }
}

describe("maxIter and convergence reasons", () => {
  it.each(problems)("%s: iterations ≤ maxIter; not converged comes with its reason, not an error", (_name, data, options) => {
    for (const maxIter of [1, 2, 5]) {
      const m = fitSync(data as never, { ...options, maxIter, tol: 0 });
      expect(m.iterations).toBe(maxIter);
      expect(m.converged).toBe(false);
      expect(m.stopReason).toBe("maxIter");
    }
  });
});

describe("inputs are never changed", () => {
  function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object" && !ArrayBuffer.isView(o)) { Object.values(o).forEach(deepFreeze); Object.freeze(o); }
    return o;
  }
  it.each(problems)("%s: frozen data, options and init; typed arrays checksummed; every API call", (_name, data, options) => {
    const frozenData = deepFreeze(structuredClone(data));
    const typed = Array.isArray(data) && typeof (data as unknown[])[0] === "number" ? Float64Array.from(data as number[]) : null;
    const typedCopy = typed?.slice();
    const m0 = fitSync(data as never, options);
    const init = deepFreeze({ weights: [...m0.weights], ...structuredClone(startOf(m0)) });
    const frozenOptions = deepFreeze({ ...options, init, prior: { weights: 2 } } as unknown as FitOptions);
    const snapshot = JSON.stringify([frozenData, frozenOptions]);
    const m = fitSync(frozenData as never, frozenOptions);
    if (typed) fitSync(typed, options);
    const evalOptions = options.family === "binomial" ? deepFreeze({ trials: 10 }) : undefined;
    m.predict(frozenData as never, evalOptions);
    m.predictProba(frozenData as never, evalOptions);
    m.score(frozenData as never, evalOptions);
    m.bic(frozenData as never, evalOptions);
    m.aic(frozenData as never, evalOptions);
    m.sample(10, deepFreeze({ seed: 1 }));
    const json = deepFreeze(JSON.parse(JSON.stringify(m)));
    const jsonText = JSON.stringify(json);
    loadModel(json);
    expect(JSON.stringify([frozenData, frozenOptions])).toBe(snapshot);
    expect(JSON.stringify(json)).toBe(jsonText);
    if (typed) expect(typed).toEqual(typedCopy);
  });
});
