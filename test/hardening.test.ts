// A hostile caller: one test per class of failure found by attacking the API — memory limits and
// failures, re-entrant calls, forged statistics, hostile model JSON, prototype tricks, getters and
// Proxies, workers that must not outlive a failure. Each must end in a MixemError (or the right
// answer), with nothing leaked and nothing else in the process disturbed.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  accumulate, fitInWorker, fitStream, fitSync, initSync, loadModel, maximize, mergeStats, MixemError, selectK,
  type FitOptions, type MixtureModel,
} from "../src/index.js";
import { getCore, MAX_REGION_VALUES } from "../src/wasm.js";
import { drawLabels, mulberry32, normal } from "./helpers.js";

initSync();
const core = getCore();
const root = fileURLToPath(new URL("..", import.meta.url));
const u = mulberry32(11);
const labels = drawLabels(u, 2000, [0.4, 0.6]);
const x = labels.map((j) => 6 * j + normal(u));
const rows = labels.map((j) => [3 * j + normal(u), normal(u) - 2 * j]);

/** Runs f and returns the MixemError it throws (failing the test on anything else). */
function mixemError(f: () => unknown): MixemError {
  try {
    f();
  } catch (e) {
    if (e instanceof MixemError) return e;
    throw new Error(`expected a MixemError, got ${(e as Error)?.stack ?? String(e)}`);
  }
  throw new Error("expected a MixemError, nothing was thrown");
}
async function mixemRejection(p: Promise<unknown>): Promise<MixemError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MixemError) return e;
    throw new Error(`expected a MixemError, got ${(e as Error)?.stack ?? String(e)}`);
  }
  throw new Error("expected a MixemError, the promise resolved");
}
/** A fresh Node process running an ES module that imports the built package as `mixem`. */
function fresh(code: string, timeout = 120_000) {
  const script = `import * as mixem from ${JSON.stringify(`${root}dist/index.js`)};\n${code}`;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout });
}

