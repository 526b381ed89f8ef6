// Frozen parameters of the families whose M-steps are joint or data-driven — gamma (shape, rate),
// negbinomial (mean, size), t and mvt (mean, variance / scale matrix, ν by ECME) — and frozen means
// under a prior (gaussian, mvgaussian): frozen values kept bit for bit (property), soft EM's ascent,
// the fixed point checked by the finite-difference gradient of the log-likelihood (log-posterior)
// in the free parameters, free-parameter counts, paths, and bad input.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { accumulate, fit, fitInWorker, fitSync, initSync, loadModel, maximize, type MixtureModel } from "../src/index.js";
import { gammaIntDraw, gammaRef, mixtureLogLik, negbinomialDraw, negbinomialRef } from "./reference/positive.js";
import { refLogGamma } from "./reference/t.js";
import { closeness, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const h = 1e-5;
const grad = (f: (e: number) => number) => (f(h) - f(-h)) / (2 * h);
const lse = (v: number[]) => { const m = Math.max(...v); return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0)); };
/** Moves the share of the free weights `free` between the first of them and the rest (a logit), keeping the frozen ones. */
const shiftWeights = (w: readonly number[], free: number[], e: number) => {
  const s = free.reduce((a, j) => a + w[j], 0), a = w[free[0]] * Math.exp(e), rest = free.slice(1).reduce((t, j) => t + w[j], 0);
  return w.map((v, j) => (j === free[0] ? (s * a) / (a + rest) : free.includes(j) ? (s * v) / (a + rest) : v));
};

const u = mulberry32(77);
/** Student-t draws with whole ν: z / √(χ²_ν / ν). */
const tDraw = (nu: number) => normal(u) / Math.sqrt(Array.from({ length: nu }, () => normal(u) ** 2).reduce((a, b) => a + b, 0) / nu);

const gammaX = Array.from({ length: 600 }, (_, i) => (i % 3 ? gammaIntDraw(u, 9, 1.5) : gammaIntDraw(u, 2, 1)));
const gammaInit = { weights: [0.35, 0.65], shapes: [1.5, 8], rates: [1, 1.2] };
const nbX = Array.from({ length: 600 }, (_, i) => (i % 3 ? negbinomialDraw(u, 20, 5, poissonDraw) : negbinomialDraw(u, 3, 2, poissonDraw)));
const nbInit = { weights: [0.35, 0.65], means: [4, 18], sizes: [1.5, 4] };
const tX = Array.from({ length: 600 }, (_, i) => (i % 2 ? 6 + 1.5 * tDraw(3) : tDraw(4)));
const tInit = { weights: [0.5, 0.5], means: [0.3, 5], variances: [1.2, 3], dofs: [8, 5] };
const mvtX = Array.from({ length: 500 }, (_, i) => {
  const s = tDraw(i % 2 ? 3 : 5), a = normal(u), b = normal(u);
  return i % 2 ? [5 + s * a, 2 + s * (0.5 * a + b)] : [s * a, s * 0.8 * b];
});
const mvtInit = { weights: [0.5, 0.5], means: [[0.2, -0.1], [4.5, 2.5]], covariances: [[[1.5, 0.2], [0.2, 1]], [[1, 0.3], [0.3, 1.5]]], dofs: [6, 4] };

