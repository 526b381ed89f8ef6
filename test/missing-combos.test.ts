// missing: "marginalize" together with sampleWeights, partial labels, scoreSamples and init "hc":
// integer weights against duplicated rows, the plain-TS reference missing-data EM with row weights
// and labels, properties (zero weight = row removed, scaled weights = same fit, the objective
// never decreases), every data path, and bad input.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { accumulate, fit, fitInWorker, fitStream, fitSync, initSync, maximize, mergeStats, MixemError, type MixtureModel } from "../src/index.js";
import { logMarginal, missingBernoulliEM, missingEM, observedLogLik, type MvParams } from "./reference/missing.js";
import { mulberry32, normal, poissonDraw } from "./helpers.js";
import { hcStarts } from "../src/start.js";
import { mvgaussian } from "../src/families/mvgaussian/index.js";

initSync();

/** Two correlated 2- or 3-D clusters, each value missing with probability `rate` (a few rows wholly). */
function rowsWithHoles(n: number, d: number, rate: number, seed: number): number[][] {
  const u = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const c = i % 3 === 0 ? -2 : 2, z = normal(u);
    const row = Array.from({ length: d }, (_, a) => c * (a % 2 ? -1 : 1) + 0.8 * z + 0.6 * normal(u) + 0.1 * a);
    return i % 50 === 7 ? row.map(() => NaN) : row.map((v) => (u() < rate ? NaN : v));
  });
}
const paramsOf = (m: MixtureModel<"mvgaussian">): MvParams => ({
  weights: [...m.weights], means: m.components.map((c) => [...c.mean]), covs: m.components.map((c) => c.covariance.map((r) => [...r])),
});
const flat = (p: MvParams) => [...p.weights, ...p.means.flat(), ...p.covs.flat(2)];
/** Largest |a − b| / max(1, |b|). */
const maxRel = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1, Math.abs(b[i]))));
const numbers = (m: MixtureModel) => [...m.weights, ...m.components.flatMap((c) => Object.values(c).flat(2) as number[])];
const dup = <T>(x: T[], w: number[]) => x.flatMap((v, i) => Array<T>(w[i]).fill(v));

const start2: MvParams = { weights: [0.4, 0.6], means: [[-1, 1], [1, -1]], covs: [[[2, 0.3], [0.3, 2]], [[1.5, 0], [0, 1.5]]] };
const init2 = { weights: start2.weights, means: start2.means, covariances: start2.covs };
const start3: MvParams = {
  weights: [0.4, 0.6], means: [[-1, 1, -1], [1, -1, 1]],
  covs: [[[2, 0.3, 0], [0.3, 2, 0.2], [0, 0.2, 2]], [[1.5, 0, 0.1], [0, 1.5, 0], [0.1, 0, 1.5]]],
};
const init3 = { weights: start3.weights, means: start3.means, covariances: start3.covs };

