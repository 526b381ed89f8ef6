// The robust families' scale (Spec.robustScale: t, mvt; src/isolation.ts robustScales): the
// variance floor regCovar × scale and the starting scales come from the smaller of the variance and
// (1.4826 · MAD)², so a few far outliers — a sentinel 99999, a sensor glitch — do not push the floor
// above the groups' own variances. Before, 20 points at 1–2·10⁴ beside 2,000 of sd 1 floored both
// groups at 2.38, and one point at 10⁶ put every component on the floor (672) at the same mean.
import { describe, expect, it } from "vitest";
import { fit, fitInWorker, fitStream, fitSync, initSync, loadModel } from "../src/index.js";
import { robustScales, weightedMedian } from "../src/isolation.js";
import { mulberry32, normal } from "./helpers.js";

initSync();

/** The weighted lower median by sorting: the smallest value whose cumulative weight reaches half. */
function sortedMedian(v: number[], w: number[] | null): number {
  const order = v.map((_, i) => i).sort((i, j) => v[i] - v[j]);
  const half = (w ? w.reduce((a, b) => a + b, 0) : v.length) / 2;
  let sum = 0;
  for (const i of order) { sum += w ? w[i] : 1; if (sum >= half) return v[i]; }
  return v[order[order.length - 1]];
}

const ones = (n: number) => new Float64Array(n).fill(1);

describe("weightedMedian (quickselect, three-way partitions)", () => {
  const u = mulberry32(11);
  const cases: [string, number[]][] = [
    ["random", Array.from({ length: 1001 }, () => normal(u))],
    ["even count", Array.from({ length: 1000 }, () => normal(u))],
    ["ascending", Array.from({ length: 999 }, (_, i) => i)],
    ["descending", Array.from({ length: 998 }, (_, i) => -i)],
    ["organ pipe", Array.from({ length: 1000 }, (_, i) => Math.min(i, 999 - i))],
    ["few distinct values", Array.from({ length: 1000 }, () => Math.floor(u() * 3))],
    ["all equal", Array(500).fill(7)],
    ["one value", [4]],
    ["two values", [5, 1]],
  ];
  it.each(cases)("%s: unit weights give the lower median; weighted equals the sorted answer", (_name, values) => {
    expect(weightedMedian(Float64Array.from(values), ones(values.length), values.length)).toBe(sortedMedian(values, null));
    for (const weights of [values.map(() => 1 + Math.floor(u() * 4)), values.map(() => u()), values.map((_, i) => (i % 7 === 0 ? 50 : 0.5))]) {
      const v = Float64Array.from(values), w = Float64Array.from(weights);
      expect(weightedMedian(v, w, v.length)).toBe(sortedMedian(values, weights));
    }
  });
  it("integer weights are duplicated values", () => {
    const values = Array.from({ length: 301 }, () => normal(u)), weights = values.map(() => 1 + Math.floor(u() * 5));
    const copies = values.flatMap((v, i) => Array(weights[i]).fill(v));
    expect(weightedMedian(Float64Array.from(values), Float64Array.from(weights), values.length)).toBe(sortedMedian(copies, null));
  });
  it("past the round limit the rest is sorted: the same answer from any round on", () => {
    for (const [, values] of cases) for (const rounds of [0, 1, 3]) {
      const weights = values.map(() => 1 + Math.floor(u() * 4));
      expect(weightedMedian(Float64Array.from(values), Float64Array.from(weights), values.length, rounds)).toBe(sortedMedian(values, weights));
    }
  });
});

