// Fuzzing a hostile caller: option objects built with prototype tricks, getters and Proxies; forged
// statistics; re-entrant calls from callbacks; bad inputs to workers. Every case either works (the
// same answer as a plain call, a usable model) or throws a MixemError naming a path; nothing leaks.
// Cases per target: MIXEM_FUZZ_RUNS (default 300); the hardening work ran each at 10⁴.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { accumulate, fitInWorker, fitSync, initSync, maximize, MixemError, type MixtureModel } from "../src/index.js";
import { getCore } from "../src/wasm.js";

initSync();
const SEED = process.env.MIXEM_FC_SEED === "random" ? undefined : Number(process.env.MIXEM_FC_SEED ?? 20261202);
const RUNS = Number(process.env.MIXEM_FUZZ_RUNS ?? 300);
const PATH = /^(options|data|model|stats|parts|source|n)(\.|\[|:)/;
const values = [0, 1, 2, 3, 5, 8, 9, 10, 1, 2, 7, 8];
const core = getCore();

/** The outcome of f: a model whose numbers are finite, or a MixemError naming a path; no region leaked. */
function settle(f: () => MixtureModel | unknown): "worked" | "rejected" {
  const live = core.liveRegions;
  try {
    const m = f() as MixtureModel;
    expect(core.liveRegions).toBe(live);
    if (m && typeof m === "object" && "components" in m) {
      expect([m.logLikelihood, ...m.weights, ...m.components.flatMap((c) => Object.values(c).flat(2) as number[])].every(Number.isFinite)).toBe(true);
    }
    return "worked";
  } catch (e) {
    expect(core.liveRegions).toBe(live);
    if (!(e instanceof MixemError)) throw new Error(`not a MixemError: ${(e as Error)?.stack ?? String(e)}`);
    expect(e.message).toMatch(PATH);
    return "rejected";
  }
}

const plainOptions = fc.record({
  k: fc.oneof(fc.constantFrom(1, 2, 3), fc.constantFrom(2.5, -1, "2", null)),
  maxIter: fc.constantFrom(1, 5, 20),
  seed: fc.constantFrom(0, 1, 2 ** 32 - 1, -1, 2 ** 40),
  mode: fc.constantFrom("soft", "hard", "firm"),
  prior: fc.constantFrom(undefined, true, { shrinkage: 0.1 }, { scale: -1 }),
}, { requiredKeys: ["k"] });
const wrapping = fc.constantFrom("inherit-all", "inherit-some", "getter-changing", "getter-throwing", "proxy-lying", "proxy-throwing", "null-proto", "frozen", "json-proto", "polluted");

/** The options object, made hostile in one of several ways. */
function hostile(o: Record<string, unknown>, how: string): unknown {
  switch (how) {
    case "inherit-all": return Object.create(o);
    case "inherit-some": { const child = Object.create({ k: 2.5, onIteration: 42 }); Object.assign(child, o); return child; }
    case "getter-changing": {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(o)) { let n = 0; Object.defineProperty(out, key, { enumerable: true, get: () => (n++ === 0 ? v : "changed") }); }
      return out;
    }
    case "getter-throwing": return Object.defineProperty({ ...o }, "maxIter", { enumerable: true, get: () => { throw new Error("getter"); } });
    case "proxy-lying": return new Proxy(o, { get: (t, p) => (p === "k" ? 0.5 : Reflect.get(t, p)) });
    case "proxy-throwing": return new Proxy(o, { ownKeys: () => { throw new Error("trap"); } });
    case "null-proto": return Object.assign(Object.create(null), o);
    case "frozen": return Object.freeze({ ...o });
    case "json-proto": return JSON.parse(JSON.stringify({ ...o, __proto__x: 1 }).replace("__proto__x", "__proto__"));
    default: return { ...o };
  }
}

describe("hostile option objects", () => {
  it("prototype tricks, getters, Proxies: a usable model or a MixemError, never the inherited or changed value", () => {
    const tally = { worked: 0, rejected: 0 };
    fc.assert(fc.property(plainOptions, wrapping, fc.boolean(), (o, how, pollute) => {
      const proto = Object.prototype as Record<string, unknown>;
      if (pollute) proto.onIteration = () => { throw new Error("polluted callback ran"); };
      try {
        tally[settle(() => fitSync(values, hostile(o, how) as never))]++;
      } finally {
        delete proto.onIteration;
      }
    }), { numRuns: RUNS, seed: SEED });
    console.log(`hostile options: ${tally.worked} worked, ${tally.rejected} rejected`);
  });
});

