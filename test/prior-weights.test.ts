// The prior's data-based defaults under sample weights (frequency weights): a row of weight 0 is as
// if removed and integer weights are duplicated rows also with `prior: true` (or a prior object that
// leaves some keys to their defaults), on every path.
import { describe, expect, it } from "vitest";
import { fit, fitInWorker, fitStream, fitSync, initSync, selectK, selectKAsync } from "../src/index.js";
import { mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const u = mulberry32(2026);
const N = 120;
const x = Array.from({ length: N }, (_, i) => (i % 2) * 4 + normal(u) * (0.6 + (i % 2) * 0.4));
const rows = x.map((v, i) => [v, (i % 2) * 3 + 0.5 * v + normal(u) * 0.8, normal(u) * (1 + (i % 2))]);
const counts = Array.from({ length: N }, (_, i) => poissonDraw(u, i % 2 ? 9 : 2));
const positive = x.map((v) => Math.exp(v / 3));
const trials = Array.from({ length: N }, (_, i) => 5 + (i % 7));
const successes = trials.map((t, i) => Math.min(t, Math.round(t * (i % 2 ? 0.7 : 0.2) + normal(u))) || 0);
const w = Array.from({ length: N }, (_, i) => 1 + (i % 3) + 2 * (i % 2)); // integer weights, heavier on the second cluster

/** Every number of a model (weights, components, log-likelihood, the resolved prior). */
const numbers = (m: { weights: ArrayLike<number>; components: readonly object[]; logLikelihood: number; settings: Record<string, unknown> }) =>
  [...Array.from(m.weights), m.logLikelihood, ...JSON.stringify([m.components, m.settings.prior]).match(/-?\d[\d.e+-]*/g)!.map(Number)];
const agree = (a: number[], b: number[], tol: number) => {
  expect(a.length).toBe(b.length);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1, Math.abs(b[i]))));
  expect(worst).toBeLessThan(tol);
};
const bitsOf = (m: { weights: ArrayLike<number>; components: readonly object[]; logLikelihood: number; settings: Record<string, unknown> }) =>
  JSON.stringify([Array.from(m.weights), m.components, m.logLikelihood, m.settings.prior]);

// Each case: data, an outlier row far out (that would move the prior's mean and scale), options.
type Case = [string, unknown[], unknown, Record<string, unknown>];
const cases: Case[] = [
  ["gaussian", x, 500, { k: 2 }],
  ["gaussian, a prior object with the mean and scale left to the data", x, 500, { k: 2, prior: { shrinkage: 0.5, dof: 4 } }],
  ["gaussian E", x, -400, { k: 2, covariance: "E" }],
  ["mvgaussian VVV (dense scale)", rows, [300, -200, 100], { family: "mvgaussian", k: 2 }],
  ["mvgaussian EEE (dense scale)", rows, [300, -200, 100], { family: "mvgaussian", k: 2, covariance: "EEE" }],
  ["mvgaussian VVI (scalar scale)", rows, [300, -200, 100], { family: "mvgaussian", k: 2, covariance: "VVI" }],
  ["mvgaussian VII (scalar scale)", rows, [300, -200, 100], { family: "mvgaussian", k: 2, covariance: "VII" }],
  ["poisson", counts, 400, { family: "poisson", k: 2 }],
  ["exponential", positive, 900, { family: "exponential", k: 2 }],
  ["lognormal", positive, 1e6, { family: "lognormal", k: 2 }],
  ["binomial, per-row trials", successes, 700, { family: "binomial", k: 2, trials: [...trials, 2000] }],
  ["independent (gaussian, poisson)", x.map((v, i) => [v, counts[i]]), [500, 400], { family: "independent", k: 2, columns: [{ family: "gaussian" }, { family: "poisson" }] }],
];
/** The options of a case on `n` of its rows (binomial's trials cut to them). */
const cut = (o: Record<string, unknown>, n: number) => (Array.isArray(o.trials) ? { ...o, trials: o.trials.slice(0, n) } : o);
const trialsOf = (o: Record<string, unknown>, idx: number[]) => (Array.isArray(o.trials) ? { ...o, trials: idx.map((i) => (o.trials as number[])[i]) } : o);

