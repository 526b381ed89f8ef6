// The independent family (mixed-type rows): against the R peer (make_mixed.R: EM for Gaussian,
// categorical, Poisson and binomial columns; 5 iterations and the fixed point, checked there by
// the gradient), the plain-TypeScript reference under random problems (fast-check), level names in
// a column, the prior, and bad input.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { fitSync, initSync, loadModel, MixemError, plotFit, type IndependentComponent } from "../src/index.js";
import { binomialRef, gaussianRef, poissonRef, referenceEM } from "./reference/em.js";
import { categoricalRef } from "./reference/categorical.js";
import { columnOfRows, independentRef } from "./reference/independent.js";
import { closeness, drawLabels, historyCloseness, maxRelErr, mulberry32, normal, poissonDraw, binomialDraw, relErr } from "./helpers.js";
import { countDistinct, kmeansPlusPlus, nearestSeed, randomDistinct } from "../src/seeding.js";
import { codedOps } from "../src/coded-rows.js";
import { expectSameSeedsAround } from "./seeding-agree.js";
import { Random } from "../src/random.js";
import { loadDataset, withDataset } from "../src/dataset.js";
import { independent } from "../src/families/independent.js";
import type { Family, Points } from "../src/family.js";

initSync();
const SEED = process.env.MIXEM_FC_SEED === "random" ? undefined : Number(process.env.MIXEM_FC_SEED ?? 20261202);
const RUNS = Number(process.env.MIXEM_PROPERTY_RUNS ?? 40);

interface Point { weights: number[]; means: number[]; variances: number[]; p: number[][]; lambdas: number[]; q: number[]; logLikelihood: number; iterations: number }
const peer: { trials: number; init: Omit<Point, "logLikelihood" | "iterations">; five: Point; fixed: Point & { maxAbsGradient: number }; data: number[][] } =
  JSON.parse(readFileSync(new URL("./fixtures/peers/mixed.json", import.meta.url), "utf8"));
const peerColumns = [{ family: "gaussian", regCovar: 0 }, { family: "categorical" }, { family: "poisson" }, { family: "binomial", trials: peer.trials }] as const;
const flat = (p: Omit<Point, "logLikelihood" | "iterations">) => [...p.weights, ...p.means, ...p.variances, ...p.p.flat(), ...p.lambdas, ...p.q];
const ours = (m: { weights: readonly number[]; components: readonly unknown[] }) => {
  const c = m.components as IndependentComponent[];
  const col = (a: number) => c.map((x) => x.columns[a]);
  return [...m.weights, ...col(0).map((g) => g.mean as number), ...col(0).map((g) => g.variance as number),
    ...col(1).flatMap((g) => (g.p as number[][])[0]), ...col(2).map((g) => g.lambda as number), ...col(3).map((g) => g.p as number)];
};

describe("against the R peer (test/fixtures/peers/make_mixed.R)", () => {
  const i = peer.init;
  const init = {
    weights: i.weights,
    columns: [{ means: i.means, variances: i.variances }, { p: i.p.map((v) => [v]) }, { lambdas: i.lambdas }, { p: i.q }],
  };
  it("5 iterations from the same start: parameters and log-likelihood to 1e-9", () => {
    const m = fitSync(peer.data, { family: "independent", k: 2, columns: peerColumns as never, init, maxIter: 5, tol: 0 });
    expect(relErr(m.logLikelihood, peer.five.logLikelihood)).toBeLessThan(1e-12);
    expect(maxRelErr(ours(m), flat(peer.five))).toBeLessThan(1e-9);
  });
  it("the fixed point (the peer's gradient there ≈ 0): parameters and log-likelihood to 1e-9", () => {
    expect(peer.fixed.maxAbsGradient).toBeLessThan(1e-9);
    const m = fitSync(peer.data, { family: "independent", k: 2, columns: peerColumns as never, init, maxIter: 3 * peer.fixed.iterations, tol: 0 });
    expect(relErr(m.logLikelihood, peer.fixed.logLikelihood)).toBeLessThan(1e-12);
    expect(maxRelErr(ours(m), flat(peer.fixed))).toBeLessThan(1e-9);
  });
});

