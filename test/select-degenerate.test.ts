// selectK leaves degenerate fits out, as mclust does (BIC = NA): against mclustBIC on three small
// data sets (test/fixtures/peers/make_mclust_select.R), and model.warnings on its own.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, loadModel, selectK, type FitOptions, type ModelJSON } from "../src/index.js";

initSync();
interface Case {
  name: string; model: "V" | "VVV"; G: number[]; bic: (number | null)[]; nParameters: number[];
  fits: { G: number; weights: number[]; means: number[] | number[][]; variances: number[] | number[][][]; bicAt: number }[];
  data: number[] | number[][];
}
const cases: Case[] = JSON.parse(readFileSync(new URL("./fixtures/peers/mclust-select.json", import.meta.url), "utf8")).cases;
const byName = (name: string) => cases.find((c) => c.name === name)!;
// mclust's VVV column: selectK for mvgaussian searches every covariance model unless given one; the
// 1-D cases are mclust's V column, fitted with mixem's k-means++ restarts (selectK's default on a
// vector is mclust's E and V from its quantile start: test/mclust-vector.test.ts).
const options = (c: Case) => (c.model === "VVV" ? { family: "mvgaussian" as const, covariance: "full" as const } : { covariance: "V" as const, init: "kmeans++" as const });
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
// mclust's BIC is 2 log L − p log n (higher is better); mixem's is its negative.
const mclustBest = (c: Case) => {
  let best = 0;
  c.bic.forEach((b, i) => { if (b !== null && b > c.bic[best]!) best = i; });
  return c.G[best];
};

/** A mixem model holding mclust's fitted parameters (its settings from a mixem fit of the same data). */
function mclustModel(c: Case, g: number) {
  const f = c.fits.find((x) => x.G === g)!;
  const json = fitSync(c.data, { ...options(c), k: g, seed: 1 } as FitOptions).toJSON() as ModelJSON;
  json.weights = f.weights;
  json.components = f.weights.map((_, j) => (c.model === "V" ? { mean: f.means[j], variance: f.variances[j] } : { mean: f.means[j], covariance: f.variances[j] })) as never;
  return loadModel(json);
}

describe("selectK against mclustBIC", () => {
  for (const name of ["ints", "separated", "ten"]) {
    it(`${name}: the same G; degenerate k never chosen; sound BICs mclust's or better`, () => {
      const c = byName(name);
      const s = selectK(c.data, { ...options(c), kRange: [c.G[0], c.G[c.G.length - 1]] });
      expect(s.k).toBe(mclustBest(c));
      expect(s.degenerate).toBe(false);
      expect(s.best.warnings).toEqual([]);
      expect(s.scores.find((e) => e.k === s.k)!.error).toBeUndefined();
      for (const e of s.scores) {
        expect(e.error === "DEGENERATE").toBe(e.model!.warnings.length > 0 || (e.spikes ?? []).length > 0);
        expect(e.nParameters).toBe(c.nParameters[e.k - 1]);
        const theirs = c.bic[e.k - 1];
        if (e.error || theirs === null) continue;
        // Where both are sound, mixem's restarts reach mclust's optimum or a higher one (lower BIC).
        expect(e.bic).toBeLessThanOrEqual(-theirs + Math.abs(theirs) * 1e-6);
      }
      // Every k where mclust gives NA is degenerate in mixem too (mixem's floor keeps the fit finite).
      for (const e of s.scores) if (c.bic[e.k - 1] === null) expect(e.error).toBe("DEGENERATE");
    });
  }
  it("BICs to 1e-6 relative: mixem's k = 1 (and ten's k = 2) are mclust's; mclust's own parameters score the same in mixem", () => {
    for (const c of cases) {
      const s = selectK(c.data, { ...options(c), kRange: [1, 2] });
      expect(relative(s.scores[0].bic, -c.bic[0]!)).toBeLessThan(1e-6);
      if (c.name === "ten") expect(relative(s.scores[1].bic, -c.bic[1]!)).toBeLessThan(1e-6);
      for (const f of c.fits) expect(relative(mclustModel(c, f.G).bic(c.data), -f.bicAt)).toBeLessThan(1e-12);
    }
  });
  it("mclust's sound fits have no warnings, except that TOO_FEW_POINTS is stricter than mclust (separated, G = 3, 4)", () => {
    for (const c of cases) for (const f of c.fits) {
      const codes = [...new Set(mclustModel(c, f.G).warnings.map((w) => w.code))];
      expect(codes).toEqual(c.name === "separated" && f.G >= 3 ? ["TOO_FEW_POINTS"] : []);
    }
  });
  it("ints with prior: true: spikes held up by the prior are found from the data (their own points do not spread) and never chosen", () => {
    const c = byName("ints");
    const s = selectK(c.data, { ...options(c), kRange: [1, 8], prior: true });
    expect(s.k).toBe(1);
    for (const e of s.scores.filter((x) => x.k >= 3)) {
      expect(e.error).toBe("DEGENERATE");
      expect(e.spikes!.length).toBeGreaterThan(0);
      for (const j of e.spikes!) {
        const comp = e.model!.components[j] as { mean: number; variance: number };
        expect(Math.abs(comp.mean - Math.round(comp.mean))).toBeLessThan(1e-3); // on a repeated integer
        expect(comp.variance).toBeGreaterThan(10 * 1e-6 * (e.model!.settings.scale as number[])[0]); // not at the floor: the prior holds it
      }
    }
  });
  it("ints: the spurious components sit at the floor regCovar × var(data) on repeated values", () => {
    const c = byName("ints");
    const s = selectK(c.data, { ...options(c), kRange: [1, 8] });
    const e8 = s.scores.find((e) => e.k === 8)!;
    expect(e8.error).toBe("DEGENERATE");
    expect(e8.bic).toBeLessThan(s.scores[0].bic); // the reason it was chosen before
    const floor = 1e-6 * (s.best.settings.scale as number[])[0];
    for (const w of e8.model!.warnings.filter((x) => x.code === "VARIANCE_AT_FLOOR")) {
      const comp = e8.model!.components[w.component] as { mean: number; variance: number };
      expect(comp.variance).toBe(floor);
      expect(Number.isInteger(comp.mean) || Math.abs(comp.mean - Math.round(comp.mean)) < 1e-9).toBe(true);
      expect(w.message).toMatch(/^component \d+: variance .* is at the floor regCovar × var\(data\)/);
    }
  });
});

