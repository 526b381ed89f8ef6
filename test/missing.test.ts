// missing: "marginalize" — EM over observed margins (NaN = missing value).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { accumulate, fit, fitInWorker, fitStream, fitSync, loadModel, maximize, MixemError, plotFit, selectK, type MixtureModel } from "../src/index.js";
import { inverse, logMarginal, missingBernoulliEM, missingEM, observedLogLik, type MvParams } from "./reference/missing.js";
import { COVARIANCE_TYPES } from "../src/families/mvgaussian/covariance.js";
import scipyMissing from "./fixtures/peers/scipy-missing.json" with { type: "json" };

/** A seeded stream of uniforms and normals (test data only). */
function stream(seed: number) {
  let s = seed >>> 0 || 1;
  const u = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s + 0.5) / 2 ** 32; };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { u, normal };
}

/** Two correlated Gaussian clusters in d dimensions, then each value missing with probability `rate`. */
function clusters(n: number, d: number, rate: number, seed: number): { full: number[][]; X: number[][] } {
  const r = stream(seed);
  const full: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3 === 0 ? -2 : 2, z = r.normal();
    full.push(Array.from({ length: d }, (_, a) => c * (a % 2 ? -1 : 1) + 0.8 * z + 0.6 * r.normal() + 0.1 * a));
  }
  const X = full.map((row) => row.map((v) => (r.u() < rate ? NaN : v)));
  return { full, X };
}

const paramsOf = (m: MixtureModel<"mvgaussian">): MvParams => ({
  weights: [...m.weights], means: m.components.map((c) => [...c.mean]), covs: m.components.map((c) => c.covariance.map((row) => [...row])),
});
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
const flat = (p: MvParams) => [...p.weights, ...p.means.flat(), ...p.covs.flat(2)];

