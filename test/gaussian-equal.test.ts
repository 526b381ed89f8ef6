// gaussian covariance "E" (one variance shared by all components) and "V" against mclust 6's 1-D
// models on Old Faithful's waiting times (fixture and script: test/fixtures/peers/make_mclust_e1d.R):
// 5 iterations and the fixed point to 1e-9, also MAP with mclust's default prior (priorControl());
// nParameters as mclust's nMclustParams; bad input.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, type GaussianComponent } from "../src/index.js";
import { maxRelErr, relErr } from "./helpers.js";

initSync();
interface Params { weights: number[]; means: number[]; variances: number[] }
interface Case { model: "E" | "V"; prior: boolean; k: number; init: Params; five: Params; fiveLogLikelihood: number; fixed: Params; fixedLogLikelihood: number; iterations: number; nParameters: number }
const cases: Case[] = JSON.parse(readFileSync(new URL("./fixtures/peers/mclust-e1d.json", import.meta.url), "utf8")).cases;
const x = readFileSync(new URL("../examples/faithful.csv", import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(",")[1]));
const fit = (c: Case, maxIter: number) => fitSync(x, { family: "gaussian", covariance: c.model, k: c.k, init: c.init, maxIter, tol: 0, regCovar: 0, ...(c.prior ? { prior: true } : {}) });
const params = (m: ReturnType<typeof fitSync>) => [...m.weights, ...(m.components as GaussianComponent[]).map((c) => c.mean), ...(m.components as GaussianComponent[]).map((c) => c.variance)];
const flat = (p: Params) => [...p.weights, ...p.means, ...p.variances];

describe("gaussian covariance E / V against mclust 6.0.0", () => {
  it.each(cases.map((c) => [c.model, c.k, c.prior ? "with mclust's default prior" : "maximum likelihood", c] as const))("%s, k = %i, %s: 5 iterations, the fixed point, nParameters", (_m, _k, _p, c) => {
    const five = fit(c, 5);
    expect(relErr(five.logLikelihood, c.fiveLogLikelihood)).toBeLessThan(1e-9);
    expect(maxRelErr(params(five), flat(c.five))).toBeLessThan(1e-9);
    const fixed = fit(c, c.iterations + 100);
    expect(relErr(fixed.logLikelihood, c.fixedLogLikelihood)).toBeLessThan(1e-9);
    expect(maxRelErr(params(fixed), flat(c.fixed))).toBeLessThan(1e-9);
    expect(fixed.nParameters).toBe(c.nParameters);
  });

  it('"E" needs equal initial variances; other names are refused', () => {
    expect(() => fitSync(x, { family: "gaussian", covariance: "E", k: 2, init: { means: [50, 80], variances: [30, 40] } })).toThrow(/variances\[1\].*"E"/);
    expect(() => fitSync(x, { family: "gaussian", covariance: "VVV" as "E", k: 2 })).toThrow(/covariance.*"E", "V"/);
  });
});