const logT = (x: number, m: number, v: number, nu: number) => refLogGamma((nu + 1) / 2) - refLogGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI * v) - ((nu + 1) / 2) * Math.log1p((x - m) ** 2 / (nu * v));
const tLL = (w: readonly number[], c: { mean: number; variance: number; dof: number }[]) => tX.reduce((s, x) => s + lse(c.map((q, j) => Math.log(w[j]) + logT(x, q.mean, q.variance, q.dof))), 0);
const logMvt = (x: number[], m: number[], S: number[][], nu: number) => {
  const det = S[0][0] * S[1][1] - S[0][1] * S[1][0], d0 = x[0] - m[0], d1 = x[1] - m[1];
  const q = (S[1][1] * d0 * d0 - 2 * S[0][1] * d0 * d1 + S[0][0] * d1 * d1) / det;
  return refLogGamma((nu + 2) / 2) - refLogGamma(nu / 2) - Math.log(nu * Math.PI) - 0.5 * Math.log(det) - ((nu + 2) / 2) * Math.log1p(q / nu);
};
type MvtC = { mean: number[]; covariance: number[][]; dof: number };
const mvtLL = (w: readonly number[], c: MvtC[]) => mvtX.reduce((s, x) => s + lse(c.map((q, j) => Math.log(w[j]) + logMvt(x, q.mean, q.covariance, q.dof))), 0);
const clone = <T>(v: T): T => structuredClone(v);

