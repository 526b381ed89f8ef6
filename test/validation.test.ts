// Bad input: every case throws a MixemError whose message names the option or the first bad
// index — never a WASM trap, never NaN out, never a leaked region, never a mutated input.
import { describe, expect, it } from "vitest";
import { fitSync, initSync, loadModel, MixemError, type FitOptions } from "../src/index.js";
import { getCore } from "../src/wasm.js";
import { FAMILY_NAMES } from "../src/families/index.js";

initSync();
const ok = [1.5, 2.5, 8, 9, 10, 3];

function expectError(run: () => unknown, code: string, message: RegExp) {
  const before = getCore().liveRegions;
  let error: unknown;
  try { run(); } catch (e) { error = e; }
  expect(error, "should throw").toBeInstanceOf(MixemError);
  expect((error as MixemError).code).toBe(code);
  expect((error as MixemError).message).toMatch(message);
  expect(getCore().liveRegions).toBe(before);
}

describe("data", () => {
  it.each([
    ["NaN", [1, 2, NaN, 4], /^data\[2\]: is NaN; every value must be finite/],
    ["Infinity", [1, Infinity, 3], /^data\[1\]: is Infinity/],
    ["-Infinity", new Float64Array([1, 2, 3, -Infinity]), /^data\[3\]: is -Infinity/],
    ["a string", [1, "2", 3], /^data\[1\]: is not a number \(the string "2"\)/],
    ["a hole in a sparse array", [1, , 3], /^data\[1\]: is missing/],
    ["empty", [], /^data: is empty/],
    ["not an array", "1,2,3", /^data: expected an array of numbers or a numeric typed array, got the string/],
    ["null", null, /^data: expected an array/],
    ["a BigInt64Array", new BigInt64Array(3), /^data: expected an array/],
  ])("%s", (_name, data, message) => {
    expectError(() => fitSync(data as never, { k: 1 }), "INVALID_DATA", message);
  });

  it("k larger than the number of distinct values", () => {
    expectError(() => fitSync([1, 1, 2, 2, 2], { k: 3 }), "INVALID_DATA", /^data: has fewer than k = 3 distinct values \(2\)/);
    expectError(() => fitSync([4, 4], { family: "poisson", k: 2 }), "INVALID_DATA", /fewer than k = 2 distinct/);
  });

  it.each([
    ["negative", [1, -1, 3], /^data\[1\]: -1 is not a valid count \(a non-negative integer\)/],
    ["non-integer", [1, 2.5, 3], /^data\[1\]: 2\.5 is not a valid count/],
  ])("Poisson counts: %s", (_name, data, message) => {
    expectError(() => fitSync(data, { family: "poisson", k: 1 }), "INVALID_DATA", message);
  });

  it("binomial: heads above trials, bad counts, bad trials", () => {
    expectError(() => fitSync([2, 6, 1], { family: "binomial", k: 1, trials: 5 }), "INVALID_DATA", /^data\[1\]: 6 heads is more than the 5 trials/);
    expectError(() => fitSync([2, 3, 4], { family: "binomial", k: 1, trials: [5, 2, 9] }), "INVALID_DATA", /^data\[1\]: 3 heads is more than the 2 trials/);
    expectError(() => fitSync([2, -3], { family: "binomial", k: 1, trials: 5 }), "INVALID_DATA", /^data\[1\]: -3 is not a valid count/);
    expectError(() => fitSync([2, 3], { family: "binomial", k: 1 } as never), "INVALID_OPTION", /^options\.trials: is required for family "binomial"/);
    expectError(() => fitSync([2, 3], { family: "binomial", k: 1, trials: 2.5 }), "INVALID_OPTION", /^options\.trials: must be a positive integer \(up to 2\^53\), got 2\.5/);
    expectError(() => fitSync([2, 3], { family: "binomial", k: 1, trials: 0 }), "INVALID_OPTION", /^options\.trials: must be a positive integer/);
    expectError(() => fitSync([2, 3], { family: "binomial", k: 1, trials: [5, 5, 5] }), "INVALID_OPTION", /^options\.trials: has 3 values but the data has 2/);
    expectError(() => fitSync([2, 3], { family: "binomial", k: 1, trials: [5, 0.5] }), "INVALID_DATA", /^options\.trials\[1\]: 0\.5 is not a valid number of trials/);
  });
});

