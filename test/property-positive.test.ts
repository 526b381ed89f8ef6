// Property-based tests (fast-check) for exponential, gamma, lognormal and negbinomial: random
// mixtures at extreme scales (values around 1e-80 … 1e80; counts with means up to 1e6 and sizes
// from 0.1 to 1e4). Every fit must return finite parameters within their ranges, weights summing to
// 1, a soft-EM log-likelihood (log-posterior with a prior) that never decreases (up to the rounding
// of evaluating it), and agree with the plain-TypeScript reference EM over 10 iterations from the
// same start. Runs per property: MIXEM_PROPERTY_RUNS (default 40).
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { fitSync, initSync, type FitOptions, type MixtureModel } from "../src/index.js";
import { referenceEM, type RefFamily } from "./reference/em.js";
import { exponentialRef, exponentialRefMAP, gammaIntDraw, gammaRef, lognormalRef, negbinomialRef } from "./reference/positive.js";
import { closeness, drawLabels, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const SEED = process.env.MIXEM_FC_SEED === "random" ? undefined : Number(process.env.MIXEM_FC_SEED ?? 20261202);
const RUNS = Number(process.env.MIXEM_PROPERTY_RUNS ?? 40);
const scaleArb = fc.constantFrom(1e-80, 1e-8, 1, 1e8, 1e80);
let tried = 0;
const values = (m: MixtureModel) => m.components.flatMap((c) => Object.values(c) as number[]);

/** The invariants; `slack` is the rounding of evaluating the objective (see each family). */
function checkModel(m: MixtureModel, maxIter: number, slack: number) {
  expect([m.logLikelihood, ...m.weights, ...values(m)].every(Number.isFinite)).toBe(true);
  if (m.family !== "lognormal") expect(values(m).every((v) => v > 0)).toBe(true);
  expect(Math.abs(m.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-12);
  expect(m.iterations).toBeLessThanOrEqual(maxIter);
  const h = m.settings.prior ? m.posteriorHistory! : m.history;
  if (m.settings.mode === "soft") for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]) - slack);
  tried++;
}

/** 8ε · Σ_i size(i): the rounding of a sum of per-point terms of that size. */
const slackOf = (n: number, size: (i: number) => number) => { let s = 0; for (let i = 0; i < n; i++) s += size(i); return 8 * Number.EPSILON * s; };

/**
 * `rel(v)`: the relative tolerance of a parameter of value v (default 1e-7). The gamma shape solves
 * log a − ψ(a) = s with s ≈ 1/(2a) a difference of logs: its rounding δs ≈ 8ε(|log x| + 1) moves a by
 * δa/a ≈ 2a δs, so large shapes (a component on few, close values) get 64ε·a·(|log x| + 1).
 */
function agree(x: number[], family: FitOptions["family"], ref: RefFamily, init: Record<string, number[]>, theta0: number[][], slackFor: number | ((m: MixtureModel) => number), extra: Partial<FitOptions> = {}, rel?: (v: number[], t: number) => number) {
  const k = theta0.length;
  const a = fitSync(x, { family, k, init, maxIter: 10, tol: 0, ...extra } as FitOptions);
  const r = referenceEM(ref, x, null, theta0, Array(k).fill(1 / k), { maxIter: 10, tol: 0, mode: "soft", fixWeights: false });
  const slack = typeof slackFor === "number" ? slackFor : slackFor(a);
  expect(closeness(a.history, r.history, 1e-9, 1e-9 * x.length + 2 * slack)).toBeLessThan(1);
  if (!rel) expect(closeness(values(a), r.theta.flat(), 1e-7, 0)).toBeLessThan(1);
  else a.components.forEach((c, j) => (Object.values(c) as number[]).forEach((v, t) => {
    expect(Math.abs(v - r.theta[j][t]), `component ${j}, parameter ${t}`).toBeLessThanOrEqual(rel(r.theta[j], t) * Math.abs(r.theta[j][t]));
  }));
}

const record = fc.record({ seed: fc.nat(), n: fc.integer({ min: 10, max: 250 }), k: fc.integer({ min: 1, max: 3 }), scale: scaleArb, mode: fc.constantFrom("soft", "hard") });