describe("freeze: gamma, negbinomial, t, mvt", () => {
  it("frozen values stay bit for bit after any number of iterations, and soft EM never decreases its objective (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.boolean(), fc.integer({ min: 0, max: 3 }), (iters, bits, squarem, which) => {
      const pick = (o: number) => [0, 1].filter((j) => bits[o + j]);
      const deltas: number[] = [];
      const common = { k: 2, maxIter: iters, tol: 0, accelerate: squarem ? "squarem" : "none", onIteration: (i: { delta: number }) => { deltas.push(i.delta); } } as const;
      let m: MixtureModel, checks: [number, number][] = [];
      if (which === 0) {
        const freeze = { shapes: pick(0), rates: pick(2), weights: pick(4).slice(0, 1) };
        m = fitSync(gammaX, { family: "gamma", init: gammaInit, freeze, ...common });
        const c = (m as MixtureModel<"gamma">).components;
        checks = [...freeze.shapes.map((j) => [c[j].shape, gammaInit.shapes[j]]), ...freeze.rates.map((j) => [c[j].rate, gammaInit.rates[j]])] as [number, number][];
        checks.push(...freeze.weights.map((j) => [m.weights[j], gammaInit.weights[j]] as [number, number]));
      } else if (which === 1) {
        const freeze = { means: pick(0), sizes: pick(2), weights: pick(4).slice(0, 1) };
        m = fitSync(nbX, { family: "negbinomial", init: nbInit, freeze, ...common });
        const c = (m as MixtureModel<"negbinomial">).components;
        checks = [...freeze.means.map((j) => [c[j].mean, nbInit.means[j]]), ...freeze.sizes.map((j) => [c[j].size, nbInit.sizes[j]])] as [number, number][];
        checks.push(...freeze.weights.map((j) => [m.weights[j], nbInit.weights[j]] as [number, number]));
      } else if (which === 2) {
        const freeze = { means: pick(0), variances: pick(2), dofs: pick(4), weights: pick(6).slice(0, 1) };
        m = fitSync(tX, { family: "t", init: tInit, freeze, ...common });
        const c = (m as MixtureModel<"t">).components;
        checks = [...freeze.means.map((j) => [c[j].mean, tInit.means[j]]), ...freeze.variances.map((j) => [c[j].variance, tInit.variances[j]]), ...freeze.dofs.map((j) => [c[j].dof, tInit.dofs[j]])] as [number, number][];
        checks.push(...freeze.weights.map((j) => [m.weights[j], tInit.weights[j]] as [number, number]));
      } else {
        const freeze = { means: pick(0), covariances: pick(2), dofs: pick(4), weights: pick(6).slice(0, 1) };
        m = fitSync(mvtX, { family: "mvt", init: mvtInit, freeze, ...common });
        const c = (m as MixtureModel<"mvt">).components;
        for (const j of freeze.means) c[j].mean.forEach((v, a) => checks.push([v, mvtInit.means[j][a]]));
        for (const j of freeze.covariances) c[j].covariance.flat().forEach((v, a) => checks.push([v, mvtInit.covariances[j].flat()[a]]));
        for (const j of freeze.dofs) checks.push([c[j].dof, mvtInit.dofs[j]]);
        checks.push(...freeze.weights.map((j) => [m.weights[j], mvtInit.weights[j]] as [number, number]));
      }
      for (const [got, want] of checks) expect(got).toBe(want);
      for (const d of deltas) expect(d).toBeGreaterThanOrEqual(-1e-12);
    }), { numRuns: 60 });
  }, 120_000);

  it("gamma: the fixed point maximises the log-likelihood over the free parameters (gradient ≈ 0; the frozen directions' is not)", () => {
    const m = fitSync(gammaX, { family: "gamma", k: 2, init: gammaInit, freeze: { shapes: [0], rates: [1] }, maxIter: 3000, tol: 0, accelerate: "squarem" });
    const th = m.components.map((c) => [c.shape, c.rate]), w = [...m.weights];
    expect(th[0][0]).toBe(1.5);
    expect(th[1][1]).toBe(1.2);
    const ll = (t: number[][], ww: number[]) => mixtureLogLik(gammaRef, gammaX, ww, t);
    const at = (j: number, p: number) => (e: number) => { const t = clone(th); t[j][p] *= Math.exp(e); return ll(t, w); };
    for (const f of [at(0, 1), at(1, 0), (e: number) => ll(th, shiftWeights(w, [0, 1], e))]) expect(Math.abs(grad(f))).toBeLessThan(1e-4);
    for (const f of [at(0, 0), at(1, 1)]) expect(Math.abs(grad(f))).toBeGreaterThan(1);
    expect(m.nParameters).toBe(4 - 2 + 1);
    // maximize() takes the same conditional step (the rate held: ψ(a) = log b + mean log x).
    const five = fitSync(gammaX, { family: "gamma", k: 2, init: gammaInit, freeze: { rates: [0, 1] }, maxIter: 5, tol: 0 });
    const step = maximize(five, accumulate(five, gammaX)) as MixtureModel<"gamma">, next = fitSync(gammaX, { family: "gamma", k: 2, init: five, freeze: { rates: [0, 1] }, maxIter: 1, tol: 0 });
    step.components.forEach((c, j) => { expect(c.rate).toBe(gammaInit.rates[j]); expect(Math.abs(c.shape - next.components[j].shape)).toBeLessThan(1e-12 * c.shape); });
  });

  it("negbinomial: the fixed point maximises the log-likelihood over the free parameters", () => {
    const m = fitSync(nbX, { family: "negbinomial", k: 2, init: nbInit, freeze: { means: [1], sizes: [0] }, maxIter: 4000, tol: 0, accelerate: "squarem" });
    const th = m.components.map((c) => [c.mean, c.size]), w = [...m.weights];
    expect(th[1][0]).toBe(18);
    expect(th[0][1]).toBe(1.5);
    const ll = (t: number[][], ww: number[]) => mixtureLogLik(negbinomialRef, nbX, ww, t);
    const at = (j: number, p: number) => (e: number) => { const t = clone(th); t[j][p] *= Math.exp(e); return ll(t, w); };
    for (const f of [at(0, 0), at(1, 1), (e: number) => ll(th, shiftWeights(w, [0, 1], e))]) expect(Math.abs(grad(f))).toBeLessThan(1e-4);
    for (const f of [at(1, 0), at(0, 1)]) expect(Math.abs(grad(f))).toBeGreaterThan(1);
    expect(m.nParameters).toBe(3);
  });

  it("t: the fixed point (ECME, a frozen ν not searched) maximises the log-likelihood over the free parameters", () => {
    const m = fitSync(tX, { family: "t", k: 2, init: tInit, freeze: { means: [0], variances: [1], dofs: [0] }, maxIter: 3000, tol: 0, accelerate: "squarem" });
    const c = m.components.map((q) => ({ ...q })), w = [...m.weights];
    expect([c[0].mean, c[1].variance, c[0].dof]).toEqual([0.3, 3, 8]);
    expect(c[1].dof).toBeGreaterThan(0.6);
    expect(c[1].dof).toBeLessThan(150); // inside ν's range, where its gradient must vanish
    const mv = (j: number, key: "mean" | "variance" | "dof", e: number) => { const q = c.map((v) => ({ ...v })); q[j][key] = key === "mean" ? q[j][key] + e : q[j][key] * Math.exp(e); return tLL(w, q); };
    for (const f of [(e: number) => mv(0, "variance", e), (e: number) => mv(1, "mean", e), (e: number) => mv(1, "dof", e), (e: number) => tLL(shiftWeights(w, [0, 1], e), c)])
      expect(Math.abs(grad(f))).toBeLessThan(1e-4);
    for (const f of [(e: number) => mv(0, "mean", e), (e: number) => mv(1, "variance", e), (e: number) => mv(0, "dof", e)])
      expect(Math.abs(grad(f))).toBeGreaterThan(0.1);
    expect(m.nParameters).toBe(6 - 3 + 1);
    // dof "equal": one ν for all, frozen for all or none; a fixed ν is not a parameter to freeze.
    const eq = fitSync(tX, { family: "t", k: 2, dof: "equal", init: { ...tInit, dofs: [6, 6] }, freeze: { dofs: true }, maxIter: 30, tol: 0 });
    expect(eq.components.map((q) => q.dof)).toEqual([6, 6]);
    expect(eq.nParameters).toBe(4 + 1);
    expect(() => fitSync(tX, { family: "t", k: 2, dof: "equal", init: { ...tInit, dofs: [6, 6] }, freeze: { dofs: [0] } })).toThrow(/options\.freeze\.dofs: must be true: dof "equal" has one ν for all components/);
    expect(() => fitSync(tX, { family: "t", k: 2, dof: 5, init: { ...tInit, dofs: [5, 5] }, freeze: { dofs: [0] } })).toThrow(/options\.freeze\.dofs: cannot be frozen with options\.dof 5: ν is fixed already, not fitted/);
  });

  it("mvt (full): the fixed point maximises the log-likelihood over the free parameters", () => {
    const m = fitSync(mvtX, { family: "mvt", k: 2, init: mvtInit, freeze: { means: [1], covariances: [0], dofs: [1] }, maxIter: 3000, tol: 0, accelerate: "squarem" });
    const c: MvtC[] = m.components.map((q) => clone({ mean: q.mean, covariance: q.covariance, dof: q.dof })), w = [...m.weights];
    expect(c[1].mean).toEqual(mvtInit.means[1]);
    expect(c[0].covariance).toEqual(mvtInit.covariances[0]);
    expect(c[1].dof).toBe(4);
    const moved = (f: (q: MvtC[], e: number) => void) => (e: number) => { const q = clone(c); f(q, e); return mvtLL(w, q); };
    const free = [
      moved((q, e) => { q[0].mean[0] += e; }), moved((q, e) => { q[0].mean[1] += e; }), moved((q, e) => { q[0].dof *= Math.exp(e); }),
      moved((q, e) => { q[1].covariance[0][0] += e; }), moved((q, e) => { q[1].covariance[1][1] += e; }), moved((q, e) => { q[1].covariance[0][1] += e; q[1].covariance[1][0] += e; }),
      (e: number) => mvtLL(shiftWeights(w, [0, 1], e), c),
    ];
    for (const f of free) expect(Math.abs(grad(f))).toBeLessThan(1e-4);
    for (const f of [moved((q, e) => { q[1].mean[0] += e; }), moved((q, e) => { q[0].covariance[0][0] += e; }), moved((q, e) => { q[1].dof *= Math.exp(e); })])
      expect(Math.abs(grad(f))).toBeGreaterThan(0.1);
    expect(m.nParameters).toBe(12 - 2 - 3 - 1 + 1);
    expect(() => fitSync(mvtX, { family: "mvt", covariance: "tied", k: 2, init: { ...mvtInit, covariances: [mvtInit.covariances[0], mvtInit.covariances[0]] }, freeze: { covariances: [0] } }))
      .toThrow(/options\.freeze\.covariances: must be true: covariance "tied" shares one matrix/);
  });

  it("every path: threads and fitInWorker give fitSync's bits (t with a frozen ν, gamma with a frozen shape)", async () => {
    const o = { family: "t", k: 2, init: tInit, freeze: { dofs: [0], means: [1] }, maxIter: 20, tol: 0 } as const;
    const a = fitSync(tX, o);
    expect((await fit(tX, { ...o, threads: 2 })).components).toEqual(a.components);
    expect((await fitInWorker(tX, o)).components).toEqual(a.components);
    const g = { family: "gamma", k: 2, init: gammaInit, freeze: { shapes: true }, maxIter: 20, tol: 0 } as const;
    expect((await fitInWorker(gammaX, g)).components).toEqual(fitSync(gammaX, g).components);
  }, 60_000);
});

