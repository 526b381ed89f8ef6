// Data read straight into WebAssembly memory is fitted where it lies (no copy), k-means++ on large
// data keeps no distance per point, and the CLI's peak memory on a large file stays near the data's.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fitSync, initSync } from "../src/index.js";
import { getCore } from "../src/wasm.js";
import { classMeans, countDistinct, kmeansPlusPlus, nearestSeed, randomDistinct, seedsAround } from "../src/seeding.js";
import { fitThreaded } from "../src/threads.js";
import { loadWorkerSource } from "../src/worker.js";
import { Random } from "../src/random.js";
import { mulberry32, normal } from "./helpers.js";
import { cliWithPeakRss } from "./cli-rss.js";

initSync();
const core = getCore();
const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mixem-in-place-"));

describe("k-means++ without a distance per point", () => {
  it("draws the very seeds the stored distances give (1-D with ties, and 3-D)", () => {
    const u = mulberry32(7);
    for (const [dims, k] of [[1, 2], [1, 8], [3, 5], [2, 12]] as const) {
      const n = 5000;
      const points = Float64Array.from({ length: n * dims }, (_, i) => (i % 7 === 0 ? 3 : Math.round(normal(u) * 4) / 2 + (i % 3)));
      const p = { points, dims };
      const stored = kmeansPlusPlus(p, n, k, new Random(11), null, true);
      const recomputed = kmeansPlusPlus(p, n, k, new Random(11), null, false);
      expect(Array.from(recomputed)).toEqual(Array.from(stored));
    }
  });
});

describe("seed points made a block at a time (Points.rows)", () => {
  it("give every seeding function the results of the whole matrix (several blocks; stored and recomputed distances; weights; labels)", () => {
    const u = mulberry32(17), n = 150_000, dims = 3;
    const points = Float64Array.from({ length: n * dims }, (_, i) => (i % 5 === 0 ? 1 : Math.round(normal(u) * 3) / 2 + (i % 4)));
    const whole = { points, dims };
    let asked = 0;
    const blocks = {
      get points(): Float64Array { throw new Error("the whole matrix was asked for"); },
      dims, count: n,
      rows: (from: number, count: number) => { asked++; return Float64Array.from(points.subarray(from * dims, (from + count) * dims)); },
    };
    const w = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1 + (i % 3)));
    const labels = Float64Array.from({ length: n }, (_, i) => (i % 11 === 0 ? i % 3 : -1));
    for (const k of [2, 5]) {
      for (const keep of [true, false]) {
        expect(Array.from(kmeansPlusPlus(blocks, n, k, new Random(3), w, keep))).toEqual(Array.from(kmeansPlusPlus(whole, n, k, new Random(3), w, keep)));
        expect(Array.from(kmeansPlusPlus(blocks, n, k, new Random(4), null, keep))).toEqual(Array.from(kmeansPlusPlus(whole, n, k, new Random(4), null, keep)));
      }
      expect(Array.from(randomDistinct(blocks, n, k, new Random(5), w))).toEqual(Array.from(randomDistinct(whole, n, k, new Random(5), w)));
      expect(countDistinct(blocks, n, k, w)).toBe(countDistinct(whole, n, k, w));
      const given = classMeans(whole, n, 5, labels, w);
      expect(classMeans(blocks, n, 5, labels, w)).toEqual(given);
      for (const how of ["kmeans++", "random"] as const)
        expect(Array.from(seedsAround(blocks, n, 5, new Random(6), w, { seeds: given.seeds, has: [true, false, true, false, false] }, how)))
          .toEqual(Array.from(seedsAround(whole, n, 5, new Random(6), w, { seeds: given.seeds, has: [true, false, true, false, false] }, how)));
      const seeds = kmeansPlusPlus(whole, n, k, new Random(7));
      const a = new Float64Array(n), b = new Float64Array(n);
      nearestSeed(whole, n, seeds, k, a);
      nearestSeed(blocks, n, seeds, k, b);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
    expect(asked).toBeGreaterThan(10);
  });
});

