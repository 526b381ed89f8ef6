// The family conformance table: every family in the registry runs through the same checks —
// reference agreement, monotone log-likelihood, JSON round trip, predict = the last E-step,
// sample, plot, CLI, worker, stream, threads, accumulate/merge, bad input. A new family adds one
// row here; a family in FAMILIES without a row fails the first test.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  accumulate, fit, fitInWorker, fitStream, fitSync, initSync, loadModel, maximize, mergeStats, MixemError, plotFit,
  type FitOptions, type MixtureModel, type ModelData,
} from "../src/index.js";
import { FAMILIES, FAMILY_NAMES, type FamilyName } from "../src/families/index.js";
import { getCore } from "../src/wasm.js";
import { columnScales } from "../src/data.js";
import { robustScales } from "../src/isolation.js";
import { binomialRef, gaussianRef, poissonRef, referenceEM, type RefFamily } from "./reference/em.js";
import { bernoulliRef, mvGaussianRef } from "./reference/mv.js";
import { categoricalRef } from "./reference/categorical.js";
import { columnOfRows, independentRef } from "./reference/independent.js";
import { mvtRef, tRef } from "./reference/t.js";
import { exponentialRef, gammaIntDraw, gammaRef, lognormalRef, negbinomialDraw, negbinomialRef } from "./reference/positive.js";
import { binomialDraw, closeness, drawLabels, historyCloseness, maxRelErr, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mixem-conformance-"));

/** One family configuration and what the checks need to know of it. */
interface Row {
  name: string;
  family: FamilyName;
  /** The family's own options (with k = 2 and the defaults otherwise). */
  options: Record<string, unknown>;
  data: ModelData;
  /** The plain-TypeScript reference: its family, the explicit init (mixem's form and the reference's θ), and θ of a component. */
  ref: { family: RefFamily<never>; aux?: number[]; init: Record<string, unknown>; theta0: number[][]; theta: (c: never) => number[] };
  /** CLI flags for the family's options (the data goes in as CSV). */
  cli: string[];
  /** A bad point and the path its error must name. */
  bad: { data: unknown; path: string };
  /** Options configure needs beyond the fit's, which a fit takes from the data (categorical levels). */
  configure?: Record<string, unknown>;
  /** Checks that do not apply, with the reason. */
  skip?: Partial<Record<"stream" | "cli", string>>;
}

const u = mulberry32(2024);
const N = 3000;
const labels = drawLabels(u, N, [0.35, 0.65]);
const gaussian = labels.map((j) => 10 * j + normal(u) * (1 + j));
const counts = labels.map((j) => poissonDraw(u, j ? 9 : 2));
const heads = labels.map((j) => binomialDraw(u, 10, j ? 0.75 : 0.2));
const perPointTrials = labels.map(() => 5 + Math.floor(u() * 10));
const headsOf = perPointTrials.map((t, i) => binomialDraw(u, t, labels[i] ? 0.7 : 0.25));
const rows2 = labels.map((j) => [4 * j + normal(u), -3 * j + normal(u) * (1 + 0.5 * j) + 0.3 * normal(u)]);
const binary = labels.map((j) => Array.from({ length: 5 }, (_, f) => (u() < (j ? 0.2 + 0.12 * f : 0.8 - 0.12 * f) ? 1 : 0)));
const LEVELS = [3, 2, 4];
const levelP = [[[0.7, 0.2, 0.1], [0.5, 0.5], [0.1, 0.1, 0.2, 0.6]], [[0.1, 0.3, 0.6], [0.2, 0.8], [0.4, 0.3, 0.2, 0.1]]];
const pick = (p: number[]) => { let t = u(), l = 0; while (l < p.length - 1 && t >= p[l]) { t -= p[l]; l++; } return l; };
const codes = labels.map((j) => levelP[j].map(pick));
const catInit = [[[0.5, 0.3, 0.2], [0.6, 0.4], [0.25, 0.25, 0.25, 0.25]], [[0.2, 0.3, 0.5], [0.3, 0.7], [0.1, 0.2, 0.3, 0.4]]];
const mixed = labels.map((j, i) => [gaussian[i], codes[i][0], counts[i], heads[i]]);
const mixedColumns = [{ family: "gaussian" }, { family: "categorical" }, { family: "poisson" }, { family: "binomial", trials: 10 }];
const waits = labels.map((j, i) => (i % 97 === 5 ? 0 : gammaIntDraw(u, 1, j ? 0.2 : 3)));
const sizes = labels.map((j) => gammaIntDraw(u, j ? 9 : 2, j ? 1 : 2));
const logNormals = labels.map((j) => Math.exp((j ? 2 : 0) + normal(u) * (j ? 0.6 : 0.4)));
const overdispersed = labels.map((j) => negbinomialDraw(u, j ? 30 : 2, j ? 3 : 1, poissonDraw));
const diag = (v: number[]) => v.map((x, a) => v.map((_, b) => (a === b ? x : 0)));
/** 1/√(χ²_ν/ν): a normal times it is Student t with ν degrees of freedom. */
const tScale = (nu: number) => 1 / Math.sqrt(Array.from({ length: nu }, () => normal(u) ** 2).reduce((a, b) => a + b, 0) / nu);
const heavy = labels.map((j) => 10 * j + normal(u) * (1 + j) * tScale(j ? 8 : 4));
const heavyRows = labels.map((j) => { const w = tScale(j ? 8 : 4); return [4 * j + normal(u) * w, -3 * j + (normal(u) * (1 + 0.5 * j) + 0.3 * normal(u)) * w]; });

const ROWS: Row[] = [
  {
    name: "gaussian", family: "gaussian", options: {}, data: gaussian,
    ref: { family: gaussianRef(gaussian) as RefFamily<never>, init: { means: [1, 8], variances: [2, 5] }, theta0: [[1, 2], [8, 5]], theta: (c: { mean: number; variance: number }) => [c.mean, c.variance] },
    cli: [], bad: { data: [1, 2, NaN], path: "data[2]" },
  },
  {
    name: "poisson", family: "poisson", options: {}, data: counts,
    ref: { family: poissonRef as RefFamily<never>, init: { lambdas: [1, 6] }, theta0: [[1], [6]], theta: (c: { lambda: number }) => [c.lambda] },
    cli: [], bad: { data: [1, 2.5], path: "data[1]" },
  },
  {
    name: "binomial, constant trials", family: "binomial", options: { trials: 10 }, data: heads,
    ref: { family: binomialRef as RefFamily<never>, aux: heads.map(() => 10), init: { p: [0.3, 0.6] }, theta0: [[0.3], [0.6]], theta: (c: { p: number }) => [c.p] },
    cli: ["--trials", "10"], bad: { data: [1, 11], path: "data[1]" },
  },
  {
    name: "binomial, per-point trials", family: "binomial", options: { trials: perPointTrials }, data: headsOf,
    ref: { family: binomialRef as RefFamily<never>, aux: perPointTrials, init: { p: [0.3, 0.6] }, theta0: [[0.3], [0.6]], theta: (c: { p: number }) => [c.p] },
    cli: [], bad: { data: [...headsOf.slice(0, N - 1), 99], path: "data[2999]" },
    skip: { stream: "per-point options do not follow the chunks of a stream", cli: "the CLI's --trials-column is tested in cli.test.ts" },
  },
  ...(["full", "tied", "diag", "spherical"] as const).map((covariance): Row => ({
    name: `mvgaussian ${covariance}`, family: "mvgaussian", options: { covariance }, data: rows2,
    ref: {
      family: mvGaussianRef(rows2, covariance) as RefFamily<never>,
      init: { means: [[0, 0], [4, -3]], covariances: [[[1, 0.1], [0.1, 1]], [[1.5, 0.1], [0.1, 2]]] },
      theta0: covariance === "full" ? [[0, 0, 1, 0.1, 0.1, 1], [4, -3, 1.5, 0.1, 0.1, 2]]
        : covariance === "tied" ? [[0, 0, 1.25, 0.1, 0.1, 1.5], [4, -3, 1.25, 0.1, 0.1, 1.5]]
        : covariance === "diag" ? [[0, 0, ...diag([1, 1]).flat()], [4, -3, ...diag([1.5, 2]).flat()]]
        : [[0, 0, ...diag([1, 1]).flat()], [4, -3, ...diag([1.75, 1.75]).flat()]],
      theta: (c: { mean: number[]; covariance: number[][] }) => [...c.mean, ...c.covariance.flat()],
    },
    cli: ["--covariance", covariance], bad: { data: [[1, 2], [3]], path: "data[1]" },
  })),
  {
    name: "t", family: "t", options: {}, data: heavy,
    ref: { family: tRef(heavy) as RefFamily<never>, init: { means: [1, 8], variances: [2, 5], dofs: [10, 20] }, theta0: [[1, 2, 10], [8, 5, 20]], theta: (c: { mean: number; variance: number; dof: number }) => [c.mean, c.variance, c.dof] },
    cli: [], bad: { data: [1, 2, NaN], path: "data[2]" },
  },
  ...(["full", "diag"] as const).map((covariance): Row => ({
    name: `mvt ${covariance}`, family: "mvt", options: { covariance }, data: heavyRows,
    ref: {
      family: mvtRef(heavyRows, covariance) as RefFamily<never>,
      init: { means: [[0, 0], [4, -3]], covariances: [[[1, 0.1], [0.1, 1]], [[1.5, 0.1], [0.1, 2]]], dofs: [10, 20] },
      theta0: covariance === "full" ? [[0, 0, 1, 0.1, 0.1, 1, 10], [4, -3, 1.5, 0.1, 0.1, 2, 20]] : [[0, 0, ...diag([1, 1]).flat(), 10], [4, -3, ...diag([1.5, 2]).flat(), 20]],
      theta: (c: { mean: number[]; covariance: number[][]; dof: number }) => [...c.mean, ...c.covariance.flat(), c.dof],
    },
    cli: ["--covariance", covariance], bad: { data: [[1, 2], [3]], path: "data[1]" },
  })),
  {
    name: "bernoulli", family: "bernoulli", options: {}, data: binary,
    ref: { family: bernoulliRef(5) as RefFamily<never>, init: { p: [[0.7, 0.6, 0.5, 0.4, 0.3], [0.3, 0.4, 0.5, 0.6, 0.7]] }, theta0: [[0.7, 0.6, 0.5, 0.4, 0.3], [0.3, 0.4, 0.5, 0.6, 0.7]], theta: (c: { p: number[] }) => c.p },
    cli: [], bad: { data: [[0, 1, 0, 1, 0], [0, 2, 0, 0, 1]], path: "data[1][1]" },
  },
  {
    name: "categorical", family: "categorical", options: {}, data: codes, configure: { levels: LEVELS },
    ref: { family: categoricalRef(LEVELS) as RefFamily<never>, init: { p: catInit }, theta0: catInit.map((c) => c.flat()), theta: (c: { p: number[][] }) => c.p.flat() },
    cli: [], bad: { data: [[0, 1, 2], [0, 1.5, 0]], path: "data[1][1]" },
  },
  {
    name: "independent (gaussian, categorical, poisson, binomial columns)", family: "independent", options: { columns: mixedColumns }, data: mixed,
    configure: { columnData: [{}, { levels: [3] }, {}, { trials: 10 }] },
    ref: {
      family: independentRef([
        { family: gaussianRef(gaussian), size: 2 }, { family: columnOfRows(categoricalRef([3])), size: 3 },
        { family: poissonRef, size: 1 }, { family: binomialRef, size: 1, aux: heads.map(() => 10) },
      ]) as RefFamily<never>,
      init: { columns: [{ means: [1, 8], variances: [2, 5] }, { p: [[[0.5, 0.3, 0.2]], [[0.2, 0.3, 0.5]]] }, { lambdas: [1, 6] }, { p: [0.3, 0.6] }] },
      theta0: [[1, 2, 0.5, 0.3, 0.2, 1, 0.3], [8, 5, 0.2, 0.3, 0.5, 6, 0.6]],
      theta: (c: { columns: [{ mean: number; variance: number }, { p: number[][] }, { lambda: number }, { p: number }] }) =>
        [c.columns[0].mean, c.columns[0].variance, ...c.columns[1].p.flat(), c.columns[2].lambda, c.columns[3].p],
    },
    cli: ["--columns", "c1:gaussian,c2:categorical,c3:poisson,c4:binomial:trials=10"], bad: { data: [[1, 0, 2, 3], [1, 0, 2.5, 3]], path: "data[1][2]" },
  },
  {
    name: "exponential (with zeros)", family: "exponential", options: {}, data: waits,
    ref: { family: exponentialRef as RefFamily<never>, init: { rates: [2, 0.3] }, theta0: [[2], [0.3]], theta: (c: { rate: number }) => [c.rate] },
    cli: [], bad: { data: [1, 2, -0.5], path: "data[2]" },
  },
  {
    name: "gamma", family: "gamma", options: {}, data: sizes,
    ref: { family: gammaRef as RefFamily<never>, init: { shapes: [1.5, 6], rates: [1, 0.8] }, theta0: [[1.5, 1], [6, 0.8]], theta: (c: { shape: number; rate: number }) => [c.shape, c.rate] },
    cli: [], bad: { data: [1, 0, 2], path: "data[1]" },
  },
  {
    name: "lognormal", family: "lognormal", options: {}, data: logNormals,
    ref: { family: lognormalRef() as RefFamily<never>, init: { meanlogs: [0.5, 1.5], varlogs: [0.5, 0.5] }, theta0: [[0.5, 0.5], [1.5, 0.5]], theta: (c: { meanlog: number; varlog: number }) => [c.meanlog, c.varlog] },
    cli: [], bad: { data: [1, 2, -3], path: "data[2]" },
  },
  {
    name: "negbinomial", family: "negbinomial", options: {}, data: overdispersed,
    ref: { family: negbinomialRef as RefFamily<never>, init: { means: [3, 20], sizes: [2, 2] }, theta0: [[3, 2], [20, 2]], theta: (c: { mean: number; size: number }) => [c.mean, c.size] },
    cli: [], bad: { data: [1, 2, 3.5], path: "data[2]" },
  },
];

const optionsOf = (row: Row, extra: Partial<FitOptions> = {}) => ({ family: row.family, k: 2, ...row.options, ...extra }) as FitOptions;
const evalOptions = (row: Row) => ("trials" in row.options ? { trials: row.options.trials as number } : undefined);
const rowsOf = (data: ModelData) => Array.from(data as ArrayLike<unknown>);

describe("the conformance table", () => {
  it("has a row for every registered family (a new family adds one)", () => {
    expect(new Set(ROWS.map((r) => r.family))).toEqual(new Set(FAMILY_NAMES));
  });
  it("every family's kernel is exported by the WebAssembly core and listed in the family's kernels (its entry point compiles those only)", () => {
    for (const row of ROWS) {
      const first = rowsOf(row.data)[0];
      const dims = Array.isArray(first) ? first.length : 1;
      const spec = FAMILIES[row.family].configure({ ...row.options, ...row.configure }, dims);
      expect(getCore().hasKernel(spec.kernel), `${row.name}: ${spec.kernel}`).toBe(true);
      expect(FAMILIES[row.family].kernels, `${row.name}: ${spec.kernel}`).toContain(spec.kernel);
    }
  });
});

describe.each(ROWS)("family conformance: $name", (row) => {
  const model: MixtureModel = fitSync(row.data, optionsOf(row));
  const n = (row.data as ArrayLike<unknown>).length;

  it("agrees with the plain-TypeScript reference EM (20 iterations from the same start, 1e-9)", () => {
    const m = fitSync(row.data, optionsOf(row, { init: row.ref.init as never, maxIter: 20, tol: 0 }));
    const ref = referenceEM(row.ref.family, row.data as never[], row.ref.aux ?? null, row.ref.theta0, [0.5, 0.5], { maxIter: 20, tol: 0, mode: "soft", fixWeights: false });
    expect(historyCloseness(m.history, ref.history, n)).toBeLessThan(1);
    expect(maxRelErr(m.weights, ref.weights)).toBeLessThan(1e-9);
    expect(maxRelErr(m.components.flatMap((c) => row.ref.theta(c as never)), ref.theta.flat())).toBeLessThan(1e-9);
  });

  it("partial labels: the reference EM with one-hot labelled points (10 iterations, 1e-9; objective 1e-12); none labelled: the plain fit's bits", () => {
    const labels = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? (i / 7) % 2 : -1));
    const m = fitSync(row.data, optionsOf(row, { init: row.ref.init as never, maxIter: 10, tol: 0, labels }));
    const family = row.ref.family.withLabels?.(labels) ?? row.ref.family;
    const ref = referenceEM(family, row.data as never[], row.ref.aux ?? null, row.ref.theta0, [0.5, 0.5], { maxIter: 10, tol: 0, mode: "soft", fixWeights: false, labels });
    expect(maxRelErr(m.weights, ref.weights)).toBeLessThan(1e-9);
    expect(maxRelErr(m.components.flatMap((c) => row.ref.theta(c as never)), ref.theta.flat())).toBeLessThan(1e-9);
    expect(Math.abs(m.objective - ref.objective)).toBeLessThan(1e-12 * n * Math.max(1, Math.abs(ref.objective / n)));
    const none = fitSync(row.data, optionsOf(row, { maxIter: 10, tol: 0, seed: 5, labels: labels.map(() => -1) }));
    expect(none.components).toEqual(fitSync(row.data, optionsOf(row, { maxIter: 10, tol: 0, seed: 5 })).components);
  });

  it("soft EM never decreases the log-likelihood", () => {
    const h = fitSync(row.data, optionsOf(row, { maxIter: 200, tol: 0, seed: 3 })).history;
    for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]));
  });

  it("SQUAREM reaches plain EM's fixed point (parameters 1e-6, log-likelihood 1e-9), its objective never decreasing", () => {
    // Plain EM run to its fixed point (tol 0: 4000 and 5000 iterations agree to 1e-9); SQUAREM
    // converges by a small tol, and run on (tol 0, 200 cycles: where the likelihood is flat in a
    // direction, the Student-t ν, a change under tol can still leave parameters 1e-5 away).
    const params = (m: MixtureModel) => [...m.weights, ...m.components.flatMap((c) => row.ref.theta(c as never))];
    const plain = fitSync(row.data, optionsOf(row, { tol: 0, maxIter: 5000 }));
    expect(closeness(params(fitSync(row.data, optionsOf(row, { tol: 0, maxIter: 4000 }))), params(plain), 1e-9, 1e-12)).toBeLessThan(1);
    expect(fitSync(row.data, optionsOf(row, { tol: 1e-13, maxIter: 5000, accelerate: "squarem" })).converged).toBe(true);
    const sq = fitSync(row.data, optionsOf(row, { tol: 0, maxIter: 200, accelerate: "squarem" }));
    expect(sq.passes).toBeGreaterThanOrEqual(2 * sq.iterations + 1);
    expect(Math.abs(sq.logLikelihood - plain.logLikelihood)).toBeLessThan(1e-9 * Math.abs(plain.logLikelihood));
    expect(closeness(params(sq), params(plain), 1e-6, 1e-9)).toBeLessThan(1);
    const h = sq.history;
    for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]));
  });

  it("survives a JSON round trip bit for bit", () => {
    const back = loadModel(JSON.parse(JSON.stringify(model)));
    expect(back.components).toEqual(model.components);
    expect(back.weights).toEqual(model.weights);
    expect(back.predictProba(row.data, evalOptions(row))).toEqual(model.predictProba(row.data, evalOptions(row)));
  });

  it("a warm start: 5 iterations, then 5 more from that model (or its JSON, or in a worker), are 10 in one go, bit for bit", async () => {
    const ten = fitSync(row.data, optionsOf(row, { maxIter: 10, tol: 0, seed: 4 }));
    const five = fitSync(row.data, optionsOf(row, { maxIter: 5, tol: 0, seed: 4 }));
    for (const init of [five, JSON.parse(JSON.stringify(five))]) {
      const more = fitSync(row.data, optionsOf(row, { maxIter: 5, tol: 0, init: init as never }));
      expect(more.components).toEqual(ten.components);
      expect(more.weights).toEqual(ten.weights);
      expect([...five.history, ...more.history]).toEqual([...ten.history]);
    }
    const inWorker = await fitInWorker(row.data, optionsOf(row, { maxIter: 5, tol: 0, init: five as never }) as never);
    expect(inWorker.components).toEqual(ten.components);
    // A model of another k is an error naming the option.
    const k3 = fitSync(row.data, optionsOf(row, { k: 3, maxIter: 2 }));
    expect(() => fitSync(row.data, optionsOf(row, { init: k3 as never }))).toThrow(/options\.init: is a model of k = 3 components; options\.k is 2/);
  });

  it("sample weights: integer weights fit as the duplicated rows (1e-12), weight 0 as the point left out", () => {
    const points = rowsOf(row.data), w = points.map((_, i) => (i * 7) % 4); // 0, 3, 2, 1, …
    const repeat = <T,>(v: T[]) => v.flatMap((x, i) => Array<T>(w[i]).fill(x));
    // Per-point options (binomial trials) are duplicated with their points.
    const perPoint = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([key, v]) => [key, Array.isArray(v) && v.length === points.length ? repeat(v) : v]));
    const start = { init: row.ref.init as never, maxIter: 20, tol: 0 };
    const weighted = fitSync(points as never, optionsOf(row, { ...start, sampleWeights: w }));
    const duplicated = fitSync(repeat(points) as never, { ...optionsOf(row, start), ...perPoint(row.options) } as FitOptions);
    expect(weighted.nObservations).toBe(duplicated.nObservations);
    expect(Math.abs(weighted.logLikelihood - duplicated.logLikelihood)).toBeLessThan(1e-12 * Math.abs(duplicated.logLikelihood));
    expect(maxRelErr(weighted.weights, duplicated.weights)).toBeLessThan(1e-12);
    expect(maxRelErr(weighted.components.flatMap((c) => row.ref.theta(c as never)), duplicated.components.flatMap((c) => row.ref.theta(c as never)))).toBeLessThan(1e-10);
    // Weights of 1 are no weights (up to the summation: each point's log instead of a product of sums).
    const ones = fitSync(points as never, optionsOf(row, { ...start, sampleWeights: points.map(() => 1) }));
    const plain = fitSync(points as never, optionsOf(row, start));
    expect(Math.abs(ones.logLikelihood - plain.logLikelihood)).toBeLessThan(1e-12 * Math.abs(plain.logLikelihood));
    // Bad weights name the option and the index.
    expect(() => fitSync(points as never, optionsOf(row, { sampleWeights: w.slice(1) }))).toThrow(/options\.sampleWeights: has \d+ weights; the data has \d+ points/);
    expect(() => fitSync(points as never, optionsOf(row, { sampleWeights: w.map((v, i) => (i === 5 ? -1 : v)) }))).toThrow(/options\.sampleWeights\[5\]: is negative/);
    expect(() => fitSync(points as never, optionsOf(row, { sampleWeights: w.map(() => 0) }))).toThrow(/options\.sampleWeights: are all 0/);
  });

  it("predict repeats the fit's last E-step (same log-likelihood, to the bit)", () => {
    expect(model.logLikelihoodOf(row.data, evalOptions(row))).toBe(model.logLikelihood);
    expect(model.predict(row.data, evalOptions(row))).toHaveLength(n);
  });

  it("scoreSamples gives each point's log-density, as the reference computes it, adding up to the log-likelihood", () => {
    const s = model.scoreSamples(row.data, evalOptions(row));
    const thetas = model.components.map((c) => row.ref.theta(c as never));
    const data = row.data as never[];
    for (let i = 0; i < n; i += 97) {
      const terms = thetas.map((th, j) => Math.log(model.weights[j]) + row.ref.family.logDensity(data, row.ref.aux ?? null, i, th));
      const m = Math.max(...terms);
      const expected = m + Math.log(terms.reduce((a, t) => a + Math.exp(t - m), 0));
      expect(Math.abs(s[i] - expected), `point ${i}`).toBeLessThan(1e-10 * Math.max(1, Math.abs(expected)));
    }
    expect(Math.abs(s.reduce((a, b) => a + b, 0) - model.logLikelihood)).toBeLessThan(1e-9 * Math.abs(model.logLikelihood));
  });

  it("samples points the family accepts, in proportion to the weights", () => {
    const trials = Array.isArray(row.options.trials) ? { trials: 12 } : undefined; // per-point trials: sampling needs a number
    const s = model.sample(4000, { seed: 1, ...trials });
    expect(s.values).toHaveLength(4000 * model.dims);
    const data = model.dims > 1 ? Array.from({ length: 4000 }, (_, i) => Array.from(s.values.subarray(i * model.dims, (i + 1) * model.dims))) : s.values;
    const refit = fitSync(data, optionsOf(row, { maxIter: 1, ...(trials ?? {}) }));
    expect(refit.nObservations).toBe(4000);
    const share = s.labels.reduce((a, j) => a + (j === 0 ? 1 : 0), 0) / 4000;
    expect(Math.abs(share - model.weights[0])).toBeLessThan(0.03);
  });

  it("plots as its family's plot kind says", () => {
    const kind = FAMILIES[row.family].plot.kind;
    const opts = Array.isArray(row.options.trials) ? { trials: 14 } : {};
    if (kind === "none") {
      expect(() => plotFit(model, row.data)).toThrow(MixemError);
      return;
    }
    const svg = plotFit(model, row.data, opts);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    if (kind === "heatmap") {
      // One cell per component and level, and one per level for the data's share.
      const cells = model.spec.componentParameters(1) + model.dims;
      expect(svg.match(/<rect [^>]*><title>/g)!.length).toBe((model.k + 1) * cells);
      return;
    }
    expect(svg.match(/stroke-dasharray/g)!.length).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(row.skip?.cli)("fits from the CLI as through the API", () => {
    const file = join(dir, `${row.name.replace(/\W+/g, "-")}.csv`);
    const table = rowsOf(row.data).map((r) => (Array.isArray(r) ? r.join(",") : String(r)));
    const d = Array.isArray(rowsOf(row.data)[0]) ? (rowsOf(row.data)[0] as number[]).length : 1;
    writeFileSync(file, [Array.from({ length: d }, (_, a) => `c${a + 1}`).join(","), ...table].join("\n") + "\n");
    const args = [join(root, "dist/cli.js"), "fit", file, "--family", row.family, "-k", "2", "--json", "--quiet", ...row.cli];
    const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.family).toBe(row.family);
    // The CLI fits with SQUAREM by default.
    const sq = fitSync(row.data, optionsOf(row, { accelerate: "squarem" }));
    expect(out.fit.logLikelihood).toBe(sq.logLikelihood);
    expect(out.fit.passes).toBe(sq.passes);
    expect(out.components).toEqual(JSON.parse(JSON.stringify(sq.components)));
  });

  it("fits in a worker bit for bit as on the calling thread", async () => {
    const w = await fitInWorker(row.data, optionsOf(row));
    expect(w.components).toEqual(model.components);
    expect(w.logLikelihood).toBe(model.logLikelihood);
  });

  it.skipIf(row.skip?.stream)("streams in chunks to the in-memory fit (same start, to the rounding of the chunked sums)", async () => {
    const all = rowsOf(row.data);
    const chunks = [all.slice(0, 1000), all.slice(1000, 2200), all.slice(2200)] as ModelData[];
    const options = optionsOf(row, { init: row.ref.init as never, maxIter: 15, tol: 0 });
    const s = await fitStream(() => chunks, options);
    const m = fitSync(row.data, options);
    expect(historyCloseness(s.history, m.history, n)).toBeLessThan(1);
    expect(maxRelErr(s.components.flatMap((c) => row.ref.theta(c as never)), m.components.flatMap((c) => row.ref.theta(c as never)))).toBeLessThan(1e-9);
    // The stream's variance per dimension comes from a pairwise update over the chunks.
    expect({ ...s.settings, scale: undefined }).toEqual({ ...m.settings, scale: undefined });
    const d = Array.isArray(all[0]) ? (all[0] as unknown[]).length : 1;
    const robust = FAMILIES[row.family].configure({ ...row.options, ...row.configure }, d).robustScale;
    if (robust) {
      // A robust scale (Spec.robustScale) is the seeding rows' MAD's: the stream's first chunk.
      const first = Float64Array.from((chunks[0] as unknown[]).flat() as number[]);
      const variance = columnScales(Float64Array.from((all as unknown[]).flat() as number[]), all.length, d);
      expect(maxRelErr(s.settings.scale!, robustScales({ points: first, dims: d }, first.length / d, variance, null))).toBeLessThan(1e-12);
    } else if (m.settings.scale) expect(maxRelErr(s.settings.scale!, m.settings.scale)).toBeLessThan(1e-12);
  });

  it("fits on two threads as on one (to the rounding of the shard sums)", async () => {
    const options = optionsOf(row, { init: row.ref.init as never, maxIter: 15, tol: 0 });
    const t = await fit(row.data, { ...options, threads: 2 });
    const m = fitSync(row.data, options);
    expect(historyCloseness(t.history, m.history, n)).toBeLessThan(1);
    expect(maxRelErr(t.components.flatMap((c) => row.ref.theta(c as never)), m.components.flatMap((c) => row.ref.theta(c as never)))).toBeLessThan(1e-9);
    expect(t.settings).toEqual(m.settings);
  });

  it("accumulates statistics in parts that merge into the whole's M-step", () => {
    const all = rowsOf(row.data), cut = 1234;
    const partOptions = (from: number, to: number) =>
      Array.isArray(row.options.trials) ? { trials: (row.options.trials as number[]).slice(from, to) } : undefined;
    const parts = [accumulate(model, all.slice(0, cut) as ModelData, partOptions(0, cut)), accumulate(model, all.slice(cut) as ModelData, partOptions(cut, n))];
    const whole = accumulate(model, row.data, evalOptions(row));
    const merged = mergeStats(...parts);
    expect(merged.n).toBe(n);
    // Relative 1e-9, or 1e-9 absolute for a statistic near 0 (Σ r(x − m) about a converged mean m).
    expect(closeness(merged.values, whole.values, 1e-9, 1e-9)).toBeLessThan(1);
    const a = maximize(model, merged), b = maximize(model, whole);
    expect(maxRelErr(a.components.flatMap((c) => row.ref.theta(c as never)), b.components.flatMap((c) => row.ref.theta(c as never)))).toBeLessThan(1e-9);
  });

  it("rejects bad input with a MixemError naming the option or the index, and leaks no memory", () => {
    const live = getCore().liveRegions;
    const expectError = (f: () => unknown, code: string, path: string) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(MixemError);
        expect((e as MixemError).code).toBe(code);
        expect((e as MixemError).path).toBe(path);
        return;
      }
      throw new Error("no error");
    };
    expectError(() => fitSync(row.bad.data as never, optionsOf(row)), "INVALID_DATA", row.bad.path);
    expectError(() => fitSync(row.data, optionsOf(row, { notAnOption: 1 } as never)), "INVALID_OPTION", "options.notAnOption");
    expectError(() => fitSync(row.data, optionsOf(row, { k: 0 })), "INVALID_OPTION", "options.k");
    expectError(() => model.predict(row.bad.data as never, evalOptions(row)), "INVALID_DATA", row.bad.path);
    expect(getCore().liveRegions).toBe(live);
  });
});
