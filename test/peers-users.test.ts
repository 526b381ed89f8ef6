// What an R or Python user switching to mixem compares first, and the mapping
// docs/coming-from-r-and-python.md gives for it: scikit-learn's stopping rule and lower_bound_,
// Mclust()'s defaults and its $parameters, mixtools' normalmixEM (ECM) from given starts, flexmix's
// Poisson and binomial GLM mixtures. Fixtures and the scripts that made them:
// test/fixtures/peers/make_sklearn_stop.py, make_users.R, make_mclust_user_controls.R.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, selectK, type MixtureModel } from "../src/index.js";
import { maxRelErr, relErr } from "./helpers.js";

initSync();
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/peers/${name}`, import.meta.url), "utf8"));
const sk = fixture("sklearn-stop.json");
const R = fixture("users-r.json");
const faithful = readFileSync(new URL("../examples/faithful.csv", import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
const waiting = faithful.map((r) => r[1]);

/** scikit-learn's precisions_cholesky_ of one covariance: (L⁻¹)ᵀ for Σ = L Lᵀ. */
function precisionsCholesky(S: number[][]): number[][] {
  const d = S.length;
  const L = S.map((r) => r.map(() => 0));
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) {
    let s = S[i][j];
    for (let q = 0; q < j; q++) s -= L[i][q] * L[j][q];
    L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
  }
  const M = S.map((r) => r.map(() => 0));
  for (let c = 0; c < d; c++) for (let i = 0; i < d; i++) {
    let s = i === c ? 1 : 0;
    for (let q = 0; q < i; q++) s -= L[i][q] * M[q][c];
    M[i][c] = s / L[i][i];
  }
  return M[0].map((_, j) => M.map((r) => r[j]));
}

describe("scikit-learn GaussianMixture(tol=1e-3) from an explicit start", () => {
  type Config = { data: string; covariance: string; init: never; n_iter: number; converged: boolean; lower_bound: number; score: number; bic: number; aic: number;
    n_parameters: number; weights: number[]; means: number[][]; covariances: number[][][]; precisions_cholesky: unknown };
  const fitLike = (c: Config, opts: { tol: number; maxIter: number }): MixtureModel =>
    c.covariance === "1-D"
      ? fitSync(waiting, { k: 2, init: c.init, ridge: sk.reg_covar, regCovar: 0, ...opts })
      : fitSync(faithful, { family: "mvgaussian", covariance: c.covariance as "full", k: 2, init: c.init, ridge: sk.reg_covar, regCovar: 0, ...opts });
  const n = faithful.length;

  it.each((sk.configs as Config[]).map((c) => [c.data, c.covariance, c] as const))(
    "%s, %s: the same tol stops mixem one iteration earlier, at sklearn's lower_bound_ (the log-likelihood before its last M-step)",
    (_d, _c, c) => {
      const m = fitLike(c, { tol: sk.tol, maxIter: sk.max_iter });
      expect(c.converged).toBe(true);
      expect(m.converged).toBe(true);
      expect(m.iterations).toBe(c.n_iter - 1);
      expect(relErr(m.logLikelihood / n, c.lower_bound)).toBeLessThan(1e-12);
      expect(relErr(m.score(faithful.map((r) => (c.covariance === "1-D" ? r[1] : r)) as never), c.score)).toBeGreaterThan(1e-8);
    },
  );

  it.each((sk.configs as Config[]).map((c) => [c.data, c.covariance, c] as const))(
    "%s, %s: tol 0 and maxIter n_iter_ give sklearn's fitted attributes, score, bic, aic",
    (_d, _c, c) => {
      const m = fitLike(c, { tol: 0, maxIter: c.n_iter });
      const x = (c.covariance === "1-D" ? waiting : faithful) as never;
      expect(maxRelErr(m.weights, c.weights)).toBeLessThan(1e-10);
      const means = (m.means as unknown as (number | number[])[]).flat();
      expect(maxRelErr(means, c.means.flat())).toBeLessThan(1e-10);
      const covs = c.covariance === "1-D" ? (m.covariances as unknown as number[]) : (m.covariances as unknown as number[][][]).flat(2);
      expect(maxRelErr(covs, c.covariances.flat(2))).toBeLessThan(1e-9);
      expect(relErr(m.score(x), c.score)).toBeLessThan(1e-12);
      expect(relErr(m.bic(x), c.bic)).toBeLessThan(1e-12);
      expect(relErr(m.aic(x), c.aic)).toBeLessThan(1e-12);
      expect(m.nParameters).toBe(c.n_parameters);
      if (c.covariance === "full") {
        const mine = (m.covariances as unknown as number[][][]).map(precisionsCholesky).flat(2);
        expect(maxRelErr(mine, (c.precisions_cholesky as number[][][]).flat(2))).toBeLessThan(1e-9);
      }
    },
  );
});

describe("mclust's Mclust(x) with its defaults", () => {
  const cases = [
    ["faithful", faithful, {}],
    ["waiting", Float64Array.from(waiting), { dims: 1 }],
    ["galaxies", Float64Array.from(R.mclust.galaxies.data as number[]), { dims: 1 }],
  ] as const;

  it.each(cases)("%s: selectK(x, { family: \"mvgaussian\" }) chooses mclust's model and G, with its BIC (sign flipped), ICL, uncertainty and classification", (name, x, o) => {
    const r = R.mclust[name];
    const sel = selectK(x as never, { family: "mvgaussian", ...o });
    const best = sel.scores.find((e) => e.model === sel.best)!;
    expect([best.mclust, sel.k]).toEqual([r.model, r.G]);
    expect(sel.mclust).toBe(r.model); // the selection names it too, as Mclust's $modelName
    expect(relErr(-best.bic, r.bic)).toBeLessThan(1e-12);
    expect(relErr(sel.best.logLikelihood, r.loglik)).toBeLessThan(1e-12);
    expect(relErr(-best.icl, r.icl)).toBeLessThan(1e-12);
    expect(sel.best.nParameters).toBe(r.df);
    const u = sel.best.uncertainty(x as never);
    expect(Math.max(...Array.from(u, (v, i) => Math.abs(v - r.uncertainty[i])))).toBeLessThan(1e-12);
    expect(Array.from(sel.best.predict(x as never), (j) => j + 1)).toEqual(r.classification);
  });

  it.each(cases)("%s: mclust's $parameters are one EM step past its $loglik — one more step from selectK's model gives them", (name, x, o) => {
    const r = R.mclust[name];
    const sel = selectK(x as never, { family: "mvgaussian", ...o });
    const next = fitSync(x as never, { family: "mvgaussian", covariance: sel.covariance as "full", k: sel.k, init: sel.best, maxIter: 1, tol: 0, ...o });
    const d = next.dims;
    const rMeans = d === 1 ? (r.mean as number[]) : next.means!.flatMap((_, j) => (r.mean as number[][]).map((row) => row[j]));
    const rCovs = d === 1 ? (r.variance as number[]) : (r.variance as number[][][]).flat(2);
    const covs = (m: MixtureModel) => (m.covariances as unknown as number[][][]).flat(2);
    expect(maxRelErr([...next.weights, ...next.means!.flat(), ...covs(next)], [...r.pro, ...rMeans, ...rCovs])).toBeLessThan(1e-12);
    expect(maxRelErr([...sel.best.weights, ...sel.best.means!.flat()], [...r.pro, ...rMeans])).toBeGreaterThan(1e-5);
  });

  it("a plain vector's default selectK is Mclust(x): gaussian E and V (waiting: mclust's E, 2, BIC 2090.43; V alone picks V, 2: 2096.04 at mclust's tolerance, 2096.03 converged)", () => {
    const sel = selectK(waiting);
    expect([sel.family, sel.covariance, sel.mclust, sel.k]).toEqual(["gaussian", "E", R.mclust.waiting.model, R.mclust.waiting.G]);
    expect(relErr(-sel.scores.find((e) => e.model === sel.best)!.bic, R.mclust.waiting.bic)).toBeLessThan(1e-12);
    expect(relErr(-R.mclust.waiting.bic, 2090.4273)).toBeLessThan(1e-6);
    const v = selectK(waiting, { covariance: "V" });
    expect([v.mclust, v.k]).toEqual(["V", 2]);
    expect(relErr(v.scores[1].bic, 2096.0437)).toBeLessThan(1e-6); // mclust's V column (EM stopped at a relative change of 1e-5)
    expect(relErr(fitSync(waiting, { k: 2, seed: 1 }).bic(waiting), 2096.0325)).toBeLessThan(1e-6); // fit's default, to 1e-8 per point
  });
});

const controls = fixture("mclust-user-controls.json");

describe("mclust's emControl(equalPro = TRUE) ↔ fixWeights: true (test/fixtures/peers/make_mclust_user_controls.R)", () => {
  const eq = controls;
  it.each((eq.fits as { data: string; model: string; G: number; bic: number; loglik: number; df: number }[]).map((f) => [f.data, f.model, f.G, f] as const))(
    "%s, %s, G = %i: init \"hc\" keeps the weights at 1/k (they were the start partition's proportions), mclust's BIC to 1e-12",
    (_d, model, G, f) => {
      const oneD = f.data === "faithful.waiting";
      const x = oneD ? Float64Array.from(waiting) : faithful;
      const sel = selectK(x as never, { family: "mvgaussian", kRange: [G, G], covariance: (model === "V" ? "VII" : model) as "VVV", fixWeights: true, ...(oneD ? { dims: 1 } : {}) });
      const e = sel.scores[0];
      expect(e.model!.weights).toEqual(Array(G).fill(1 / G));
      expect(relErr(-e.bic, f.bic)).toBeLessThan(1e-12);
      expect(relErr(e.logLikelihood, f.loglik)).toBeLessThan(1e-12);
      expect(e.nParameters).toBe(f.df);
      const direct = fitSync(x as never, { family: "mvgaussian", k: G, covariance: (model === "V" ? "VII" : model) as "VVV", init: "hc", fixWeights: true, ...(oneD ? { dims: 1 } : {}) });
      expect(direct.weights).toEqual(Array(G).fill(1 / G));
    },
  );
});

describe("mclust's prior = priorControl() ↔ prior: true (test/fixtures/peers/make_mclust_user_controls.R)", () => {
  it.each((controls.prior as { data: string; model: string; G: number; bic: number; loglik: number; meIterations: number }[]).map((f) => [f.data, f.model, f.G, f] as const))(
    "%s, %s, G = %i: the relative rule compares the log-likelihood (as mclust's), so the cell stops where Mclust() does: BIC to 1e-12",
    (name, model, G, f) => {
      const x = name === "geyser" ? controls.geyser : faithful;
      const sel = selectK(x, { family: "mvgaussian", kRange: [G, G], covariance: model as "VVV", prior: true });
      const e = sel.scores[0];
      expect(relErr(-e.bic, f.bic)).toBeLessThan(1e-12);
      expect(relErr(e.logLikelihood, f.loglik)).toBeLessThan(1e-12);
      expect(e.model!.iterations).toBe(f.meIterations - 1); // me() counts its first E-step from the partition
    },
  );
});

describe("mixtools normalmixEM from given starts", () => {
  const r = R.normalmixEM;
  const init = { weights: r.start.lambda, means: r.start.mu, variances: (r.start.sigma as number[]).map((s) => s * s) };

  it("one mixem iteration is one exact EM step; normalmixEM's first iteration (ECM: a second E-step before the standard deviations) is not", () => {
    const m = fitSync(waiting, { k: 2, init, maxIter: 1, tol: 0 });
    const e = r.exactStep;
    expect(maxRelErr([...m.weights, ...m.means!, ...m.covariances!], [...e.lambda, ...e.mu, ...e.variance])).toBeLessThan(1e-13);
    expect(relErr(m.logLikelihood, e.loglik)).toBeLessThan(1e-13);
    expect(Math.abs(m.logLikelihood - r.mixtoolsStep.loglik)).toBeGreaterThan(0.04);
  });

  it("both reach the same maximum: log-likelihood to 1e-12, parameters to 1e-7 (sigma is the standard deviation)", () => {
    const m = fitSync(waiting, { k: 2, init, tol: 1e-14, maxIter: 10000 });
    const c = r.converged;
    expect(relErr(m.logLikelihood, c.loglik)).toBeLessThan(1e-12);
    expect(maxRelErr([...m.weights, ...m.means!, ...m.covariances!.map(Math.sqrt)], [...c.lambda, ...c.mu, ...c.sigma])).toBeLessThan(1e-7);
  });
});

describe("mixtools mvnormalmixEM from given starts", () => {
  it("takes EM's iterations: the same number of them gives its fit to 1e-12", () => {
    const r = R.mvnormalmixEM;
    const m = fitSync(faithful, { family: "mvgaussian", k: 2, tol: 0, maxIter: r.iterations,
      init: { weights: r.start.lambda, means: r.start.mu, covariances: r.start.sigma } });
    expect(relErr(m.logLikelihood, r.loglik)).toBeLessThan(1e-12);
    expect(maxRelErr([...m.weights, ...m.means!.flat(), ...(m.covariances as unknown as number[][][]).flat(2)],
      [...r.lambda, ...(r.mu as number[][]).flat(), ...(r.sigma as number[][][]).flat(2)])).toBeLessThan(1e-12);
  });
});

describe("flexmix FLXMRglm(family = \"poisson\" | \"binomial\"), 10^5 draws", () => {
  const expand = (t: { values: number[]; counts: number[] }) => t.values.flatMap((v, i) => Array<number>(t.counts[i]).fill(v));
  const sorted = (params: number[], weights: readonly number[]) => params.map((p, j) => [p, weights[j]]).sort((a, b) => a[0] - b[0]).flat();

  it.each([["poisson"], ["binomial"]] as const)("%s: flexmix's fit at tolerance 1e-12 — log-likelihood, BIC and AIC (same sign) to 1e-11, parameters to 1e-6", (fam) => {
    const t = R[fam];
    const x = expand(t);
    const m = fam === "poisson"
      ? fitSync(x, { family: "poisson", k: 2, tol: 1e-13, maxIter: 10000 })
      : fitSync(x, { family: "binomial", trials: t.trials, k: 2, tol: 1e-13, maxIter: 10000 });
    const f = t.tight;
    expect(relErr(m.logLikelihood, f.loglik)).toBeLessThan(1e-11);
    expect(relErr(m.bic(x), f.bic)).toBeLessThan(1e-11);
    expect(relErr(m.aic(x), f.aic)).toBeLessThan(1e-11);
    expect(m.nParameters).toBe(f.df);
    const mine = m.components.map((c) => ("lambda" in c ? c.lambda : (c as { p: number }).p));
    expect(maxRelErr(sorted(mine, m.weights), sorted(f.param, f.prior))).toBeLessThan(1e-6);
  });

  it("stepFlexmix(k = 1:4, nrep = 3) ↔ selectK(y, { family: \"poisson\", kRange: [1, 4] }): the same k; BIC at k = 1 to 1e-12, never above flexmix's", () => {
    const f = R.stepFlexmix;
    const y = expand(f);
    const sel = selectK(y, { family: "poisson", kRange: [1, 4] });
    expect(sel.k).toBe(f.chosen);
    expect(relErr(sel.scores[0].bic, f.bic[0])).toBeLessThan(1e-12);
    for (let i = 0; i < 4; i++) expect(sel.scores[i].bic).toBeLessThanOrEqual(f.bic[i] * (1 + 1e-12));
  });
});
