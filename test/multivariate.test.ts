// mvgaussian (full / tied / diag / spherical) and bernoulli: the WASM path against the
// plain-TypeScript references, data shapes, init forms, errors, and the covariance floor.
import { describe, expect, it } from "vitest";
import { fitSync, initSync, loadModel, MixemError, type MvGaussianComponent } from "../src/index.js";
import { floorCovariance, symmetricEigen } from "../src/linalg.js";
import { referenceEM } from "./reference/em.js";
import { bernoulliRef, mvGaussianRef, type CovarianceType } from "./reference/mv.js";
import { drawLabels, maxRelErr, mulberry32, normal } from "./helpers.js";

initSync();

function mvProblem(seed: number, type: CovarianceType) {
  const u = mulberry32(seed);
  const d = 2 + Math.floor(u() * 4), k = 2 + Math.floor(u() * 3), n = 150 + Math.floor(u() * 250);
  const weights = Array.from({ length: k }, () => 0.3 + u()).map((w, _, a) => w / a.reduce((s, v) => s + v, 0));
  const means = Array.from({ length: k }, () => Array.from({ length: d }, () => (u() - 0.5) * 12));
  const factors = Array.from({ length: k }, () => Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (b < a ? u() - 0.5 : b === a ? 0.5 + u() : 0))));
  const x = drawLabels(u, n, weights).map((j) => {
    const z = Array.from({ length: d }, () => normal(u));
    return means[j].map((m, a) => m + factors[j][a].reduce((s, l, b) => s + l * z[b], 0));
  });
  const initMeans = means.map((m) => m.map((v) => v + 0.5 * normal(u)));
  const variances = Array.from({ length: k }, () => Array.from({ length: d }, () => 1 + u()));
  const diag = (v: number[]) => v.map((vi, a) => v.map((_, b) => (a === b ? vi : 0)));
  // Explicit init in the compact form of each type; the reference gets the full matrices.
  const tiedCov = diag(variances[0]);
  const covariances = { full: variances.map(diag), tied: variances.map(() => tiedCov), diag: variances, spherical: variances.map((v) => v[0]) }[type];
  const refCov = {
    full: variances.map(diag), tied: variances.map(() => tiedCov), diag: variances.map(diag),
    spherical: variances.map((v) => diag(v.map(() => v[0]))),
  }[type];
  const theta0 = initMeans.map((m, j) => [...m, ...refCov[j].flat()]);
  const weights0 = Array.from({ length: k }, () => 1 / k);
  return { x, d, k, theta0, weights0, init: { means: initMeans, covariances } };
}

const flatten = (c: MvGaussianComponent) => [...c.mean, ...c.covariance.flat()];

describe.each(["full", "tied", "diag", "spherical"] as const)("mvgaussian %s: WASM matches the reference EM", (covariance) => {
  for (const mode of ["soft", "hard"] as const) {
    it(`${mode}, 8 random problems, learned and fixed weights, 1e-9 relative`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const pr = mvProblem(seed * 31 + (mode === "hard" ? 7 : 0) + covariance.length, covariance);
        const fixWeights = seed % 4 === 0;
        const maxIter = 20;
        const model = fitSync(pr.x, { family: "mvgaussian", covariance, k: pr.k, init: pr.init as never, mode, fixWeights, maxIter, tol: 0 });
        const ref = referenceEM(mvGaussianRef(pr.x, covariance), pr.x, null, pr.theta0, pr.weights0, { maxIter, tol: 0, mode, fixWeights });
        expect(maxRelErr(model.history, ref.history)).toBeLessThan(1e-9);
        expect(maxRelErr(model.weights, ref.weights)).toBeLessThan(1e-9);
        const got = (model.components as MvGaussianComponent[]).flatMap(flatten);
        // Off-diagonal zeros compare exactly; everything else relatively.
        expect(maxRelErr(got, ref.theta.flat())).toBeLessThan(1e-9);
      }
    });
  }

  it("soft EM never decreases the log-likelihood (k-means++ starts)", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const pr = mvProblem(seed * 977, covariance);
      const h = fitSync(pr.x, { family: "mvgaussian", covariance, k: pr.k, seed, maxIter: 150, tol: 0 }).history;
      for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]));
    }
  });
});

