// The command line on Parquet and Arrow IPC files (built dist/cli.js, as a user runs it): the same
// output as on the CSV of the same data, bit for bit, for fit (in memory and streamed), select and
// predict; every Parquet codec the fixtures use; errors naming the column or the row.
// Fixtures: test/fixtures/columnar/make.mjs.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";
import { parquetWriteFile } from "hyparquet-writer";
import { Table, tableToIPC, vectorFromArray, makeVector, Float64, Int32, type Vector } from "apache-arrow";
import { fitSync } from "../src/index.js";
import { mulberry32, normal } from "./helpers.js";
import { cliWithPeakRss } from "./cli-rss.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const fx = (f: string) => join(root, "test/fixtures/columnar", f);
const cli = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [join(root, "dist/cli.js"), ...args], { cwd: root, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const ok = (args: string[], env?: Record<string, string>) => {
  const r = cli([...args, "--quiet"], env);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return r.out;
};
/** The output with the file's name replaced, so that outputs of different files compare. */
const same = (out: string, file: string) => out.split(file).join("FILE");
const PARQUET = ["data.parquet", "data-zstd.parquet", "data-gzip.parquet", "data-plain.parquet"];
const ARROW = ["data.arrow", "data.feather", "data.arrows"];
const dir = mkdtempSync(join(tmpdir(), "mixem-columnar-"));

describe("the fixtures", () => {
  it("are Parquet with the codecs they are named for, in row groups; Arrow files and streams", async () => {
    const codecs = await Promise.all(PARQUET.map(async (f) => {
      const meta = await parquetMetadataAsync(await asyncBufferFromFile(fx(f)));
      expect(meta.row_groups.length).toBe(3);
      return [...new Set(meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data!.codec)))].join();
    }));
    expect(codecs).toEqual(["SNAPPY", "ZSTD", "GZIP", "UNCOMPRESSED"]);
  });
});

describe("mixem fit on Parquet and Arrow: the output of the CSV of the same data", () => {
  const files = [...PARQUET, ...ARROW];
  it.each([
    ["gaussian", ["--column", "x", "-k", "2"]],
    ["mvgaussian", ["--family", "mvgaussian", "--columns", "y,x", "-k", "2"]],
    ["poisson (Int32)", ["--family", "poisson", "--column", "count", "-k", "2"]],
    ["bernoulli (Boolean)", ["--family", "bernoulli", "--columns", "flag,count", "-k", "1"]],
    ["weights from a column", ["--column", "x", "-k", "2", "--weights", "count"]],
  ])("%s: table and --json", (_name, args) => {
    for (const json of [false, true]) {
      const extra = json ? ["--json"] : [];
      const csvRun = cli(["fit", fx("data.csv"), ...args, ...extra, "--quiet"]);
      if (args.includes("bernoulli")) { // count is not 0/1: the same error from every format
        expect(csvRun.code).toBe(2);
        for (const f of files) expect(same(cli(["fit", fx(f), ...args, "--quiet"]).err, fx(f))).toMatch(/not 0 or 1/);
        return;
      }
      const csv = same(ok(["fit", fx("data.csv"), ...args, ...extra]), fx("data.csv"));
      for (const f of files) expect(same(ok(["fit", fx(f), ...args, ...extra]), fx(f)), f).toBe(csv);
    }
  });
  it("--stream, and streaming by itself above MIXEM_STREAM_ABOVE bytes of chosen values: as the CSV streamed", () => {
    const args = ["--family", "mvgaussian", "--columns", "x,y", "-k", "2", "--json"];
    const csv = ok(["fit", fx("data.csv"), "--stream", ...args]);
    for (const f of ["data.parquet", "data-zstd.parquet", "data.arrow", "data.arrows"]) {
      expect(ok(["fit", fx(f), "--stream", ...args]), f).toBe(csv);
      // 600 rows × 2 columns × 8 bytes = 9600 bytes: above 5000, streamed (small chunks: several per pass).
      expect(ok(["fit", fx(f), ...args], { MIXEM_STREAM_ABOVE: "5000", MIXEM_STREAM_BLOCK: "2048" }), f)
        .toBe(ok(["fit", fx("data.csv"), "--stream", ...args], { MIXEM_STREAM_BLOCK: "2048" }));
    }
    const table = ok(["fit", fx("data.parquet"), "--column", "x", "-k", "2"], { MIXEM_STREAM_ABOVE: "1000" });
    expect(table).toMatch(/column x, streamed/);
    expect(ok(["fit", fx("data.parquet"), "--column", "x", "-k", "2"])).not.toMatch(/streamed/);
  });
});