describe("robustScales: per dimension min(variance, (1.4826 · MAD)²)", () => {
  const points = (rows: number[][]) => ({ points: Float64Array.from(rows.flat()), dims: rows[0].length });
  it("far outliers: the MAD's; clean normal data: within a few % of the variance either way, never above it", () => {
    const u = mulberry32(2);
    const rows = Array.from({ length: 4000 }, () => [normal(u), 3 * normal(u)]);
    const clean = robustScales(points(rows), rows.length, [1.0, 9.0], null);
    expect(clean[0]).toBeGreaterThan(0.9); expect(clean[0]).toBeLessThanOrEqual(1);
    expect(clean[1]).toBeGreaterThan(8.1); expect(clean[1]).toBeLessThanOrEqual(9);
    const s = robustScales(points([...rows, [1e6, 0]]), rows.length + 1, [2.5e8, 9], null);
    expect(s[0]).toBeLessThan(1.1); // the variance 2.5·10⁸ left
    expect(s[1]).toBeLessThanOrEqual(9);
  });
  it("the variance where the MAD is 0 (over half equal) and where it is smaller (two groups of equal size)", () => {
    const rows = [...Array(60).fill([3]), ...Array.from({ length: 40 }, (_, i) => [i])];
    expect(robustScales(points(rows), 100, [123], null)[0]).toBe(123);
    const two = [...Array(50).fill([0]), ...Array(50).fill([6])];
    expect(robustScales(points(two), 100, [9], null)[0]).toBe(9); // the lower median 0, the MAD 0 (50 of 100 deviations are 0)
  });
  it("beyond 65,536 rows, one row in each of 65,536 equal strata, ⌊(j + frac(j φ)) n / 65,536⌋", () => {
    const u = mulberry32(6), n = 200_001;
    const x = Float64Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? 1e9 : normal(u)));
    const rows = Array.from({ length: 65536 }, (_, j) => [x[Math.floor(((j + ((j * 0.6180339887498949) % 1)) * n) / 65536)]]);
    const got = robustScales({ points: x, dims: 1 }, n, [1e12], null)[0];
    expect(got).toBe(robustScales(points(rows), rows.length, [1e12], null)[0]);
    expect(got).toBeGreaterThan(0.95); expect(got).toBeLessThan(1.05);
  });
  it("rows stored in a period that divides the stride: the data's MAD, not one phase's (was 1e-12)", () => {
    // 16 sensors a time, sensor 0 steady (sd 1e-6), 2^20 rows: the stride 16 read sensor 0's rows only.
    const u = mulberry32(14), n = 1 << 20;
    const x = Float64Array.from({ length: n }, (_, i) => (i % 16 === 0 ? 3 + 1e-6 * normal(u) : (u() < 0.5 ? 0 : 6) + normal(u)));
    const got = robustScales({ points: x, dims: 1 }, n, [1e12], null)[0];
    expect(got).toBeGreaterThan(16); expect(got).toBeLessThan(21); // two groups 6 apart: (1.4826 · ≈ 3)², as on the rows shuffled
  });
  it("at least 1e-200 × the variance: a group of sd 1e-60 beside points at ±1e100 (its MAD² 1e-119)", () => {
    const u = mulberry32(6);
    const rows = [...Array.from({ length: 2000 }, () => [1e-60 * normal(u)]), [1e100], [-1e100]];
    const variance = 2e200 / rows.length;
    expect(robustScales(points(rows), rows.length, [variance], null)[0]).toBe(variance * 1e-200);
    const own = robustScales(points(rows.slice(0, 2000)), 2000, [1e-100], null)[0]; // the MAD's where it is in range
    expect(own).toBeGreaterThan(0.9e-120); expect(own).toBeLessThan(1.1e-120);
  });
  it("fewer than 20 seed rows of positive weight: the variance (a stream's first chunk of 3 rows gave 2e-8 for 10)", () => {
    const u = mulberry32(14);
    const rows = Array.from({ length: 20 }, () => [normal(u)]);
    expect(robustScales(points(rows.slice(0, 19)), 19, [10], null)[0]).toBe(10);
    expect(robustScales(points(rows), 20, [10], null)[0]).toBeLessThan(10);
    const weights = Float64Array.from(rows, (_, i) => (i === 0 ? 0 : 1)); // 19 of positive weight
    expect(robustScales(points(rows), 20, [10], weights)[0]).toBe(10);
  });
  it("sample weights: rows of weight 0 left out, integer weights as copies", () => {
    const u = mulberry32(4);
    const rows = Array.from({ length: 500 }, () => [normal(u)]), weights = rows.map(() => Math.floor(u() * 4));
    const copies = rows.flatMap((r, i) => Array(weights[i]).fill(r));
    const a = robustScales(points(rows), rows.length, [1e9], Float64Array.from(weights));
    const b = robustScales(points(copies), copies.length, [1e9], null);
    expect(a[0]).toBe(b[0]);
    expect(robustScales(points(rows), rows.length, [1e9], () => Float64Array.from(weights))[0]).toBe(b[0]);
  });
});

