// plotFit with sampleWeights: a weight of 0 draws as the row removed, integer weights as the rows
// duplicated — the same bins, cells and shares, the same SVG but for the legend's count of the data.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fitSync, initSync, MixemError, plotFit, plotSelection, selectK, type MixtureModel } from "../src/index.js";
import { bin1, bin2, checkWeights, extent, robustRange, rowsOf, valuesOf, weighted, type Grid2 } from "../src/plot/data.js";
import { mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const root = fileURLToPath(new URL("..", import.meta.url));

/** Integer weights 0–3, the first three [2, 1, 0]. */
function weightsFor(n: number, seed: number): number[] {
  const u = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => (i < 3 ? [2, 1, 0][i] : Math.floor(u() * 4)));
}
/** Each row repeated w_i times (a row of weight 0 left out). */
function duplicated<T>(rows: T[], w: number[]): T[] {
  const out: T[] = [];
  rows.forEach((r, i) => { for (let c = 0; c < w[i]; c++) out.push(r); });
  return out;
}
/** The legend's count of weighted data ("4,321 values (Σ w 6,543)") written as the duplicated rows' ("6,543 values"). */
const asDuplicated = (svg: string) => svg.replace(/[\d,]+ (values|counts|points) \(Σ w ([\d,]+)\)/g, "$2 $1");
/** The SVG without its legend (a wider legend text may move the legend box). */
const unlabelled = (svg: string) => svg.replace(/<g font-size="11">.*?<\/g>/g, "");
const thrown = (f: () => unknown): MixemError => {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(MixemError); return e as MixemError; }
  throw new Error("did not throw");
};