describe('missing: "marginalize" — mvgaussian against the plain-TS Ghahramani–Jordan reference', () => {
  const { X } = clusters(300, 3, 0.15, 7);
  X[5] = [NaN, NaN, NaN]; // nothing observed: contributes nothing
  X[6] = [NaN, 1.5, NaN];
  const start: MvParams = {
    weights: [0.4, 0.6],
    means: [[-1, 1, -1], [1, -1, 1]],
    covs: [[[2, 0.3, 0], [0.3, 2, 0.2], [0, 0.2, 2]], [[1.5, 0, 0.1], [0, 1.5, 0], [0.1, 0, 1.5]]],
  };

  it("30 iterations from the same start give the reference's parameters and observed-data log-likelihood", () => {
    const m = fitSync(X, { family: "mvgaussian", k: 2, missing: "marginalize", regCovar: 0, tol: 0, maxIter: 30, init: { weights: start.weights, means: start.means, covariances: start.covs } });
    const ref = missingEM(X, start, 30);
    expect(m.iterations).toBe(30);
    expect(maxDiff(flat(paramsOf(m)), flat(ref.params))).toBeLessThan(1e-10);
    expect(Math.abs(m.logLikelihood - observedLogLik(X, ref.params))).toBeLessThan(1e-8);
    expect(m.nMissing).toBe(X.flat().filter((v) => Number.isNaN(v)).length);
    expect(m.nObservations).toBe(X.filter((x) => !x.every(Number.isNaN)).length);
    // The reference's own history rises (EM on the observed-data likelihood), and so does the fit's.
    for (let i = 1; i < ref.history.length; i++) expect(ref.history[i]).toBeGreaterThanOrEqual(ref.history[i - 1] - 1e-9);
    for (let i = 1; i < m.history.length; i++) expect(m.history[i]).toBeGreaterThanOrEqual(m.history[i - 1] - 1e-9);
  });

  it("the fixed point maximises the observed-data likelihood: its finite-difference gradient is ≈ 0", () => {
    const m = fitSync(X, { family: "mvgaussian", k: 2, missing: "marginalize", regCovar: 0, tol: 0, maxIter: 3000, accelerate: "squarem", init: { weights: start.weights, means: start.means, covariances: start.covs } });
    const p = paramsOf(m);
    // Coordinates: logits of the weights, the means, the covariances' lower triangles (moved symmetrically).
    const coords: { get: (q: MvParams) => number; set: (q: MvParams, v: number) => void }[] = [];
    coords.push({ get: (q) => Math.log(q.weights[1] / q.weights[0]), set: (q, v) => { q.weights = [1 / (1 + Math.exp(v)), Math.exp(v) / (1 + Math.exp(v))]; } });
    for (let j = 0; j < 2; j++) for (let a = 0; a < 3; a++) {
      coords.push({ get: (q) => q.means[j][a], set: (q, v) => { q.means[j][a] = v; } });
      for (let b = 0; b <= a; b++) coords.push({ get: (q) => q.covs[j][a][b], set: (q, v) => { q.covs[j][a][b] = v; q.covs[j][b][a] = v; } });
    }
    const gradient = (at: MvParams) => coords.map((c) => {
      const h = 1e-5, up = structuredClone(at), down = structuredClone(at);
      c.set(up, c.get(at) + h);
      c.set(down, c.get(at) - h);
      return (observedLogLik(X, up) - observedLogLik(X, down)) / (2 * h);
    });
    const g = gradient(p);
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(2e-3);
    // The check can fail: a point moved off the optimum has a clear gradient.
    const moved = structuredClone(p);
    moved.means[0][1] += 0.05;
    expect(Math.max(...gradient(moved).map(Math.abs))).toBeGreaterThan(0.5);
  });

  it("k = 1: the known closed-form MLE of a bivariate normal with a monotone pattern (Anderson 1957)", () => {
    const r = stream(3), n = 400, n2 = 250;
    const X2: number[][] = [];
    for (let i = 0; i < n; i++) { const x1 = 1 + r.normal(); X2.push([x1, i < n2 ? -2 + 0.7 * x1 + 0.5 * r.normal() : NaN]); }
    // x1 from every row; x2's regression on x1 from the complete rows (factored likelihood).
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const cov = (u: number[], v: number[]) => { const mu = mean(u), mv = mean(v); return mean(u.map((x, i) => (x - mu) * (v[i] - mv))); };
    const x1 = X2.map((x) => x[0]), c1 = x1.slice(0, n2), c2 = X2.slice(0, n2).map((x) => x[1]);
    const mu1 = mean(x1), s11 = cov(x1, x1), beta = cov(c1, c2) / cov(c1, c1);
    const mu2 = mean(c2) + beta * (mu1 - mean(c1)), s22 = cov(c2, c2) - beta * beta * cov(c1, c1) + beta * beta * s11;
    const m = fitSync(X2, { family: "mvgaussian", k: 1, missing: "marginalize", regCovar: 0, tol: 0, maxIter: 5000, accelerate: "squarem" });
    const c = m.components[0];
    expect(maxDiff(c.mean, [mu1, mu2])).toBeLessThan(1e-9);
    expect(maxDiff(c.covariance.flat(), [s11, beta * s11, beta * s11, s22])).toBeLessThan(1e-9);
  });
});

