// MAP-EM: mclust's priors reproduced, the reference MAP M-steps matched, the log-posterior never
// decreasing, degenerate maximum-likelihood fits rescued, priors stored and validated.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, loadModel, MixemError, type FitOptions, type MvGaussianComponent } from "../src/index.js";
import { referenceEM } from "./reference/em.js";
import { binomialRefMAP, poissonRefMAP } from "./reference/em.js";
import { bernoulliRef } from "./reference/mv.js";
import { binomialDraw, drawLabels, maxRelErr, mulberry32, normal, poissonDraw, relErr } from "./helpers.js";

initSync();
const csv = (name: string) => readFileSync(new URL(`../examples/${name}`, import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
const data: Record<string, unknown> = {
  iris: csv("iris.csv").map((r) => r.slice(0, 4).map(Number)),
  faithful: csv("faithful.csv").map((r) => r.map(Number)),
  "faithful-waiting": csv("faithful.csv").map((r) => Number(r[1])),
};

describe("mclust em() with priorControl(): same defaults, same MAP-EM iterations", () => {
  const cases: any[] = JSON.parse(readFileSync(new URL("./fixtures/peers/mclust-prior.json", import.meta.url), "utf8")).cases;
  it.each(cases.map((c) => [c.data as string, c.model as string, c.iterations as number, c] as const))("%s, model %s, %i iterations: prior, parameters and log-likelihood to 1e-9", (name, _m, iterations, c) => {
    const oneD = name === "faithful-waiting";
    const k = c.weights.length;
    const options = (oneD ? { family: "gaussian" } : { family: "mvgaussian", covariance: c.covariance }) as FitOptions;
    const m = fitSync(data[name] as never, { ...options, k, init: c.init, maxIter: iterations, tol: 0, regCovar: 0, prior: true } as FitOptions);
    const p = m.settings.prior as any;
    expect(maxRelErr([p.shrinkage, p.dof, ...[p.mean].flat(), ...[p.scale].flat(2)], [c.prior.shrinkage, c.prior.dof, ...[c.prior.mean].flat(), ...[c.prior.scale].flat(2)])).toBeLessThan(1e-12);
    const comps = m.components as any[];
    const got = oneD ? comps.flatMap((q) => [q.mean, q.variance]) : comps.flatMap((q: MvGaussianComponent) => [...q.mean, ...q.covariance.flat()]);
    const want = oneD ? c.means.flatMap((v: number, j: number) => [v, c.variances[j]]) : c.means.flatMap((v: number[], j: number) => [...v, ...c.covariances[j].flat()]);
    expect(maxRelErr(got, want)).toBeLessThan(1e-9);
    expect(maxRelErr(m.weights, c.weights)).toBeLessThan(1e-9);
    expect(relErr(m.logLikelihood, c.logLikelihood)).toBeLessThan(1e-9);
  });
});

describe("count families: the MAP M-step matches the reference", () => {
  it("poisson with a Gamma prior, binomial and bernoulli with Beta priors, Dirichlet weights", () => {
    const u = mulberry32(77);
    const labels = drawLabels(u, 300, [0.3, 0.7]);
    const counts = labels.map((j) => poissonDraw(u, j ? 7 : 1.5));
    const prior = { shape: 2.5, rate: 0.4, weights: 3 };
    const init = { lambdas: [1, 6] };
    const m = fitSync(counts, { family: "poisson", k: 2, init, prior, maxIter: 15, tol: 0 });
    const ref = referenceEM(poissonRefMAP(2.5, 0.4), counts, null, [[1], [6]], [0.5, 0.5], { maxIter: 15, tol: 0, mode: "soft", fixWeights: false, alpha: 3 });
    expect(maxRelErr(m.history, ref.history)).toBeLessThan(1e-10);
    expect(maxRelErr([...m.weights, ...m.components.map((c) => (c as { lambda: number }).lambda)], [...ref.weights, ...ref.theta.flat()])).toBeLessThan(1e-10);

    const trials = labels.map(() => 12);
    const heads = labels.map((j) => binomialDraw(u, 12, j ? 0.8 : 0.3));
    const b = fitSync(heads, { family: "binomial", trials: 12, k: 2, init: { p: [0.4, 0.6] }, prior: { a: 3, b: 2 }, maxIter: 15, tol: 0 });
    const bref = referenceEM(binomialRefMAP(3, 2), heads, trials, [[0.4], [0.6]], [0.5, 0.5], { maxIter: 15, tol: 0, mode: "soft", fixWeights: false });
    expect(maxRelErr(b.history, bref.history)).toBeLessThan(1e-10);
    expect(maxRelErr(b.components.map((c) => (c as { p: number }).p), bref.theta.flat())).toBeLessThan(1e-10);

    const rows = labels.map((j) => [0.2, 0.5, 0.9].map((p) => (u() < (j ? p : 1 - p) ? 1 : 0)));
    const a = [1.5, 2, 3], bb = [2, 1, 1.2];
    const be = fitSync(rows, { family: "bernoulli", k: 2, init: { p: [[0.3, 0.3, 0.3], [0.6, 0.6, 0.6]] }, prior: { a, b: bb }, maxIter: 15, tol: 0 });
    const beref = referenceEM(bernoulliRef(3, a, bb), rows, null, [[0.3, 0.3, 0.3], [0.6, 0.6, 0.6]], [0.5, 0.5], { maxIter: 15, tol: 0, mode: "soft", fixWeights: false });
    expect(maxRelErr(be.history, beref.history)).toBeLessThan(1e-10);
    expect(maxRelErr(be.components.flatMap((c) => (c as { p: number[] }).p), beref.theta.flat())).toBeLessThan(1e-10);
  });

  it("default count priors: κ = 0.01 pseudo-observations (Poisson at the data's mean, probabilities at ½)", () => {
    const counts = [0, 1, 2, 8, 9, 10];
    const p = fitSync(counts, { family: "poisson", k: 2, prior: true }).settings.prior as { shape: number; rate: number; weights: number };
    expect(p).toEqual({ weights: 1, shape: 1 + 0.01 * 5, rate: 0.01 });
    const b = fitSync([1, 2, 9], { family: "binomial", trials: 10, k: 1, prior: true }).settings.prior as { a: number; b: number };
    expect(b).toEqual({ weights: 1, a: 1 + (0.01 * 10) / 2, b: 1 + (0.01 * 10) / 2 });
    const be = fitSync([[1, 0], [0, 0]], { family: "bernoulli", k: 1, prior: true }).settings.prior as { a: number[]; b: number[] };
    expect(be.a).toEqual([1.005, 1.005]);
  });
});

describe("the log-posterior never decreases (soft EM), for every family", () => {
  const u = mulberry32(4);
  const labels = drawLabels(u, 400, [0.5, 0.3, 0.2]);
  const problems: [string, unknown, FitOptions][] = [
    ["gaussian", labels.map((j) => 3 * j + normal(u)), { k: 3 }],
    ["poisson", labels.map((j) => poissonDraw(u, 1 + 4 * j)), { family: "poisson", k: 3 }],
    ["binomial", labels.map((j) => binomialDraw(u, 20, 0.2 + 0.3 * j)), { family: "binomial", trials: 20, k: 3 }],
    ["bernoulli", labels.map((j) => [0, 1, 2, 3].map((a) => (u() < (a === j ? 0.9 : 0.2) ? 1 : 0))), { family: "bernoulli", k: 3 }],
    ...(["full", "tied", "diag", "spherical"] as const).map((covariance): [string, unknown, FitOptions] =>
      [`mvgaussian ${covariance}`, labels.map((j) => [j + normal(u), 2 * j + normal(u), normal(u)]), { family: "mvgaussian", covariance, k: 3 }]),
  ];
  it.each(problems)("%s", (_name, x, options) => {
    for (const seed of [1, 2, 3]) {
      const m = fitSync(x as never, { ...options, seed, prior: { weights: 2 }, maxIter: 120, tol: 0 });
      const h = m.posteriorHistory!;
      expect(h).toHaveLength(120);
      expect(m.logPosterior).toBe(h.at(-1));
      for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]));
    }
  });
});