describe("prior defaults under sample weights", () => {
  for (const [name, data, outlier, options] of cases) {
    const o = { prior: true, seed: 3, maxIter: 60, tol: 0, ...options };
    it(`${name}: a zero-weight outlier is the row removed (fitSync, to ~1e-10)`, () => {
      const without = fitSync(data as never, { ...cut(o, N), sampleWeights: w } as never);
      const zero = fitSync([...data, outlier] as never, { ...o, sampleWeights: [...w, 0] } as never);
      expect(zero.settings.prior).toBeDefined();
      agree(numbers(zero), numbers(without), 1e-10);
    });
    it(`${name}: integer weights are duplicated rows`, () => {
      const idx = data.flatMap((_, i) => Array<number>(w[i]).fill(i));
      const init = fitSync(data as never, { ...cut(o, N), maxIter: 3, prior: false } as never); // one start for both
      const a = fitSync(data as never, { ...cut(o, N), init, sampleWeights: w } as never);
      const b = fitSync(idx.map((i) => data[i]) as never, { ...trialsOf(cut(o, N), idx), init } as never);
      agree(numbers(a), numbers(b), 1e-9);
    });
  }

  it("the resolved defaults are the weighted moments (gaussian: Σw x/Σw, Σw (x − x̄_w)²/(Σw − 1)/k²)", () => {
    const m = fitSync(x, { k: 2, prior: true, sampleWeights: w, maxIter: 1 });
    const W = w.reduce((s, v) => s + v, 0), mean = x.reduce((s, v, i) => s + w[i] * v, 0) / W;
    const variance = x.reduce((s, v, i) => s + w[i] * (v - mean) ** 2, 0) / (W - 1);
    const p = m.settings.prior as { mean: number; scale: number };
    expect(Math.abs(p.mean - mean)).toBeLessThan(1e-13 * Math.abs(mean));
    expect(Math.abs(p.scale - variance / 4)).toBeLessThan(1e-13 * variance);
    // Weights summing to 1 (not counts): the population variance, not a negative one.
    const norm = w.map((v) => v / W);
    const q = fitSync(x, { k: 2, prior: true, sampleWeights: norm, maxIter: 1 }).settings.prior as { mean: number; scale: number };
    expect(Math.abs(q.scale - (variance * (W - 1)) / W / 4)).toBeLessThan(1e-12 * variance);
    // Without weights: the unweighted defaults as before (n − 1).
    const r = fitSync(x, { k: 2, prior: true, maxIter: 1 }).settings.prior as { mean: number; scale: number };
    const m0 = x.reduce((s, v) => s + v, 0) / N;
    expect(Math.abs(r.scale - x.reduce((s, v) => s + (v - m0) ** 2, 0) / (N - 1) / 4)).toBeLessThan(1e-13 * variance);
  });

  it("weights that sum to 1 + 2^-52 (scaled to sum 1, rounded) or are subnormal: the population moments", () => {
    // 49 × (1/49) adds up to 1 + 6.7e-16: Σ w (x − x̄)² was divided by Σ w − 1 = 6.7e-16 (scale 2e15, variances 4e14).
    const n = 49, xs = x.slice(0, n);
    const mean = xs.reduce((s, v) => s + v, 0) / n, pop = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    for (const weight of [1 / n, 5e-324, 1e-320]) {
      const ws = new Array<number>(n).fill(weight);
      const p = fitSync(xs, { k: 2, seed: 1, prior: true, sampleWeights: ws, maxIter: 1 }).settings.prior as { mean: number; scale: number };
      expect(Math.abs(p.mean - mean)).toBeLessThan(1e-13 * Math.abs(mean));
      expect(Math.abs(p.scale - pop / 4)).toBeLessThan(1e-12 * pop);
      const r = fitSync(rows.slice(0, n), { family: "mvgaussian", k: 2, seed: 1, prior: true, sampleWeights: ws, maxIter: 1 }).settings.prior as { scale: number[][] };
      expect(Math.abs(r.scale[0][0] / (pop / 2 ** (2 / 3)) - 1)).toBeLessThan(1e-12);
    }
    // Just above 1 and just below 1: the same prior (the divisor max(Σw − 1, min(Σw, 1)) is continuous).
    const at = (c: number) => (fitSync(xs, { k: 2, prior: true, sampleWeights: new Array<number>(n).fill(c / n), maxIter: 1 }).settings.prior as { scale: number }).scale;
    expect(at(1.0001) / at(0.9999)).toBeCloseTo(1, 3);
  });

  it("fit on threads and fitInWorker give fitSync's bits; fitStream the same prior and fit", async () => {
    const big = Array.from({ length: 4000 }, (_, i) => (i % 2) * 4 + normal(u) * (0.6 + (i % 2) * 0.4));
    const bw = big.map((_, i) => (i % 5) / 2);
    bw[7] = 0;
    big[7] = 1e4; // an outlier of weight 0
    const o = { k: 2, seed: 4, prior: true, maxIter: 30, sampleWeights: bw } as const;
    const a = fitSync(big, o);
    for (const threads of [2, 3]) expect(bitsOf(await fit(big, { ...o, threads }))).toBe(bitsOf(a));
    expect(bitsOf(await fitInWorker(big, o))).toBe(bitsOf(a));
    const mv = big.map((v, i) => [v, (i % 3) + normal(u)]);
    const mo = { family: "mvgaussian", k: 2, seed: 4, prior: true, maxIter: 20, sampleWeights: bw } as const;
    const b = fitSync(mv, mo);
    expect(bitsOf(await fit(mv, { ...mo, threads: 2 }))).toBe(bitsOf(b));
    expect(bitsOf(await fitInWorker(mv, mo))).toBe(bitsOf(b));
    // A stream's prior defaults come from its first chunk, weighted: one chunk = fitSync up to the chunked sums.
    const init = { means: [0, 4], variances: [1, 1] };
    const one = await fitStream(() => [{ data: x.concat(500), sampleWeights: [...w, 0] }], { k: 2, init, prior: true, maxIter: 40, tol: 0 });
    const whole = fitSync(x, { k: 2, init, prior: true, sampleWeights: w, maxIter: 40, tol: 0 });
    agree(numbers(one), numbers(whole), 1e-10);
    // In chunks, the zero-weight outlier in the first chunk: as if removed.
    const chunks = (withOutlier: boolean) => () => [
      { data: withOutlier ? [...x.slice(0, 60), 500] : x.slice(0, 60), sampleWeights: withOutlier ? [...w.slice(0, 60), 0] : w.slice(0, 60) },
      { data: x.slice(60), sampleWeights: w.slice(60) },
    ];
    const s1 = await fitStream(chunks(true), { k: 2, init, prior: true, maxIter: 40, tol: 0 });
    const s2 = await fitStream(chunks(false), { k: 2, init, prior: true, maxIter: 40, tol: 0 });
    agree(numbers(s1), numbers(s2), 1e-10);
    expect(s2.settings.prior).toEqual(fitSync(x.slice(0, 60), { k: 2, init, prior: true, sampleWeights: w.slice(0, 60), maxIter: 1 }).settings.prior);
  });

  it("selectK, selectKAsync on workers: a zero-weight outlier is the row removed, prior and all", async () => {
    const r = selectK([...x, 500], { kRange: [1, 3], prior: true, sampleWeights: [...w, 0], seed: 1 });
    const s = selectK(x, { kRange: [1, 3], prior: true, sampleWeights: w, seed: 1 });
    r.scores.forEach((e, i) => {
      expect(e.model).not.toBeNull();
      agree(numbers(e.model!), numbers(s.scores[i].model!), 1e-10);
    });
    // k-means++ starts here; init "hc" (selectK's default for mvgaussian) in the next test.
    const mv = [...rows, [300, -200, 100]], mw = [...w, 0];
    const o = { family: "mvgaussian" as const, covariance: ["VVV" as const, "VII" as const], kRange: [1, 3] as [number, number], prior: true, sampleWeights: mw, init: "kmeans++" as const, seed: 1 };
    const sync = selectK(mv, o), threaded = await selectKAsync(mv, { ...o, threads: 2 });
    const removed = selectK(rows, { ...o, sampleWeights: w });
    sync.scores.forEach((e, i) => {
      expect(bitsOf(threaded.scores[i].model!)).toBe(bitsOf(e.model!));
      agree(numbers(e.model!), numbers(removed.scores[i].model!), 1e-9);
    });
  });
});

