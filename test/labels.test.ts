// Partial labels (`labels`, as mclust's MclustSSC): the reference EM with labels, mclust's fixed
// point, the objective's ascent, class-mean seeding, every path's bits, and bad input.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { accumulate, fit, fitInWorker, fitStream, fitSync, initSync, loadModel, maximize, mergeStats, type MixtureModel } from "../src/index.js";
import { classMeans, seedsAround } from "../src/seeding.js";
import { Random } from "../src/random.js";
import { gaussianRef, poissonRef, referenceEM } from "./reference/em.js";
import { mvGaussianRef } from "./reference/mv.js";
import { mulberry32, normal } from "./helpers.js";

initSync();
const u = mulberry32(31);
const x = Array.from({ length: 3000 }, (_, i) => (i % 3) * 3 + normal(u) * (1 + (i % 3) * 0.3));
const labels = x.map((_, i) => (i % 10 === 0 ? i % 3 : -1));
const init = { means: [0.5, 2.5, 6.5], variances: [1, 2, 3] };
const theta0 = [[0.5, 1], [2.5, 2], [6.5, 3]];
const third = [1 / 3, 1 / 3, 1 / 3];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe("partial labels", () => {
  it("agree with the reference EM (one-hot labelled responsibilities): parameters, log-likelihood, objective", () => {
    for (const mode of ["soft", "hard"] as const) {
      const m = fitSync(x, { k: 3, init, labels, maxIter: 25, tol: 0, mode });
      const ref = referenceEM(gaussianRef(x), x, null, theta0, third, { maxIter: 25, tol: 0, mode, fixWeights: false, labels });
      m.components.forEach((c, j) => {
        expect(rel(c.mean, ref.theta[j][0])).toBeLessThan(1e-9);
        expect(rel(c.variance, ref.theta[j][1])).toBeLessThan(1e-9);
        expect(rel(m.weights[j], ref.weights[j])).toBeLessThan(1e-9);
      });
      expect(rel(m.logLikelihood, ref.logLikelihood)).toBeLessThan(1e-12);
      expect(rel(m.objective, ref.objective)).toBeLessThan(1e-12);
      expect(m.objective).toBeLessThan(m.logLikelihood); // every labelled point gives up log r ≤ 0
    }
    // Poisson and full-covariance Gaussians: the same rule in other kernels.
    const counts = Array.from({ length: 1500 }, (_, i) => Math.max(0, Math.round((i % 2 ? 9 : 2) + normal(u) * (i % 2 ? 3 : 1.2))));
    const cl = counts.map((_, i) => (i % 7 === 0 ? i % 2 : -1));
    const p = fitSync(counts, { family: "poisson", k: 2, init: { lambdas: [3, 7] }, labels: cl, maxIter: 20, tol: 0 });
    const pr = referenceEM(poissonRef, counts, null, [[3], [7]], [0.5, 0.5], { maxIter: 20, tol: 0, mode: "soft", fixWeights: false, labels: cl });
    p.components.forEach((c, j) => expect(rel(c.lambda, pr.theta[j][0])).toBeLessThan(1e-10));
    expect(rel(p.objective, pr.objective)).toBeLessThan(1e-12);
    const rows = x.map((v, i) => [v, (i % 3) * 2 + normal(u)]);
    const covariances = [[[1, 0], [0, 1]], [[2, 0.3], [0.3, 1]], [[3, 0], [0, 2]]];
    const mv = fitSync(rows, { family: "mvgaussian", k: 3, init: { means: [[0.5, 0], [2.5, 2], [6.5, 4]], covariances }, labels, maxIter: 15, tol: 0 });
    const mr = referenceEM(mvGaussianRef(rows, "full"), rows, null, [[0.5, 0], [2.5, 2], [6.5, 4]].map((mean, j) => [...mean, ...covariances[j].flat()]), third,
      { maxIter: 15, tol: 0, mode: "soft", fixWeights: false, labels });
    mv.components.forEach((c, j) => [...c.mean, ...c.covariance.flat()].forEach((v, t) => expect(rel(v, mr.theta[j][t])).toBeLessThan(1e-9)));
    expect(rel(mv.objective, mr.objective)).toBeLessThan(1e-12);
  });

  it("with no labelled point (absent, empty of labels, all −1): today's fit, bit for bit; the objective is the log-likelihood", () => {
    const plain = fitSync(x, { k: 3, seed: 4 });
    for (const l of [undefined, x.map(() => -1), new Int8Array(x.length).fill(-1)]) {
      const m = fitSync(x, { k: 3, seed: 4, labels: l });
      expect(m.components).toEqual(plain.components);
      expect(m.weights).toEqual(plain.weights);
      expect(m.logLikelihood).toBe(plain.logLikelihood);
      expect(m.objective).toBe(m.logLikelihood);
      expect(m.toJSON().fit.objective).toBeUndefined();
    }
  });

  it("every point labelled: the supervised fit (class means, variances and shares)", () => {
    const all = x.map((_, i) => i % 3);
    const m = fitSync(x, { k: 3, labels: all, tol: 0, maxIter: 3 });
    for (let j = 0; j < 3; j++) {
      const own = x.filter((_, i) => i % 3 === j);
      const mean = own.reduce((a, b) => a + b, 0) / own.length;
      expect(rel(m.components[j].mean, mean)).toBeLessThan(1e-12);
      expect(rel(m.components[j].variance, own.reduce((a, b) => a + (b - mean) ** 2, 0) / own.length)).toBeLessThan(1e-10);
      expect(rel(m.weights[j], own.length / x.length)).toBeLessThan(1e-12);
    }
  });

  it("combine with sample weights: integer weights fit as duplicated rows with their labels", () => {
    const w = x.map((_, i) => 1 + (i % 3 === 1 ? (i % 4) : 0));
    const dx: number[] = [], dl: number[] = [];
    x.forEach((v, i) => { for (let c = 0; c < w[i]; c++) { dx.push(v); dl.push(labels[i]); } });
    const a = fitSync(x, { k: 3, init, labels, sampleWeights: w, maxIter: 30, tol: 0 });
    const b = fitSync(dx, { k: 3, init, labels: dl, maxIter: 30, tol: 0 });
    a.components.forEach((c, j) => {
      expect(rel(c.mean, b.components[j].mean)).toBeLessThan(1e-10);
      expect(rel(c.variance, b.components[j].variance)).toBeLessThan(1e-10);
    });
    expect(rel(a.objective, b.objective)).toBeLessThan(1e-12);
    expect(rel(a.logLikelihood, b.logLikelihood)).toBeLessThan(1e-12);
  });

  it("k-means++ and random seeding start the labelled components at their class means", () => {
    const points = { points: Float64Array.from(x), dims: 1 };
    const some = Float64Array.from(x, (_, i) => (i % 10 === 0 && i % 3 !== 1 ? i % 3 : -1)); // components 0 and 2 labelled
    const given = classMeans(points, x.length, 3, some);
    expect(given.has).toEqual([true, false, true]);
    const mean = (j: number) => { const v = x.filter((_, i) => some[i] === j); return v.reduce((a, b) => a + b, 0) / v.length; };
    expect(given.seeds[0]).toBeCloseTo(mean(0), 12);
    expect(given.seeds[2]).toBeCloseTo(mean(2), 12);
    for (const how of ["kmeans++", "random"] as const) {
      const seeds = seedsAround(points, x.length, 3, new Random(1), null, given, how);
      expect(seeds[0]).toBe(given.seeds[0]);
      expect(seeds[2]).toBe(given.seeds[2]);
      expect(x).toContain(seeds[1]); // the free one: a data point
    }
  });

  it("EM never decreases the objective (soft EM, SQUAREM too), whatever the labels (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 4 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (seed, k, share) => {
      const r = mulberry32(seed);
      const data = Array.from({ length: 300 }, (_, i) => (i % k) * 2.5 + normal(r));
      const l = data.map(() => (r() < share ? Math.floor(r() * k) : -1));
      for (const accelerate of ["none", "squarem"] as const) {
        const seen: number[] = [];
        const m = fitSync(data, { k, seed, labels: l, maxIter: 40, tol: 0, accelerate, onIteration: (info) => { seen.push(info.delta); } });
        for (const d of seen) expect(d).toBeGreaterThanOrEqual(-1e-12);
        expect(Number.isFinite(m.objective)).toBe(true);
      }
    }), { numRuns: 25 });
  });

  it("SQUAREM reaches plain EM's fixed point with labels", () => {
    const a = fitSync(x, { k: 3, init, labels, maxIter: 5000, tol: 1e-13 });
    const b = fitSync(x, { k: 3, init, labels, maxIter: 5000, tol: 1e-13, accelerate: "squarem" });
    expect(b.passes).toBeLessThan(a.passes);
    a.components.forEach((c, j) => expect(rel(b.components[j].mean, c.mean)).toBeLessThan(1e-6));
    expect(b.objective).toBeGreaterThanOrEqual(a.objective - 1e-7);
  });

  it("fit on 1–3 threads and fitInWorker give fitSync's bits; a stream of { data, labels } chunks the same fit; accumulate + maximize one labelled M-step", async () => {
    const r = mulberry32(5);
    const big = Array.from({ length: 150_000 }, (_, i) => (i % 3) * 5 + normal(r) * (1 + (i % 3) * 0.3));
    const bl = big.map((_, i) => (i % 97 === 0 ? i % 3 : -1));
    const bw = big.map((_, i) => 0.5 + (i % 4) / 4);
    const a = fitSync(big, { k: 3, seed: 2, labels: bl, maxIter: 20 });
    const aw = fitSync(big, { k: 3, seed: 2, labels: bl, sampleWeights: bw, maxIter: 20 });
    for (const threads of [1, 2, 3]) {
      const b = await fit(big, { k: 3, seed: 2, labels: bl, maxIter: 20, threads });
      expect(b.components).toEqual(a.components);
      expect(b.logLikelihood).toBe(a.logLikelihood);
      expect(b.objective).toBe(a.objective);
      const bw2 = await fit(big, { k: 3, seed: 2, labels: bl, sampleWeights: bw, maxIter: 20, threads });
      expect(bw2.components).toEqual(aw.components);
      expect(bw2.objective).toBe(aw.objective);
    }
    const c = await fitInWorker(x, { k: 3, seed: 2, labels: Int32Array.from(labels) });
    const cs = fitSync(x, { k: 3, seed: 2, labels });
    expect(c.components).toEqual(cs.components);
    expect(c.objective).toBe(cs.objective);
    // A stream from an explicit start: the in-memory fit up to the chunked sums.
    const whole = fitSync(x, { k: 3, init, labels, maxIter: 40, tol: 0 });
    const parts = [0, 1000, 2000].map((at) => ({ data: x.slice(at, at + 1000), labels: labels.slice(at, at + 1000) }));
    const streamed = await fitStream(() => parts, { k: 3, init, maxIter: 40, tol: 0 });
    expect(rel(streamed.objective, whole.objective)).toBeLessThan(1e-12);
    streamed.components.forEach((s, j) => expect(rel(s.mean, whole.components[j].mean)).toBeLessThan(1e-10));
    // The second chunk alone unlabelled: its objective is its log-likelihood.
    const mixed = await fitStream(() => [parts[0], x.slice(1000, 2000), parts[2]], { k: 3, init, maxIter: 3, tol: 0 });
    const mixedLabels = labels.map((l, i) => (i >= 1000 && i < 2000 ? -1 : l));
    expect(rel(mixed.objective, fitSync(x, { k: 3, init, labels: mixedLabels, maxIter: 3, tol: 0 }).objective)).toBeLessThan(1e-12);
    await expect(fitStream(() => [x], { k: 3, labels })).rejects.toThrow(/options\.labels: are given per chunk in a stream/);
    // accumulate with labels: parts merged and maximised = one labelled EM step from the model.
    const m0 = fitSync(x, { k: 3, init, labels, maxIter: 2, tol: 0 });
    const s = mergeStats(...[0, 1500].map((at) => accumulate(m0, x.slice(at, at + 1500), { labels: labels.slice(at, at + 1500) })));
    const step = maximize(m0, s) as MixtureModel<"gaussian">;
    const next = fitSync(x, { k: 3, init: m0, labels, maxIter: 1, tol: 0 });
    step.components.forEach((c, j) => expect(rel(c.mean, next.components[j].mean)).toBeLessThan(1e-12));
    expect(rel(s.objective!, m0.objective)).toBeLessThan(1e-12);
    expect(rel(step.objective, m0.objective)).toBeLessThan(1e-12); // the statistics' own, at m0
  }, 60_000);

  it("the objective survives JSON; a warm start with the same labels goes on bit for bit", () => {
    const m = fitSync(x, { k: 3, init, labels, maxIter: 5, tol: 0 });
    const back = loadModel(JSON.parse(JSON.stringify(m))) as MixtureModel<"gaussian">;
    expect(back.objective).toBe(m.objective);
    const ten = fitSync(x, { k: 3, init, labels, maxIter: 10, tol: 0 });
    const more = fitSync(x, { k: 3, init: back, labels, maxIter: 5, tol: 0 });
    expect(more.components).toEqual(ten.components);
    expect(more.objective).toBe(ten.objective);
  });

  it("bad labels: a MixemError naming the option and the index", () => {
    const bad = (l: unknown, re: RegExp, extra = {}) => expect(() => fitSync(x, { k: 3, labels: l as number[], ...extra })).toThrow(re);
    bad(labels.slice(1), /options\.labels: has 2999 labels; the data has 3000 points/);
    bad(labels.map((l, i) => (i === 7 ? 3 : l)), /options\.labels\[7\]: must be −1 \(unknown\) or a component 0 … 2.*got 3/);
    bad(labels.map((l, i) => (i === 8 ? -2 : l)), /options\.labels\[8\]/);
    bad(labels.map((l, i) => (i === 9 ? 0.5 : l)), /options\.labels\[9\]: must be −1 \(unknown\) or a component 0 … 2, got 0\.5/);
    bad(labels.map((l, i) => (i === 3 ? NaN : l)), /options\.labels\[3\]/);
    bad(labels.map((l, i) => (i === 4 ? "1" : l)), /options\.labels\[4\]: is not a number/);
    bad("0,1", /options\.labels: must be an array of integers/);
    bad(labels, /options\.labels: cannot be used with init "hc"/, { init: "hc" });
    try { fitSync(x, { k: 3, labels: labels.map((l, i) => (i === 7 ? 5 : l)) }); } catch (e) { expect((e as Error).name).toBe("MixemError"); }
  });
});

