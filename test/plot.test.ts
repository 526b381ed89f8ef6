// Pictures at any size (10⁷ points: constant stack, bounded time and SVG size), their validation
// and escaping, legends, outliers and pairs plots.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fitSync, initSync, MixemError, plotFit, plotSelection, selectK, type MixtureModel } from "../src/index.js";
import { drawLabels, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();
const root = fileURLToPath(new URL("..", import.meta.url));
const faithful = readFileSync(`${root}examples/faithful.csv`, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
const iris = readFileSync(`${root}examples/iris.csv`, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").slice(0, 4).map(Number));
const KB = 1024;

const wellFormed = (svg: string) => {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trim().endsWith("</svg>")).toBe(true);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  expect(svg.length).toBeLessThan(500 * KB);
};
/** The error a call throws. */
const thrown = (f: () => unknown): MixemError => {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(MixemError); return e as MixemError; }
  throw new Error("did not throw");
};
const timed = <T>(f: () => T): [T, number] => { const t = performance.now(); const r = f(); return [r, (performance.now() - t) / 1000]; };

describe("pictures of 10⁷ points: one pass, constant stack, bounded output", () => {
  const N = 1e7, u = mulberry32(11);
  it("1-D gaussian (Float64Array)", () => {
    const x = new Float64Array(N);
    for (let i = 0; i < N; i++) x[i] = u() < 0.4 ? normal(u) : 6 + 1.5 * normal(u);
    const m = fitSync(x.subarray(0, 20000), { k: 2, seed: 1 });
    const [svg, s] = timed(() => plotFit(m, x));
    wellFormed(svg);
    expect(svg).toContain("10,000,000 values, 60 bins");
    expect(svg).not.toContain("not drawn"); // no value of a normal sample is an outlier
    expect(s).toBeLessThan(5);
  }, 60_000);
  it("t data with 0.3 % gross outliers over ±2000 (more than the 0.1 % tails): the axis shows the groups, the outliers are counted", () => {
    const v = mulberry32(41), x = new Float64Array(100_000);
    for (let i = 0; i < x.length; i++) x[i] = v() < 0.003 ? (v() - 0.5) * 4000 : (i % 2) * 6 + normal(v);
    const m = fitSync(x, { family: "t", k: 2, seed: 1 });
    const svg = plotFit(m, x);
    wellFormed(svg);
    expect(svg).toMatch(/[\d,]+ values beyond the axis not drawn/);
    const ticks = [...svg.matchAll(/<text[^>]*text-anchor="middle"[^>]*>(-?[\d.]+)<\/text>/g)].map((t) => Number(t[1]));
    expect(ticks.length).toBeGreaterThan(1);
    expect(Math.max(...ticks.map(Math.abs))).toBeLessThan(50); // before: ticks at ±1000, the two groups one spike
  });

  it("poisson with a 1e9 outlier (number[]): the outlier is counted, not drawn; bins stay few", () => {
    const x: number[] = new Array(N);
    for (let i = 0; i < N; i++) x[i] = poissonDraw(u, u() < 0.4 ? 2 : 9);
    x[N >> 1] = 1e9;
    const m = fitSync(x.slice(0, 20000), { family: "poisson", k: 2, seed: 1 });
    const [svg, s] = timed(() => plotFit(m, x));
    wellFormed(svg);
    expect(svg).toContain("1 value beyond the axis not drawn (data from 0 to 1e+9)");
    expect((svg.match(/<rect /g) ?? []).length).toBeLessThan(100);
    expect(s).toBeLessThan(5);
  }, 60_000);
  it("2-D mvgaussian (flat Float64Array with dims): a 2-D histogram, not 10⁷ circles", () => {
    const x = new Float64Array(2 * N);
    for (let i = 0; i < N; i++) {
      const j = u() < 0.4 ? 0 : 1;
      x[2 * i] = 4 * j + normal(u);
      x[2 * i + 1] = 3 * j + normal(u) * (1 + 0.5 * j);
    }
    const m = fitSync(x.subarray(0, 40000), { family: "mvgaussian", dims: 2, k: 2, seed: 1 });
    const [svg, s] = timed(() => plotFit(m, x));
    wellFormed(svg);
    expect(svg).not.toContain("<circle ");
    expect(svg).toMatch(/10,000,000 points in \d+ × \d+ cells/);
    expect(svg.match(/Z" fill="none"/g)).toHaveLength(4);
    expect(s).toBeLessThan(10);
  }, 60_000);
  it("no spread of the data: 3·10⁵ values and rows (a RangeError before) plot", () => {
    const x = Array.from({ length: 3e5 }, () => normal(u));
    wellFormed(plotFit(fitSync(x.slice(0, 5000), { k: 1 }), x));
    const rows = x.map((v) => [v, v + normal(u)]);
    wellFormed(plotFit(fitSync(rows.slice(0, 5000), { family: "mvgaussian", k: 1 }), rows));
  });
  it("counts over a wide range are grouped into at most 200 bars", () => {
    const x = Array.from({ length: 5000 }, () => Math.round(1e6 + 1000 * normal(u)));
    const m = fitSync(x, { family: "poisson", k: 1 });
    const svg = plotFit(m, x);
    wellFormed(svg);
    expect(svg).toMatch(/in groups of \d+ values/);
    expect((svg.match(/<rect /g) ?? []).length).toBeLessThanOrEqual(210);
  });
});

describe("options and arguments are validated; strings are escaped", () => {
  const x = faithful.map((r) => r[1]);
  const m = fitSync(x, { k: 2, seed: 1 });
  it.each([
    [{ width: '1"><script>alert(1)</script>' }, "options.width"],
    [{ height: Infinity }, "options.height"],
    [{ width: 50 }, "options.width"],
    [{ width: 1e6 }, "options.width"],
    [{ title: 42 }, "options.title"],
    [{ title: "x".repeat(201) }, "options.title"],
    [{ labels: "ab" }, "options.labels"],
    [{ labels: ["a"] }, "options.labels"],
    [{ labels: ["a", 2] }, "options.labels[1]"],
    [{ labels: ["a", "b", "c"] }, "options.labels"],
    [{ trials: 0 }, "options.trials"],
    [{ trials: 2.5 }, "options.trials"],
    [{ colour: "red" }, "options.colour"],
  ])("plotFit %j → INVALID_OPTION at %s", (options, path) => {
    const e = thrown(() => plotFit(m, x, options as never));
    expect(e.code).toBe("INVALID_OPTION");
    expect(e.path).toBe(path);
  });
  it("plotSelection checks its options and its selection", () => {
    const s = selectK(x, { kRange: [1, 2] });
    expect(thrown(() => plotSelection(s, { width: "640" as never })).path).toBe("options.width");
    expect(thrown(() => plotSelection(s, { trials: 3 })).path).toBe("options.trials");
    for (const bad of [null, undefined, 42, {}, { criterion: "bic", k: 1, scores: [] }, { criterion: "bic", k: 1, scores: [{ k: 1, bic: NaN }] }])
      expect(thrown(() => plotSelection(bad as never)).code).toBe("INVALID_OPTION");
  });
  it("plotFit of something that is not a model is a MixemError (INVALID_MODEL), not a TypeError", () => {
    for (const bad of [null, undefined, 42, {}, { family: "gaussian" }, m.toJSON()]) {
      const e = thrown(() => plotFit(bad as unknown as MixtureModel, x));
      expect(e.code).toBe("INVALID_MODEL");
      expect(e.path).toBe("model");
    }
  });
  it("bad data is INVALID_DATA naming the value", () => {
    expect(thrown(() => plotFit(m, [1, 2, NaN])).path).toBe("data[2]");
    expect(thrown(() => plotFit(m, "abc" as never)).code).toBe("INVALID_DATA");
    expect(thrown(() => plotFit(m, [])).code).toBe("INVALID_DATA");
    const p = fitSync([1, 2, 3, 8, 9], { family: "poisson", k: 2 });
    expect(thrown(() => plotFit(p, [1, 2.5])).path).toBe("data[1]");
    const mv = fitSync(faithful, { family: "mvgaussian", k: 2 });
    expect(thrown(() => plotFit(mv, [[1, 2], [3]])).path).toBe("data[1]");
    expect(thrown(() => plotFit(mv, [[1, 2], [3, Infinity]])).path).toBe("data[1][1]");
  });
  it("titles and axis titles are escaped everywhere", () => {
    const evil = '</text><script>alert(1)</script><text a="\'';
    for (const svg of [
      plotFit(m, x, { title: evil, labels: [evil, evil] }),
      plotFit(fitSync(faithful, { family: "mvgaussian", k: 2 }), faithful, { title: evil, labels: [evil, evil] }),
      plotSelection(selectK(x, { kRange: [1, 2] }), { title: evil, labels: [evil, evil] }),
    ]) {
      wellFormed(svg);
      expect(svg).not.toContain("<script");
      expect(svg).toContain("&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;text a=&quot;&#39;");
    }
  });
  it("sizes within range are honoured", () => {
    expect(plotFit(m, x, { width: 300.5, height: 200 })).toMatch(/^<svg [^>]*width="300.5" height="200"/);
  });
});

describe("what the pictures show", () => {
  it("1-D: the legend lists components by mean with the model's numbers, weights and means", () => {
    const m = fitSync([...faithful.map((r) => r[1])], { k: 2, init: { means: [80, 55], variances: [30, 30] } });
    const svg = plotFit(m, faithful.map((r) => r[1]));
    // component 1 is the upper group here: the legend lists component 2 (mean ≈ 54.6) first.
    const first = svg.indexOf(">component 2 (w 0.3609, mean 54.62"), second = svg.indexOf(">component 1 (w 0.6391, mean 80.09");
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(svg).toContain("data: 272 values, 17 bins");
  });
  it("counts: the mean of a component without a mean parameter is its pmf's", () => {
    const b = fitSync([1, 2, 8, 9, 7, 2], { family: "binomial", trials: 10, k: 2, seed: 1 });
    const svg = plotFit(b, [1, 2, 8, 9, 7, 2]);
    const p = (b.components as { p: number }[]).map((c) => c.p);
    for (const [j, pj] of p.entries()) expect(svg).toMatch(new RegExp(`component ${j + 1} \\(w [\\d.]+, mean ${String(Number((10 * pj).toPrecision(4))).replace(".", "\\.")}`));
  });
  it("d > 2: a pairs plot of every 2-D projection with the projected ellipses, labelled as projections", () => {
    const m = fitSync(iris, { family: "mvgaussian", k: 3, seed: 1 });
    const svg = plotFit(m, iris, { labels: ["sepal length", "sepal width", "petal length", "petal width"] });
    wellFormed(svg);
    expect(svg.match(/Z" fill="none"/g)).toHaveLength(6 * 3 * 2); // 6 panels × k × (1σ, 2σ)
    expect(svg.match(/<circle /g)).toHaveLength(6 * 150);
    expect(svg).toContain("2-D projections of the 4 dimensions");
    for (const name of ["sepal length", "sepal width", "petal length", "petal width"]) expect(svg).toContain(`>${name}<`);
  });
  it("the dominant colour of a 2-D histogram's cells is the component of the points there", () => {
    const u = mulberry32(5);
    const labels = drawLabels(u, 20000, [0.5, 0.5]);
    const rows = labels.map((j) => [10 * j + normal(u), normal(u)]);
    const m = fitSync(rows, { family: "mvgaussian", k: 2, seed: 1 });
    const svg = plotFit(m, rows);
    wellFormed(svg);
    for (const c of ["#1f77b4", "#d62728"]) expect(svg).toContain(`fill="${c}" fill-opacity=`);
  });
  it("Student t: the legend gives the scale (√variance is not the t's sd), the gaussian's its sd", () => {
    const x = faithful.map((r) => r[1]);
    const t = fitSync(x, { family: "t", k: 2 }), g = fitSync(x, { k: 2 });
    const tv = t.components.map((c) => c.variance), gv = g.components.map((c) => c.variance);
    const svgT = plotFit(t, x), svgG = plotFit(g, x);
    for (const v of tv) expect(svgT).toContain(`scale ${Number(Math.sqrt(v).toPrecision(4))}, dof`);
    expect(svgT).not.toMatch(/, sd \d/);
    for (const v of gv) expect(svgG).toContain(`sd ${Number(Math.sqrt(v).toPrecision(4))}`);
  });
  it("2-D: the legend takes the emptiest corner; where every corner is full (more than 1 % of the drawn content), it goes under the picture", () => {
    const legendBox = (svg: string) => {
      const b = /<g font-size="11"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(svg)!.slice(1).map(Number);
      return { x: b[0], y: b[1], w: b[2], h: b[3], docHeight: Number(/^<svg [^>]*height="([\d.]+)"/.exec(svg)![1]) };
    };
    // Old Faithful: groups with empty corners; the legend in one, the picture 400 high.
    const f = legendBox(plotFit(fitSync(faithful, { family: "mvgaussian", k: 2, seed: 1 }), faithful));
    expect(f.docHeight).toBe(400);
    expect(f.y + f.h).toBeLessThan(400 - 48); // inside the panel
    // A square filled to its edges, as points (3,000) and as cells (200,000): under the panel.
    const u = mulberry32(3);
    for (const n of [3000, 200_000]) {
      const rows = Array.from({ length: n }, (_, i) => [(i % 4) * 1.5 + 3 * (u() - 0.5), (i % 3) * 1.5 + 3 * (u() - 0.5)]);
      const svg = plotFit(fitSync(rows.slice(0, 3000), { family: "mvgaussian", k: 4, seed: 1 }), rows);
      wellFormed(svg);
      const b = legendBox(svg);
      expect(b.y, `${n}`).toBeGreaterThanOrEqual(400 - 48); // below the panel (whose bottom is 400 − 48)
      expect(b.docHeight, `${n}`).toBe(400 + b.h + 4);
      // A height the caller set is kept (the legend then takes the emptiest corner).
      expect(legendBox(plotFit(fitSync(rows.slice(0, 3000), { family: "mvgaussian", k: 4, seed: 1 }), rows, { height: 400 })).docHeight).toBe(400);
    }
    // A narrow picture (the legend wider than the panel): its start inside the picture, in a corner or under it.
    const square = Array.from({ length: 3000 }, () => [10 * u(), 10 * u()]), sq = fitSync(square, { family: "mvgaussian", k: 3, seed: 1 });
    for (const o of [{ width: 300 }, { width: 300, height: 200 }, { width: 250, height: 150 }]) {
      const narrow = legendBox(plotFit(sq, square, o));
      expect(narrow.x, JSON.stringify(o)).toBeGreaterThanOrEqual(0);
      if (!("height" in o)) expect(narrow.x, JSON.stringify(o)).toBeLessThanOrEqual(Math.max(4, o.width - narrow.w - 4)); // under: as far left as it must be
    }
  });
  it("d > 2: the legend stays inside the picture (long rows drop the mean or wrap), whatever k", () => {
    const u = mulberry32(11);
    for (const [d, k] of [[3, 2], [3, 8], [4, 3], [6, 4]]) {
      const labels = drawLabels(u, 4000, Array(k).fill(1 / k));
      const rows = labels.map((j) => Array.from({ length: d }, (_, a) => (a % 2 ? 1 : -1) * 3.00123 * j + 0.7 * normal(u)));
      const m = fitSync(rows, { family: "mvgaussian", k, seed: 1 });
      const svg = plotFit(m, rows);
      wellFormed(svg);
      const width = Number(/^<svg [^>]*width="([\d.]+)"/.exec(svg)![1]);
      const box = /<g font-size="11"><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg)!;
      expect(Number(box[1]) + Number(box[2]), `d ${d}, k ${k}`).toBeLessThanOrEqual(width);
      for (let j = 1; j <= k; j++) expect(svg).toMatch(new RegExp(`>component ${j} \\(w [\\d.e-]+[,)]`));
      expect(svg).toContain(`2-D projections of the ${d} dimensions`);
    }
  });
});