describe('missing: "marginalize" against scipy maximising the observed-data likelihood directly (no EM)', () => {
  // test/fixtures/peers/make_scipy_missing.py: BFGS on (weight logits, means, Cholesky factors);
  // its gradient norm (finite differences) ends near 1e-4, so parameters agree to about 1e-5.
  // Case k2-2d: BFGS from its rough start stopped at a local maximum (−642.74); EM from k-means++
  // finds a higher one (−627.49), and EM started at scipy's point stays there.
  for (const c of scipyMissing.cases)
    it(`${c.name}: scipy's maximiser is EM's fixed point, and EM from its own start does at least as well`, () => {
      const X = c.data.map((row) => row.map((v) => (v === null ? NaN : v)));
      const o = { family: "mvgaussian", k: c.k, missing: "marginalize", regCovar: 0, tol: 0, maxIter: 5000, accelerate: "squarem" } as const;
      const at = fitSync(X, { ...o, init: { weights: c.weights, means: c.means, covariances: c.covariances } });
      expect(Math.abs(at.logLikelihood - c.logLikelihood)).toBeLessThan(1e-7);
      at.components.forEach((comp, j) => {
        expect(Math.abs(at.weights[j] - c.weights[j])).toBeLessThan(1e-4);
        expect(maxDiff([...comp.mean], c.means[j])).toBeLessThan(1e-4);
        expect(maxDiff(comp.covariance.flat(), c.covariances[j].flat())).toBeLessThan(1e-4);
      });
      const own = fitSync(X, o);
      expect(own.logLikelihood).toBeGreaterThanOrEqual(c.logLikelihood - 1e-7);
      if (c.k === 1) expect(maxDiff([...own.components[0].mean, ...own.components[0].covariance.flat()], [...c.means[0], ...c.covariances[0].flat()])).toBeLessThan(1e-4);
    });
});

describe('missing: "marginalize" with no NaN is today\'s fit, to the bit', () => {
  const { full } = clusters(200, 3, 0, 11);
  for (const covariance of COVARIANCE_TYPES)
    it(`mvgaussian ${covariance}`, () => {
      const a = fitSync(full, { family: "mvgaussian", k: 2, covariance, maxIter: 20 });
      const b = fitSync(full, { family: "mvgaussian", k: 2, covariance, maxIter: 20, missing: "marginalize" });
      expect(b.components).toStrictEqual(a.components);
      expect(b.weights).toStrictEqual(a.weights);
      expect(b.history).toStrictEqual(a.history);
      expect(b.nMissing).toBe(0);
    });
  it("bernoulli and gaussian", () => {
    const bits = full.map((r) => r.map((v) => (v > 0 ? 1 : 0)));
    const a = fitSync(bits, { family: "bernoulli", k: 2 }), b = fitSync(bits, { family: "bernoulli", k: 2, missing: "marginalize" });
    expect(b.components).toStrictEqual(a.components);
    const x = full.map((r) => r[0]);
    const g = fitSync(x, { family: "gaussian", k: 2 }), h = fitSync(x, { family: "gaussian", k: 2, missing: "marginalize" });
    expect(h.components).toStrictEqual(g.components);
    expect(h.history).toStrictEqual(g.history);
  });
});

