// The independent family's binomial columns with per-row trials (options.trials, one per row, for
// the binomial columns given without trials of their own): a lone such column is the 1-D binomial
// fit with per-row trials, bit for bit; mixed rows agree with the composed plain-TypeScript
// reference; the trials travel to threads, through JSON to predict, and through the CLI's
// --trials-column; bad input names the option or the cell.
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { fit, fitSync, initSync, loadModel, MixemError, type IndependentComponent } from "../src/index.js";
import { binomialRef, gaussianRef, poissonRef, referenceEM } from "./reference/em.js";
import { independentRef } from "./reference/independent.js";
import { binomialDraw, closeness, drawLabels, historyCloseness, mulberry32, normal, poissonDraw } from "./helpers.js";

initSync();

/** n rows [gaussian, heads, poisson] from k = 2 components, each row with its own trials (3 … 30). */
function mixed(n: number, seed: number) {
  const u = mulberry32(seed);
  const trials = Array.from({ length: n }, () => 3 + Math.floor(27 * u()));
  const labels = drawLabels(u, n, [0.4, 0.6]);
  const rows = labels.map((j, i) => [j * 3 + normal(u), binomialDraw(u, trials[i], j === 0 ? 0.2 : 0.65), poissonDraw(u, j === 0 ? 2 : 6)]);
  return { rows, trials };
}

