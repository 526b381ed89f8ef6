// Apache Arrow data in (duck-typed: the core imports no Arrow library; apache-arrow is a dev
// dependency for these tests): every API that takes data gives, for a Table, a RecordBatch or a
// Vector, the same result as for the same values as a plain array — bit for bit, since the same
// doubles reach WebAssembly memory. Bad columns, nulls and non-numeric types are named errors.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  Dictionary, Float32, Float64, Int64, Int8, RecordBatchReader, Table, Uint16, makeTable, makeVector, tableFromArrays, tableFromIPC, tableToIPC, vectorFromArray, Bool, Utf8, Int32,
} from "apache-arrow";
import { accumulate, fit, fitInWorker, fitStream, fitSync, initSync, MixemError, plotFit, selectK, selectKAsync, type MixtureModel } from "../src/index.js";
import { getCore } from "../src/wasm.js";
import { readArrow } from "../src/arrow.js";
import { drawLabels, mulberry32, normal } from "./helpers.js";

initSync();
const core = getCore();
const u = mulberry32(41);
const n = 3000;
const labels = drawLabels(u, n, [0.4, 0.6]);
const xs = Float64Array.from(labels, (j) => 4 * j + normal(u));
const ys = Float64Array.from(labels, (j) => -2 * j + 0.5 * normal(u));
const counts = Int32Array.from(labels, (j) => Math.round(3 + 4 * j + normal(u)));
const rows = Array.from(xs, (x, i) => [x, ys[i]]);
const flat = Float64Array.from(rows.flat());
const table = tableFromArrays({ x: xs, y: ys, id: Int32Array.from(xs, (_, i) => i), name: Array.from(xs, (_, i) => `p${i}`) });
/** The same columns in three record batches of uneven sizes (chunked vectors). */
const batched = new Table([0, 1000, 2200, n].slice(1).map((end, b, ends) => {
  const start = b === 0 ? 0 : ends[b - 1];
  return tableFromArrays({ x: xs.slice(start, end), y: ys.slice(start, end) }).batches[0];
}));
const json = (m: MixtureModel) => JSON.stringify(m.toJSON());

