// The command line's input and errors: every failure one line and exit 2, in CLI terms; bounded
// input; cells read as decimal numerals only; the block reader (byte scanner and papaparse);
// --stream through a temporary file; --version and predict.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { fit, loadModel } from "../src/index.js";
import { cellNumber, parseDecimal } from "../src/cli/numbers.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = (args: string[], input?: string, env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [join(root, "dist/cli.js"), ...args], { cwd: root, input, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "mixem-cli-input-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const fails = (args: string[], message: RegExp, input?: string, env?: Record<string, string>) => {
  const r = cli(args, input, env);
  expect(r.err).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.err.split("\n")).toHaveLength(2); // one line, then the end
  expect(r.err).not.toMatch(/undefined|\n\s+at /);
  return r;
};
const W = ["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2"];

describe("every failure: one line on stderr, exit code 2, in the command line's terms", () => {
  it("files that are not data: a directory (also with --stream), a device, a JSON {columns: null}", () => {
    fails(["fit", "examples", "-k", "2", "--stream"], /^mixem: cannot read examples: it is a directory\n$/);
    fails(["fit", "examples", "-k", "2"], /^mixem: cannot read examples: it is a directory\n$/);
    fails(["fit", "/dev/zero", "-k", "2"], /^mixem: cannot read \/dev\/zero: it is a character device, not a regular file/);
    fails(["fit", file("null.json", '{"columns": null}'), "-k", "2"], /: "columns" is null; expected/);
    fails(["fit", file("strcol.json", '{"columns": {"a": "x"}}'), "-k", "2"], /: column "a" is the string "x", not an array\n$/);
    fails(["fit", file("mixed.json", '[1, "a"]'), "-k", "2"], /: item 2 is the string "a"; expected/);
  });

  it("--plot into a missing folder or onto a directory fails before the fit", () => {
    fails([...W, "--plot", join(dir, "no/such/x.svg")], /^mixem: --plot .*x\.svg: the folder .*no\/such does not exist\n$/);
    mkdirSync(join(dir, "d.svg"), { recursive: true });
    fails([...W, "--plot", join(dir, "d.svg")], /^mixem: --plot .*d\.svg: it is a directory; give a file name\n$/);
  });

  it("negative numbers are values; option paths are flags", () => {
    fails([...W, "--tol", "-1"], /^mixem: --tol: must be at least 0, got -1\n$/);
    fails([...W, "--reg-covar", "-1"], /^mixem: --reg-covar: must be at least 0/);
    fails([...W, "--max-iter", "0"], /^mixem: --max-iter: must be between 1/);
    fails([...W, "--n-init", "0.5"], /^mixem: --n-init: must be an integer/);
    fails([...W, "--covariance", "full"], /^mixem: --covariance: must be one of "E", "V", got the string "full"\n$/); // gaussian takes E or V
    fails([...W, "--family", "poisson", "--covariance", "E"], /^mixem: --covariance does not apply to --family poisson\n$/);
    fails([...W, "--family", "binomial"], /^mixem: --family binomial needs --trials N/);
    fails([...W, "-k", "300"], /fewer than k = 300 distinct values \(51\); lower -k\n$/);
    fails(["select", "examples/faithful.csv", "--column", "waiting", "-k", "3..1"], /^mixem: -k: "3\.\.1" must be a range A\.\.B with 1 ≤ A ≤ B\n$/);
    fails(["fit", "examples/faithful.csv", "--column"], /^mixem: Option '--column <value>' argument missing/);
    const r = cli([...W, "--tol=-1"]);
    expect(r.err).toBe("mixem: --tol: must be at least 0, got -1\n");
  });

  it("-k with a range on fit points to mixem select", () => {
    fails(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "1..3"], /^mixem: -k: "1\.\.3" is a range; .*mixem select examples\/faithful\.csv -k 1\.\.3\n$/);
  });

  it("streamed data errors name the row and column, not chunks[c][i]", () => {
    fails(["fit", "examples/faithful.csv", "--column", "eruptions", "-k", "2", "--family", "poisson", "--stream"],
      /^mixem: examples\/faithful\.csv, row 1, column eruptions: 3\.6 is not a valid count/, undefined, { MIXEM_STREAM_BLOCK: "300" });
    const counts = file("counts.csv", "n\n" + Array.from({ length: 60 }, (_, i) => (i === 47 ? "2.5" : String(i % 7))).join("\n") + "\n");
    fails(["fit", counts, "-k", "2", "--family", "poisson", "--stream"], /^mixem: .*counts\.csv, row 48, column n: 2\.5 is not a valid count/, undefined, { MIXEM_STREAM_BLOCK: "64" });
  });
});

