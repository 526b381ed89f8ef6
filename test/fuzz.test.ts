// Fuzzing the public surface: random option objects and data shapes for fitSync, and a corpus of
// malformed model JSON for loadModel. Every case either works correctly or throws a MixemError
// whose message starts with the path of the problem — never a WebAssembly trap, another error
// type, a hang, or a model with NaN in it. Cases per property: MIXEM_FUZZ_RUNS (default 300);
// longer: MIXEM_FUZZ_RUNS=20000 npx vitest run test/fuzz.test.ts
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fitSync, initSync, loadModel, MixemError, type MixtureModel } from "../src/index.js";
import { getCore } from "../src/wasm.js";

initSync();
/** Fixed by default so CI is reproducible; MIXEM_FC_SEED=random explores new cases (or give a number). */
const SEED = process.env.MIXEM_FC_SEED === "random" ? undefined : Number(process.env.MIXEM_FC_SEED ?? 20261123);
const RUNS = Number(process.env.MIXEM_FUZZ_RUNS ?? 300);
const counts = { options: 0, data: 0, models: 0, worked: 0, rejected: 0 };

class CallbackError extends Error {}
const KNOWN = ["family", "k", "init", "mode", "fixWeights", "maxIter", "tol", "nInit", "seed", "onIteration", "signal", "regCovar", "trials", "covariance", "dims", "prior"];
const PATH = /^(options|data|model|fit|n)(\.|\[|:)/;

/** A model must be usable: finite numbers, probabilities that sum to 1, an exact JSON round trip. */
function checkUsable(m: MixtureModel, probe: unknown, probeOptions?: object) {
  const numbers = [m.logLikelihood, ...m.weights, ...m.components.flatMap((c) => Object.values(c).flat(2) as number[])];
  expect(numbers.every(Number.isFinite)).toBe(true);
  const p = m.predictProba(probe as never, probeOptions);
  for (let i = 0; i < p.length; i += m.k) {
    let s = 0;
    for (let j = 0; j < m.k; j++) { expect(Number.isFinite(p[i + j])).toBe(true); s += p[i + j]; }
    expect(Math.abs(s - 1)).toBeLessThan(1e-12);
  }
  expect(loadModel(JSON.parse(JSON.stringify(m))).toJSON()).toEqual(m.toJSON());
}

/** Runs f; the outcome must be a usable model or a MixemError naming a path (or an expected foreign error). */
function outcome(f: () => MixtureModel, probe: unknown, expected: (e: unknown) => boolean = () => false) {
  const live = getCore().liveRegions;
  let m: MixtureModel;
  try {
    m = f();
  } catch (e) {
    expect(getCore().liveRegions).toBe(live); // nothing leaked by the throw
    if (expected(e)) return;
    if (!(e instanceof MixemError)) throw new Error(`not a MixemError: ${(e as Error)?.stack ?? String(e)}`);
    expect(e.message).toMatch(PATH);
    counts.rejected++;
    return;
  }
  expect(getCore().liveRegions).toBe(live);
  checkUsable(m, probe, m.family === "binomial" ? { trials: 10 } : undefined);
  counts.worked++;
}

const anyValue = fc.oneof(
  fc.anything(), fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 0.5, 1e300, -1e300, 2 ** 53, "", "2", null, undefined, true, [], {}),
  fc.integer({ min: -5, max: 10 }), fc.double(),
);
const validish: Record<string, fc.Arbitrary<unknown>> = {
  family: fc.constantFrom("gaussian", "poisson", "binomial", "mvgaussian", "bernoulli", "cauchy"),
  k: fc.integer({ min: -2, max: 6 }),
  init: fc.oneof(fc.constantFrom("kmeans++", "random", "kmeans"), fc.record({ means: fc.array(anyValue, { maxLength: 4 }), variances: fc.array(anyValue, { maxLength: 4 }) }, { requiredKeys: [] })),
  mode: fc.constantFrom("soft", "hard", "firm"),
  fixWeights: fc.boolean(),
  maxIter: fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(1e20, 2.5, NaN)),
  tol: fc.oneof(fc.constantFrom(0, 1e-3, 1e-8, -1, NaN), fc.double()),
  nInit: fc.integer({ min: -1, max: 3 }),
  seed: fc.oneof(fc.integer(), fc.constantFrom(1.5, NaN, 2 ** 60)),
  onIteration: fc.constantFrom(() => undefined, () => false, () => true, () => { throw new CallbackError("callback"); }, 42),
  signal: fc.constantFrom({}, { aborted: false }, AbortSignal.abort(new CallbackError("aborted")), new AbortController().signal),
  regCovar: fc.oneof(fc.constantFrom(0, 1e-6, -1, NaN), fc.double()),
  trials: fc.oneof(fc.integer({ min: -1, max: 12 }), fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 8 })),
  covariance: fc.constantFrom("full", "tied", "diag", "spherical", "VVV"),
  dims: fc.integer({ min: -1, max: 4 }),
  prior: fc.oneof(fc.boolean(), fc.record({ weights: anyValue, shrinkage: anyValue, dof: anyValue, scale: anyValue, a: anyValue, shape: anyValue }, { requiredKeys: [] })),
};
const optionsArb = fc.dictionary(fc.constantFrom(...KNOWN, "maxIterations", "K", "__proto__x"), fc.constant(0), { maxKeys: 8 })
  .chain((d) => fc.record(Object.fromEntries(Object.keys(d).map((key) => [key, fc.oneof(validish[key] ?? anyValue, anyValue)]))));

