// Memory and resources: many fits in one process keep WebAssembly memory and RSS flat; a fit that
// throws midway frees what it took; memory growth (a 200 MB data set) invalidates no view.
import { describe, expect, it } from "vitest";
import { fitSync, initSync, type FitOptions } from "../src/index.js";
import { getCore } from "../src/wasm.js";
import { mulberry32, normal } from "./helpers.js";

initSync();
const core = getCore();

describe("10,000 consecutive fits of mixed sizes and families", () => {
  it("leave WebAssembly memory and RSS flat and no region allocated", () => {
    const u = mulberry32(1);
    const make = (i: number): [unknown, FitOptions] => {
      const n = 10 + ((i * 7919) % 1990);
      switch (i % 5) {
        case 0: return [Float64Array.from({ length: n }, () => normal(u) + (u() < 0.5 ? 4 : 0)), { k: 2, maxIter: 5 }];
        case 1: return [Array.from({ length: n }, () => Math.floor(u() * 10)), { family: "poisson", k: 2, maxIter: 5 }];
        case 2: return [Array.from({ length: n }, () => Math.floor(u() * 6)), { family: "binomial", trials: 5, k: 2, maxIter: 5 }];
        case 3: return [Array.from({ length: n }, () => [normal(u), normal(u) + (u() < 0.5 ? 3 : 0)]), { family: "mvgaussian", k: 2, maxIter: 5 }];
        default: return [Array.from({ length: n }, () => [u() < 0.5 ? 1 : 0, u() < 0.3 ? 1 : 0, u() < 0.8 ? 1 : 0]), { family: "bernoulli", k: 2, maxIter: 5 }];
      }
    };
    const run = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const [data, options] = make(i);
        const m = fitSync(data as never, options);
        if (i % 10 === 0) m.predictProba(data as never, options.family === "binomial" ? { trials: 5 } : undefined);
      }
    };
    run(0, 1000); // warm-up: reaches the largest sizes and the heap's steady state
    globalThis.gc?.();
    const memory0 = core.memoryBytes, rss0 = process.memoryUsage().rss;
    run(1000, 10000);
    globalThis.gc?.();
    const memory1 = core.memoryBytes, rss1 = process.memoryUsage().rss;
    console.log(`10,000 fits: WebAssembly memory ${memory0} → ${memory1} bytes, RSS ${(rss0 / 2 ** 20).toFixed(1)} → ${(rss1 / 2 ** 20).toFixed(1)} MiB`);
    expect(core.liveRegions).toBe(0);
    expect(memory1).toBe(memory0);
    expect(rss1 - rss0).toBeLessThan(64 * 2 ** 20);
  }, 120_000);
});

describe("a fit that fails midway", () => {
  it("frees its memory: bad value late in the data, throwing callback, abort, degenerate fit", () => {
    const big = new Float64Array(100_000).map((_, i) => i % 7);
    const bad = big.slice(); bad[99_999] = NaN;
    const cases: (() => unknown)[] = [
      () => fitSync(bad, { k: 2 }),
      () => fitSync(big, { k: 2, onIteration: () => { throw new Error("stop"); } }),
      () => { const c = new AbortController(); return fitSync(big, { k: 2, signal: c.signal, onIteration: () => c.abort() }); },
      () => fitSync([5, 5, 5, 5, 0.3, 1.2, -0.8, 2.1], { k: 2, regCovar: 0, init: { means: [5, 0.5], variances: [1, 1] } }), // DEGENERATE
    ];
    for (const f of cases) {
      expect(f).toThrow();
      expect(core.liveRegions).toBe(0);
    }
  });
});

describe("memory growth", () => {
  it("a 200 MB data set between two small fits: identical small results, old models keep working", () => {
    const small = [0.1, 0.3, 0.2, 5.1, 5.3, 4.9, 0.15, 5.05];
    const before = fitSync(small, { k: 2 });
    const bytesBefore = core.memoryBytes;
    const n = 25_000_000; // 200 MB of f64
    const u = mulberry32(2);
    const big = new Float64Array(n);
    for (let i = 0; i < n; i++) big[i] = (i & 1 ? 3 : 0) + normal(u);
    const large = fitSync(big, { k: 2, maxIter: 2, tol: 0, init: { means: [0, 3], variances: [1, 1] } });
    expect(large.iterations).toBe(2);
    expect(core.memoryBytes).toBeGreaterThan(bytesBefore + 200e6);
    const after = fitSync(small, { k: 2 });
    expect(after.toJSON()).toEqual(before.toJSON());
    expect(before.predictProba(small)).toEqual(after.predictProba(small));
    expect(core.liveRegions).toBe(0);
  }, 120_000);
});

describe("WebAssembly memory of one fit", () => {
  it("a 1-D fit of N = 2·10⁶ (k-means++ start) takes under 1.3× the data's bytes (fresh process)", async () => {
    const { execFileSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const root = fileURLToPath(new URL("..", import.meta.url));
    const script = `
      import { fitSync, initSync, wasmMemoryBytes } from "mixem";
      initSync();
      const n = 2_000_000, x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = (i % 2) * 5 + Math.sin(i);
      fitSync(x, { k: 3, maxIter: 3, tol: 0, nInit: 2 });
      console.log(wasmMemoryBytes() / (n * 8));`;
    const ratio = Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }));
    expect(ratio).toBeGreaterThan(1);
    expect(ratio).toBeLessThan(1.3);
  }, 60_000);
});