describe("bounded input", () => {
  it("standard input past the in-memory limit: a clear error suggesting --stream", () => {
    const text = Array.from({ length: 500 }, (_, i) => String(i % 10)).join("\n");
    fails(["fit", "-", "-k", "1"], /^mixem: standard input: more than the 0\.0 MiB mixem reads into memory; save it to a file and use mixem fit <file> --stream\n$/, text, { MIXEM_MAX_BYTES: "100" });
  });

  it("Arrow IPC on standard input is read as from its file; Parquet there is a clear error (its footer comes first), not level names made of bytes", () => {
    const fixture = (name: string) => readFileSync(join(root, "test/fixtures/columnar", name)) as unknown as string;
    for (const [args, name] of [[["--family", "categorical", "--columns", "smoker,region"], "text"], [["--column", "x"], "data"]] as const)
      for (const f of [`${name}.arrows`, `${name}.arrow`]) {
        const piped = cli(["fit", "-", ...args, "-k", "2", "--quiet", "--json"], fixture(f));
        expect(piped.err, f).toBe("");
        const direct = cli(["fit", join(root, "test/fixtures/columnar", f), ...args, "-k", "2", "--quiet", "--json"]);
        expect(JSON.parse(piped.out).components, f).toEqual(JSON.parse(direct.out).components);
      }
    fails(["fit", "-", "-k", "2"], /^mixem: standard input: Parquet is read from a file \(its footer comes first\); save the input to a file\n$/, fixture("text.parquet"));
    // Arrow's first bytes, then nothing readable: what is wrong, not the reader's internals.
    for (const bytes of ["ARROW1\0\0", "ARROW1\0\0garbage-garbage", "\xff\xff\xff\xff\x10\0\0\0"])
      fails(["fit", "-", "-k", "2"], /^mixem: standard input: not an Arrow IPC file or stream, or one cut short or damaged \(no schema could be read\)\n$/, Buffer.from(bytes, "latin1") as unknown as string);
    // CSV on standard input, after its first bytes were looked at: read whole.
    expect(cli(["fit", "-", "--column", "x", "-k", "2", "--quiet", "--json"], fixture("data.csv")).out).toBe(cli(["fit", join(root, "test/fixtures/columnar/data.csv"), "--column", "x", "-k", "2", "--quiet", "--json"]).out);
  });

  it("CSV whose header starts PAR1 or ARROW1 (a file without a columnar name, standard input) is text, not Parquet or Arrow", () => {
    for (const text of ["PAR1,b\n1,2\n2,3\n3,5\n", "ARROW1,b\n1,2\n2,3\n3,5\n", "PAR1\n1\n2\n4\n"]) {
      const column = text.includes(",") ? ["--column", "b"] : [];
      for (const got of [cli(["fit", "-", ...column, "-k", "1", "--json", "--quiet"], text), cli(["fit", file("header-magic", text), ...column, "-k", "1", "--json", "--quiet"])]) {
        expect(got.err, text).toBe("");
        expect(JSON.parse(got.out).components[0].mean, text).toBeCloseTo(text.includes(",") ? 10 / 3 : 7 / 3, 12);
      }
    }
  });

  it("a column of numbers that are not level codes beside a column of names: the cell named, not a count of levels", () => {
    const path = file("codes-beside-names.csv", "smoker,x\nno,2.25\nyes,1\n"); // the largest, 2.25, is no code: no count of levels from it
    fails(["fit", path, "--family", "categorical", "-k", "1"], /, row 1, column x: 2\.25 is not a level code/);
  });

  it("a file past the limit: fit streams it, select says why it cannot", () => {
    fails(["select", "examples/faithful.csv", "--column", "waiting", "-k", "1..2"], /^mixem: examples\/faithful\.csv is 0\.0 MiB, more than the 0\.0 MiB mixem reads into memory; mixem select needs the data in memory/, undefined, { MIXEM_MAX_BYTES: "1000" });
    const r = cli(W, undefined, { MIXEM_STREAM_ABOVE: "1000", MIXEM_MAX_BYTES: "1000" });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/streamed\)/);
  });

  it("a line longer than the limit (no newline in sight) is refused", () => {
    fails(["fit", file("long.csv", "1".repeat(5000)), "-k", "1", "--stream"], /row 1 is longer than .* MiB; is this a CSV file\?\n$/, undefined, { MIXEM_MAX_LINE: "1000", MIXEM_STREAM_BLOCK: "256" });
  });

  it("a named pipe is read (up to the limit)", () => {
    const fifo = join(dir, "pipe.csv");
    if (spawnSync("mkfifo", [fifo]).status !== 0) return;
    const writer = spawn("sh", ["-c", `printf '1\\n2\\n3\\n10\\n11\\n12\\n' > ${fifo}`]);
    const r = cli(["fit", fifo, "-k", "2", "--family", "poisson"]);
    writer.kill();
    expect(r.err).toBe("");
    expect(r.out).toMatch(/6 values/);
  });
});