describe("freeze: independent columns (freeze.columns: one object per column)", () => {
  const rows = Array.from({ length: 600 }, (_, i) => [(i % 2) * 4 + normal(u) * (1 + (i % 2) * 0.4), poissonDraw(u, i % 2 ? 8 : 2)]);
  const columns = [{ family: "gaussian" as const }, { family: "poisson" as const }];
  const init = { weights: [0.5, 0.5], columns: [{ means: [0.5, 3.5], variances: [1, 1.5] }, { lambdas: [2.5, 7] }] };
  const logPois = (x: number, l: number) => x * Math.log(l) - l - lgammaInt(x + 1);
  const lgammaInt = (n: number) => { let s = 0; for (let i = 2; i < n; i++) s += Math.log(i); return s; };
  const ll = (w: readonly number[], m: number[], v: number[], l: number[]) =>
    rows.reduce((s, r) => s + lse(w.map((p, j) => Math.log(p) - 0.5 * Math.log(2 * Math.PI * v[j]) - (r[0] - m[j]) ** 2 / (2 * v[j]) + logPois(r[1], l[j]))), 0);

  it("frozen values stay bit for bit (property); the fixed point maximises the log-likelihood over the free parameters; counts and JSON", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), fc.boolean(), (iters, bits, squarem) => {
      const pick = (o: number) => [0, 1].filter((j) => bits[o + j]);
      const freeze = { columns: [{ means: pick(0), variances: pick(2) }, { lambdas: pick(4) }], weights: pick(6).slice(0, 1) };
      const deltas: number[] = [];
      const m = fitSync(rows, { family: "independent", columns, k: 2, init, freeze, maxIter: iters, tol: 0, accelerate: squarem ? "squarem" : "none", onIteration: (i) => { deltas.push(i.delta); } });
      const c = m.components.map((q) => q.columns as [{ mean: number; variance: number }, { lambda: number }]);
      for (const j of freeze.columns[0].means!) expect(c[j][0].mean).toBe(init.columns[0].means![j]);
      for (const j of freeze.columns[0].variances!) expect(c[j][0].variance).toBe(init.columns[0].variances![j]);
      for (const j of freeze.columns[1].lambdas!) expect(c[j][1].lambda).toBe(init.columns[1].lambdas![j]);
      for (const j of freeze.weights) expect(m.weights[j]).toBe(init.weights[j]);
      for (const d of deltas) expect(d).toBeGreaterThanOrEqual(-1e-12);
    }), { numRuns: 40 });
    const freeze = { columns: [{ means: [1] }, { lambdas: [0] }] };
    const m = fitSync(rows, { family: "independent", columns, k: 2, init, freeze, maxIter: 2000, tol: 0, accelerate: "squarem" });
    const c = m.components.map((q) => q.columns as [{ mean: number; variance: number }, { lambda: number }]);
    const M = c.map((q) => q[0].mean), V = c.map((q) => q[0].variance), L = c.map((q) => q[1].lambda), w = [...m.weights];
    expect([M[1], L[0]]).toEqual([3.5, 2.5]);
    const on = (a: number[], j: number, e: number, log = false) => a.map((v, i) => (i === j ? (log ? v * Math.exp(e) : v + e) : v));
    for (const f of [(e: number) => ll(w, on(M, 0, e), V, L), (e: number) => ll(w, M, on(V, 0, e, true), L), (e: number) => ll(w, M, on(V, 1, e, true), L), (e: number) => ll(w, M, V, on(L, 1, e, true)), (e: number) => ll(shiftWeights(w, [0, 1], e), M, V, L)])
      expect(Math.abs(grad(f))).toBeLessThan(1e-4);
    for (const f of [(e: number) => ll(w, on(M, 1, e), V, L), (e: number) => ll(w, M, V, on(L, 0, e, true))]) expect(Math.abs(grad(f))).toBeGreaterThan(1);
    expect(m.nParameters).toBe(4 + 2 - 2 + 1);
    expect(m.settings.freeze).toEqual({ "columns.0.means": [1], "columns.1.lambdas": [0] });
    const back = loadModel(JSON.parse(JSON.stringify(m)));
    expect(back.nParameters).toBe(m.nParameters);
    expect(back.settings.freeze).toEqual(m.settings.freeze);
    // A warm start from it holds the same values (5 + 5 = 10, bit for bit).
    const five = fitSync(rows, { family: "independent", columns, k: 2, init, freeze, maxIter: 5, tol: 0 });
    expect(fitSync(rows, { family: "independent", columns, k: 2, init: five, freeze, maxIter: 5, tol: 0 }).components).toEqual(fitSync(rows, { family: "independent", columns, k: 2, init, freeze, maxIter: 10, tol: 0 }).components);
  });

  it("bad freeze.columns: a MixemError naming the column, parameter and index", () => {
    const bad = (freeze: unknown, re: RegExp) => expect(() => fitSync(rows, { family: "independent", columns, k: 2, init, freeze } as never)).toThrow(re);
    bad({ columns: [{ means: [1] }] }, /options\.freeze\.columns: must be an array of 2 objects \(one per column/);
    bad({ columns: [{ lambdas: [1] }, null] }, /options\.freeze\.columns\[0\]\.lambdas: is not a parameter column 0 \(gaussian\) can freeze \(it can freeze: means, variances\)/);
    bad({ columns: [null, { lambdas: [2] }] }, /options\.freeze\.columns\[1\]\.lambdas\[0\]: must be a component index 0 … 1/);
    bad({ columns: [[0], null] }, /options\.freeze\.columns\[0\]: must be an object/);
    bad({ means: [0] }, /options\.freeze\.means: is not a parameter family "independent" can freeze \(it can freeze: weights, columns\)/);
  });
});