describe("random problems (fast-check)", () => {
  it("soft EM never decreases its objective and agrees with the composed reference (10 iterations)", () => {
    let checked = 0;
    fc.assert(fc.property(
      fc.record({ seed: fc.nat(), n: fc.integer({ min: 20, max: 300 }), k: fc.integer({ min: 1, max: 3 }), L: fc.integer({ min: 2, max: 5 }), prior: fc.boolean(), mode: fc.constantFrom("soft", "hard") }),
      ({ seed, n, k, L, prior, mode }) => {
        const u = mulberry32(seed);
        const mu = Array.from({ length: k }, () => 10 * u()), lam = Array.from({ length: k }, () => 0.5 + 8 * u()), q = Array.from({ length: k }, () => 0.1 + 0.8 * u());
        const P = Array.from({ length: k }, () => { const v = Array.from({ length: L }, () => 0.05 + u()); const s = v.reduce((a, b) => a + b, 0); return v.map((x) => x / s); });
        const pick = (p: number[]) => { let t = u(), l = 0; while (l < p.length - 1 && t >= p[l]) { t -= p[l]; l++; } return l; };
        const x = drawLabels(u, n, Array(k).fill(1 / k)).map((j) => [mu[j] + normal(u), pick(P[j]), poissonDraw(u, lam[j]), binomialDraw(u, 8, q[j])]);
        if (new Set(x.map((r) => r.join())).size < k) return;
        const columns = [{ family: "gaussian" }, { family: "categorical", levels: L }, { family: "poisson" }, { family: "binomial", trials: 8 }];
        const m = fitSync(x, { family: "independent", k, columns: columns as never, seed, maxIter: 40, tol: 0, prior, mode });
        if (mode === "soft") {
          const h = prior ? m.posteriorHistory! : m.history;
          for (let t = 1; t < h.length; t++) expect(h[t]).toBeGreaterThanOrEqual(h[t - 1] - 1e-12 * Math.abs(h[t - 1]));
        }
        expect(ours(m).every(Number.isFinite)).toBe(true);
        const start = Array.from({ length: k }, (_, j) => [mu[j] + 0.5, 2, ...P[(j + 1) % k], lam[j] + 1, 0.5]);
        const init = { columns: [{ means: start.map((s) => s[0]), variances: start.map((s) => s[1]) }, { p: start.map((s) => [s.slice(2, 2 + L)]) }, { lambdas: start.map((s) => s[2 + L]) }, { p: start.map((s) => s[3 + L]) }] };
        const a = fitSync(x, { family: "independent", k, columns: columns as never, init, maxIter: 10, tol: 0 });
        const col = (c: number) => x.map((r) => r[c]);
        const ref = referenceEM(independentRef([
          { family: gaussianRef(col(0)), size: 2 }, { family: columnOfRows(categoricalRef([L])), size: L },
          { family: poissonRef, size: 1 }, { family: binomialRef, size: 1, aux: x.map(() => 8) },
        ]), x, null, start, Array(k).fill(1 / k), { maxIter: 10, tol: 0, mode: "soft", fixWeights: false });
        expect(historyCloseness(a.history, ref.history, n)).toBeLessThan(1);
        const th = (a.components as IndependentComponent[]).flatMap((c) => [c.columns[0].mean as number, c.columns[0].variance as number, ...(c.columns[1].p as number[][])[0], c.columns[2].lambda as number, c.columns[3].p as number]);
        expect(closeness(th, ref.theta.flat(), 1e-8, 1e-10)).toBeLessThan(1);
        checked++;
      },
    ), { numRuns: RUNS, seed: SEED });
    expect(checked).toBeGreaterThan(RUNS / 2);
  });
});

