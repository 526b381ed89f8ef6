// fitStream: chunks in, one pass per iteration, memory bounded by the chunk.
import { describe, expect, it } from "vitest";
import { mkdtempSync, openSync, writeSync, closeSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fitStream, fitSync, initSync, loadModel, MixemError, type FitOptions, type MixtureModel } from "../src/index.js";
import { getCore } from "../src/wasm.js";
import { closeness, drawLabels, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const u = mulberry32(23);
const labels = drawLabels(u, 5000, [0.4, 0.6]);
const params = (m: MixtureModel) => [...m.weights, ...m.components.flatMap((c) => Object.values(c).flat(2) as number[])];
const chunks = (data: unknown[], size: number) => () => (function* () { for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size) as number[]; })();

describe("fitStream equals fit on the same data", () => {
  it.each<[string, unknown[], FitOptions]>([
    ["gaussian", labels.map((j) => 5 * j + normal(u)), { k: 2, init: { means: [0, 4], variances: [1, 1] } }],
    ["mvgaussian diag", labels.map((j) => [3 * j + normal(u), normal(u)]), { family: "mvgaussian", covariance: "diag", k: 2, init: { means: [[0, 0], [3, 0]], covariances: [[1, 1], [1, 1]] } }],
    ["poisson, prior", labels.map((j) => poissonDraw(u, j ? 8 : 2)), { family: "poisson", k: 2, init: { lambdas: [1, 9] }, prior: { shape: 2, rate: 1 } }],
  ])("%s: chunks of 333, same explicit start, 30 iterations", async (_name, data, options) => {
    const a = await fitStream(chunks(data, 333), { ...options, maxIter: 30, tol: 0 });
    const b = fitSync(data as never, { ...options, maxIter: 30, tol: 0 });
    expect(a.iterations).toBe(30);
    expect(a.nObservations).toBe(data.length);
    expect(closeness(params(a), params(b), 1e-12, 1e-14)).toBeLessThan(1);
    expect(closeness(a.history, b.history, 1e-12, 0)).toBeLessThan(1);
    // The variance floor's scale comes from chunked moments: the same as fit's two-pass one to rounding.
    const { scale: sa, ...ra } = a.settings, { scale: sb, ...rb } = b.settings;
    expect(ra).toEqual(rb);
    if (sb) expect(closeness(sa!, sb, 1e-12, 0)).toBeLessThan(1);
  });

  it("k-means++ seeds from the first chunk; async sources work; restarts and tol as in fit", async () => {
    const data = labels.map((j) => 5 * j + normal(u));
    async function* gen() { for (let i = 0; i < data.length; i += 1000) { await new Promise((r) => setTimeout(r, 0)); yield Float64Array.from(data.slice(i, i + 1000)); } }
    const m = await fitStream(gen, { k: 2, nInit: 2 });
    expect(m.converged).toBe(true);
    expect(m.components.map((c) => Math.round((c as { mean: number }).mean)).sort()).toEqual([0, 5]);
  });

  it("errors name the chunk; memory is freed; an empty source is an error", async () => {
    const bad = [[1, 2, 3], [4, NaN, 6]];
    await expect(fitStream(() => bad, { k: 1 })).rejects.toThrow(/^chunks\[1\]\[1\]: is NaN/);
    expect(getCore().liveRegions).toBe(0);
    await expect(fitStream(() => [], { k: 1 })).rejects.toThrow(/^source: yielded no chunks/);
    await expect(fitStream([1, 2] as never, { k: 1 })).rejects.toBeInstanceOf(MixemError);
  });
});