describe('missing: "marginalize" — every covariance model, bernoulli, 1-D', () => {
  const { X } = clusters(240, 3, 0.2, 5);
  for (const covariance of COVARIANCE_TYPES)
    it(`mvgaussian ${covariance}: soft EM never decreases the observed-data log-likelihood, which the model reports`, () => {
      const m = fitSync(X, { family: "mvgaussian", k: 2, covariance, maxIter: 60, missing: "marginalize" });
      for (let i = 1; i < m.history.length; i++) expect(m.history[i]).toBeGreaterThanOrEqual(m.history[i - 1] - 1e-9 * Math.abs(m.history[i - 1]));
      expect(m.logLikelihood).toBeCloseTo(observedLogLik(X, paramsOf(m)), 8);
      expect(m.logLikelihoodOf(X)).toBeCloseTo(m.logLikelihood, 8);
    });

  it("bernoulli: a missing feature drops out of the product (reference EM)", () => {
    const r = stream(9);
    const B = Array.from({ length: 300 }, (_, i) => Array.from({ length: 4 }, (_, a) => (r.u() < (i % 2 ? 0.8 : 0.2) + 0.05 * a ? 1 : 0)))
      .map((row) => row.map((v) => (r.u() < 0.2 ? NaN : v)));
    const start = { weights: [0.5, 0.5], p: [[0.3, 0.3, 0.4, 0.4], [0.6, 0.7, 0.6, 0.7]] };
    const m = fitSync(B, { family: "bernoulli", k: 2, missing: "marginalize", tol: 0, maxIter: 25, init: { weights: start.weights, p: start.p } });
    const ref = missingBernoulliEM(B, start, 25);
    expect(maxDiff([...m.weights, ...m.components.flatMap((c) => c.p)], [...ref.weights, ...ref.p.flat()])).toBeLessThan(1e-10);
  });

  it("1-D families: a NaN point contributes nothing — the fit of the other points, to the bit", () => {
    const x = clusters(300, 1, 0.1, 13).X.map((r) => r[0]);
    const kept = x.filter((v) => !Number.isNaN(v));
    for (const family of ["gaussian", "t"] as const) {
      const a = fitSync(x, { family, k: 2, missing: "marginalize" }), b = fitSync(kept, { family, k: 2 });
      expect(a.components).toStrictEqual(b.components);
      expect(a.nMissing).toBe(x.length - kept.length);
      expect(a.nObservations).toBe(kept.length);
    }
    const counts = x.map((v) => (Number.isNaN(v) ? v : Math.round(Math.abs(v) * 3)));
    const p = fitSync(counts, { family: "poisson", k: 2, missing: "marginalize" }), q = fitSync(counts.filter((v) => !Number.isNaN(v)), { family: "poisson", k: 2 });
    expect(p.components).toStrictEqual(q.components);
    expect(p.logLikelihood).toBe(q.logLikelihood);
  });

  it("fast-check: missing values never give NaN parameters, and soft EM is monotone", () => {
    let fitted = 0, refused = 0;
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.constantFrom(...COVARIANCE_TYPES),
      (seed, k, d, rate, covariance) => {
        const { X } = clusters(90, d, rate, seed);
        let m: MixtureModel<"mvgaussian">;
        try {
          m = fitSync(X, { family: "mvgaussian", k, covariance, maxIter: 25, missing: "marginalize", seed });
        } catch (e) {
          // Allowed: a clear MixemError (too few complete rows to seed k components, a collapse).
          expect(e).toBeInstanceOf(MixemError);
          expect(["TOO_FEW_DISTINCT", "DEGENERATE"]).toContain((e as MixemError).reason ?? (e as MixemError).code);
          refused++;
          return;
        }
        fitted++;
        expect([...m.weights, ...m.components.flatMap((c) => [...c.mean, ...c.covariance.flat()])].every(Number.isFinite)).toBe(true);
        for (let i = 1; i < m.history.length; i++) expect(m.history[i]).toBeGreaterThanOrEqual(m.history[i - 1] - 1e-8 * Math.abs(m.history[i - 1]));
      }), { numRuns: 40 });
    expect(fitted).toBeGreaterThan(30); // the property ran on fits, not on refusals
    expect(refused + fitted).toBe(40);
  });
});