describe("fit, fitSync: an Arrow table gives the model of the same values as an array, bit for bit", () => {
  it("gaussian: one Float64 column (named, or the only column), a Vector, a RecordBatch, a chunked table", async () => {
    const o = { k: 2, seed: 3 } as const;
    const ref = json(fitSync(xs, o));
    expect(json(fitSync(table, { ...o, columns: ["x"] }))).toBe(ref);
    expect(json(fitSync(tableFromArrays({ x: xs }), o))).toBe(ref);
    expect(json(fitSync(makeVector(xs), o))).toBe(ref);
    expect(json(fitSync(table.batches[0], { ...o, columns: ["x"] }))).toBe(ref);
    expect(batched.batches.length).toBe(3);
    expect(json(fitSync(batched, { ...o, columns: ["x"] }))).toBe(ref);
    expect(json(await fit(batched, { ...o, columns: ["x"] }))).toBe(ref);
    expect(core.liveRegions).toBe(0);
  });
  it("mvgaussian: columns [x, y] as rows; the order of `columns` is the order of each row's values", () => {
    const o = { family: "mvgaussian", k: 2, covariance: "full", seed: 1 } as const;
    expect(json(fitSync(batched, { ...o, columns: ["x", "y"] }))).toBe(json(fitSync(rows, o)));
    expect(json(fitSync(table, { ...o, columns: ["y", "x"] }))).toBe(json(fitSync(rows.map(([x, y]) => [y, x]), o)));
  });
  it("other numeric types convert: Int32, Int8, Uint16, Int64, Float32, Bool", () => {
    const o = { family: "poisson", k: 2, seed: 2 } as const;
    const ref = json(fitSync(counts, o));
    expect(json(fitSync(makeVector(counts), o))).toBe(ref);
    expect(json(fitSync(vectorFromArray(Array.from(counts), new Int8()), o))).toBe(ref);
    expect(json(fitSync(vectorFromArray(Array.from(counts), new Uint16()), o))).toBe(ref);
    expect(json(fitSync(vectorFromArray(Array.from(counts, BigInt), new Int64()), o))).toBe(ref);
    const f32 = Float32Array.from(xs);
    expect(json(fitSync(makeVector(f32), { k: 2 }))).toBe(json(fitSync(Float64Array.from(f32), { k: 2 })));
    const bits = Array.from(xs, (x, i) => [x > 2 ? 1 : 0, ys[i] > -1 ? 1 : 0, i % 3 === 0 ? 1 : 0]);
    const bools = tableFromArrays({ a: vectorFromArray(bits.map((r) => r[0] === 1), new Bool()), b: vectorFromArray(bits.map((r) => r[1] === 1), new Bool()), c: vectorFromArray(bits.map((r) => r[2] === 1), new Bool()) } as never);
    const ob = { family: "bernoulli", k: 2, seed: 4 } as const;
    expect(json(fitSync(bools, { ...ob, columns: ["a", "b", "c"] }))).toBe(json(fitSync(bits, ob)));
    // A slice of a Bool vector: its bitmap is read from the slice's offset.
    expect(json(fitSync(bools.slice(7, 1007), { ...ob, columns: ["a", "b", "c"] }))).toBe(json(fitSync(bits.slice(7, 1007), ob)));
  });
  it("categorical, mvt, and independent (its `columns` is its own: the table's columns, in order) — fit and predict", () => {
    const a = Int32Array.from({ length: 300 }, (_, i) => (i * 5) % 3), b = Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 2);
    const z = Float64Array.from({ length: 300 }, (_, i) => (i % 5) + 0.5 * (i % 7));
    const t = tableFromArrays({ a, b, z });
    const pairs = Array.from(a, (v, i) => [v, b[i]]), zRows = Array.from(a, (v, i) => [z[i], v]), all = Array.from(a, (v, i) => [v, b[i], z[i]]);
    expect(json(fitSync(t, { family: "categorical", k: 2, columns: ["a", "b"] }))).toBe(json(fitSync(pairs, { family: "categorical", k: 2 })));
    expect(json(fitSync(t, { family: "mvt", k: 2, columns: ["z", "a"] }))).toBe(json(fitSync(zRows, { family: "mvt", k: 2 })));
    const columns = [{ family: "categorical" }, { family: "poisson" }, { family: "gaussian" }] as const;
    const m = fitSync(t, { family: "independent", k: 2, columns: [...columns] });
    expect(json(m)).toBe(json(fitSync(all, { family: "independent", k: 2, columns: [...columns] })));
    expect(Array.from(m.predict(t))).toEqual(Array.from(m.predict(all)));
  });
  it("a sliced table (chunk offsets) and threads: the same model", async () => {
    const sliced = batched.slice(500, 2700);
    expect(json(fitSync(sliced, { k: 2, columns: ["y"] }))).toBe(json(fitSync(ys.slice(500, 2700), { k: 2 })));
    const big = Float64Array.from({ length: 40_000 }, (_, i) => (i % 2) * 5 + normal(u));
    const t = tableFromArrays({ v: big });
    expect(json(await fit(t, { k: 2, threads: 2, maxIter: 20 }))).toBe(json(await fit(big, { k: 2, threads: 2, maxIter: 20 })));
  });
  it("the table is only read: its values are unchanged", () => {
    const before = Float64Array.from(batched.getChild("x")!.toArray() as Float64Array);
    fitSync(batched, { k: 2, columns: ["x"] });
    expect(Array.from(batched.getChild("x")!.toArray() as Float64Array)).toEqual(Array.from(before));
  });
});

describe("the model's methods, accumulate, selectK, fitInWorker take Arrow data", () => {
  const mv = fitSync(rows, { family: "mvgaussian", k: 2, seed: 1 });
  const cols = { columns: ["x", "y"] } as const;
  it("predict, predictProba, score, logLikelihoodOf, bic, aic, uncertainty, scoreSamples, accumulate", () => {
    expect(Array.from(mv.predict(batched, cols))).toEqual(Array.from(mv.predict(rows)));
    expect(Array.from(mv.predictProba(table, cols))).toEqual(Array.from(mv.predictProba(rows)));
    expect(mv.score(batched, cols)).toBe(mv.score(rows));
    expect(mv.logLikelihoodOf(batched, cols)).toBe(mv.logLikelihoodOf(rows));
    expect(mv.bic(batched, cols)).toBe(mv.bic(rows));
    expect(mv.aic(batched, cols)).toBe(mv.aic(rows));
    expect(Array.from(mv.uncertainty(batched, cols))).toEqual(Array.from(mv.uncertainty(rows)));
    expect(Array.from(mv.scoreSamples(batched, cols))).toEqual(Array.from(mv.scoreSamples(rows)));
    expect(accumulate(mv, batched, cols)).toEqual(accumulate(mv, rows));
    expect(() => mv.predict(table, { columns: ["x"] })).toThrow(/options\.columns: names 1 columns; the model has 2 dimensions/);
  });
  it("selectK and selectKAsync (mclust's hc start on a subset of rows read from the table)", async () => {
    const o = { family: "mvgaussian" as const, kRange: [1, 3] as [number, number], covariance: ["VVV" as const, "EII" as const], hcSubset: 500 };
    const a = selectK(batched, { ...o, columns: ["x", "y"] }), b = selectK(rows, o);
    expect(a.scores.map((e) => e.bic)).toEqual(b.scores.map((e) => e.bic));
    expect(json(a.best)).toBe(json(b.best));
    const c = await selectKAsync(batched, { family: "gaussian", kRange: [1, 3], columns: ["x"], threads: 2 });
    const d = selectK(xs, { family: "gaussian", kRange: [1, 3] });
    expect(c.scores.map((e) => e.bic)).toEqual(d.scores.map((e) => e.bic));
  });
  it("fitInWorker", async () => {
    const o = { family: "mvgaussian", k: 2, seed: 5 } as const;
    expect(json(await fitInWorker(batched, { ...o, columns: ["x", "y"] }))).toBe(json(fitSync(rows, o)));
  });
});