describe("t and mvt with far outliers: the groups keep their own variances", () => {
  const u = mulberry32(3);
  const groups = [...Array.from({ length: 1000 }, () => normal(u)), ...Array.from({ length: 1000 }, () => 6 + normal(u))];
  const far = Array.from({ length: 20 }, () => 1e4 * (1 + u()));
  const x = [...groups, ...far];
  const variance = (() => { const m = x.reduce((a, b) => a + b, 0) / x.length; return x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length; })();

  it("t, k 2, 2 groups of sd 1 + 1 % at 1–2·10⁴: both found, variances near 1, no component at the floor (was: both at 2.38)", () => {
    const m = fitSync(x, { family: "t", k: 2 });
    const byMean = [...m.components].sort((a, b) => a.mean - b.mean);
    expect(Math.abs(byMean[0].mean)).toBeLessThan(0.2);
    expect(Math.abs(byMean[1].mean - 6)).toBeLessThan(0.2);
    for (const c of byMean) { expect(c.variance).toBeGreaterThan(0.3); expect(c.variance).toBeLessThan(1.3); }
    expect(m.warnings).toEqual([]);
    // The model records the scale it used (the floor's): the MAD's, far below the variance.
    const scale = m.settings.scale as number[];
    expect(scale[0]).toBeLessThan(variance / 100);
    expect(scale[0]).toBe(robustScales({ points: Float64Array.from(x), dims: 1 }, x.length, [variance], null)[0]);
    expect(loadModel(JSON.parse(JSON.stringify(m))).settings.scale).toEqual(scale);
  });

  it("mvt full and diag, k 3, 3 groups of 500 + one point at 10⁶: the groups (was: every component at the floor, one on the outlier)", () => {
    const v = mulberry32(5), rows: number[][] = [];
    const centres = [[0, 0], [8, 0], [4, 7]];
    for (const c of centres) for (let i = 0; i < 500; i++) rows.push([c[0] + normal(v), c[1] + normal(v)]);
    rows.push([4e5, -3e5]);
    for (const covariance of ["full", "diag"] as const) {
      const m = fitSync(rows, { family: "mvt", k: 3, covariance });
      for (const c of centres) expect(m.components.some((p) => Math.hypot(p.mean[0] - c[0], p.mean[1] - c[1]) < 0.3)).toBe(true);
      expect(m.warnings).toEqual([]);
    }
  });

  it("init \"hc\": the first M-step takes the robust scale too (was: one component on the outliers, one over both groups)", () => {
    const m = fitSync(x, { family: "t", k: 2, init: "hc" });
    const byMean = [...m.components].sort((a, b) => a.mean - b.mean);
    expect(Math.abs(byMean[0].mean)).toBeLessThan(0.2);
    expect(Math.abs(byMean[1].mean - 6)).toBeLessThan(0.2);
    for (const c of byMean) expect(c.variance).toBeLessThan(1.3);
  });

  it("every path takes it: a worker as fitSync, a stream from its first chunk's MAD", async () => {
    const ref = fitSync(x, { family: "t", k: 2, seed: 4 });
    const inWorker = await fitInWorker(x, { family: "t", k: 2, seed: 4 });
    expect(inWorker.logLikelihood).toBe(ref.logLikelihood);
    expect(inWorker.settings.scale).toEqual(ref.settings.scale);
    // Shuffled, so that the first chunk holds some outliers and both groups.
    const w = mulberry32(9), shuffled = [...x];
    for (let i = shuffled.length - 1; i > 0; i--) { const j = Math.floor(w() * (i + 1)); [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]; }
    const chunks = [0, 1, 2, 3].map((c) => Float64Array.from(shuffled.slice(c * 505, (c + 1) * 505)));
    const streamed = await fitStream(() => chunks, { family: "t", k: 2, seed: 4 });
    const first = robustScales({ points: chunks[0], dims: 1 }, chunks[0].length, [variance], null)[0];
    expect((streamed.settings.scale as number[])[0]).toBe(first);
    expect(streamed.components.map((c) => Math.round(c.mean)).sort()).toEqual([0, 6]);
  });

  it("threads: 140,000 points + 1 % far, 2 threads give fitSync's bits (the scale over all the data)", async () => {
    const v = mulberry32(8);
    const big = Float64Array.from({ length: 141_400 }, (_, i) => (i < 70_000 ? normal(v) : i < 140_000 ? 6 + normal(v) : 1e4 * (1 + v())));
    const opts = { family: "t", k: 2, seed: 1, maxIter: 20 } as const;
    const one = fitSync(big, opts), two = await fit(big, { ...opts, threads: 2 });
    expect(two.settings.scale).toEqual(one.settings.scale);
    expect(two.logLikelihood).toBe(one.logLikelihood);
    expect((one.settings.scale as number[])[0]).toBeLessThan(25); // the MAD's (two groups 6 apart: ≈ 20), not the variance (≈ 10⁶)
    expect(one.warnings).toEqual([]);
  });
});