describe("a prior rescues fits that maximum likelihood makes degenerate", () => {
  const spike = [5, 5, 5, 5, 5, 5, 0.3, 1.2, -0.8, 2.1, -1.5, 0.7, 1.9, -0.2];
  const init = { means: [5, 0.5], variances: [1, 1] };
  it("1-D gaussian: a component on one repeated value", () => {
    expect(() => fitSync(spike, { k: 2, init, regCovar: 0 })).toThrow(/^fit: component 0 collapsed onto a single value \(variance 0\); raise options\.regCovar or use options\.prior/);
    const m = fitSync(spike, { k: 2, init, regCovar: 0, prior: true });
    const v = (m.components[0] as { variance: number }).variance;
    expect(v).toBeGreaterThan(1e-3);
    expect(Number.isFinite(m.logPosterior!)).toBe(true);
  });
  it("mvgaussian: a component on one repeated row (full and diag)", () => {
    const rows = [...Array(8).fill([5, 5]), ...Array.from({ length: 12 }, (_, i) => [Math.sin(i) * 2, Math.cos(i * 1.7) * 2])];
    const start = { means: [[5, 5], [0, 0]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] };
    for (const covariance of ["full", "diag"] as const) {
      expect(() => fitSync(rows, { family: "mvgaussian", covariance, k: 2, init: start, regCovar: 0 })).toThrow(MixemError);
      const m = fitSync(rows, { family: "mvgaussian", covariance, k: 2, init: start, regCovar: 0, prior: true });
      expect((m.components[0] as MvGaussianComponent).covariance[0][0]).toBeGreaterThan(1e-3);
    }
  });
  it("poisson on zeros and bernoulli on constant features stay off the floors", () => {
    const p = fitSync([0, 0, 0, 0, 6, 7, 5, 8], { family: "poisson", k: 2, init: { lambdas: [0.5, 6] }, prior: true });
    expect(Math.min(...p.components.map((c) => (c as { lambda: number }).lambda))).toBeGreaterThan(1e-4);
    const b = fitSync([[1, 0], [1, 0], [1, 1]], { family: "bernoulli", k: 1, prior: true });
    expect((b.components[0] as { p: number[] }).p[0]).toBeLessThan(1 - 1e-4);
  });
});

