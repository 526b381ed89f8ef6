// scoreSamples against a plain-TypeScript log-sum-exp, predictProba's rows, the means / covariances
// getters, sample() without a seed, the ridge option's bookkeeping, and the error for rows given
// to the 1-D gaussian family.
import { describe, expect, expectTypeOf, it } from "vitest";
import { fitSync, initSync, loadModel, MixemError, type MixtureModel } from "../src/index.js";
import { drawLabels, maxRelErr, mulberry32, normal } from "./helpers.js";

initSync();
const u = mulberry32(7);
const x1 = drawLabels(u, 500, [0.3, 0.7]).map((j) => (j === 0 ? -2 + 0.5 * normal(u) : 3 + normal(u)));
const rows = drawLabels(u, 400, [0.5, 0.5]).map((j) => [j * 4 + normal(u), j * 2 + 0.5 * normal(u), normal(u) + j]);

/** log Σ_j w_j N(x | μ_j, Σ_j) in plain TypeScript (Gaussian elimination for Σ⁻¹ and log|Σ|). */
function refLogDensity(weights: readonly number[], means: number[][], covs: number[][][], x: number[]): number {
  const terms = weights.map((w, j) => {
    const d = x.length, a = covs[j].map((r, i) => [...r, x[i] - means[j][i]]);
    let logDet = 0;
    for (let c = 0; c < d; c++) {
      logDet += Math.log(a[c][c]);
      for (let r = c + 1; r < d; r++) { const f = a[r][c] / a[c][c]; for (let q = c; q <= d; q++) a[r][q] -= f * a[c][q]; }
    }
    const z = new Array(d).fill(0);
    for (let r = d - 1; r >= 0; r--) { let s = a[r][d]; for (let q = r + 1; q < d; q++) s -= a[r][q] * z[q]; z[r] = s / a[r][r]; }
    const maha = z.reduce((s, v, i) => s + v * (x[i] - means[j][i]), 0);
    return Math.log(w) - 0.5 * (d * Math.log(2 * Math.PI) + logDet + maha);
  });
  const m = Math.max(...terms);
  return m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
}

describe("scoreSamples", () => {
  it("gaussian: equals a plain log-sum-exp to 1e-13 and sums to logLikelihoodOf", () => {
    const m = fitSync(x1, { k: 2 });
    const probe = [...x1.slice(0, 50), -40, 0.5, 100];
    const s = m.scoreSamples(probe);
    const ref = probe.map((v) => refLogDensity(m.weights, m.means.map((x) => [x]), m.covariances.map((v) => [[v]]), [v]));
    expect(maxRelErr([...s], ref)).toBeLessThan(1e-13);
    const total = m.scoreSamples(x1).reduce((a, b) => a + b, 0);
    expect(Math.abs(total - m.logLikelihoodOf(x1)) / Math.abs(total)).toBeLessThan(1e-13);
  });

  it.each(["full", "tied", "diag", "spherical"] as const)("mvgaussian %s: equals a plain log-sum-exp to 1e-12", (covariance) => {
    const m = fitSync(rows, { family: "mvgaussian", covariance, k: 2 });
    const probe = [...rows.slice(0, 40), [30, -30, 5], [2, 1, 0.5]];
    const s = m.scoreSamples(probe);
    expect(maxRelErr([...s], probe.map((x) => refLogDensity(m.weights, m.means, m.covariances, x)))).toBeLessThan(1e-12);
    expect(Math.abs(m.scoreSamples(rows).reduce((a, b) => a + b, 0) - m.logLikelihoodOf(rows))).toBeLessThan(1e-9);
    expect(m.scoreSamples(rows.flat(), undefined)).toEqual(m.scoreSamples(rows));
  });

  it("every family has it (the conformance table checks each against its reference); bad data is the usual error", () => {
    const p = fitSync([1, 2, 3, 9, 10, 11], { family: "poisson", k: 2 });
    expect(Math.abs(p.scoreSamples([1, 4]).reduce((a, b) => a + b, 0) - p.logLikelihoodOf([1, 4]))).toBeLessThan(1e-12);
    expect(() => fitSync(x1, { k: 2 }).scoreSamples([1, NaN])).toThrow(/^data\[1\]: is NaN/);
  });
});

describe("predictProba { rows: true }", () => {
  it("is the Float64Array cut into rows of k; the default stays a Float64Array", () => {
    const m = fitSync(rows, { family: "mvgaussian", k: 2 });
    const flat = m.predictProba(rows.slice(0, 9));
    const r = m.predictProba(rows.slice(0, 9), { rows: true });
    expect(flat).toBeInstanceOf(Float64Array);
    expect(r).toHaveLength(9);
    expect(r.flat()).toEqual([...flat]);
    expect(m.predictProba(rows.slice(0, 9), { rows: false })).toEqual(flat);
    expectTypeOf(r).toEqualTypeOf<number[][]>();
    expectTypeOf(flat).toEqualTypeOf<Float64Array>();
    expect(() => m.predictProba(rows, { rows: 1 } as never)).toThrow(/^options\.rows: must be true or false/);
    expect(() => m.predict(rows, { rows: true } as never)).toThrow(/^options\.rows: is not an option here/);
  });

  it("binomial keeps its trials option beside rows", () => {
    const b = fitSync([1, 5, 9, 2, 8], { family: "binomial", trials: 10, k: 2 });
    expect(b.predictProba([3], { trials: 10, rows: true })[0]).toHaveLength(2);
  });
});