describe("bernoulli: WASM matches the reference EM", () => {
  it.each(["soft", "hard"] as const)("%s, 10 random problems, 1e-9 relative", (mode) => {
    for (let seed = 1; seed <= 10; seed++) {
      const u = mulberry32(seed * 101 + mode.length);
      const d = 3 + Math.floor(u() * 10), k = 2 + Math.floor(u() * 3), n = 100 + Math.floor(u() * 300);
      const ps = Array.from({ length: k }, () => Array.from({ length: d }, () => 0.05 + 0.9 * u()));
      const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => ps[j].map((p) => (u() < p ? 1 : 0)));
      const p0 = ps.map((row) => row.map((p) => Math.min(0.95, Math.max(0.05, p + (u() - 0.5) * 0.3))));
      const model = fitSync(x, { family: "bernoulli", k, init: { p: p0 }, mode, maxIter: 25, tol: 0 });
      const ref = referenceEM(bernoulliRef(d), x, null, p0, Array(k).fill(1 / k), { maxIter: 25, tol: 0, mode, fixWeights: false });
      expect(maxRelErr(model.history, ref.history)).toBeLessThan(1e-9);
      expect(maxRelErr(model.components.flatMap((c) => (c as { p: number[] }).p), ref.theta.flat())).toBeLessThan(1e-9);
    }
  });

  it("probabilities stay inside (0, 1): a feature that is always 1 gives p = 1 − 1e-12", () => {
    const x = [[1, 0], [1, 1], [1, 0], [1, 1]];
    const m = fitSync(x, { family: "bernoulli", k: 1 });
    expect((m.components[0] as { p: number[] }).p).toEqual([1 - 1e-12, 0.5]);
    expect(Number.isFinite(m.logLikelihood)).toBe(true);
    expect(m.nParameters).toBe(2);
  });
});