describe("priors in models and options", () => {
  it("toJSON / loadModel keeps the resolved prior and the log-posterior, exactly", () => {
    const m = fitSync(data.iris as number[][], { family: "mvgaussian", k: 3, nInit: 2, prior: true });
    const again = loadModel(JSON.parse(JSON.stringify(m)));
    expect(again.toJSON()).toEqual(m.toJSON());
    expect(again.logPosterior).toBe(m.logPosterior);
  });
  it.each<[string, FitOptions, RegExp]>([
    ["not an object", { k: 2, prior: "yes" as never }, /^options\.prior: must be true or an object of prior parameters/],
    ["unknown key", { k: 2, prior: { shrink: 1 } }, /^options\.prior\.shrink: is not a prior parameter here \(expected weights, shrinkage, mean, dof, scale\)/],
    ["dof", { k: 2, prior: { dof: 0 } }, /^options\.prior\.dof: must be a finite number > 0/],
    ["weights below 1", { k: 2, prior: { weights: 0.5 } }, /^options\.prior\.weights: must be a finite number ≥ 1/],
    ["poisson shape below 1", { family: "poisson", k: 2, prior: { shape: 0.5 } }, /^options\.prior\.shape: must be a finite number ≥ 1/],
    ["scale not positive definite", { family: "mvgaussian", k: 2, prior: { scale: [[1, 2], [2, 1]] } }, /^options\.prior\.scale: must be a symmetric positive-definite d × d matrix/],
    ["mean of the wrong length", { family: "mvgaussian", k: 2, prior: { mean: [1, 2, 3] } }, /^options\.prior\.mean: must have 2 values/],
  ])("bad prior: %s", (_name, options, message) => {
    const x = options.family === "mvgaussian" ? [[1, 2], [2, 1], [8, 9], [9, 8], [5, 5]] : [1, 2, 3, 8, 9, 10];
    expect(() => fitSync(x as never, options)).toThrow(message);
  });
  it("loadModel rejects a stored prior with a missing parameter", () => {
    const j = JSON.parse(JSON.stringify(fitSync([1, 2, 3, 8, 9, 10], { k: 2, prior: true })));
    delete j.settings.prior.scale;
    expect(() => loadModel(j)).toThrow(/model\.settings\.prior\.scale: is missing/);
  });
});
