// exponential, gamma, lognormal and negbinomial against peers: MASS fitdistr (k = 1), mixtools
// gammamixEM / normalmixEM on log x and optim of the mixture log-likelihood (k = 2), each polished
// by Newton's method to a point where the gradient vanishes (test/fixtures/peers/make_positive.R),
// and scipy's log-densities (make_scipy_positive.py). Also: 5 iterations from an explicit start
// against the plain-TypeScript reference EM, and the gradient at mixem's own fixed point.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, loadModel, type FitOptions, type MixtureModel } from "../src/index.js";
import { referenceEM, type RefFamily } from "./reference/em.js";
import { exponentialRef, gammaRef, lognormalRef, mixtureLogLik, negbinomialRef } from "./reference/positive.js";
import { maxRelErr, relErr } from "./helpers.js";

initSync();
const read = (f: string) => JSON.parse(readFileSync(new URL(`./fixtures/peers/${f}`, import.meta.url), "utf8"));
const fixture = read("positive.json");
type Name = "exponential" | "gamma" | "lognormal" | "negbinomial";
const KEYS: Record<Name, string[]> = { exponential: ["rates"], gamma: ["shapes", "rates"], lognormal: ["meanlogs", "varlogs"], negbinomial: ["means", "sizes"] };
const REFS: Record<Name, RefFamily> = { exponential: exponentialRef, gamma: gammaRef, lognormal: lognormalRef(), negbinomial: negbinomialRef };

interface Case {
  family: Name; k: number; tool: string;
  start: { weights: number[]; theta: number[][] };
  peer: { phi: number[]; logLikelihood: number };
  optimum: { phi: number[]; logLikelihood: number; newton: number; gradient: number };
}
const cases: Case[] = fixture.cases;

const initOf = (c: Case) => {
  const init: Record<string, number[]> = { weights: c.start.weights };
  KEYS[c.family].forEach((key, t) => { init[key] = c.start.theta.map((th) => th[t]); });
  return init;
};
/** φ as the fixture orders it: free weights w_1 … w_{k−1}, then each component's parameters. */
const phiOf = (m: MixtureModel) => [...m.weights.slice(0, m.k - 1), ...m.components.flatMap((c) => Object.values(c) as number[])];
const thetaOf = (phi: number[], k: number, np: number) => Array.from({ length: k }, (_, j) => phi.slice(k - 1 + j * np, k - 1 + (j + 1) * np));
const weightsOf = (phi: number[], k: number) => (k === 1 ? [1] : [...phi.slice(0, k - 1), 1 - phi.slice(0, k - 1).reduce((a, b) => a + b, 0)]);
const fitTo = (c: Case, extra: Partial<FitOptions>) => fitSync(fixture.data[c.family], { family: c.family, k: c.k, ...extra } as FitOptions);

