// Degenerate data: each case has its documented outcome (a regularised fit, a clear error, or a
// stable symmetric fit) and never a NaN.
import { describe, expect, it } from "vitest";
import { fitSync, initSync, MixemError, type MixtureModel, type MvGaussianComponent } from "../src/index.js";
import { symmetricEigen } from "../src/linalg.js";

initSync();
const finite = (m: MixtureModel) =>
  expect([m.logLikelihood, ...m.weights, ...m.components.flatMap((c) => Object.values(c).flat(2) as number[])].every(Number.isFinite)).toBe(true);
const rejects = (f: () => unknown, code: string, message: RegExp) => {
  let error: unknown;
  try { f(); } catch (e) { error = e; }
  expect(error).toBeInstanceOf(MixemError);
  expect((error as MixemError).code).toBe(code);
  expect((error as Error).message).toMatch(message);
};

describe("all points identical", () => {
  it("k = 1 fits every family (variances at the floor regCovar × 1)", () => {
    const g = fitSync([4, 4, 4], { k: 1 });
    expect(g.components[0]).toEqual({ mean: 4, variance: 1e-6 });
    const mv = fitSync([[1, 2], [1, 2], [1, 2]], { family: "mvgaussian", k: 1 });
    expect((mv.components[0] as MvGaussianComponent).covariance).toEqual([[1e-6, 0], [0, 1e-6]]);
    expect(fitSync([3, 3, 3], { family: "poisson", k: 1 }).components[0]).toEqual({ lambda: 3 });
    expect(fitSync([3, 3, 3], { family: "binomial", trials: 5, k: 1 }).components[0]).toEqual({ p: 0.6 });
    for (const m of [g, mv]) finite(m);
  });
  it("k > 1 is an error naming the number of distinct values, for every family", () => {
    rejects(() => fitSync([4, 4, 4], { k: 2 }), "INVALID_DATA", /^data: has fewer than k = 2 distinct values \(1\)/);
    rejects(() => fitSync([[1, 2], [1, 2], [1, 2]], { family: "mvgaussian", covariance: "diag", k: 2 }), "INVALID_DATA", /fewer than k = 2 distinct rows \(1\)/);
    rejects(() => fitSync([[1, 0], [1, 0]], { family: "bernoulli", k: 2 }), "INVALID_DATA", /fewer than k = 2 distinct rows/);
    rejects(() => fitSync([2, 4, 2, 4], { family: "binomial", trials: [5, 10, 5, 10], k: 2 }), "INVALID_DATA", /fewer than k = 2 distinct values \(1\)/);
  });
});

describe("fewer distinct values than k", () => {
  it("is an error (k-means++ could not seed k different components)", () => {
    rejects(() => fitSync([1, 2, 1, 2, 1], { k: 3 }), "INVALID_DATA", /^data: has fewer than k = 3 distinct values \(2\); lower options\.k/);
    rejects(() => fitSync([0, 1, 0, 1], { family: "poisson", k: 3 }), "INVALID_DATA", /fewer than k = 3/);
  });
});

describe("a component that captures a single point", () => {
  it("1-D and full covariance: the component keeps the floor, the fit is finite", () => {
    const x = [0, 0.1, -0.2, 0.3, 0.05, 50];
    const m = fitSync(x, { k: 2, init: { means: [0, 50], variances: [1, 1] } });
    finite(m);
    expect((m.components[1] as { variance: number }).variance).toBeGreaterThan(0);
    const rows = [[0, 0], [0.1, 0.2], [-0.2, 0.1], [0.3, -0.1], [0.2, 0.3], [50, 50]];
    const mv = fitSync(rows, { family: "mvgaussian", k: 2, init: { means: [[0, 0], [50, 50]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] } });
    finite(mv);
    expect(Math.min(...symmetricEigen((mv.components[1] as MvGaussianComponent).covariance.flat(), 2).values)).toBeGreaterThan(0);
  });
});

describe("two identical initial components", () => {
  it("stay identical (EM cannot break the symmetry) and the fit is finite; k-means++ never starts them so", () => {
    const x = [1, 2, 3, 10, 11, 12];
    const m = fitSync(x, { k: 2, init: { means: [5, 5], variances: [4, 4] } });
    finite(m);
    expect(m.components[0]).toEqual(m.components[1]);
    const seeded = fitSync(x, { k: 2 });
    expect(seeded.components[0]).not.toEqual(seeded.components[1]);
  });
});

describe("perfectly separated clusters 1e12 apart", () => {
  const x = [0, 1, 2, 3, 1e12, 1e12 + 1, 1e12 + 2, 1e12 + 3];
  it("labels and means are exact; the default floor (relative to the overall variance) dominates the variances", () => {
    const m = fitSync(x, { k: 2 });
    finite(m);
    expect(Array.from(m.predict(x))).toEqual(m.predict([0])[0] === 0 ? [0, 0, 0, 0, 1, 1, 1, 1] : [1, 1, 1, 1, 0, 0, 0, 0]);
    const byMean = [...(m.components as { mean: number; variance: number }[])].sort((a, b) => a.mean - b.mean);
    expect(byMean[0].mean).toBe(1.5);
    expect(byMean[1].mean).toBe(1e12 + 1.5);
    const overall = 0.25e24; // population variance of x
    expect(byMean[0].variance).toBeCloseTo(1e-6 * overall, -6);
  });
  it("with a smaller regCovar the within-cluster variances are exact", () => {
    const m = fitSync(x, { k: 2, regCovar: 1e-30 });
    for (const c of m.components as readonly { variance: number }[]) expect(c.variance).toBeCloseTo(1.25, 9);
  });
});

describe("data on a lower-dimensional subspace (full covariance)", () => {
  const plane = Array.from({ length: 60 }, (_, i) => { const a = Math.sin(i), b = Math.cos(3 * i); return [a, b, 2 * a - b]; });
  it("default: a regularised fit whose covariances are positive definite", () => {
    const m = fitSync(plane, { family: "mvgaussian", k: 2 });
    finite(m);
    for (const c of m.components as MvGaussianComponent[]) expect(Math.min(...symmetricEigen(c.covariance.flat(), 3).values)).toBeGreaterThan(0);
  });
  it("regCovar: 0 is a DEGENERATE error naming the component", () => {
    rejects(() => fitSync(plane, { family: "mvgaussian", k: 1, regCovar: 0 }), "DEGENERATE", /^fit: the covariance of component 0 is not positive definite/);
  });
});

describe("values the densities cannot represent", () => {
  it("are rejected with a clear error instead of overflowing", () => {
    rejects(() => fitSync([0, 1e200], { k: 1 }), "INVALID_DATA", /^data\[1\]: 1e\+200 is beyond ±1e150/);
    rejects(() => fitSync([0, -3.5e-162], { k: 1 }), "INVALID_DATA", /^data: has a variance of .* below 1e-280/);
    rejects(() => fitSync([0, 2 ** 60], { family: "poisson", k: 1 }), "INVALID_DATA", /^data\[1\]: .* is above 2\^53/);
  });
});
