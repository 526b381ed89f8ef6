// The categorical family (latent class analysis): against the R peer (make_lca.R: EM from
// poLCA's update, 5 iterations and the fixed point, checked there by the gradient and BFGS),
// the plain-TypeScript reference under random problems (fast-check), level names, the Dirichlet
// prior, sampling, and bad input.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { fitInWorker, fitSync, initSync, loadModel, MixemError, plotFit, selectK, selectKAsync, type CategoricalComponent } from "../src/index.js";
import { referenceEM } from "./reference/em.js";
import { categoricalRef } from "./reference/categorical.js";
import { countDistinct, kmeansPlusPlus, nearestSeed, randomDistinct } from "../src/seeding.js";
import { codedOps } from "../src/coded-rows.js";
import { expectSameSeedsAround } from "./seeding-agree.js";
import { Random } from "../src/random.js";
import { closeness, drawLabels, historyCloseness, maxRelErr, mulberry32, relErr } from "./helpers.js";

initSync();
const SEED = process.env.MIXEM_FC_SEED === "random" ? undefined : Number(process.env.MIXEM_FC_SEED ?? 20261202);
const RUNS = Number(process.env.MIXEM_PROPERTY_RUNS ?? 40);

interface Point { weights: number[]; p: number[][][]; logLikelihood: number; iterations: number }
interface LcaCase { levels: number[]; init: { weights: number[]; p: number[][][] }; data: number[][]; five: Point; fixed: Point & { maxAbsGradient: number; bfgsGain: number } }
const lca: { cases: LcaCase[] } = JSON.parse(readFileSync(new URL("./fixtures/peers/lca.json", import.meta.url), "utf8"));
const params = (w: ArrayLike<number>, comps: readonly { p: number[][] }[]) => [...Array.from(w), ...comps.flatMap((c) => c.p.flat())];

describe("against the R peer (test/fixtures/peers/make_lca.R)", () => {
  it.each(lca.cases.map((c) => [c.init.weights.length, c] as const))("k = %i: 5 iterations from the same start, and the fixed point, to 1e-9", (k, c) => {
    const five = fitSync(c.data, { family: "categorical", k, init: c.init, maxIter: 5, tol: 0 });
    expect(five.iterations).toBe(5);
    expect(relErr(five.logLikelihood, c.five.logLikelihood)).toBeLessThan(1e-12);
    expect(maxRelErr(params(five.weights, five.components), [...c.five.weights, ...c.five.p.flat(2)])).toBeLessThan(1e-9);
    // The peer's fixed point is a maximum of the log-likelihood: gradient ≈ 0, BFGS gains nothing.
    expect(c.fixed.maxAbsGradient).toBeLessThan(1e-9);
    expect(c.fixed.bfgsGain).toBeLessThan(1e-9);
    const fixed = fitSync(c.data, { family: "categorical", k, init: c.init, maxIter: 3 * c.fixed.iterations, tol: 0 });
    expect(relErr(fixed.logLikelihood, c.fixed.logLikelihood)).toBeLessThan(1e-12);
    expect(maxRelErr(params(fixed.weights, fixed.components), [...c.fixed.weights, ...c.fixed.p.flat(2)])).toBeLessThan(1e-9);
  });
});

/** Rows of d columns with levels L drawn from k random classes. */
function problem(seed: number, n: number, k: number, L: number[]) {
  const u = mulberry32(seed);
  const probs = () => L.map((c) => { const v = Array.from({ length: c }, () => 0.05 + u()); const s = v.reduce((a, b) => a + b, 0); return v.map((x) => x / s); });
  const P = Array.from({ length: k }, probs);
  const pick = (p: number[]) => { let t = u(), l = 0; while (l < p.length - 1 && t >= p[l]) { t -= p[l]; l++; } return l; };
  const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => P[j].map(pick));
  return { x, start: Array.from({ length: k }, probs), u };
}