describe("data lying in WebAssembly memory", () => {
  const u = mulberry32(3);
  const values = Array.from({ length: 20_000 }, (_, i) => (i % 3) * 4 + normal(u));

  it("is fitted where it lies, unchanged, with the bits of a copied fit", () => {
    const mem = core.arena();
    try {
      const region = mem.alloc(values.length + 10);
      region.array.set(values);
      const view = region.array.subarray(0, values.length);
      const regions0 = core.liveRegions;
      expect(mem.borrow(view)?.length).toBe(values.length);
      const inPlace = fitSync(view, { k: 3, seed: 5 });
      const copied = fitSync(Float64Array.from(values), { k: 3, seed: 5 });
      expect(inPlace.logLikelihood).toBe(copied.logLikelihood);
      expect(inPlace.components).toEqual(copied.components);
      expect(Array.from(region.array.subarray(0, values.length))).toEqual(values); // not written
      expect(core.liveRegions).toBe(regions0); // the fit freed its own regions, not the caller's
      // A bad value in place is named as in a copy.
      region.array[17] = NaN;
      expect(() => fitSync(region.array.subarray(0, values.length), { k: 3 })).toThrow(/data\[17\]: is NaN/);
      const rows = region.array.subarray(0, 20_000);
      rows[17] = 1;
      expect(() => fitSync(rows, { family: "poisson", k: 2 })).toThrow(/data\[\d+\]/); // negative or non-integer counts
    } finally {
      mem.free();
    }
  });

  it("is copied when it is not inside a live region", () => {
    const mem = core.arena();
    const region = mem.alloc(100);
    const view = region.array;
    mem.free();
    expect(core.borrow(view)).toBeNull();
    expect(core.borrow(new Float64Array(10))).toBeNull();
    expect(core.borrow([1, 2, 3])).toBeNull();
  });
});

describe("a threaded fit where the calling thread computes the first shard (the CLI's)", () => {
  it("gives fitSync's bits with one worker fewer", async () => {
    const u = mulberry32(12);
    const x = Float64Array.from({ length: 300_000 }, (_, i) => (i % 3) * 4 + normal(u));
    const w = Array.from(x, (_, i) => 1 + (i % 4));
    await loadWorkerSource();
    for (const options of [{ k: 3, maxIter: 15, tol: 0 }, { k: 3, maxIter: 15, tol: 0, sampleWeights: w }]) {
      const alone = fitSync(x, options);
      for (const threads of [2, 3]) {
        const m = await fitThreaded(x, options, threads, true);
        expect(m.logLikelihood).toBe(alone.logLikelihood);
        expect(m.components).toEqual(alone.components);
      }
    }
  }, 60_000);
});

describe("the CLI on a large file", () => {
  it("peaks near the data's size with --threads 1 (parsed into WebAssembly memory, fitted there)", () => {
    const n = 2_000_000, u = mulberry32(9);
    const lines = ["x"];
    for (let i = 0; i < n; i++) lines.push(((i % 3) * 5 + normal(u) * (1 + (i % 3) / 2)).toFixed(4));
    const file = join(dir, "big.csv");
    writeFileSync(file, lines.join("\n") + "\n");
    // Peak RSS of the CLI process (KiB), and its output.
    const run = cliWithPeakRss(dir, root);
    const base = run(["fit", join(root, "examples/faithful.csv"), "--column", "waiting", "-k", "2", "--quiet", "--threads", "1"]);
    const big = run(["fit", file, "-k", "3", "--quiet", "--threads", "1", "--max-iter", "5"]);
    const data = (n * 8) / 1024;
    console.log(`CLI peak RSS: ${(base.kib / 1024).toFixed(0)} MiB on a small file, ${(big.kib / 1024).toFixed(0)} MiB on ${n} rows (${(data / 1024).toFixed(0)} MiB of values)`);
    // Above what the same command takes on a small file: at most 2× the values (one copy of the
    // data plus the reader's blocks); before, the data was held three times (JS array, its
    // WebAssembly copy, k-means++'s distances).
    expect(big.kib - base.kib).toBeLessThan(2 * data);
    expect(big.stdout).toContain("2000000 values");
  }, 180_000);
});