describe("columns of level names, JSON, sampling", () => {
  const u = mulberry32(4);
  const rows = drawLabels(u, 800, [0.5, 0.5]).map((j) => [j * 4 + normal(u), ["no", "yes"][u() < (j ? 0.8 : 0.2) ? 1 : 0], poissonDraw(u, j ? 6 : 1)]);
  const columns = [{ family: "gaussian" }, { family: "categorical" }, { family: "poisson" }];
  it("a categorical column of names keeps its levels through JSON, and predict reads names", () => {
    const m = fitSync(rows as never, { family: "independent", k: 2, columns: columns as never, seed: 1 });
    expect(m.settings.columnData).toEqual([{}, { levels: [["no", "yes"]] }, {}]);
    const back = loadModel(JSON.parse(JSON.stringify(m)));
    expect(back.predictProba(rows as never)).toEqual(m.predictProba(rows as never));
    expect(() => back.predict([[1, "maybe", 2]] as never)).toThrow(/^data\[0\]\[1\]: "maybe" is not a level of this column/);
    const codes = rows.map((r) => [r[0], r[1] === "yes" ? 1 : 0, r[2]]);
    expect(fitSync(codes, { family: "independent", k: 2, columns: [{ family: "gaussian" }, { family: "categorical", levels: 2 }, { family: "poisson" }] as never, seed: 1 }).logLikelihood).toBe(m.logLikelihood);
  });
  it("samples each column with its own family's sampler", () => {
    const m = fitSync(rows as never, { family: "independent", k: 2, columns: columns as never, seed: 1 });
    const s = m.sample(2000, { seed: 3 });
    for (let i = 0; i < 2000; i++) {
      expect(s.values[i * 3 + 1] === 0 || s.values[i * 3 + 1] === 1).toBe(true);
      expect(Number.isInteger(s.values[i * 3 + 2]) && s.values[i * 3 + 2] >= 0).toBe(true);
    }
    const c = m.components as IndependentComponent[];
    for (let j = 0; j < 2; j++) {
      const mine = Array.from(s.labels.keys()).filter((i) => s.labels[i] === j);
      const mean = mine.reduce((a, i) => a + s.values[i * 3], 0) / mine.length;
      expect(Math.abs(mean - (c[j].columns[0].mean as number))).toBeLessThan(5 * Math.sqrt((c[j].columns[0].variance as number) / mine.length));
    }
  });
});

