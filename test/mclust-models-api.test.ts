// The 14 covariance models' options, parameters and errors: soft EM never decreases the
// log-likelihood (fast-check, every model), nParameters = mclust's nMclustParams (fixture from
// test/fixtures/peers/make_mclust_nparams.R), the decomposition reproduces the covariance, and
// bad input is a MixemError naming the option.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { fitSync, initSync, MixemError, type FitOptions, type MvGaussianComponent } from "../src/index.js";
import { drawLabels, mulberry32, normal } from "./helpers.js";

initSync();
const MODELS = ["EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"] as const;
const SEED = process.env.MIXEM_FC_SEED === "random" ? undefined : Number(process.env.MIXEM_FC_SEED ?? 20261202);
const RUNS = Number(process.env.MIXEM_PROPERTY_RUNS ?? 40);

function problem(seed: number, n: number, k: number, d: number) {
  const u = mulberry32(seed);
  const scales = Array.from({ length: d }, () => 10 ** (4 * u() - 2));
  const means = Array.from({ length: k }, () => Array.from({ length: d }, (_, a) => (u() - 0.5) * 10 * scales[a]));
  const mix = Array.from({ length: k }, () => Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1 : 0.6 * (u() - 0.5)))));
  return drawLabels(u, n, Array(k).fill(1 / k)).map((j) => {
    const z = means[j].map(() => normal(u));
    return means[j].map((m, a) => m + scales[a] * mix[j][a].reduce((s, v, b) => s + v * z[b], 0));
  });
}

describe("covariance models", () => {
  it("soft EM never decreases the log-likelihood, for every model (random data, k-means++ starts)", () => {
    let fitted = 0;
    fc.assert(fc.property(
      fc.record({ seed: fc.nat(), n: fc.integer({ min: 40, max: 200 }), k: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 2, max: 4 }), model: fc.constantFrom(...MODELS) }),
      ({ seed, n, k, d, model }) => {
        const x = problem(seed, n, k, d);
        let m;
        try {
          m = fitSync(x, { family: "mvgaussian", covariance: model, k, seed, maxIter: 40, tol: 0 } as FitOptions);
        } catch (e) {
          expect(e).toBeInstanceOf(MixemError);
          expect((e as MixemError).code).toBe("DEGENERATE");
          return;
        }
        const h = m.history;
        for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]));
        // Each component's decomposition gives back its covariance, and the constraint holds (loadModel checks it).
        for (const c of m.components as MvGaussianComponent[]) {
          const rebuilt = c.covariance.map((row, a) => row.map((_, b) => c.volume * c.orientation[a].reduce((s, v, i) => s + v * c.shape[i] * c.orientation[b][i], 0)));
          const size = Math.max(...c.covariance.map((row, a) => row[a]));
          c.covariance.forEach((row, a) => row.forEach((v, b) => expect(Math.abs(v - rebuilt[a][b])).toBeLessThan(1e-10 * size)));
          expect(Math.abs(c.shape.reduce((p, v) => p * v, 1) - 1)).toBeLessThan(1e-10);
        }
        fitted++;
      },
    ), { numRuns: RUNS * 3, seed: SEED });
    expect(fitted).toBeGreaterThan(RUNS);
  });

  const counts: { model: string; d: number; k: number; n: number }[] = JSON.parse(readFileSync(new URL("./fixtures/peers/mclust-nparams.json", import.meta.url), "utf8")).cases;
  it("nParameters is mclust's nMclustParams for every model, d = 2…4, k = 1…4", () => {
    for (const c of counts) {
      const x = problem(c.d * 10 + c.k, 60, c.k, c.d);
      let m;
      try { m = fitSync(x, { family: "mvgaussian", covariance: c.model as "VVV", k: c.k, seed: 1, maxIter: 2 }); } catch { continue; }
      expect([c.model, c.d, c.k, m.nParameters]).toEqual([c.model, c.d, c.k, c.n]);
    }
  });

  it("an unknown model name lists the valid ones", () => {
    expect(() => fitSync([[1, 2], [3, 4], [5, 7]], { family: "mvgaussian", covariance: "VXV" as "VVV", k: 1 })).toThrow(/covariance.*"EII".*"VVE".*"VVV"/);
  });

  it("a model with shape or orientation on 1-D data is a clear error; EII and VII fit", () => {
    const x = [1, 2, 3, 10, 11, 12.5].map((v) => [v]);
    expect(() => fitSync(x, { family: "mvgaussian", covariance: "VEV", k: 2 })).toThrow(/"VEV" needs data of at least 2 dimensions/);
    for (const covariance of ["EII", "VII"] as const) expect(fitSync(x, { family: "mvgaussian", covariance, k: 2, seed: 1 }).components).toHaveLength(2);
  });

  it("explicit init is checked against the model's constraint; the error names it", () => {
    const x = problem(5, 100, 2, 2);
    const means = [[0, 0], [1, 1]];
    const a = [[2, 0.5], [0.5, 1]], b = [[1, -0.3], [-0.3, 2]];
    const init = (covariances: unknown) => ({ means, covariances }) as never;
    const fitWith = (covariance: string, covariances: unknown) => fitSync(x, { family: "mvgaussian", covariance: covariance as "VVV", k: 2, init: init(covariances), maxIter: 1 });
    expect(() => fitWith("EEV", [a, [[4, 1], [1, 2]]])).toThrow(/covariances\[1\].*equal volume/);
    expect(() => fitWith("VEV", [a, [[1, 0], [0, 3]]])).toThrow(/covariances\[1\].*equal shape/);
    expect(() => fitWith("VVE", [a, b])).toThrow(/covariances\[1\].*equal orientation/);
    expect(() => fitWith("EEI", [a, a])).toThrow(/covariances\[0\]\[1\]\[0\].*orientation I/);
    expect(() => fitWith("EII", [[[1, 0], [0, 2]], 1])).toThrow(/covariances\[0\].*shape I/);
    // Constraint-satisfying starts fit: VVE with commuting covariances, EII with numbers.
    expect(fitWith("VVE", [a, [[4, 1], [1, 2]]]).components).toHaveLength(2);
    expect(fitWith("EII", [1.5, 1.5]).components).toHaveLength(2);
  });

  it("ridge and prior are refused for the constrained models", () => {
    const x = problem(6, 80, 2, 2);
    expect(() => fitSync(x, { family: "mvgaussian", covariance: "VEE", k: 2, ridge: 1e-3 })).toThrow(/ridge.*VEE/);
    expect(() => fitSync(x, { family: "mvgaussian", covariance: "EVE", k: 2, prior: true })).toThrow(/prior.*EVE/);
  });
});
