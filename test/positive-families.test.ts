// exponential, gamma, lognormal, negbinomial: what the conformance table does not cover — the
// support of each family (bad values named by index), priors (and the families without one),
// lognormal as the Gaussian on log x, the negative binomial's Poisson limit, and the samplers' moments.
import { describe, expect, it } from "vitest";
import { fitSync, initSync, MixemError, type FitOptions } from "../src/index.js";
import { gammaIntDraw, negbinomialDraw } from "./reference/positive.js";
import { drawLabels, maxRelErr, mulberry32, poissonDraw, relErr } from "./helpers.js";

initSync();
const u = mulberry32(7);
const labels = drawLabels(u, 1500, [0.4, 0.6]);
const sizes = labels.map((j) => gammaIntDraw(u, j ? 8 : 2, j ? 1 : 3));
const counts = labels.map((j) => negbinomialDraw(u, j ? 40 : 3, 2, poissonDraw));

function errorOf(f: () => unknown): MixemError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(MixemError); return e as MixemError; }
  throw new Error("no error");
}

describe("bad input names the index (or the option)", () => {
  it.each([
    ["exponential", [1, 2, -1e-9], "data[2]", /not positive.*≥ 0/],
    ["exponential", [1, 1e101], "data[1]", /outside \[1e-100, 1e100\]/],
    ["gamma", [1, 0, 2], "data[1]", /not positive.*> 0/],
    ["gamma", [3, 1e-120], "data[1]", /rescale/],
    ["lognormal", [2, 3, 0], "data[2]", /not positive/],
    ["lognormal", [2, -3], "data[1]", /not positive/],
    ["negbinomial", [1, 2, 2.5], "data[2]", /not a valid count/],
    ["negbinomial", [1, -1], "data[1]", /not a valid count/],
  ] as const)("%s %j → %s", (family, data, path, message) => {
    const e = errorOf(() => fitSync(data as unknown as number[], { family, k: 1 } as FitOptions));
    expect(e.code).toBe("INVALID_DATA");
    expect(e.path).toBe(path);
    expect(e.message).toMatch(message);
  });

  it("exponential takes 0 (the density λ is finite there); a component on zeros alone keeps a finite rate", () => {
    const x = [...Array(50).fill(0), ...sizes.slice(0, 200)];
    const m = fitSync(x, { family: "exponential", k: 2, seed: 1 });
    const rates = m.components.map((c) => c.rate);
    expect(rates.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(m.logLikelihood)).toBe(true);
    expect(Math.max(...rates)).toBe(1e110); // the component on the zeros, at RATE_MAX
  });

  it("explicit init: each entry checked, named by index", () => {
    expect(errorOf(() => fitSync(sizes, { family: "gamma", k: 2, init: { shapes: [1, -2], rates: [1, 1] } })).path).toBe("options.init.shapes[1]");
    expect(errorOf(() => fitSync(sizes, { family: "gamma", k: 2, init: { shapes: [1, 2] } } as never)).path).toBe("options.init.rates");
    expect(errorOf(() => fitSync(sizes, { family: "lognormal", k: 2, init: { meanlogs: [0, 1], varlogs: [1, 0] } })).path).toBe("options.init.varlogs[1]");
    expect(errorOf(() => fitSync(counts, { family: "negbinomial", k: 2, init: { means: [1, 2], sizes: [0, 1] } })).path).toBe("options.init.sizes[0]");
    expect(errorOf(() => fitSync(sizes, { family: "exponential", k: 2, init: { rates: [1, 0] } })).path).toBe("options.init.rates[1]");
  });

  it("gamma and negbinomial have no standard prior: `prior` is refused, saying so", () => {
    for (const [family, data] of [["gamma", sizes], ["negbinomial", counts]] as const) {
      const e = errorOf(() => fitSync(data, { family, k: 2, prior: true }));
      expect(e.code).toBe("INVALID_OPTION");
      expect(e.path).toBe("options.prior");
      expect(e.message).toMatch(/no standard conjugate prior/);
    }
  });
});

describe("priors", () => {
  it("exponential: MAP with the Gamma prior on the rate, (Σr + shape − 1) / (Σ r x + rate) at k = 1", () => {
    const m = fitSync(sizes, { family: "exponential", k: 1, prior: { shape: 5, rate: 2 } });
    const s = sizes.reduce((a, b) => a + b, 0);
    expect(relErr(m.components[0].rate, (sizes.length + 4) / (s + 2))).toBeLessThan(1e-14);
    expect(m.logPosterior! - m.logLikelihood).not.toBe(0);
  });
  it("lognormal: the Gaussian's prior on log x (same MAP parameters as gaussian on log x)", () => {
    const logs = sizes.map(Math.log);
    const init = { weights: [0.5, 0.5], meanlogs: [-1, 2], varlogs: [0.5, 0.5] };
    const a = fitSync(sizes, { family: "lognormal", k: 2, prior: true, init, maxIter: 30, tol: 0, regCovar: 1e-6 });
    const b = fitSync(logs, { family: "gaussian", k: 2, prior: true, init: { weights: init.weights, means: init.meanlogs, variances: init.varlogs }, maxIter: 30, tol: 0, regCovar: 1e-6 / (logs.reduce((s, v) => s + (v - logs.reduce((p, q) => p + q, 0) / logs.length) ** 2, 0) / logs.length) });
    expect(maxRelErr(a.components.flatMap((c) => [c.meanlog, c.varlog]), b.components.flatMap((c) => [c.mean, c.variance]))).toBeLessThan(1e-12);
  });
});