describe('sampleWeights with missing: "marginalize"', () => {
  const X = rowsWithHoles(240, 3, 0.15, 3);
  const u = mulberry32(11);
  const w = X.map(() => 1 + Math.floor(u() * 3));

  it("integer weights = duplicated rows (NaN rows duplicated too), every family that takes marginalize", () => {
    const opts = { missing: "marginalize", tol: 0, maxIter: 20 } as const;
    const same = (a: MixtureModel, b: MixtureModel) => {
      expect(Math.abs(a.logLikelihood - b.logLikelihood)).toBeLessThanOrEqual(1e-12 * Math.abs(b.logLikelihood));
      expect(maxRel(numbers(a), numbers(b))).toBeLessThan(1e-10);
      expect(a.nObservations).toBe(b.nObservations);
      expect(a.nMissing).toBeLessThan(b.nMissing!); // counted per row as given, not per copy
    };
    // Constrained models start from equal covariances (they satisfy every constraint).
    const diag = [[2, 0, 0], [0, 1.5, 0], [0, 0, 1]];
    const equalCovs = { ...init3, covariances: [diag, diag] };
    for (const covariance of ["full", "diag", "spherical", "tied", "VEV", "EVE", "EEI"] as const) {
      const a = fitSync(X, { family: "mvgaussian", covariance, k: 2, init: equalCovs, sampleWeights: w, ...opts });
      const b = fitSync(dup(X, w), { family: "mvgaussian", covariance, k: 2, init: equalCovs, ...opts });
      same(a, b);
    }
    const bits = X.map((r) => r.map((v) => (Number.isNaN(v) ? NaN : v > 0.5 ? 1 : 0)));
    same(fitSync(bits, { family: "bernoulli", k: 2, init: { p: [[0.3, 0.6, 0.4], [0.7, 0.3, 0.6]] }, sampleWeights: w, ...opts }),
      fitSync(dup(bits, w), { family: "bernoulli", k: 2, init: { p: [[0.3, 0.6, 0.4], [0.7, 0.3, 0.6]] }, ...opts }));
    // The 1-D families: a NaN point has nothing observed (and its weight counts for nothing).
    const hole = (v: number, i: number) => (i % 9 === 4 ? NaN : v);
    const real = X.map((r, i) => hole(2 * (i % 3) + normal(u), i));
    const pos = real.map((v) => (Number.isNaN(v) ? v : Math.exp(v / 2)));
    const counts = X.map((_, i) => hole(poissonDraw(u, i % 2 ? 9 : 2), i));
    const cases: [string, number[], Record<string, unknown>][] = [
      ["gaussian", real, { init: { means: [0, 4], variances: [1, 1] } }],
      ["t", real, { init: { means: [0, 4], variances: [1, 1], dofs: [5, 5] } }],
      ["lognormal", pos, { init: { meanlogs: [0, 2], varlogs: [1, 1] } }],
      ["exponential", pos, { init: { rates: [1, 0.2] } }],
      ["gamma", pos, { init: { shapes: [1, 2], rates: [1, 0.5] } }],
      ["poisson", counts, { init: { lambdas: [2, 8] } }],
      ["negbinomial", counts, { init: { means: [2, 8], sizes: [3, 3] } }],
      ["binomial", counts.map((v) => (Number.isNaN(v) ? v : Math.min(v, 12))), { trials: 12, init: { p: [0.2, 0.7] } }],
    ];
    for (const [family, data, o] of cases) {
      const a = fitSync(data, { family, k: 2, ...o, sampleWeights: w, ...opts } as never) as MixtureModel;
      const b = fitSync(dup(data, w), { family, k: 2, ...o, ...opts } as never) as MixtureModel;
      same(a, b);
    }
  });

  it("agree with the reference missing-data EM with row weights (Σ w_i log Σ_j π_j p(x_i,obs | θ_j)), mvgaussian and bernoulli", () => {
    const rw = X.map(() => 0.2 + 2 * u());
    const m = fitSync(X, { family: "mvgaussian", k: 2, missing: "marginalize", sampleWeights: rw, regCovar: 0, tol: 0, maxIter: 30, init: init3 });
    const ref = missingEM(X, start3, 30, { sampleWeights: rw });
    expect(maxRel(flat(paramsOf(m)), flat(ref.params))).toBeLessThan(1e-10);
    expect(Math.abs(m.logLikelihood - observedLogLik(X, ref.params, { sampleWeights: rw }))).toBeLessThan(1e-9);
    expect(m.nObservations).toBeCloseTo(rw.reduce((s, v, i) => s + (X[i].every(Number.isNaN) ? 0 : v), 0), 9);
    // A moved point is not the reference's (else the test could not tell).
    expect(maxRel(flat(paramsOf(m)), flat(missingEM(X, start3, 30).params))).toBeGreaterThan(1e-4);
    const bits = X.map((r) => r.map((v) => (Number.isNaN(v) ? NaN : v > 0.5 ? 1 : 0)));
    const p0 = [[0.3, 0.6, 0.4], [0.7, 0.3, 0.6]];
    const b = fitSync(bits, { family: "bernoulli", k: 2, missing: "marginalize", sampleWeights: rw, tol: 0, maxIter: 20, init: { p: p0 } });
    const br = missingBernoulliEM(bits, { weights: [0.5, 0.5], p: p0 }, 20, { sampleWeights: rw });
    expect(maxRel([...b.weights, ...b.components.flatMap((c) => c.p)], [...br.weights, ...br.p.flat()])).toBeLessThan(1e-10);
  });

  it("zero weight = the row removed; weights × c = the same parameters (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (seed, c) => {
      const r = mulberry32(seed);
      const data = rowsWithHoles(90, 2, 0.2, seed + 1);
      const wt = data.map(() => (r() < 0.2 ? 0 : 0.1 + 3 * r()));
      const o = { family: "mvgaussian", k: 2, missing: "marginalize", tol: 0, maxIter: 12, init: init2 } as const;
      const a = fitSync(data, { ...o, sampleWeights: wt });
      const kept = wt.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0);
      const b = fitSync(kept.map((i) => data[i]), { ...o, sampleWeights: kept.map((i) => wt[i]) });
      expect(maxRel(numbers(a), numbers(b))).toBeLessThan(1e-10);
      expect(Math.abs(a.logLikelihood - b.logLikelihood)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(b.logLikelihood)));
      const s = fitSync(data, { ...o, sampleWeights: wt.map((v) => v * c) });
      expect(maxRel(numbers(s), numbers(a))).toBeLessThan(1e-9);
      expect(Math.abs(s.logLikelihood - c * a.logLikelihood)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(c * a.logLikelihood)));
    }), { numRuns: 30 });
  });

  it("every path: threads and fitInWorker = fitSync's bits; fitStream chunks { data, sampleWeights } and accumulate + maximize agree", async () => {
    const o = { family: "mvgaussian", k: 2, missing: "marginalize", tol: 0, maxIter: 15, init: init3 } as const;
    const a = fitSync(X, { ...o, sampleWeights: w });
    for (const threads of [2, 3]) {
      const t = await fit(X, { ...o, sampleWeights: w, threads });
      expect(t.components).toEqual(a.components);
      expect(t.weights).toEqual(a.weights);
      expect(t.logLikelihood).toBe(a.logLikelihood);
    }
    const v = await fitInWorker(X, { ...o, sampleWeights: w });
    expect(v.components).toEqual(a.components);
    expect(v.nObservations).toBe(a.nObservations);
    const s = await fitStream(() => [{ data: X.slice(0, 100), sampleWeights: w.slice(0, 100) }, { data: X.slice(100), sampleWeights: w.slice(100) }], o);
    expect(maxRel(numbers(s), numbers(a))).toBeLessThan(1e-10);
    expect(s.nObservations).toBe(a.nObservations);
    expect(s.nMissing).toBe(a.nMissing);
    // One M-step from merged statistics = one iteration of fitSync.
    const one = fitSync(X, { ...o, sampleWeights: w, maxIter: 1 });
    const start = fitSync(X, { ...o, sampleWeights: w, maxIter: 1 });
    const parts = [accumulate(start, X.slice(0, 77), { sampleWeights: w.slice(0, 77) }), accumulate(start, X.slice(77), { sampleWeights: w.slice(77) })];
    const merged = mergeStats(...parts);
    expect(merged.n).toBeCloseTo(a.nObservations, 9);
    const next = maximize(start, merged), two = fitSync(X, { ...o, sampleWeights: w, maxIter: 2 });
    expect(maxRel(numbers(next), numbers(two))).toBeLessThan(1e-12);
    expect(Math.abs(merged.logLikelihood - two.history[0])).toBeLessThan(1e-9);
    expect(one.iterations).toBe(1);
  }, 60_000);

  it("bad input: a MixemError naming the option and index", async () => {
    const o = { family: "mvgaussian", k: 2, missing: "marginalize", init: init3, maxIter: 2 } as const;
    const err = (f: () => unknown, re: RegExp) => { expect(f).toThrow(MixemError); expect(f).toThrow(re); };
    err(() => fitSync(X, { ...o, sampleWeights: w.slice(1) }), /options\.sampleWeights: has 239 weights; the data has 240 points/);
    err(() => fitSync(X, { ...o, sampleWeights: w.map((v, i) => (i === 5 ? -1 : v)) }), /options\.sampleWeights\[5\]: is negative/);
    err(() => fitSync(X, { ...o, sampleWeights: w.map((v, i) => (i === 9 ? NaN : v)) }), /options\.sampleWeights\[9\]: is NaN/);
    // Weights only on rows with nothing observed: nothing to fit.
    err(() => fitSync(X, { ...o, sampleWeights: X.map((r) => (r.every(Number.isNaN) ? 1 : 0)) }), /options\.sampleWeights: are all 0 on the rows with an observed value/);
    await expect(fitStream(() => [{ data: X, sampleWeights: w.slice(2) }], o)).rejects.toThrow(/chunks\[0\]\.sampleWeights: has 238 weights; the data has 240 points/);
  });
});