describe("integer weights draw as duplicated rows, weight 0 as the row removed", () => {
  const u = mulberry32(5);
  it("the binned numbers: extent, robust range, 1-D bins, 2-D cells", () => {
    const n = 3000, x = Array.from({ length: n }, () => (u() < 0.4 ? normal(u) : 5 + normal(u)));
    x[2] = 1e6; // weight 0: not in the range, not counted as beyond it
    x[7] = -500; // weight > 0: beyond the axis, counted w times
    const w = weightsFor(n, 1);
    w[7] = 3;
    const tw = weighted(valuesOf(x), checkWeights(w, n)), td = valuesOf(duplicated(x, w));
    expect(extent(tw)).toEqual(extent(td));
    const { min, max } = extent(td);
    const r = robustRange(td, 0, min[0], max[0]);
    expect(robustRange(tw, 0, min[0], max[0])).toEqual(r);
    expect(r.limLo).toBeGreaterThan(-500);
    const bw = bin1(tw, 0, r.lo, r.hi, 55), bd = bin1(td, 0, r.lo, r.hi, 55);
    expect(bw.counts).toEqual(bd.counts);
    expect(bw.outsideWeight).toBe(bd.outside);
    expect(bw.outside).toBe(1);
    const rows = x.map((v) => [v, v * 0.5 + normal(u)]);
    const grid = (): Grid2[] => [{ x: 0, y: 1, nx: 17, ny: 11, xr: [-4, 9], yr: [-4, 6], counts: new Float64Array(17 * 11) }];
    const gw = grid(), gd = grid();
    expect(bin2(weighted(rowsOf(rows, 2), checkWeights(w, n)), gw)).toBe(1); // row 7 (row 2: weight 0)
    bin2(rowsOf(duplicated(rows, w), 2), gd);
    expect(gw[0].counts).toEqual(gd[0].counts);
  });
  it("weights below 1 on average are lifted to a mean of 1 (probabilities draw as their relative sizes)", () => {
    const w = checkWeights([0.5, 0.25, 0, 0.25], 4);
    expect(w).toMatchObject({ f: 3, total: 1, rows: 3 });
    expect(checkWeights([2, 1, 0, 1], 4).f).toBe(1);
  });

  it("weights averaging below 1 draw the same at any scale (but for the legend's Σ w)", () => {
    const n = 2000, x = Array.from({ length: n }, () => (u() < 0.35 ? normal(u) : 6 + 1.5 * normal(u)));
    const p = x.map(() => u()), m = fitSync(x, { k: 2, seed: 1, sampleWeights: p });
    const sum = (svg: string) => svg.replace(/\(Σ w [^)]*\)/, "(Σ w)");
    const a = plotFit(m, x, { sampleWeights: p }), b = plotFit(m, x, { sampleWeights: p.map((v) => v / 1000) });
    expect(a).toContain(`data: ${n.toLocaleString("en-US")} values (Σ w `);
    expect(sum(a)).toBe(sum(b));
  });
  it("subnormal weights (their Σ w so small that rows / Σ w overflows) draw as the same weights at a normal scale", () => {
    const n = 3000, x = Array.from({ length: n }, () => (u() < 0.35 ? normal(u) : 6 + 1.5 * normal(u)));
    const w = weightsFor(n, 5), m = fitSync(x, { k: 2, seed: 1, sampleWeights: w });
    const rows = Array.from({ length: n }, (_, i) => [x[i], x[(i + 1) % n]]), mv = fitSync(rows, { family: "mvgaussian", k: 2, seed: 1 });
    const sum = (svg: string) => svg.replace(/\(Σ w [^)]*\)/, "(Σ w)");
    const tiny = w.map((v) => v * 2 ** -1070), small = w.map((v) => v * 2 ** -10); // exact: integers 0–3 times a power of 2
    for (const [model, data] of [[m, x], [mv, rows]] as const) {
      const a = plotFit(model, data, { sampleWeights: tiny });
      expect(a).not.toMatch(/NaN|Infinity/);
      const b = plotFit(model, data, { sampleWeights: small }), legend = (svg: string) => svg.lastIndexOf('<g font-size="11">'); // 2-D: the legend, wider, may move
      expect(sum(a).slice(0, legend(a)), model.family).toBe(sum(b).slice(0, legend(b)));
    }
  });
  it("1-D density: the same SVG but for the legend's count", () => {
    const n = 4000, x = Array.from({ length: n }, () => (u() < 0.35 ? normal(u) : 6 + 1.5 * normal(u)));
    x[2] = -1e4;
    const w = weightsFor(n, 2);
    const m = fitSync(x, { k: 2, seed: 1, sampleWeights: w });
    const svg = plotFit(m, x, { sampleWeights: w });
    expect(svg).toMatch(/data: [\d,]+ values \(Σ w [\d,]+\), 60 bins/);
    expect(svg).not.toContain("not drawn"); // the outlier has weight 0
    expect(asDuplicated(svg)).toBe(plotFit(m, duplicated(x, w)));
    // Unweighted, the picture differs (rows counted once, the outlier drawn as beyond the axis).
    expect(plotFit(m, x)).not.toBe(plotFit(m, duplicated(x, w)));
  });
  it("counts (poisson, binomial): the same SVG but for the legend's count", () => {
    const n = 3000, x = Array.from({ length: n }, () => poissonDraw(u, u() < 0.5 ? 2 : 9));
    const w = weightsFor(n, 3);
    const m = fitSync(x, { family: "poisson", k: 2, seed: 1, sampleWeights: w });
    const svg = plotFit(m, x, { sampleWeights: w });
    expect(svg).toMatch(/data: [\d,]+ counts \(Σ w [\d,]+\)/);
    expect(asDuplicated(svg)).toBe(plotFit(m, duplicated(x, w)));
    const b = x.map((v) => Math.min(v, 12));
    const mb = fitSync(b, { family: "binomial", trials: 12, k: 2, seed: 1 });
    expect(asDuplicated(plotFit(mb, b, { sampleWeights: w }))).toBe(plotFit(mb, duplicated(b, w)));
  });
  it("2-D cells (mvgaussian, mvt pairs plot): the same cells and ellipses (the legend, wider, may move)", () => {
    const n = 8000, rows = Array.from({ length: n }, () => { const j = u() < 0.4 ? 1 : 0; return [4 * j + normal(u), 3 * j + normal(u), normal(u) - j]; });
    const w = weightsFor(n, 4);
    const m2 = fitSync(rows.map((r) => r.slice(0, 2)), { family: "mvgaussian", k: 2, seed: 1 });
    const svg = plotFit(m2, rows.map((r) => r.slice(0, 2)), { sampleWeights: w });
    expect(svg).toMatch(/[\d,]+ points \(Σ w [\d,]+\) in \d+ × \d+ cells: darker = more weight/);
    const dup = plotFit(m2, duplicated(rows.map((r) => r.slice(0, 2)), w));
    expect(unlabelled(svg) === unlabelled(dup)).toBe(true);
    expect(svg.length - unlabelled(svg).length).toBeGreaterThan(500); // the legend was there
    expect(dup).toContain(svg.match(/>(\d[\d,]*) points \(Σ w ([\d,]+)\) in/)![2] + " points in");
    const m3 = fitSync(rows, { family: "mvt", k: 2, seed: 1 });
    expect(unlabelled(plotFit(m3, rows, { sampleWeights: w })) === unlabelled(plotFit(m3, duplicated(rows, w)))).toBe(true);
  });
  it("2-D points: a point of weight 0 is not drawn; weight w is drawn at opacity 1 − 0.45^w (w points of 0.55 on top of each other)", () => {
    const rows = Array.from({ length: 60 }, (_, i) => [(i % 2) * 5 + normal(u), normal(u)]);
    const w = rows.map((_, i) => (i === 0 ? 0 : i === 1 ? 2 : 1));
    const m = fitSync(rows, { family: "mvgaussian", k: 2, seed: 1 });
    const svg = plotFit(m, rows, { sampleWeights: w });
    expect(svg.match(/<circle /g)).toHaveLength(59);
    expect(svg).toMatch(/fill-opacity="0\.80"><circle [^>]+\/><\/g>/); // 1 − 0.45² = 0.7975
    expect(svg).toContain("59 points (Σ w 60), coloured by their most probable component");
    // Weight 1 everywhere: the unweighted picture, but for the legend (at a set height: a legend
    // that does not fit in a corner grows the picture by its own height, which the text changes).
    const ones = plotFit(m, rows, { sampleWeights: rows.map(() => 1), height: 400 });
    expect(ones.replace(/60 points \(Σ w 60\)/, "60 points").replace(/<g font-size="11">.*<\/g>/, "")).toBe(plotFit(m, rows, { height: 400 }).replace(/<g font-size="11">.*<\/g>/, ""));
  });
  it("categorical heat map: the data's shares are weighted (the same SVG as the duplicated rows)", () => {
    const levels = [["a", "b", "c"], ["x", "y"]];
    const rows = Array.from({ length: 500 }, () => { const j = u() < 0.5 ? 0 : 1; return [levels[0][Math.min(2, Math.floor(u() * 2) + j)], levels[1][u() < 0.2 + 0.6 * j ? 1 : 0]]; });
    const w = weightsFor(rows.length, 5);
    const m = fitSync(rows as never, { family: "categorical", k: 2, levels, seed: 1 } as never);
    const svg = plotFit(m, rows as never, { sampleWeights: w });
    expect(svg).toBe(plotFit(m, duplicated(rows, w) as never));
    expect(svg).not.toBe(plotFit(m, rows as never));
    // The share of a level only rows of weight 0 hold is 0.
    const wa = rows.map((r) => (r[0] === "a" ? 0 : 1));
    expect(plotFit(m, rows as never, { sampleWeights: wa })).toMatch(/column 1 = a, data: 0</);
  });
  it("independent: every column's panel weighted (the same SVG as the duplicated rows, but for the legends' counts)", () => {
    const n = 1200, data: number[][] = [];
    for (let i = 0; i < n; i++) { const c = u() < 0.5 ? 1 : 0; data.push([c * 4 + normal(u), poissonDraw(u, c ? 8 : 2), u() < (c ? 0.8 : 0.3) ? 1 : 0]); }
    const columns = [{ family: "gaussian" }, { family: "poisson" }, { family: "categorical", levels: 2 }];
    const m = fitSync(data, { family: "independent", k: 2, columns: columns as never, seed: 1 });
    const w = weightsFor(n, 6);
    expect(asDuplicated(plotFit(m, data, { sampleWeights: w }))).toBe(plotFit(m, duplicated(data, w)));
  });
  it("missing values (marginalize): the complete rows are drawn with their weights", () => {
    const x = Array.from({ length: 400 }, (_, i) => (i % 7 === 3 ? NaN : (i % 2) * 5 + normal(u)));
    const w = weightsFor(x.length, 7);
    const m = fitSync(x, { k: 2, seed: 1, missing: "marginalize", sampleWeights: w });
    const keep = x.map((v) => !Number.isNaN(v));
    expect(plotFit(m, x, { sampleWeights: w })).toBe(plotFit(m, x.filter((_, i) => keep[i]), { sampleWeights: w.filter((_, i) => keep[i]) }));
    expect(thrown(() => plotFit(m, x, { sampleWeights: x.map((v) => (Number.isNaN(v) ? 1 : 0)) })).message).toMatch(/^options\.sampleWeights: are all 0 on the rows without a missing value/);
  });
});