describe.each(cases.map((c) => [c.family, c.k, c.tool, c] as const))("%s, k = %i, against %s", (family, k, _tool, c) => {
  const x: number[] = fixture.data[family];
  const np = KEYS[family].length;
  const converged = fitTo(c, { init: initOf(c) as never, maxIter: 5000, tol: 0 });

  it("the peer's fixed point, polished by Newton, has a vanishing gradient (per point, scaled)", () => {
    expect(c.optimum.gradient).toBeLessThan(1e-12);
    // and the peer's own fit agrees with it (peers stop at their own tolerances)
    expect(relErr(c.peer.logLikelihood, c.optimum.logLikelihood)).toBeLessThan(1e-12);
    expect(maxRelErr(c.peer.phi, c.optimum.phi)).toBeLessThan(1e-5);
  });

  it("converges from the peer's start to the optimum: parameters and log-likelihood to 1e-9", () => {
    expect(maxRelErr(phiOf(converged), c.optimum.phi)).toBeLessThan(1e-9);
    expect(relErr(converged.logLikelihood, c.optimum.logLikelihood)).toBeLessThan(1e-9);
  });

  it("the log-likelihood R computes at mixem's parameters is mixem's (density on x's own scale)", () => {
    const ll = mixtureLogLik(REFS[family], x, [...converged.weights], thetaOf(phiOf(converged), k, np));
    expect(relErr(converged.logLikelihood, ll)).toBeLessThan(1e-12);
  });

  it("mixem's fixed point maximises the mixture log-likelihood directly: central differences ≈ 0, no nearby point higher", () => {
    const phi = phiOf(converged);
    const f = (p: number[]) => mixtureLogLik(REFS[family], x, weightsOf(p, k), thetaOf(p, k, np));
    const f0 = f(phi);
    for (let i = 0; i < phi.length; i++) {
      const h = 1e-5 * Math.abs(phi[i]);
      const up = f(phi.map((v, t) => (t === i ? v + h : v))), down = f(phi.map((v, t) => (t === i ? v - h : v)));
      // gradient·|φ_i| per point (the R polish's measure): rounding of f limits it to ~1e-9 here
      expect(Math.abs((up - down) / (2 * h)) * Math.abs(phi[i]) / x.length).toBeLessThan(1e-7);
      expect(up).toBeLessThanOrEqual(f0 + 1e-10 * Math.abs(f0));
      expect(down).toBeLessThanOrEqual(f0 + 1e-10 * Math.abs(f0));
    }
  });

  it("5 iterations from the explicit start equal the plain-TypeScript reference EM (1e-9)", () => {
    const m = fitTo(c, { init: initOf(c) as never, maxIter: 5, tol: 0 });
    const ref = referenceEM(REFS[family], x, null, c.start.theta, c.start.weights, { maxIter: 5, tol: 0, mode: "soft", fixWeights: false });
    expect(m.iterations).toBe(5);
    expect(maxRelErr(m.weights, ref.weights)).toBeLessThan(1e-9);
    expect(maxRelErr(m.components.flatMap((cc) => Object.values(cc) as number[]), ref.theta.flat())).toBeLessThan(1e-9);
    expect(maxRelErr(m.history, ref.history)).toBeLessThan(1e-9);
  });

  it("hard EM: 5 iterations equal the reference's classification EM", () => {
    const m = fitTo(c, { init: initOf(c) as never, maxIter: 5, tol: 0, mode: "hard" });
    const ref = referenceEM(REFS[family], x, null, c.start.theta, c.start.weights, { maxIter: 5, tol: 0, mode: "hard", fixWeights: false });
    expect(maxRelErr(m.components.flatMap((cc) => Object.values(cc) as number[]), ref.theta.flat())).toBeLessThan(1e-9);
    expect(maxRelErr(m.history, ref.history)).toBeLessThan(1e-9);
  });

  it.runIf(k === 1)("k = 1 from its default seeding reaches the same optimum", () => {
    const m = fitTo(c, { maxIter: 5000, tol: 0 });
    expect(maxRelErr(phiOf(m), c.optimum.phi)).toBeLessThan(1e-9);
  });
});

describe("log-densities against scipy.stats", () => {
  const sc = read("scipy-positive.json");
  type ScipyCase = { family: Name; component: Record<string, number>; x: number[]; logDensity: number[] };
  const rows: [Name, string, ScipyCase][] = (sc.cases as ScipyCase[]).map((c) => [c.family, JSON.stringify(c.component), c]);
  it.each(rows)("%s %s: 1e-12 relative (1e-12 absolute near 0)", (family, _p, c) => {
    const { x, logDensity, component } = c;
    const json = fitSync(fixture.data[family], { family, k: 1, maxIter: 1 } as FitOptions).toJSON() as unknown as Record<string, unknown>;
    const model = loadModel({ ...json, components: [component] } as never);
    const s = model.scoreSamples(x);
    x.forEach((_, i) => expect(Math.abs(s[i] - logDensity[i]), `x = ${x[i]}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(logDensity[i]))));
  });
});
