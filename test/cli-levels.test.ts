// The CLI reads categorical columns of level names (strings) from CSV and JSON: the names, sorted,
// become the model's levels (as the API derives them from string data), the output table shows
// each level's probability by name, `mixem predict` reads names through the model's levels, and
// bad cells (a name the model does not know, a number among names, an empty or NA cell) are
// errors naming the row and column. Runs the built CLI (dist/cli.js).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { fitSync, initSync, loadModel } from "../src/index.js";
import { mulberry32 } from "./helpers.js";

initSync();
const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
let dir = "";
const at = (name: string) => join(dir, name);

// 400 rows: smoker (yes/no), answer (agree/maybe/disagree), visits (a count), from two classes.
const u = mulberry32(11);
const pick = (names: string[], p: number[]) => { let t = u(), l = 0; while (l < p.length - 1 && t >= p[l]) { t -= p[l]; l++; } return names[l]; };
const rows = Array.from({ length: 400 }, (_, i) => {
  const j = i % 2;
  return [pick(["yes", "no"], j ? [0.8, 0.2] : [0.1, 0.9]), pick(["agree", "maybe", "disagree"], j ? [0.7, 0.2, 0.1] : [0.1, 0.3, 0.6]), Math.floor(u() * 3) + 3 * j] as [string, string, number];
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mixem-levels-"));
  writeFileSync(at("s.csv"), ["id,smoker,answer,visits", ...rows.map((r, i) => `${i + 1},${r[0]},${r[1]},${r[2]}`)].join("\n") + "\n");
  writeFileSync(at("s.json"), JSON.stringify(rows.map((r) => ({ smoker: r[0], answer: r[1], visits: r[2] }))));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("categorical columns of level names", () => {
  const api = () => fitSync(rows.map((r) => [r[0], r[1]]), { family: "categorical", k: 2, seed: 1, accelerate: "squarem" });

  it("fit: the sorted names are the levels, as the API's fit of the same strings; the table names each level", () => {
    const ref = api();
    for (const file of ["s.csv", "s.json"]) {
      const r = run(["fit", at(file), "--family", "categorical", "--columns", "smoker,answer", "-k", "2", "--seed", "1", "--quiet", "--json"]);
      expect(r.stderr).toBe("");
      const m = JSON.parse(r.stdout);
      expect(m.settings.levels).toEqual([["no", "yes"], ["agree", "disagree", "maybe"]]);
      expect(m.settings.levels).toEqual(ref.settings.levels);
      expect(m.fit.logLikelihood).toBe(ref.logLikelihood);
      expect(m.components).toEqual(JSON.parse(JSON.stringify(ref.components)));
    }
    const t = run(["fit", at("s.csv"), "--family", "categorical", "--columns", "smoker,answer", "-k", "2", "--seed", "1", "--quiet"]);
    expect(t.status).toBe(0);
    const c = ref.components[0] as { p: number[][] };
    expect(t.stdout).toContain(`no ${c.p[0][0].toFixed(4)}, yes ${c.p[0][1].toFixed(4)}`);
    expect(t.stdout).toContain(`agree ${c.p[1][0].toFixed(4)}, disagree ${c.p[1][1].toFixed(4)}, maybe ${c.p[1][2].toFixed(4)}`);
  });

  it("a column of 300 and one of 65,536 level names (the most) (the row index widens from a byte per row as names are added): the API's fit of the same strings", () => {
    const v = mulberry32(5);
    const many = Array.from({ length: 3000 }, (_, i) => [`lvl${String(Math.floor(v() * 300)).padStart(3, "0")}`, i % 2 ? "b" : "a"]);
    writeFileSync(at("many.csv"), ["big,small", ...many.map((r) => r.join(","))].join("\n") + "\n");
    const r = run(["fit", at("many.csv"), "--family", "categorical", "--columns", "big,small", "-k", "2", "--seed", "1", "--max-iter", "5", "--quiet", "--json"]);
    expect(r.stderr).toBe("");
    const m = JSON.parse(r.stdout), ref = fitSync(many, { family: "categorical", k: 2, seed: 1, maxIter: 5, accelerate: "squarem" });
    expect(m.settings.levels[0]).toHaveLength(300);
    expect(m.settings.levels).toEqual(ref.settings.levels);
    expect(m.fit.logLikelihood).toBe(ref.logLikelihood);
    // The 65,536th name needs more than a Uint16 per row.
    const names = Array.from({ length: 65_536 }, (_, i) => `n${i}`);
    writeFileSync(at("wide.csv"), ["name", ...names, ...names.slice(0, 5)].join("\n") + "\n");
    const w = run(["fit", at("wide.csv"), "--family", "categorical", "--columns", "name", "-k", "1", "--max-iter", "1", "--quiet", "--json"]);
    expect(w.stderr).toBe("");
    const p = JSON.parse(w.stdout).components[0].p[0] as number[];
    expect(p).toHaveLength(65_536);
    // The 5 repeated names (n0 … n4, sorted as strings) have twice the others' probability.
    const sorted = [...names].sort();
    for (const q of ["n0", "n1", "n2", "n3", "n4", "n65535"]) expect(p[sorted.indexOf(q)] / p[sorted.indexOf("n5")], q).toBeCloseTo(q === "n65535" ? 1 : 2, 12);
    // A name of id 256 … 65,534 after the 65,536th: the row index stays 32-bit (it was cut back to 16 bits: the 65,536th row "missing").
    writeFileSync(at("wide2.csv"), ["name", ...names, "n300"].join("\n") + "\n");
    const w2 = run(["fit", at("wide2.csv"), "--family", "categorical", "--columns", "name", "-k", "1", "--max-iter", "1", "--quiet", "--json"]);
    expect(w2.stderr).toBe("");
    const p2 = JSON.parse(w2.stdout).components[0].p[0] as number[];
    expect(p2[sorted.indexOf("n300")] / p2[sorted.indexOf("n65535")]).toBeCloseTo(2, 12);
  }, 60_000);

  it("the table shows a column of more than 20 levels as its 19 most probable and the others' sum (named or coded); --json has them all", () => {
    const v = mulberry32(8);
    const picks = Array.from({ length: 2000 }, () => Math.floor(v() * 300));
    writeFileSync(at("wide-names.csv"), ["zip,small", ...picks.map((c, i) => `z${c},${i % 3}`)].join("\n") + "\n");
    writeFileSync(at("wide-codes.csv"), ["zip,small", ...picks.map((c, i) => `${c},${i % 3}`)].join("\n") + "\n");
    for (const [file, prefix] of [["wide-names.csv", "z"], ["wide-codes.csv", ""]]) {
      const args = ["fit", at(file), "--family", "categorical", "-k", "2", "--seed", "1", "--quiet"];
      const t = run(args), m = JSON.parse(run([...args, "--json"]).stdout);
      expect(t.stderr).toBe("");
      const p = m.components[0].p[0] as number[], names = m.settings.levels[0] as (string[] | number);
      const line = t.stdout.split("\n").find((l: string) => l.startsWith("  p "))!;
      const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
      const name = (l: number) => (Array.isArray(names) ? names[l] : String(l));
      expect(line.startsWith(`  p           ${name(order[0])} `), file).toBe(true);
      expect(line, file).toContain(`, … ${p.length - 19} more levels (Σ `);
      expect(line.split(", ").length, file).toBe(20);
      expect(name(order[0]).startsWith(prefix)).toBe(true);
      // The small column (3 levels) is shown whole, as before.
      expect(t.stdout, file).toMatch(/\n {14}\[[^,\]]+, [^,\]]+, [^,\]]+\]\n/);
    }
  });

  it("a column of codes beside columns of names keeps its codes (its count of levels from the data)", () => {
    const r = run(["fit", at("s.csv"), "--family", "categorical", "--columns", "smoker,visits", "-k", "2", "--seed", "1", "--quiet", "--json"]);
    expect(r.stderr).toBe("");
    const m = JSON.parse(r.stdout);
    expect(m.settings.levels).toEqual([["no", "yes"], 6]);
    const ref = fitSync(rows.map((x) => [x[0] === "no" ? 0 : 1, x[2]]), { family: "categorical", k: 2, seed: 1, accelerate: "squarem" });
    expect(m.fit.logLikelihood).toBe(ref.logLikelihood);
  });

  it("predict reads names through the model's levels: the API's posteriors", () => {
    const r = run(["fit", at("s.csv"), "--family", "categorical", "--columns", "smoker,answer", "-k", "2", "--seed", "1", "--quiet", "--json"]);
    writeFileSync(at("m.json"), r.stdout);
    const p = run(["predict", at("m.json"), at("s.csv"), "--columns", "smoker,answer", "--json"]);
    expect(p.stderr).toBe("");
    const model = loadModel(JSON.parse(r.stdout));
    const expected = Array.from(model.predict(rows.map((x) => [x[0], x[1]])), (j) => j + 1);
    expect(JSON.parse(p.stdout).labels).toEqual(expected);
    // Without --columns: the model's two columns are the file's columns of names.
    writeFileSync(at("two.csv"), ["smoker,answer", ...rows.map((x) => `${x[0]},${x[1]}`)].join("\n") + "\n");
    expect(JSON.parse(run(["predict", at("m.json"), at("two.csv"), "--json"]).stdout).labels).toEqual(expected);
  });

  it("an independent model: its categorical columns of names, beside a count column; predict", () => {
    const r = run(["fit", at("s.csv"), "--family", "independent", "--columns", "smoker:categorical,answer:categorical,visits:poisson", "-k", "2", "--seed", "1", "--quiet", "--json"]);
    expect(r.stderr).toBe("");
    const m = JSON.parse(r.stdout);
    expect(m.settings.columnData.map((c: { levels?: unknown }) => c.levels)).toEqual([[["no", "yes"]], [["agree", "disagree", "maybe"]], undefined]);
    const ref = fitSync(rows, { family: "independent", columns: [{ family: "categorical" }, { family: "categorical" }, { family: "poisson" }], k: 2, seed: 1, accelerate: "squarem" } as never);
    expect(m.fit.logLikelihood).toBe(ref.logLikelihood);
    const t = run(["fit", at("s.csv"), "--family", "independent", "--columns", "smoker:categorical,answer:categorical,visits:poisson", "-k", "2", "--seed", "1", "--quiet"]);
    expect(t.stdout).toMatch(/p \[no \d\.\d{4}, yes \d\.\d{4}\]/);
    expect(t.stdout).toMatch(/p \[agree \d\.\d{4}, disagree \d\.\d{4}, maybe \d\.\d{4}\]/);
    writeFileSync(at("mi.json"), r.stdout);
    const p = run(["predict", at("mi.json"), at("s.csv"), "--columns", "smoker,answer,visits", "--json"]);
    expect(p.stderr).toBe("");
    expect(JSON.parse(p.stdout).labels).toEqual(Array.from(loadModel(m).predict(rows), (j) => j + 1));
  });

  it("bad cells name their row and column; missing cells follow --missing", () => {
    writeFileSync(at("new.csv"), "smoker,answer\nyes,agree\nperhaps,agree\n");
    const p = run(["predict", at("m.json"), at("new.csv"), "--columns", "smoker,answer"]);
    expect(p.status).toBe(2);
    expect(p.stderr).toBe(`mixem: ${at("new.csv")}, row 2, column smoker: "perhaps" is not one of the column's levels ("no", "yes")\n`);
    // --stream reads numbers only: a name there says that level names are read in memory.
    const streamed = run(["fit", at("new.csv"), "--family", "categorical", "--columns", "smoker,answer", "-k", "1", "--stream"]);
    expect(streamed.stderr).toBe(`mixem: ${at("new.csv")}, row 1, column smoker: "yes" is not a number (level names are read in memory only, not with --stream)\n`);
    // A cell of 10⁵ characters is quoted by its start and length, not in full.
    writeFileSync(at("long.csv"), `smoker,answer\nyes,agree\n${"y".repeat(100_000)},agree\n`);
    const long = run(["predict", at("m.json"), at("long.csv"), "--columns", "smoker,answer"]);
    expect(long.stderr).toBe(`mixem: ${at("long.csv")}, row 2, column smoker: "${"y".repeat(60)}"… (100000 characters) is not one of the column's levels ("no", "yes")\n`);
    writeFileSync(at("mixed.csv"), "smoker,answer\nyes,agree\n3,agree\n");
    const q = run(["fit", at("mixed.csv"), "--family", "categorical", "--columns", "smoker,answer", "-k", "1", "--quiet"]);
    expect(q.stderr).toBe(`mixem: ${at("mixed.csv")}, row 2, column smoker: 3 is a number, but the column holds level names; use one or the other\n`);
    writeFileSync(at("na.csv"), "smoker,answer\nyes,agree\nno,NA\nno,maybe\n");
    const na = run(["fit", at("na.csv"), "--family", "categorical", "--columns", "smoker,answer", "-k", "1", "--quiet"]);
    expect(na.status).toBe(2);
    expect(na.stderr).toMatch(/row 2, column answer: an empty or NA cell \(a missing value\)/);
    // --missing marginalize reads it as missing; the family then says whether it fits around it.
    const ml = run(["fit", at("na.csv"), "--family", "categorical", "--columns", "smoker,answer", "-k", "1", "--quiet", "--missing", "marginalize"]);
    expect(ml.status).toBe(2);
    expect(ml.stderr).toMatch(/--missing: "marginalize" is not available for this family/);
  });
});