describe('missing: "marginalize" — every path and the model', () => {
  const { X } = clusters(400, 3, 0.12, 21);
  const opts = { family: "mvgaussian", k: 2, missing: "marginalize", maxIter: 40, tol: 0 } as const;
  const base = fitSync(X, opts);

  it("fitInWorker, fitStream (explicit init) and accumulate + maximize agree with fitSync", async () => {
    const w = await fitInWorker(X, opts);
    expect(JSON.stringify(w.components)).toBe(JSON.stringify(base.components));
    expect(w.logLikelihood).toBe(base.logLikelihood);
    const init = { weights: [...base.weights], means: base.components.map((c) => c.mean), covariances: base.components.map((c) => c.covariance) };
    const one = fitSync(X, { ...opts, init, maxIter: 5 });
    const s = (await fitStream(() => [X.slice(0, 150), X.slice(150)], { ...opts, init, maxIter: 5 })) as MixtureModel<"mvgaussian">;
    expect(maxDiff(s.components.flatMap((c) => [...c.mean, ...c.covariance.flat()]), one.components.flatMap((c) => [...c.mean, ...c.covariance.flat()]))).toBeLessThan(1e-9);
    expect(s.nMissing).toBe(one.nMissing);
    // One EM step by statistics: accumulate two halves, merge by maximize on their sum.
    const step = fitSync(X, { ...opts, init: base, maxIter: 1 });
    const st = accumulate(base, X);
    expect(st.logLikelihood).toBeCloseTo(base.logLikelihoodOf(X), 9);
    const next = maximize(base, st) as MixtureModel<"mvgaussian">;
    expect(maxDiff(next.components.flatMap((c) => [...c.mean, ...c.covariance.flat()]), step.components.flatMap((c) => [...c.mean, ...c.covariance.flat()]))).toBeLessThan(1e-12);
  });

  it("threads: the patterns on the calling thread, the complete rows in the workers", async () => {
    const { X: big } = clusters(140000, 2, 0.1, 4);
    const o = { family: "mvgaussian", k: 2, missing: "marginalize", maxIter: 4, tol: 0 } as const;
    const one = fitSync(big, o), two = await fit(big, { ...o, threads: 2 });
    expect(maxDiff(two.components.flatMap((c) => [...c.mean, ...c.covariance.flat()]), one.components.flatMap((c) => [...c.mean, ...c.covariance.flat()]))).toBeLessThan(1e-9);
    expect(Math.abs(two.logLikelihood - one.logLikelihood)).toBeLessThan(1e-6);
    expect(two.nMissing).toBe(one.nMissing);
  }, 60000);

  it("predict, predictProba and score take rows with NaN; every row keeps its place", () => {
    const rows = [[NaN, NaN, NaN], X[0], [X[1][0], NaN, X[1][2]], [NaN, X[2][1], NaN]];
    const proba = base.predictProba(rows, { rows: true });
    expect(proba[0][0]).toBeCloseTo(base.weights[0], 14); // nothing observed: the weights
    const k = 2, p = paramsOf(base);
    rows.forEach((x, i) => {
      if (x.every(Number.isNaN)) return;
      const logs = p.weights.map((w, j) => Math.log(w) + logMarginal(x, p.means[j], p.covs[j]));
      const m = Math.max(...logs), tot = m + Math.log(logs.reduce((s, v) => s + Math.exp(v - m), 0));
      for (let j = 0; j < k; j++) expect(proba[i][j]).toBeCloseTo(Math.exp(logs[j] - tot), 10);
    });
    expect(Array.from(base.predict(rows))).toEqual(proba.map((r) => (r[1] > r[0] ? 1 : 0)));
    expect(base.score(rows) * 3).toBeCloseTo(observedLogLik(rows, p), 9); // 3 rows with something observed
    expect(base.scoreSamples(rows).reduce((a, v) => a + v, 0)).toBeCloseTo(observedLogLik(rows, p), 9); // per row: its observed margin's log density
  });

  it("impute: E[x_mis | x_obs] under the mixture; draws from the conditional distribution", () => {
    const rows = [[1, NaN, NaN], [NaN, -2, 0.5], [0.1, 0.2, 0.3]];
    const filled = base.impute(rows);
    expect(rows[0][1]).toBeNaN(); // the caller's rows are not changed
    expect(filled[2]).toEqual(rows[2]);
    const p = paramsOf(base);
    rows.slice(0, 2).forEach((x, i) => {
      const o = [0, 1, 2].filter((a) => !Number.isNaN(x[a])), mis = [0, 1, 2].filter((a) => Number.isNaN(x[a]));
      const logs = p.weights.map((w, j) => Math.log(w) + logMarginal(x, p.means[j], p.covs[j]));
      const m = Math.max(...logs), r = logs.map((v) => Math.exp(v - m)), t = r.reduce((s, v) => s + v, 0);
      const expected = mis.map((ma) => p.means.reduce((s, mu, j) => {
        const { inv } = inverse(o.map((a) => o.map((b) => p.covs[j][a][b])));
        const w = o.map((_, b) => o.reduce((acc, a, c) => acc + p.covs[j][ma][a] * inv[c][b], 0));
        return s + (r[j] / t) * (mu[ma] + o.reduce((acc, a, b) => acc + w[b] * (x[a] - mu[a]), 0));
      }, 0));
      mis.forEach((ma, u) => expect(filled[i][ma]).toBeCloseTo(expected[u], 10));
      o.forEach((a) => expect(filled[i][a]).toBe(x[a]));
    });
    const draws = base.impute(rows, { draws: 4000, seed: 3 });
    expect(draws).toHaveLength(4000);
    const avg = draws.reduce((s, d) => s + d[0][1], 0) / draws.length;
    expect(Math.abs(avg - filled[0][1])).toBeLessThan(0.1);
    expect(draws[0][0][0]).toBe(1);
    expect(base.impute(rows, { draws: 2, seed: 3 })).toEqual(draws.slice(0, 2));
  });

  it("hard EM and selectK (k-means++ starts, its default with missing values; an explicit hc start partitions the complete rows) take missing values", () => {
    const h = fitSync(X, { ...opts, mode: "hard" });
    expect(h.components.every((c) => [...c.mean, ...c.covariance.flat()].every(Number.isFinite))).toBe(true);
    expect(selectK(X, { family: "mvgaussian", covariance: "full", missing: "marginalize", init: "hc", kRange: [1, 3] }).best.nMissing).toBe(base.nMissing);
    // Left to its default, the selection starts from k-means++ when values are missing (mclust's hc needs complete rows).
    expect(selectK(X, { family: "mvgaussian", covariance: "full", missing: "marginalize", kRange: [1, 3] }).k).toBe(2);
    const sel = selectK(X, { family: "mvgaussian", covariance: "full", missing: "marginalize", init: "kmeans++", kRange: [1, 3] });
    expect(sel.k).toBe(2);
    expect(sel.best.nMissing).toBe(base.nMissing);
  });

  it("the model keeps the option and nMissing through JSON", () => {
    const back = loadModel(JSON.parse(JSON.stringify(base)));
    expect(back.settings.missing).toBe("marginalize");
    expect(back.nMissing).toBe(base.nMissing);
    expect(back.predict([[NaN, 1, 1]])).toEqual(base.predict([[NaN, 1, 1]]));
  });
});