describe("cells", () => {
  it("a column with one NA is not dropped from an mvgaussian fit: the cell is named, with the option that reads it", () => {
    const na = file("na.csv", "a,b,name\n1,2,x\nNA,3,y\n4,5,z\n6,1,w\n");
    fails(["fit", na, "--family", "mvgaussian", "-k", "1"], /^mixem: .*na\.csv, row 2, column a: "NA" is not a number \(a missing value\? --missing marginalize fits around NA and empty cells\)\n$/);
    fails(["fit", na, "--family", "mvgaussian", "--columns", "a,b", "-k", "1"], /row 2, column a: "NA" is not a number \(a missing value\? --missing marginalize fits around NA and empty cells\)\n$/);
    const empty = file("empty.csv", "a,b\n1,2\n,3\n4,5\n");
    fails(["fit", empty, "--family", "mvgaussian", "-k", "1"], /row 2, column a: "" is not a number \(a missing value\? --missing marginalize fits around NA and empty cells\)\n$/);
  });

  it.each([
    ["0x10", "only decimal numerals"], ["1e", "an exponent without digits"], ['"1,5"', "a decimal comma"],
    ["0b11", "only decimal numerals"], ["Infinity", "not a finite number"], ["1e999", "not a finite number"], ["1_000", ""], ["١٢", ""],
  ])("%s is rejected with its row and column", (cell, why) => {
    const f = file(`cell-${Buffer.from(cell).toString("hex")}.csv`, `x\n1\n2\n${cell}\n3\n`);
    const r = fails(["fit", f, "-k", "1"], /row 3, column x: ".*" is not a number/);
    expect(r.err).toContain(why);
  });

  it("decimal numerals in every spelling are read as Number() reads them", () => {
    const cells = ["1", "-2.5", "+3", ".5", "4.", "1e3", "1E-3", " 7 ", "-0", "123456789012345678901234567890", "1e100", "5e-324", "0.1", "3.14159265358979323846"];
    const r = cli(["fit", file("spellings.csv", "x\n" + cells.join("\n") + "\n"), "-k", "1", "--json"]);
    expect(r.err).toBe("");
    const xs = cells.map(Number);
    expect(JSON.parse(r.out).fit.nObservations).toBe(cells.length);
    void xs;
  });

  it("parseDecimal equals Number() on decimal numerals, and refuses everything else", () => {
    const numeral = fc.tuple(fc.constantFrom("", "-", "+"), fc.stringMatching(/^\d{0,25}$/), fc.option(fc.stringMatching(/^\d{0,25}$/)), fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "-", "+"), fc.integer({ min: 0, max: 400 }))))
      .map(([s, i, f, e]) => `${s}${i}${f === null ? "" : "." + f}${e === null ? "" : e[0] + e[1] + e[2]}`);
    fc.assert(fc.property(numeral, (s) => {
      const b = Buffer.from(s), x = parseDecimal(b, 0, b.length);
      const ok = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && Number.isFinite(Number(s));
      if (ok) expect(Object.is(x, Number(s))).toBe(true);
      else expect(x).toBeNaN();
      expect(Object.is(cellNumber(s), ok ? Number(s) : NaN)).toBe(true);
    }), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
      for (const s of [String(v), v.toExponential(), v.toFixed(Math.min(20, 5)), v.toPrecision(17)]) {
        const b = Buffer.from(s);
        if (Number.isFinite(Number(s)) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) expect(Object.is(parseDecimal(b, 0, b.length), Number(s))).toBe(true);
      }
    }), { numRuns: 20_000 });
  });

  it("the byte scanner and papaparse (a file with quotes) give the same fit", () => {
    const rows = Array.from({ length: 400 }, (_, i) => `${((i % 2 ? 5 : 0) + Math.sin(i * 7.1)).toFixed(4)},${(Math.cos(i * 3.3) * 2 + (i % 2) * 4).toFixed(4)},s${i % 3}`);
    const plain = file("plain.csv", "a,b,tag\n" + rows.join("\r\n") + "\r\n");
    const quoted = file("quoted.csv", "a,b,tag\n" + rows.map((r, i) => (i === 200 ? r.replace(/s(\d)$/, '"s$1, quoted"') : r)).join("\n") + "\n");
    const p = cli(["fit", plain, "--family", "mvgaussian", "--columns", "a,b", "-k", "2", "--json"]);
    const q = cli(["fit", quoted, "--family", "mvgaussian", "--columns", "a,b", "-k", "2", "--json"]);
    expect(p.err).toBe("");
    expect(JSON.parse(q.out).components).toEqual(JSON.parse(p.out).components);
    // Streamed in 64-byte blocks: the same rows.
    const s = cli(["fit", quoted, "--family", "mvgaussian", "--columns", "a,b", "-k", "2", "--json", "--stream"], undefined, { MIXEM_STREAM_BLOCK: "64" });
    expect(JSON.parse(s.out).fit.nObservations).toBe(400);
  });

  it("a quoted field holding newlines does not cut a streamed row", () => {
    const rows = Array.from({ length: 120 }, (_, i) => `"note ${i}\nsecond line, with a comma\n",${(i % 2 ? 10 : 0) + (i % 5)}`);
    const f = file("notes.csv", "note,x\n" + rows.join("\n") + "\n");
    const whole = cli(["fit", f, "--column", "x", "-k", "2", "--init", "random"]);
    expect(whole.err).toBe("");
    expect(whole.out).toMatch(/120 values/);
    for (const block of ["16", "50", "333"]) {
      const streamed = cli(["fit", f, "--column", "x", "-k", "2", "--stream", "--json"], undefined, { MIXEM_STREAM_BLOCK: block });
      expect(streamed.err).toBe("");
      expect(JSON.parse(streamed.out).fit.nObservations).toBe(120);
    }
  });
});

