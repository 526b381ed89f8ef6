// The command line, run from the built dist/cli.js as a user would run it.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fitSync, loadModel } from "../src/index.js";
import { FAMILIES, FAMILY_NAMES } from "../src/families/index.js";
import { mulberry32, normal } from "./helpers.js";
import { cliWithPeakRss } from "./cli-rss.js";

/** The families that take rows (the CLI's --columns), in the registry's order. */
const ROW_FAMILIES = FAMILY_NAMES.filter((f) => FAMILIES[f].shape === "rows");

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = (args: string[], input?: string, env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [join(root, "dist/cli.js"), ...args], { cwd: root, input, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "mixem-cli-"));

describe("mixem fit", () => {
  it("a Student t's table names √variance the scale (a t's sd is scale·√(ν/(ν − 2))); select's progress gives its sign", () => {
    const r = cli(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2", "--family", "t", "--seed", "1"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^component +weight +mean +variance +dof +scale$/m);
    const g = cli(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2"]);
    expect(g.out).toMatch(/^component +weight +mean +variance +sd$/m);
    const s = cli(["select", "examples/faithful.csv", "--column", "waiting", "-k", "1..2"]);
    expect(s.code).toBe(0);
    expect(s.err).toMatch(/^mixem: k = 1.*: BIC \d+\.\d\d \(lower is better\)$/m);
  });
  it("prints the model's warnings, with the table's component numbers (a component on a repeated value: at the floor)", () => {
    const u = mulberry32(40);
    const values = [...Array.from({ length: 300 }, () => (10 + normal(u)).toFixed(4)), ...Array(30).fill("50")];
    const r = cli(["fit", "-", "-k", "2", "--seed", "1"], `x\n${values.join("\n")}\n`);
    expect(r.code).toBe(0);
    const spike = r.out.match(/^(\d)\s+0\.0909\s+50\.0000/m);
    expect(spike).not.toBeNull();
    expect(r.out).toMatch(new RegExp(`^warning\\s+VARIANCE_AT_FLOOR, component ${spike![1]}: variance .* is at the floor regCovar × var\\(data\\)`, "m"));
    expect(cli(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2"]).out).not.toMatch(/warning/);
  });
  it("fits the bundled Old Faithful waiting times and prints a table", () => {
    const r = cli(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/gaussian mixture, k = 2, 272 values/);
    // The CLI fits with SQUAREM: at the default tol it reaches the optimum plain EM reaches with
    // tol 0 (54.61486, 34.47122, −1034.0017498; plain EM at tol 1e-8 stops at 54.6157, −1034.0018).
    expect(r.out).toMatch(/^1\s+0\.3609\s+54\.6149\s+34\.4712\s+5\.8712$/m);
    expect(r.out).toMatch(/log-likelihood\s+-1034\.0017/);
    expect(r.out).toMatch(/BIC\s+2096\.03/);
    expect(r.out).toMatch(/iterations\s+\d+ \(converged\), \d+ passes over the data/);
  });

  it("--json prints a loadable model with BIC and AIC", () => {
    const r = cli(["fit", "examples/faithful.csv", "--column", "2", "-k", "2", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.criteria.bic).toBeCloseTo(2096.0325, 3);
    expect(loadModel(json).components).toHaveLength(2);
  });

  it("reads JSON and standard input; binomial with a trials column", () => {
    const file = join(dir, "coins.json");
    writeFileSync(file, JSON.stringify([{ heads: 5, n: 10 }, { heads: 9, n: 10 }, { heads: 8, n: 10 }, { heads: 4, n: 10 }, { heads: 7, n: 10 }]));
    const r = cli(["fit", file, "--family", "binomial", "--column", "heads", "--trials-column", "n", "-k", "2", "--fix-weights", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).family).toBe("binomial");
    const s = cli(["fit", "-", "--family", "poisson", "-k", "2"], "1\n2\n3\n10\n11\n12\n");
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/poisson mixture, k = 2, 6 values \(standard input, column 1\)/);
  });

  it("shows a progress line on stderr while a long fit runs", () => {
    const file = join(dir, "big.csv");
    const lines: string[] = [];
    for (let i = 0; i < 600_000; i++) lines.push(((i % 2 ? 5 : 0) + Math.sin(i * 12.9898) * 2).toFixed(5));
    writeFileSync(file, lines.join("\n"));
    const r = cli(["fit", file, "-k", "2", "--tol", "0", "--max-iter", "150"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/mixem: restart 1, iteration \d+, log-likelihood -?\d/);
    const q = cli(["fit", file, "-k", "2", "--tol", "0", "--max-iter", "20", "--quiet"]);
    expect(q.err).toBe("");
  }, 60_000);

  it.each([
    [["fit", "missing.csv", "-k", "2"], /^mixem: cannot read missing\.csv: ENOENT\n$/],
    [["fit", "examples/faithful.csv", "-k", "2"], /^mixem: examples\/faithful\.csv has several numeric columns \(eruptions, waiting\); choose one with --column\n$/],
    [["fit", "examples/faithful.csv", "--column", "speed", "-k", "2"], /^mixem: examples\/faithful\.csv has no column "speed" \(columns: eruptions, waiting\)\n$/],
    [["fit", "examples/faithful.csv", "--column", "waiting"], /^mixem: -k is required/],
    [["fit", "examples/faithful.csv", "--column", "waiting", "-k", "two"], /^mixem: -k: "two" is not a number\n$/],
    [["fit", "examples/faithful.csv", "--column", "waiting", "-k", "0"], /^mixem: options\.k: must be between 1/],
    [["fit", "examples/faithful.csv", "--column", "eruptions", "-k", "2", "--family", "poisson"], /^mixem: examples\/faithful\.csv, row 1, column eruptions: 3\.6 is not a valid count \(a non-negative integer\)\n$/],
    [["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2", "--bogus"], /^mixem: Unknown option '--bogus'/],
    [["frobnicate", "x"], /^mixem: unknown command "frobnicate"/],
  ])("bad input %j: one line on stderr, exit 2", (args, message) => {
    const r = cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });

  it("--plot with trials: an independent fit draws a binomial column with --trials, lists the binomial column's parameters; a binomial fit says why it has no picture", () => {
    const file = join(dir, "trials-plot.csv"), svg = join(dir, "trials-plot.svg");
    writeFileSync(file, "h,heads,n\n" + Array.from({ length: 400 }, (_, i) => `${(i % 2) * 4 + (i % 7) / 7},${Math.floor(((i % 2) ? 0.7 : 0.2) * (5 + (i % 9)))},${5 + (i % 9)}`).join("\n") + "\n");
    const r = cli(["fit", file, "--family", "independent", "--columns", "h:gaussian,heads:binomial", "--trials-column", "n", "-k", "2", "--quiet", "--plot", svg]);
    expect(r.code, r.err).toBe(0);
    const picture = readFileSync(svg, "utf8");
    expect(picture).toContain("heads (binomial)");
    expect(picture).toMatch(/component 1 \(w [\d.]+\): p [\d.]+/);
    // One number of trials for the whole model (--trials): the column is drawn as counts (the option was refused by the picture).
    const c = cli(["fit", file, "--family", "independent", "--columns", "h:gaussian,heads:binomial", "--trials", "13", "-k", "2", "--quiet", "--plot", svg]);
    expect(c.code, c.err).toBe(0);
    expect(readFileSync(svg, "utf8")).toContain("mixture probability");
    const b = cli(["fit", file, "--family", "binomial", "--column", "heads", "--trials-column", "n", "-k", "2", "--quiet", "--plot", svg]);
    expect(b.code).toBe(2);
    expect(b.err).toBe("mixem: --plot: a binomial picture needs one number of trials; this fit has per-row trials (--trials-column)\n");
  });

  it("a bad value in a several-column fit names its file, row and column (the data travels as one flat array)", () => {
    const file = join(dir, "bad-count.csv");
    writeFileSync(file, "a,b,n\n1.5,2,5\n2.5,2.5,5\n0.5,1,5\n");
    const r = cli(["fit", file, "--family", "independent", "--columns", "a:gaussian,b:binomial", "--trials-column", "n", "-k", "1"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`mixem: ${file}, row 2, column b: 2.5 is not a valid count (a non-negative integer)\n`);
    writeFileSync(file, "a,b\n1,2\n2,3\n4,-2\n");
    expect(cli(["fit", file, "--family", "independent", "--columns", "a:poisson,b:poisson", "-k", "1"]).err).toBe(`mixem: ${file}, row 3, column b: -2 is not a valid count (a non-negative integer)\n`);
  });

  it("a bad value names its row and column", () => {
    const r = cli(["fit", "-", "-k", "1"], "a\n1\nx\n");
    expect(r.code).toBe(2);
    expect(r.err).toBe('mixem: standard input, row 2, column a: "x" is not a number\n');
  });

  it("mvgaussian on every numeric column of iris (the species column is skipped)", () => {
    const r = cli(["fit", "examples/iris.csv", "--family", "mvgaussian", "--covariance", "full", "-k", "3", "--n-init", "3"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/mvgaussian mixture, full covariance, k = 3, 150 rows × 4 \(examples\/iris\.csv, columns sepal_length, sepal_width, petal_length, petal_width\)/);
    expect(r.out).toMatch(/log-likelihood\s+-180\.185/);
    expect(r.out.match(/^component \d/gm)).toHaveLength(3);
  });

  it("--columns picks columns; --prior reports the log-posterior; --json is loadable", () => {
    const r = cli(["fit", "examples/faithful.csv", "--family", "mvgaussian", "--covariance", "diag", "--columns", "waiting,eruptions", "-k", "2", "--prior", "--json"]);
    expect(r.code).toBe(0);
    const m = loadModel(JSON.parse(r.out));
    expect(m.dims).toBe(2);
    expect(m.settings.covariance).toBe("diag");
    expect(m.logPosterior).toBeLessThan(m.logLikelihood);
    const t = cli(["fit", "examples/faithful.csv", "--family", "mvgaussian", "--columns", "waiting,eruptions", "-k", "2", "--prior"]);
    expect(t.out).toMatch(/log-posterior\s+-\d/);
  });

  it("bernoulli from a 0/1 CSV", () => {
    const file = join(dir, "bits.csv");
    writeFileSync(file, "a,b,c\n" + Array.from({ length: 40 }, (_, i) => (i % 2 ? "1,1,0" : i % 3 ? "0,0,1" : "0,1,1")).join("\n"));
    const r = cli(["fit", file, "--family", "bernoulli", "-k", "2"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/bernoulli mixture, k = 2, 40 rows × 3/);
    expect(r.out).toMatch(/^  p\s+\[/m);
  });

  it.each([
    [["fit", "examples/iris.csv", "--family", "mvgaussian", "--column", "species", "-k", "2"], /^mixem: --family mvgaussian takes --columns \(several\), not --column\n$/],
    [["fit", "examples/iris.csv", "--family", "mvgaussian", "--columns", "sepal_length,petal", "-k", "2"], /^mixem: examples\/iris\.csv has no column "petal"/],
    [["fit", "examples/iris.csv", "--family", "mvgaussian", "--columns", "sepal_length,species", "-k", "2"], /^mixem: examples\/iris\.csv, row 1, column species: "setosa" is not a number\n$/],
    [["fit", "examples/faithful.csv", "--columns", "waiting,eruptions", "-k", "2"], new RegExp(`^mixem: --columns is for --family ${ROW_FAMILIES.slice(0, -1).join(", ")} or ${ROW_FAMILIES.at(-1)}; use --column\n$`)],
  ])("multivariate usage error %j", (args, message) => {
    const r = cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("--stream reads the file in pieces, once per pass: same fit as in memory", () => {
    const whole = cli(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2"]);
    const streamed = cli(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2", "--stream"]);
    expect(streamed.code).toBe(0);
    expect(streamed.out.replace(", streamed)", ")")).toBe(whole.out);
    // 300-byte pieces: many pieces, seeds from the first; the same optimum.
    const pieces = cli(["fit", "examples/faithful.csv", "--family", "mvgaussian", "-k", "2", "--stream"], undefined, { MIXEM_STREAM_BLOCK: "300" });
    expect(pieces.out).toMatch(/272 rows × 2 \(examples\/faithful\.csv, columns eruptions, waiting, streamed\)/);
    expect(pieces.out).toMatch(/log-likelihood\s+-1130\.2640/);
  });

  it("files above the threshold stream automatically; streaming errors are one line", () => {
    const auto = cli(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2"], undefined, { MIXEM_STREAM_ABOVE: "1000" });
    expect(auto.out).toMatch(/column waiting, streamed\)/);
    const bad = (args: string[], message: RegExp, input?: string) => {
      const r = cli(args, input, { MIXEM_STREAM_BLOCK: "300" });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    };
    bad(["fit", "-", "-k", "1", "--stream"], /^mixem: --stream reads the file once per EM pass; it cannot read standard input\n$/, "1\n2\n");
    bad(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2", "--stream", "--plot", "x.svg"], /^mixem: --plot needs the data in memory/);
    bad(["fit", "examples/iris.csv", "--family", "mvgaussian", "--columns", "sepal_length,species", "-k", "2", "--stream"], /^mixem: examples\/iris\.csv, row 1, column species: "setosa" is not a number\n$/);
  });

  it("--help", () => {
    const r = cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage:\n  mixem fit <file\.csv \| file\.json \| file\.parquet \| file\.arrow \| -> \[options\]/);
  });
});

describe("per-row columns read into WebAssembly memory", () => {
  it("binomial with --trials-column from a CSV file: the API's fit, bit for bit", () => {
    // (Reading the trials into a JavaScript array, then copying them into the fit, moved the
    // data's view of WebAssembly memory: every such fit failed with "data: is empty".)
    const u = mulberry32(21), n = 3000, heads: number[] = [], trials: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = 5 + (i % 20);
      let x = 0;
      for (let j = 0; j < t; j++) if (u() < (i % 2 ? 0.7 : 0.25)) x++;
      heads.push(x);
      trials.push(t);
    }
    const file = join(dir, "coins.csv");
    writeFileSync(file, "heads,n\n" + heads.map((x, i) => `${x},${trials[i]}`).join("\n") + "\n");
    const r = cli(["fit", file, "--family", "binomial", "--column", "heads", "--trials-column", "n", "-k", "2", "--json", "--quiet"]);
    expect(r.code, r.err).toBe(0);
    const api = fitSync(heads, { family: "binomial", trials, k: 2, accelerate: "squarem" });
    expect(JSON.parse(r.out).fit.logLikelihood).toBe(api.logLikelihood);
  });

  it("an independent fit of 10^6 rows (gaussian, binomial with a trials column, level names) peaks below 3.25× its values above a small fit", () => {
    const n = 1_000_000, u = mulberry32(5), names = ["yes", "no", "maybe"];
    const lines = ["h,heads,n,answer"];
    for (let i = 0; i < n; i++) {
      const c = i % 2, t = 5 + (i % 20);
      lines.push(`${((c ? 3 : 0) + normal(u)).toFixed(4)},${Math.min(t, Math.floor(u() * t * (c ? 0.8 : 0.4)))},${t},${names[(i * 7 + c) % 3]}`);
    }
    const file = join(dir, "mixed.csv");
    writeFileSync(file, lines.join("\n") + "\n");
    // Peak RSS of the CLI process (KiB).
    const peak = cliWithPeakRss(dir, root), run = (args: string[]) => peak(args).kib;
    const base = run(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2", "--quiet", "--threads", "1"]);
    const big = run(["fit", file, "--family", "independent", "--columns", "h:gaussian,heads:binomial,answer:categorical", "--trials-column", "n", "-k", "2", "--quiet", "--threads", "1", "--max-iter", "5"]);
    const values = (n * 4 * 8) / 1024; // KiB: four columns of doubles
    console.log(`independent CLI peak RSS: ${(base / 1024).toFixed(0)} MiB on a small file, ${(big / 1024).toFixed(0)} MiB on ${n} rows (${(values / 1024).toFixed(0)} MiB of values)`);
    // Measured 2.5× (77 MiB above the small fit: the table with the trials after the chosen
    // columns, one scratch column, k-means++'s distances, the level names' row ids); 7.5× when each
    // column was a JavaScript array, then a region, then an interleaved copy, with n × 5 seed points
    // and the categorical column's one-hot a second n × 3. A JavaScript array per column (+1×) or
    // per row (≥ 1.3×), or the seed points made whole (+1.25×), would cross the bound.
    expect(big - base).toBeLessThan(3.25 * values);
  }, 120_000);
});
