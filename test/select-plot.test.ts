// selectK (BIC / AIC / ICL over k) and the SVG pictures; and the CLI commands that use them.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fitSync, initSync, plotFit, plotSelection, selectK } from "../src/index.js";
import { drawLabels, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const root = fileURLToPath(new URL("..", import.meta.url));
const faithful = readFileSync(`${root}examples/faithful.csv`, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
const u = mulberry32(8);
const three = drawLabels(u, 900, [0.3, 0.4, 0.3]).map((j) => 6 * j + normal(u));

describe("selectK", () => {
  it("finds 3 well-separated groups by BIC and ICL (AIC, known to overfit, at least 3), and scores every k", () => {
    for (const criterion of ["bic", "aic", "icl"] as const) {
      const s = selectK(three, { kRange: [1, 5], criterion, seed: 1, covariance: "V" });
      if (criterion === "aic") expect(s.k).toBeGreaterThanOrEqual(3);
      else expect(s.k).toBe(3);
      expect(s.scores.map((e) => e.k)).toEqual([1, 2, 3, 4, 5]);
      expect(s.best.k).toBe(s.k);
      for (const e of s.scores) {
        expect(e.bic).toBeCloseTo(-2 * e.logLikelihood + e.nParameters * Math.log(900), 6);
        expect(e.aic).toBeCloseTo(-2 * e.logLikelihood + 2 * e.nParameters, 6);
        expect(e.icl).toBeGreaterThanOrEqual(e.bic);
      }
    }
  });
  it("faithful (2-D): mclust's VVV BIC values (its sign flipped)", () => {
    // covariance "full": mclust's VVV column (selectK for mvgaussian searches every model unless given one).
    const s = selectK(faithful, { family: "mvgaussian", covariance: "full", kRange: [1, 3] });
    expect(s.k).toBe(2);
    expect(s.scores[1].bic).toBeCloseTo(2322.19, 1);
  });
  it("stops at the number of distinct values; bad ranges are errors", () => {
    expect(selectK([1, 1, 2, 2, 3], { kRange: [1, 6] }).scores.map((e) => `${e.mclust}${e.k}`)).toEqual(["E1", "V1", "E2", "V2", "E3", "V3"]);
    expect(() => selectK(three, { kRange: [3, 1] })).toThrow(/^options\.kRange: must be \[min, max\]/);
    expect(() => selectK(three, { criterion: "waic" as never })).toThrow(/^options\.criterion: must be one of/);
  });
});

describe("plots (SVG strings)", () => {
  const wellFormed = (svg: string) => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  };
  it("1-D gaussian: histogram bars, one dashed curve per component, the mixture", () => {
    const m = fitSync(three, { k: 3, seed: 1 });
    const svg = plotFit(m, three, { title: "three <groups>" });
    wellFormed(svg);
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(3);
    expect(svg).toContain("three &lt;groups&gt;");
    expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThan(10);
  });
  it("counts: bars per value and the pmf; 2-D: points per row and two ellipses per component", () => {
    const counts = drawLabels(u, 300, [0.5, 0.5]).map((j) => poissonDraw(u, j ? 8 : 2));
    wellFormed(plotFit(fitSync(counts, { family: "poisson", k: 2 }), counts));
    const b = fitSync([1, 2, 8, 9, 7, 2], { family: "binomial", trials: 10, k: 2 });
    wellFormed(plotFit(b, [1, 2, 8, 9, 7, 2]));
    const mv = fitSync(faithful, { family: "mvgaussian", k: 2 });
    const svg = plotFit(mv, faithful, { labels: ["eruptions", "waiting"] });
    wellFormed(svg);
    expect(svg.match(/<circle /g)).toHaveLength(272);
    expect(svg.match(/Z" fill="none"/g)).toHaveLength(4);
  });
  it("selection: one point per k, the best one marked", () => {
    const s = selectK(three, { kRange: [1, 4], covariance: "V" }); // one model: one line (E and V: mclust's BIC plot, test/mclust-vector.test.ts)
    const svg = plotSelection(s);
    wellFormed(svg);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg.match(/fill="#d62728"/g)).toHaveLength(1);
  });
});

describe("CLI: select and --plot", () => {
  const dir = mkdtempSync(join(tmpdir(), "mixem-plot-"));
  const cli = (args: string[]) => spawnSync(process.execPath, [join(root, "dist/cli.js"), ...args], { cwd: root, encoding: "utf8" });
  it("mixem select prints every k's scores, marks the best, writes the BIC plot", () => {
    const file = join(dir, "bic.svg");
    // One covariance model: the per-k table (every model, the default, prints mclust's table: see below).
    const r = cli(["select", "examples/faithful.csv", "--family", "mvgaussian", "--covariance", "full", "-k", "1..4", "--plot", file, "--quiet"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/best by BIC: k = 2/);
    // k = 2 stops where Mclust() stops (its relative rule): mclust's VVV,2 cell, −1130.26407 (run on, −1130.26396).
    expect(r.stdout).toMatch(/^2\s+-1130\.2641\s+2322\.19\s+.*<-$/m);
    expect(readFileSync(file, "utf8")).toMatch(/^<svg/);
    const j = JSON.parse(cli(["select", "examples/faithful.csv", "--column", "waiting", "-k", "1..3", "--json", "--quiet"]).stdout);
    expect(j.k).toBe(2);
    // A column: Mclust(x)'s E and V per k (mclust's names in each entry).
    expect(j.scores.map((e: { mclust: string; k: number }) => `${e.mclust}${e.k}`)).toEqual(["E1", "V1", "E2", "V2", "E3", "V3"]);
    // The best's model, as the API's selection names it (sel.covariance, sel.mclust).
    expect([j.covariance, j.mclust]).toEqual(["E", "E"]);
    const mv = JSON.parse(cli(["select", "examples/faithful.csv", "--family", "mvgaussian", "-k", "1..3", "--json", "--quiet"]).stdout);
    expect([mv.covariance, mv.mclust, mv.k]).toEqual(["tied", "EEE", 3]); // Mclust(faithful, G = 1:3): EEE, 3
  });
  it("mixem fit --plot writes the picture; bad --plot arguments are one-line errors", () => {
    const file = join(dir, "fit.svg");
    expect(cli(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2", "--plot", file]).status).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/<svg[\s\S]*waiting[\s\S]*<\/svg>/);
    const bad = cli(["fit", "examples/faithful.csv", "--column", "waiting", "-k", "2", "--plot", join(dir, "x.png")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("mixem: --plot writes SVG: give a file name ending in .svg\n");
    const range = cli(["select", "examples/faithful.csv", "--column", "waiting", "-k", "two"]);
    expect(range.stderr).toBe('mixem: -k: "two" is not a range like 1..8\n');
  });
});