describe("data larger than memory", () => {
  it("2·10⁷ values (160 MB) streamed from a file in 8 MB chunks: peak RSS growth stays far below the data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mixem-stream-"));
    const file = join(dir, "values.f64");
    const total = 20_000_000, chunk = 1_000_000;
    const fd = openSync(file, "w");
    const buf = new Float64Array(chunk);
    for (let c = 0; c < total / chunk; c++) {
      for (let i = 0; i < chunk; i++) buf[i] = ((c * chunk + i) % 3) * 4 + normal(u);
      writeSync(fd, new Uint8Array(buf.buffer));
    }
    closeSync(fd);
    globalThis.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const source = async function* () {
      const handle = await open(file, "r");
      try {
        const bytes = new Uint8Array(chunk * 8);
        for (;;) {
          const { bytesRead } = await handle.read(bytes, 0, bytes.length, null);
          if (bytesRead === 0) break;
          peak = Math.max(peak, process.memoryUsage().rss);
          yield new Float64Array(bytes.buffer, 0, bytesRead / 8);
        }
      } finally {
        await handle.close();
      }
    };
    const m = await fitStream(source, { k: 3, maxIter: 3, tol: 0, init: { means: [0, 4, 8], variances: [1, 1, 1] } });
    rmSync(dir, { recursive: true, force: true });
    console.log(`streamed ${total} values (${(total * 8) / 2 ** 20} MiB): peak RSS growth ${((peak - base) / 2 ** 20).toFixed(1)} MiB, WebAssembly memory ${(getCore().memoryBytes / 2 ** 20).toFixed(1)} MiB`);
    expect(m.nObservations).toBe(total);
    expect(m.components.map((c) => Math.round((c as { mean: number }).mean) + 0)).toEqual([0, 4, 8]);
    expect(peak - base).toBeLessThan(64 * 2 ** 20);
    expect(getCore().memoryBytes).toBeLessThan(48 * 2 ** 20);
  }, 180_000);
});

describe("a source that changes its data after the first pass", () => {
  it("NaN on a later pass is an error naming the source (not a collapsed component); Infinity one naming the log-likelihood", async () => {
    const x = Array.from({ length: 300 }, (_, i) => (i % 2) * 6 + Math.sin(i));
    const at = (bad: number) => { let pass = 0; return () => { pass++; return [pass === 3 ? x.map((v, i) => (i === 3 ? bad : v)) : x]; }; };
    await expect(fitStream(at(NaN), { k: 2, seed: 1 })).rejects.toThrow(/^source: yielded a value that is not a finite number after the first pass/);
    await expect(fitStream(at(Infinity), { k: 2, seed: 1 })).rejects.toThrow(MixemError);
  });
});

describe("data settings of a stream's chunks (levels kept from the first chunk)", () => {
  it("categorical: a later chunk with fewer level codes leaves a model that loads again (its levels were null)", async () => {
    const first = [[0, 2], [1, 1], [2, 0], [0, 0], [1, 2], [2, 1]], later = [[0, 1], [1, 0], [0, 0], [1, 1]];
    const m = await fitStream(() => [first, later], { family: "categorical", k: 2, seed: 1, maxIter: 5 });
    expect(m.settings.levels).toEqual([3, 3]);
    const back = loadModel(JSON.parse(JSON.stringify(m)));
    expect(Array.from(back.predict([...first, ...later]))).toEqual(Array.from(m.predict([...first, ...later])));
  });
  it("independent: a categorical column keeps the first chunk's levels (the model loads again)", async () => {
    const columns = [{ family: "categorical" }, { family: "poisson" }] as const;
    const first = [[0, 3], [1, 4], [2, 1], [0, 2]], later = [[1, 5], [0, 0]];
    const m = await fitStream(() => [first, later], { family: "independent", columns: [...columns], k: 2, seed: 1, maxIter: 5 });
    const back = loadModel(JSON.parse(JSON.stringify(m)));
    expect(back.score([...first, ...later])).toBe(m.score([...first, ...later]));
    const cd = m.settings.columnData as Record<string, unknown>[];
    expect(cd[0].levels).toEqual([3]);
  });
});