const values1d = [0, 1, 2, 3, 5, 8, 9, 10, 1, 2];
const rows2d = [[0, 1], [1, 0], [5, 5], [6, 5], [0.5, 0.2], [5.5, 6], [0, 0], [6, 6]];
const dataArb = fc.oneof(
  fc.constant(values1d), fc.constant(rows2d), fc.constant(Float64Array.from(values1d)),
  fc.constant(Object.freeze([...values1d])), fc.constant(rows2d.map((r) => Object.freeze(r))),
  fc.constantFrom(Int8Array.from(values1d), Uint8ClampedArray.from(values1d), Float32Array.from(values1d), Uint32Array.from(values1d), new BigInt64Array(4)),
  // eslint-disable-next-line no-sparse-arrays
  fc.constant([1, , 3, 4, 5]), fc.constant([]), fc.constant([[1, 2], [3]]), fc.constant([[1, 2], [3, NaN]]), fc.constant([[[1]]]),
  fc.constant({ length: 1e12 }), fc.constant("1,2,3"), fc.constant(null), fc.constant(new DataView(new ArrayBuffer(8))),
  fc.array(fc.oneof(fc.double(), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 12 }),
  fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
);

describe("fitSync: random options and data", () => {
  it("valid data, random options", () => {
    fc.assert(fc.property(optionsArb, (options) => {
      counts.options++;
      const family = (options as { family?: string }).family;
      const data = family === "mvgaussian" ? rows2d : family === "bernoulli" ? rows2d.map((r) => r.map((v) => (v > 2 ? 1 : 0))) : values1d;
      outcome(() => fitSync(data as never, options as never), data, (e) => e instanceof CallbackError);
    }), { numRuns: RUNS, seed: SEED });
  });

  it("random data shapes and values, each family", () => {
    fc.assert(fc.property(dataArb, fc.constantFrom("gaussian", "poisson", "binomial", "mvgaussian", "bernoulli"), fc.integer({ min: 1, max: 3 }), (data, family, k) => {
      counts.data++;
      const options = { family, k, maxIter: 20, ...(family === "binomial" ? { trials: 10 } : {}), ...(ArrayBuffer.isView(data) && family !== "gaussian" && family !== "poisson" && family !== "binomial" ? { dims: 2 } : {}) };
      outcome(() => fitSync(data as never, options as never), data);
    }), { numRuns: RUNS, seed: SEED });
  });
});