describe("model.warnings", () => {
  it("a sound fit has none; JSON round trips keep them; frozen", () => {
    const x = [...Array.from({ length: 50 }, (_, i) => Math.sin(i) * 0.5), ...Array.from({ length: 50 }, (_, i) => 5 + Math.cos(i) * 0.5)];
    const m = fitSync(x, { k: 2, seed: 1 });
    expect(m.warnings).toEqual([]);
    const spike = fitSync([0, 0.3, -0.4, 1.1, 0.7, 9, 9, 9], { k: 2, init: { means: [0, 9], variances: [1, 1] } });
    expect(spike.warnings.map((w) => [w.code, w.component])).toEqual([["VARIANCE_AT_FLOOR", 1]]);
    expect(loadModel(JSON.parse(JSON.stringify(spike))).warnings).toEqual(spike.warnings);
    expect(Object.isFrozen(spike.warnings) && Object.isFrozen(spike.warnings[0])).toBe(true);
  });
  it("TOO_FEW_POINTS: weight × n below the free parameters (2-D full: 5)", () => {
    const rows = [[0, 0], [1, 0.2], [0.3, 1], [1.2, 1.1], [0.5, 0.4], [0.8, 0.9], [10, 10], [11, 10.5], [10.2, 11.4]];
    const m = fitSync(rows, { family: "mvgaussian", k: 2, seed: 1 });
    const small = m.weights.findIndex((w) => w < 0.5);
    expect(m.warnings.filter((w) => w.code === "TOO_FEW_POINTS").map((w) => w.component)).toEqual([small]);
    expect(fitSync(rows, { family: "mvgaussian", covariance: "spherical", k: 2, seed: 1 }).warnings).toEqual([]); // 3 parameters
  });
  it("SINGULAR: mclust's eps test, on the covariance in units of var(data)", () => {
    const json = fitSync([1, 2, 3, 4, 10, 11, 12], { k: 2, regCovar: 0, seed: 1 }).toJSON();
    (json.components[0] as { variance: number }).variance = 1e-17 * (json.settings.scale as number[])[0];
    expect(loadModel(json).warnings.map((w) => w.code)).toEqual(["SINGULAR"]); // regCovar 0: no floor
    const mv = fitSync([[0, 0], [1, 1], [2, 2.0001], [3, 3], [9, 0], [9, 1], [8, 0.5]], { family: "mvgaussian", k: 1, regCovar: 0 }).toJSON();
    const [s0, s1] = mv.settings.scale as number[];
    (mv.components[0] as { covariance: number[][] }).covariance = [[1e-17 * s0, 0], [0, s1]]; // rc = √1e-17 / 2 ≤ √eps
    expect(loadModel(mv).warnings.map((w) => w.code)).toEqual(["SINGULAR"]);
  });
  it("all identical points: k = 1 at the floor; selectK returns it with degenerate: true", () => {
    const s = selectK([4, 4, 4], { kRange: [1, 3] });
    expect(s.scores.map((e) => `${e.mclust}${e.k}`)).toEqual(["E1", "V1"]);
    expect(s.degenerate).toBe(true);
    expect(s.k).toBe(1);
    expect(s.best.warnings[0].code).toBe("VARIANCE_AT_FLOOR");
  });
  it("other families: only the count test", () => {
    const counts = [0, 1, 2, 1, 0, 3, 2, 1, 9, 10, 11, 8, 12];
    expect(fitSync(counts, { family: "poisson", k: 2, seed: 1 }).warnings).toEqual([]);
  });
});