describe("a binomial column with per-row trials", () => {
  it("alone, is the 1-D binomial fit with the same per-row trials, bit for bit", () => {
    const { rows, trials } = mixed(500, 1);
    const heads = rows.map((r) => r[1]);
    const one = fitSync(heads, { family: "binomial", trials, k: 2, init: { weights: [0.5, 0.5], p: [0.3, 0.5] }, maxIter: 30, tol: 0 });
    const ind = fitSync(heads.map((h) => [h]), { family: "independent", columns: [{ family: "binomial" }], trials, k: 2, init: { weights: [0.5, 0.5], columns: [{ p: [0.3, 0.5] }] }, maxIter: 30, tol: 0 });
    expect(ind.history).toEqual(one.history);
    expect(ind.weights).toEqual(one.weights);
    expect((ind.components as IndependentComponent[]).map((c) => c.columns[0].p)).toEqual(one.components.map((c) => (c as { p: number }).p));
    // The model keeps no trials of its own: new data brings its own, and gives the same posteriors.
    const m = loadModel(JSON.parse(JSON.stringify(ind.toJSON())));
    const few = trials.slice(0, 5);
    expect(Array.from(m.predictProba(heads.slice(0, 5).map((h) => [h]), { trials: few }))).toEqual(Array.from(one.predictProba(heads.slice(0, 5), { trials: few })));
    const a = m.scoreSamples(heads.slice(0, 5).map((h) => [h]), { trials: few }), b = one.scoreSamples(heads.slice(0, 5), { trials: few });
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-12 * Math.abs(b[i])));
  });

  it("beside Gaussian and Poisson columns, agrees with the composed reference (10 iterations) and never decreases the log-likelihood", () => {
    for (const seed of [2, 3, 4]) {
      const { rows, trials } = mixed(300, seed);
      const columns = [{ family: "gaussian" }, { family: "binomial" }, { family: "poisson" }] as const;
      const start = [[0.5, 2, 0.3, 3], [2.5, 2, 0.5, 5]];
      const init = { weights: [0.5, 0.5], columns: [{ means: start.map((s) => s[0]), variances: start.map((s) => s[1]) }, { p: start.map((s) => s[2]) }, { lambdas: start.map((s) => s[3]) }] };
      const a = fitSync(rows, { family: "independent", columns: columns as never, trials, k: 2, init, maxIter: 10, tol: 0 });
      for (let t = 1; t < a.history.length; t++) expect(a.history[t]).toBeGreaterThanOrEqual(a.history[t - 1] - 1e-12 * Math.abs(a.history[t - 1]));
      const col = (c: number) => rows.map((r) => r[c]);
      const ref = referenceEM(independentRef([
        { family: gaussianRef(col(0)), size: 2 }, { family: binomialRef, size: 1, aux: trials }, { family: poissonRef, size: 1 },
      ]), rows, null, start, [0.5, 0.5], { maxIter: 10, tol: 0, mode: "soft", fixWeights: false });
      expect(historyCloseness(a.history, ref.history, rows.length)).toBeLessThan(1);
      const th = (a.components as IndependentComponent[]).flatMap((c) => [c.columns[0].mean as number, c.columns[0].variance as number, c.columns[1].p as number, c.columns[2].lambda as number]);
      expect(closeness(th, ref.theta.flat(), 1e-8, 1e-10)).toBeLessThan(1);
    }
  });

  it("a column with its own trials keeps them beside one that takes options.trials", () => {
    const { rows, trials } = mixed(300, 5);
    const two = rows.map((r, i) => [r[1], Math.min(r[2], 10), trials[i]]);
    const columns = [{ family: "binomial" }, { family: "binomial", trials: 10 }, { family: "gaussian" }];
    const start = { weights: [0.5, 0.5], columns: [{ p: [0.3, 0.5] }, { p: [0.2, 0.5] }, { means: [10, 20], variances: [40, 40] }] };
    const a = fitSync(two, { family: "independent", columns: columns as never, trials, k: 2, init: start, maxIter: 10, tol: 0 });
    const ref = referenceEM(independentRef([
      { family: binomialRef, size: 1, aux: trials }, { family: binomialRef, size: 1, aux: two.map(() => 10) }, { family: gaussianRef(two.map((r) => r[2])), size: 2 },
    ]), two, null, [[0.3, 0.2, 10, 40], [0.5, 0.5, 20, 40]], [0.5, 0.5], { maxIter: 10, tol: 0, mode: "soft", fixWeights: false });
    expect(historyCloseness(a.history, ref.history, two.length)).toBeLessThan(1);
    expect(a.toJSON().settings.columnData).toEqual([{ trials: null }, { trials: 10 }, {}]);
  });

  it("threads: the same fit as on one thread", async () => {
    const { rows, trials } = mixed(20000, 6);
    const options = { family: "independent", columns: [{ family: "gaussian" }, { family: "binomial" }, { family: "poisson" }], trials, k: 2, seed: 3, maxIter: 20, tol: 0 } as never;
    const one = await fit(rows, options);
    const two = await fit(rows, { ...(options as object), threads: 2 } as never);
    expect(two.history).toEqual(one.history);
    expect(two.components).toEqual(one.components);
  });

  it("threads with sample weights, 2·10⁵ rows: the same fit as on one thread", async () => {
    // A worker handed its shard's weights as a view of its memory, which the family's load then
    // grew: the copy of the weights read a detached view ("options.sampleWeights: is empty").
    const n = 200_000, u = mulberry32(9), rows: number[][] = [], trials: number[] = [], sampleWeights: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 2, t = 5 + (i % 20);
      rows.push([3 * c + u(), Math.floor(t * u() * (c ? 0.8 : 0.4))]);
      trials.push(t);
      sampleWeights.push(0.5 + u());
    }
    const options = { family: "independent", columns: [{ family: "gaussian" }, { family: "binomial" }], trials, sampleWeights, k: 2, seed: 3, maxIter: 5, tol: 0 } as never;
    const one = await fit(rows, options);
    const two = await fit(rows, { ...(options as object), threads: 2 } as never);
    expect(two.history).toEqual(one.history);
    expect(two.components).toEqual(one.components);
  }, 30_000);

  it("bad input names the option or the cell", () => {
    const { rows, trials } = mixed(50, 7);
    const err = (f: () => unknown, path: string, re?: RegExp) => {
      try { f(); } catch (e) {
        expect(e).toBeInstanceOf(MixemError);
        expect((e as MixemError).path).toBe(path);
        if (re) expect((e as Error).message).toMatch(re);
        return;
      }
      throw new Error("no error");
    };
    const fit2 = (o: Record<string, unknown>) => fitSync(rows, { family: "independent", columns: [{ family: "gaussian" }, { family: "binomial" }, { family: "poisson" }], k: 2, ...o } as never);
    err(() => fit2({}), "options.trials", /column 1 is binomial without trials of its own/);
    err(() => fit2({ trials: trials.slice(1) }), "options.trials", /has 49 values but the data has 50/);
    const over = rows.findIndex((r) => r[1] > 1);
    err(() => fit2({ trials: trials.map(() => 1) }), `data[${over}][1]`, /more than the 1 trials/);
    err(() => fit2({ trials: trials.map((t, i) => (i === 3 ? 2.5 : t)) }), "options.trials[3]", /not a valid number of trials/);
    err(() => fit2({ trials: "many" }), "options.trials");
    err(() => fitSync(rows, { family: "independent", columns: [{ family: "gaussian" }, { family: "binomial", trials: 40 }, { family: "poisson" }], trials, k: 2 } as never), "options.trials", /every binomial column here has its own/);
    const m = fit2({ trials, maxIter: 3 });
    err(() => m.predict(rows), "options.trials", /is required/);
  });

  it("the CLI: --trials-column with --columns NAME:binomial, for fit and predict", () => {
    const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "mixem-trials-"));
    try {
      const { rows, trials } = mixed(600, 8);
      writeFileSync(join(dir, "d.csv"), ["h,heads,n", ...rows.map((r, i) => `${r[0].toFixed(6)},${r[1]},${trials[i]}`)].join("\n") + "\n");
      const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
      const r = run(["fit", join(dir, "d.csv"), "--family", "independent", "--columns", "h:gaussian,heads:binomial", "--trials-column", "n", "-k", "2", "--seed", "1", "--quiet", "--json"]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      writeFileSync(join(dir, "m.json"), r.stdout);
      const api = fitSync(rows.map((x) => [Number(x[0].toFixed(6)), x[1]]), { family: "independent", columns: [{ family: "gaussian" }, { family: "binomial" }], trials, k: 2, seed: 1, accelerate: "squarem" } as never);
      expect(JSON.parse(r.stdout).fit.logLikelihood).toBeCloseTo(api.logLikelihood, 6);
      const p = run(["predict", join(dir, "m.json"), join(dir, "d.csv"), "--columns", "h,heads", "--trials-column", "n", "--json"]);
      expect(p.stderr).toBe("");
      const labels = JSON.parse(p.stdout).labels as number[];
      expect(labels).toHaveLength(600);
      const m = loadModel(JSON.parse(r.stdout));
      expect(labels).toEqual(Array.from(m.predict(rows.map((x) => [Number(x[0].toFixed(6)), x[1]]), { trials }), (j) => j + 1));
      const missing = run(["predict", join(dir, "m.json"), join(dir, "d.csv"), "--columns", "h,heads", "--json"]);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/trials/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