describe("big files", () => {
  it("a million-row numeric CSV fits in a 48 MB JavaScript heap (no per-row arrays), in memory and streamed", () => {
    const lines: string[] = [];
    for (let i = 0; i < 1_000_000; i++) lines.push(((i % 3 ? 5 : 0) + Math.sin(i * 12.9898) * 1.5).toFixed(5));
    const big = file("million.csv", lines.join("\n") + "\n");
    const run = (extra: string[]) => spawnSync(process.execPath, ["--max-old-space-size=48", join(root, "dist/cli.js"), "fit", big, "-k", "2", "--max-iter", "5", "--quiet", ...extra], { cwd: root, encoding: "utf8", timeout: 60_000 });
    const r = run([]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/1000000 values/);
    const s = run(["--stream"]);
    expect(s.stderr).toBe("");
    expect(s.stdout).toMatch(/1000000 values .*streamed/);
  }, 60_000);
});

describe("--stream through a temporary file", () => {
  const tmp = () => mkdtempSync(join(dir, "tmp-"));
  it("is deleted after the fit and after an error", () => {
    const t1 = tmp();
    const ok = cli([...W, "--stream"], undefined, { TMPDIR: t1 });
    expect(ok.code).toBe(0);
    expect(readdirSync(t1)).toEqual([]);
    const t2 = tmp();
    const bad = cli(["fit", "examples/faithful.csv", "--column", "eruptions", "-k", "2", "--family", "poisson", "--stream"], undefined, { TMPDIR: t2 });
    expect(bad.code).toBe(2);
    expect(readdirSync(t2)).toEqual([]);
  });

  it("is deleted on SIGINT", async () => {
    const t = tmp();
    const big = file("sigint.csv", Array.from({ length: 200_000 }, (_, i) => ((i % 2 ? 5 : 0) + Math.sin(i)).toFixed(4)).join("\n"));
    const child = spawn(process.execPath, [join(root, "dist/cli.js"), "fit", big, "-k", "3", "--stream", "--tol", "0", "--max-iter", "100000", "--quiet"], { env: { ...process.env, TMPDIR: t } });
    const found = await new Promise<boolean>((resolve) => {
      const started = Date.now();
      const look = () => {
        const dirs = readdirSync(t);
        if (dirs.length && existsSync(join(t, dirs[0], "rows.f64"))) return setTimeout(() => resolve(true), 300);
        if (Date.now() - started > 20_000) return resolve(false);
        setTimeout(look, 20);
      };
      look();
    });
    expect(found).toBe(true);
    const code = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    child.kill("SIGINT");
    expect(await code).toBe(130);
    expect(readdirSync(t)).toEqual([]);
  }, 30_000);

  it("shows a progress line while reading, then while fitting", () => {
    const big = file("progress.csv", Array.from({ length: 30_000 }, (_, i) => ((i % 2 ? 5 : 0) + Math.sin(i)).toFixed(4)).join("\n"));
    const r = cli(["fit", big, "-k", "2", "--stream", "--tol", "0", "--max-iter", "30"], undefined, { MIXEM_PROGRESS_AFTER: "0", MIXEM_STREAM_BLOCK: "4096" });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^mixem: reading .*progress\.csv, \d+\.\d MiB of \d+\.\d MiB \(\d+%\)$/m);
    expect(r.err).toMatch(/^mixem: restart 1, iteration \d+/m);
  });
});