describe("random problems (fast-check)", () => {
  it("soft EM never decreases the log-likelihood (or, with the prior, the log-posterior) and agrees with the reference", () => {
    let checked = 0;
    fc.assert(fc.property(
      fc.record({ seed: fc.nat(), n: fc.integer({ min: 10, max: 300 }), k: fc.integer({ min: 1, max: 4 }), L: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }), prior: fc.boolean() }),
      ({ seed, n, k, L, prior }) => {
        const { x, start } = problem(seed, n, k, L);
        const levels = L; // given, so a level no row shows still has its probability
        if (new Set(x.map((r) => r.join())).size < k) return;
        const m = fitSync(x, { family: "categorical", k, levels, seed, maxIter: 60, tol: 0, prior });
        const h = prior ? m.posteriorHistory! : m.history;
        for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1] - 1e-12 * Math.abs(h[i - 1]));
        for (const c of m.components as CategoricalComponent[]) for (const p of c.p) {
          expect(p.every((v) => v > 0 && v <= 1)).toBe(true);
          expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        }
        const a = fitSync(x, { family: "categorical", k, levels, init: { p: start }, maxIter: 10, tol: 0 });
        const ref = referenceEM(categoricalRef(L), x, null, start.map((c) => c.flat()), Array(k).fill(1 / k), { maxIter: 10, tol: 0, mode: "soft", fixWeights: false });
        expect(historyCloseness(a.history, ref.history, n)).toBeLessThan(1);
        expect(closeness(a.components.flatMap((c) => (c as CategoricalComponent).p.flat()), ref.theta.flat(), 1e-8, 1e-12)).toBeLessThan(1);
        checked++;
      },
    ), { numRuns: RUNS, seed: SEED });
    expect(checked).toBeGreaterThan(RUNS / 2);
  });

  it("columns of more than 12 levels (counted by scatter-adds) and of 12 or fewer (masked sums) agree with the reference", () => {
    const L = [15, 3, 40, 12, 13];
    const { x, start } = problem(8, 2000, 3, L);
    const a = fitSync(x, { family: "categorical", k: 3, levels: L, init: { p: start }, maxIter: 10, tol: 0 });
    const ref = referenceEM(categoricalRef(L), x, null, start.map((c) => c.flat()), [1 / 3, 1 / 3, 1 / 3], { maxIter: 10, tol: 0, mode: "soft", fixWeights: false });
    expect(historyCloseness(a.history, ref.history, 2000)).toBeLessThan(1);
    expect(closeness(a.components.flatMap((c) => (c as CategoricalComponent).p.flat()), ref.theta.flat(), 1e-9, 1e-12)).toBeLessThan(1);
    const hard = fitSync(x, { family: "categorical", k: 3, levels: L, init: { p: start }, maxIter: 10, tol: 0, mode: "hard" });
    const refHard = referenceEM(categoricalRef(L), x, null, start.map((c) => c.flat()), [1 / 3, 1 / 3, 1 / 3], { maxIter: 10, tol: 0, mode: "hard", fixWeights: false });
    expect(closeness(hard.components.flatMap((c) => (c as CategoricalComponent).p.flat()), refHard.theta.flat(), 1e-9, 1e-12)).toBeLessThan(1);
  });

  it("the MAP M-step is the reference's with the Dirichlet concentration (5 iterations, 1e-9)", () => {
    const L = [3, 2, 4];
    const { x, start } = problem(5, 400, 2, L);
    const alpha = [1.5, 2, 1.25];
    const a = fitSync(x, { family: "categorical", k: 2, init: { p: start }, maxIter: 5, tol: 0, prior: { alpha } });
    const ref = referenceEM(categoricalRef(L, alpha), x, null, start.map((c) => c.flat()), [0.5, 0.5], { maxIter: 5, tol: 0, mode: "soft", fixWeights: false });
    expect(maxRelErr(a.components.flatMap((c) => (c as CategoricalComponent).p.flat()), ref.theta.flat())).toBeLessThan(1e-9);
    expect(a.settings.prior).toEqual({ weights: 1, alpha });
  });

  it("the default prior fills a zero cell: a level a class never shows keeps (κ/L) / (n_j + κ)", () => {
    const x = [...Array.from({ length: 50 }, () => [0, 0]), ...Array.from({ length: 50 }, () => [1, 1])];
    const m = fitSync(x, { family: "categorical", k: 2, levels: [2, 3], prior: true, seed: 1 });
    const zero = (m.components as CategoricalComponent[]).flatMap((c) => c.p.flat()).filter((v) => v < 0.01);
    expect(zero.length).toBeGreaterThan(0);
    for (const v of zero) expect(v).toBeGreaterThan(1e-5); // not the 1e-12 floor
    const ml = fitSync(x, { family: "categorical", k: 2, levels: [2, 3], seed: 1 });
    expect(Math.min(...(ml.components as CategoricalComponent[]).flatMap((c) => c.p.flat()))).toBe(1e-12);
  });
});