describe("partial labels against mclust's MclustSSC", () => {
  const peer = JSON.parse(readFileSync(new URL("./fixtures/peers/mclust-ssc.json", import.meta.url), "utf8"));
  const rows = readFileSync(new URL("../examples/faithful.csv", import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
  const close = (a: number[], b: number[], tol: number) => a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(tol * Math.max(1, Math.abs(b[i]))));
  const run = { maxIter: 100_000, tol: 0, regCovar: 0 };

  it("1-D (model V): from MclustSSC's first M-step, its fixed point and its loglik", () => {
    const s = peer.waiting.start;
    const m = fitSync(rows.map((r) => r[1]), { k: 2, labels: peer.labels, init: { weights: s.pro, means: s.mean, variances: s.variance }, ...run, maxIter: 3000 });
    close([...m.weights], peer.waiting.pro, 1e-10);
    close(m.components.map((c) => c.mean), peer.waiting.mean, 1e-10);
    close(m.components.map((c) => c.variance), peer.waiting.variance, 1e-10);
    expect(Math.abs(m.objective - peer.waiting.loglik)).toBeLessThan(1e-12 * Math.abs(peer.waiting.loglik));
  });

  it("2-D (model VVV): the same", () => {
    const s = peer.both.start;
    const m = fitSync(rows, { family: "mvgaussian", k: 2, labels: peer.labels, init: { weights: s.pro, means: s.mean, covariances: s.variance }, ...run, maxIter: 3000 });
    close([...m.weights], peer.both.pro, 1e-10);
    close(m.components.flatMap((c) => c.mean), peer.both.mean.flat(), 1e-10);
    close(m.components.flatMap((c) => c.covariance.flat()), peer.both.variance.flat(2), 1e-10);
    expect(Math.abs(m.objective - peer.both.loglik)).toBeLessThan(1e-12 * Math.abs(peer.both.loglik));
  });
});

describe("the CLI's --labels", () => {
  it("fits as the API with labels (components 1 … k, empty or NA unknown; the column is not data); bad cells name the row", async () => {
    const { spawnSync } = await import("node:child_process");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "mixem-labels-"));
    const file = join(dir, "l.csv");
    const cell = (l: number, i: number) => (l >= 0 ? String(l + 1) : i % 2 ? "NA" : "");
    writeFileSync(file, "x,known\n" + x.map((v, i) => `${v},${cell(labels[i], i)}`).join("\n") + "\n");
    const cli = (args: string[]) => spawnSync(process.execPath, [new URL("../dist/cli.js", import.meta.url).pathname, ...args], { encoding: "utf8" });
    const r = cli(["fit", file, "-k", "3", "--labels", "known", "--json", "--quiet"]);
    expect(r.status, r.stderr).toBe(0);
    const api = fitSync(x, { k: 3, labels, accelerate: "squarem" }); // the CLI fits with SQUAREM
    const out = JSON.parse(r.stdout);
    expect(out.components).toEqual(JSON.parse(JSON.stringify(api.components)));
    expect(out.fit.objective).toBe(api.objective);
    expect(cli(["fit", file, "-k", "3", "--labels", "known", "--quiet"]).stdout).toMatch(/objective\s+-\d+\.\d{4} \(labelled rows at their component\)/);
    for (const [text, message] of [["x,known\n1,1\n2,\n3,zero\n4,2\n", "row 3, column known: \"zero\" is not a label"], ["x,known\n1,1\n2,\n3,3\n4,2\n", "row 3, column known: 3 is not a component 1 … 2"], ["x,known\n1,0\n2,\n3,1\n4,2\n", "row 1, column known: 0 is not a component 1 … 2"]]) {
      writeFileSync(file, text);
      const bad = cli(["fit", file, "-k", "2", "--labels", "known"]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain(message);
    }
    expect(cli(["select", file, "-k", "1..3", "--labels", "known"]).stderr).toContain("--labels is for mixem fit");
  });
});

