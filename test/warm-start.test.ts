// A fitted model (or its JSON) as init: checked against the fit it starts.
import { describe, expect, it } from "vitest";
import { fitSync, initSync, loadModel, MixemError } from "../src/index.js";
import { mulberry32, normal } from "./helpers.js";

initSync();
const u = mulberry32(5);
const rows = Array.from({ length: 400 }, (_, i) => [normal(u) + (i % 2) * 4, normal(u) * 0.5 + 0.8 * (i % 2)]);
const values = rows.map((r) => r[0]);

describe("init: a model", () => {
  it("a diag model starts a full fit (its components are full ones); a full model cannot start a diag fit", () => {
    const diag = fitSync(rows, { family: "mvgaussian", covariance: "diag", k: 2, maxIter: 3 });
    const full = fitSync(rows, { family: "mvgaussian", covariance: "full", k: 2, init: diag, maxIter: 50 });
    expect(full.logLikelihood).toBeGreaterThan(diag.logLikelihood);
    expect(() => fitSync(rows, { family: "mvgaussian", covariance: "diag", k: 2, init: full })).toThrow(/options\.init\.components\[0\]/);
  });

  it("of another family, other dimensions, restarts or a broken JSON: errors naming options.init", () => {
    const g = fitSync(values, { k: 2, maxIter: 3 });
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e as MixemError; } throw new Error("no error"); };
    const e1 = err(() => fitSync(values.map(Math.round).map(Math.abs), { family: "poisson", k: 2, init: g as never }));
    expect(e1).toBeInstanceOf(MixemError);
    expect(e1.message).toMatch(/options\.init: is a gaussian model; this fit is family "poisson"/);
    const mv = fitSync(rows, { family: "mvgaussian", k: 2, maxIter: 2 });
    expect(() => fitSync(rows.map((r) => [...r, 1 + normal(u)]), { family: "mvgaussian", k: 2, init: mv })).toThrow(/options\.init: is a model of 2 dimensions; the data has 3/);
    expect(() => fitSync(values, { k: 2, init: g, nInit: 3 })).toThrow(/options\.nInit: must be 1 with a model as init/);
    const json = JSON.parse(JSON.stringify(g));
    json.weights = [0.5, "x"];
    expect(() => fitSync(values, { k: 2, init: json })).toThrow(/options\.init\.weights\[1\]: must be a finite number/);
  });

  it("leaves the model it starts from as it was", () => {
    const g = fitSync(values, { k: 2, maxIter: 3 });
    const before = JSON.stringify(g);
    fitSync(values, { k: 2, init: g, maxIter: 20 });
    expect(JSON.stringify(g)).toBe(before);
  });
});

describe("warm starts for every covariance model", () => {
  // EVE and VVE (a shared orientation, per-component shapes) are read jointly, as an explicit init.
  it("a fitted model of each of mclust's 14 models (and its JSON) starts a fit of the same model; 5 + 5 iterations = 10 to rounding", () => {
    const u = mulberry32(17);
    const rows = Array.from({ length: 300 }, (_, i) => { const c = i % 3; return [c * 3 + normal(u), (c === 1 ? 4 : 0) + 0.6 * normal(u) + 0.3 * c * normal(u), normal(u) * (1 + c)]; });
    for (const covariance of ["EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"] as const) {
      const o = { family: "mvgaussian", covariance, k: 3, seed: 1, tol: 0 } as const;
      const five = fitSync(rows, { ...o, maxIter: 5 });
      const ten = fitSync(rows, { ...o, maxIter: 10 });
      for (const init of [five, JSON.parse(JSON.stringify(five))]) {
        const more = fitSync(rows, { ...o, maxIter: 5, init });
        expect(Math.abs(more.logLikelihood - ten.logLikelihood), covariance).toBeLessThan(1e-9 * Math.abs(ten.logLikelihood));
      }
    }
  });
  it("a saved model of each of mclust's 14 models loads bit for bit, its decomposition as saved (not re-derived, axes reordered)", () => {
    const u = mulberry32(29);
    const rows = Array.from({ length: 300 }, (_, i) => { const c = i % 3; return [c * 3 + normal(u), (c === 1 ? 4 : 0) + 0.6 * normal(u) + 0.3 * c * normal(u), normal(u) * (1 + c)]; });
    for (const covariance of ["EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"] as const) {
      const m = fitSync(rows, { family: "mvgaussian", covariance, k: 3, seed: 1 });
      const saved = JSON.stringify(m.toJSON());
      expect(JSON.stringify(loadModel(JSON.parse(saved)).toJSON()), covariance).toBe(saved);
    }
    // A decomposition that is not the covariance's (edited by hand) is derived from the covariance instead.
    const m = fitSync(rows, { family: "mvgaussian", covariance: "VVV", k: 2, seed: 1 });
    const json = m.toJSON() as unknown as { components: { volume: number; shape: number[] }[] };
    json.components[0].volume *= 2;
    const loaded = loadModel(json as never);
    expect(loaded.components[0]).toEqual(m.components[0]); // the eigen-decomposition of the covariance: the fit's own here
  });

  it("a saved decomposition whose volume and shape were rescaled against each other (Π shape ≠ 1, same Σ) is derived from the covariance", () => {
    const u = mulberry32(31);
    const rows = Array.from({ length: 300 }, (_, i) => { const c = i % 3; return [c * 3 + normal(u), 0.6 * normal(u) + 0.3 * c * normal(u), normal(u) * (1 + c)]; });
    for (const covariance of ["EII", "VVI", "EVE", "VVV"] as const) {
      const m = fitSync(rows, { family: "mvgaussian", covariance, k: 3, seed: 1 });
      const json = JSON.parse(JSON.stringify(m.toJSON())) as { components: { volume: number; shape: number[] }[] };
      for (const c of json.components) { c.volume /= 2; c.shape = c.shape.map((v) => v * 2); } // λ D (A) Dᵀ unchanged
      const loaded = loadModel(json as never);
      const parts = (x: { components: unknown }) => x.components as unknown as { volume: number; shape: number[] }[];
      parts(loaded).forEach((c, j) => {
        expect(c.shape.reduce((a, b) => a * b, 1), covariance).toBeCloseTo(1, 12);
        expect(c.volume / parts(m)[j].volume, covariance).toBeCloseTo(1, 12); // |Σ|^(1/d), not the edited half
      });
      expect(loaded.scoreSamples(rows), covariance).toEqual(m.scoreSamples(rows));
    }
  });

  it("a component another model cannot hold is still refused", () => {
    const u = mulberry32(3);
    const rows = Array.from({ length: 200 }, (_, i) => [i % 2 * 4 + normal(u), normal(u) + 0.8 * (i % 2 * 4 + normal(u))]);
    const full = fitSync(rows, { family: "mvgaussian", covariance: "VVV", k: 2, seed: 1 });
    expect(() => fitSync(rows, { family: "mvgaussian", covariance: "VVI", k: 2, init: full })).toThrow(/^options\.init\.components\[0\]/);
  });
});