describe('partial labels with missing: "marginalize"', () => {
  const X = rowsWithHoles(300, 3, 0.2, 5);
  // Every fifth row labelled by its true cluster, rows with NaN among them; rows with nothing observed unlabelled.
  const labels = X.map((r, i) => (i % 5 === 0 && !r.every(Number.isNaN) ? (i % 3 === 0 ? 0 : 1) : -1));

  it("labelled rows with NaN keep one-hot responsibilities: the reference EM with labels (and with weights too)", () => {
    expect(labels.filter((l, i) => l >= 0 && X[i].some(Number.isNaN)).length).toBeGreaterThan(5);
    const m = fitSync(X, { family: "mvgaussian", k: 2, missing: "marginalize", labels, regCovar: 0, tol: 0, maxIter: 30, init: init3 });
    const ref = missingEM(X, start3, 30, { labels });
    expect(maxRel(flat(paramsOf(m)), flat(ref.params))).toBeLessThan(1e-10);
    expect(Math.abs(m.objective - observedLogLik(X, ref.params, { labels }))).toBeLessThan(1e-9);
    expect(Math.abs(m.logLikelihood - observedLogLik(X, ref.params))).toBeLessThan(1e-9);
    expect(m.objective).toBeLessThan(m.logLikelihood);
    const u = mulberry32(2), rw = X.map(() => 0.5 + u());
    const mw = fitSync(X, { family: "mvgaussian", k: 2, missing: "marginalize", labels, sampleWeights: rw, regCovar: 0, tol: 0, maxIter: 30, init: init3 });
    const rw2 = missingEM(X, start3, 30, { labels, sampleWeights: rw });
    expect(maxRel(flat(paramsOf(mw)), flat(rw2.params))).toBeLessThan(1e-10);
    expect(Math.abs(mw.objective - observedLogLik(X, rw2.params, { labels, sampleWeights: rw }))).toBeLessThan(1e-9);
    const bits = X.map((r) => r.map((v) => (Number.isNaN(v) ? NaN : v > 0.5 ? 1 : 0)));
    const p0 = [[0.3, 0.6, 0.4], [0.7, 0.3, 0.6]];
    const b = fitSync(bits, { family: "bernoulli", k: 2, missing: "marginalize", labels, tol: 0, maxIter: 20, init: { p: p0 } });
    const br = missingBernoulliEM(bits, { weights: [0.5, 0.5], p: p0 }, 20, { labels });
    expect(maxRel([...b.weights, ...b.components.flatMap((c) => c.p)], [...br.weights, ...br.p.flat()])).toBeLessThan(1e-10);
    // 1-D: NaN points are unlabelled rows with nothing observed; the labelled ones are fitted as without NaN.
    const x1 = X.map((r) => r[0]);
    const l1 = x1.map((v, i) => (Number.isNaN(v) ? -1 : labels[i]));
    const keep = x1.map((v, i) => (Number.isNaN(v) ? -1 : i)).filter((i) => i >= 0);
    const g = fitSync(x1, { k: 2, missing: "marginalize", labels: l1, tol: 0, maxIter: 20, init: { means: [-1, 1], variances: [1, 1] } });
    const h = fitSync(keep.map((i) => x1[i]), { k: 2, labels: keep.map((i) => l1[i]), tol: 0, maxIter: 20, init: { means: [-1, 1], variances: [1, 1] } });
    expect(g.components).toEqual(h.components);
    expect(g.objective).toBe(h.objective);
  });

  it("the objective never decreases (property: random holes, labels, weights, SQUAREM or not)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.boolean(), fc.boolean(), (seed, squarem, weighted) => {
      const r = mulberry32(seed);
      const data = rowsWithHoles(120, 2, 0.25, seed);
      const lab = data.map((row) => (r() < 0.3 && !row.every(Number.isNaN) ? (r() < 0.5 ? 0 : 1) : -1));
      const deltas: number[] = [];
      const m = fitSync(data, {
        family: "mvgaussian", k: 2, missing: "marginalize", labels: lab, seed, maxIter: 40, tol: 0, accelerate: squarem ? "squarem" : "none",
        ...(weighted ? { sampleWeights: data.map(() => 0.2 + r()) } : {}), onIteration: (i) => { deltas.push(i.delta); },
      });
      for (const d of deltas) expect(d).toBeGreaterThanOrEqual(-1e-12);
      expect(Number.isFinite(m.objective)).toBe(true);
    }), { numRuns: 30 });
  });

  it("every path: threads and fitInWorker = fitSync's bits; fitStream chunks { data, labels }; accumulate's objective", async () => {
    const o = { family: "mvgaussian", k: 2, missing: "marginalize", tol: 0, maxIter: 15, init: init3 } as const;
    const a = fitSync(X, { ...o, labels });
    const t = await fit(X, { ...o, labels, threads: 2 });
    expect(t.components).toEqual(a.components);
    expect(t.objective).toBe(a.objective);
    const v = await fitInWorker(X, { ...o, labels });
    expect(v.components).toEqual(a.components);
    expect(v.objective).toBe(a.objective);
    const s = await fitStream(() => [{ data: X.slice(0, 120), labels: labels.slice(0, 120) }, { data: X.slice(120), labels: labels.slice(120) }], o);
    expect(maxRel(numbers(s), numbers(a))).toBeLessThan(1e-10);
    expect(Math.abs(s.objective - a.objective)).toBeLessThan(1e-9);
    const st = mergeStats(accumulate(a, X.slice(0, 50), { labels: labels.slice(0, 50) }), accumulate(a, X.slice(50), { labels: labels.slice(50) }));
    expect(Math.abs(st.objective! - observedLogLik(X, paramsOf(a), { labels }))).toBeLessThan(1e-9);
  }, 60_000);

  it("bad input: a label on a row with nothing observed, or of the wrong length, names options.labels", () => {
    const o = { family: "mvgaussian", k: 2, missing: "marginalize", init: init3, maxIter: 2 } as const;
    const empty = X.findIndex((r) => r.every(Number.isNaN));
    const bad = labels.map((l, i) => (i === empty ? 1 : l));
    const f = () => fitSync(X, { ...o, labels: bad });
    expect(f).toThrow(MixemError);
    expect(f).toThrow(new RegExp(`options\\.labels\\[${empty}\\]: labels a row with no observed value`));
    expect(() => fitSync(X, { ...o, labels: labels.slice(3) })).toThrow(/options\.labels: has 297 labels; the data has 300 points/);
    expect(() => fitSync(X, { ...o, labels: labels.map((l, i) => (i === 4 ? 2 : l)) })).toThrow(/options\.labels\[4\]/);
  });
});

