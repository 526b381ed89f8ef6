// The fitted model's API: iteration semantics, predict / proba / score / BIC / AIC, sampling,
// JSON round trip, determinism, restarts, callbacks.
import { describe, expect, it } from "vitest";
import { fit, fitSync, initSync, loadModel, MixtureModel } from "../src/index.js";
import { gaussianRef, eStep, poissonRef } from "./reference/em.js";
import { drawLabels, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const u = mulberry32(99);
const gaussData = drawLabels(u, 600, [0.3, 0.7]).map((j) => (j === 0 ? -2 + 0.5 * normal(u) : 3 + normal(u)));
const countData = drawLabels(u, 500, [0.5, 0.5]).map((j) => poissonDraw(u, j === 0 ? 1.5 : 9));

describe("iteration semantics", () => {
  it("maxIter n with tol 0 runs exactly n iterations; logLikelihood is the last history entry", () => {
    for (const n of [1, 2, 7, 40]) {
      const m = fitSync(gaussData, { k: 2, maxIter: n, tol: 0 });
      expect(m.iterations).toBe(n);
      expect(m.history).toHaveLength(n);
      expect(m.converged).toBe(false);
      expect(m.stopReason).toBe("maxIter");
      expect(m.logLikelihood).toBe(m.history[n - 1]);
    }
  });

  it("logLikelihood is the incomplete log-likelihood at the returned parameters (full densities)", () => {
    const m = fitSync(countData, { family: "poisson", k: 2 });
    const theta = m.components.map((c) => [(c as { lambda: number }).lambda]);
    const { ll } = eStep(poissonRef, countData, null, theta, [...m.weights], false);
    expect(m.logLikelihood).toBeCloseTo(ll, 9);
    expect(m.logLikelihoodOf(countData)).toBeCloseTo(ll, 9);
  });

  it("n iterations then n more from the result equals 2n iterations", () => {
    const a = fitSync(gaussData, { k: 2, maxIter: 5, tol: 0 });
    const init = { weights: [...a.weights], means: a.components.map((c) => (c as { mean: number }).mean), variances: a.components.map((c) => (c as { variance: number }).variance) };
    const b = fitSync(gaussData, { k: 2, maxIter: 5, tol: 0, init });
    const c = fitSync(gaussData, { k: 2, maxIter: 10, tol: 0 });
    expect(b.components).toEqual(c.components);
    expect(b.weights).toEqual(c.weights);
  });

  it("converges by tol and reports it", () => {
    const m = fitSync(gaussData, { k: 2, tol: 1e-6 });
    expect(m.converged).toBe(true);
    expect(m.stopReason).toBe("converged");
    const h = m.history;
    expect(Math.abs(h.at(-1)! - h.at(-2)!) / gaussData.length).toBeLessThan(1e-6);
    if (h.length > 2) expect(Math.abs(h.at(-2)! - h.at(-3)!) / gaussData.length).toBeGreaterThanOrEqual(1e-6);
  });

  it("onIteration sees every iteration and can stop the fit", () => {
    const seen: number[] = [];
    const m = fitSync(gaussData, { k: 2, tol: 0, maxIter: 50, onIteration: (info) => { seen.push(info.iteration); expect(Number.isFinite(info.logLikelihood)).toBe(true); return info.iteration < 4; } });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(m.iterations).toBe(4);
    expect(m.stopReason).toBe("callback");
    expect(m.converged).toBe(false);
  });

  it("an aborted signal stops the fit with its reason", () => {
    const controller = new AbortController();
    expect(() => fitSync(gaussData, { k: 2, signal: controller.signal, onIteration: (i) => { if (i.iteration === 3) controller.abort(new Error("enough")); } })).toThrow("enough");
  });
});

describe("determinism and restarts", () => {
  it("same seed → identical result; another seed may differ", () => {
    const a = fitSync(gaussData, { k: 3, seed: 5, init: "random" });
    const b = fitSync(gaussData, { k: 3, seed: 5, init: "random" });
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it("nInit keeps the restart with the best log-likelihood", () => {
    const perRestart: number[] = [];
    const m = fitSync(gaussData, { k: 4, nInit: 4, seed: 11, init: "random", onIteration: (i) => { perRestart[i.restart] = i.logLikelihood; } });
    expect(perRestart).toHaveLength(4);
    expect(m.logLikelihood).toBe(Math.max(...perRestart));
  });

  it("k-means++ starts from a sensible place on separated clusters", () => {
    const m = fitSync(gaussData, { k: 2, seed: 3 });
    const means = m.components.map((c) => (c as { mean: number }).mean).sort((a, b) => a - b);
    expect(means[0]).toBeCloseTo(-2, 0);
    expect(means[1]).toBeCloseTo(3, 0);
  });
});

describe("predict, predictProba, score, BIC, AIC", () => {
  const m = fitSync(gaussData, { k: 2 });
  it("predictProba rows sum to 1 and match the reference E-step", () => {
    const p = m.predictProba(gaussData);
    const theta = m.components.map((c) => [(c as { mean: number }).mean, (c as { variance: number }).variance]);
    const { resp } = eStep(gaussianRef(gaussData), gaussData, null, theta, [...m.weights], false);
    for (let i = 0; i < gaussData.length; i++) {
      expect(p[2 * i] + p[2 * i + 1]).toBeCloseTo(1, 14);
      expect(p[2 * i]).toBeCloseTo(resp[i][0], 12);
    }
  });
  it("predict is the argmax of predictProba", () => {
    const p = m.predictProba(gaussData), labels = m.predict(gaussData);
    labels.forEach((l, i) => expect(p[2 * i + l]).toBeGreaterThanOrEqual(p[2 * i + 1 - l]));
  });
  it("score is the mean log-likelihood; fit(x).score(x) × n equals logLikelihood", () => {
    expect(m.score(gaussData) * gaussData.length).toBeCloseTo(m.logLikelihood, 8);
  });
  it("BIC and AIC use 3k − 1 free parameters (k − 1 less with fixed weights)", () => {
    const n = gaussData.length;
    expect(m.nParameters).toBe(5);
    expect(m.bic(gaussData)).toBeCloseTo(-2 * m.logLikelihood + 5 * Math.log(n), 8);
    expect(m.aic(gaussData)).toBeCloseTo(-2 * m.logLikelihood + 10, 8);
    expect(fitSync(gaussData, { k: 2, fixWeights: true }).nParameters).toBe(4);
    expect(fitSync(countData, { family: "poisson", k: 3 }).nParameters).toBe(5);
  });
  it("accepts typed arrays and never mutates the input", () => {
    const f32 = Float32Array.from(gaussData);
    const copy = f32.slice();
    const frozen = Object.freeze([...gaussData]);
    expect(fitSync(f32, { k: 2 }).components).toHaveLength(2);
    fitSync(frozen, { k: 2 });
    m.predict(frozen);
    expect(f32).toEqual(copy);
  });
});

describe("sample", () => {
  it("is reproducible by seed and follows the mixture", () => {
    const m = fitSync(gaussData, { k: 2 });
    const a = m.sample(20000, { seed: 1 }), b = m.sample(20000, { seed: 1 });
    expect(a.values).toEqual(b.values);
    const big = a.labels.reduce((s, l) => s + l, 0) / 20000;
    expect(Math.abs(big - m.weights[1])).toBeLessThan(0.02);
    for (const j of [0, 1]) {
      const v = Array.from(a.values).filter((_, i) => a.labels[i] === j);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const c = m.components[j] as { mean: number; variance: number };
      expect(Math.abs(mean - c.mean)).toBeLessThan(0.05 * Math.sqrt(c.variance) * 5);
    }
  });
  it("Poisson and binomial samples have the right means, including large λ and n", () => {
    const p = loadModel({ ...fitSync(countData, { family: "poisson", k: 1 }).toJSON(), components: [{ lambda: 250.5 }] });
    const s = p.sample(20000, { seed: 2 }).values;
    expect(Math.abs(s.reduce((a, b) => a + b, 0) / s.length - 250.5)).toBeLessThan(0.5);
    expect(s.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    const b = fitSync([1, 2, 3, 8, 9], { family: "binomial", k: 1, trials: 1000 });
    const sb = b.sample(5000, { seed: 3 }).values;
    const pb = (b.components[0] as { p: number }).p;
    expect(Math.abs(sb.reduce((x, y) => x + y, 0) / sb.length - 1000 * pb)).toBeLessThan(0.5);
    expect(sb.every((v) => Number.isInteger(v) && v >= 0 && v <= 1000)).toBe(true);
  });
});

describe("toJSON / loadModel", () => {
  it.each([
    ["gaussian", gaussData, { k: 2 }],
    ["poisson", countData, { family: "poisson", k: 2 }],
    ["binomial", [1, 5, 9, 2, 8, 7], { family: "binomial", k: 2, trials: 10, mode: "hard" }],
  ] as const)("%s: exact round trip through JSON text", async (_name, data, options) => {
    const m = await fit(data, options as never);
    const again = loadModel(JSON.parse(JSON.stringify(m)));
    expect(again).toBeInstanceOf(MixtureModel);
    expect(again.toJSON()).toEqual(m.toJSON());
    expect(again.predictProba(data)).toEqual(m.predictProba(data));
    expect(again.score(data)).toBe(m.score(data));
  });
  it("binomial with per-observation trials needs trials for new data", () => {
    const m = fitSync([1, 5, 9, 2], { family: "binomial", k: 2, trials: [3, 6, 10, 4] });
    expect(m.settings.trials).toBeNull();
    expect(() => m.predict([1, 2])).toThrow(/options\.trials: is required/);
    expect(m.predict([1, 2], { trials: 4 })).toHaveLength(2);
  });
});

describe("hard (classification) EM", () => {
  it("assigns each point wholly: weights are counts / n", () => {
    const m = fitSync(gaussData, { k: 2, mode: "hard" });
    const labels = m.predict(gaussData);
    const n1 = labels.reduce((s, l) => s + l, 0);
    expect(m.weights[1]).toBeCloseTo(n1 / gaussData.length, 10);
    expect(m.converged).toBe(true);
  });
});