describe("level names", () => {
  const { x } = problem(3, 600, 2, [3, 2]);
  const names = [["lo", "mid", "hi"], ["no", "yes"]];
  const strings = x.map((r) => r.map((v, a) => names[a][v]));

  it("strings fit as their codes (levels sorted) and the model keeps the names through JSON", () => {
    const sorted = [["hi", "lo", "mid"], ["no", "yes"]];
    const recoded = strings.map((r) => r.map((s, a) => sorted[a].indexOf(s)));
    const a = fitSync(strings, { family: "categorical", k: 2, seed: 2 });
    const b = fitSync(recoded, { family: "categorical", k: 2, seed: 2 });
    expect(a.logLikelihood).toBe(b.logLikelihood);
    expect(a.components).toEqual(b.components);
    expect(a.settings.levels).toEqual(sorted);
    const back = loadModel(JSON.parse(JSON.stringify(a)));
    expect(back.settings.levels).toEqual(sorted);
    expect(back.predictProba(strings)).toEqual(a.predictProba(strings));
    expect(back.predictProba(strings)).toEqual(b.predictProba(recoded));
  });

  it("given names fix the codes (the order of options.levels)", () => {
    const a = fitSync(strings, { family: "categorical", k: 2, seed: 2, levels: names });
    const b = fitSync(x, { family: "categorical", k: 2, seed: 2, levels: [3, 2] });
    expect(a.components).toEqual(b.components);
    expect(a.settings.levels).toEqual(names);
  });

  it("predict rejects an unknown level, naming the cell", () => {
    const m = fitSync(strings, { family: "categorical", k: 2, seed: 2, levels: names });
    expect(() => m.predict([["lo", "yes"], ["huge", "no"]])).toThrow(/^data\[1\]\[0\]: "huge" is not a level of this column/);
  });
});

describe("sampling", () => {
  it("draws each column's levels in the component's proportions (exact inversion)", () => {
    const { x } = problem(9, 800, 2, [4, 3]);
    const m = fitSync(x, { family: "categorical", k: 2, seed: 1 });
    const s = m.sample(40000, { seed: 4 });
    const comps = m.components as CategoricalComponent[];
    for (let j = 0; j < 2; j++) for (let a = 0; a < 2; a++) {
      const rows = Array.from(s.labels.keys()).filter((i) => s.labels[i] === j);
      comps[j].p[a].forEach((p, l) => {
        const share = rows.filter((i) => s.values[i * 2 + a] === l).length / rows.length;
        expect(Math.abs(share - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / rows.length) + 1e-3);
      });
    }
  });
});