describe("--version, predict, numbering", () => {
  it("--version prints package.json's version", () => {
    const r = cli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`mixem ${JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version}\n`);
  });

  it("predict prints each row's component (1-based) and posteriors as CSV, or JSON", async () => {
    const model = file("model.json", cli([...W, "--json"]).out);
    const r = cli(["predict", model, "examples/faithful.csv", "--column", "waiting"]);
    expect(r.err).toBe("");
    const lines = r.out.trim().split("\n");
    expect(lines[0]).toBe("row,component,p1,p2");
    expect(lines).toHaveLength(273);
    const m = loadModel(JSON.parse(readFileSync(model, "utf8")));
    const waiting = readFileSync(join(root, "examples/faithful.csv"), "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(",")[1]));
    const labels = m.predict(waiting), proba = m.predictProba(waiting);
    lines.slice(1).forEach((line, i) => {
      const [row, label, p1, p2] = line.split(",").map(Number);
      expect(row).toBe(i + 1);
      expect(label).toBe(labels[i] + 1);
      expect(p1).toBeCloseTo(proba[2 * i], 5);
      expect(p2).toBeCloseTo(proba[2 * i + 1], 5);
    });
    const j = JSON.parse(cli(["predict", model, "examples/faithful.csv", "--column", "waiting", "--json"]).out);
    expect(j.labels).toEqual(Array.from(labels, (l) => l + 1));
    expect(j.posteriors).toHaveLength(272);
    const mv = file("mv.json", cli(["fit", "examples/faithful.csv", "--family", "mvgaussian", "-k", "2", "--json"]).out);
    expect(cli(["predict", mv, "examples/faithful.csv"]).out.split("\n")[0]).toBe("row,component,p1,p2");
    fails(["predict", mv, "examples/iris.csv"], /mv\.json is a model of 2 columns; examples\/iris\.csv has 4 numeric columns .*choose 2 with --columns\n$/);
    fails(["predict", file("notmodel.json", '{"family": "gaussian"}'), "examples/faithful.csv"], /notmodel\.json is not a mixem model \(/);
    fails(["predict", model], /^mixem: predict needs a model file/);
    fails(["predict", model, "examples/faithful.csv", "--column", "waiting", "-k", "3"], /^mixem: --k is for fitting/);
    void fit;
  });

  it("the help states the 1-based component numbering, predict and --version", () => {
    const r = cli(["--help"]);
    expect(r.out).toMatch(/Components are numbered from 1/);
    expect(r.out).toMatch(/mixem predict <model\.json>/);
    expect(r.out).toMatch(/--version/);
  });
});

describe("the fit table", () => {
  it("lists 1-D components by increasing mean (rate, probability), each with its model number", () => {
    const counts = file("counts.csv", "1\n2\n1\n3\n20\n21\n22\n19\n20\n2\n");
    const r = cli(["fit", counts, "--family", "poisson", "-k", "2", "--init", "random", "--seed", "1", "--quiet", "--json"]);
    const model = JSON.parse(r.out);
    const order = model.components.map((c: { lambda: number }, j: number) => [c.lambda, j + 1]).sort((a: number[], b: number[]) => a[0] - b[0]).map((e: number[]) => String(e[1]));
    const table = cli(["fit", counts, "--family", "poisson", "-k", "2", "--init", "random", "--seed", "1", "--quiet"]).out;
    const numbers = table.split("\n").slice(3, 5).map((l) => l.split(/\s+/)[0]);
    expect(numbers).toEqual(order);
    expect(model.components[0].lambda).toBeGreaterThan(model.components[1].lambda); // this start puts the larger rate first: the table reorders
  });
});
