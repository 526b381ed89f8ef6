// The command line on Parquet and Arrow IPC files (built dist/cli.js, as a user runs it): the same
// output as on the CSV of the same data, bit for bit, for fit (in memory and streamed), select and
// predict; every Parquet codec the fixtures use; errors naming the column or the row.
// Fixtures: test/fixtures/columnar/make.mjs.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";

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