describe("bad input", () => {
  const err = (f: () => unknown, path: string, pattern?: RegExp) => {
    try { f(); } catch (e) {
      expect(e).toBeInstanceOf(MixemError);
      expect((e as MixemError).path).toBe(path);
      if (pattern) expect((e as MixemError).message).toMatch(pattern);
      return;
    }
    throw new Error("no error");
  };
  const rows = [[0, 1], [1, 0], [2, 1], [0, 0]];
  it("names the cell, the column or the option", () => {
    err(() => fitSync([[0, 1], [1, -1]], { family: "categorical", k: 2 }), "data[1][1]", /not a level code/);
    err(() => fitSync([[0, 1], [1, 0.5]], { family: "categorical", k: 2 }), "data[1][1]", /not a level code/);
    err(() => fitSync(rows, { family: "categorical", k: 2, levels: [2, 2] }), "data[2][0]", /outside 0…1/);
    err(() => fitSync(new Float64Array([0, 1, 1, 0, 3, 1]), { family: "categorical", k: 2, dims: 2, levels: 2 }), "data[4]", /outside 0…1/);
    err(() => fitSync(rows, { family: "categorical", k: 2, levels: [2] }), "options.levels", /has 1 entries; the data has 2 columns/);
    err(() => fitSync(rows, { family: "categorical", k: 2, levels: [3, ["a", "a"]] }), "options.levels[1][1]", /repeats/);
    err(() => fitSync(rows, { family: "categorical", k: 2, levels: 0 }), "options.levels");
    err(() => fitSync([["a", 1], [0, "b"]], { family: "categorical", k: 2 }), "data[1][0]", /is a number, but this column holds level names/);
    err(() => fitSync([["a", 1], ["b", "c"]], { family: "categorical", k: 2, levels: [["a", "b"], 2] }), "data[1][1]", /this column has level codes/);
    err(() => fitSync(rows, { family: "categorical", k: 2, init: { p: [[[1, 0, 0], [1, 0]], [[0.5, 0.5], [0.5, 0.5]]] } }), "options.init.p[1][0]", /must have 3 values/);
    err(() => fitSync(rows, { family: "categorical", k: 2, init: { p: [[[1, 0, 0], [1, 0]], [[0.5, 0.5, 0.5], [0.5, 0.5]]] } }), "options.init.p[1][0]", /must sum to 1/);
    err(() => fitSync(rows, { family: "categorical", k: 2, prior: { alpha: 0.5 } }), "options.prior.alpha[0]");
    const m = fitSync(rows, { family: "categorical", k: 2, seed: 1 });
    err(() => m.predict([[0, 2]]), "data[0][1]", /outside 0…1/);
    err(() => m.predict([[0, "x"]]), "data[0][1]", /has level codes/);
  });

  it("a stream chunk with more levels than the first names options.levels", async () => {
    const { fitStream } = await import("../src/index.js");
    const chunks = [[[0, 1], [1, 0], [1, 1]], [[2, 1], [0, 0]]];
    await expect(fitStream(() => chunks, { family: "categorical", k: 2, seed: 1 })).rejects.toThrow(/^options.levels: column 0 of chunks\[1\] has 3 level codes; column 0 of chunks\[0\] has 2 level codes/);
    const m = await fitStream(() => chunks, { family: "categorical", k: 2, seed: 1, levels: [3, 2] });
    expect(m.settings.levels).toEqual([3, 2]);
  });
});

describe("level names derived from the data, on workers", () => {
  const u = mulberry32(41);
  const answers = ["no", "yes"], moods = ["agree", "neutral", "disagree"];
  const rows = Array.from({ length: 200 }, (_, i) => [answers[(i % 2) ^ (u() < 0.15 ? 1 : 0)], moods[i % 2 ? 0 : Math.floor(u() * 3)], (i % 2) * 3 + u()]);
  const named = rows.map((r) => [r[0], r[1]]);
  it("fitInWorker keeps the names (it returned counts, and predict refused the strings): fitSync's model", async () => {
    const o = { family: "categorical", k: 2, seed: 4 } as const;
    const sync = fitSync(named, o), worker = await fitInWorker(named, o);
    expect(worker.settings.levels).toEqual([["no", "yes"], ["agree", "disagree", "neutral"]]);
    expect(JSON.stringify(worker)).toBe(JSON.stringify(sync));
    expect(Array.from(worker.predict(named))).toEqual(Array.from(sync.predict(named)));
  });
  it("an independent model's categorical column, fitInWorker and selectKAsync: the names kept", async () => {
    const o = { family: "independent", columns: [{ family: "categorical" }, { family: "categorical" }, { family: "gaussian" }], seed: 4 } as const;
    const sync = fitSync(rows, { ...o, k: 2 }), worker = await fitInWorker(rows, { ...o, k: 2 });
    expect(JSON.stringify(worker)).toBe(JSON.stringify(sync));
    expect(Array.from(worker.predict(rows))).toEqual(Array.from(sync.predict(rows)));
    const a = await selectKAsync(named, { family: "categorical", kRange: [1, 3], seed: 2, threads: 2 }), s = selectK(named, { family: "categorical", kRange: [1, 3], seed: 2 });
    a.scores.forEach((e, i) => expect(JSON.stringify(e.model)).toBe(JSON.stringify(s.scores[i].model)));
    expect(a.best.settings.levels).toEqual([["no", "yes"], ["agree", "disagree", "neutral"]]);
    expect(Array.from(a.best.predict(named))).toEqual(Array.from(s.best.predict(named)));
  });
});