describe("options", () => {
  it.each<[string, unknown, RegExp]>([
    ["not an object", 3, /^options: must be an object, got number 3/],
    ["no options", undefined, /^options: must be an object, got undefined$/],
    ["k missing", {}, /^options\.k: is required/],
    ["k < 1", { k: 0 }, /^options\.k: must be between 1 and/],
    ["k not an integer", { k: 2.5 }, /^options\.k: must be an integer, got number 2\.5/],
    ["k a string", { k: "2" }, /^options\.k: must be an integer, got the string "2"/],
    ["unknown option", { k: 2, maxIterations: 5 }, /^options\.maxIterations: is not an option here; known options: family, k, init.* \(did you mean maxIter\?\)$/],
    ["a typo", { k: 2, maxIters: 5 }, /^options\.maxIters: is not an option here; .* \(did you mean maxIter\?\)$/],
    ["scikit-learn's spelling", { k: 2, n_init: 5 }, /^options\.n_init: is not an option here; .* \(did you mean nInit\?\)$/],
    ["case", { k: 2, regcovar: 1e-3 }, /^options\.regcovar: is not an option here; .* \(did you mean regCovar\?\)$/],
    ["scikit-learn's reg_covar (an absolute ridge)", { k: 2, reg_covar: 1e-6 }, /^options\.reg_covar: is not an option here; .* \(did you mean ridge\?\)$/],
    ["scikit-learn's n_components", { k: 2, n_components: 3 }, /^options\.n_components: .* \(did you mean k\?\)$/],
    ["mclust's modelNames", { k: 2, family: "mvgaussian", modelNames: "VVV" }, /^options\.modelNames: .* \(did you mean covariance\?\)$/],
    ["a peer's name whose option this family lacks", { k: 2, family: "poisson", reg_covar: 1e-6 }, /^options\.reg_covar: is not an option here; known options: [^(]*$/],
    ["nothing near", { k: 2, banana: 1 }, /^options\.banana: is not an option here; known options: [^(]*$/],
    ["another family's option", { k: 2, family: "poisson", regCovar: 1e-3 }, /^options\.regCovar: is not an option here/],
    ["unknown family", { k: 2, family: "cauchy" }, new RegExp(`^options\\.family: must be one of ${FAMILY_NAMES.map((f) => `"${f}"`).join(", ")}, got the string "cauchy"`)],
    ["mode", { k: 2, mode: "medium" }, /^options\.mode: must be one of "soft", "hard"/],
    ["fixWeights", { k: 2, fixWeights: "yes" }, /^options\.fixWeights: must be true or false/],
    ["maxIter 0", { k: 2, maxIter: 0 }, /^options\.maxIter: must be between 1 and/],
    ["maxIter string", { k: 2, maxIter: "10" }, /^options\.maxIter: must be an integer/],
    ["tol negative", { k: 2, tol: -1 }, /^options\.tol: must be at least 0, got -1/],
    ["tol NaN", { k: 2, tol: NaN }, /^options\.tol: must be a finite number, got number NaN/],
    ["nInit", { k: 2, nInit: 0 }, /^options\.nInit: must be between 1 and/],
    ["seed", { k: 2, seed: 1.5 }, /^options\.seed: must be an integer/],
    ["onIteration", { k: 2, onIteration: 3 }, /^options\.onIteration: must be a function/],
    ["signal", { k: 2, signal: {} }, /^options\.signal: must be an AbortSignal/],
    ["regCovar", { k: 2, regCovar: -1e-6 }, /^options\.regCovar: must be at least 0/],
    ["init string", { k: 2, init: "kmeans" }, /^options\.init: must be "kmeans\+\+", "random", "hc" or an object/],
  ])("%s", (_name, options, message) => {
    expectError(() => fitSync(ok, options as FitOptions), "INVALID_OPTION", message);
  });

  it.each<[string, FitOptions, RegExp]>([
    ["wrong length", { k: 2, init: { means: [1, 2, 3], variances: [1, 1] } }, /^options\.init\.means: must have 2 values \(one per component\), got 3/],
    ["missing key", { k: 2, init: { means: [1, 2] } as never }, /^options\.init\.variances: is required for an explicit gaussian init/],
    ["unknown key", { k: 2, init: { means: [1, 2], variances: [1, 1], sds: [1, 1] } as never }, /^options\.init\.sds: is not an initial parameter of family "gaussian"/],
    ["non-positive variance", { k: 2, init: { means: [1, 2], variances: [1, 0] } }, /^options\.init\.variances\[1\]: must be a positive variance, got 0/],
    ["NaN mean", { k: 2, init: { means: [NaN, 2], variances: [1, 1] } }, /^options\.init\.means\[0\]: must be a finite number, got number NaN/],
    ["weights not summing to 1", { k: 2, init: { weights: [0.5, 0.6], means: [1, 2], variances: [1, 1] } }, /^options\.init\.weights: must sum to 1, got 1\.1/],
    ["zero weight", { k: 2, init: { weights: [1, 0], means: [1, 2], variances: [1, 1] } }, /^options\.init\.weights\[1\]: must be a positive weight/],
    ["restarts with explicit init", { k: 2, nInit: 3, init: { means: [1, 2], variances: [1, 1] } }, /^options\.nInit: must be 1 with an explicit init/],
    ["poisson rate", { family: "poisson", k: 2, init: { lambdas: [1, -2] } }, /^options\.init\.lambdas\[1\]: must be a non-negative rate, got -2/],
    ["binomial p", { family: "binomial", trials: 10, k: 2, init: { p: [0.5, 1.5] } }, /^options\.init\.p\[1\]: must be a probability in \[0, 1\], got 1\.5/],
  ])("explicit init: %s", (_name, options, message) => {
    const data = options.family === "poisson" || options.family === "binomial" ? [1, 2, 3, 7] : ok;
    expectError(() => fitSync(data, options), "INVALID_OPTION", message);
  });

  it("a throwing callback or an abort frees everything and propagates", () => {
    const before = getCore().liveRegions;
    expect(() => fitSync(ok, { k: 2, onIteration: () => { throw new Error("boom"); } })).toThrow("boom");
    expect(getCore().liveRegions).toBe(before);
    const controller = new AbortController();
    expect(() => fitSync(ok, { k: 2, signal: controller.signal, onIteration: () => controller.abort(new Error("stop")) })).toThrow("stop");
    expect(getCore().liveRegions).toBe(before);
  });

  it("a bad value deep in a large array frees the copy made so far", () => {
    const before = getCore().liveRegions;
    const big = new Float64Array(1_000_001).fill(1.5);
    big[1_000_000] = NaN;
    expectError(() => fitSync(big, { k: 1 }), "INVALID_DATA", /^data\[1000000\]: is NaN/);
    expect(getCore().liveRegions).toBe(before);
  });
});

describe("model methods and loadModel", () => {
  const model = fitSync(ok, { k: 2 });
  const json = () => JSON.parse(JSON.stringify(model));

  it("predict on bad data names the index", () => {
    expectError(() => model.predict([1, NaN]), "INVALID_DATA", /^data\[1\]: is NaN/);
    expectError(() => model.score([]), "INVALID_DATA", /^data: is empty/);
  });
  it.each<[string, (j: any) => unknown, RegExp]>([
    ["not an object", () => "model", /^model: must be an object/],
    ["wrong format", (j) => ({ ...j, format: "sklearn" }), /^model\.format: must be "mixem-model"/],
    ["future version", (j) => ({ ...j, version: 2 }), /^model\.version: unsupported version number 2/],
    ["unknown family", (j) => ({ ...j, family: "cauchy" }), /^model\.family: unknown family/],
    ["weights not summing to 1", (j) => ({ ...j, weights: [0.5, 0.6] }), /model\.weights: must sum to 1/],
    ["too few components", (j) => ({ ...j, components: j.components.slice(1) }), /^model\.components: must be an array of 2 components/],
    ["negative variance", (j) => ({ ...j, components: [j.components[0], { mean: 1, variance: -1 }] }), /model\.components\[1\]\.variance: must be positive/],
    ["extra parameter", (j) => ({ ...j, components: [j.components[0], { ...j.components[1], sd: 1 }] }), /model\.components\[1\]\.sd: is not a parameter of this family/],
    ["missing fit", (j) => ({ ...j, fit: undefined }), /^model\.fit: must be an object/],
  ])("loadModel: %s", (_name, mutate, message) => {
    expectError(() => loadModel(mutate(json())), "INVALID_MODEL", message);
  });

  it("sample with bad arguments", () => {
    expectError(() => model.sample(-1), "INVALID_OPTION", /^n: must be between 0 and/);
    expectError(() => model.sample(3, { seed: "x" } as never), "INVALID_OPTION", /^options\.seed: must be an integer/);
  });
});

describe("degenerate data: documented outcomes, no NaN", () => {
  const finite = (m: ReturnType<typeof fitSync>) =>
    expect([...m.weights, ...m.components.flatMap((c) => Object.values(c)), m.logLikelihood].every(Number.isFinite)).toBe(true);

  it("all values identical, k = 1: variance is the floor regCovar × 1", () => {
    const m = fitSync([3, 3, 3, 3], { k: 1 });
    finite(m);
    expect(m.components[0]).toEqual({ mean: 3, variance: 1e-6 });
  });
  it("a component collapsing onto one point keeps variance ≥ regCovar × var(data)", () => {
    const data = [0, 10, 10.5, 11, 9.5, 10.2, 9.8];
    const m = fitSync(data, { k: 2, init: { means: [0, 10], variances: [1, 1] } });
    finite(m);
    const varData = (() => { const mu = data.reduce((a, b) => a + b) / data.length; return data.reduce((a, b) => a + (b - mu) ** 2, 0) / data.length; })();
    expect((m.components[0] as { variance: number }).variance).toBeCloseTo(1e-6 * varData, 15);
  });
  it("an empty component keeps its parameters and gets a vanishing weight", () => {
    const m = fitSync([1, 1.1, 0.9, 1.2], { k: 2, init: { means: [1, 1e6], variances: [0.1, 1] }, maxIter: 3, tol: 0 });
    finite(m);
    expect(m.components[1]).toEqual({ mean: 1e6, variance: 1 });
    expect(m.weights[1]).toBeLessThan(1e-14);
  });
  it("Poisson component on zeros and binomial at p = 0 or 1 stay finite (floors)", () => {
    finite(fitSync([0, 0, 0, 5, 6, 7], { family: "poisson", k: 2 }));
    finite(fitSync([0, 0, 10, 10], { family: "binomial", k: 2, trials: 10 }));
  });
  it("far-away points do not underflow (log-sum-exp)", () => {
    const m = fitSync([0, 0.1, 0.2, 1e6, 1e6 + 0.1, 1e6 + 0.3], { k: 2 });
    finite(m);
    expect(m.predictProba([5e5]).every(Number.isFinite)).toBe(true);
  });
});