describe("many points: weights read in place", () => {
  it("10⁶ values with a Float64Array of weights: rows of weight 0 (far outliers among them) are neither drawn nor counted", () => {
    const N = 1e6, u = mulberry32(12), x = new Float64Array(N), w = new Float64Array(N);
    for (let i = 0; i < N; i++) { x[i] = u() < 0.4 ? normal(u) : 6 + normal(u); w[i] = i % 10 === 0 ? 0 : 1 + (i % 3); }
    for (let i = 0; i < N; i += 1000) x[i] = 1e9; // weight 0 (i % 10 = 0)
    const m = fitSync(x.subarray(1, 20001), { k: 2, seed: 1 });
    const t = performance.now(), svg = plotFit(m, x, { sampleWeights: w });
    expect(performance.now() - t).toBeLessThan(5000);
    expect(svg).toContain(`data: 900,000 values (Σ w ${(1.8e6).toLocaleString("en-US")}), 60 bins`);
    expect(svg).not.toContain("not drawn");
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  }, 30_000);
});

describe("sampleWeights are checked as fit checks them", () => {
  const x = Array.from({ length: 50 }, (_, i) => (i % 2) * 4 + Math.sin(i));
  const m = fitSync(x, { k: 2, seed: 1 });
  const mv = fitSync(x.map((v, i) => [v, Math.cos(i)]), { family: "mvgaussian", k: 2, seed: 1 });
  const ones = () => x.map(() => 1);
  it.each([
    ["wrong length", ones().slice(1), "INVALID_OPTION", "options.sampleWeights", /has 49 weights; the data has 50 points/],
    ["negative", Object.assign(ones(), { 3: -1 }), "INVALID_DATA", "options.sampleWeights[3]", /is negative/],
    ["NaN", Object.assign(ones(), { 4: NaN }), "INVALID_DATA", "options.sampleWeights[4]", /is NaN/],
    ["Infinity", Object.assign(ones(), { 5: Infinity }), "INVALID_DATA", "options.sampleWeights[5]", /is Infinity/],
    ["a string", Object.assign(ones() as unknown[], { 6: "1" }), "INVALID_DATA", "options.sampleWeights[6]", /is not a number/],
    ["all zero", x.map(() => 0), "INVALID_OPTION", "options.sampleWeights", /are all 0/],
    ["not an array", "1,1", "INVALID_OPTION", "options.sampleWeights", /must be an array of non-negative numbers/],
    ["an infinite sum", x.map(() => 1e308), "INVALID_OPTION", "options.sampleWeights", /their sum must be finite/],
  ])("%s", (_, w, code, path, message) => {
    for (const [model, data] of [[m, x], [mv, x.map((v, i) => [v, Math.cos(i)])]] as [MixtureModel, number[] | number[][]][]) {
      const e = thrown(() => plotFit(model, data, { sampleWeights: w as never }));
      expect([e.code, e.path]).toEqual([code, path]);
      expect(e.message).toMatch(message);
    }
  });
  it("fit gives the same errors (code and path) for the same weights", () => {
    const bad = Object.assign(ones(), { 3: -1 });
    const a = thrown(() => fitSync(x, { k: 2, sampleWeights: bad })), b = thrown(() => plotFit(m, x, { sampleWeights: bad }));
    expect([b.code, b.path]).toEqual([a.code, a.path]);
  });
  it("a getter or Proxy that throws is a MixemError naming the weight", () => {
    const hostile = new Proxy(ones(), { get: (t, k) => { if (k === "2") throw new Error("boom"); return Reflect.get(t, k); } });
    const e = thrown(() => plotFit(m, x, { sampleWeights: hostile }));
    expect(e.path).toBe("options.sampleWeights[2]");
    expect(e.message).toMatch(/boom/);
  });
  it("plotSelection takes no weights", () => {
    expect(thrown(() => plotSelection(selectK(x, { kRange: [1, 2] }), { sampleWeights: ones() } as never)).path).toBe("options.sampleWeights");
  });
});