describe('init "hc" on a subset of rows given flat (fitInWorker sends them flat)', () => {
  // The subset's rows were read from the flat data d = seeding width at a time (one-hot: Σ levels),
  // not ds.dims: "data[30]: is missing" with zero sample weights (the partition's rows of positive
  // weight) or above hcSubset rows — always so through fitInWorker, which sends the codes flat.
  const rows = Array.from({ length: 60 }, (_, i) => [i % 3, (i * 7) % 2]);
  const w = rows.map((_, i) => (i % 5 ? 1 + (i % 2) : 0));
  const base = { family: "categorical", k: 2, init: "hc", seed: 1 } as const;
  it("zero weights: flat codes with dims, and fitInWorker, give the rows' fit", async () => {
    const ref = JSON.stringify(fitSync(rows, { ...base, sampleWeights: w }).toJSON());
    expect(JSON.stringify(fitSync(rows.flat(), { ...base, dims: 2, sampleWeights: w }).toJSON())).toBe(ref);
    expect(JSON.stringify((await fitInWorker(rows, { ...base, sampleWeights: w })).toJSON())).toBe(ref);
  });
  it("hcSubset below the rows; an independent model's flat rows", async () => {
    const ref = JSON.stringify(fitSync(rows, { ...base, hcSubset: 20 }).toJSON());
    expect(JSON.stringify((await fitInWorker(rows, { ...base, hcSubset: 20 })).toJSON())).toBe(ref);
    const columns = [{ family: "categorical" as const }, { family: "bernoulli" as const }];
    const o = { family: "independent", columns, k: 2, init: "hc", seed: 1, sampleWeights: w } as const;
    expect(JSON.stringify(fitSync(rows.flat(), o).toJSON())).toBe(JSON.stringify(fitSync(rows, o).toJSON()));
  });
});