describe("chunks whose categorical levels differ: errors naming the option and the chunks", () => {
  it("categorical names: a later chunk with a subset of the names, other names, codes after names", async () => {
    const first = [["a", "x"], ["b", "y"], ["c", "x"], ["a", "y"]];
    const err = async (later: unknown[][]) => (await fitStream(() => [first, later] as never, { family: "categorical", k: 2, seed: 1, maxIter: 3 }).catch((e: unknown) => e)) as MixemError;
    const subset = await err([["b", "x"], ["c", "y"]]);
    expect(subset).toBeInstanceOf(MixemError);
    expect(subset.path).toBe("options.levels");
    expect(subset.message).toMatch(/column 0 of chunks\[1\] has levels \["b","c"\]; column 0 of chunks\[0\] has levels \["a","b","c"\]/);
    expect((await err([["d", "x"], ["e", "y"], ["f", "x"]])).path).toBe("options.levels");
    // Codes among the first chunk's names are taken (as for new data); the model loads again.
    const m = await fitStream(() => [first, [[0, 1], [2, 0]]], { family: "categorical", k: 2, seed: 1, maxIter: 3 });
    expect(loadModel(JSON.parse(JSON.stringify(m))).score(first)).toBe(m.score(first));
  });
  it("independent: a categorical column's mismatch names options.columns[a].levels (was options.levels, 'column 0')", async () => {
    const columns = [{ family: "gaussian" }, { family: "categorical" }] as const;
    const first = [[1.5, "p"], [2.5, "q"], [9, "p"], [10, "q"]], later = [[1.1, "q"], [9.5, "q"]];
    const e = (await fitStream(() => [first, later] as never, { family: "independent", columns: [...columns], k: 2, seed: 1, maxIter: 3 }).catch((x: unknown) => x)) as MixemError;
    expect(e).toBeInstanceOf(MixemError);
    expect(e.path).toBe("options.columns[1].levels");
    expect(e.message).toMatch(/chunks\[1\] has levels \["q"\]; chunks\[0\] has levels \["p","q"\]; give options.columns\[1\].levels/);
    // With the levels given, the same chunks fit and the model loads again.
    const given = [{ family: "gaussian" }, { family: "categorical", levels: [["p", "q"]] }];
    const m = await fitStream(() => [first, later], { family: "independent", columns: given, k: 2, seed: 1, maxIter: 3 } as never);
    expect(loadModel(JSON.parse(JSON.stringify(m))).score([...first, ...later] as never)).toBe(m.score([...first, ...later] as never));
  });
});