describe("forged statistics", () => {
  const model = fitSync(values, { k: 3, maxIter: 5 });
  const stats = accumulate(model, values);
  const edit = fc.record({
    index: fc.nat(),
    op: fc.constantFrom("scale", "negate", "nan", "huge", "zero", "shift-n", "k", "drop", "extra", "proto"),
    factor: fc.double({ min: -10, max: 10, noNaN: true }),
  });
  it("either an M-step to a usable model or a MixemError", () => {
    const tally = { worked: 0, rejected: 0 };
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      const s: Record<string, unknown> = structuredClone(stats) as never;
      const v = s.values as number[];
      for (const { index, op, factor } of edits) {
        const i = index % v.length;
        if (op === "scale") v[i] *= factor;
        else if (op === "negate") v[i] = -v[i];
        else if (op === "nan") v[i] = NaN;
        else if (op === "huge") v[i] = 1e308;
        else if (op === "zero") v[i] = 0;
        else if (op === "shift-n") s.n = (s.n as number) + Math.round(factor);
        else if (op === "k") s.k = (s.k as number) + 1;
        else if (op === "drop") v.pop();
        else if (op === "extra") v.push(factor);
        else Object.setPrototypeOf(s, { values: [1, 2, 3] });
      }
      tally[settle(() => { const m = maximize(model, s as never); m.predictProba(values); return m; })]++;
    }), { numRuns: RUNS, seed: SEED });
    console.log(`forged statistics: ${tally.worked} worked, ${tally.rejected} rejected`);
  });
});

describe("re-entrant calls", () => {
  const big = new Float64Array(150_000).map((_, i) => (i % 9) + Math.sin(i));
  const inner = [
    () => fitSync(big, { k: 2, maxIter: 1 }),
    () => fitSync(values, { k: 2 }).predictProba(big),
    () => accumulate(fitSync(values, { k: 2 }), big),
    () => { try { fitSync([NaN], { k: 1 }); } catch { /* an inner failure is the inner call's business */ } },
  ];
  it("any mixem call from onIteration leaves the outer fit exactly as without it", () => {
    const plain = fitSync(values, { k: 2, maxIter: 8, tol: 0, fixWeights: true });
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: inner.length }), { minLength: 8, maxLength: 8 }), (calls) => {
      const m = fitSync(values, { k: 2, maxIter: 8, tol: 0, fixWeights: true, onIteration: (info) => { const c = calls[info.iteration - 1]; if (c < inner.length) inner[c](); } });
      expect(m.history).toEqual(plain.history);
      expect(m.components).toEqual(plain.components);
    }), { numRuns: Math.max(10, Math.floor(RUNS / 30)), seed: SEED });
  }, 600_000);
});

describe("worker inputs", () => {
  const bad = fc.oneof(
    fc.constant([1, null, 3]), fc.constant([[1, 2], [3, "4"]]), fc.constant([[1n, 2n]]), fc.constant(new BigInt64Array(3)),
    fc.constant([[1, 2], [3]]), fc.constant({ length: 3 }), fc.constant("1,2"), fc.constant([]),
    fc.array(fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, null, "x", {})), { minLength: 1, maxLength: 6 }),
  );
  const family = fc.constantFrom("gaussian", "poisson", "mvgaussian", "bernoulli");
  it("invalid data is rejected before any worker starts, with fitSync's error", async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === "Worker").length;
    await fc.assert(fc.asyncProperty(bad, family, async (data, fam) => {
      let sync: MixemError | undefined;
      try { fitSync(data as never, { family: fam, k: 1 } as never); } catch (e) { sync = e as MixemError; }
      if (!sync) return; // valid after all (a random array of finite numbers): not this target's business
      expect(sync).toBeInstanceOf(MixemError);
      await expect(fitInWorker(data as never, { family: fam, k: 1 } as never)).rejects.toThrow(sync.message);
    }), { numRuns: Math.max(20, Math.floor(RUNS / 3)), seed: SEED });
    expect(process.getActiveResourcesInfo().filter((r) => r === "Worker").length).toBe(before);
  });
});