describe("seeding on one-hot rows reads the codes (no n × levels matrix)", () => {
  // The same seeds, distinct counts and nearest-seed labels as the dense one-hot rows give.
  it("k-means++, random seeds, distinct rows, nearest seeds: as on the dense one-hot matrix, bit for bit", () => {
    const u = mulberry32(4), n = 3000, levels = [3, 7, 2], t = 12, d = levels.length;
    const codes = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) codes[i * d + a] = Math.floor(u() * levels[a]) % (i % 5 === 0 ? 1 : levels[a]);
    const offsets = Int32Array.from([0, 3, 10]);
    const dense = new Float64Array(n * t);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) dense[i * t + offsets[a] + codes[i * d + a]] = 1;
    const hot = { get points(): Float64Array { throw new Error("made the one-hot matrix"); }, dims: t, count: n, oneHot: { offsets, codes: (from: number, c: number) => codes.subarray(from * d, (from + c) * d), ops: () => codedOps(offsets, t) } };
    const plain = { points: dense, dims: t };
    const w = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3));
    for (const k of [1, 3, 9]) {
      expect(countDistinct(hot, n, 100)).toBe(countDistinct(plain, n, 100));
      for (const weights of [null, w]) {
        const a = kmeansPlusPlus(hot, n, k, new Random(7), weights), b = kmeansPlusPlus(plain, n, k, new Random(7), weights);
        expect(a).toEqual(b);
        expect(kmeansPlusPlus(hot, n, k, new Random(7), weights, false)).toEqual(b); // recomputed distances
        expect(randomDistinct(hot, n, k, new Random(8), weights)).toEqual(randomDistinct(plain, n, k, new Random(8), weights));
        const la = new Float64Array(n), lb = new Float64Array(n);
        nearestSeed(hot, n, a, k, la);
        nearestSeed(plain, n, b, k, lb);
        expect(la).toEqual(lb);
      }
    }
  });
  it("partial labels: class means (seeds of fractions), the seeds drawn around them and the nearest seeds, as on the dense rows, bit for bit", () => {
    // The one-hot formula ‖seed‖² − 2 seed·x + columns rounds otherwise than the dense sum for a class mean: other draws.
    const u = mulberry32(9), n = 90, levels = [6, 4], t = 10, d = levels.length, offsets = Int32Array.from([0, 6]);
    const codes = Float64Array.from({ length: n * d }, (_, i) => Math.floor(u() * u() * levels[i % d]));
    const dense = new Float64Array(n * t);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) dense[i * t + offsets[a] + codes[i * d + a]] = 1;
    const hot = { points: new Float64Array(0), dims: t, count: n, oneHot: { offsets, codes: (from: number, c: number) => codes.subarray(from * d, (from + c) * d), ops: () => codedOps(offsets, t) } };
    const plain = { points: dense, dims: t };
    const w = Float64Array.from({ length: n }, (_, i) => i % 4);
    for (let trial = 0; trial < 100; trial++) {
      const k = 2 + (trial % 6), labels = Float64Array.from({ length: n }, () => (u() < 0.3 ? Math.floor(u() * k) : -1));
      for (const weights of [null, w]) {
        expectSameSeedsAround(hot, plain, n, k, labels, weights, trial);
      }
    }
  });
  it("a column of 20,000 levels over 10⁵ rows: seeds without a 10⁵ × 20,000 matrix (16 GB)", () => {
    const u = mulberry32(6), rows = Array.from({ length: 100_000 }, (_, i) => [Math.floor(u() * 20_000), (i % 2) + 2 * Math.floor(u() * 2)]);
    const m = fitSync(rows, { family: "categorical", k: 3, seed: 1, maxIter: 3 }); // an allocation failure before
    expect(m.iterations).toBe(3);
  }, 60_000);
});

describe("the heat map of a column of many levels", () => {
  it("shows the 39 most probable levels and one row for the others (their sums), at any number of levels", () => {
    const u = mulberry32(12);
    for (const L of [40, 2000, 20_000]) {
      const rows = Array.from({ length: 20_000 }, (_, i) => [i % 3 === 0 ? 7 : Math.floor(u() * L), i % 2]);
      const m = fitSync(rows, { family: "categorical", k: 2, seed: 1, maxIter: 5 });
      const svg = plotFit(m, rows);
      expect(svg.length, `${L}`).toBeLessThan(60_000); // was 10 MB at 20,000 levels
      const titles = [...svg.matchAll(/<title>column 1 = ([^<]+?), component 1: ([^<]+)<\/title>/g)];
      expect(titles, `${L}`).toHaveLength(L <= 40 ? L : 40);
      if (L > 40) {
        const levels = (m.components[0] as CategoricalComponent).p[0].length; // the levels the data reach
        expect(titles.at(-1)![1]).toBe(`(${(levels - 39).toLocaleString("en-US")} other levels)`);
        expect(titles.some((t) => t[1] === "7")).toBe(true); // the level a third of the rows hold is shown
        // The other levels' row is the sum of their probabilities: the shown rows and it add up to 1.
        const p = (m.components[0] as CategoricalComponent).p[0], shown = titles.slice(0, -1).reduce((s, t) => s + p[Number(t[1])], 0);
        expect(Number(titles.at(-1)![2])).toBeCloseTo(1 - shown, 3);
      }
    }
  });
});