describe("missing values: errors", () => {
  it('the default ("error") names the index and the option', () => {
    expect(() => fitSync([[1, 2], [3, NaN], [0, 0]], { family: "mvgaussian", k: 1 })).toThrow(/^data\[1\]\[1\]: is NaN; .*options\.missing "marginalize"/);
    expect(() => fitSync([1, 2, NaN], { k: 1 })).toThrow(/^data\[2\]: is NaN; .*options\.missing/);
    expect(() => fitSync([1, 2, 3], { k: 1, missing: "drop" as never })).toThrow(/^options\.missing: /);
  });
  it("families without margins refuse it clearly", () => {
    expect(() => fitSync([[0, 1], [1, NaN]], { family: "categorical", k: 1, missing: "marginalize" })).toThrow(/^options\.missing: "marginalize" is not available for this family/);
    expect(() => fitSync([[0, 1], [1, NaN]], { family: "mvt", k: 1, missing: "marginalize" })).toThrow(/^options\.missing/);
  });
  it("too few complete rows, and data with nothing observed, are errors (sample weights and init hc are taken: test/missing-combos.test.ts)", () => {
    const { X } = clusters(50, 2, 0.2, 1);
    expect(fitSync(X, { family: "mvgaussian", k: 1, missing: "marginalize", sampleWeights: X.map(() => 1) }).components).toEqual(fitSync(X, { family: "mvgaussian", k: 1, missing: "marginalize" }).components);
    expect(() => fitSync([[1, NaN], [NaN, 2], [1.5, NaN], [NaN, 2.5]], { family: "mvgaussian", k: 1, missing: "marginalize" }))
      .toThrow(/fewer than k = 1 distinct rows \(0\) among the complete rows/);
    expect(() => fitSync([[NaN, NaN], [NaN, NaN], [NaN, NaN], [NaN, NaN]], { family: "mvgaussian", k: 1, missing: "marginalize" })).toThrow(/no observed value/);
  });
});