describe("mixem select and predict on Parquet and Arrow", () => {
  it("select -k 1..3: the CSV's output", () => {
    const args = ["--family", "mvgaussian", "--columns", "x,y", "-k", "1..3", "--covariance", "VVV,EII"];
    const csv = same(ok(["select", fx("data.csv"), ...args]), fx("data.csv"));
    for (const f of ["data.parquet", "data-gzip.parquet", "data.feather"]) expect(same(ok(["select", fx(f), ...args]), fx(f)), f).toBe(csv);
  });
  it("predict: the CSV's labels and posteriors", () => {
    const model = join(dir, "model.json");
    writeFileSync(model, ok(["fit", fx("data.csv"), "--family", "mvgaussian", "--columns", "x,y", "-k", "2", "--json"]));
    const csv = ok(["predict", model, fx("data.csv"), "--columns", "x,y"]);
    expect(csv.split("\n").length).toBe(602);
    for (const f of ["data.parquet", "data-zstd.parquet", "data.arrow", "data.arrows"]) expect(ok(["predict", model, fx(f), "--columns", "x,y"]), f).toBe(csv);
  });
});

describe("bad Parquet and Arrow input: one line naming the column or the row", () => {
  const err = (args: string[]) => {
    const r = cli([...args, "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
    return r.err;
  };
  it("a column that is not there lists the columns", () => {
    for (const f of ["data.parquet", "data.arrow"]) expect(err(["fit", fx(f), "--column", "z", "-k", "2"])).toContain(`has no column "z" (columns: x, y, count, flag, name)`);
  });
  it("several numeric columns and no --column: the numeric ones are listed (the text column is not)", () => {
    expect(err(["fit", fx("data.parquet"), "-k", "2"])).toContain("has several numeric columns (x, y, count, flag); choose one with --column");
  });
  it("a text column is not numbers", () => {
    expect(err(["fit", fx("data.parquet"), "--column", "name", "-k", "2"])).toMatch(/data\.parquet, row 1, column name: "[ab]0" is not a number/);
    expect(err(["fit", fx("data.arrows"), "--column", "name", "-k", "2"])).toMatch(/data\.arrows: column name is of Arrow type Utf8, not numbers/);
  });
  it("with --missing marginalize a null is a missing value: the same fit as the CSV with NA there", () => {
    const lines = readFileSync(fx("data.csv"), "utf8").trim().split("\n");
    lines[8] = lines[8].replace(/^[^,]*/, "NA"); // data row 8 (1-based), column x: the Parquet file's null
    const csv = join(dir, "na.csv");
    writeFileSync(csv, lines.join("\n") + "\n");
    const args = ["--column", "x", "-k", "2", "--missing", "marginalize", "--quiet", "--json"];
    const a = cli(["fit", fx("nulls.parquet"), ...args]), b = cli(["fit", csv, ...args]);
    expect(a.err).toBe("");
    expect(JSON.parse(a.out).components).toEqual(JSON.parse(b.out).components);
    expect(JSON.parse(a.out).fit.nMissing).toBe(1);
  });
  it("a null names its row (1-based, as the CSV's rows)", () => {
    expect(err(["fit", fx("nulls.parquet"), "--column", "x", "-k", "2"])).toMatch(/nulls\.parquet, row 8, column x: null \(a missing value: --missing marginalize fits around it\) is not a number/);
    expect(err(["fit", fx("nulls.parquet"), "--column", "x", "-k", "2", "--stream"])).toMatch(/nulls\.parquet, row 8, column x: null/);
    // A family that does not fit around missing values is not offered --missing marginalize.
    expect(err(["fit", fx("nulls.parquet"), "--family", "categorical", "--columns", "x", "-k", "2"])).toMatch(/nulls\.parquet, row 8, column x: null \(a missing value: family categorical does not fit around missing values: drop or fill those rows\) is not a number/);
  });
  it("a file that is not Parquet or Arrow, a Parquet from a pipe", () => {
    const fake = join(dir, "fake.parquet");
    writeFileSync(fake, "x\n1\n2\n");
    expect(err(["fit", fake, "-k", "1"])).toMatch(/fake\.parquet: not a Parquet file/);
    const fakeArrow = join(dir, "fake.arrow");
    writeFileSync(fakeArrow, "x\n1\n2\n");
    expect(err(["fit", fakeArrow, "-k", "1"])).toMatch(/fake\.arrow: not an Arrow IPC file or stream/);
    const fifo = join(dir, "pipe.parquet");
    execFileSync("mkfifo", [fifo]);
    expect(err(["fit", fifo, "-k", "1"])).toMatch(/pipe\.parquet: Parquet is read from a file \(its footer comes first\); save the pipe to a file/);
  });
});

describe("per-row trials (--trials-column) and weights (--weights) from Parquet, Arrow and CSV", () => {
  // Read in one pass into WebAssembly memory beside the data, where the fit reads them in place:
  // the fit of the API given JavaScript arrays, bit for bit.
  const n = 3000, u = mulberry32(31);
  const x: number[] = [], heads: number[] = [], trials: number[] = [], w: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2, t = 5 + (i % 20);
    let h = 0;
    for (let j = 0; j < t; j++) if (u() < (c ? 0.7 : 0.25)) h++;
    x.push(3 * c + normal(u));
    heads.push(h);
    trials.push(t);
    w.push(0.5 + Math.round(u() * 1000) / 1000);
  }
  const base = join(dir, "perrow");
  const write = (file: string, cols: Record<string, number[]>, ints: string[] = []) => {
    const names = Object.keys(cols);
    writeFileSync(`${file}.csv`, [names.join(","), ...cols[names[0]].map((_, i) => names.map((c) => cols[c][i]).join(","))].join("\n") + "\n");
    parquetWriteFile({ filename: `${file}.parquet`, rowGroupSize: 1000, columnData: names.map((c) => ({ name: c, data: cols[c], type: ints.includes(c) ? "INT32" : "DOUBLE" })) });
    const batches = [];
    for (let s = 0; s < cols[names[0]].length; s += 1000)
      batches.push(new Table(Object.fromEntries(names.map((c) => [c, vectorFromArray(cols[c].slice(s, s + 1000), ints.includes(c) ? new Int32() : new Float64())]))).batches[0]);
    writeFileSync(`${file}.arrow`, tableToIPC(new Table(batches), "file"));
    writeFileSync(`${file}.arrows`, tableToIPC(new Table(batches), "stream"));
  };
  write(base, { x, heads, n: trials, w }, ["heads", "n"]);
  const formats = ["csv", "parquet", "arrow", "arrows"];
  const fitOf = (out: string) => { const m = JSON.parse(out); return { components: m.components, fit: m.fit }; };
  const api = (model: ReturnType<typeof fitSync>) => { const m = JSON.parse(JSON.stringify(model.toJSON())); return { components: m.components, fit: m.fit }; };
  it.each([
    ["binomial --trials-column", ["--family", "binomial", "--column", "heads", "--trials-column", "n"], () => fitSync(heads, { family: "binomial", trials, k: 2, accelerate: "squarem" })],
    ["gaussian --weights", ["--column", "x", "--weights", "w"], () => fitSync(x, { sampleWeights: w, k: 2, accelerate: "squarem" })],
    ["binomial --trials-column --weights", ["--family", "binomial", "--column", "heads", "--trials-column", "n", "--weights", "w"], () => fitSync(heads, { family: "binomial", trials, sampleWeights: w, k: 2, accelerate: "squarem" })],
    ["independent gaussian + binomial --trials-column --weights", ["--family", "independent", "--columns", "x:gaussian,heads:binomial", "--trials-column", "n", "--weights", "w"],
      () => fitSync(x.map((v, i) => [v, heads[i]]), { family: "independent", columns: [{ family: "gaussian" }, { family: "binomial" }], trials, sampleWeights: w, k: 2, accelerate: "squarem" })],
  ] as const)("%s: the API's fit, bit for bit, from every format (and on 2 threads)", (_name, args, fit) => {
    const want = api(fit());
    for (const f of formats) expect(fitOf(ok(["fit", `${base}.${f}`, ...args, "-k", "2", "--json"])), f).toEqual(want);
    expect(fitOf(ok(["fit", `${base}.parquet`, ...args, "-k", "2", "--json", "--threads", "2"]))).toEqual(want);
  });
  it("a weights or trials column that is also a data column: read into each place", () => {
    const args = ["--column", "heads", "--family", "binomial", "--trials-column", "n", "--weights", "heads", "-k", "2", "--json"];
    const want = api(fitSync(heads, { family: "binomial", trials, sampleWeights: heads, k: 2, accelerate: "squarem" }));
    for (const f of formats) expect(fitOf(ok(["fit", `${base}.${f}`, ...args])), f).toEqual(want);
  });
  it("select: the same scores from every format", () => {
    const args = ["--column", "x", "--weights", "w", "-k", "1..3", "--json"];
    const csv = ok(["select", `${base}.csv`, ...args]);
    for (const f of ["parquet", "arrow"]) expect(ok(["select", `${base}.${f}`, ...args]), f).toBe(csv);
  });

  const err = (args: string[]) => {
    const r = cli([...args, "--quiet"]);
    expect(r.code, r.out).toBe(2);
    expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.err).not.toMatch(/TypeError|internal error|options\.|data\[/);
    return r.err.trim();
  };
  // Row 5 (1-based) holds a weight of -1, row 8 a count of 9 out of 4 trials; in the other files, row 9 trials of 0, row 11 of 2.5.
  const bad = join(dir, "bad"), zero = join(dir, "zero"), half = join(dir, "half");
  const at = (a: number[], i: number, v: number) => a.map((x, j) => (j === i ? v : x));
  const some = { x: x.slice(0, 50), heads: heads.slice(0, 50), n: trials.slice(0, 50), w: w.slice(0, 50) };
  write(bad, { ...some, heads: at(some.heads, 7, 9), n: at(some.n, 7, 4), w: at(some.w, 4, -1) }, ["heads"]);
  write(zero, { ...some, heads: at(some.heads, 8, 0), n: at(some.n, 8, 0) }, ["heads"]);
  write(half, { ...some, heads: at(some.heads, 10, 1), n: at(some.n, 10, 2.5) }, ["heads"]);
  it.each(formats)("%s: a bad weight, count or trials value, or a column not there, names the file, the row and the column", (f) => {
    const file = `${bad}.${f}`;
    expect(err(["fit", file, "--column", "x", "--weights", "w", "-k", "2"])).toBe(`mixem: ${file}, row 5, column w: -1 is negative; weights must be ≥ 0`);
    expect(err(["fit", file, "--family", "independent", "--columns", "x:gaussian,heads:poisson", "--weights", "w", "-k", "2"])).toBe(`mixem: ${file}, row 5, column w: -1 is negative; weights must be ≥ 0`);
    expect(err(["fit", file, "--column", "heads", "--weights", "x", "-k", "2"])).toMatch(new RegExp(`^mixem: ${file}, row \\d+, column x: -[0-9.e-]+ is negative; weights must be ≥ 0$`));
    const binomial = ["--family", "binomial", "--column", "heads", "--trials-column", "n", "-k", "2"];
    expect(err(["fit", file, ...binomial])).toBe(`mixem: ${file}, row 8, column heads: 9 heads is more than the 4 trials`);
    expect(err(["fit", file, "--family", "independent", "--columns", "x:gaussian,heads:binomial", "--trials-column", "n", "-k", "2"])).toBe(`mixem: ${file}, row 8, column heads: 9 heads is more than the 4 trials`);
    expect(err(["fit", `${zero}.${f}`, ...binomial])).toBe(`mixem: ${zero}.${f}, row 9, column n: 0 is not a valid number of trials (a positive integer up to 2^53)`);
    expect(err(["fit", `${half}.${f}`, "--family", "independent", "--columns", "x:gaussian,heads:binomial", "--trials-column", "n", "-k", "2"])).toBe(`mixem: ${half}.${f}, row 11, column n: 2.5 is not a valid number of trials (a positive integer up to 2^53)`);
    expect(err(["fit", file, "--column", "x", "--weights", "ww", "-k", "2"])).toBe(`mixem: ${file} has no column "ww" (columns: x, heads, n, w)`);
    expect(err(["fit", file, "--family", "binomial", "--column", "heads", "--trials-column", "nn", "-k", "2"])).toBe(`mixem: ${file} has no column "nn" (columns: x, heads, n, w)`);
  });
  it("text in a weights column: its row in a CSV file; a text column of Parquet or Arrow", () => {
    const lines = readFileSync(`${bad}.csv`, "utf8").split("\n");
    lines[6] = lines[6].replace(/[^,]*$/, "abc"); // data row 6, column w
    writeFileSync(join(dir, "text.csv"), lines.join("\n"));
    expect(err(["fit", join(dir, "text.csv"), "--column", "x", "--weights", "w", "-k", "2"])).toBe(`mixem: ${join(dir, "text.csv")}, row 6, column w: "abc" is not a number`);
    expect(err(["fit", fx("data.parquet"), "--column", "x", "--weights", "name", "-k", "2"])).toMatch(/data\.parquet, row 1, column name: "[ab]0" is not a number; the column holds text \(a Parquet string column\), not numbers$/);
    expect(err(["fit", fx("data.arrow"), "--column", "x", "--weights", "name", "-k", "2"])).toMatch(/data\.arrow: column name is of Arrow type Utf8, not numbers$/);
  });
  it("--missing marginalize: an NA weight or trials cell is an error naming its row (a missing value of the data is not one of these)", () => {
    const file = join(dir, "na.csv");
    writeFileSync(file, "h,n,w\n1,3,1\n2,NA,1\n3,4,NA\n");
    const args = ["--missing", "marginalize", "-k", "1"];
    expect(err(["fit", file, "--family", "binomial", "--column", "h", "--trials-column", "n", ...args])).toBe(`mixem: ${file}, row 2, column n: a missing value (empty, NA or null); every row needs its number of trials (--missing marginalize is for the data's values)`);
    expect(err(["fit", file, "--column", "h", "--weights", "w", ...args])).toBe(`mixem: ${file}, row 3, column w: a missing value (empty, NA or null); every row needs a weight (--missing marginalize is for the data's values)`);
  });
});

describe("an Arrow IPC file is read a record batch at a time", () => {
  it("2 of 10 columns of 10^6 rows (--weights): peak below the file's size + 3× the values read, above a small fit", () => {
    // Read as a stream, apache-arrow held the whole IPC file in memory to reach its footer (measured
    // 217 MiB above the small fit; now 108: the values, the fit's, a batch or two of the reader's).
    const n = 1_000_000, u = mulberry32(7), batches = [];
    for (let s = 0; s < n; s += 1 << 17) {
      const m = Math.min(1 << 17, n - s), c: Record<string, Vector<Float64>> = {};
      for (let j = 0; j < 10; j++) c[`c${j}`] = makeVector(Float64Array.from({ length: m }, (_, i) => (j === 9 ? 0.5 + u() : ((s + i) % 2) * 3 + u())));
      batches.push(new Table(c).batches[0]);
    }
    const file = join(dir, "wide.arrow"), bytes = tableToIPC(new Table(batches), "file");
    writeFileSync(file, bytes);
    const peak = cliWithPeakRss(dir, root);
    const base = peak(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2", "--quiet", "--threads", "1"]).kib;
    const big = peak(["fit", file, "--column", "c0", "--weights", "c9", "-k", "2", "--quiet", "--threads", "1", "--max-iter", "5"]).kib;
    rmSync(file);
    const values = (n * 2 * 8) / 1024, fileKib = bytes.length / 1024;
    console.log(`Arrow file ${(fileKib / 1024).toFixed(0)} MiB, 2 columns read: peak ${(big / 1024).toFixed(0)} MiB (a small fit ${(base / 1024).toFixed(0)} MiB), ${((big - base) / 1024).toFixed(0)} MiB above a small fit (${(values / 1024).toFixed(0)} MiB of values)`);
    expect(big - base).toBeLessThan(fileKib + 3 * values);
  }, 60_000);
});
