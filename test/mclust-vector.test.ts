// selectK(x) on a numeric vector answers as mclust's Mclust(x): the 1-D models E and V, G = 1 … 9,
// mclust's quantile start (qclass: its init "hc" in 1-D), EM to a relative change of 1e-5, the best
// by BIC — against test/fixtures/peers/make_mclust_vector.R (mclust 6.0.0) on six vectors.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, plotSelection, selectK, selectKAsync, type Selection } from "../src/index.js";
import { maxRelErr, relErr } from "./helpers.js";

initSync();
interface Cell { model: "E" | "V"; G: number; bic: number | null; nParameters: number }
interface Case {
  name: string; prior: boolean; model: string; G: number; bic: number; loglik: number; icl: number; df: number;
  weights: number[]; means: number[]; variances: number[]; classification: number[]; cells: Cell[]; data: number[];
}
const cases: Case[] = JSON.parse(readFileSync(new URL("./fixtures/peers/mclust-vector.json", import.meta.url), "utf8")).cases;
const byName = (name: string) => cases.find((c) => c.name === name)!;
const options = (c: Case) => (c.prior ? { prior: true } : {});
const selections = new Map<string, Selection>();
const select = (c: Case) => { if (!selections.has(c.name)) selections.set(c.name, selectK(Float64Array.from(c.data), options(c))); return selections.get(c.name)!; };