describe("positive values", () => {
  it("exponential, with or without a prior: scales 1e-80 … 1e80, some zeros", () => {
    fc.assert(fc.property(record, fc.boolean(), ({ seed, n, k, scale, mode }, prior) => {
      const u = mulberry32(seed);
      const rates = Array.from({ length: k }, () => 0.1 + 10 * u());
      const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => (u() < 0.05 ? 0 : Math.max(1e-100, (scale * -Math.log(1 - u())) / rates[j])));
      if (new Set(x).size < k) return;
      const m = fitSync(x, { family: "exponential", k, seed, mode: mode as "soft", maxIter: 40, tol: 0, prior });
      checkModel(m, 40, slackOf(n, () => 40));
      const start = [...new Set(x.filter((v) => v > 0))].slice(0, k);
      if (start.length < k) return;
      const mean = x.reduce((a, b) => a + b, 0) / n;
      agree(x, "exponential", prior ? exponentialRefMAP(1.01, 0.01 * mean) : exponentialRef, { rates: start.map((v) => 1 / v) }, start.map((v) => [1 / v]), slackOf(n, () => 40), { prior });
    }), { numRuns: RUNS, seed: SEED });
  });

  it("gamma: shapes 0.3 … 300, scales 1e-80 … 1e80", () => {
    fc.assert(fc.property(record, ({ seed, n, k, scale, mode }) => {
      const u = mulberry32(seed);
      const shapes = Array.from({ length: k }, () => Math.ceil(0.3 + 300 * u() ** 3));
      const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => scale * gammaIntDraw(u, shapes[j], 1));
      if (new Set(x).size < k) return;
      const m = fitSync(x, { family: "gamma", k, seed, mode: mode as "soft", maxIter: 40, tol: 0 });
      // terms a·log b and (a − 1)·log x cancel: each of size a·|log x| (a ≤ ~1e3 here)
      const slackAt = (fit: MixtureModel) => {
        const top = Math.max(...values(fit).filter((_, i) => i % 2 === 0));
        return slackOf(n, (i) => 4 * (top + 1) * (Math.abs(Math.log(x[i])) + 1));
      };
      checkModel(m, 40, slackAt(m));
      const start = [...new Set(x)].slice(0, k);
      const logMax = Math.max(...x.map((v) => Math.abs(Math.log(v)))) + 1;
      agree(x, "gamma", gammaRef, { shapes: start.map(() => 2), rates: start.map((v) => 2 / v) }, start.map((v) => [2, 2 / v]), slackAt, {},
        ([shape]) => Math.max(1e-7, 64 * Number.EPSILON * shape * logMax));
    }), { numRuns: RUNS, seed: SEED });
  });

  it("lognormal: scales 1e-80 … 1e80, spreads of log x 1e-3 … 3", () => {
    fc.assert(fc.property(record, fc.constantFrom(1e-3, 0.3, 3), ({ seed, n, k, scale, mode }, sd) => {
      const u = mulberry32(seed);
      const centres = Array.from({ length: k }, () => 4 * sd * (u() - 0.5));
      const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => scale * Math.exp(centres[j] + sd * normal(u)));
      if (new Set(x).size < k) return;
      const m = fitSync(x, { family: "lognormal", k, seed, mode: mode as "soft", maxIter: 40, tol: 0 });
      const slack = slackOf(n, (i) => 4 * (Math.abs(Math.log(x[i])) + 1));
      checkModel(m, 40, slack);
      expect(m.components.every((c) => (c as { varlog: number }).varlog >= 1e-6)).toBe(true);
      const start = [...new Set(x)].slice(0, k).map(Math.log);
      agree(x, "lognormal", lognormalRef(), { meanlogs: start, varlogs: start.map(() => 1) }, start.map((v) => [v, 1]), slack);
    }), { numRuns: RUNS, seed: SEED });
  });
});

describe("counts", () => {
  it("negbinomial: means 1e-2 … 1e6, sizes 0.1 … 1e4 (near Poisson)", () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.nat(), n: fc.integer({ min: 10, max: 250 }), k: fc.integer({ min: 1, max: 3 }), top: fc.constantFrom(0.01, 20, 1e3, 1e6), size: fc.constantFrom(0.1, 2, 50, 1e4), mode: fc.constantFrom("soft", "hard") }),
      ({ seed, n, k, top, size, mode }) => {
        const u = mulberry32(seed);
        const means = Array.from({ length: k }, () => top * (0.05 + u()));
        // λ ~ Gamma(size, size/μ) by Wilson–Hilferty (a test draw; any over-dispersed counts will do)
        const lambda = (mu: number) => { const z = normal(u), c = 1 / (9 * size); return Math.max(0, mu * Math.max(0, 1 - c + z * Math.sqrt(c)) ** 3); };
        const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => poissonDraw(u, Math.min(lambda(means[j]), 1e7)));
        if (new Set(x).size < k) return;
        const m = fitSync(x, { family: "negbinomial", k, seed, mode: mode as "soft", maxIter: 40, tol: 0 });
        const big = Math.max(...x, 1);
        const slack = slackOf(n, (i) => 4 * ((x[i] + 1) * Math.log(big + 2) + 2 * big + 30));
        checkModel(m, 40, slack);
        const start = [...new Set(x)].slice(0, k).map((v) => Math.max(v, 0.5));
        // a size far above the mean sits where the likelihood is flat in it: it carries that rounding
        agree(x, "negbinomial", negbinomialRef, { means: start, sizes: start.map(() => 1) }, start.map((v) => [v, 1]), slack, {},
          ([, r], t) => (t === 1 ? Math.max(1e-7, 64 * Number.EPSILON * r * (1 + Math.log(big + 1))) : 1e-7));
      },
    ), { numRuns: RUNS, seed: SEED });
  });
});

afterAll(() => {
  // most random problems are fitted (a few have fewer distinct values than k and are skipped)
  expect(tried).toBeGreaterThan(3 * RUNS);
});