describe('init "hc" under sample weights: rows of weight 0 take no part in the partition', () => {
  const mv = [...rows.slice(0, 60), [300, -200, 100], ...rows.slice(60)], mw = [...w.slice(0, 60), 0, ...w.slice(60)];
  it("selectK (mvgaussian's default start), selectKAsync on workers: a zero-weight outlier is the row removed", async () => {
    const o = { family: "mvgaussian" as const, covariance: ["VVV" as const, "EII" as const], kRange: [1, 4] as [number, number], prior: true, seed: 1 };
    const sync = selectK(mv, { ...o, sampleWeights: mw }), removed = selectK(rows, { ...o, sampleWeights: w });
    const threaded = await selectKAsync(mv, { ...o, sampleWeights: mw, threads: 2 });
    sync.scores.forEach((e, i) => {
      expect(e.model).not.toBeNull();
      agree(numbers(e.model!), numbers(removed.scores[i].model!), 1e-9);
      expect(bitsOf(threaded.scores[i].model!)).toBe(bitsOf(e.model!));
    });
  });
  it("fitSync with init hc, 1-D (quantile classes) and rows, also when the partition runs on a subset", () => {
    for (const [data, out, extra] of [[x, 1e4, {}], [rows, [300, -200, 100], { family: "mvgaussian" }], [rows, [300, -200, 100], { family: "mvgaussian", hcSubset: 50 }]] as const) {
      const o = { k: 3, init: "hc", maxIter: 30, tol: 0, ...extra } as never;
      const given = [...(data as unknown[]).slice(0, 60), out, ...(data as unknown[]).slice(60)];
      const zero = fitSync(given as never, { ...(o as object), sampleWeights: mw } as never);
      const removed = fitSync(data as never, { ...(o as object), sampleWeights: w } as never);
      if ((extra as { hcSubset?: number }).hcSubset) {
        // The subset is drawn from the positive-weight rows by index: the same rows' values, so the same fit.
        expect(Number.isFinite(zero.logLikelihood)).toBe(true);
        const means = (m: typeof zero) => (m.components as unknown as { mean: number[] }[]).map((c) => c.mean);
        for (const mean of means(zero)) for (const v of mean) expect(Math.abs(v)).toBeLessThan(50);
      } else agree(numbers(zero), numbers(removed), 1e-10);
    }
  });
});