describe("loadModel: a corpus of malformed model JSON", () => {
  const bases = [
    fitSync(values1d, { k: 2 }), fitSync(values1d, { family: "poisson", k: 2, prior: true }), fitSync(values1d, { family: "binomial", trials: 10, k: 2 }),
    fitSync(rows2d, { family: "mvgaussian", k: 2 }), fitSync(rows2d, { family: "mvgaussian", covariance: "diag", k: 2, prior: true }),
    fitSync(rows2d.map((r) => r.map((v) => (v > 2 ? 1 : 0))), { family: "bernoulli", k: 2 }),
  ].map((m) => JSON.parse(JSON.stringify(m)));
  const probes = [values1d, values1d, values1d, rows2d, rows2d, rows2d.map((r) => r.map((v) => (v > 2 ? 1 : 0)))];

  /** All paths (arrays of keys) in a JSON value. */
  const paths = (v: unknown, prefix: (string | number)[] = []): (string | number)[][] =>
    typeof v === "object" && v !== null ? [prefix, ...Object.entries(v).flatMap(([key, x]) => paths(x, [...prefix, Array.isArray(v) ? Number(key) : key]))] : [prefix];

  const mutation = fc.record({
    base: fc.integer({ min: 0, max: bases.length - 1 }),
    pick: fc.nat(),
    op: fc.constantFrom("delete", "replace", "scale", "negate", "duplicate", "truncate", "extraKey", "nonSpd", "transpose"),
    value: anyValue,
  });

  it("every mutation either loads into a usable model or is rejected with INVALID_MODEL", () => {
    fc.assert(fc.property(mutation, ({ base, pick, op, value }) => {
      counts.models++;
      const json = structuredClone(bases[base]);
      const all = paths(json).filter((p) => p.length > 0);
      const path = all[pick % all.length];
      const parent = path.slice(0, -1).reduce((o: any, key) => o[key], json);
      const key = path.at(-1)!;
      switch (op) {
        case "delete": Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key]; break;
        case "replace": parent[key] = value; break;
        case "scale": if (typeof parent[key] === "number") parent[key] *= 1.5; break;
        case "negate": if (typeof parent[key] === "number") parent[key] = -parent[key]; break;
        case "duplicate": if (Array.isArray(parent[key])) parent[key].push(structuredClone(parent[key][0])); break;
        case "truncate": if (Array.isArray(parent[key])) parent[key].pop(); break;
        case "extraKey": if (typeof parent[key] === "object" && parent[key] !== null && !Array.isArray(parent[key])) parent[key].extra = value; break;
        case "nonSpd": json.components?.[0]?.covariance && (json.components[0].covariance[0][0] = -1); break;
        case "transpose": json.components?.[0]?.covariance && (json.components[0].covariance[0][1] += 1); break;
      }
      let m: MixtureModel;
      try {
        m = loadModel(JSON.parse(JSON.stringify(json)));
      } catch (e) {
        if (!(e instanceof MixemError)) throw new Error(`not a MixemError: ${(e as Error)?.stack ?? String(e)}`);
        expect(e.code).toBe("INVALID_MODEL");
        expect(e.message).toMatch(/^model(\.|\[|:)/);
        counts.rejected++;
        return;
      }
      checkUsable(m, probes[base], m.family === "binomial" ? { trials: 10 } : undefined);
      counts.worked++;
    }), { numRuns: RUNS * 3, seed: SEED });
  });

  it("known-bad models are rejected: non-SPD covariance, extra dimensions, weights not summing to 1", () => {
    const mv = structuredClone(bases[3]);
    const cases: [string, (j: any) => void, RegExp][] = [
      ["non-SPD", (j) => { j.components[0].covariance = [[1, 2], [2, 1]]; }, /^model\.components\[0\]\.covariance: must be positive definite/],
      ["extra dimension in a mean", (j) => { j.components[1].mean.push(0); }, /^model\.components\[1\]\.mean: must have 2 values/],
      ["extra row in a covariance", (j) => { j.components[0].covariance.push([0, 0]); }, /^model\.components\[0\]\.covariance: must have 2 entries/],
      ["weights", (j) => { j.weights = [0.7, 0.7]; }, /^model\.weights: must sum to 1/],
      ["wrong family for the components", (j) => { j.family = "poisson"; }, /^model\.settings\.covariance: is not an option here/],
    ];
    for (const [, mutate, message] of cases) {
      const j = structuredClone(mv);
      mutate(j);
      expect(() => loadModel(j)).toThrow(message);
    }
  });

  it("reports how many cases were tried", () => {
    console.log(`fuzz: ${counts.options} option sets, ${counts.data} data shapes, ${counts.models} model mutations; ${counts.worked} worked, ${counts.rejected} rejected with a MixemError`);
    expect(counts.options + counts.data + counts.models).toBeGreaterThanOrEqual(RUNS * 5);
  });
});