describe("selectK(x) on a vector answers as Mclust(x)", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s: every cell of mclust's BIC table (E and V, G = 1 … 9) to 1e-12, its NA cells FAILED or DEGENERATE", (_name, c) => {
    const sel = select(c);
    expect(sel.family).toBe("gaussian");
    // mclust's order: E then V at each k; k = 1 … 9.
    expect(sel.scores.map((e) => `${e.mclust}${e.k}`)).toEqual(Array.from({ length: 9 }, (_, i) => [`E${i + 1}`, `V${i + 1}`]).flat());
    for (const r of c.cells) {
      const e = sel.scores.find((s) => s.mclust === r.model && s.k === r.G)!;
      expect(e.covariance).toBe(r.model);
      if (r.bic === null) { expect(e.error, `${r.model}${r.G}`).toMatch(/^(FAILED|DEGENERATE)$/); continue; }
      expect(e.error, `${r.model}${r.G}`).toBeUndefined();
      expect(e.nParameters).toBe(r.nParameters);
      // The same start and stopping rule reach the same iterate: BIC to rounding (mixem's sign).
      expect(relErr(-e.bic, r.bic), `${r.model}${r.G}`).toBeLessThan(1e-12);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s: mclust's model and G, BIC, log-likelihood, ICL, df, classification; its $parameters one EM step on", (_name, c) => {
    const sel = select(c), x = c.data;
    const best = sel.scores.find((e) => e.model === sel.best)!;
    // "X": mclust's name of a univariate G = 1 fit, where E and V are one model (its BIC ties them; mixem keeps E, the first).
    if (c.model === "X") expect([sel.mclust, sel.k]).toEqual(["E", 1]);
    else expect([sel.mclust, sel.covariance, sel.k]).toEqual([c.model, c.model, c.G]);
    expect(relErr(-best.bic, c.bic)).toBeLessThan(1e-12);
    expect(relErr(sel.best.logLikelihood, c.loglik)).toBeLessThan(1e-12);
    expect(relErr(-best.icl, c.icl)).toBeLessThan(1e-11);
    expect(sel.best.nParameters).toBe(c.df);
    expect(Array.from(sel.best.predict(x), (j) => j + 1)).toEqual(c.classification);
    // mclust's $parameters come from the M-step after the E-step whose log-likelihood it reports.
    const next = fitSync(x, { family: "gaussian", k: sel.k, covariance: sel.covariance as "E", init: sel.best as never, maxIter: 1, tol: 0, ...options(c) });
    expect(maxRelErr([...next.weights, ...next.means!, ...(next.covariances as unknown as number[])], [...c.weights, ...c.means, ...c.variances])).toBeLessThan(1e-11);
  });

  it("covariance: \"E\", \"V\" or a list searches those; anything else is refused with the models named", () => {
    const c = byName("waiting"), x = c.data;
    const e = selectK(x, { covariance: "E" }), v = selectK(x, { covariance: ["V"] }), both = selectK(x, { covariance: ["V", "E"] });
    expect(e.scores.map((s) => s.mclust)).toEqual(Array(9).fill("E"));
    expect(v.scores.map((s) => s.mclust)).toEqual(Array(9).fill("V"));
    expect(both.scores.slice(0, 2).map((s) => s.mclust)).toEqual(["V", "E"]); // the order given
    for (const s of [...e.scores, ...v.scores]) expect(s.bic).toBe(select(c).scores.find((t) => t.k === s.k && t.mclust === s.mclust)!.bic);
    expect(() => selectK(x, { covariance: "full" } as never)).toThrow(/^options\.covariance: must be "all" or one of "E", "V", got the string "full"/);
    expect(() => selectK(x, { covariance: ["E", "VII"] } as never)).toThrow(/^options\.covariance\[1\]: must be "all" or one of "E", "V"/);
    expect(() => selectK(x, { covariance: [] } as never)).toThrow(/^options\.covariance: must be "all", a covariance model or a list of them/);
    expect(() => selectK(x, { family: "poisson", covariance: "E" } as never)).toThrow(/^options\.covariance: is an option of the families with covariance models \(gaussian, mvgaussian\)/);
  });

  it("as family \"mvgaussian\", dims: 1 (the former way to Mclust(x)): the same cells, BIC to 1e-12 (E: EII, V: VII)", () => {
    const c = byName("galaxies"), x = Float64Array.from(c.data);
    const mv = selectK(x, { family: "mvgaussian", dims: 1 });
    const g = select(c);
    expect(mv.scores.map((e) => [e.mclust, e.k])).toEqual(g.scores.map((e) => [e.mclust, e.k]));
    expect(mv.scores.map((e) => e.covariance).slice(0, 2)).toEqual(["EII", "spherical"]); // VII's first name
    expect(maxRelErr(mv.scores.map((e) => e.bic), g.scores.map((e) => e.bic))).toBeLessThan(1e-12);
  });

  it("with a prior: mclust's Mclust(x, prior = priorControl()) (both E and V take one)", () => {
    const sel = select(byName("waiting-prior"));
    expect(sel.scores.filter((e) => e.k === 1).map((e) => e.mclust)).toEqual(["E", "V"]);
    expect(sel.best.settings.prior).toBeDefined();
  });

  it("in a family list, gaussian is its two models (as mvgaussian is all of its): E and V beside the other families", () => {
    const c = byName("unequal"), x = c.data;
    const sel = selectK(x, { family: ["gaussian", "t"], kRange: [1, 3] });
    expect(sel.scores.map((e) => `${e.family}${e.mclust ?? ""}${e.k}`)).toEqual([1, 2, 3].flatMap((k) => [`gaussianE${k}`, `gaussianV${k}`, `t${k}`]));
    expect(selectK(x, { family: ["gaussian", "t"], kRange: [1, 2], covariance: "V" }).scores.map((e) => `${e.family}${e.mclust ?? ""}`)).toEqual(["gaussianV", "t", "gaussianV", "t"]);
  });

  it("selectKAsync on workers: the same entries as selectK", async () => {
    const c = byName("waiting"), x = c.data;
    const sync = select(c);
    const got = await selectKAsync(x, { threads: 2 });
    expect(got.scores.map((e) => [e.mclust, e.k, e.bic, e.error])).toEqual(sync.scores.map((e) => [e.mclust, e.k, e.bic, e.error]));
    expect([got.mclust, got.covariance, got.k]).toEqual([sync.mclust, sync.covariance, sync.k]);
  });

  it("plotSelection draws mclust's BIC plot: one line per model (E, V), mclust's sign", () => {
    const svg = plotSelection(select(byName("equal")));
    expect(svg).toMatch(/>E</);
    expect(svg).toMatch(/>V</);
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});
