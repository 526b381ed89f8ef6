// The Student-t families (t, mvt): agreement with the plain-TypeScript reference ECME after 5
// iterations and at the fixed point, every dof mode and covariance type; the fixed points confirmed
// by maximising the likelihood in R (fixtures/peers/make_t_optim.R); the ECME step maximising the
// observed likelihood in ν; a monotone log-likelihood at extreme scales (fast-check); robustness to
// gross outliers on Old Faithful; exact sampling; bad ν.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitSync, initSync, loadModel, MixemError, type FitOptions, type MvtComponent, type TComponent } from "../src/index.js";
import { referenceEM } from "./reference/em.js";
import { mvtRef, refLogGamma, tRef, type DofMode } from "./reference/t.js";
import { drawLabels, historyCloseness, maxRelErr, mulberry32, normal } from "./helpers.js";

initSync();
const fixture = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/peers/${name}`, import.meta.url)), "utf8"));

const u = mulberry32(77);
const tScale = (nu: number) => 1 / Math.sqrt(Array.from({ length: nu }, () => normal(u) ** 2).reduce((a, b) => a + b, 0) / nu);
const N = 600;
const labels = drawLabels(u, N, [0.4, 0.6]);
const x1 = labels.map((j) => 8 * j + normal(u) * (1 + j) * tScale(j ? 6 : 3));
const x2 = labels.map((j) => { const w = tScale(j ? 6 : 3); return [3 * j + normal(u) * w, -2 * j + (normal(u) * (1 + 0.5 * j) + 0.4 * normal(u)) * w]; });
const diagM = (v: number[]) => v.map((a, i) => v.map((_, j) => (i === j ? a : 0)));

const tTheta = (c: TComponent) => [c.mean, c.variance, c.dof];
const mvtTheta = (c: MvtComponent) => [...c.mean, ...c.covariance.flat(), c.dof];

describe("agreement with the reference ECME (parameters and log-likelihood to 1e-9)", () => {
  const tCases: [string, DofMode, "soft" | "hard"][] = [["estimate", "estimate", "soft"], ["equal", "equal", "soft"], ["fixed 4", 4, "soft"], ["estimate, hard", "estimate", "hard"]];
  describe.each(tCases)("t, dof %s", (_name, dof, mode) => {
    const init = { means: [1, 7], variances: [2, 4], dofs: typeof dof === "number" ? [dof, dof] : [10, 10] };
    const theta0 = [[1, 2, init.dofs[0]], [7, 4, init.dofs[1]]];
    it.each([5, 150])("after %i iterations", (iters) => {
      const m = fitSync(x1, { family: "t", k: 2, dof, mode, init, maxIter: iters, tol: 0 });
      const ref = referenceEM(tRef(x1, dof, mode === "hard"), x1, null, theta0, [0.5, 0.5], { maxIter: iters, tol: 0, mode, fixWeights: false });
      expect(m.iterations).toBe(iters);
      expect(historyCloseness(m.history, ref.history, N)).toBeLessThan(1);
      expect(Math.abs(m.logLikelihood - ref.logLikelihood)).toBeLessThan(1e-9 * Math.abs(ref.logLikelihood));
      expect(maxRelErr(m.weights, ref.weights)).toBeLessThan(1e-9);
      expect(maxRelErr(m.components.flatMap((c) => tTheta(c as TComponent)), ref.theta.flat())).toBeLessThan(1e-9);
    });
  });

  const mvCases: ["full" | "diag" | "tied" | "spherical", DofMode][] = [["full", "estimate"], ["diag", "estimate"], ["tied", "estimate"], ["spherical", "estimate"], ["full", "equal"], ["diag", 5]];
  describe.each(mvCases)("mvt %s, dof %s", (covariance, dof) => {
    const dofs = typeof dof === "number" ? [dof, dof] : [10, 10];
    const init = { means: [[0, 0], [3, -2]], covariances: [[[1, 0.1], [0.1, 1]], [[1.5, 0.2], [0.2, 2]]], dofs };
    const cov0 = covariance === "full" ? init.covariances
      : covariance === "tied" ? [[[1.25, 0.15], [0.15, 1.5]], [[1.25, 0.15], [0.15, 1.5]]]
      : covariance === "diag" ? [diagM([1, 1]), diagM([1.5, 2])] : [diagM([1, 1]), diagM([1.75, 1.75])];
    const theta0 = [[0, 0, ...cov0[0].flat(), dofs[0]], [3, -2, ...cov0[1].flat(), dofs[1]]];
    it.each([5, 100])("after %i iterations", (iters) => {
      const m = fitSync(x2, { family: "mvt", k: 2, covariance, dof, init, maxIter: iters, tol: 0 });
      const ref = referenceEM(mvtRef(x2, covariance, dof), x2, null, theta0, [0.5, 0.5], { maxIter: iters, tol: 0, mode: "soft", fixWeights: false });
      expect(historyCloseness(m.history, ref.history, N)).toBeLessThan(1);
      expect(Math.abs(m.logLikelihood - ref.logLikelihood)).toBeLessThan(1e-9 * Math.abs(ref.logLikelihood));
      expect(maxRelErr(m.weights, ref.weights)).toBeLessThan(1e-9);
      expect(maxRelErr(m.components.flatMap((c) => mvtTheta(c as MvtComponent)), ref.theta.flat())).toBeLessThan(1e-9);
    });
  });
});

describe("fixed points confirmed by maximising the log-likelihood in R (make_t_fixed.mjs, make_t_optim.R)", () => {
  const cases = fixture("t-fixed.json") as { name: string; family: "t" | "mvt"; options: Record<string, unknown>; data: never; init: never; logLikelihood: number; weights: number[]; components: (TComponent | MvtComponent)[] }[];
  const r = fixture("r-t-optim.json") as { name: string; logLikelihood: number; maxAbsGradient: number; optimLogLikelihood: number; optimMaxRelChange: number; optimConvergence: number }[];
  it.each(cases.map((c, i) => [c.name, c, r[i]] as const))("%s", (_name, c, peer) => {
    expect(peer.name).toBe(c.name);
    // mixem today reaches the fixture's fixed point …
    const m = fitSync(c.data, { family: c.family, k: 2, ...c.options, init: c.init, tol: 0, maxIter: 3000 } as FitOptions);
    const flat = (cs: (TComponent | MvtComponent)[]) => cs.flatMap((x) => ("covariance" in x ? mvtTheta(x) : tTheta(x as TComponent)));
    expect(maxRelErr(m.weights, c.weights)).toBeLessThan(1e-9);
    expect(maxRelErr(flat(m.components as never), flat(c.components))).toBeLessThan(1e-9);
    // … where R's own t density gives the same log-likelihood, the gradient vanishes (ν at a bound
    // held by it), and L-BFGS-B from there finds no higher value and hardly moves.
    expect(Math.abs(peer.logLikelihood - m.logLikelihood)).toBeLessThan(1e-12 * Math.abs(m.logLikelihood));
    expect(peer.maxAbsGradient).toBeLessThan(1e-6);
    expect(peer.optimConvergence).toBe(0);
    expect(peer.optimLogLikelihood - m.logLikelihood).toBeLessThan(1e-12 * Math.abs(m.logLikelihood));
    expect(peer.optimMaxRelChange).toBeLessThan(1e-4);
  });
});

describe("the ECME step maximises the observed log-likelihood in ν", () => {
  it.each(["t", "mvt"] as const)("%s: after one iteration, moving any ν either way (inside the bounds) lowers log L", (family) => {
    const data = family === "t" ? x1 : x2;
    const init = family === "t" ? { means: [1, 7], variances: [2, 4], dofs: [10, 10] } : { means: [[0, 0], [3, -2]], covariances: [[[1, 0], [0, 1]], [[1.5, 0], [0, 2]]], dofs: [10, 10] };
    const m = fitSync(data as never, { family, k: 2, init, maxIter: 1, tol: 0 } as FitOptions);
    const json = JSON.parse(JSON.stringify(m));
    for (let j = 0; j < 2; j++) for (const f of [1 - 1e-4, 1 + 1e-4]) {
      const nu = json.components[j].dof;
      if ((nu >= 200 * (1 - 1e-12) && f > 1) || (nu <= 0.5 * (1 + 1e-12) && f < 1)) continue; // held at a bound of [0.5, 200]
      const moved = structuredClone(json);
      moved.components[j].dof *= f;
      expect(loadModel(moved).logLikelihoodOf(data as never)).toBeLessThan(m.logLikelihood);
    }
  });
});

describe("soft EM never decreases the log-likelihood (fast-check, scales 1e-8 … 1e8)", () => {
  it("t and mvt", () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.nat(), n: fc.integer({ min: 30, max: 250 }), k: fc.integer({ min: 1, max: 3 }), scale: fc.constantFrom(1e-8, 1e-3, 1, 1e3, 1e8), offset: fc.constantFrom(0, 1e4), nu: fc.constantFrom(1, 3, 30), family: fc.constantFrom("t", "mvt"), dof: fc.constantFrom("estimate", "equal") }),
      ({ seed, n, k, scale, offset, nu, family, dof }) => {
        const v = mulberry32(seed);
        const chi = () => 1 / Math.sqrt(Array.from({ length: nu }, () => normal(v) ** 2).reduce((a, b) => a + b, 0) / nu);
        const centres = Array.from({ length: k }, () => (offset + (v() - 0.5) * 20) * scale);
        const lab = drawLabels(v, n, Array(k).fill(1 / k));
        const data = family === "t"
          ? lab.map((j) => centres[j] + scale * normal(v) * chi())
          : lab.map((j) => { const w = chi(); return [centres[j] + scale * normal(v) * w, -centres[j] + scale * (normal(v) + 0.5 * normal(v)) * w]; });
        const m = fitSync(data as never, { family, k, dof, seed, maxIter: 40, tol: 0 } as FitOptions);
        const h = m.history;
        for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]));
        for (const c of m.components as readonly unknown[] as { dof: number }[]) expect(c.dof >= 0.5 && c.dof <= 200).toBe(true);
      },
    ), { numRuns: 40, seed: 11 });
  });
});

describe("robust to gross outliers: Old Faithful with 5 % of them", () => {
  const rows = readFileSync(fileURLToPath(new URL("../examples/faithful.csv", import.meta.url)), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
  // 14 points (5 % of 272) on a ring 5–7.5 × (5, 80) away from (3.5, 70), as make_t_fixed.mjs.
  const outliers = Array.from({ length: 14 }, (_, i) => { const a = (2 * Math.PI * i) / 14, r = 1 + 0.25 * (i % 3); return [3.5 + 5 * r * Math.cos(a), 70 + 80 * r * Math.sin(a)]; });
  const dirty = [...rows, ...outliers];
  const start = { weights: [0.4, 0.6], means: [[2, 55], [4.3, 80]], covariances: [[[0.1, 0], [0, 30]], [[0.2, 0], [0, 30]]] };
  const means = (m: { components: readonly unknown[] }) => (m.components as { mean: number[] }[]).map((c) => c.mean).sort((a, b) => a[0] - b[0]);
  const shift = (a: number[][], b: number[][]) => Math.max(...a.flatMap((m, j) => m.map((v, i) => Math.abs(v - b[j][i]) / Math.abs(b[j][i]))));
  it("mvt's means stay within 2 % of the clean Gaussian fit's; the Gaussian fit's move", () => {
    const clean = means(fitSync(rows, { family: "mvgaussian", k: 2, init: start }));
    const gauss = means(fitSync(dirty, { family: "mvgaussian", k: 2, init: start }));
    const t = means(fitSync(dirty, { family: "mvt", k: 2, init: { ...start, dofs: [10, 10] } }));
    expect(shift(t, clean)).toBeLessThan(0.02);
    expect(shift(gauss, clean)).toBeGreaterThan(0.1);
  });
});

describe("sampling is exact: x = μ + L z / √(χ²_ν/ν)", () => {
  // The t CDF by Simpson's rule on the density (from −∞ through the substitution x = tan θ).
  const tCdf = (x: number, nu: number) => {
    const c = Math.exp(refLogGamma((nu + 1) / 2) - refLogGamma(nu / 2)) / Math.sqrt(nu * Math.PI);
    const f = (th: number) => c * (1 + Math.tan(th) ** 2 / nu) ** (-(nu + 1) / 2) / Math.cos(th) ** 2;
    const a = -Math.PI / 2, b = Math.atan(x), n = 2000, h = (b - a) / n;
    let s = 0;
    for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * (i === 0 ? 0 : f(a + i * h));
    return (s * h) / 3;
  };
  const ks = (z: number[], nu: number) => {
    const s = [...z].sort((a, b) => a - b);
    let d = 0;
    for (let i = 0; i < s.length; i += 50) { const F = tCdf(s[i], nu); d = Math.max(d, Math.abs(F - i / s.length), Math.abs(F - (i + 1) / s.length)); }
    return d;
  };
  it.each([1.5, 4, 30])("t, ν = %s: standardised draws follow t_ν (Kolmogorov distance < 0.015 on 20 000)", (nu) => {
    const json = JSON.parse(JSON.stringify(fitSync(x1, { family: "t", k: 1, dof: nu, maxIter: 1 })));
    json.components = [{ mean: 3, variance: 4, dof: nu }];
    const m = loadModel(json);
    const s = m.sample(20000, { seed: 5 });
    expect(ks(Array.from(s.values, (v) => (v - 3) / 2), nu)).toBeLessThan(0.015);
  });
  it("mvt, ν = 3: each coordinate of a diagonal scale follows t_ν", () => {
    const json = JSON.parse(JSON.stringify(fitSync(x2, { family: "mvt", k: 1, dof: 3, maxIter: 1 })));
    json.components = [{ mean: [1, -1], covariance: [[4, 0], [0, 9]], dof: 3 }];
    const m = loadModel(json);
    const s = m.sample(20000, { seed: 6 });
    expect(ks(Array.from({ length: 20000 }, (_, i) => (s.values[2 * i] - 1) / 2), 3)).toBeLessThan(0.015);
    expect(ks(Array.from({ length: 20000 }, (_, i) => (s.values[2 * i + 1] + 1) / 3), 3)).toBeLessThan(0.015);
  });
});

describe("bad degrees of freedom: a MixemError naming the option", () => {
  const expectError = (f: () => unknown, code: string, path: string) => {
    try { f(); } catch (e) {
      expect(e).toBeInstanceOf(MixemError);
      expect((e as MixemError).code).toBe(code);
      expect((e as MixemError).path).toBe(path);
      return;
    }
    throw new Error("no error");
  };
  it.each([0, -1, NaN, Infinity, -Infinity, "5", "auto", null])("options.dof = %s", (dof) => {
    expectError(() => fitSync(x1, { family: "t", k: 2, dof: dof as never }), "INVALID_OPTION", "options.dof");
    expectError(() => fitSync(x2, { family: "mvt", k: 2, dof: dof as never }), "INVALID_OPTION", "options.dof");
  });
  it("explicit init and stored models", () => {
    expectError(() => fitSync(x1, { family: "t", k: 2, init: { means: [0, 1], variances: [1, 1], dofs: [0, 3] } }), "INVALID_OPTION", "options.init.dofs[0]");
    expectError(() => fitSync(x1, { family: "t", k: 2, init: { means: [0, 1], variances: [1, 1], dofs: [3, NaN] } }), "INVALID_OPTION", "options.init.dofs[1]");
    expectError(() => fitSync(x1, { family: "t", k: 2, dof: 4, init: { means: [0, 1], variances: [1, 1], dofs: [4, 5] } }), "INVALID_OPTION", "options.init.dofs[1]");
    expectError(() => fitSync(x2, { family: "mvt", k: 2, dof: "equal", init: { means: [[0, 0], [1, 1]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], dofs: [4, 5] } }), "INVALID_OPTION", "options.init.dofs[1]");
    const json = JSON.parse(JSON.stringify(fitSync(x1, { family: "t", k: 2, seed: 1 })));
    json.components[1].dof = -2;
    expectError(() => loadModel(json), "INVALID_MODEL", "model.components[1].dof");
  });
});
