// The WASM path against the plain-TypeScript reference EM, on randomised problems.
import { describe, expect, it } from "vitest";
import { fitSync, initSync, type FitOptions } from "../src/index.js";
import { binomialRef, gaussianRef, poissonRef, referenceEM, type RefFamily } from "./reference/em.js";
import { binomialDraw, drawLabels, maxRelErr, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();

interface Problem {
  data: number[];
  aux: number[] | null;
  ref: RefFamily;
  theta0: number[][];
  weights0: number[];
  options: FitOptions;
  thetaOf: (c: Record<string, number>) => number[];
}

function randomWeights(u: () => number, k: number): number[] {
  const w = Array.from({ length: k }, () => 0.2 + u());
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

function problem(family: "gaussian" | "poisson" | "binomial", seed: number): Problem {
  const u = mulberry32(seed);
  const k = 2 + Math.floor(u() * 4);
  const n = 50 + Math.floor(u() * 400);
  const weights = randomWeights(u, k);
  const labels = drawLabels(u, n, weights);
  const weights0 = randomWeights(u, k);
  if (family === "gaussian") {
    const scale = 10 ** (u() * 6 - 3), offset = (u() - 0.5) * 1000 * scale;
    const means = Array.from({ length: k }, () => offset + (u() - 0.5) * 20 * scale);
    const sds = Array.from({ length: k }, () => (0.3 + u() * 2) * scale);
    const data = labels.map((j) => means[j] + sds[j] * normal(u));
    const theta0 = means.map((m, j) => [m + sds[j] * normal(u), (sds[j] * (0.5 + u())) ** 2]);
    return {
      data, aux: null, ref: gaussianRef(data), theta0, weights0, thetaOf: (c) => [c.mean, c.variance],
      options: { family, k, init: { weights: weights0, means: theta0.map((t) => t[0]), variances: theta0.map((t) => t[1]) } },
    };
  }
  if (family === "poisson") {
    const lambdas = Array.from({ length: k }, () => 0.5 + u() * 30);
    const data = labels.map((j) => poissonDraw(u, lambdas[j]));
    const theta0 = lambdas.map((l) => [l * (0.6 + 0.8 * u())]);
    return {
      data, aux: null, ref: poissonRef, theta0, weights0, thetaOf: (c) => [c.lambda],
      options: { family, k, init: { weights: weights0, lambdas: theta0.map((t) => t[0]) } },
    };
  }
  const ps = Array.from({ length: k }, () => 0.05 + 0.9 * u());
  const perPoint = u() < 0.5;
  const trialsConst = 1 + Math.floor(u() * 30);
  const aux = labels.map(() => (perPoint ? 1 + Math.floor(u() * 40) : trialsConst));
  const data = labels.map((j, i) => binomialDraw(u, aux[i], ps[j]));
  const theta0 = ps.map((p) => [Math.min(0.95, Math.max(0.05, p + (u() - 0.5) * 0.2))]);
  return {
    data, aux, ref: binomialRef, theta0, weights0, thetaOf: (c) => [c.p],
    options: { family, k, trials: perPoint ? aux : trialsConst, init: { weights: weights0, p: theta0.map((t) => t[0]) } },
  };
}

describe.each(["gaussian", "poisson", "binomial"] as const)("%s: WASM matches the reference EM", (family) => {
  for (const mode of ["soft", "hard"] as const) {
    it(`${mode} EM, 12 random problems, learned and fixed weights, 1e-10 relative`, () => {
      let compared = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const pr = problem(family, seed * 7919 + (mode === "hard" ? 1 : 0));
        const fixWeights = seed % 3 === 0;
        const maxIter = 25;
        const model = fitSync(pr.data, { ...pr.options, mode, fixWeights, maxIter, tol: 0 });
        const ref = referenceEM(pr.ref, pr.data, pr.aux, pr.theta0, pr.weights0, { maxIter, tol: 0, mode, fixWeights });
        expect(model.iterations).toBe(maxIter);
        expect(model.history.length).toBe(ref.history.length);
        expect(maxRelErr(model.history, ref.history)).toBeLessThan(1e-10);
        expect(maxRelErr(model.weights, ref.weights)).toBeLessThan(1e-10);
        expect(maxRelErr(model.components.flatMap((c) => pr.thetaOf(c as never)), ref.theta.flat())).toBeLessThan(1e-10);
        expect(model.logLikelihood).toBe(model.history.at(-1));
        compared++;
      }
      expect(compared).toBe(12);
    });
  }

  it("the same tol stops both at the same iteration", () => {
    const pr = problem(family, 4242);
    const model = fitSync(pr.data, { ...pr.options, tol: 1e-7, maxIter: 1000 });
    const ref = referenceEM(pr.ref, pr.data, pr.aux, pr.theta0, pr.weights0, { maxIter: 1000, tol: 1e-7, mode: "soft", fixWeights: false });
    expect(model.converged).toBe(true);
    expect(model.iterations).toBe(ref.iterations);
    expect(maxRelErr([model.logLikelihood], [ref.logLikelihood])).toBeLessThan(1e-10);
  });
});

describe("soft EM never decreases the log-likelihood", () => {
  it.each(["gaussian", "poisson", "binomial"] as const)("%s, 20 random problems from k-means++", (family) => {
    for (let seed = 1; seed <= 20; seed++) {
      const pr = problem(family, seed * 104729);
      const { init: _, ...options } = pr.options;
      const model = fitSync(pr.data, { ...options, seed, maxIter: 200, tol: 0 });
      const h = model.history;
      for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]));
    }
  });
});