describe("the picture: one panel per column, as its family draws it", () => {
  it("draws density, counts, heat map and a parameter list, names the columns, stays small at 10⁵ rows", () => {
    const n = 100_000, data = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      data.set([c * 4 + Math.sin(i), c ? 8 + (i % 3) : 1 + (i % 2), (i * 7) % 10 < (c ? 8 : 3) ? 1 : 0, (i * 3) % 10 < (c ? 7 : 2) ? 1 : 0], i * 4);
    }
    const cols4 = [{ family: "gaussian" }, { family: "poisson" }, { family: "categorical", levels: 2 }, { family: "bernoulli" }];
    const m = fitSync(data, { family: "independent", k: 2, columns: cols4 as never, seed: 1 });
    const svg = plotFit(m, data, { title: "mixed", labels: ["height", "visits", "smoker", "flag"] });
    expect(svg.match(/<svg /g)?.length).toBe(5); // the picture and its 4 panels
    for (const title of ["height (gaussian)", "visits (poisson)", "smoker (categorical)", "flag (bernoulli)"]) expect(svg).toContain(title);
    expect(svg).toContain("mixture density"); // the Gaussian column's histogram
    expect(svg).toContain("mixture probability"); // the Poisson column's counts
    expect(svg.length).toBeLessThan(500_000);
    expect(() => plotFit(m, data, { labels: ["a", "b"] })).toThrow(/options\.labels: must name the 4 columns/);
  });
  it("the CLI fits and draws an independent model from a file (the data read into WebAssembly memory)", () => {
    const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "mixem-independent-"));
    try {
      const lines = ["h,v,s"];
      for (let i = 0; i < 2000; i++) lines.push(`${((i % 2) * 4 + Math.sin(i)).toFixed(4)},${(i % 2) * 8 + (i % 3)},${(i * 7) % 10 < 5 ? 1 : 0}`);
      writeFileSync(join(dir, "m.csv"), lines.join("\n") + "\n");
      const r = spawnSync(process.execPath, [cli, "fit", join(dir, "m.csv"), "--family", "independent", "-k", "2", "--quiet", "--columns", "h:gaussian,v:poisson,s:categorical", "--plot", join(dir, "m.svg")], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const svg = readFileSync(join(dir, "m.svg"), "utf8");
      for (const title of ["h (gaussian)", "v (poisson)", "s (categorical)"]) expect(svg).toContain(title);
    } finally {
      rmSync(dir, { recursive: true, force: true });
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
  const rows = [[0.5, 1, 2], [1.5, 0, 3], [2.5, 2, 0]];
  const cols = [{ family: "gaussian" }, { family: "categorical" }, { family: "poisson" }];
  const fit = (data: unknown, o: Record<string, unknown>) => fitSync(data as never, { family: "independent", k: 2, columns: cols, ...o } as never);
  it("names the column, its option, or the cell", () => {
    err(() => fit(rows, { columns: undefined }), "options.columns", /is required/);
    err(() => fit(rows, { columns: [{ family: "mvgaussian" }, ...cols.slice(1)] }), "options.columns[0].family", /not a 1-D family/);
    err(() => fit(rows, { columns: [{ family: "independent" }, ...cols.slice(1)] }), "options.columns[0].family", /not a 1-D family/);
    err(() => fit(rows, { columns: [{ family: "gaussian", trials: 3 }, ...cols.slice(1)] }), "options.columns[0].trials", /not an option here/);
    err(() => fit(rows, { columns: [cols[0], { family: "categorical", levels: 2 }, cols[2]] }), "data[2][1]", /outside 0…1/);
    err(() => fit(rows, { columns: [...cols.slice(0, 2), { family: "binomial", trials: [3, 3, 3] }] }), "options.columns[2].trials", /one number for a column/);
    err(() => fit(rows, { columns: cols.slice(0, 2) }), "data[0]", /every row must have 2/);
    err(() => fit([[0.5, 1, 2], [1.5, 0.5, 3]], {}), "data[1][1]", /not a level code/);
    err(() => fit([[0.5, 1, 2], [1.5, 0, -3]], {}), "data[1][2]", /not a valid count/);
    err(() => fit([[0.5, 1, 2], [NaN, 0, 3]], {}), "data[1][0]", /finite/);
    err(() => fit(new Float64Array([0.5, 1, 2, 1.5, 0, 3.5]), {}), "data[5]", /not a valid count/);
    err(() => fit(rows, { init: { columns: [{ means: [0, 1], variances: [1, 1] }, { p: [[[0.5, 0.5, 0]], [[0.2, 0.2, 0.6]]] }] } }), "options.init.columns", /3 initial parameter objects/);
    err(() => fit(rows, { init: { columns: [{ means: [0, 1] }, { p: [[[0.5, 0.5, 0]], [[0.2, 0.2, 0.6]]] }, { lambdas: [1, 2] }] } }), "options.init.columns[0].variances", /is required/);
    err(() => fit(rows, { init: { columns: [{ means: [0, 1], variances: [1, -1] }, { p: [[[0.5, 0.5, 0]], [[0.2, 0.2, 0.6]]] }, { lambdas: [1, 2] }] } }), "options.init.columns[0].variances[1]", /positive variance/);
    err(() => fit(rows, { prior: { columns: [true] } }), "options.prior.columns", /3 priors/);
    err(() => fit(rows, { prior: { columns: [{ dof: -1 }, true, true] } }), "options.prior.columns[0].dof");
  });
  it("the CLI names a column without a family", () => {
    const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
    const r = spawnSync(process.execPath, [cli, "fit", "-", "--family", "independent", "-k", "2", "--columns", "a:gaussian,b"], { input: "a,b\n1,0\n2,1\n3,0\n", encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--columns: "b" has no family/);
    const ok = spawnSync(process.execPath, [cli, "fit", "-", "--family", "independent", "-k", "1", "--quiet", "--columns", "a:gaussian,b:categorical,c:binomial:trials=3"],
      { input: "a,b,c\n1.5,0,2\n2.5,1,3\n3.5,0,1\n", encoding: "utf8" });
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toMatch(/columns {5}mean 2\.5000, variance 0\.6667\n {14}p \[\[0\.6667, 0\.3333\]\]\n {14}p 0\.6667\n/);
  });
});

describe("threads", () => {
  it("a threaded fit gives fitSync's bits (each shard's seed points in the whole data's units)", async () => {
    const { fitThreaded } = await import("../src/threads.js");
    const { loadWorkerSource } = await import("../src/worker.js");
    await loadWorkerSource();
    let st = 7;
    const u = () => { st ^= st << 13; st >>>= 0; st ^= st >>> 17; st ^= st << 5; st >>>= 0; return (st + 0.5) / 4294967296; };
    const n = 300_000, x = new Float64Array(n * 2), codes = new Float64Array(n * 2), trials = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 2, t = 3 + (i % 9);
      trials[i] = t;
      x[2 * i] = codes[2 * i] = (c ? 2 : 0) + u();
      x[2 * i + 1] = Math.min(t, Math.floor(u() * t * (c ? 0.9 : 0.4)));
      codes[2 * i + 1] = (i * 5 + c) % 4;
    }
    // (Each shard scaled its seed points by its own spread: its nearest seeds, so the start, differed.)
    for (const [data, more] of [[x, { columns: [{ family: "gaussian" }, { family: "binomial" }], trials }], [codes, { columns: [{ family: "gaussian" }, { family: "categorical" }] }]] as const) {
      const options = { family: "independent" as const, ...more, k: 3, maxIter: 30, seed: 3 } as unknown as Parameters<typeof fitSync>[1];
      const alone = fitSync(data, options);
      for (const caller of [false, true]) {
        const m = await fitThreaded(data, options, 2, caller);
        expect(m.logLikelihood).toBe(alone.logLikelihood);
        expect(m.weights).toEqual(alone.weights);
      }
    }
  }, 60_000);
});

describe("a categorical column of many levels", () => {
  it("2,100 levels over 70,000 rows: its one-hot seed points are made a bounded block at a time (65,536 rows of them did not fit in WebAssembly memory)", () => {
    const u = mulberry32(9), rows = Array.from({ length: 70_000 }, () => [Math.floor(u() * 2100), 3 * u()]);
    const m = fitSync(rows, { family: "independent", columns: [{ family: "categorical" }, { family: "gaussian" }], k: 2, seed: 1, maxIter: 1 });
    expect(m.iterations).toBe(1);
    expect(Number.isFinite(m.logLikelihood)).toBe(true);
  }, 120_000);
});

describe("an independent model's picture of a categorical column of many levels", () => {
  it("its panel shows as many levels as fit at 12 px a row, then one row for the others (60 levels in a 290 px panel overlapped)", () => {
    const u = mulberry32(3), rows = Array.from({ length: 5000 }, (_, i) => [Math.floor(u() * 60), (i % 2) * 4 + u()]);
    const m = fitSync(rows, { family: "independent", columns: [{ family: "categorical" }, { family: "gaussian" }], k: 2, seed: 1, maxIter: 20 });
    const svg = plotFit(m, rows);
    const shown = [...svg.matchAll(/<title>column 1 = ([^<]+?), component 1: [^<]+<\/title>/g)].map((t) => t[1]);
    expect(shown.length).toBeGreaterThanOrEqual(3);
    expect(shown.length).toBeLessThanOrEqual(20);
    expect(shown.at(-1)).toBe(`(${60 - shown.length + 1} other levels)`);
    // Each row at least 12 px high.
    const ys = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="#[0-9a-f]{6}"><title>column 1 = [^<]+, component 1:/g)].map((t) => Number(t[2]) + 1);
    for (const h of ys) expect(h).toBeGreaterThanOrEqual(12);
  });
});