describe("threads over several shards (complete rows sharded, incomplete rows on the calling thread)", () => {
  it("1-D gaussian, 140 000 points with NaN, sample weights and labels: every thread count gives fitSync's bits", async () => {
    const r = mulberry32(21);
    const x = Array.from({ length: 140_000 }, (_, i) => (i % 17 === 3 ? NaN : (i % 3) * 4 + normal(r)));
    const sampleWeights = x.map((_, i) => 1 + (i % 4));
    const labels = x.map((v, i) => (i % 50 === 0 && !Number.isNaN(v) ? i % 3 : -1));
    const o = { k: 3, missing: "marginalize" as const, sampleWeights, labels, init: { means: [0.5, 3.5, 8.5], variances: [1, 1, 1] }, tol: 0, maxIter: 8 };
    const a = fitSync(x, o);
    for (const threads of [2, 3]) {
      const t = await fit(x, { ...o, threads });
      expect(t.components).toEqual(a.components);
      expect(t.objective).toBe(a.objective);
      expect(t.nObservations).toBe(a.nObservations);
    }
    const rows = x.map((v, i) => [v, i % 5 === 1 ? NaN : (i % 3) * 2 + normal(r)]);
    const mo = { family: "mvgaussian" as const, k: 3, missing: "marginalize" as const, sampleWeights, labels, init: { means: [[0, 0], [4, 2], [8, 4]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]] }, tol: 0, maxIter: 5 };
    const b = fitSync(rows, mo), t = await fit(rows, { ...mo, threads: 2 });
    expect(t.components).toEqual(b.components);
    expect(t.objective).toBe(b.objective);
  }, 120_000);
});

