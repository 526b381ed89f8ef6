// fitInWorker in Node (worker_threads): the same model as the main thread, bit for bit; progress;
// cancellation; errors as MixemErrors; the worker is gone when the fit ends or is cancelled.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { workerSource } from "../src/generated/worker-source.js";
import { fitInWorker, fitSync, initSync, MixemError, type FitOptions } from "../src/index.js";
import { drawLabels, mulberry32, normal } from "./helpers.js";

initSync();
const u = mulberry32(5);
const labels = drawLabels(u, 3000, [0.3, 0.7]);
const x = labels.map((j) => 5 * j + normal(u));
const rows = labels.map((j) => [3 * j + normal(u), normal(u) - 2 * j]);
const workers = () => process.getActiveResourcesInfo().filter((r) => r === "MessagePort" || r === "Worker").length;
const settle = () => new Promise((r) => setTimeout(r, 100));

describe("fitInWorker (Node worker_threads)", () => {
  it("the worker bundle carries no WebAssembly: it is sent the compiled module", () => {
    const wasm = readFileSync(new URL("../build/mixem.wasm", import.meta.url)).toString("base64");
    expect(workerSource.length).toBeGreaterThan(10_000);
    expect(workerSource).not.toContain(wasm.slice(0, 64));
    expect(workerSource).not.toContain(wasm.slice(-64, -4));
  });
  it.each<[string, unknown, FitOptions]>([
    ["gaussian, number[]", x, { k: 2, seed: 9, nInit: 2 }],
    ["gaussian, Float64Array", Float64Array.from(x), { k: 2, seed: 9 }],
    ["mvgaussian rows, prior", rows, { family: "mvgaussian", k: 2, seed: 3, prior: true }],
    ["binomial, per-observation trials", labels.map((j) => 2 + 3 * j), { family: "binomial", k: 2, trials: Int32Array.from(labels, () => 8) }],
  ])("%s: bit-identical to the main thread", async (_name, data, options) => {
    const a = await fitInWorker(data as never, options);
    const b = fitSync(data as never, options);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("reports progress per iteration and leaves no worker behind", async () => {
    await settle();
    const before = workers();
    const seen: number[] = [];
    const m = await fitInWorker(x, { k: 2, maxIter: 12, tol: 0, onProgress: (i) => seen.push(i.iteration) });
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(m.iterations).toBe(12);
    await settle();
    expect(workers()).toBe(before);
  });

  it("an AbortSignal rejects with its reason and terminates the worker", async () => {
    await settle();
    const before = workers();
    const c = new AbortController();
    const big = Float64Array.from({ length: 400_000 }, (_, i) => (i % 5) + Math.sin(i));
    const started = Date.now();
    const p = fitInWorker(big, { k: 5, maxIter: 100_000, tol: 0, signal: c.signal, onProgress: (i) => { if (i.iteration === 2) c.abort(new Error("user cancelled")); } });
    await expect(p).rejects.toThrow("user cancelled");
    expect(Date.now() - started).toBeLessThan(20_000);
    await settle();
    expect(workers()).toBe(before);
    await expect(fitInWorker(x, { k: 2, signal: AbortSignal.abort(new Error("already")) })).rejects.toThrow("already");
  });

  it("bad input comes back as the same MixemError the main thread throws", async () => {
    const e = await fitInWorker([1, 2, NaN], { k: 1 }).catch((err) => err);
    expect(e).toBeInstanceOf(MixemError);
    expect(e.code).toBe("INVALID_DATA");
    expect(e.path).toBe("data[2]");
    expect(e.message).toBe('data[2]: is NaN; every value must be finite (NaN marks a missing value: options.missing "marginalize" fits around it)');
    await expect(fitInWorker(x, { k: 0 })).rejects.toThrow(/^options\.k: must be between 1/);
    await expect(fitInWorker(x, { k: 2, onIteration: () => {} } as never)).rejects.toThrow(/^options\.onIteration: is not available in a worker; use onProgress/);
  });

  it("options behind a Proxy are read as fitSync reads them (postMessage refuses a Proxy); a revoked one is a MixemError naming it", async () => {
    const P = <T extends object>(v: T) => new Proxy(v, {});
    const cases: FitOptions[] = [
      { k: 2, seed: 1, sampleWeights: P(x.map((_, i) => 1 + (i % 4))) },
      { k: 2, seed: 1, labels: P(x.map((_, i) => (i < 10 ? labels[i] : -1))) },
      { k: 2, init: P({ means: P([0, 5]), variances: [1, 1] }) },
      { k: 2, seed: 1, prior: P({ weights: 2 }) },
    ];
    for (const o of cases) expect((await fitInWorker(x, o)).toJSON(), JSON.stringify(Object.keys(o))).toEqual(fitSync(x, o).toJSON());
    for (const key of ["sampleWeights", "init"] as const) {
      const { proxy, revoke } = Proxy.revocable(key === "init" ? { means: [0, 5], variances: [1, 1] } : x.map(() => 1), {});
      revoke();
      const e = await fitInWorker(x, { k: 2, [key]: proxy }).catch((err: unknown) => err);
      expect(e, key).toBeInstanceOf(MixemError);
      expect((e as MixemError).path, key).toBe(`options.${key}`);
    }
  });

  it("a nested value is read once: the worker is sent what was validated (a getter giving another value on each read); a JSON __proto__ key is an option's name", async () => {
    const changing = () => { let reads = 0; return { k: 2, seed: 1, init: { get means() { return ++reads === 1 ? [0, 5] : [100, 200]; }, variances: [1, 1] } }; };
    expect((await fitInWorker(x, changing())).toJSON()).toEqual(fitSync(x, changing()).toJSON());
    const seen = new Set<string>();
    const weights = new Proxy(x.map(() => 1), { get: (t, p, r) => (typeof p === "string" && /^\d+$/.test(p) && seen.has(p) ? Number.NaN : (seen.add(p as string), Reflect.get(t, p, r))) });
    expect((await fitInWorker(x, { k: 2, seed: 1, sampleWeights: weights })).toJSON()).toEqual(fitSync(x, { k: 2, seed: 1, sampleWeights: x.map(() => 1) }).toJSON());
    await expect(fitInWorker(x, JSON.parse('{"k": 2, "__proto__": {"k": 3}}'))).rejects.toThrow(/^options\.__proto__: is not an option here/);
  });
});
