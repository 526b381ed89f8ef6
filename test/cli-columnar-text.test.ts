// The command line on text (categorical) columns of Parquet and Arrow files: the same output as
// on the CSV of the same data, bit for bit — Parquet strings dictionary-encoded and PLAIN, Arrow
// Utf8 and Dictionary<Utf8> (a stream whose batches each bring their own dictionary) — for fit,
// select and predict; the API's fit of the same rows of strings; missing cells and bad names named
// by row and column as in the CSV. Fixtures: test/fixtures/columnar/make-text.mjs. Also predict's
// per-row trials (read beside the rows in WebAssembly memory).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parquetWriteFile } from "hyparquet-writer";
import { Table, tableToIPC, vectorFromArray, Int32 } from "apache-arrow";
import { fitStream, fitSync, initSync, loadModel } from "../src/index.js";

initSync();
const root = fileURLToPath(new URL("..", import.meta.url));
const fx = (f: string) => join(root, "test/fixtures/columnar", f);
const cli = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [join(root, "dist/cli.js"), ...args], { cwd: root, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const ok = (args: string[]) => {
  const r = cli([...args, "--quiet"]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return r.out;
};
const err = (args: string[]) => {
  const r = cli([...args, "--quiet"]);
  expect(r.code).toBe(2);
  expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
  return r.err.trim();
};
/** The output with the file's name replaced, so that outputs of different files compare. */
const same = (out: string, file: string) => out.split(file).join("FILE");
const FORMATS = ["parquet", "plain.parquet", "arrow", "arrows"];
const file = (base: string, f: string) => fx(f === "plain.parquet" ? `${base}-plain.parquet` : `${base}.${f}`);
const dir = mkdtempSync(join(tmpdir(), "mixem-text-"));

// The fixtures' rows as the CSV holds them (names trimmed, as the CSV reader reads them).
const rows = readFileSync(fx("text.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
const names = rows.map((r) => [r[0].trim(), r[1].trim()]);

describe("text columns of Parquet and Arrow files: the CSV's output", () => {
  it.each([
    ["categorical", ["--family", "categorical", "--columns", "smoker,region", "-k", "2"]],
    ["categorical beside a column of codes", ["--family", "categorical", "--columns", "region,visits", "-k", "2"]],
    ["independent", ["--family", "independent", "--columns", "smoker:categorical,region:categorical,visits:poisson,x:gaussian", "-k", "2"]],
  ])("fit, %s: table and --json, bit for bit", (_name, args) => {
    for (const json of [[], ["--json"]]) {
      const csv = same(ok(["fit", fx("text.csv"), ...args, ...json]), fx("text.csv"));
      for (const f of FORMATS) expect(same(ok(["fit", file("text", f), ...args, ...json]), file("text", f)), f).toBe(csv);
    }
  });
  it("the levels are the sorted names (trimmed); the model equals the API's fit of the rows of strings", () => {
    const m = JSON.parse(ok(["fit", fx("text.arrows"), "--family", "categorical", "--columns", "smoker,region", "-k", "2", "--seed", "3", "--json"]));
    expect(m.settings.levels).toEqual([["no", "yes"], ["ne", "nw", "se", "sw"]]);
    const ref = fitSync(names, { family: "categorical", k: 2, seed: 3, accelerate: "squarem" });
    expect(m.fit.logLikelihood).toBe(ref.logLikelihood);
    expect(m.components).toEqual(JSON.parse(JSON.stringify(ref.components)));
    const codes = JSON.parse(ok(["fit", fx("text.parquet"), "--family", "categorical", "--columns", "region,visits", "-k", "2", "--json"]));
    expect(codes.settings.levels).toEqual([["ne", "nw", "se", "sw"], 1 + Math.max(...rows.map((r) => Number(r[2])))]);
  });
  it("default columns of categorical: the text columns too (here with x, which is no column of codes: the CSV's error)", () => {
    const csv = same(err(["fit", fx("text.csv"), "--family", "categorical", "-k", "2"]), fx("text.csv"));
    expect(csv).toMatch(/^mixem: FILE, row 1, column x: 2\.256\d* is not a level code/); // the cell named (its largest value, 3.996, is no code: no count of levels from it)
    for (const f of FORMATS) expect(same(err(["fit", file("text", f), "--family", "categorical", "-k", "2"]), file("text", f)), f).toBe(csv);
  });
  it("select -k 1..3: the CSV's output", () => {
    const args = ["--family", "categorical", "--columns", "smoker,region", "-k", "1..3"];
    const csv = same(ok(["select", fx("text.csv"), ...args]), fx("text.csv"));
    for (const f of FORMATS) expect(same(ok(["select", file("text", f), ...args]), file("text", f)), f).toBe(csv);
  });
  it("predict: names through the model's levels, the CSV's labels and posteriors; an independent model too", () => {
    for (const [args, cols] of [
      [["--family", "categorical", "--columns", "smoker,region"], "smoker,region"],
      [["--family", "independent", "--columns", "smoker:categorical,region:categorical,visits:poisson"], "smoker,region,visits"],
    ] as const) {
      const model = join(dir, "model.json");
      writeFileSync(model, ok(["fit", fx("text.csv"), ...args, "-k", "2", "--json"]));
      const csv = ok(["predict", model, fx("text.csv"), "--columns", cols]);
      expect(csv.split("\n").length).toBe(602);
      for (const f of FORMATS) expect(ok(["predict", model, file("text", f), "--columns", cols]), f).toBe(csv);
      const api = loadModel(JSON.parse(readFileSync(model, "utf8")));
      const x = cols.includes("visits") ? rows.map((r) => [r[0].trim(), r[1].trim(), Number(r[2])]) : names;
      expect(JSON.parse(ok(["predict", model, fx("text.arrows"), "--columns", cols, "--json"])).labels).toEqual(Array.from(api.predict(x), (j) => j + 1));
    }
    // A model's levels without one of the file's names: the row naming it, in every format.
    const smokers = join(dir, "smokers.json");
    writeFileSync(smokers, ok(["fit", fx("text.csv"), "--family", "categorical", "--columns", "smoker,smoker", "-k", "1", "--json"]));
    for (const f of ["csv", ...FORMATS]) expect(same(err(["predict", smokers, file("text", f), "--columns", "smoker,region"]), file("text", f)), f)
      .toMatch(/^mixem: FILE, row 1, column region: "[a-z]+" is not one of the column's levels \("no", "yes"\)$/);
  });
});

describe("missing and bad cells: the CSV's errors", () => {
  it("an NA or null (row 7), an empty cell or string (row 12): named by row and column; --missing marginalize: the family's error", () => {
    for (const f of ["csv", ...FORMATS]) {
      const at = file("text-na", f), cat = ["fit", at, "--family", "categorical", "-k", "2"];
      expect(err([...cat, "--columns", "smoker,region"]), f).toBe(`mixem: ${at}, row 7, column smoker: an empty or NA cell (a missing value) among level names; give it a level (family categorical does not fit around missing values: drop or fill those rows)`);
      expect(err([...cat, "--columns", "region"]), f).toMatch(new RegExp(`^mixem: ${at}, row 12, column region: an empty or NA cell`));
      expect(err([...cat, "--columns", "region", "--missing", "marginalize"]), f).toMatch(/--missing: "marginalize" is not available for this family/);
      const model = join(dir, "m.json");
      writeFileSync(model, ok(["fit", fx("text.csv"), "--family", "categorical", "--columns", "smoker,region", "-k", "2", "--json"]));
      expect(err(["predict", model, at, "--columns", "smoker,region"]), f).toBe(`mixem: ${at}, row 7, column smoker: an empty or NA cell (a missing value) among level names; give it a level (family categorical does not fit around missing values: drop or fill those rows)`);
    }
  });
  it("a numeral among names; a text column as numbers", () => {
    const s = ["yes", "no", "3", "no"];
    writeFileSync(join(dir, "num.csv"), `s\n${s.join("\n")}\n`);
    parquetWriteFile({ filename: join(dir, "num.parquet"), columnData: [{ name: "s", data: s, type: "STRING" }] });
    writeFileSync(join(dir, "num.arrow"), tableToIPC(new Table({ s: vectorFromArray(s) }), "file"));
    for (const f of ["csv", "parquet", "arrow"])
      expect(err(["fit", join(dir, `num.${f}`), "--family", "categorical", "-k", "1"]), f).toBe(`mixem: ${join(dir, `num.${f}`)}, row 3, column s: 3 is a number, but the column holds level names; use one or the other`);
    expect(err(["fit", fx("text.parquet"), "--column", "region", "-k", "2"])).toMatch(/text\.parquet, row 1, column region: "[a-z ]+" is not a number; the column holds text/);
    expect(err(["fit", fx("text.arrow"), "--family", "independent", "--columns", "region:poisson", "-k", "2"])).toMatch(/text\.arrow: column region is of Arrow type Dictionary<Int32, Utf8>, not numbers/);
  });
  it("--stream, and streaming by itself above MIXEM_STREAM_ABOVE: ids in the temporary file, recoded chunk by chunk; the API's fitStream with the names as levels", async () => {
    const args = ["--family", "categorical", "--columns", "smoker,region", "-k", "2", "--json"];
    // One chunk (the default block): the in-memory fit.
    for (const f of FORMATS) expect(ok(["fit", file("text", f), ...args, "--stream"]), f).toBe(ok(["fit", file("text", f), ...args]));
    // Chunks of 128 rows (2048 bytes of 2 doubles a row): fitStream over the same chunks of rows of strings.
    const small = { MIXEM_STREAM_BLOCK: "2048" };
    const want = await fitStream(() => Array.from({ length: Math.ceil(names.length / 128) }, (_, c) => names.slice(128 * c, 128 * c + 128)),
      { family: "categorical", k: 2, accelerate: "squarem", levels: [["no", "yes"], ["ne", "nw", "se", "sw"]] } as never);
    for (const f of FORMATS) {
      const r = cli(["fit", file("text", f), ...args, "--stream", "--quiet"], small);
      expect(r.err).toBe("");
      const m = JSON.parse(r.out);
      expect(m.settings.levels, f).toEqual([["no", "yes"], ["ne", "nw", "se", "sw"]]);
      expect(m.fit.logLikelihood, f).toBe(want.logLikelihood);
      expect(m.components, f).toEqual(JSON.parse(JSON.stringify(want.components)));
      const auto = cli(["fit", file("text", f), "--family", "independent", "--columns", "smoker:categorical,region:categorical,visits:poisson", "-k", "2", "--quiet"], { ...small, MIXEM_STREAM_ABOVE: "5000" });
      expect(auto.out, f).toMatch(/streamed/);
      expect(auto.out, f).toMatch(/p \[ne \d\.\d{4}, nw \d\.\d{4}, se \d\.\d{4}, sw \d\.\d{4}\]/);
    }
    expect(err(["fit", fx("text-na.parquet"), "--family", "categorical", "--columns", "smoker,region", "-k", "2", "--stream"])).toBe(`mixem: ${fx("text-na.parquet")}, row 7, column smoker: an empty or NA cell (a missing value) among level names; give it a level (family categorical does not fit around missing values: drop or fill those rows)`);
  });
});

describe("predict --trials-column: the trials read beside the rows", () => {
  it("binomial and independent binomial: the API's posteriors from CSV, Parquet and Arrow", () => {
    const n = 400, heads: number[] = [], trials: number[] = [], z: number[] = [];
    for (let i = 0; i < n; i++) { trials.push(5 + (i % 7)); heads.push(Math.min(trials[i], (i * 7919) % (trials[i] + 1) + (i % 2) * 2)); z.push(((i * 31) % 97) / 10 + (i % 2) * 4); }
    const base = join(dir, "trials");
    writeFileSync(`${base}.csv`, ["heads,n,z", ...heads.map((h, i) => `${h},${trials[i]},${z[i]}`)].join("\n") + "\n");
    parquetWriteFile({ filename: `${base}.parquet`, rowGroupSize: 150, columnData: [{ name: "heads", data: heads, type: "INT32" }, { name: "n", data: trials, type: "INT32" }, { name: "z", data: z, type: "DOUBLE" }] });
    writeFileSync(`${base}.arrow`, tableToIPC(new Table({ heads: vectorFromArray(heads, new Int32()), n: vectorFromArray(trials, new Int32()), z: vectorFromArray(z) }), "file"));
    for (const [fitArgs, predictArgs, x] of [
      [["--family", "binomial", "--column", "heads"], ["--column", "heads"], heads],
      [["--family", "independent", "--columns", "heads:binomial,z:gaussian"], ["--columns", "heads,z"], heads.map((h, i) => [h, z[i]])],
    ] as const) {
      const model = join(dir, "tm.json");
      writeFileSync(model, ok(["fit", `${base}.csv`, ...fitArgs, "--trials-column", "n", "-k", "2", "--json"]));
      const api = loadModel(JSON.parse(readFileSync(model, "utf8")));
      const want = api.predictProba(x as never, { trials } as never) as unknown as Float64Array;
      for (const f of ["csv", "parquet", "arrow"]) {
        const out = JSON.parse(ok(["predict", model, `${base}.${f}`, ...predictArgs, "--trials-column", "n", "--json"]));
        expect(out.posteriors.flat(), f).toEqual(Array.from(want, (v) => Number(v.toPrecision(6))));
      }
    }
  });
});