describe("chunks that cannot be read", () => {
  it("a throwing getter, a throwing ownKeys or has trap: a MixemError naming the chunk", async () => {
    const chunks: unknown[] = [
      { get data() { throw new Error("boom"); } },
      new Proxy({ data: [1, 2, 3] }, { ownKeys() { throw new Error("trap"); } }),
      new Proxy({ data: [1, 2, 3] }, { has() { throw new Error("trap"); } }),
    ];
    for (const chunk of chunks) {
      const e = await fitStream(() => [[1, 2, 3, 4], chunk] as never, { k: 1 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MixemError);
      expect((e as MixemError).path).toBe("chunks[1]");
    }
  });

  const revoked = () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; };
  it("a revoked Proxy as a chunk (array, generator, async generator) or as the source's return: a MixemError naming it", async () => {
    const cases: [() => unknown, string][] = [
      [() => [[1, 2, 3, 4], revoked()], "chunks[1]"],
      [() => (function* () { yield [1, 2, 3, 4]; yield revoked(); })(), "chunks[1]"],
      [() => (async function* () { yield revoked(); })(), "chunks[0]"], // the generator's own await of it throws
      [() => revoked(), "source"],
    ];
    for (const [source, path] of cases) {
      const e = await fitStream(source as never, { k: 1 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MixemError);
      expect((e as MixemError).path).toBe(path);
    }
  });

  it("the source's own error is the cause; a pass that fails closes the source (as for await does)", async () => {
    const own = new Error("connection reset");
    let closed = 0;
    const source = () => (function* () { try { yield [1, 2, 3, 4]; yield [5, 6]; throw own; } finally { closed++; } })();
    const e = await fitStream(source, { k: 1 }).catch((x: unknown) => x);
    expect((e as MixemError).path).toBe("chunks[2]");
    expect((e as Error & { cause?: unknown }).cause).toBe(own);
    // A bad chunk ends the pass early: the generator's finally runs.
    closed = 0;
    const bad = () => (function* () { try { yield [1, 2, 3, 4]; yield [Number.NaN]; yield [7, 8]; } finally { closed++; } })();
    await expect(fitStream(bad, { k: 1 })).rejects.toThrow(/chunks\[1\]/);
    expect(closed).toBe(1);
    // Sync iterables may yield promises of chunks, as for await reads them.
    const m = await fitStream(() => [Promise.resolve([1, 2, 3, 4]), [5, 6]] as never, { k: 1, maxIter: 2 });
    expect(m.nObservations).toBe(6);
    const rejected = await fitStream(() => [[1, 2, 3, 4], Promise.reject(own)] as never, { k: 1 }).catch((x: unknown) => x);
    expect((rejected as MixemError).path).toBe("chunks[1]");
    expect((rejected as Error & { cause?: unknown }).cause).toBe(own);
  });

  it("a source that throws or rejects when called: a MixemError naming source, its error the cause", async () => {
    const own = new Error("no such table");
    for (const source of [() => { throw own; }, () => Promise.reject(own), () => ({ then: (_: unknown, reject: (e: unknown) => void) => reject(own) })]) {
      const e = await fitStream(source as never, { k: 1 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MixemError);
      expect((e as MixemError).path).toBe("source");
      expect((e as Error & { cause?: unknown }).cause).toBe(own);
    }
  });

  it("a chunk's sample weights or labels as a revoked Proxy: a MixemError", async () => {
    for (const part of ["sampleWeights", "labels"]) {
      const e = await fitStream(() => [{ data: [1, 2, 3, 4], [part]: revoked() }] as never, { k: 1 }).catch((x: unknown) => x);
      expect(e, part).toBeInstanceOf(MixemError);
    }
  });

  it("a chunk's bad sample weights or labels are named as that chunk's, not as options", async () => {
    const cases: [unknown, string][] = [
      [{ data: [7, 8, 9], sampleWeights: [1, -1, 2] }, "chunks[1].sampleWeights[1]"],
      [{ data: [7, 8, 9], sampleWeights: [1, 2] }, "chunks[1].sampleWeights"],
      [{ data: [7, 8, 9], labels: [0, 5, 1] }, "chunks[1].labels[1]"],
      [{ data: [7, 8, 9], labels: [0, 1] }, "chunks[1].labels"],
      [{ data: [7, NaN, 9], labels: [0, 1, -1] }, "chunks[1].labels[1]"], // a row with nothing observed, labelled
    ];
    for (const [chunk, path] of cases) {
      const e = await fitStream(() => [[1, 2, 3, 4, 5, 6], chunk] as never, { k: 2, seed: 1, missing: "marginalize" }).catch((x: unknown) => x);
      expect(e, path).toBeInstanceOf(MixemError);
      expect((e as MixemError).path, JSON.stringify(chunk)).toBe(path);
    }
  });

  it("a chunk whose weights are all 0 (others carry weight): the stream without it, bit for bit; every chunk 0: a MixemError naming the source", async () => {
    const a = Array.from({ length: 300 }, (_, i) => (i % 2) * 5 + Math.sin(i)), w = a.map((_, i) => 1 + (i % 3));
    const ref = await fitStream(() => [{ data: a, sampleWeights: w }], { k: 2, seed: 1 });
    const zero = { data: [1, 2, 3], sampleWeights: [0, 0, 0] };
    for (const chunks of [[zero, { data: a, sampleWeights: w }], [{ data: a, sampleWeights: w }, zero]]) {
      const m = await fitStream(() => chunks, { k: 2, seed: 1 });
      expect(m.toJSON().components).toEqual(ref.toJSON().components);
      expect(m.logLikelihood).toBe(ref.logLikelihood);
    }
    const e = await fitStream(() => [zero, zero], { k: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MixemError);
    expect((e as MixemError).path).toBe("source");
    expect((e as MixemError).message).toMatch(/sampleWeights are all 0/);
  });

  it("categorical chunks of a 5,000-level column: seeded from the first chunk's codes (its one-hot rows, 30,000 × 5,004, did not fit in WebAssembly memory)", async () => {
    const u = mulberry32(21), rows = Array.from({ length: 60_000 }, () => [Math.floor(u() * 5000), Math.floor(u() * 4)]);
    const parts = [rows.slice(0, 30_000), rows.slice(30_000)];
    const m = await fitStream(() => parts, { family: "categorical", k: 3, seed: 1, maxIter: 3, levels: [5000, 4] });
    expect(m.iterations).toBe(3);
    expect(Number.isFinite(m.logLikelihood)).toBe(true);
  }, 60_000);
});
