// Property-based tests (fast-check): random valid problems of every family, including extreme
// scales (values around 1e-8 and 1e8, counts and trials up to 1e6). Every fit must return finite
// parameters, weights summing to 1 within 1e-12, variances on or above the floor, a soft-EM
// log-likelihood that never decreases, iterations within maxIter — and agree with the
// plain-TypeScript reference EM (relative 1e-8, with absolute slack for quantities near zero:
// probabilities 1e-12, rates 1e-12·max x, Gaussian parameters 1e-10·sd; log-likelihoods 1e-9 per
// point). Runs per property: MIXEM_PROPERTY_RUNS (default 40); for a long
// run: MIXEM_PROPERTY_RUNS=2000 npx vitest run test/property.test.ts
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fitSync, initSync, MixemError, type FitOptions, type MixtureModel, type MvGaussianComponent } from "../src/index.js";
import { binomialRef, gaussianRef, poissonRef, referenceEM } from "./reference/em.js";
import { bernoulliRef, mvGaussianRef } from "./reference/mv.js";
import { closeness, drawLabels, historyCloseness, mulberry32, normal } from "./helpers.js";

initSync();
/** Fixed by default so CI is reproducible; MIXEM_FC_SEED=random explores new cases (or give a number). */
const SEED = process.env.MIXEM_FC_SEED === "random" ? undefined : Number(process.env.MIXEM_FC_SEED ?? 20261123);
const RUNS = Number(process.env.MIXEM_PROPERTY_RUNS ?? 40);
let tried = 0;

/**
 * Every invariant a fitted model must satisfy. `slack`: the rounding error of evaluating the
 * log-likelihood itself (see countSlack), within which "never decreases" is checked.
 */
function checkModel(m: MixtureModel, maxIter: number, floors?: (c: object) => boolean, slack = 0) {
  const numbers = [m.logLikelihood, ...m.weights, ...m.components.flatMap((c) => Object.values(c).flat(2) as number[])];
  expect(numbers.every(Number.isFinite)).toBe(true);
  expect(Math.abs(m.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-12);
  expect(m.weights.every((w) => w > 0)).toBe(true);
  expect(m.iterations).toBeLessThanOrEqual(maxIter);
  expect(m.converged).toBe(m.stopReason === "converged");
  if (m.settings.mode === "soft") {
    const h = m.history;
    for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]) - slack);
  }
  if (floors) expect(m.components.every(floors)).toBe(true);
  tried++;
}

/**
 * Rounding error of a count family's log-likelihood: each point's log-density is a sum of terms
 * of size ~ n·|log p| or x·|log λ| + log x! (up to 1e7 here) that cancel to a few units, so the
 * total carries about ε · Σ_i (size of its terms). `size` gives that for point i.
 */
const countSlack = (n: number, size: (i: number) => number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += size(i);
  return 8 * Number.EPSILON * s;
};

const popVar = (x: number[]) => { const m = x.reduce((a, b) => a + b, 0) / x.length; return x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length; };
const scaleArb = fc.constantFrom(1e-8, 1e-3, 1, 1e3, 1e8);

describe("gaussian", () => {
  it("random mixtures at scales 1e-8 … 1e8, centred at 0 or far away", () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.nat(), n: fc.integer({ min: 10, max: 300 }), k: fc.integer({ min: 1, max: 4 }), scale: scaleArb, offset: fc.constantFrom(0, 1, 1e4), mode: fc.constantFrom("soft", "hard") }),
      ({ seed, n, k, scale, offset, mode }) => {
        const u = mulberry32(seed);
        const means = Array.from({ length: k }, () => (offset + (u() - 0.5) * 20) * scale);
        const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => means[j] + scale * (0.2 + u()) * normal(u));
        if (new Set(x).size < k) return;
        const floor = 1e-6 * (popVar(x) || 1);
        const maxIter = 40;
        const m = fitSync(x, { k, seed, mode, maxIter, tol: 0 });
        checkModel(m, maxIter, (c) => (c as { variance: number }).variance >= floor * (1 - 1e-12));
        // Same start for mixem and the reference: k distinct data values, the data's variance.
        const start = [...new Set(x)].slice(0, k);
        const init = { means: start, variances: start.map(() => popVar(x) || 1) };
        const a = fitSync(x, { k, init, mode, maxIter: 10, tol: 0 });
        const ref = referenceEM(gaussianRef(x), x, null, start.map((s) => [s, popVar(x) || 1]), Array(k).fill(1 / k), { maxIter: 10, tol: 0, mode, fixWeights: false });
        expect(historyCloseness(a.history, ref.history, n)).toBeLessThan(1);
        expect(closeness(a.components.flatMap((c) => [(c as { mean: number }).mean, (c as { variance: number }).variance]), ref.theta.flat(), 1e-8, 1e-10 * Math.sqrt(popVar(x)))).toBeLessThan(1);
      },
    ), { numRuns: RUNS, seed: SEED });
  });
});