describe("lognormal is the Gaussian on log x, on x's own scale", () => {
  it("same parameters as gaussian on log x; log-likelihood lower by Σ log x (the Jacobian)", () => {
    const logs = sizes.map(Math.log);
    const init = { weights: [0.5, 0.5], meanlogs: [-1, 2], varlogs: [0.5, 0.5] };
    const a = fitSync(sizes, { family: "lognormal", k: 2, init, maxIter: 50, tol: 0 });
    const sd = logs.reduce((s, v) => s + (v - logs.reduce((p, q) => p + q, 0) / logs.length) ** 2, 0) / logs.length;
    const b = fitSync(logs, { family: "gaussian", k: 2, init: { weights: init.weights, means: init.meanlogs, variances: init.varlogs }, maxIter: 50, tol: 0, regCovar: 1e-6 / sd });
    expect(maxRelErr(a.components.flatMap((c) => [c.meanlog, c.varlog]), b.components.flatMap((c) => [c.mean, c.variance]))).toBeLessThan(1e-12);
    const jacobian = logs.reduce((s, v) => s + v, 0);
    expect(relErr(a.logLikelihood, b.logLikelihood - jacobian)).toBeLessThan(1e-12);
  });
});

describe("negbinomial", () => {
  it("on Poisson counts the fit is Poisson's: the same mean, the extra variance μ²/r small, a log-likelihood at least Poisson's", () => {
    for (const seed of [1, 2, 3, 4]) {
      const v = mulberry32(seed);
      const x = Array.from({ length: 2000 }, () => poissonDraw(v, 6));
      const nb = fitSync(x, { family: "negbinomial", k: 1 });
      const p = fitSync(x, { family: "poisson", k: 1 });
      const { mean, size } = nb.components[0];
      expect(relErr(mean, p.components[0].lambda)).toBeLessThan(1e-12);
      expect(mean / size).toBeLessThan(0.1); // var = μ (1 + μ/r)
      expect(nb.converged).toBe(true);
      expect(nb.iterations).toBeLessThan(100);
      expect(nb.logLikelihood).toBeGreaterThanOrEqual(p.logLikelihood - 1e-8 * x.length);
      // where the counts are under-dispersed the size runs off towards its cap (the MLE is r = ∞)
      const m = x.reduce((a, b) => a + b, 0) / x.length, variance = x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length;
      if (variance <= m) expect(size).toBeGreaterThan(1e4);
    }
  });
});

describe("exact samplers: moments of 2·10⁵ draws", () => {
  const draw = (family: FitOptions["family"], data: number[], component: Record<string, number>) => {
    const m = fitSync(data, { family, k: 1, maxIter: 1 } as FitOptions);
    const json = m.toJSON() as unknown as Record<string, unknown>;
    return import("../src/index.js").then(({ loadModel }) => loadModel({ ...json, components: [component] } as never).sample(200_000, { seed: 3 }).values);
  };
  const moments = (v: Float64Array) => { const n = v.length; const m = v.reduce((a, b) => a + b, 0) / n; return [m, v.reduce((a, b) => a + (b - m) ** 2, 0) / n]; };
  it.each([
    ["exponential", sizes, { rate: 0.5 }, [2, 4]],
    ["gamma", sizes, { shape: 0.4, rate: 2 }, [0.2, 0.1]],
    ["gamma", sizes, { shape: 7.5, rate: 0.5 }, [15, 30]],
    ["lognormal", sizes, { meanlog: 1, varlog: 0.25 }, [Math.exp(1.125), (Math.exp(0.25) - 1) * Math.exp(2.25)]],
    ["negbinomial", counts, { mean: 12, size: 1.5 }, [12, 12 + 144 / 1.5]],
    ["negbinomial", counts, { mean: 3000, size: 40 }, [3000, 3000 + 9e6 / 40]],
  ] as const)("%s %j: mean and variance within 4 standard errors", async (family, data, component, [mean, variance]) => {
    const [m, v] = moments(await draw(family, data as number[], component));
    expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(variance / 200_000));
    // the variance's standard error needs the 4th moment: a loose 5 % here
    expect(Math.abs(v / variance - 1)).toBeLessThan(0.05);
  });
});