describe("data shapes", () => {
  const rows = [[1, 2], [1.5, 1.8], [5, 8], [8, 8], [1, 0.6], [9, 11], [8, 2], [10, 2], [9, 3]];
  it("rows, typed-array rows and a flat Float64Array with dims give the same fit", () => {
    const a = fitSync(rows, { family: "mvgaussian", k: 2, covariance: "diag" });
    const b = fitSync(rows.map((r) => Float64Array.from(r)), { family: "mvgaussian", k: 2, covariance: "diag" });
    const c = fitSync(Float64Array.from(rows.flat()), { family: "mvgaussian", dims: 2, k: 2, covariance: "diag" });
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(c.toJSON()).toEqual(a.toJSON());
    expect(a.predict(Float64Array.from(rows.flat()))).toEqual(a.predict(rows));
  });
  it.each<[string, unknown, object, RegExp]>([
    ["ragged rows", [[1, 2], [3]], {}, /^data\[1\]: has 1 values; every row must have 2 \(as data\[0\]\)/],
    ["NaN deep inside", [[1, 2], [3, 4], [5, NaN]], {}, /^data\[2\]\[1\]: is NaN/],
    ["empty rows (d = 0)", [[], []], {}, /^data\[0\]: is an empty row/],
    ["a non-row among rows", [[1, 2], 3], {}, /^data\[1\]: is not a row of numbers/],
    ["flat data without dims", [1, 2, 3, 4], {}, /^options\.dims: is required when the data is a flat array/],
    ["flat data not a multiple of dims", new Float64Array(7), { dims: 2 }, /^data: has 7 values, not a multiple of dims = 2/],
    ["fewer rows than d + 1 for full", [[1, 2, 3], [2, 3, 1], [0, 1, 1]], {}, /^data: has 3 rows; covariance "full" in 3 dimensions needs at least d \+ 1 = 4/],
    ["unknown covariance", [[1, 2], [3, 4], [5, 6]], { covariance: "VXV" }, /^options\.covariance: must be one of "full", "tied", "diag", "spherical", "EII"/],
  ])("%s", (_name, data, options, message) => {
    let error: unknown;
    try { fitSync(data as never, { family: "mvgaussian", k: 1, ...options }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(MixemError);
    expect((error as Error).message).toMatch(message);
  });
  it("bernoulli rejects values other than 0 and 1, naming row and column", () => {
    expect(() => fitSync([[0, 1], [1, 0.5]], { family: "bernoulli", k: 1 })).toThrow(/^data\[1\]\[1\]: 0\.5 is not 0 or 1/);
  });
  it("predict on rows of the wrong width names the problem", () => {
    const m = fitSync(rows, { family: "mvgaussian", k: 2, covariance: "diag" });
    expect(() => m.predict([[1, 2, 3]])).toThrow(/^data\[0\]: has 3 values; this model has 2 dimensions/);
  });
});

describe("explicit init forms and components", () => {
  const x = [[0, 0], [0.2, 0.1], [0.1, 0.3], [5, 5], [5.3, 4.9], [4.8, 5.2], [0.3, -0.2], [5.1, 5.4]];
  const means = [[0, 0], [5, 5]];
  it("every type accepts d × d matrices; diag a d-vector; spherical a number", () => {
    const full = [[[1, 0.2], [0.2, 2]], [[1, 0], [0, 1]]];
    const a = fitSync(x, { family: "mvgaussian", covariance: "diag", k: 2, init: { means, covariances: full }, maxIter: 1, tol: 0 });
    const b = fitSync(x, { family: "mvgaussian", covariance: "diag", k: 2, init: { means, covariances: [[1, 2], [1, 1]] }, maxIter: 1, tol: 0 });
    expect(b.toJSON()).toEqual(a.toJSON());
    const c = fitSync(x, { family: "mvgaussian", covariance: "spherical", k: 2, init: { means, covariances: full }, maxIter: 1, tol: 0 });
    const e = fitSync(x, { family: "mvgaussian", covariance: "spherical", k: 2, init: { means, covariances: [1.5, 1] }, maxIter: 1, tol: 0 });
    expect(e.toJSON()).toEqual(c.toJSON());
    const t = fitSync(x, { family: "mvgaussian", covariance: "tied", k: 2, init: { means, covariances: full }, maxIter: 1, tol: 0 });
    const t2 = fitSync(x, { family: "mvgaussian", covariance: "tied", k: 2, init: { means, covariances: [[[1, 0.1], [0.1, 1.5]], [[1, 0.1], [0.1, 1.5]]] }, maxIter: 1, tol: 0 });
    expect(t2.toJSON()).toEqual(t.toJSON());
  });
  it("components always expose mean and a full d × d covariance", () => {
    for (const covariance of ["full", "tied", "diag", "spherical"] as const) {
      const m = fitSync(x, { family: "mvgaussian", covariance, k: 2, init: { means, covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] } });
      for (const c of m.components as MvGaussianComponent[]) {
        expect(c.mean).toHaveLength(2);
        expect(c.covariance.map((r) => r.length)).toEqual([2, 2]);
        expect(c.covariance[0][1]).toBe(c.covariance[1][0]);
      }
      const again = loadModel(JSON.parse(JSON.stringify(m)));
      expect(again.toJSON()).toEqual(m.toJSON());
      expect(again.predictProba(x)).toEqual(m.predictProba(x));
    }
  });
  it.each<[string, object, RegExp]>([
    ["not positive definite", { means, covariances: [[[1, 2], [2, 1]], [[1, 0], [0, 1]]] }, /^options\.init\.covariances\[0\]: must be positive definite/],
    ["not symmetric", { means, covariances: [[[1, 0.5], [0.2, 1]], [[1, 0], [0, 1]]] }, /^options\.init\.covariances\[0\]: must be symmetric/],
    ["mean of the wrong length", { means: [[0, 0, 0], [5, 5]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] }, /^options\.init\.means\[0\]: must have 2 values/],
    ["too few covariances", { means, covariances: [[[1, 0], [0, 1]]] }, /^options\.init\.covariances: must have 2 entries, got 1/],
  ])("bad init: %s", (_name, init, message) => {
    expect(() => fitSync(x, { family: "mvgaussian", k: 2, init: init as never })).toThrow(message);
  });
  it("BIC counts parameters as scikit-learn does (d = 5, k = 2: 41 / 26 / 21 / 13)", () => {
    const u = mulberry32(5);
    const data = Array.from({ length: 60 }, () => Array.from({ length: 5 }, () => normal(u)));
    const counts = (["full", "tied", "diag", "spherical"] as const).map((covariance) => fitSync(data, { family: "mvgaussian", covariance, k: 2 }).nParameters);
    expect(counts).toEqual([41, 26, 21, 13]);
  });
  it("samples follow the component covariance", () => {
    const m = loadModel({
      format: "mixem-model", version: 1, family: "mvgaussian", k: 1, weights: [1],
      components: [{ mean: [1, -2], covariance: [[4, 1.2], [1.2, 1]] }],
      settings: { mode: "soft", fixWeights: false, covariance: "full", regCovar: 1e-6, dims: 2 },
      fit: { logLikelihood: 0, history: [], iterations: 0, converged: true, stopReason: "converged", nObservations: 0 },
    });
    const { values, dims } = m.sample(40000, { seed: 9 });
    expect(dims).toBe(2);
    let m0 = 0, m1 = 0;
    for (let i = 0; i < 40000; i++) { m0 += values[2 * i] / 40000; m1 += values[2 * i + 1] / 40000; }
    let c01 = 0, c00 = 0;
    for (let i = 0; i < 40000; i++) { c00 += (values[2 * i] - m0) ** 2 / 40000; c01 += (values[2 * i] - m0) * (values[2 * i + 1] - m1) / 40000; }
    expect(m0).toBeCloseTo(1, 1);
    expect(m1).toBeCloseTo(-2, 1);
    expect(c00).toBeCloseTo(4, 0);
    expect(c01).toBeCloseTo(1.2, 1);
  });
});

describe("the covariance floor", () => {
  it("raises only the eigenvalues below regCovar · D, exactly", () => {
    // Σ with eigenvalues 3 and 1e-9 along (1, 1)/√2 and (1, −1)/√2; D = I, floor 1e-3.
    const s = new Float64Array([(3 + 1e-9) / 2, (3 - 1e-9) / 2, (3 - 1e-9) / 2, (3 + 1e-9) / 2]);
    floorCovariance(s, 0, 2, new Float64Array([1, 1]), 1e-3, new Float64Array(4));
    const { values } = symmetricEigen(s, 2);
    expect([...values].sort((a, b) => a - b)[0]).toBeCloseTo(1e-3, 12);
    expect([...values].sort((a, b) => a - b)[1]).toBeCloseTo(3, 12);
    const untouched = new Float64Array([2, 0.5, 0.5, 1]);
    floorCovariance(untouched, 0, 2, new Float64Array([1, 1]), 1e-3, new Float64Array(4));
    expect([...untouched]).toEqual([2, 0.5, 0.5, 1]);
  });
  it("data on a line (full covariance) gives a regularised fit, not NaN", () => {
    const x = Array.from({ length: 50 }, (_, i) => [i, 2 * i + 1]);
    const m = fitSync(x, { family: "mvgaussian", k: 2 });
    expect([m.logLikelihood, ...(m.components as MvGaussianComponent[]).flatMap(flatten)].every(Number.isFinite)).toBe(true);
  });
  it("with regCovar: 0, a singular covariance is a clear error", () => {
    const x = Array.from({ length: 50 }, (_, i) => [i, 2 * i + 1]);
    expect(() => fitSync(x, { family: "mvgaussian", k: 1, regCovar: 0 })).toThrow(/component 0 is not positive definite .*raise options\.regCovar/);
  });
});