describe("poisson and binomial", () => {
  it("poisson: rates from 1e-3 to 1e6", () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.nat(), n: fc.integer({ min: 10, max: 250 }), k: fc.integer({ min: 1, max: 3 }), top: fc.constantFrom(1, 20, 1e3, 1e6) }),
      ({ seed, n, k, top }) => {
        const u = mulberry32(seed);
        const rates = Array.from({ length: k }, () => 1e-3 + u() * top);
        const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => Math.max(0, Math.round(rates[j] + Math.sqrt(rates[j]) * normal(u))));
        if (new Set(x).size < k) return;
        const m = fitSync(x, { family: "poisson", k, seed, maxIter: 40, tol: 0 });
        const big = Math.max(...x, 1);
        const slack = countSlack(n, (i) => x[i] * Math.log(big) + 2 * big + (x[i] + 1) * Math.log(x[i] + 1));
        checkModel(m, 40, undefined, slack);
        const start = [...new Set(x)].slice(0, k).map((v) => Math.max(v, 1e-12));
        const a = fitSync(x, { family: "poisson", k, init: { lambdas: start }, maxIter: 10, tol: 0 });
        const ref = referenceEM(poissonRef, x, null, start.map((s) => [s]), Array(k).fill(1 / k), { maxIter: 10, tol: 0, mode: "soft", fixWeights: false });
        expect(closeness(a.history, ref.history, 1e-9, 1e-9 * n + 2 * slack)).toBeLessThan(1);
        expect(closeness(a.components.map((c) => (c as { lambda: number }).lambda), ref.theta.flat(), 1e-8, 1e-12 * Math.max(...x, 1))).toBeLessThan(1);
      },
    ), { numRuns: RUNS, seed: SEED });
  });

  it("binomial: trials from 1 to 1e6, constant or per observation", () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.nat(), n: fc.integer({ min: 10, max: 250 }), k: fc.integer({ min: 1, max: 3 }), top: fc.constantFrom(1, 10, 1e3, 1e6), perPoint: fc.boolean() }),
      ({ seed, n, k, top, perPoint }) => {
        const u = mulberry32(seed);
        const ps = Array.from({ length: k }, () => u());
        const trials = Array.from({ length: n }, () => (perPoint ? 1 + Math.floor(u() * top) : top));
        const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j, i) => {
          const t = trials[i], mean = t * ps[j], sd = Math.sqrt(t * ps[j] * (1 - ps[j]));
          return Math.min(t, Math.max(0, Math.round(mean + sd * normal(u))));
        });
        if (new Set(x.map((v, i) => v / trials[i])).size < k) return;
        const options = { family: "binomial" as const, k, trials: perPoint ? trials : top };
        // Terms of size n·(|log p| + |log(1 − p)|), with p ≥ 1e-12: at most n · 2 · 27.7.
        const slack = countSlack(n, (i) => trials[i] * 56);
        checkModel(fitSync(x, { ...options, seed, maxIter: 40, tol: 0 }), 40, undefined, slack);
        const seen = new Set<number>();
        const start: number[] = [];
        // Starts away from 0 and 1: a start on the 1e-12 clamp makes EM's first iterations amplify
        // last-bit differences ×10 each (both runs then reach the same optimum), which would test
        // the conditioning of the start, not mixem. Degenerate starts are covered in degenerate.test.ts.
        x.forEach((v, i) => { const p = v / trials[i]; if (!seen.has(p) && start.length < k) { seen.add(p); start.push(Math.min(0.99, Math.max(0.01, p))); } });
        if (new Set(start).size < k) return;
        const a = fitSync(x, { ...options, init: { p: start }, maxIter: 10, tol: 0 });
        const ref = referenceEM(binomialRef, x, trials, start.map((p) => [p]), Array(k).fill(1 / k), { maxIter: 10, tol: 0, mode: "soft", fixWeights: false });
        expect(closeness(a.history, ref.history, 1e-9, 1e-9 * n + 2 * slack)).toBeLessThan(1);
        expect(closeness(a.components.map((c) => (c as { p: number }).p), ref.theta.flat(), 1e-8, 1e-12)).toBeLessThan(1);
      },
    ), { numRuns: RUNS, seed: SEED });
  });
});