describe("mixem fit --missing marginalize (the built CLI)", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, "dist/cli.js"), ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const dir = mkdtempSync(join(tmpdir(), "mixem-missing-"));
  const { X } = clusters(120, 3, 0.1, 17);
  const csv = join(dir, "holes.csv");
  // NA and empty cells alike.
  writeFileSync(csv, "a,b,c\n" + X.map((r, i) => r.map((v) => (Number.isNaN(v) ? (i % 2 ? "NA" : "") : String(v))).join(",")).join("\n") + "\n");

  it("without the option: one line naming the cell and the option, exit 2", () => {
    const r = cli(["fit", csv, "--family", "mvgaussian", "-k", "2"]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/row \d+, column [abc]: .* is not a number \(a missing value\? --missing marginalize/);
    expect(cli(["fit", csv, "--family", "mvgaussian", "-k", "2", "--missing", "drop"]).err).toMatch(/--missing: "drop" is not error or marginalize/);
  });

  it("with it: the API's fit of the same rows, and predict reads NA cells with the model", () => {
    const r = cli(["fit", csv, "--family", "mvgaussian", "-k", "2", "--missing", "marginalize", "--accelerate", "none", "--json", "--quiet"]);
    expect(r.code).toBe(0);
    const m = loadModel(JSON.parse(r.out));
    const api = fitSync(X, { family: "mvgaussian", k: 2, missing: "marginalize" });
    expect(m.components).toStrictEqual(api.components);
    expect(m.nMissing).toBe(api.nMissing);
    const model = join(dir, "model.json");
    writeFileSync(model, r.out);
    const p = cli(["predict", model, csv, "--json"]);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.out).labels).toEqual(Array.from(api.predict(X), (v) => v + 1));
  });
});

describe("impute's draws are bounded", () => {
  it("draws × rows × dimensions above 1e8 is an error naming options.draws (not an exhausted heap)", () => {
    const rows = Array.from({ length: 300 }, (_, i) => [i % 2 * 4 + Math.sin(i), Math.cos(i * 1.3), Math.sin(i * 0.7 + 1)]);
    rows[5][1] = NaN;
    const m = fitSync(rows, { family: "mvgaussian", k: 2, seed: 1, missing: "marginalize" });
    expect(() => m.impute(Array(100).fill([NaN, 1, 2]), { draws: 1e6 })).toThrow(/^options\.draws: /);
    expect(m.impute([[NaN, 1, 2]], { draws: 3, seed: 1 })).toHaveLength(3);
  });
});

describe("pictures of a fit with missing values", () => {
  it("plotFit leaves the rows with a missing value out (the same SVG as the complete rows); the CLI's --plot works with --missing", () => {
    const rows = Array.from({ length: 400 }, (_, i) => [i % 2 * 4 + Math.sin(i), Math.cos(i * 1.3) + (i % 2) * 2]);
    const holes = rows.map((r, i) => (i % 9 === 2 ? [NaN, r[1]] : r));
    const m = fitSync(holes, { family: "mvgaussian", k: 2, seed: 1, missing: "marginalize" });
    expect(plotFit(m, holes)).toBe(plotFit(m, holes.filter((r) => !Number.isNaN(r[0]))));
    const g = fitSync(holes.map((r) => r[0]), { k: 2, seed: 1, missing: "marginalize" });
    expect(plotFit(g, holes.map((r) => r[0]))).toMatch(/^<svg/);
    const dir = mkdtempSync(join(tmpdir(), "mixem-missing-plot-"));
    writeFileSync(join(dir, "na.csv"), "a,b\n" + holes.map((r) => r.map((v) => (Number.isNaN(v) ? "NA" : v)).join(",")).join("\n") + "\n");
    const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
    const r = spawnSync(process.execPath, [cli, "fit", join(dir, "na.csv"), "--family", "mvgaussian", "-k", "2", "--missing", "marginalize", "--quiet", "--plot", join(dir, "na.svg")], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