describe('scoreSamples and init "hc" after / with missing: "marginalize"', () => {
  const X = rowsWithHoles(200, 3, 0.2, 9);

  it("scoreSamples: each row's log density of its observed margin (reference), 0 for a row with nothing observed; they add up to score × n", () => {
    const m = fitSync(X, { family: "mvgaussian", k: 2, missing: "marginalize", init: init3, maxIter: 10 });
    const p = paramsOf(m);
    const s = m.scoreSamples(X);
    expect(s.length).toBe(X.length);
    X.forEach((x, i) => {
      const want = x.every(Number.isNaN) ? 0 : (() => {
        const l = p.weights.map((w, j) => Math.log(w) + logMarginal(x, p.means[j], p.covs[j]));
        const mx = Math.max(...l);
        return mx + Math.log(l.reduce((a, v) => a + Math.exp(v - mx), 0));
      })();
      expect(Math.abs(s[i] - want)).toBeLessThan(1e-10 * Math.max(1, Math.abs(want)));
    });
    expect(Math.abs(s.reduce((a, v) => a + v, 0) - m.logLikelihoodOf(X))).toBeLessThan(1e-9);
    const g = fitSync(X.map((r) => r[1]), { k: 2, missing: "marginalize", init: { means: [-1, 1], variances: [1, 1] }, maxIter: 5 });
    const gs = g.scoreSamples(X.map((r) => r[1]));
    X.forEach((r, i) => { if (Number.isNaN(r[1])) expect(gs[i]).toBe(0); else expect(gs[i]).toBe(g.scoreSamples([r[1]])[0]); });
  });

  it('init "hc" partitions the complete rows (the seeding rows) and starts from their classes, then EM runs over all rows', () => {
    const complete = X.filter((r) => !r.some(Number.isNaN));
    // The start, by hand: mclust's hc classes of the complete rows, their shares, means and scatter.
    const cls = hcStarts({ points: Float64Array.from(complete.flat()), dims: 3 }, complete.length, [2], false, 0, mvgaussian).labels.get(2)!;
    const idx = [0, 1].map((j) => complete.map((_, i) => i).filter((i) => cls[i] === j));
    const means = idx.map((I) => [0, 1, 2].map((a) => I.reduce((s, i) => s + complete[i][a], 0) / I.length));
    const covariances = idx.map((I, j) => [0, 1, 2].map((a) => [0, 1, 2].map((b) => I.reduce((s, i) => s + (complete[i][a] - means[j][a]) * (complete[i][b] - means[j][b]), 0) / I.length)));
    const o = { family: "mvgaussian", k: 2, missing: "marginalize", regCovar: 0, tol: 0, maxIter: 20 } as const;
    const byHand = fitSync(X, { ...o, init: { weights: idx.map((I) => I.length / complete.length), means, covariances } });
    const hc = fitSync(X, { ...o, init: "hc" });
    expect(maxRel(numbers(hc), numbers(byHand))).toBeLessThan(1e-9);
    // With a subset (its indices among the complete rows) and sample weights (the subset's own).
    const w = X.map((_, i) => 1 + (i % 3));
    const sub = fitSync(X, { ...o, init: "hc", hcSubset: 40, sampleWeights: w });
    expect(Number.isFinite(sub.logLikelihood)).toBe(true);
    expect(sub.nObservations).toBe(w.reduce((a, v, i) => a + (X[i].every(Number.isNaN) ? 0 : v), 0));
  });
});