describe("a floor that keeps every squared distance finite (the robust scale ≥ 1e-200 × the variance)", () => {
  // Within the data limits (|x| ≤ 1e150, sd ≥ 1e-140): 2 groups of sd 1e-60 and two points at ±1e100.
  // The MAD's floor (1e-125) made δ²/σ² of the far points overflow: their log density −∞ under
  // scoreSamples while the fit's log-likelihood (the kernel's log of +∞ is finite) stayed finite.
  const u = mulberry32(12);
  const x = [...Array.from({ length: 2000 }, (_, i) => (i < 1000 ? 0 : 6e-60) + 1e-60 * normal(u)), 1e100, -1e100];
  const rows = x.map((v) => [v, normal(u)]);
  const cases: [string, () => ReturnType<typeof fitSync>, ArrayLike<unknown>][] = [
    ["t k 1", () => fitSync(x, { family: "t", k: 1 }), x],
    ["t k 2", () => fitSync(x, { family: "t", k: 2 }), x],
    ["mvt full k 1", () => fitSync(rows, { family: "mvt", k: 1 }), rows],
    ["mvt diag k 2", () => fitSync(rows, { family: "mvt", k: 2, covariance: "diag" }), rows],
  ];
  it.each(cases)("%s: every training point's log density finite, and they add up to the log-likelihood", (_name, make, data) => {
    const m = make();
    const scores = m.scoreSamples(data as number[]);
    expect(Array.from(scores).every(Number.isFinite)).toBe(true);
    const sum = Array.from(scores).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - m.logLikelihood)).toBeLessThan(1e-9 * Math.abs(m.logLikelihood));
  });
});

describe("degeneracy checks with a scale beyond 1e±154 (√(s_a s_b) left the doubles)", () => {
  // A column of sd 1e-100 (scale 1e-200: s² underflows to 0) or 1e149 (s² overflows): every
  // covariance was "not positive definite", its smallest eigenvalue "at the floor".
  const u = mulberry32(13);
  for (const [sx, sy] of [[1e-100, 1], [1e-100, 1e-100], [1e149, 1], [1e149, 1e149]]) {
    it(`mvt and mvgaussian, column sds ${sx} and ${sy}, 2 groups: no warnings`, () => {
      const rows = Array.from({ length: 1000 }, (_, i) => [((i % 2) * 6 + normal(u)) * sx, normal(u) * sy]);
      for (const family of ["mvt", "mvgaussian"] as const) expect(fitSync(rows, { family, k: 2, seed: 1 }).warnings).toEqual([]);
    });
  }
});

describe("mvt with far outliers: a floor of at least 64 d ε tr Σ̃ (the robust scale can be 10⁻²⁰ of a component's spread)", () => {
  // A component over a far point and a group has Σ̃ = D^-½ Σ D^-½ of 10¹¹…10²⁴ along one direction,
  // the floor regCovar × the robust scale across it: the Cholesky test and the eigen-projection,
  // exact to ~d ε λ_max, let through Σ that were not positive definite — DEGENERATE errors (7 of 15
  // fits below, 2 of 18 in 10-D at 10⁶) where the variance's floor fitted every one.
  it("2-D, a column and 1.8 × it + 32 (°C and °F), one row at 10¹⁰: every fit finishes", () => {
    for (const far of [1e10]) for (const seed of [1, 2, 3, 4, 5]) for (const k of [2, 3, 4]) {
      const u = mulberry32(seed);
      const c = [...Array.from({ length: 2000 }, (_, i) => (i % 2 ? 20 : 5) + normal(u)), far];
      expect(() => fitSync(c.map((v) => [v, 1.8 * v + 32]), { family: "mvt", k, seed })).not.toThrow();
    }
  });
  it("10-D, 3 groups and two rows at 10⁶: every fit finishes, the groups found", () => {
    const u = mulberry32(8), d = 10;
    const rows = Array.from({ length: 1500 }, (_, i) => { const c = (i % 3) * 8 + normal(u); return Array.from({ length: d }, (_, a) => (a ? normal(u) : c)); });
    rows.push(Array.from({ length: d }, (_, a) => 1e6 * (a % 2 ? 1 : -0.5)), Array.from({ length: d }, (_, a) => 1e6 * (a % 2 ? -0.3 : 0.7)));
    for (const seed of [1, 2, 3]) for (const covariance of ["full", "tied"] as const) {
      const m = fitSync(rows, { family: "mvt", k: 4, seed, covariance });
      for (const centre of [0, 8, 16]) expect(m.components.some((p) => Math.abs(p.mean[0] - centre) < 0.5)).toBe(true);
    }
  });
});
