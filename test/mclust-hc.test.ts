// mclust's default selection, Mclust(x), against mixem's selectK with init "hc": the hierarchical
// start merge for merge, the quantile classes, every BIC cell and the chosen model
// (test/fixtures/peers/make_mclust_hc.R writes mclust-hc.json).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fitSync, initSync, MixemError, plotSelection, selectK, selectKAsync, type Selection } from "../src/index.js";
import { MCLUST_ORDER } from "../src/select.js";
import { hclass, hcVVV, qclass, HC_MAX_POINTS } from "../src/hc.js";
import { hcStarts } from "../src/start.js";
import { mvgaussian } from "../src/families/mvgaussian/index.js";
import { COVARIANCE_MODELS, COVARIANCE_TYPES } from "../src/families/mvgaussian/covariance.js";

initSync();
interface Set {
  name: string; dims: number; data: number[] | number[][];
  hcPairs?: number[][]; hclass?: number[][]; qclass?: number[][];
  bic: Record<string, (number | null)[]>; converged: Record<string, (number | null)[]>;
  best: { model: string; G: number; bic: number };
}
const fixture: { G: number[]; sets: Set[]; ties: { x: number[]; qclass: number[][]; rows: number[][]; hcPairs: number[][] } } = JSON.parse(readFileSync(new URL("./fixtures/peers/mclust-hc.json", import.meta.url), "utf8"));
const { G } = fixture;
const byName = (name: string) => fixture.sets.find((s) => s.name === name)!;
const rowsOf = (s: Set) => (s.dims === 1 ? (s.data as number[]).map((v) => [v]) : (s.data as number[][]));
/** The mclust models mixem has (by mclust's name; in 1-D E and V). */
const available = (s: Set) => new Set(COVARIANCE_TYPES.map((c) => (s.dims === 1 ? COVARIANCE_MODELS[c].mclust[0] : COVARIANCE_MODELS[c].mclust)));