describe("multivariate", () => {
  it("mvgaussian: every covariance type, per-dimension scales from 1e-8 to 1e8", () => {
    fc.assert(fc.property(
      fc.record({
        seed: fc.nat(), n: fc.integer({ min: 30, max: 250 }), k: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 4 }),
        covariance: fc.constantFrom("full", "tied", "diag", "spherical"), scales: fc.array(scaleArb, { minLength: 4, maxLength: 4 }),
      }),
      ({ seed, n, k, d, covariance, scales }) => {
        const u = mulberry32(seed);
        const means = Array.from({ length: k }, () => Array.from({ length: d }, (_, a) => (u() - 0.5) * 20 * scales[a]));
        const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => means[j].map((m, a) => m + scales[a] * (0.3 + u()) * normal(u)));
        const options = { family: "mvgaussian", covariance, k } as FitOptions;
        checkModel(fitSync(x, { ...options, seed, maxIter: 30, tol: 0 }), 30);
        // Agreement from the same start (k data rows, diag(var)), without the floor.
        const vars = Array.from({ length: d }, (_, a) => popVar(x.map((r) => r[a])));
        const diag = vars.map((v, a) => vars.map((_, b) => (a === b ? v : 0)));
        const rows = x.slice(0, k);
        const covs = covariance === "diag" ? rows.map(() => vars) : covariance === "spherical" ? rows.map(() => vars.reduce((s, v) => s + v, 0) / d) : rows.map(() => diag);
        const refCov = covariance === "spherical" ? rows.map(() => vars.map((_, a) => vars.map((__, b) => (a === b ? vars.reduce((s, v) => s + v, 0) / d : 0)))) : rows.map(() => diag);
        let a: MixtureModel;
        try {
          a = fitSync(x, { ...options, init: { means: rows, covariances: covs as never }, regCovar: 0, maxIter: 8, tol: 0 } as FitOptions);
        } catch (e) {
          expect(e).toBeInstanceOf(MixemError); // a collapsed component without a floor: the documented error
          expect((e as MixemError).code).toBe("DEGENERATE");
          return;
        }
        const ref = referenceEM(mvGaussianRef(x, covariance, 0), x, null, rows.map((r, j) => [...r, ...refCov[j].flat()]), Array(k).fill(1 / k), { maxIter: 8, tol: 0, mode: "soft", fixWeights: false });
        // Without the floor, a component holding fewer than ~3d points has a (near-)singular
        // covariance: the problem itself is ill-conditioned and any two implementations part ways.
        if (Math.min(...ref.weights) * n < 3 * d) return;
        expect(historyCloseness(a.history, ref.history, n)).toBeLessThan(1);
        const sds = vars.map(Math.sqrt);
        const got = (a.components as MvGaussianComponent[]).flatMap((c) => c.mean.map((m, i) => m / sds[i]));
        expect(closeness(got, ref.theta.flatMap((t) => t.slice(0, d).map((m, i) => m / sds[i])), 1e-8, 1e-10)).toBeLessThan(1);
      },
    ), { numRuns: RUNS, seed: SEED });
  });

  it("bernoulli: random binary data", () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.nat(), n: fc.integer({ min: 10, max: 250 }), k: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 12 }) }),
      ({ seed, n, k, d }) => {
        const u = mulberry32(seed);
        const ps = Array.from({ length: k }, () => Array.from({ length: d }, () => u()));
        const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => ps[j].map((p) => (u() < p ? 1 : 0)));
        if (new Set(x.map((r) => r.join())).size < k) return;
        checkModel(fitSync(x, { family: "bernoulli", k, seed, maxIter: 30, tol: 0 }), 30);
        const p0 = Array.from({ length: k }, () => Array.from({ length: d }, () => 0.1 + 0.8 * u()));
        const a = fitSync(x, { family: "bernoulli", k, init: { p: p0 }, maxIter: 10, tol: 0 });
        const ref = referenceEM(bernoulliRef(d), x, null, p0, Array(k).fill(1 / k), { maxIter: 10, tol: 0, mode: "soft", fixWeights: false });
        expect(historyCloseness(a.history, ref.history, n)).toBeLessThan(1);
        expect(closeness(a.components.flatMap((c) => (c as { p: number[] }).p), ref.theta.flat(), 1e-8, 1e-12)).toBeLessThan(1);
      },
    ), { numRuns: RUNS, seed: SEED });
  });

  it("reports how many fits were checked", () => {
    console.log(`property tests: ${tried} random fits checked (MIXEM_PROPERTY_RUNS=${RUNS} per property)`);
    expect(tried).toBeGreaterThan(RUNS);
  });
});