// The kernels take blocks of 256 points, padded to a multiple of 8 with copies of the last point
// (assembly/pass.ts). Sizes around those edges: the padding must add nothing.
describe("block edges: n around multiples of 8 and of the 256-point block", () => {
  const sizes = [2, 3, 7, 8, 9, 15, 255, 256, 257, 263, 264, 265, 513];
  it.each(sizes)("n = %i: gaussian (soft, hard) and binomial with per-point trials match the reference", (n) => {
    const u = mulberry32(n);
    const x = Array.from({ length: n }, (_, i) => (i % 2) * 6 + normal(u));
    const trials = Array.from({ length: n }, () => 1 + Math.floor(u() * 20));
    const heads = trials.map((t, i) => binomialDraw(u, t, i % 2 ? 0.8 : 0.3));
    const w0 = [0.4, 0.6];
    for (const mode of ["soft", "hard"] as const) {
      const g = fitSync(x, { k: 2, mode, maxIter: 5, tol: 0, init: { weights: w0, means: [0.5, 5], variances: [1.5, 2] } });
      const gr = referenceEM(gaussianRef(x), x, null, [[0.5, 1.5], [5, 2]], w0, { maxIter: 5, tol: 0, mode, fixWeights: false });
      expect(maxRelErr(g.history, gr.history)).toBeLessThan(1e-10);
      expect(maxRelErr(g.components.flatMap((c) => [(c as { mean: number }).mean, (c as { variance: number }).variance]), gr.theta.flat())).toBeLessThan(1e-10);
    }
    const b = fitSync(heads, { family: "binomial", trials, k: 2, maxIter: 5, tol: 0, init: { weights: w0, p: [0.4, 0.6] } });
    const br = referenceEM(binomialRef, heads, trials, [[0.4], [0.6]], w0, { maxIter: 5, tol: 0, mode: "soft", fixWeights: false });
    expect(maxRelErr(b.history, br.history)).toBeLessThan(1e-10);
    expect(maxRelErr(b.components.map((c) => (c as { p: number }).p), br.theta.flat())).toBeLessThan(1e-10);
  });

  it.each<[string, FitOptions, (u: () => number, i: number) => number[]]>([
    ["gaussian", { k: 3 }, (u, i) => [(i % 3) * 4 + normal(u)]],
    ["mvgaussian full", { family: "mvgaussian", k: 2 }, (u, i) => [(i % 2) * 3 + normal(u), normal(u), normal(u) - (i % 2)]],
    ["mvgaussian diag", { family: "mvgaussian", covariance: "diag", k: 2 }, (u, i) => [(i % 2) * 3 + normal(u), normal(u)]],
    ["bernoulli", { family: "bernoulli", k: 2 }, (u, i) => [0.2, 0.7, 0.5, 0.9].map((p) => (u() < (i % 2 ? p : 1 - p) ? 1 : 0))],
  ])("%s: each point's responsibilities are the same, bit for bit, alone or in any block position", (_name, options, draw) => {
    const u = mulberry32(77);
    const rows = Array.from({ length: 300 }, (_, i) => draw(u, i));
    const data = (options.family ?? "gaussian") === "gaussian" ? rows.map((r) => r[0]) : rows;
    const model = fitSync(data as never, { ...options, seed: 1, maxIter: 20 });
    const all = model.predictProba(data as never);
    const k = model.k;
    for (const i of [0, 1, 6, 7, 8, 255, 256, 257, 299]) {
      const one = model.predictProba([data[i]] as never);
      expect(Array.from(one)).toEqual(Array.from(all.subarray(i * k, (i + 1) * k)));
    }
  });
});