describe("frozen means with a prior: the conditional MAP step", () => {
  const x = Array.from({ length: 900 }, (_, i) => (i % 3) * 3 + normal(u) * (1 + (i % 3) * 0.3));
  const init = { weights: [0.2, 0.3, 0.5], means: [0.5, 2.5, 6.5], variances: [1, 2, 3] };
  const logN = (v: number, m: number, s2: number) => -0.5 * Math.log(2 * Math.PI * s2) - (v - m) ** 2 / (2 * s2);

  it("gaussian (V and E): the fixed point maximises the log-posterior over the free parameters", () => {
    for (const covariance of ["V", "E"] as const) {
      const start = covariance === "E" ? { ...init, variances: [2, 2, 2] } : init;
      const m = fitSync(x, { k: 3, covariance, init: start, prior: { shrinkage: 20, weights: 2 }, freeze: { means: [0] }, maxIter: 5000, tol: 0, accelerate: "squarem" });
      const pr = m.settings.prior as { shrinkage: number; mean: number; dof: number; scale: number; weights: number };
      expect(m.components[0].mean).toBe(0.5);
      const means = m.components.map((c) => c.mean), vars = m.components.map((c) => c.variance), w = [...m.weights];
      // log p(x | θ) + Σ_j log N(m_j | μ₀, σ²_j/κ) + Σ (shared: once) log InvGamma(σ² | ν/2, ς²/2) + (α − 1) Σ log π_j.
      const post = (mm: number[], vv: number[], ww: number[]) => {
        let s = x.reduce((a, v) => a + lse(ww.map((p, j) => Math.log(p) + logN(v, mm[j], vv[j]))), 0);
        s += mm.reduce((a, mj, j) => a + logN(mj, pr.mean, vv[j] / pr.shrinkage), 0);
        const ig = (s2: number) => -(pr.dof / 2 + 1) * Math.log(s2) - pr.scale / (2 * s2);
        s += covariance === "E" ? ig(vv[0]) : vv.reduce((a, s2) => a + ig(s2), 0);
        return s + (pr.weights - 1) * ww.reduce((a, p) => a + Math.log(p), 0);
      };
      expect(Math.abs(post(means, vars, w) - m.logPosterior!)).toBeLessThan(1e-6 * Math.abs(m.logPosterior!) + 20); // the same objective up to constants
      const varMove = (j: number | "all") => (e: number) => post(means, vars.map((v, i) => (j === "all" || i === j ? v * Math.exp(e) : v)), w);
      const meanMove = (j: number) => (e: number) => post(means.map((v, i) => (i === j ? v + e : v)), vars, w);
      const free = [meanMove(1), meanMove(2), ...(covariance === "E" ? [varMove("all")] : [varMove(0), varMove(1), varMove(2)]), (e: number) => post(means, vars, shiftWeights(w, [0, 1, 2], e))];
      for (const f of free) expect(Math.abs(grad(f))).toBeLessThan(1e-4);
      expect(Math.abs(grad(meanMove(0)))).toBeGreaterThan(1);
    }
  });

  it("an independent gaussian column with a prior and frozen means takes the gaussian family's conditional MAP step (a lone column = the 1-D fit)", () => {
    const prior = { shrinkage: 20, weights: 2 };
    for (const iters of [1, 5, 60]) {
      const one = fitSync(x, { k: 3, init, prior, freeze: { means: [0] }, maxIter: iters, tol: 0 });
      const col = fitSync(x.map((v) => [v]), {
        family: "independent", columns: [{ family: "gaussian" }], k: 3, maxIter: iters, tol: 0,
        init: { weights: init.weights, columns: [{ means: init.means, variances: init.variances }] },
        prior: { weights: prior.weights, columns: [{ shrinkage: prior.shrinkage }] }, freeze: { columns: [{ means: [0] }] },
      });
      const cc = col.components.map((c) => (c.columns as [{ mean: number; variance: number }])[0]);
      expect(cc[0].mean).toBe(init.means[0]); // frozen: the start's bits
      const { weights: _w, ...columnPrior } = one.settings.prior as Record<string, number>;
      expect((col.settings.prior as { columns: unknown[] }).columns[0]).toEqual(columnPrior); // the same default prior
      // The same MAP step computed by another kernel: equal to the rounding of the sums.
      expect(closeness([...col.weights, ...cc.flatMap((c) => [c.mean, c.variance])], [...one.weights, ...one.components.flatMap((c) => [c.mean, c.variance])], 1e-12, 1e-14)).toBeLessThan(1);
      expect(Math.abs(col.logPosterior! - one.logPosterior!)).toBeLessThan(1e-11 * Math.abs(one.logPosterior!));
    }
  });

  it("mvgaussian (VVV and EEE): the fixed point maximises the log-posterior over the free parameters", () => {
    const rows = x.map((v, i) => [v, (i % 3) * 2 + normal(u) * (1 + (i % 2))]);
    const I = [[1, 0], [0, 1]];
    for (const covariance of ["VVV", "EEE"] as const) {
      const m = fitSync(rows, {
        family: "mvgaussian", covariance, k: 3, init: { weights: init.weights, means: [[0, 0], [3, 2], [6, 4]], covariances: [I, I, I] },
        prior: { shrinkage: 10 }, freeze: { means: [0, 2] }, maxIter: 5000, tol: 0,
      });
      const pr = m.settings.prior as { shrinkage: number; mean: number[]; dof: number; scale: number[][]; weights: number };
      const M = m.components.map((c) => [...c.mean]), C = m.components.map((c) => c.covariance.map((r) => [...r])), w = [...m.weights];
      expect(M[0]).toEqual([0, 0]);
      const inv = (S: number[][]) => { const det = S[0][0] * S[1][1] - S[0][1] ** 2; return { det, P: [[S[1][1] / det, -S[0][1] / det], [-S[0][1] / det, S[0][0] / det]] }; };
      const quad = (P: number[][], a: number[]) => P[0][0] * a[0] ** 2 + 2 * P[0][1] * a[0] * a[1] + P[1][1] * a[1] ** 2;
      // log p(x | θ) + Σ_j [−½ log|Σ_j| − κ/2 (m_j − μ₀)ᵀ Σ_j⁻¹ (m_j − μ₀)] − (ν + d + 1)/2 log|Σ| − ½ tr(Λ Σ⁻¹) per matrix (EEE: once).
      const post = (MM: number[][], CC: number[][][]) => {
        const f = CC.map(inv);
        let s = rows.reduce((a, r) => a + lse(w.map((p, j) => Math.log(p) - Math.log(2 * Math.PI) - 0.5 * Math.log(f[j].det) - 0.5 * quad(f[j].P, [r[0] - MM[j][0], r[1] - MM[j][1]]))), 0);
        s += MM.reduce((a, mj, j) => a - 0.5 * Math.log(f[j].det) - 0.5 * pr.shrinkage * quad(f[j].P, [mj[0] - pr.mean[0], mj[1] - pr.mean[1]]), 0);
        const iw = (j: number) => -((pr.dof + 3) / 2) * Math.log(f[j].det) - 0.5 * (pr.scale[0][0] * f[j].P[0][0] + 2 * pr.scale[0][1] * f[j].P[0][1] + pr.scale[1][1] * f[j].P[1][1]);
        return s + (covariance === "EEE" ? iw(0) : iw(0) + iw(1) + iw(2));
      };
      const covMove = (j: number | "all", a: number, b: number) => (e: number) => post(M, C.map((S, i) => (j === "all" || i === j ? S.map((r, p) => r.map((v, q) => v + ((p === a && q === b) || (p === b && q === a) ? e : 0))) : S)));
      const free = [
        (e: number) => post(M.map((mm, i) => (i === 1 ? [mm[0] + e, mm[1]] : mm)), C), (e: number) => post(M.map((mm, i) => (i === 1 ? [mm[0], mm[1] + e] : mm)), C),
        ...(covariance === "EEE" ? [covMove("all", 0, 0), covMove("all", 0, 1), covMove("all", 1, 1)] : [0, 1, 2].flatMap((j) => [covMove(j, 0, 0), covMove(j, 0, 1), covMove(j, 1, 1)])),
      ];
      for (const f of free) expect(Math.abs(grad(f))).toBeLessThan(1e-4);
      expect(Math.abs(grad((e: number) => post(M.map((mm, i) => (i === 0 ? [mm[0] + e, mm[1]] : mm)), C)))).toBeGreaterThan(1);
    }
  });
});