describe("seeding reads a categorical column as codes (no n × levels one-hot rows)", () => {
  /** Dense seed rows, made here: a value column as given, a code column one-hot over its levels. */
  const denseOf = (codes: Float64Array, n: number, widths: number[]) => {
    const c = widths.length, d = widths.reduce((s, w) => s + w, 0), out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) for (let a = 0, off = 0; a < c; off += widths[a], a++) {
      if (widths[a] === 1) out[i * d + off] = codes[i * c + a]; else out[i * d + off + codes[i * c + a]] = 1;
    }
    return { points: out, dims: d };
  };
  /** Rows of codes whose `points` and `rows` throw: seeding must read the codes only. */
  const codedOnly = (codes: Float64Array, n: number, widths: number[]) => {
    const c = widths.length, d = widths.reduce((s, w) => s + w, 0);
    const offsets = Int32Array.from(widths, (_, a) => widths.slice(0, a).reduce((s, w) => s + w, 0));
    const values = Uint8Array.from(widths, (w) => +(w === 1));
    return {
      get points(): Float64Array { throw new Error("made the dense rows"); },
      rows(): Float64Array { throw new Error("made dense rows"); },
      dims: d, count: n,
      oneHot: { offsets, codes: (from: number, m: number) => codes.subarray(from * c, (from + m) * c), ops: () => codedOps(offsets, d, values) },
    };
  };
  const draw = (u: () => number, n: number, widths: number[]) => {
    const c = widths.length, codes = new Float64Array(n * c);
    for (let i = 0; i < n; i++) for (let a = 0; a < c; a++)
      codes[i * c + a] = widths[a] === 1 ? (i % 3) * 1.7 + u() * u() - 0.5 : Math.floor(u() * u() * widths[a]) % (i % 5 === 0 ? 2 : widths[a]);
    return codes;
  };

  /** Every row's squared distance to every seed: the dense sum's (in coordinate order), bit for bit. */
  const expectDenseDistances = (hot: Points, plain: { points: Float64Array; dims: number }, codes: Float64Array, n: number, seeds: Float64Array, k: number) => {
    const ops = hot.oneHot!.ops(), d = plain.dims;
    for (let s = 0; s < k; s++) ops.seeded(seeds, s);
    for (let i = 0; i < n; i++) for (let s = 0; s < k; s++) {
      let sum = 0;
      for (let b = 0; b < d; b++) { const v = plain.points[i * d + b] - seeds[s * d + b]; sum += v * v; }
      if (ops.dist2(codes, i, seeds, s) !== sum) expect(ops.dist2(codes, i, seeds, s), `row ${i}, seed ${s}`).toBe(sum);
    }
  };

  it("k-means++ (distances kept and recomputed), random seeds, distinct rows, nearest seeds: the dense rows' seeds and labels, bit for bit", () => {
    const u = mulberry32(31), n = 2000;
    // Value columns between one-hot blocks of 3 and of 300 levels (the dense sum adds their two 1s one after the other).
    for (const widths of [[1, 3, 1, 300], [300, 1], [1, 1, 40, 5], [7, 1]]) {
      const codes = draw(u, n, widths), hot = codedOnly(codes, n, widths), plain = denseOf(codes, n, widths);
      const w = Float64Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : 1 + (i % 3) * 0.37));
      expect(countDistinct(hot, n, 5000)).toBe(countDistinct(plain, n, 5000));
      for (const k of [1, 4, 9]) for (const weights of [null, w]) {
        const a = kmeansPlusPlus(hot, n, k, new Random(k), weights), b = kmeansPlusPlus(plain, n, k, new Random(k), weights);
        expect(a).toEqual(b);
        expect(kmeansPlusPlus(hot, n, k, new Random(k), weights, false)).toEqual(b);
        expect(randomDistinct(hot, n, k, new Random(k + 1), weights)).toEqual(randomDistinct(plain, n, k, new Random(k + 1), weights));
        const la = new Float64Array(n), lb = new Float64Array(n);
        nearestSeed(hot, n, a, k, la);
        nearestSeed(plain, n, b, k, lb);
        expect(la).toEqual(lb);
        expectDenseDistances(hot, plain, codes, n, a, k);
      }
    }
  });

  it("partial labels (class means: seeds of fractions, blocks of at most 32 levels): class means, the seeds around them, nearest seeds, bit for bit", () => {
    const u = mulberry32(32), n = 120;
    for (let trial = 0; trial < 60; trial++) {
      const widths = trial % 2 ? [1, 6, 1, 4] : [5, 1], codes = draw(u, n, widths), hot = codedOnly(codes, n, widths), plain = denseOf(codes, n, widths);
      const k = 2 + (trial % 5), labels = Float64Array.from({ length: n }, () => (u() < 0.3 ? Math.floor(u() * k) : -1));
      const w = Float64Array.from({ length: n }, (_, i) => i % 4);
      for (const weights of [null, w]) {
        const a = expectSameSeedsAround(hot, plain, n, k, labels, weights, trial);
        expectDenseDistances(hot, plain, codes, n, a, k);
      }
    }
  });

  it("the family's own seed points: codes (a Gaussian column in sd units, a Poisson one, the categorical code), never a dense row; the dense rows' seeds", () => {
    const u = mulberry32(33), n = 5000, L = 3000;
    const rows = Array.from({ length: n }, (_, i) => [(i % 3) * 4 + u(), Math.floor(u() * L), Math.floor(u() * 6)]);
    const columns = [{ family: "gaussian" }, { family: "categorical", levels: L }, { family: "poisson" }];
    withDataset(loadDataset(independent as unknown as Family, rows, { columns }, "data"), (ds) => {
      const seeds = ds.seedPoints;
      expect(seeds.oneHot?.offsets).toEqual(Int32Array.from([0, 1, 1 + L]));
      const codes = Float64Array.from(seeds.oneHot!.codes(0, n));
      rows.forEach((r, i) => expect([codes[3 * i], codes[3 * i + 1], codes[3 * i + 2]]).toEqual([r[0] / Math.sqrt(ds.scale[0]), r[1], r[2] / Math.sqrt(ds.scale[2])]));
      // Seeding through the dataset's own Points, its dense rows forbidden (the old seeding made n × 3,002 of them).
      const only: Points = { get points(): Float64Array { throw new Error("made the dense rows"); }, rows(): Float64Array { throw new Error("made dense rows"); }, dims: seeds.dims, count: n, oneHot: seeds.oneHot };
      const plain = denseOf(codes, n, [1, L, 1]);
      const a = kmeansPlusPlus(only, n, 4, new Random(2)), la = new Float64Array(n), lb = new Float64Array(n);
      expect(a).toEqual(kmeansPlusPlus(plain, n, 4, new Random(2)));
      nearestSeed(only, n, a, 4, la);
      nearestSeed(plain, n, a, 4, lb);
      expect(la).toEqual(lb);
    });
  });

  it("a threaded fit of a column of 3,000 levels gives fitSync's bits (a worker's first codes grow its memory: the labels were written into a detached view)", async () => {
    const { fitThreaded } = await import("../src/threads.js");
    const { loadWorkerSource } = await import("../src/worker.js");
    await loadWorkerSource();
    const u = mulberry32(34), L = 3000;
    for (const n of [1000, 100_000]) {
      const x = new Float64Array(n * 2);
      for (let i = 0; i < n; i++) { x[2 * i] = (i % 3) * 4 + u(); x[2 * i + 1] = Math.floor(u() * L); }
      const options = { family: "independent", columns: [{ family: "gaussian" }, { family: "categorical", levels: L }], k: 3, maxIter: 3, seed: 1 } as unknown as Parameters<typeof fitSync>[1];
      const alone = JSON.stringify(fitSync(x, options).toJSON());
      for (const caller of [false, true]) expect(JSON.stringify((await fitThreaded(x, options, 2, caller)).toJSON()), `n ${n}`).toBe(alone);
    }
  }, 60_000);

  it('init "hc" on one-hot rows of more than 128 dimensions: a MixemError naming options.init, before any n × levels matrix; at 128 it runs', () => {
    const u = mulberry32(35), L = 3000;
    const rows = Array.from({ length: 20_000 }, (_, i) => [(i % 3) * 4 + u(), Math.floor(u() * L)]);
    for (const o of [{ family: "independent", columns: [{ family: "gaussian" }, { family: "categorical", levels: L }] }, { family: "categorical", levels: [L, 1] }]) {
      const data = o.family === "categorical" ? rows.map((r) => [r[1], 0]) : rows;
      const e = (() => { try { fitSync(data, { ...o, k: 2, init: "hc" } as Parameters<typeof fitSync>[1]); } catch (err) { return err; } })() as MixemError;
      expect(e).toBeInstanceOf(MixemError);
      expect(e.path).toBe("options.init");
      expect(e.message).toMatch(/at most 128 dimensions \(a level each\), not 3001: use "kmeans\+\+"/);
    }
    const small = Array.from({ length: 300 }, (_, i) => [(i % 3) * 4 + u(), Math.floor(u() * 127)]);
    const m = fitSync(small, { family: "independent", columns: [{ family: "gaussian" }, { family: "categorical", levels: 127 }], k: 2, init: "hc", maxIter: 2 });
    expect(Number.isFinite(m.logLikelihood)).toBe(true);
  }, 60_000);
});
