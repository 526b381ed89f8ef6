// accelerate: "squarem" (src/em.ts `squarem`, src/squarem.ts). The conformance table checks that
// every family reaches plain EM's fixed point; here: fewer passes on overlapping components, the
// objective never decreasing (random problems of every family, MAP priors, fixed weights), the
// generic path of a family without coordinates, every data path giving the same bits, `passes`,
// the option's errors, and the CLI and selectK defaults.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fit, fitInWorker, fitStream, fitSync, initSync, loadModel, MixemError, selectK, type FitOptions, type MixtureModel, type ModelData } from "../src/index.js";
import { FAMILIES } from "../src/families/index.js";
import { COVARIANCE_TYPES } from "../src/families/mvgaussian/covariance.js";
import { runEM, type EMSettings } from "../src/em.js";
import { loadDataset, withDataset } from "../src/dataset.js";
import { getCore } from "../src/wasm.js";
import { binomialDraw, closeness, drawLabels, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const root = fileURLToPath(new URL("..", import.meta.url));
const SEED = process.env.MIXEM_FC_SEED === "random" ? undefined : Number(process.env.MIXEM_FC_SEED ?? 20261202);
const RUNS = Number(process.env.MIXEM_PROPERTY_RUNS ?? 40);

const faithful = readFileSync(`${root}examples/faithful.csv`, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
const u = mulberry32(7);
/** Overlapping components: 1-D normals 2 sd apart, Poisson rates 2, 5, 9, 14. */
const gauss4 = Array.from({ length: 3000 }, () => 2 * Math.floor(u() * 4) + normal(u));
const pois4 = Array.from({ length: 2000 }, () => poissonDraw(u, [2, 5, 9, 14][Math.floor(u() * 4)]));

/** Every parameter of a model, weights first. */
const params = (m: MixtureModel) => [...m.weights, ...m.components.flatMap((c) => Object.values(c as object).flat(2) as number[])];

/** Explicit init at a model's parameters. */
function initAt(m: MixtureModel): Record<string, unknown> {
  const c = m.components as unknown as Record<string, unknown>[];
  const weights = [...m.weights];
  if (m.family === "gaussian") return { means: c.map((x) => x.mean), variances: c.map((x) => x.variance), weights };
  if (m.family === "poisson") return { lambdas: c.map((x) => x.lambda), weights };
  return { means: c.map((x) => x.mean), covariances: c.map((x) => x.covariance), weights };
}

describe("SQUAREM on overlapping components: plain EM's fixed point in fewer passes", () => {
  const cases: [string, ModelData, FitOptions][] = [
    ["1-D gaussian, k = 4, 2 sd apart", gauss4, { k: 4 }],
    ["Old Faithful, mvgaussian full, k = 3", faithful, { family: "mvgaussian", k: 3 }],
    ["poisson, k = 4, rates 2, 5, 9, 14", pois4, { family: "poisson", k: 4 }],
  ];
  it.each(cases)("%s", (_name, data, options) => {
    // The same stop rule for both: fewer passes, at least as high a log-likelihood.
    const plain = fitSync(data, { ...options, tol: 1e-10, maxIter: 100000 });
    const sq = fitSync(data, { ...options, tol: 1e-10, maxIter: 100000, accelerate: "squarem" });
    expect(plain.converged && sq.converged).toBe(true);
    expect(plain.passes).toBe(plain.iterations + 1);
    expect(sq.passes).toBeLessThan(plain.passes / 2);
    expect(sq.logLikelihood).toBeGreaterThanOrEqual(plain.logLikelihood - 1e-12 * Math.abs(plain.logLikelihood));
    console.log(`${_name}: passes plain ${plain.passes}, squarem ${sq.passes} (${(plain.passes / sq.passes).toFixed(2)}×)`);
    // Run on (tol 0), SQUAREM stops at a fixed point of plain EM: 3000 EM steps from it move no parameter by 1e-6.
    const fixed = fitSync(data, { ...options, tol: 0, maxIter: 400, accelerate: "squarem" });
    const after = fitSync(data, { ...options, tol: 0, maxIter: 3000, init: initAt(fixed) as never });
    expect(closeness(params(fixed), params(after), 1e-6, 1e-12)).toBeLessThan(1);
    expect(Math.abs(after.logLikelihood - fixed.logLikelihood)).toBeLessThan(1e-9 * Math.abs(fixed.logLikelihood));
  });
});

describe("SQUAREM for every mvgaussian covariance model (mclust's 14 names and mixem's four)", () => {
  it.each(COVARIANCE_TYPES)("%s: plain EM's fixed point on Old Faithful, k = 3", (covariance) => {
    const o = { family: "mvgaussian", covariance, k: 3 } as FitOptions;
    const plain = fitSync(faithful, { ...o, tol: 0, maxIter: 3000 });
    const sq = fitSync(faithful, { ...o, tol: 0, maxIter: 300, accelerate: "squarem" });
    expect(Math.abs(sq.logLikelihood - plain.logLikelihood)).toBeLessThan(1e-9 * Math.abs(plain.logLikelihood));
    expect(closeness(params(sq), params(plain), 1e-5, 1e-9)).toBeLessThan(1);
    for (let i = 1; i < sq.history.length; i++) expect(sq.history[i]).toBeGreaterThanOrEqual(sq.history[i - 1] - 1e-12 * Math.abs(sq.history[i - 1]));
  });
});

/** A random problem of a random family (moderate scales: the log-likelihood's own rounding stays near 1e-12 relative). */
function problem(seed: number, n: number, k: number, kind: number): { data: ModelData; options: Record<string, unknown> } {
  const r = mulberry32(seed);
  const labels = drawLabels(r, n, Array(k).fill(1 / k));
  switch (kind) {
    case 0: return { data: labels.map((j) => 3 * j * r() + normal(r) * (0.5 + r())), options: { family: "gaussian" } };
    case 1: return { data: labels.map((j) => poissonDraw(r, 1 + 6 * j * r())), options: { family: "poisson" } };
    case 2: {
      const trials = labels.map(() => 1 + Math.floor(r() * 20));
      return { data: labels.map((j, i) => binomialDraw(r, trials[i], (j + r()) / (k + 1))), options: { family: "binomial", trials } };
    }
    case 3: return { data: labels.map((j) => Array.from({ length: 5 }, () => (r() < (j + 0.5) / (k + 0.5) ? 1 : 0))), options: { family: "bernoulli" } };
    default: {
      const covariance = ["full", "tied", "diag", "spherical"][kind - 4];
      return { data: labels.map((j) => [2 * j + normal(r), j * r() + normal(r) * (1 + j) + 0.5 * normal(r)]), options: { family: "mvgaussian", covariance } };
    }
  }
}

describe("SQUAREM never lowers the objective", () => {
  it("random problems of every family, with and without MAP priors and fixed weights", () => {
    fc.assert(fc.property(
      fc.record({
        seed: fc.nat(), n: fc.integer({ min: 20, max: 300 }), k: fc.integer({ min: 1, max: 4 }), kind: fc.integer({ min: 0, max: 7 }),
        prior: fc.constantFrom(undefined, true, { weights: 2 }), fixWeights: fc.boolean(),
      }),
      ({ seed, n, k, kind, prior, fixWeights }) => {
        const { data, options } = problem(seed, n, k, kind);
        let m: MixtureModel;
        try {
          m = fitSync(data, { ...options, k, seed, prior, fixWeights, maxIter: 30, tol: 0, accelerate: "squarem" } as FitOptions);
        } catch (e) {
          // Too few distinct points for k, or a component collapsing as in plain EM: not this property's concern.
          expect(e).toBeInstanceOf(MixemError);
          return;
        }
        const h = prior ? m.posteriorHistory! : m.history;
        for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]));
        expect(params(m).every(Number.isFinite)).toBe(true);
        expect(Math.abs(m.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        expect(m.passes).toBeGreaterThanOrEqual(2 * m.iterations + 1);
        expect(m.passes).toBeLessThanOrEqual(4 * m.iterations + 1);
      },
    ), { numRuns: RUNS, seed: SEED });
  });

  it("hard (classification) EM refuses SQUAREM: its assignments are piecewise constant", () => {
    expect(() => fitSync(gauss4, { k: 2, mode: "hard", accelerate: "squarem" })).toThrow(MixemError);
    try {
      fitSync(gauss4, { k: 2, mode: "hard", accelerate: "squarem" });
    } catch (e) {
      expect((e as MixemError).path).toBe("options.accelerate");
      expect((e as MixemError).message).toMatch(/mode "hard"/);
    }
    // selectK's default is SQUAREM for soft EM only: hard EM selects with plain steps.
    const s = selectK(gauss4.slice(0, 500), { kRange: [1, 2], mode: "hard" });
    expect(s.scores.every((e) => e.model!.passes === e.model!.iterations + 1)).toBe(true);
  });
});

describe("the generic path: a family without coordinates extrapolates θ as it is, checked by its own rules", () => {
  it.each([
    ["gaussian", gauss4, {}, 4],
    ["poisson", pois4, {}, 4],
    ["mvgaussian full", faithful, { covariance: "full" }, 3],
    ["mvgaussian spherical", faithful, { covariance: "spherical" }, 3],
  ] as const)("%s reaches the fixed point SQUAREM with coordinates reaches", (name, data, options, k) => {
    const family = FAMILIES[name.split(" ")[0] as "gaussian"];
    const settings: EMSettings = {
      k, mode: "soft", fixWeights: false, maxIter: 400, tol: 0, nInit: 1, extraRestarts: 0, seed: 0, init: "kmeans++", accelerate: "squarem",
    };
    const run = (withCoordinates: boolean) => withDataset(loadDataset(family, data, options, "data"), (ds) => {
      const spec = family.configure(options, ds.dims);
      return runEM(withCoordinates ? spec : { ...spec, free: undefined }, ds, settings);
    });
    const a = run(true), b = run(false);
    expect(b.passes).toBeGreaterThan(2 * b.iterations); // it extrapolated
    expect(Math.abs(a.logLikelihood - b.logLikelihood)).toBeLessThan(1e-9 * Math.abs(a.logLikelihood));
    expect(closeness([...b.weights, ...b.theta], [...a.weights, ...a.theta], 1e-6, 1e-12)).toBeLessThan(1);
    for (let i = 1; i < b.history.length; i++) expect(b.history[i]).toBeGreaterThanOrEqual(b.history[i - 1] - 1e-12 * Math.abs(b.history[i - 1]));
  });
});

describe("every data path drives the same cycle", () => {
  const options = { k: 4, tol: 1e-10, accelerate: "squarem" } as const;
  it("threads give fitSync's bits", async () => {
    // 1.4·10⁵ points: three summing blocks, split over two workers.
    const big = Array.from({ length: 140000 }, () => 2 * Math.floor(u() * 4) + normal(u));
    const m = fitSync(big, { ...options, maxIter: 25 });
    const t = await fit(big, { ...options, maxIter: 25, threads: 2 });
    expect(m.passes).toBeGreaterThan(2 * m.iterations + 1);
    expect(t.history).toEqual(m.history);
    expect(t.passes).toBe(m.passes);
    expect(t.components).toEqual(m.components);
    expect(t.weights).toEqual(m.weights);
  });
  it("a stream of one chunk gives fitSync's bits (of counts: no data scale involved); of several, the same fit to the rounding of the chunked sums", async () => {
    const o = { ...options, family: "poisson" } as const;
    const m = fitSync(pois4, o);
    const one = await fitStream(() => [pois4], o);
    expect(one.history).toEqual(m.history);
    expect(one.passes).toBe(m.passes);
    expect(one.components).toEqual(m.components);
    // Several chunks: the same start (seeds come from the first chunk), sums rounded differently.
    const fixed = { ...o, tol: 0, maxIter: 60, init: { lambdas: [1, 4, 8, 12] } };
    const exact = fitSync(pois4, fixed);
    const chunked = await fitStream(() => [pois4.slice(0, 700), pois4.slice(700)], fixed);
    expect(Math.abs(chunked.logLikelihood - exact.logLikelihood)).toBeLessThan(1e-9 * Math.abs(exact.logLikelihood));
    expect(closeness(params(chunked), params(exact), 1e-5, 1e-12)).toBeLessThan(1);
  });
  it("fitInWorker and a JSON round trip keep passes", async () => {
    const m = fitSync(pois4, { family: "poisson", k: 3, accelerate: "squarem" });
    const w = await fitInWorker(pois4, { family: "poisson", k: 3, accelerate: "squarem" });
    expect(w.passes).toBe(m.passes);
    expect(w.components).toEqual(m.components);
    const back = loadModel(JSON.parse(JSON.stringify(m)));
    expect(back.passes).toBe(m.passes);
    expect(back.iterations).toBe(m.iterations);
    // A model saved before passes were reported (plain EM): iterations + 1.
    const old = m.toJSON() as unknown as { fit: Record<string, unknown> };
    delete old.fit.passes;
    expect(loadModel(old as never).passes).toBe(m.iterations + 1);
    expect(() => loadModel({ ...m.toJSON(), fit: { ...m.toJSON().fit, passes: 0 } })).toThrow(/model\.fit\.passes/);
  });
});

describe("the option", () => {
  it("a bad value is a MixemError naming options.accelerate; fit's default is plain EM", () => {
    const live = getCore().liveRegions;
    for (const bad of ["SQUAREM", "fast", 1, true, null]) {
      try {
        fitSync(gauss4, { k: 2, accelerate: bad as never });
        throw new Error("no error");
      } catch (e) {
        expect(e).toBeInstanceOf(MixemError);
        expect((e as MixemError).path).toBe("options.accelerate");
      }
    }
    const m = fitSync(gauss4, { k: 2, maxIter: 7, tol: 0 });
    expect(m.passes).toBe(8);
    expect(fitSync(gauss4, { k: 2, maxIter: 7, tol: 0, accelerate: "none" }).history).toEqual(m.history);
    expect(getCore().liveRegions).toBe(live);
  });

  it("selectK uses SQUAREM by default and picks the k plain EM picks; its mclust-like selection (init \"hc\") keeps mclust's EM", () => {
    const waiting = faithful.map((r) => r[1]);
    // k-means++ starts (a vector's default is Mclust(x)'s: hc, plain EM, as mvgaussian's below).
    const s = selectK(waiting, { kRange: [1, 5], init: "kmeans++" });
    const plain = selectK(waiting, { kRange: [1, 5], init: "kmeans++", accelerate: "none" });
    expect(selectK(waiting, { kRange: [1, 2] }).scores.every((e) => e.model!.passes === e.model!.iterations + 1)).toBe(true);
    expect(s.k).toBe(plain.k);
    expect(s.scores.every((e) => e.model!.passes > e.model!.iterations + 1)).toBe(true);
    expect(s.scores).toHaveLength(plain.scores.length);
    // Where plain EM converged within maxIter the scores agree to its tolerance; where it did not,
    // SQUAREM's converged fit scores at least as well.
    s.scores.forEach((e, i) => {
      const q = plain.scores[i];
      if (q.model!.converged) expect(Math.abs(e.bic - q.bic)).toBeLessThan(1e-6 * Math.abs(e.bic));
      else expect(e.bic).toBeLessThanOrEqual(q.bic);
    });
    // mvgaussian's default selection answers as Mclust(): EM from mclust's hierarchical start,
    // plain steps (SQUAREM may reach another local maximum in a multimodal cell, e.g. iris VVV k = 5).
    const mv = selectK(faithful, { family: "mvgaussian", kRange: [1, 3] });
    expect(mv.scores.every((e) => !e.model || e.model.passes === e.model.iterations + 1)).toBe(true);
    const mvSq = selectK(faithful, { family: "mvgaussian", kRange: [1, 3], accelerate: "squarem" });
    expect(mvSq.k).toBe(mv.k);
  });

  it("the CLI fits with SQUAREM unless --accelerate none; a bad value names the flag", () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [`${root}dist/cli.js`, "fit", `${root}examples/faithful.csv`, "--column", "waiting", "-k", "2", "--json", "--quiet", ...args], { encoding: "utf8" });
    const data = faithful.map((r) => r[1]);
    const sq = JSON.parse(cli().stdout), none = JSON.parse(cli("--accelerate", "none").stdout);
    expect(sq.fit.passes).toBe(fitSync(data, { k: 2, accelerate: "squarem" }).passes);
    expect(sq.fit.logLikelihood).toBe(fitSync(data, { k: 2, accelerate: "squarem" }).logLikelihood);
    expect(none.fit.logLikelihood).toBe(fitSync(data, { k: 2 }).logLikelihood);
    expect(JSON.parse(cli("--mode", "hard").stdout).fit.passes).toBe(fitSync(data, { k: 2, mode: "hard" }).passes);
    const bad = cli("--accelerate", "fast");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^mixem: --accelerate: must be one of "none", "squarem"/);
  });
});