describe('init "hc" with few rows of positive weight: errors that say so', () => {
  it("1-D: fewer positive-weight rows than k is too few points (it said a class was left empty); rows: the count is of positive weight", () => {
    const w1 = x.map((_, i) => (i === 3 ? 1 : 0));
    expect(() => fitSync(x, { k: 2, init: "hc", sampleWeights: w1 })).toThrow(expect.objectContaining({ code: "INVALID_DATA", reason: "TOO_FEW_DISTINCT" }));
    const w2 = rows.map((_, i) => (i < 2 ? 1 : 0));
    expect(() => fitSync(rows, { family: "mvgaussian", k: 2, init: "hc", sampleWeights: w2 })).toThrow(/needs more rows than dimensions \(2 rows of positive weight, 3 dimensions\)/);
  });
});

describe("prior defaults with missing values (marginalize): each column's observed values, weighted", () => {
  const holes = rows.map((r, i) => (i % 5 === 1 ? [r[0], NaN, r[2]] : i % 7 === 2 ? [NaN, r[1], NaN] : r));
  it("the mean and variances are the observed values' (weighted); a zero-weight incomplete outlier is the row removed", () => {
    for (const covariance of ["VVV", "VVI"] as const) {
      const o = { family: "mvgaussian", covariance, k: 2, seed: 2, prior: true, missing: "marginalize", maxIter: 40, tol: 0 } as const;
      const m = fitSync(holes, { ...o, sampleWeights: w });
      const p = m.settings.prior as { mean: number[]; scale: number | number[][] };
      for (let a = 0; a < 3; a++) {
        const seen = holes.map((r, i) => [r[a], w[i]]).filter(([v]) => !Number.isNaN(v));
        const W = seen.reduce((s, [, v]) => s + v, 0), mean = seen.reduce((s, [v, q]) => s + q * v, 0) / W;
        expect(Math.abs(p.mean[a] - mean)).toBeLessThan(1e-12 * Math.max(1, Math.abs(mean)));
        if (covariance === "VVV") {
          const variance = seen.reduce((s, [v, q]) => s + q * (v - mean) ** 2, 0) / (W - 1);
          expect(Math.abs((p.scale as number[][])[a][a] - variance * Math.pow(1 / 2, 2 / 3))).toBeLessThan(1e-12 * variance);
        }
      }
      const zero = fitSync([...holes, [NaN, 900, -900]], { ...o, sampleWeights: [...w, 0] });
      agree(numbers(zero), numbers(m), 1e-10);
    }
  });
  it("few complete rows: the prior still has its defaults (before: from the complete rows alone, a singular scale)", () => {
    // Two complete rows, equal in the last column: their variance there is 0.
    const sparse = rows.map((r, i) => (i < 2 ? [r[0], r[1], 1] : i % 2 ? [r[0], NaN, r[2]] : [NaN, r[1], r[2]]));
    const m = fitSync(sparse, { family: "mvgaussian", k: 2, seed: 1, prior: true, missing: "marginalize", maxIter: 20, sampleWeights: w });
    expect(Number.isFinite(m.logLikelihood)).toBe(true);
    const unweighted = fitSync(sparse, { family: "mvgaussian", k: 2, seed: 1, prior: true, missing: "marginalize", maxIter: 20 });
    expect(Number.isFinite(unweighted.logLikelihood)).toBe(true);
  });
});