describe("means and covariances", () => {
  it("gaussian: number[] of means and of variances", () => {
    const m = fitSync(x1, { k: 2 });
    expect(m.means).toEqual(m.components.map((c) => c.mean));
    expect(m.covariances).toEqual(m.components.map((c) => c.variance));
    expectTypeOf(m.means).toEqualTypeOf<number[]>();
    expectTypeOf(m.covariances).toEqualTypeOf<number[]>();
  });

  it("mvgaussian: k × d means and k full d × d matrices for every covariance type, fresh copies", () => {
    for (const covariance of ["full", "tied", "diag", "spherical"] as const) {
      const m = fitSync(rows, { family: "mvgaussian", covariance, k: 2 });
      expect(m.means).toEqual(m.components.map((c) => c.mean));
      expect(m.covariances).toEqual(m.components.map((c) => c.covariance));
      expect(m.covariances[0]).toHaveLength(3);
      m.means[0][0] = 1e9;
      expect(m.components[0].mean[0]).not.toBe(1e9);
      expectTypeOf(m.means).toEqualTypeOf<number[][]>();
      expectTypeOf(m.covariances).toEqualTypeOf<number[][][]>();
    }
  });

  it("undefined for the families without them; a model of any family has the union", () => {
    const p = fitSync([1, 2, 3, 9, 10, 11], { family: "poisson", k: 2 });
    expect(p.means).toBeUndefined();
    expect(p.covariances).toBeUndefined();
    expectTypeOf(p.means).toEqualTypeOf<undefined>();
    const any = p as MixtureModel;
    expectTypeOf(any.means).toEqualTypeOf<number[] | number[][] | undefined>();
  });
});

describe("sample() without a seed", () => {
  it("draws afresh on each call; the first call is seed 0's draws; a seed stays reproducible", () => {
    const m = fitSync(x1, { k: 2 });
    const a = m.sample(50), b = m.sample(50);
    expect(a.values).not.toEqual(b.values);
    const other = fitSync(x1, { k: 2 });
    expect(a).toEqual(other.sample(50, { seed: 0 }));
    expect(m.sample(50, { seed: 3 })).toEqual(other.sample(50, { seed: 3 }));
    // A seeded call does not move the stream.
    const c = m.sample(50);
    expect(other.sample(50)).toEqual(a);
    other.sample(50, { seed: 5 });
    expect(other.sample(50)).toEqual(b);
    expect(other.sample(50)).toEqual(c);
  });
});

describe("ridge", () => {
  it("is kept in the settings and survives the JSON round trip; absent when not used", () => {
    const m = fitSync(x1, { k: 2, ridge: 1e-3 });
    expect(m.settings.ridge).toBe(1e-3);
    const again = loadModel(JSON.parse(JSON.stringify(m.toJSON())));
    expect(again.settings.ridge).toBe(1e-3);
    expect(again.toJSON()).toEqual(m.toJSON());
    expect("ridge" in fitSync(x1, { k: 2 }).settings).toBe(false);
    const mv = fitSync(rows, { family: "mvgaussian", covariance: "diag", k: 2, ridge: 0.5 });
    expect(mv.settings.ridge).toBe(0.5);
  });

  it("is added before the floor: with a floor above variance + ridge the floor wins", () => {
    const init = { means: [-2, 3], variances: [1, 1] };
    const scale = x1.reduce((s, v) => s + v * v, 0) / x1.length - (x1.reduce((s, v) => s + v, 0) / x1.length) ** 2;
    const ml = fitSync(x1, { k: 2, init, maxIter: 1, tol: 0, regCovar: 0 }).covariances;
    const ridged = fitSync(x1, { k: 2, init, maxIter: 1, tol: 0, regCovar: 0, ridge: 0.25 }).covariances;
    expect(ridged.map((v, j) => v - ml[j])).toEqual([expect.closeTo(0.25, 12), expect.closeTo(0.25, 12)]);
    const floored = fitSync(x1, { k: 2, init, maxIter: 1, tol: 0, regCovar: 10 / scale, ridge: 0.25 }).covariances;
    expect(floored).toEqual([10, 10].map((v) => expect.closeTo(v, 12)));
  });

  it("is validated like regCovar, and other families reject it", () => {
    expect(() => fitSync(x1, { k: 2, ridge: -1 })).toThrow(/^options\.ridge: /);
    expect(() => fitSync([1, 2, 3], { family: "poisson", k: 1, ridge: 1 } as never)).toThrow(/^options\.ridge: is not an option here/);
  });
});

describe("rows given to the 1-D gaussian family", () => {
  it("the error suggests family: \"mvgaussian\"", () => {
    try {
      fitSync([[1, 2], [3, 4], [5, 6]] as never, { k: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MixemError);
      expect((e as MixemError).code).toBe("INVALID_DATA");
      expect((e as MixemError).message).toBe('data[0]: is not a number (an array); family "gaussian" takes one number per point: for rows (number[][]) use family: "mvgaussian"');
    }
    expect(() => fitSync([new Float64Array([1, 2])] as never, { k: 1 })).toThrow(/use family: "mvgaussian"/);
    // Rows with text: categories or mixed columns, not coordinates.
    expect(() => fitSync([["yes", "agree"], ["no", "neutral"]] as never, { k: 1 })).toThrow(/^data\[0\]: is not a number \(an array with text\); .*family: "categorical", for mixed columns family: "independent"$/);
    expect(() => fitSync(x1, { k: 2 }).predict([[1, 2]] as never)).toThrow(/^data\[0\]: is not a number \(an array\); this gaussian model reads one number per point$/);
  });
});