describe("memory: limits, failures, addresses above 2 GiB", () => {
  it("every allocation of a call failing in turn leaves nothing allocated, and the call then works", async () => {
    const calls: [string, () => unknown][] = [
      ["fitSync 1-D", () => fitSync(x, { k: 2, maxIter: 3 })],
      ["fitSync rows", () => fitSync(rows, { family: "mvgaussian", k: 2, maxIter: 3 })],
      ["binomial per-point trials", () => fitSync(labels.map((j) => 2 + j), { family: "binomial", trials: labels.map(() => 5), k: 2, maxIter: 3 })],
      ["predictProba", () => model.predictProba(x)],
      ["accumulate", () => accumulate(model, x)],
      ["fitStream", () => fitStream(() => [x.slice(0, 900), x.slice(900)], { k: 2, maxIter: 3 })],
    ];
    const model = fitSync(x, { k: 2 });
    const base = core.liveRegions;
    for (const [name, call] of calls) {
      let failures = 0;
      for (let after = 0; ; after++) {
        core.failAllocationAfter(after);
        let failed = false;
        try {
          await call();
        } catch (e) {
          expect(e, name).toBeInstanceOf(MixemError);
          expect((e as MixemError).code, name).toBe("INVALID_DATA");
          failed = true;
          failures++;
        }
        core.failAllocationAfter(null);
        expect(core.liveRegions, `${name}, allocation ${after} failing`).toBe(base);
        if (!failed) break;
      }
      expect(failures, name).toBeGreaterThan(0);
    }
  });

  it("an output larger than one WebAssembly array is a MixemError, and frees the input", () => {
    // A stored model with k = 1024 components: 2^17 points × 1024 responsibilities is past the limit.
    const k = 1024;
    const json = fitSync(x, { k: 2 }).toJSON();
    const big = { ...json, k, weights: Array(k).fill(1 / k), components: Array.from({ length: k }, (_, j) => ({ mean: j, variance: 1 })) };
    const m = loadModel(JSON.parse(JSON.stringify(big)));
    const base = core.liveRegions;
    const e = mixemError(() => m.predictProba(new Float64Array(2 ** 17)));
    expect(e.code).toBe("INVALID_DATA");
    expect(e.message).toMatch(/at most 134216704/);
    expect(core.liveRegions).toBe(base);
    expect(MAX_REGION_VALUES).toBe(2 ** 27 - 1024);
  });

  it("data too large for one array names the limit", () => {
    const e = mixemError(() => fitSync({ length: 2 ** 27, 0: 1 } as never, { k: 1 }));
    expect(e.code).toBe("INVALID_DATA");
  });

  it("addresses at and above 2 GiB: a fit whose data lies there is the same fit (fresh process)", () => {
    const r = fresh(`
      mixem.initSync();
      const x = Float64Array.from({ length: 200000 }, (_, i) => (i % 2) * 5 + Math.sin(i));
      const before = mixemFit();
      function mixemFit() { const m = mixem.fitSync(x, { k: 2, maxIter: 20 }); return [m.logLikelihood, m.predictProba(x.subarray(0, 10))[3]]; }
      // Three nested fits (each inside the previous one's onIteration) keep 3 × 9·10⁷ values — 2.16 GB —
      // in WebAssembly memory at once; the innermost fit's data then lies above 2 GiB.
      let inside;
      const hold = (depth) => mixem.fitSync(new Float64Array(90_000_000).fill(depth), { k: 1, maxIter: 1, init: { means: [1], variances: [1] },
        onIteration: () => { if (depth < 3) hold(depth + 1); else inside = mixemFit(); } });
      hold(1);
      const memory = mixem.wasmMemoryBytes();
      const after = mixemFit();
      console.log(JSON.stringify({ before, inside, after, memory }));
    `, 300_000);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout.trim());
    expect(out.memory).toBeGreaterThan(2 ** 31);
    expect(out.inside).toEqual(out.before);
    expect(out.after).toEqual(out.before);
  }, 300_000);

  it("a binomial fit of 2·10⁷ counts seeds without a JavaScript copy of the data (fresh process)", () => {
    const r = fresh(`
      mixem.initSync();
      const n = 2e7, x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = (i * 2654435761 % 11) % 11;
      const base = process.memoryUsage();
      const t = performance.now();
      const m = mixem.fitSync(x, { family: "binomial", trials: 10, k: 2, maxIter: 1 });
      const used = process.memoryUsage();
      console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000, heap: used.heapUsed - base.heapUsed, wasm: mixem.wasmMemoryBytes(), ll: m.logLikelihood }));
    `);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout.trim());
    console.log(`binomial 2e7: ${out.seconds.toFixed(1)} s, JS heap +${(out.heap / 2 ** 20).toFixed(1)} MiB, WebAssembly ${(out.wasm / 2 ** 20).toFixed(0)} MiB`);
    expect(Number.isFinite(out.ll)).toBe(true);
    expect(out.heap).toBeLessThan(32 * 2 ** 20); // the data is 153 MiB: no JavaScript list of it
    expect(out.wasm).toBeLessThan(2.2 * 8 * 2e7); // counts + their proportions for seeding
  }, 120_000);
});

describe("re-entrant calls", () => {
  it("a fit inside onIteration that grows WebAssembly memory leaves the outer fit exactly as without it", () => {
    const options: FitOptions = { k: 2, fixWeights: true, maxIter: 6, tol: 0 };
    const plain = fitSync(x, options);
    const big = new Float64Array(3_000_000).map((_, i) => (i % 7) + Math.sin(i));
    const memory = core.memoryBytes;
    const nested = fitSync(x, { ...options, onIteration: (info) => { if (info.iteration === 2) fitSync(big, { k: 2, maxIter: 2 }); } });
    expect(core.memoryBytes).toBeGreaterThan(memory); // the inner fit grew the memory mid-fit
    expect(nested.history).toEqual(plain.history);
    expect(nested.components).toEqual(plain.components);
  });
  it("inside selectK's onModel and a stream's source too", async () => {
    const big = new Float64Array(2_000_000).map((_, i) => i % 5);
    const plain = selectK(x, { kRange: [1, 3] });
    const nested = selectK(x, { kRange: [1, 3], onModel: () => { fitSync(big, { k: 2, maxIter: 1 }); } });
    expect(nested.scores.map((e) => e.bic)).toEqual(plain.scores.map((e) => e.bic));
    const chunks = [x.slice(0, 1000), x.slice(1000)];
    const s1 = await fitStream(() => chunks, { k: 2, maxIter: 5, tol: 0 });
    const s2 = await fitStream(function* () { for (const c of chunks) { fitSync(big, { k: 2, maxIter: 1 }); yield c; } }, { k: 2, maxIter: 5, tol: 0 });
    expect(s2.history).toEqual(s1.history);
  });
});