describe("the CLI: fit --weights W --plot draws the weighted data", () => {
  it("the picture of a weighted CSV is the picture of its duplicated rows (but for the legend's count)", () => {
    const dir = mkdtempSync(join(tmpdir(), "mixem-plotweights-"));
    try {
      const u = mulberry32(9), n = 1500;
      const x = Array.from({ length: n }, () => (u() < 0.4 ? normal(u) : 5 + normal(u)).toFixed(4));
      const w = weightsFor(n, 9);
      writeFileSync(join(dir, "w.csv"), ["x,w", ...x.map((v, i) => `${v},${w[i]}`)].join("\n") + "\n");
      writeFileSync(join(dir, "d.csv"), ["x", ...duplicated(x, w)].join("\n") + "\n");
      const run = (args: string[]) => spawnSync(process.execPath, [join(root, "dist/cli.js"), ...args], { cwd: root, encoding: "utf8" });
      const a = run(["fit", join(dir, "w.csv"), "--column", "x", "--weights", "w", "-k", "2", "--seed", "1", "--quiet", "--plot", join(dir, "w.svg")]);
      expect(a.status, a.stderr).toBe(0);
      const svg = readFileSync(join(dir, "w.svg"), "utf8");
      expect(svg).toMatch(/data: [\d,]+ values \(Σ w [\d,]+\)/);
      // The same fit to the duplicated rows (to 1e-12): the same picture, its numbers to 4 digits.
      const b = run(["fit", join(dir, "d.csv"), "--column", "x", "-k", "2", "--seed", "1", "--quiet", "--plot", join(dir, "d.svg")]);
      expect(b.status, b.stderr).toBe(0);
      expect(asDuplicated(svg)).toBe(readFileSync(join(dir, "d.svg"), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
