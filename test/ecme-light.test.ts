// ECME's search passes asked light (PassRequest.light, Spec.refine answering "light"): the kernels
// leave out the statistics refine does not read (mvt: Σ τu (x − m) and the scatter), and a search
// that ends on such a pass is followed by a full one. So a fit is the same bits whichever passes are
// light: here every search pass is made light (the worst case: each search then ends on one and
// takes the extra full pass) against the fit as it runs.
import { afterEach, describe, expect, it } from "vitest";
import { fit, fitSync, initSync } from "../src/index.js";
import { DofSearch } from "../src/families/student.js";
import { mulberry32, normal } from "./helpers.js";

initSync();

const u = mulberry32(12);
const chi = () => { let s = 0; for (let i = 0; i < 4; i++) s += normal(u) ** 2; return Math.sqrt(s / 4); };
const d = 6, k = 3;
const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => (u() - 0.5) * 6));
const rows = Array.from({ length: 3000 }, () => { const j = Math.floor(u() * k), w = chi(); return centres[j].map((c) => c + normal(u) / w); });
const values = Array.from({ length: 3000 }, () => 4 * Math.floor(u() * 3) + normal(u) / chi());

const original = DofSearch.prototype.refine, originalFirst = DofSearch.prototype.lightFirst;
afterEach(() => { DofSearch.prototype.refine = original; DofSearch.prototype.lightFirst = originalFirst; });

describe("ECME search passes asked light", () => {
  const cases: [string, unknown[], Record<string, unknown>][] = [
    ["mvt full", rows, { family: "mvt", k, covariance: "full" }],
    ["mvt tied", rows, { family: "mvt", k, covariance: "tied" }],
    ["mvt diag", rows, { family: "mvt", k, covariance: "diag" }],
    ["mvt spherical, dof equal", rows, { family: "mvt", k, covariance: "spherical", dof: "equal" }],
    ["t", values, { family: "t", k }],
  ];
  it.each(cases)("%s: every search pass light gives the same fit, one full pass more per search", (_name, data, options) => {
    const o = { ...options, seed: 3, maxIter: 25, tol: 0 } as never;
    const asRun = fitSync(data as never, o);
    let searches = 0;
    DofSearch.prototype.refine = function (this: DofSearch, ...a: Parameters<DofSearch["refine"]>) {
      const r = original.apply(this, a);
      if (!r) searches++;
      return r ? "light" : false;
    };
    const light = fitSync(data as never, o);
    expect(light.components).toEqual(asRun.components);
    expect(light.weights).toEqual(asRun.weights);
    expect(light.history).toEqual(asRun.history);
    expect(light.logLikelihood).toBe(asRun.logLikelihood);
    // Each search that ended on a light pass took one more (the searches that ended on their first
    // pass, the M-step's, had none light).
    expect(light.passes).toBeGreaterThan(asRun.passes);
    expect(light.passes - asRun.passes).toBeLessThanOrEqual(searches);
  });

  it("threads: the workers' shards take light passes too, and give fitSync's bits (mvt full, 140,000 rows)", async () => {
    const v = mulberry32(21), rowsBig = Array.from({ length: 140_000 }, (_, i) => { const w = chi(); return [i % 2 ? 4 : 0, i % 3, -1].map((c) => c + normal(v) / w); });
    const o = { family: "mvt", k: 2, seed: 1, maxIter: 6, tol: 0 } as const;
    const one = fitSync(rowsBig, o), two = await fit(rowsBig, { ...o, threads: 2 });
    expect(two.logLikelihood).toBe(one.logLikelihood);
    expect(two.components).toEqual(one.components);
    expect(two.passes).toBe(one.passes);
  });

  it("the pass after the M-step asked light (Spec.lightFirst) and the search ending there: a full pass follows, the same fit", () => {
    // No search at all (refine ends on every first pass): with every first pass light, each
    // iteration takes one full pass more and the fit is the same bits.
    DofSearch.prototype.refine = function () { return false; };
    const o = { family: "mvt", k, covariance: "full", seed: 3, maxIter: 12, tol: 0 } as never;
    DofSearch.prototype.lightFirst = function () { return false; };
    const full = fitSync(rows, o);
    DofSearch.prototype.lightFirst = function () { return true; };
    const light = fitSync(rows, o);
    expect(light.components).toEqual(full.components);
    expect(light.history).toEqual(full.history);
    expect(light.passes).toBe(full.passes + full.iterations);
  });
});