describe("hc: mclust's hierarchical start", () => {
  for (const name of ["faithful", "iris", "diabetes"]) {
    it(`${name}: every merge of hc(x, "VVV", use = "SVD") and the partitions at G = 1..9`, () => {
      const s = byName(name), rows = s.data as number[][], n = rows.length;
      const pairs = hcVVV(rows.flat(), n, s.dims);
      expect(Array.from(pairs, (v) => v + 1)).toEqual(s.hcPairs!.flat());
      const cls = hclass(pairs, n, G);
      G.forEach((g, i) => expect(Array.from(cls.get(g)!, (v) => v + 1)).toEqual(s.hclass![i]));
    });
  }
  it("1-D: mclust's quantile classes (qclass) at G = 1..9", () => {
    const s = byName("waiting");
    G.forEach((g, i) => expect(Array.from(qclass(s.data as number[], g), (v) => v + 1)).toEqual(s.qclass![i]));
  });
  it("repeated values, where ties decide: qclass and hc as mclust's", () => {
    const { x, rows } = fixture.ties;
    fixture.ties.qclass.forEach((cl, i) => expect(Array.from(qclass(x, i + 1), (v) => v + 1)).toEqual(cl));
    expect(Array.from(hcVVV(rows.flat(), rows.length, 2), (v) => v + 1)).toEqual(fixture.ties.hcPairs.flat());
  });
  it("collinear columns (a direction without spread): hc merges as in the limit of nearly collinear data; selectK and init \"hc\" fit (a RangeError before)", () => {
    // No tied points (a tie is decided by exact equality of costs, which any perturbation breaks).
    const x = Array.from({ length: 120 }, (_, i) => Math.sin(1.3 * i) * 3 + (i % 2) * 6), y = Array.from({ length: 120 }, (_, i) => Math.cos(0.7 * i * i));
    const exact = x.map((_, i) => [x[i], 2 * x[i]]);
    const pairs = hcVVV(exact.flat(), exact.length, 2);
    // Z = X V diag(σ)^(−1/2): a direction of spread σ has norm √σ → 0, the exact case's column of zeros.
    const near = x.map((_, i) => [x[i], 2 * x[i] + 1e-12 * y[i]]);
    expect(Array.from(pairs)).toEqual(Array.from(hcVVV(near.flat(), near.length, 2)));
    const sel = selectK(exact, { family: "mvgaussian", kRange: [1, 3] });
    expect(Number.isFinite(sel.best.logLikelihood)).toBe(true);
    for (const family of ["mvgaussian", "mvt"] as const) expect(Number.isFinite(fitSync(exact, { family, k: 2, init: "hc" }).logLikelihood)).toBe(true);
  });
  it("more points than hc takes: a MixemError naming options.hcSubset; the default subset is seeded", () => {
    const n = HC_MAX_POINTS + 1, x = new Float64Array(2 * n).map((_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const e = (() => { try { hcStarts({ points: x, dims: 2 }, n, [2], false, 0, mvgaussian); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(MixemError);
    expect((e as MixemError).path).toBe("options.hcSubset");
    const a = hcStarts({ points: x.subarray(0, 2 * 3000), dims: 2 }, 3000, [3], 500, 7, mvgaussian), b = hcStarts({ points: x.subarray(0, 2 * 3000), dims: 2 }, 3000, [3], 500, 7, mvgaussian);
    expect(a.subset).toHaveLength(500);
    expect(a.subset).toEqual(b.subset);
    expect(a.labels.get(3)).toEqual(b.labels.get(3));
    expect(hcStarts({ points: x.subarray(0, 2 * 3000), dims: 2 }, 3000, [3], 500, 8, mvgaussian).subset).not.toEqual(a.subset);
    expect(() => fitSync(x.subarray(0, 2 * 3000), { family: "mvgaussian", dims: 2, k: 2, init: "hc", hcSubset: 1 })).toThrow(/^options\.hcSubset: must be false/);
    expect(() => fitSync([[1, 2], [3, 4]], { family: "mvgaussian", k: 1, init: "hc", nInit: 2 })).toThrow(/^options\.nInit: must be 1 with init "hc"/);
  });
});

/**
 * selectK's cells stop as mclust's EM stops (a relative change of the log-likelihood ≤ 1e-5, stop
 * "relative"), from the same start, so each cell is mclust's number: to 1e-9 where the M-steps are
 * the same computation (every model but VEE, EVE, VVE; relative differences seen ≤ 3e-12); VEE and
 * EVE to mclust's own EM tolerance 1e-5 (mclust's inner iterations stop at √eps or after its cap, so
 * the paths part by ~1e-7, and a path may take one iteration more or fewer before the stop);
 * VVE's M-step is not mclust's (docs/covariance-models.md): its cell, run on to the fixed point,
 * is at least mclust's. Where mclust has NA, mixem's entry is failed or degenerate. mixem also
 * marks some cells mclust keeps DEGENERATE (TOO_FEW_POINTS: fewer points than parameters is
 * stricter than mclust's tests); their values are checked all the same.
 */
function checkCells(s: Set, sel: Selection, rows: number[][]) {
  vveDegenerate.length = 0;
  let checked = 0, expected = 0;
  const collapsed: string[] = [];
  for (const e of sel.scores) {
    const theirs = s.bic[e.mclust!][e.k - 1];
    if (theirs === null) { expect(e.error, `${e.mclust},${e.k}`).toBeDefined(); continue; }
    expected++;
    const ours = -e.bic;
    // The models without a variance floor (docs/covariance-models.md) fail where a component
    // collapses; mclust reports NA there too, except where the path is not mclust's (VVE). Counted.
    if (e.error === "FAILED" && NO_FLOOR.has(e.mclust!) && /collapsed/.test(String((e as { reason?: string }).reason))) { collapsed.push(`${e.mclust},${e.k}`); continue; }
    expect(e.error, `${e.mclust},${e.k}`).not.toBe("FAILED");
    expect(e.model!.stopReason, `${e.mclust},${e.k}`).toBe("converged");
    if (e.error) expect(e.model!.warnings.map((w) => w.code)).toContain("TOO_FEW_POINTS");
    if (e.mclust === "VVE") {
      if (!e.error) {
        // The same start run to fit's per-point tolerance: the cell's path (its value at the cell's iteration), then at least mclust's.
        const on = fitSync(rows, { family: "mvgaussian", covariance: "VVE", k: e.k, init: "hc" });
        expect(on.history[e.model!.iterations - 1], `${e.mclust},${e.k}`).toBe(e.logLikelihood);
        if (on.warnings.length === 0) expect(2 * on.logLikelihood - e.nParameters * Math.log(rows.length), `${e.mclust},${e.k}`).toBeGreaterThanOrEqual(theirs - 1e-6 * Math.abs(theirs));
        else vveDegenerate.push(`${s.name} ${e.k}: ${on.warnings.map((w) => w.code).join(",")}`);
      }
    } else {
      const tol = e.mclust === "VEE" || e.mclust === "EVE" ? 1e-5 : 1e-9;
      expect(Math.abs(ours - theirs) / Math.abs(theirs), `${e.mclust},${e.k}`).toBeLessThanOrEqual(tol);
    }
    checked++;
  }
  expect(checked + collapsed.length).toBe(expected);
  // Stopped where mclust stops, every collapse but one is a cell mclust has NA too: diabetes VVE,7, whose M-step is not mclust's.
  expect(collapsed.length, collapsed.join(" ")).toBeLessThanOrEqual(1);
  for (const c of collapsed) expect(c).toMatch(/^VVE,/);
  expect(vveDegenerate.length, vveDegenerate.join("; ")).toBeLessThanOrEqual(2);
  return checked;
}

const vveDegenerate: string[] = [];

/** The models whose M-steps have no variance floor (docs/covariance-models.md). */
const NO_FLOOR = new Set(["VEI", "EVI", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV"]);

/** mclust's choice among the models mixem has (its overall choice when mixem has that model). */
function mclustChoice(s: Set) {
  const have = available(s);
  let best = { model: "", G: 0, bic: -Infinity };
  for (const [model, col] of Object.entries(s.bic)) if (have.has(model)) col.forEach((b, i) => { if (b !== null && b > best.bic) best = { model, G: G[i], bic: b }; });
  if (have.has(s.best.model)) expect(best.model).toBe(s.best.model);
  return best;
}

describe("selectK(rows, { family: \"mvgaussian\" }) answers as Mclust(rows)", () => {
  for (const name of ["faithful", "iris", "diabetes", "waiting"]) {
    it(`${name}: every BIC cell mclust's (mclust's stopping rule, the same start); mclust's chosen model and G`, () => {
      const s = byName(name);
      const sel = selectK(rowsOf(s), { family: "mvgaussian" });
      expect(sel.scores).toHaveLength(9 * available(s).size);
      expect(checkCells(s, sel, rowsOf(s))).toBeGreaterThan(0.85 * sel.scores.length);
      const choice = mclustChoice(s);
      expect([sel.scores.find((e) => e.model === sel.best)!.mclust, sel.k]).toEqual([choice.model, choice.G]);
    });
  }
  it("above hcSubset points: hc on a seeded subset, its M-step on the subset's rows, EM on all (rows or flat with dims)", () => {
    const n = 2500, rows: number[][] = [];
    for (let i = 0; i < n; i++) { const j = i % 3; rows.push([3 * j + Math.sin(i * 1.7) , -2 * j + Math.cos(i * 2.3)]); }
    const a = fitSync(rows, { family: "mvgaussian", k: 3, init: "hc" });
    const b = fitSync(Float64Array.from(rows.flat()), { family: "mvgaussian", dims: 2, k: 3, init: "hc" });
    expect(b.logLikelihood).toBe(a.logLikelihood);
    expect(fitSync(rows, { family: "mvgaussian", k: 3, init: "hc", seed: 3 }).logLikelihood).toBeCloseTo(a.logLikelihood, 3); // another subset, the same optimum here
    const sel = selectK(rows, { family: "mvgaussian", covariance: "full", kRange: [3, 3], stop: "perPoint" });
    expect(sel.scores[0].logLikelihood).toBe(a.logLikelihood);
    // The start is the subset's M-step: one iteration from it differs from one from the whole data's partition.
    const one = fitSync(rows, { family: "mvgaussian", k: 3, init: "hc", maxIter: 1 });
    const whole = fitSync(rows, { family: "mvgaussian", k: 3, init: "hc", hcSubset: false, maxIter: 1 });
    expect(one.logLikelihood).not.toBe(whole.logLikelihood);
  });
  it("an explicit init \"hc\" fit is the selection's cell", () => {
    const s = byName("faithful");
    const sel = selectK(rowsOf(s), { family: "mvgaussian", covariance: ["tied"], kRange: [3, 3] });
    const m = fitSync(rowsOf(s), { family: "mvgaussian", covariance: "tied", k: 3, init: "hc", stop: "relative", tol: 1e-5 });
    expect(m.logLikelihood).toBe(sel.scores[0].logLikelihood);
    expect(Math.abs(-sel.scores[0].bic - s.bic.EEE[2]!)).toBeLessThan(1e-9 * Math.abs(s.bic.EEE[2]!)); // mclust's k = 3 EEE cell
    // Run to fit's default per-point tolerance, the same start ends higher: mclust's cells stop early.
    const on = fitSync(rowsOf(s), { family: "mvgaussian", covariance: "tied", k: 3, init: "hc" });
    expect(on.logLikelihood).toBeGreaterThan(m.logLikelihood);
    expect(on.iterations).toBeGreaterThan(m.iterations);
    expect(selectK(rowsOf(s), { family: "mvgaussian", covariance: ["tied"], kRange: [3, 3], stop: "perPoint" }).scores[0].logLikelihood).toBe(on.logLikelihood);
  });
  it("1-D families: selection by BIC across families; entries carry their family", () => {
    const s = byName("waiting"), x = s.data as number[];
    const sel = selectK(x, { family: ["gaussian", "poisson"], kRange: [1, 4] });
    // gaussian in a list: its models E and V (as mvgaussian's every model in a list), then poisson.
    expect(sel.scores.map((e) => `${e.family}${e.mclust ?? ""}${e.k}`)).toEqual([1, 2, 3, 4].flatMap((k) => [`gaussianE${k}`, `gaussianV${k}`, `poisson${k}`]));
    const best = sel.scores.filter((e) => !e.error).reduce((a, b) => (b.bic < a.bic ? b : a));
    expect([sel.family, sel.k]).toEqual([best.family, best.k]);
    expect(() => selectK(x, { family: ["gaussian", "gaussian"] })).toThrow(/^options\.family: names a family twice/);
    expect(() => selectK(x, { family: "poisson", covariance: "all" } as never)).toThrow(/^options\.covariance: is an option of the families with covariance models \(/);
  });
  it("a fit that fails is an entry with error FAILED, not a failed selection", () => {
    // Three points on a line and two copies: VVV at k = 2 collapses.
    const rows = [[0, 0], [1, 1], [2, 2], [3, 3.01], [10, 0], [11, 0.5], [12, 1]];
    const sel = selectK(rows, { family: "mvgaussian", covariance: ["full", "spherical"], kRange: [1, 3], regCovar: 0 });
    expect(sel.scores).toHaveLength(6);
    for (const e of sel.scores) if (e.error === "FAILED") { expect(e.model).toBeNull(); expect(Number.isNaN(e.bic)).toBe(true); expect(e.reason).toMatch(/./); }
    expect(sel.best).toBe(sel.scores.find((e) => e.model === sel.best)!.model);
  });
  it("selectKAsync: the same selection on workers, with progress per fit; an aborted signal rejects", async () => {
    const s = byName("faithful"), rows = rowsOf(s);
    const sync = selectK(rows, { family: "mvgaussian", kRange: [1, 3] });
    const seen: number[] = [];
    const sel = await selectKAsync(rows, { family: "mvgaussian", kRange: [1, 3], threads: 2, onProgress: (done, total) => { seen.push(done); expect(total).toBe(sync.scores.length); } });
    expect(seen).toEqual(sync.scores.map((_, i) => i + 1));
    expect(sel.scores.map((e) => [e.k, e.covariance, e.bic])).toEqual(sync.scores.map((e) => [e.k, e.covariance, e.bic]));
    expect([sel.k, sel.covariance]).toEqual([sync.k, sync.covariance]);
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(selectKAsync(rows, { family: "mvgaussian", kRange: [1, 3], signal: controller.signal })).rejects.toThrow("stop");
    // Aborted while the workers fit: rejects with the reason, no further progress.
    const later = new AbortController();
    let after = 0;
    await expect(selectKAsync(rows, { family: "mvgaussian", kRange: [1, 4], threads: 2, signal: later.signal, onProgress: (done) => { after = done; if (done === 2) later.abort(new Error("enough")); } })).rejects.toThrow("enough");
    expect(after).toBe(2);
  });
  it("selectKAsync without threads runs a small selection on the calling thread: selectK's entries, progress, abort between cells", async () => {
    const s = byName("faithful"), rows = rowsOf(s);
    const sync = selectK(rows, { family: "mvgaussian", kRange: [1, 3] });
    const seen: number[] = [];
    // On the calling thread every cell runs before a task queued now; a worker's entries arrive as later tasks.
    let ticked = false;
    setImmediate(() => { ticked = true; });
    const sel = await selectKAsync(rows, { family: "mvgaussian", kRange: [1, 3], onProgress: (done, total) => { seen.push(done); expect(total).toBe(sync.scores.length); expect(ticked).toBe(false); } });
    expect(seen).toEqual(sync.scores.map((_, i) => i + 1));
    expect(sel.scores.map((e) => [e.k, e.covariance, e.bic, e.icl, e.error])).toEqual(sync.scores.map((e) => [e.k, e.covariance, e.bic, e.icl, e.error]));
    const later = new AbortController();
    let after = 0;
    await expect(selectKAsync(rows, { family: "mvgaussian", kRange: [1, 4], signal: later.signal, onProgress: (done) => { after = done; if (done === 2) later.abort(new Error("enough")); } })).rejects.toThrow("enough");
    expect(after).toBe(2);
  });
  it("selectKAsync across 1-D families, and past the data's distinct values: selectK's entries", async () => {
    const x = Array.from({ length: 120 }, (_, i) => (i % 3) * 4 + (i % 5 === 0 ? 1 : 0));
    for (const o of [{ family: ["gaussian", "poisson"] as const, kRange: [1, 3] as [number, number] }, { family: "poisson" as const, kRange: [1, 8] as [number, number] }]) {
      const sync = selectK(x, o), got = await selectKAsync(x, { ...o, threads: 2 });
      expect(got.scores.map((e) => [e.family, e.k, e.bic, e.error])).toEqual(sync.scores.map((e) => [e.family, e.k, e.bic, e.error]));
    }
    expect(selectK(x, { family: "poisson", kRange: [1, 8] }).scores.length).toBeLessThan(8); // 6 distinct values: k stops there
  });
});

describe("what R users look at", () => {
  const s = byName("faithful"), rows = rowsOf(s);
  const sel = selectK(rows, { family: "mvgaussian", kRange: [1, 4] });
  it("model.uncertainty: 1 − the largest responsibility of each point (mclust's uncertainty)", () => {
    const u = sel.best.uncertainty(rows), p = sel.best.predictProba(rows, { rows: true });
    expect(u).toHaveLength(rows.length);
    p.forEach((z, i) => expect(u[i]).toBe(1 - Math.max(...z)));
  });
  it("plotSelection over models: one line per model, mclust's names in the legend, the best marked", () => {
    const svg = plotSelection(sel);
    const names = [...new Set(sel.scores.map((e) => e.mclust!))];
    expect(svg.match(/stroke-width="1.5"/g)).toHaveLength(names.length);
    for (const m of names) expect(svg).toContain(`>${m}</text>`);
    // 14 models, 8 colours: no two lines drawn alike (colour and dash).
    const styles = [...svg.matchAll(/fill="none" stroke="(#[0-9a-f]{6})" stroke-width="1.5"( stroke-dasharray="[\d,]+")?/g)].map((m) => m[1] + (m[2] ?? ""));
    expect(names.length).toBe(14);
    expect(new Set(styles).size).toBe(14);
    expect(svg).toContain(`best: ${sel.scores.find((e) => e.model === sel.best)!.mclust}, k = ${sel.k}`);
  });
  it("mixem select --covariance all prints mclust's table: models as columns, k as rows, the best three", () => {
    const root = new URL("..", import.meta.url).pathname;
    const r = spawnSync(process.execPath, ["dist/cli.js", "select", "examples/faithful.csv", "--family", "mvgaussian", "--covariance", "all", "-k", "1..9", "--quiet"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    const head = lines.findIndex((l) => l.startsWith("BIC (mclust's sign"));
    const models = lines[head + 1].trim().split(/\s+/);
    expect(models).toEqual(["VII", "VVI", "EEE", "VVV"].filter((m) => available(s).has(m)).concat([...available(s)].filter((m) => !["VII", "VVI", "EEE", "VVV"].includes(m))).sort((a, b) => MCLUST_ORDER.indexOf(a) - MCLUST_ORDER.indexOf(b)));
    for (let k = 1; k <= 9; k++) {
      const cells = lines[head + 1 + k].trim().split(/\s+/);
      expect(cells[0]).toBe(String(k));
      // (VVE: mixem's exact M-step ends higher than mclust's; checked in the cells test above.)
      models.forEach((m, i) => { const theirs = s.bic[m][k - 1]; if (m !== "VVE" && theirs !== null && !cells[i + 1].endsWith("*") && cells[i + 1] !== "NA") expect(Math.abs(Number(cells[i + 1]) - theirs)).toBeLessThan(Math.max(1e-3, Math.abs(theirs - s.converged[m][k - 1]!) + 1e-3)); });
    }
    const top = lines.findIndex((l) => l.startsWith("Top 3 models based on the BIC criterion"));
    expect(lines[top + 1].trim().split(/\s+/)[0]).toBe(`${mclustChoice(s).model},${mclustChoice(s).G}`);
  });
});