describe("selection", () => {
  it("selectK and selectKAsync refuse labels and freeze (they name components or values of one k)", async () => {
    const { selectK, selectKAsync } = await import("../src/index.js");
    expect(() => selectK(x, { kRange: [1, 3], labels } as never)).toThrow(/options\.labels: is not an option of selectK/);
    expect(() => selectK(x, { kRange: [1, 3], freeze: { weights: true } } as never)).toThrow(/options\.freeze: is not an option of selectK/);
    await expect(selectKAsync(x, { kRange: [1, 3], labels } as never)).rejects.toThrow(/options\.labels/);
  });
});

describe("a stream's labels are checked on every pass", () => {
  it("a label out of range on a later pass is a MixemError (not a trap, not a silent fit); a chunk's unknown part is named", async () => {
    const x = Array.from({ length: 200 }, (_, i) => (i % 2) * 5 + Math.sin(i));
    const L = x.map((_, i) => (i < 10 ? i % 2 : -1));
    for (const bad of [9, 0.5, -5, NaN, 1e9]) {
      let pass = 0;
      await expect(fitStream(() => { pass++; return [{ data: x, labels: pass === 3 ? x.map(() => bad) : L }]; }, { k: 2, seed: 1 })).rejects.toThrow(/^chunks\[0\]\.labels\[0\]: /);
    }
    await expect(fitStream(() => [{ data: x, sampleWeight: x.map(() => 0) }] as never, { k: 2 })).rejects.toThrow(/chunks\[0\]\.sampleWeight: is not a part of a chunk/);
    // The library is sound after: the same fit as in a fresh process.
    expect(fitSync(x, { k: 2, seed: 1, labels: L }).logLikelihood).toBe(fitSync(x.slice(), { k: 2, seed: 1, labels: L.slice() }).logLikelihood);
  });
});