describe("workers never outlive a failure", () => {
  const workers = () => process.getActiveResourcesInfo().filter((r) => r === "MessagePort" || r === "Worker").length;
  const settle = () => new Promise((r) => setTimeout(r, 150));
  it("fake signals, BigInt rows, throwing getters, a throwing onProgress: MixemErrors (or the callback's error), no worker left", async () => {
    const before = workers();
    const throwing = rows.slice(0, 50);
    Object.defineProperty(throwing, 7, { get() { throw new Error("getter"); } });
    const cases: [string, () => Promise<unknown>][] = [
      ["fake signal", () => fitInWorker(x, { k: 2, signal: { aborted: false } as never })],
      ["BigInt64Array rows", () => fitInWorker([new BigInt64Array(2), new BigInt64Array(2)] as never, { family: "mvgaussian", k: 1 })],
      ["throwing getter", () => fitInWorker(throwing, { family: "mvgaussian", k: 2 })],
    ];
    for (const [name, call] of cases) {
      const e = await mixemRejection(call());
      expect(e.message, name).not.toMatch(/undefined/);
    }
    await expect(fitInWorker(x, { k: 2, onProgress: () => { throw new Error("progress"); } })).rejects.toThrow("progress");
    await settle();
    expect(workers()).toBe(before);
  });
  it("rejects what fitSync rejects, with the same error", async () => {
    const bad: [unknown, FitOptions][] = [
      [[[1, 2], [3, null], [5, 6]], { family: "mvgaussian", k: 1 }],
      [[[1, 2], [3, true], [5, 6]], { family: "mvgaussian", k: 1 }],
      [[[1, 2], [3, "8"], [5, 6]], { family: "mvgaussian", k: 1 }],
      [[1, 2, { valueOf: () => 3 }], { k: 1 }],
      [new Proxy([1, 2, 3], { get: (t, p) => (p === "length" ? 3 : Reflect.get(t, p)) }), { k: 1, nInit: 0 }],
    ];
    for (const [data, options] of bad) {
      const sync = mixemError(() => fitSync(data as never, options));
      const worker = await mixemRejection(fitInWorker(data as never, options));
      expect(worker.message).toBe(sync.message);
      expect(worker.code).toBe(sync.code);
    }
  });
});

describe("statistics from elsewhere", () => {
  const model = fitSync(x, { k: 3, maxIter: 5 });
  const stats = accumulate(model, x);
  it("forged but well-formed statistics cannot make an invalid model", () => {
    const forged = { ...stats, values: stats.values.map((v, i) => (i % 3 === 0 ? (i === 0 ? stats.n * 1.01 : -0.005 * stats.n) : v)) };
    expect(mixemError(() => maximize(model, forged)).code).toBe("INVALID_OPTION");
    const inconsistent = { ...stats, n: stats.n + 5 };
    expect(mixemError(() => maximize(model, inconsistent)).message).toMatch(/add up to/);
  });
  it("sums that overflow are an error, not Infinity", () => {
    const huge = { ...stats, logLikelihood: -1e308, values: stats.values.map((v, i) => (i % 3 === 2 ? 1e308 : v)) };
    expect(mixemError(() => mergeStats(huge, huge)).message).toMatch(/overflow/);
  });
  it("fingerprints are SHA-256 of the parameters: models one bit apart differ", () => {
    const json = model.toJSON();
    (json.components[0] as { mean: number }).mean = json.components[0] && (model.components[0] as { mean: number }).mean * (1 + Number.EPSILON);
    const other = loadModel(JSON.parse(JSON.stringify(json)));
    expect(accumulate(other, x).at).not.toBe(stats.at);
    expect(stats.at).toMatch(/^gaussian:3:[0-9a-f]{64}$/);
    expect(() => mergeStats(stats, accumulate(other, x))).toThrow(/another model/);
  });
  it("non-models are MixemErrors", () => {
    expect(mixemError(() => accumulate(null as never, x)).path).toBe("model");
    expect(mixemError(() => maximize({} as never, stats)).path).toBe("model");
    expect(mixemError(() => selectK(x, null as never)).path).toBe("options");
    expect(mixemError(() => selectK(x, { k: 3 } as never)).path).toBe("options.k");
  });
});

