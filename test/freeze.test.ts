// Frozen parameters (`freeze`): the conditional M-step against the reference EM, the fixed point
// checked by the log-likelihood's gradient in the free parameters, frozen values kept bit for bit
// (property), soft EM's ascent, free-parameter counts, every path, and bad input.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { accumulate, fit, fitInWorker, fitStream, fitSync, initSync, loadModel, maximize, mergeStats, type MixtureModel } from "../src/index.js";
import { gaussianRef, poissonRef, referenceEM } from "./reference/em.js";
import { bernoulliRef } from "./reference/mv.js";
import { mulberry32, normal } from "./helpers.js";

initSync();
const u = mulberry32(41);
const x = Array.from({ length: 3000 }, (_, i) => (i % 3) * 3 + normal(u) * (1 + (i % 3) * 0.3));
const init = { weights: [0.2, 0.3, 0.5], means: [0.5, 2.5, 6.5], variances: [1, 2, 3] };
const theta0 = [[0.5, 1], [2.5, 2], [6.5, 3]];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
const mask = (k: number, list: number[] | true | undefined) => Array.from({ length: k }, (_, j) => list === true || (list ?? []).includes(j));

describe("frozen parameters", () => {
  it("agree with the reference EM's conditional M-step (a frozen mean: the variance about it; frozen weights: the rest share the remaining mass)", () => {
    const cases: { means?: number[] | true; variances?: number[] | true; weights?: number[] }[] = [
      { means: [1] }, { variances: [0, 2] }, { weights: [0] }, { means: [0, 2], variances: [2], weights: [1, 2] }, { means: true }, { variances: true, weights: [2] },
    ];
    for (const freeze of cases) for (const mode of ["soft", "hard"] as const) {
      const m = fitSync(x, { k: 3, init, freeze, maxIter: 25, tol: 0, mode });
      const fm = mask(3, freeze.means), fv = mask(3, freeze.variances);
      const ref = referenceEM(gaussianRef(x), x, null, theta0, init.weights, {
        maxIter: 25, tol: 0, mode, fixWeights: false, frozen: fm.map((f, j) => [f, fv[j]]), frozenWeights: mask(3, freeze.weights),
      });
      m.components.forEach((c, j) => {
        expect(rel(c.mean, ref.theta[j][0])).toBeLessThan(1e-9);
        expect(rel(c.variance, ref.theta[j][1])).toBeLessThan(1e-9);
        expect(rel(m.weights[j], ref.weights[j])).toBeLessThan(1e-9);
        if (fm[j]) expect(c.mean).toBe(init.means[j]);
        if (fv[j]) expect(c.variance).toBe(init.variances[j]);
        if (freeze.weights?.includes(j)) expect(m.weights[j]).toBe(init.weights[j]);
      });
      expect(rel(m.logLikelihood, ref.logLikelihood)).toBeLessThan(1e-12);
    }
    // Families whose parameters have M-steps of their own: Poisson rates, Bernoulli probabilities.
    const counts = Array.from({ length: 1200 }, (_, i) => Math.max(0, Math.round((i % 2 ? 9 : 2) + normal(u) * (i % 2 ? 3 : 1.2))));
    const p = fitSync(counts, { family: "poisson", k: 2, init: { lambdas: [3, 7] }, freeze: { lambdas: [1] }, maxIter: 20, tol: 0 });
    const pr = referenceEM(poissonRef, counts, null, [[3], [7]], [0.5, 0.5], { maxIter: 20, tol: 0, mode: "soft", fixWeights: false, frozen: [[false], [true]] });
    expect(p.components[1].lambda).toBe(7);
    expect(rel(p.components[0].lambda, pr.theta[0][0])).toBeLessThan(1e-10);
    const bits = Array.from({ length: 800 }, (_, i) => [0, 1, 2].map((a) => (u() < (i % 2 ? 0.8 : 0.2) + a * 0.05 ? 1 : 0)));
    const start = [[0.3, 0.3, 0.4], [0.7, 0.6, 0.6]];
    const b = fitSync(bits, { family: "bernoulli", k: 2, init: { p: start }, freeze: { p: [0] }, maxIter: 15, tol: 0 });
    const br = referenceEM(bernoulliRef(3), bits, null, start, [0.5, 0.5], { maxIter: 15, tol: 0, mode: "soft", fixWeights: false, frozen: [[true, true, true], [false, false, false]] });
    expect(b.components[0].p).toEqual(start[0]);
    b.components[1].p.forEach((v, a) => expect(rel(v, br.theta[1][a])).toBeLessThan(1e-10));
  });

  it("with partial labels too (the reference EM with both)", () => {
    const labels = x.map((_, i) => (i % 10 === 0 ? i % 3 : -1));
    const m = fitSync(x, { k: 3, init, labels, freeze: { means: [2], weights: [0] }, maxIter: 25, tol: 0 });
    const ref = referenceEM(gaussianRef(x), x, null, theta0, init.weights, {
      maxIter: 25, tol: 0, mode: "soft", fixWeights: false, labels, frozen: [[false, false], [false, false], [true, false]], frozenWeights: [true, false, false],
    });
    m.components.forEach((c, j) => { expect(rel(c.mean, ref.theta[j][0])).toBeLessThan(1e-9); expect(rel(c.variance, ref.theta[j][1])).toBeLessThan(1e-9); });
    expect(rel(m.objective, ref.objective)).toBeLessThan(1e-12);
  });

  it("the fixed point maximises the log-likelihood over the free parameters (gradient ≈ 0): 1-D, and 2-D full and shared (EEE) covariances with frozen means", () => {
    // Central differences of the log-likelihood, in log-variance, mean and weight-logit coordinates.
    const m = fitSync(x, { k: 3, init, freeze: { means: [1], variances: [0], weights: [2] }, maxIter: 20_000, tol: 0 });
    const ll = (means: number[], vars: number[], w: number[]) =>
      x.reduce((s, v) => s + Math.log(w.reduce((a, wj, j) => a + wj * Math.exp(-((v - means[j]) ** 2) / (2 * vars[j])) / Math.sqrt(2 * Math.PI * vars[j]), 0)), 0);
    const means = m.components.map((c) => c.mean), vars = m.components.map((c) => c.variance), w = [...m.weights];
    const h = 1e-5;
    const grad = (f: (e: number) => number) => (f(h) - f(-h)) / (2 * h);
    const free: ((e: number) => number)[] = [
      (e) => ll(means.map((v, j) => (j === 0 ? v + e : v)), vars, w),
      (e) => ll(means.map((v, j) => (j === 2 ? v + e : v)), vars, w),
      (e) => ll(means, vars.map((v, j) => (j === 1 ? v * Math.exp(e) : v)), w),
      (e) => ll(means, vars.map((v, j) => (j === 2 ? v * Math.exp(e) : v)), w),
      // Weights 0 and 1 share 1 − w₂: moving the share between them.
      (e) => { const s = w[0] + w[1], a = w[0] * Math.exp(e), b = w[1]; return ll(means, vars, [(s * a) / (a + b), (s * b) / (a + b), w[2]]); },
    ];
    for (const f of free) expect(Math.abs(grad(f))).toBeLessThan(1e-4);
    // The frozen directions are not at a maximum (else the test could not tell).
    expect(Math.abs(grad((e) => ll(means.map((v, j) => (j === 1 ? v + e : v)), vars, w)))).toBeGreaterThan(1);

    const rows = x.map((v, i) => [v, (i % 3) * 2 + normal(u) * (1 + (i % 2))]);
    const mv = fitSync(rows, {
      family: "mvgaussian", k: 3, init: { means: [[0, 0], [3, 2], [6, 4]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]] },
      freeze: { means: [0, 2] }, maxIter: 5000, tol: 0,
    });
    expect(mv.components[0].mean).toEqual([0, 0]);
    const C = mv.components.map((c) => c.covariance.map((r) => [...r])), M = mv.components.map((c) => [...c.mean]);
    const llmv = (C: number[][][], M: number[][], w: readonly number[]) => rows.reduce((s, r) => s + Math.log(C.reduce((a, S, j) => {
      const det = S[0][0] * S[1][1] - S[0][1] * S[1][0], d0 = r[0] - M[j][0], d1 = r[1] - M[j][1];
      const q = (S[1][1] * d0 * d0 - 2 * S[0][1] * d0 * d1 + S[0][0] * d1 * d1) / det;
      return a + w[j] * Math.exp(-0.5 * q) / (2 * Math.PI * Math.sqrt(det));
    }, 0)), 0);
    for (let j = 0; j < 3; j++) for (const [a, b] of [[0, 0], [0, 1], [1, 1]]) {
      const g = grad((e) => { const D = C.map((S) => S.map((r) => [...r])); D[j][a][b] += e; if (a !== b) D[j][b][a] += e; return llmv(D, M, mv.weights); });
      expect(Math.abs(g)).toBeLessThan(1e-4);
    }
    expect(Math.abs(grad((e) => llmv(C, M.map((m, j) => (j === 0 ? [m[0] + e, m[1]] : m)), mv.weights)))).toBeGreaterThan(1);
    // A shared covariance (EEE, "tied") about frozen means: the pooled scatter about them.
    const tied = fitSync(rows, {
      family: "mvgaussian", covariance: "EEE", k: 3, init: { means: [[0, 0], [3, 2], [6, 4]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]] },
      freeze: { means: [1] }, maxIter: 5000, tol: 0,
    });
    const T = tied.components.map((c) => c.covariance.map((r) => [...r])), TM = tied.components.map((c) => [...c.mean]);
    for (const [a, b] of [[0, 0], [0, 1], [1, 1]]) {
      const g = grad((e) => llmv(T.map((S) => S.map((r, i) => r.map((v, jj) => v + ((i === a && jj === b) || (i === b && jj === a) ? e : 0)))), TM, tied.weights));
      expect(Math.abs(g)).toBeLessThan(1e-4);
    }
    for (const j of [0, 2]) expect(Math.abs(grad((e) => llmv(T, TM.map((m, i) => (i === j ? [m[0] + e, m[1]] : m)), tied.weights)))).toBeLessThan(1e-4);
  });

  it("frozen parameters stay bit for bit after any number of iterations, and soft EM never decreases the log-likelihood (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 60 }), fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), fc.boolean(), (seed, iters, bits, squarem) => {
      const r = mulberry32(seed);
      const data = Array.from({ length: 240 }, (_, i) => (i % 3) * 2.5 + normal(r));
      const pick = (o: number) => [0, 1, 2].filter((j) => bits[o + j]);
      const freeze = { means: pick(0), variances: pick(3), weights: pick(6) };
      const start = { weights: [0.3, 0.3, 0.4], means: [r() * 2, 2 + r() * 2, 4 + r() * 2], variances: [0.5 + r(), 0.5 + r(), 0.5 + r()] };
      const deltas: number[] = [];
      const m = fitSync(data, { k: 3, init: start, freeze, maxIter: iters, tol: 0, accelerate: squarem ? "squarem" : "none", onIteration: (i) => { deltas.push(i.delta); } });
      for (const j of freeze.means) expect(m.components[j].mean).toBe(start.means[j]);
      for (const j of freeze.variances) expect(m.components[j].variance).toBe(start.variances[j]);
      if (freeze.weights.length < 3) for (const j of freeze.weights) expect(m.weights[j]).toBe(start.weights[j]);
      for (const d of deltas) expect(d).toBeGreaterThanOrEqual(-1e-12);
    }), { numRuns: 40 });
  });

  it("nParameters (and so BIC) count only the free parameters; the model keeps freeze through JSON", () => {
    const m = fitSync(x, { k: 3, init, freeze: { means: [1], variances: [0, 2], weights: [0] }, maxIter: 5 });
    expect(m.nParameters).toBe(6 - 1 - 2 + 1); // 3 means + 3 variances less the frozen, 3 − 1 − 1 weights
    expect(m.settings.freeze).toEqual({ means: [1], variances: [0, 2], weights: [0] });
    expect(fitSync(x, { k: 3, init, freeze: { weights: [0, 1] }, maxIter: 2 }).nParameters).toBe(6); // the third weight is what is left
    const e = fitSync(x, { k: 3, init: { ...init, variances: [2, 2, 2] }, covariance: "E", freeze: { variances: true }, maxIter: 2 });
    expect(e.nParameters).toBe(3 + 2);
    const back = loadModel(JSON.parse(JSON.stringify(m)));
    expect(back.nParameters).toBe(m.nParameters);
    expect(back.settings.freeze).toEqual(m.settings.freeze);
    expect(back.bic(x)).toBe(m.bic(x));
    const rows = x.map((v, i) => [v, i % 5]);
    const mv = fitSync(rows, { family: "mvgaussian", k: 2, init: { means: [[0, 1], [5, 3]], covariances: [[[1, 0], [0, 2]], [[1, 0], [0, 2]]] }, freeze: { covariances: [1] }, maxIter: 2 });
    expect(mv.nParameters).toBe(2 * 2 + 3 + 1);
    const tied = fitSync(rows, { family: "mvgaussian", covariance: "tied", k: 2, init: { means: [[0, 1], [5, 3]], covariances: [[[1, 0], [0, 2]], [[1, 0], [0, 2]]] }, freeze: { covariances: true }, maxIter: 3 });
    expect(tied.nParameters).toBe(4 + 1);
    expect(tied.components[1].covariance).toEqual([[1, 0], [0, 2]]);
  });

  it("fixWeights: true is freeze: { weights: true } (needs no init)", () => {
    const a = fitSync(x, { k: 3, seed: 3, fixWeights: true, maxIter: 30 });
    const b = fitSync(x, { k: 3, seed: 3, freeze: { weights: true }, maxIter: 30 });
    expect(b.components).toEqual(a.components);
    expect(b.settings.fixWeights).toBe(true);
    expect(b.nParameters).toBe(a.nParameters);
    expect(b.weights).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it("SQUAREM keeps them and reaches plain EM's fixed point", () => {
    const freeze = { means: [1], variances: [2], weights: [0] };
    const at = (accelerate: "none" | "squarem", maxIter: number, tol: number) => fitSync(x, { k: 3, init, freeze, maxIter, tol, accelerate });
    expect(at("squarem", 20_000, 1e-12).passes).toBeLessThan(at("none", 20_000, 1e-12).passes);
    const a = at("none", 20_000, 0), b = at("squarem", 2000, 0);
    expect(b.components[1].mean).toBe(2.5);
    expect(b.components[2].variance).toBe(3);
    expect(b.weights[0]).toBe(0.2);
    b.components.forEach((c, j) => { expect(rel(c.mean, a.components[j].mean)).toBeLessThan(1e-9); expect(rel(c.variance, a.components[j].variance)).toBeLessThan(1e-9); });
  });

  it("every path: threads and fitInWorker = fitSync's bits, a stream the same fit, a warm start, accumulate + maximize the conditional M-step", async () => {
    const r = mulberry32(8);
    const big = Array.from({ length: 150_000 }, (_, i) => (i % 3) * 5 + normal(r) * (1 + (i % 3) * 0.3));
    const bi = { weights: [0.3, 0.3, 0.4], means: [0, 5, 10], variances: [1, 1, 1] };
    const freeze = { means: [0], variances: [1], weights: [2] };
    const a = fitSync(big, { k: 3, init: bi, freeze, maxIter: 15, tol: 0 });
    for (const threads of [2, 3]) {
      const b = await fit(big, { k: 3, init: bi, freeze, maxIter: 15, tol: 0, threads });
      expect(b.components).toEqual(a.components);
      expect(b.weights).toEqual(a.weights);
    }
    const c = await fitInWorker(x, { k: 3, init, freeze, maxIter: 15, tol: 0 });
    expect(c.components).toEqual(fitSync(x, { k: 3, init, freeze, maxIter: 15, tol: 0 }).components);
    expect(c.settings.freeze).toEqual(freeze);
    const whole = fitSync(x, { k: 3, init, freeze, maxIter: 30, tol: 0 });
    const streamed = await fitStream(() => [x.slice(0, 1500), x.slice(1500)], { k: 3, init, freeze, maxIter: 30, tol: 0 });
    streamed.components.forEach((s, j) => expect(rel(s.variance, whole.components[j].variance)).toBeLessThan(1e-10));
    expect(streamed.components[0].mean).toBe(init.means[0]);
    // A warm start holds the given model's values: 5 + 5 = 10, bit for bit.
    const five = fitSync(x, { k: 3, init, freeze, maxIter: 5, tol: 0 });
    expect(fitSync(x, { k: 3, init: five, freeze, maxIter: 5, tol: 0 }).components).toEqual(fitSync(x, { k: 3, init, freeze, maxIter: 10, tol: 0 }).components);
    // maximize() takes the model's freeze: one conditional M-step.
    const s = mergeStats(accumulate(five, x.slice(0, 1000)), accumulate(five, x.slice(1000)));
    const step = maximize(five, s) as MixtureModel<"gaussian">, next = fitSync(x, { k: 3, init: five, freeze, maxIter: 1, tol: 0 });
    step.components.forEach((cc, j) => { expect(rel(cc.mean, next.components[j].mean)).toBeLessThan(1e-12); expect(rel(cc.variance, next.components[j].variance)).toBeLessThan(1e-12); });
    expect(step.components[0].mean).toBe(init.means[0]);
    expect(step.weights[2]).toBe(init.weights[2]);
  }, 60_000);

  it("bad freeze: a MixemError naming the option and index", () => {
    const bad = (o: object, re: RegExp) => expect(() => fitSync(x, { k: 3, init, ...o } as never)).toThrow(re);
    bad({ freeze: { lambdas: true } }, /options\.freeze\.lambdas: is not a parameter family "gaussian" can freeze \(it can freeze: weights, means, variances\)/);
    bad({ freeze: { means: [3] } }, /options\.freeze\.means\[0\]: must be a component index 0 … 2/);
    bad({ freeze: { means: [0, 0] } }, /options\.freeze\.means\[1\]: repeats component 0/);
    bad({ freeze: { means: [1.5] } }, /options\.freeze\.means\[0\]/);
    bad({ freeze: { means: "all" } }, /options\.freeze\.means: must be true/);
    bad({ freeze: [0] }, /options\.freeze: must be an object/);
    expect(() => fitSync(x, { k: 3, freeze: { means: [0] } })).toThrow(/options\.freeze: needs values to hold: explicit options\.init or a fitted model/);
    expect(() => fitSync(x, { k: 3, init: "random", freeze: { weights: [0] } })).toThrow(/options\.freeze: needs values to hold/);
    bad({ covariance: "E", init: { ...init, variances: [2, 2, 2] }, freeze: { variances: [0] } }, /options\.freeze\.variances: must be true: covariance "E" has one variance for all components \(frozen for all or none\)/);
    expect(() => fitSync(x.map((v, i) => [v, i % 4]), { family: "mvgaussian", covariance: "EEE", k: 2, init: { means: [[0, 1], [5, 3]], covariances: [[[1, 0], [0, 2]], [[1, 0], [0, 2]]] }, freeze: { covariances: [0] } }))
      .toThrow(/options\.freeze\.covariances: must be true: covariance "EEE" shares one matrix/);
    expect(() => fitSync([1, 2, 3, 4, 5, 6], { family: "gamma", k: 2, init: { shapes: [1, 2], rates: [1, 1] }, freeze: { means: [0] } } as never)).toThrow(/options\.freeze\.means: is not a parameter family "gamma" can freeze \(it can freeze: weights, shapes, rates\)/);
  });
});