describe("text columns (Dictionary vectors of strings) as categorical columns", () => {
  const m = 1200;
  const smoker = Array.from({ length: m }, (_, i) => ((i * 7) % 3 === 0 ? "yes" : "no"));
  const region = Array.from({ length: m }, (_, i) => ["ne", "sw", "nw", "se"][(i * 5 + (i >> 3)) % 4]);
  const age = Int32Array.from({ length: m }, (_, i) => (i * 11) % 5);
  const dict = (v: (string | null)[]) => vectorFromArray(v, new Dictionary(new Utf8(), new Int32()));
  const t = tableFromArrays({ smoker: dict(smoker), region: dict(region), age, z: Float64Array.from(age, (a, i) => a + (i % 7) / 7) } as never);
  const strings = smoker.map((s, i) => [s, region[i]]);
  const o = { family: "categorical", k: 3, seed: 1 } as const;
  it("fit equals the fit of rows of strings (levels sorted), bit for bit; the model keeps the level names; predict on rows of strings and on the table", async () => {
    const a = fitSync(t, { ...o, columns: ["smoker", "region"] }), b = fitSync(strings, o);
    expect(json(a)).toBe(json(b));
    expect(a.settings.levels).toEqual([["no", "yes"], ["ne", "nw", "se", "sw"]]);
    expect(Array.from(a.predict(strings))).toEqual(Array.from(b.predict(strings)));
    expect(Array.from(a.predict(t, { columns: ["smoker", "region"] } as never))).toEqual(Array.from(b.predict(strings)));
    expect(json(await fit(t, { ...o, columns: ["smoker", "region"] }))).toBe(json(b));
    expect(json(await fit(t, { ...o, threads: 2, columns: ["smoker", "region"] }))).toBe(json(await fit(strings, { ...o, threads: 2 })));
    expect(json(await fitInWorker(t, { ...o, columns: ["smoker", "region"] }))).toBe(json(b));
    const so = { family: "categorical", kRange: [1, 3] as [number, number], seed: 1 } as const;
    expect(json((await selectKAsync(t, { ...so, threads: 2, columns: ["smoker", "region"] })).best)).toBe(json((await selectKAsync(strings, { ...so, threads: 2 })).best));
    // init "hc" on a subset: the subset's rows as strings.
    const hc = { ...o, init: "hc", hcSubset: 100 } as const;
    expect(json(fitSync(t, { ...hc, columns: ["smoker", "region"] }))).toBe(json(fitSync(strings, hc)));
    // Beside a column of codes; given levels (an unused one too).
    expect(json(fitSync(t, { ...o, columns: ["region", "age"] }))).toBe(json(fitSync(strings.map(([, r], i) => [r, age[i]]), o)));
    const levels = [["no", "yes"], ["ne", "nw", "se", "sw", "zz"]];
    expect(json(fitSync(t, { ...o, levels, columns: ["smoker", "region"] }))).toBe(json(fitSync(strings, { ...o, levels })));
    expect(core.liveRegions).toBe(0);
  });
  it("chunks with different dictionaries map to the same sorted levels; a dictionary's unused entries are no levels", () => {
    const cut = 500, sw = region.slice(0, cut).map((r) => (r === "se" ? "nw" : r)); // "se" only in the second chunk
    const two = new Table({ smoker: dict(smoker.slice(0, cut)).concat(dict(smoker.slice(cut).reverse())), region: dict(sw).concat(dict(region.slice(cut).reverse())) } as never);
    const col = two.getChild("region")!;
    expect(col.data.map((c) => c.dictionary!.toArray())).toEqual([["ne", "sw", "nw"], ["ne", "se", "nw", "sw"]]);
    const rows2 = [...strings.slice(0, cut).map(([s], i) => [s, sw[i]]), ...strings.slice(cut).reverse()];
    expect(json(fitSync(two, { ...o, columns: ["smoker", "region"] }))).toBe(json(fitSync(rows2, o)));
    const part = t.slice(0, 40); // rows 0…39 use every region; a slice keeps the whole dictionary
    const few = t.slice(3, 6);
    expect(json(fitSync(part, { ...o, k: 2, columns: ["smoker", "region"] }))).toBe(json(fitSync(strings.slice(0, 40), { ...o, k: 2 })));
    expect(fitSync(few, { ...o, k: 1, columns: ["region"] }).settings.levels).toEqual([[...new Set(region.slice(3, 6))].sort()]);
  });
  it("fitStream over record batches, with options.levels (as for chunks of rows of strings)", async () => {
    const levels = [["no", "yes"], ["ne", "nw", "se", "sw"]];
    const batches = [0, 400, 900, m].slice(1).map((end, b, ends) => t.slice(b ? ends[b - 1] : 0, end));
    const a = await fitStream(() => batches, { ...o, levels, columns: ["smoker", "region"] } as never);
    const b = await fitStream(() => [strings.slice(0, 400), strings.slice(400, 900), strings.slice(900)], { ...o, levels } as never);
    expect(json(a)).toBe(json(b));
  });
  it("independent: a dictionary column as a categorical column, beside others; predict on the table and on rows", () => {
    const ti = tableFromArrays({ region: dict(region), z: Float64Array.from(age, (a, i) => a + (i % 7) / 7) } as never);
    const oi = { family: "independent", k: 2, seed: 2, columns: [{ family: "categorical" }, { family: "gaussian" }] } as const;
    const rowsI = region.map((r, i) => [r, Number(ti.getChild("z")!.get(i))]);
    const a = fitSync(ti, oi), b = fitSync(rowsI, oi);
    expect(json(a)).toBe(json(b));
    expect(Array.from(a.predict(ti))).toEqual(Array.from(b.predict(rowsI)));
    expect(Array.from(a.predict(rowsI))).toEqual(Array.from(b.predict(rowsI)));
    expect(() => fitSync(ti, { ...oi, columns: [{ family: "poisson" }, { family: "gaussian" }] })).toThrow(/column "region" is of Arrow type Dictionary<Int32, Utf8>, not numbers \(encoded values\)/);
  });
  it("errors: a null names its row and column; a level not in options.levels; a count of levels; a numeric family", () => {
    const withNull = tableFromArrays({ r: dict(["a", "b", null, "a"]) } as never);
    expect(() => fitSync(withNull, { ...o, k: 1 })).toThrow(/data: row 2, column "r" is null/);
    expect(() => fitSync(withNull, { ...o, k: 1, missing: "marginalize" } as never)).toThrow(/options\.missing: "marginalize" is not available for this family/);
    expect(() => fitSync(t, { ...o, levels: [["no", "yes"], ["ne", "nw"]], columns: ["smoker", "region"] })).toThrow(/column "region" holds "s[ew]", not one of its levels \(ne, nw\)/);
    const model = fitSync(strings, o), other = tableFromArrays({ s: dict(["yes", "maybe"]), r: dict(["ne", "sw"]) } as never);
    expect(() => model.predict(other, { columns: ["s", "r"] } as never)).toThrow(/column "s" holds "maybe", not one of its levels \(no, yes\)/);
    expect(Array.from(fitSync(makeVector(dict(smoker).data[0]) as never, { ...o, k: 2 }).predict([["yes"]]))).toHaveLength(1);
    expect(() => fitSync(t, { ...o, levels: 4, columns: ["smoker", "region"] })).toThrow(/options\.levels: is a count of levels; Arrow column "smoker" holds strings/);
    expect(() => fitSync(t, { ...o, levels: [["no", "yes"]], columns: ["smoker", "region"] })).toThrow(/options\.levels: has 1 entries; the data has 2 columns/);
    expect(() => fitSync(t, { k: 2, columns: ["smoker"] })).toThrow(/column "smoker" is of Arrow type Dictionary<Int32, Utf8>, not numbers/);
    // Arrow-shaped data whose dictionary throws, or holds numbers: MixemErrors naming the column.
    const type = { typeId: -1, indices: { typeId: 2, bitWidth: 32 } };
    const shaped = (get: (j: number) => unknown) => {
      const chunk = { type, length: 3, offset: 0, nullCount: 0, values: Int32Array.from([0, 1, 0]), dictionary: { get } };
      return { numRows: 3, schema: { fields: [{ name: "c" }] }, getChild: () => ({ type, length: 3, data: [chunk] }) };
    };
    expect(() => fitSync(shaped(() => { throw new Error("boom"); }) as never, { ...o, k: 1 })).toThrow(/data: cannot be read as Arrow data \(boom\)/);
    expect(() => fitSync(shaped((j) => j * 2) as never, { ...o, k: 1 })).toThrow(/column "c" holds 0, not a string/);
    expect(core.liveRegions).toBe(0);
  });
});