describe("hostile model JSON", () => {
  const base = (m: MixtureModel) => JSON.parse(JSON.stringify(m.toJSON()));
  it("parameters that cannot be evaluated are rejected (a variance of 1e-310)", () => {
    const json = base(fitSync(x, { k: 2 }));
    json.components[1].variance = 1e-310;
    expect(mixemError(() => loadModel(json)).code).toBe("INVALID_MODEL");
  });
  it("inconsistent settings: a tied model whose covariances differ, dims on a 1-D family, scale on bernoulli", () => {
    const tied = base(fitSync(rows, { family: "mvgaussian", covariance: "tied", k: 2 }));
    tied.components[1].covariance[0][0] *= 2;
    expect(mixemError(() => loadModel(tied)).path).toBe("model.components[1].covariance");
    const g = base(fitSync(x, { k: 2 }));
    g.settings.dims = 1;
    expect(mixemError(() => loadModel(g)).path).toBe("model.settings.dims");
    const b = base(fitSync(rows.map((r) => r.map((v) => (v > 0 ? 1 : 0))), { family: "bernoulli", k: 2 }));
    b.settings.scale = [1, 1];
    expect(mixemError(() => loadModel(b)).path).toBe("model.settings.scale");
  });
  it("a model keeps deep copies: neither the options nor toJSON() can change it afterwards", () => {
    const prior = { mean: [0, 0] };
    const m = fitSync(rows, { family: "mvgaussian", k: 2, prior });
    prior.mean[0] = 99;
    const json = m.toJSON();
    (json.settings.prior as { mean: number[] }).mean[1] = 42;
    expect((m.settings.prior as { mean: number[] }).mean).toEqual([0, 0]);
  });
});

describe("options are read once, from own properties", () => {
  it("inherited options do not count; a getter is read once; a polluted prototype is not seen", () => {
    expect(mixemError(() => fitSync(x, Object.create({ k: 2.5 }))).path).toBe("options.k");
    let reads = 0;
    const tricky = { get k() { reads++; return reads === 1 ? 2 : 2.5; } };
    expect(fitSync(x, tricky as never).k).toBe(2);
    expect(reads).toBe(1);
    const proto = Object.prototype as Record<string, unknown>;
    let called = 0;
    proto.onIteration = () => { called++; };
    try {
      fitSync(x, { k: 2, maxIter: 3 });
    } finally {
      delete proto.onIteration;
    }
    expect(called).toBe(0);
  });
  it("__proto__, constructor, toString, hasOwnProperty are unknown options; a throwing Proxy is a MixemError", () => {
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const options = JSON.parse(`{"k": 2, ${JSON.stringify(key)}: 1}`);
      expect(mixemError(() => fitSync(x, options)).path).toBe(`options.${key}`);
    }
    const proxy = new Proxy({ k: 2 }, { ownKeys: () => { throw new Error("trap"); } });
    expect(mixemError(() => fitSync(x, proxy)).path).toBe("options");
    const prior = JSON.parse('{"__proto__": {"scale": -1}}');
    expect(mixemError(() => fitSync(x, { k: 2, prior })).path).toBe("options.prior.__proto__");
  });
  it("seeds are integers 0 … 2³² − 1, each starting its own stream", () => {
    expect(mixemError(() => fitSync(x, { k: 2, seed: -1 })).path).toBe("options.seed");
    expect(mixemError(() => fitSync(x, { k: 2, seed: 2 ** 32 })).path).toBe("options.seed");
    const a = fitSync(x, { k: 3, seed: 0, init: "random", maxIter: 1 }), b = fitSync(x, { k: 3, seed: 2 ** 32 - 1, init: "random", maxIter: 1 });
    expect(a.history).not.toEqual(b.history);
  });
  it("rows wider than the family takes are an error, not a crash", () => {
    const wide = [new Float64Array(5000), new Float64Array(5000).fill(1)];
    expect(mixemError(() => fitSync(wide, { family: "mvgaussian", k: 1 })).path).toBe("data[0]");
    expect(mixemError(() => fitSync(x, { k: 2 }).sample(2 ** 28)).path).toBe("n");
  });
});

describe("fitStream's source", () => {
  it("must return an iterable, yield the same data on every pass, and takes no threads", async () => {
    expect((await mixemRejection(fitStream(() => null as never, { k: 2 }))).path).toBe("source");
    expect((await mixemRejection(fitStream(() => 5 as never, { k: 2 }))).path).toBe("source");
    let pass = 0;
    const shrinking = () => (pass++ === 0 ? [x] : [x.slice(0, 100)]);
    expect((await mixemRejection(fitStream(shrinking, { k: 2, maxIter: 3 }))).message).toMatch(/same data/);
    expect((await mixemRejection(fitStream(() => [x], { k: 2, threads: 2 }))).path).toBe("options.threads");
  });
});