describe("fitStream: Arrow record batches as chunks", () => {
  const o = { k: 2, init: { means: [0, 4], variances: [1, 1] }, maxIter: 25, tol: 0 };
  const ipc = tableToIPC(batched, "stream");
  it("a RecordBatchReader over an IPC stream, read again each pass, equals the same chunks as arrays", async () => {
    const ends = [1000, 2200, n];
    const arrays = () => ends.map((end, b) => xs.slice(b === 0 ? 0 : ends[b - 1], end));
    const a = await fitStream(() => RecordBatchReader.from(ipc), { ...o, columns: ["x"] });
    const b = await fitStream(arrays, o);
    expect(json(a)).toBe(json(b));
    // An async iterable (a reader on a Node stream of the bytes), and a table (its batches).
    const { Readable } = await import("node:stream");
    const c = await fitStream(() => RecordBatchReader.from(Readable.from([ipc])), { ...o, columns: ["x"] });
    expect(json(c)).toBe(json(b));
    expect(json(await fitStream(() => batched, { ...o, columns: ["x"] }))).toBe(json(b));
    expect(json(await fitStream(() => tableFromIPC(ipc).batches, { ...o, columns: ["x"] }))).toBe(json(b));
  });
});

describe("bad Arrow data: errors that name the column, the row, the type", () => {
  const expectError = (f: () => unknown, code: string, message: RegExp) => {
    let error: unknown;
    try { f(); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(MixemError);
    expect((error as MixemError).code).toBe(code);
    expect((error as MixemError).message).toMatch(message);
    expect(core.liveRegions).toBe(0);
  };
  it("a column that is not in the table lists the table's columns", () => {
    expectError(() => fitSync(table, { k: 2, columns: ["z"] }), "INVALID_OPTION", /options\.columns\[0\]: "z" is not a column of the Arrow table \(its columns: x, y, id, name\)/);
  });
  it("no columns named for a table of several lists them", () => {
    expectError(() => fitSync(table, { k: 2 }), "INVALID_OPTION", /options\.columns: is required: the Arrow table has 4 columns \(its columns: x, y, id, name\)/);
  });
  it("a non-numeric column names its type", () => {
    const strings = makeTable({ s: vectorFromArray(["a", "b", "c"], new Utf8()) as never });
    expectError(() => fitSync(strings, { k: 2 }), "INVALID_DATA", /column "s" is of Arrow type Utf8, not numbers/);
    expectError(() => fitSync(table, { k: 2, columns: ["name"] }), "INVALID_DATA", /column "name" is of Arrow type Dictionary<Int32, Utf8>, not numbers \(encoded values\)/);
    const dict = tableFromArrays({ c: ["a", "b", "a", "c"] });
    expectError(() => fitSync(dict, { k: 2 }), "INVALID_DATA", /column "c" is of Arrow type Dictionary.*not numbers/);
  });
  it("a null names its row and column (0-based row)", () => {
    const v = vectorFromArray([1.5, 2, null, 4, 5, 6], new Float64());
    const t = makeTable({ a: makeVector(Float64Array.from([1, 2, 3, 4, 5, 6])) as never }).assign(new Table({ b: v }));
    expectError(() => fitSync(t, { k: 2, columns: ["b"] }), "INVALID_DATA", /data: row 2, column "b" is null/);
    expectError(() => fitSync(vectorFromArray([3, 1, 4, null, 5, 9, 2, 6], new Int32()), { family: "poisson", k: 2 }), "INVALID_DATA", /row 3, column "0" is null/);
  });
  it("NaN and Infinity in a float column name row and column", () => {
    expectError(() => fitSync(tableFromArrays({ a: Float64Array.from([1, 2, 3, NaN, 5]) }), { k: 2 }), "INVALID_DATA", /row 3, column "a" is NaN/);
    expectError(() => fitSync(tableFromArrays({ a: Float32Array.from([1, 2, Infinity, 4, 5]), b: Float64Array.from([1, 2, 3, 4, 5]) }), { family: "mvgaussian", k: 1, columns: ["b", "a"] }), "INVALID_DATA", /row 2, column "a" is Infinity/);
  });
  it("the family's own checks still apply (poisson: counts), and shapes: several columns for a 1-D family; columns without a table", () => {
    expectError(() => fitSync(tableFromArrays({ a: Float64Array.from([1, 2.5, 3]) }), { family: "poisson", k: 1 }), "INVALID_DATA", /not a valid count/);
    expectError(() => fitSync(table, { k: 2, columns: ["x", "y"] }), "INVALID_OPTION", /options\.columns: names 2 columns; this family fits one value per point/);
    expectError(() => fitSync(xs, { k: 2, columns: ["x"] }), "INVALID_OPTION", /options\.columns: names the columns of an Arrow table; the data is not one/);
    expectError(() => fitSync(table, { k: 2, columns: ["x", "x"] }), "INVALID_OPTION", /options\.columns\[1\]: names column "x" twice/);
    expectError(() => fitSync(table, { k: 2, columns: "x" as never }), "INVALID_OPTION", /options\.columns: must be a non-empty array of column names/);
    expectError(() => fitSync(makeVector(xs), { k: 2, columns: ["x"] }), "INVALID_OPTION", /the data is a single Arrow vector/);
  });
  it("a 64-bit integer beyond 2^53 is an error, not a rounded count", () => {
    expectError(() => fitSync(vectorFromArray([1n, 2n, 2n ** 60n], new Int64()), { family: "poisson", k: 1 }), "INVALID_DATA", /beyond 2\^53/);
  });
});

describe("nulls as missing values (missing: \"marginalize\")", () => {
  it("readArrow reads a null as NaN when asked, and NaN passes; Infinity still does not", () => {
    const mem = core.arena();
    try {
      const t = makeTable({ a: vectorFromArray([1, null, 3], new Float64()) as never, b: vectorFromArray([4, 5, null], new Int32()) as never });
      const { region, n, dims } = readArrow(mem, t, ["b", "a"], false, true, "data");
      expect([n, dims]).toEqual([3, 2]);
      expect(Array.from(region.array)).toEqual([4, 1, 5, NaN, NaN, 3]);
      expect(() => readArrow(mem, t, ["a"], false, false, "data")).toThrow(/row 1, column "a" is null/);
      expect(() => readArrow(mem, makeVector(Float64Array.from([1, Infinity])), undefined, false, true, "data")).toThrow(/row 1, column "0" is Infinity/);
    } finally {
      mem.free();
    }
  });
});

describe("memory: the data once in WebAssembly memory", () => {
  it("a 10⁶-row, 2-column Float64 table: WebAssembly memory ≤ 8·n·d bytes + 4 MiB (a fresh process)", () => {
    const script = fileURLToPath(new URL("../scripts/arrow-memory.mjs", import.meta.url));
    const out = execFileSync(process.execPath, [script, "1000000", "2"], { encoding: "utf8" });
    const r = JSON.parse(out);
    console.log(`arrow memory (10⁶ × 2): ${JSON.stringify(r)}`);
    expect(r.same).toBe(true);
    expect(r.wasmBytes).toBeLessThanOrEqual(8 * 1e6 * 2 + 4 * 2 ** 20);
  }, 60_000);
});

// For typecheck: apache-arrow's classes are ModelData.
void (() => { const f = (t: Table, v: ReturnType<typeof makeVector>) => { fitSync(t, { k: 2 }); fitSync(v, { k: 2 }); fitSync(t.batches[0], { k: 2 }); }; return f; });
void Float32;

describe("plotFit takes Arrow data", () => {
  it("draws the chosen columns as it draws the same values in an array; columns with plain data is an error", () => {
    const m = fitSync(flat, { family: "mvgaussian", dims: 2, k: 2, seed: 1 });
    expect(plotFit(m, table, { columns: ["x", "y"] })).toBe(plotFit(m, flat));
    expect(plotFit(m, batched)).toBe(plotFit(m, flat)); // every column (x, y), over record batches
    const g = fitSync(xs, { k: 2, seed: 1 });
    expect(plotFit(g, tableFromArrays({ x: xs }).getChild("x")!)).toBe(plotFit(g, xs)); // a Vector
    expect(() => plotFit(m, table, { columns: ["x", "nope"] })).toThrow(/options\.columns\[1\]: "nope" is not a column/);
    expect(() => plotFit(m, flat, { columns: ["x", "y"] })).toThrow(/options\.columns: names columns of an Arrow table/);
  });
});

describe("plotFit on tables with text columns (Dictionary vectors of strings)", () => {
  const m = 600;
  const smoker = Array.from({ length: m }, (_, i) => ((i * 7) % 3 === 0 ? "yes" : "no"));
  const region = Array.from({ length: m }, (_, i) => ["ne", "sw", "nw", "se"][(i * 5 + (i >> 3)) % 4]);
  const z = Array.from({ length: m }, (_, i) => (i % 7) / 7 + (i % 2) * 3);
  const dict = (v: string[]) => vectorFromArray(v, new Dictionary(new Utf8(), new Int32()));
  it("categorical (a heat map) and independent (a panel a column): the picture of the rows of strings, strings read through the model's levels", () => {
    const t = tableFromArrays({ smoker: dict(smoker), region: dict(region), z: Float64Array.from(z) } as never);
    const strings = smoker.map((s, i) => [s, region[i]]);
    const a = fitSync(strings, { family: "categorical", k: 2, seed: 1 });
    expect(plotFit(a, t, { columns: ["smoker", "region"] })).toBe(plotFit(a, strings));
    // Batches with their own dictionaries (one lacks "se"), and a model with a level no row uses: its codes, not the batch's.
    const cut = 250, two = new Table({ smoker: dict(smoker.slice(0, cut)).concat(dict(smoker.slice(cut))), region: dict(region.slice(0, cut).map((r) => (r === "se" ? "ne" : r))).concat(dict(region.slice(cut))) } as never);
    const rows2 = strings.map(([s, r], i) => [s, i < cut && r === "se" ? "ne" : r]);
    const wide = fitSync(strings, { family: "categorical", k: 2, seed: 1, levels: [["maybe", "no", "yes"], ["ne", "nw", "se", "sw"]] });
    expect(plotFit(wide, two)).toBe(plotFit(wide, rows2));
    const oi = { family: "independent", k: 2, seed: 1, columns: [{ family: "categorical" }, { family: "gaussian" }] } as const;
    const mixed = region.map((r, i) => [r, z[i]]);
    const b = fitSync(mixed, oi);
    expect(plotFit(b, t, { columns: ["region", "z"] })).toBe(plotFit(b, mixed));
    expect(plotFit(b, tableFromArrays({ region: dict(region), z: Float64Array.from(z) } as never))).toBe(plotFit(b, mixed));
    // A string the model has no level for: named; a model of codes given strings: named.
    expect(() => plotFit(a, tableFromArrays({ s: dict(["yes", "maybe"]), r: dict(["ne", "sw"]) } as never))).toThrow(/column "s" holds "maybe", not one of its levels \(no, yes\)/);
    const codes = fitSync(strings.map(([s, r]) => [s === "yes" ? 1 : 0, ["ne", "nw", "se", "sw"].indexOf(r)]), { family: "categorical", k: 2, seed: 1 });
    expect(() => plotFit(codes, t, { columns: ["smoker", "region"] })).toThrow(/options\.levels: is a count of levels; Arrow column "smoker" holds strings/);
  });
  it("a model fitted around missing values: a null is a missing value (its row left out), as NaN in an array", () => {
    const withNaN = Float64Array.from(flat, (v, i) => (i % 37 === 5 ? NaN : v));
    const col = (a: number) => vectorFromArray(Array.from({ length: n }, (_, i) => (Number.isNaN(withNaN[2 * i + a]) ? null : withNaN[2 * i + a])), new Float64());
    const mm = fitSync(withNaN, { family: "mvgaussian", dims: 2, k: 2, seed: 2, missing: "marginalize" });
    expect(plotFit(mm, tableFromArrays({ x: col(0), y: col(1) } as never))).toBe(plotFit(mm, withNaN));
  });
});

describe("nulls with missing: \"marginalize\"", () => {
  it("a null is a missing value: the fit equals that of the array with NaN, bit for bit", () => {
    const withNaN = Float64Array.from(flat, (v, i) => (i % 37 === 5 ? NaN : v));
    const xcol = Array.from({ length: n }, (_, i) => (Number.isNaN(withNaN[2 * i]) ? null : withNaN[2 * i]));
    const ycol = Array.from({ length: n }, (_, i) => (Number.isNaN(withNaN[2 * i + 1]) ? null : withNaN[2 * i + 1]));
    const t = tableFromArrays({ x: vectorFromArray(xcol, new Float64()), y: vectorFromArray(ycol, new Float64()) } as never);
    const o = { family: "mvgaussian", k: 2, seed: 2, missing: "marginalize" } as const;
    const a = fitSync(t, { ...o, columns: ["x", "y"] });
    const b = fitSync(withNaN, { ...o, dims: 2 });
    expect(a.nMissing).toBeGreaterThan(0);
    expect(a.nMissing).toBe(b.nMissing);
    expect(JSON.stringify(a.components)).toBe(JSON.stringify(b.components));
    expect(a.logLikelihood).toBe(b.logLikelihood);
    expect(() => fitSync(t, { family: "mvgaussian", k: 2, columns: ["x", "y"] })).toThrow(/null/);
  });
});

describe("decimal columns convert", () => {
  it("Decimal128 and Decimal256 (scale 2, negative values too) read as the doubles they denote", async () => {
    const { Decimal, makeData } = await import("apache-arrow");
    const cents = Int32Array.from(xs, (v) => Math.round(v * 100)); // the values to 2 decimals
    const decimal = (bitWidth: 128 | 256) => {
      const width = bitWidth / 32, words = new Uint32Array(n * width);
      cents.forEach((c, i) => { words[i * width] = c >>> 0; for (let w = 1; w < width; w++) words[i * width + w] = c < 0 ? 0xffffffff : 0; });
      return makeVector(makeData({ type: new Decimal(2, 12, bitWidth), length: n, data: words } as never));
    };
    const plain = Float64Array.from(cents, (c) => c / 100);
    const ref = fitSync(plain, { k: 2, seed: 4 });
    for (const bits of [128, 256] as const) {
      const m = fitSync(decimal(bits) as never, { k: 2, seed: 4 });
      expect(m.logLikelihood).toBe(ref.logLikelihood);
      expect(m.components).toEqual(ref.components);
    }
  });
});

describe("impute takes Arrow data", () => {
  it("the chosen columns, a null as a missing value: as the rows with NaN", () => {
    const xcol = Array.from(xs, (v, i) => (i % 11 === 3 ? null : v)), ycol = Array.from(ys, (v, i) => (i % 13 === 4 ? null : v));
    const t = tableFromArrays({ x: vectorFromArray(xcol, new Float64()), y: vectorFromArray(ycol, new Float64()), id: Int32Array.from(xs, (_, i) => i) } as never);
    const withNaN = xcol.map((v, i) => [v ?? NaN, ycol[i] ?? NaN]);
    const m = fitSync(withNaN, { family: "mvgaussian", k: 2, seed: 3, missing: "marginalize" });
    expect(m.impute(t, { columns: ["x", "y"] })).toEqual(m.impute(withNaN));
    expect(() => m.impute(withNaN, { columns: ["x", "y"] })).toThrow(/options\.columns: names columns of an Arrow table/);
  });
});

describe("Arrow-shaped data that lies about its length", () => {
  it("a chunk whose values are shorter than its rows is a MixemError, not a read of other memory", () => {
    fitSync(Array.from({ length: 5000 }, (_, i) => 777 + (i % 7) * 0.01), { k: 2 });
    const type = { typeId: 3, precision: 2 };
    const v = { type, length: 5000, nullCount: 0, data: [{ type, length: 5000, offset: 0, nullCount: 0, values: Float64Array.from({ length: 10 }, (_, i) => i % 2) }] };
    const t = { numRows: 5000, schema: { fields: [{ name: "x", type }] }, getChild: () => v };
    expect(() => fitSync(t as never, { k: 2, columns: ["x"] })).toThrow(/column "x": a chunk of 5000 rows holds 10 values \(5000 needed\)/);
  });
});

describe("hostile Arrow-shaped data and freeze options", () => {
  it("a throwing getChild, a throwing data getter, a throwing freeze getter: MixemErrors naming them", () => {
    const type = { typeId: 3, precision: 2 };
    const throwing = { numRows: 3, schema: { fields: [{ name: "x", type }] }, getChild: () => { throw new Error("boom"); } };
    expect(() => fitSync(throwing as never, { k: 1, columns: ["x"] })).toThrow(MixemError);
    const vector = { type, length: 3, get data(): never { throw new Error("bang"); } };
    const t2 = { numRows: 3, schema: { fields: [{ name: "x", type }] }, getChild: () => vector };
    expect(() => fitSync(t2 as never, { k: 1, columns: ["x"] })).toThrow(/column "x" cannot be read \(bang\)/);
    const x = [1, 2, 3, 10, 11, 12];
    const freeze = { get means(): never { throw new Error("nope"); } };
    expect(() => fitSync(x, { k: 2, init: { means: [1, 11], variances: [1, 1] }, freeze } as never)).toThrow(/^options\.freeze\.means: cannot be read \(nope\)/);
  });
});
