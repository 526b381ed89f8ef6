// mixem's `ridge` against scikit-learn's reg_covar = 1e-6 (its default), 1-D and the four covariance
// types, from the same explicit start for the same number of iterations; and scoreSamples against
// score_samples. Fixture and the script that made it: test/fixtures/peers/make_sklearn_ridge.py.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, type MixtureModel } from "../src/index.js";
import { maxRelErr, relErr } from "./helpers.js";

initSync();
const fixture = JSON.parse(readFileSync(new URL("./fixtures/peers/sklearn-ridge.json", import.meta.url), "utf8"));
const csv = (name: string) => readFileSync(new URL(`../examples/${name}`, import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
const faithful = csv("faithful.csv").map((r) => r.map(Number));
const data: Record<string, number[] | number[][]> = {
  iris: csv("iris.csv").map((r) => r.slice(0, 4).map(Number)),
  faithful,
  "faithful.eruptions": faithful.map((r) => r[0]),
  "faithful.waiting": faithful.map((r) => r[1]),
};

interface Run { iterations: number; weights: number[]; means: number[] | number[][]; covariances: number[][][]; logLikelihood: number }
interface Config {
  data: string; covariance: "1-D" | "full" | "tied" | "diag" | "spherical"; init: Record<string, unknown>;
  runs: Run[]; history: number[]; decreases: { afterIteration: number; drop: number }[]; scoreSamples: number[];
}
const configs: Config[] = fixture.configs;

function fitLike(c: Config, maxIter: number, ridge = fixture.regCovar as number): MixtureModel {
  const common = { k: c.runs[0].weights.length, maxIter, tol: 0, regCovar: 0, ridge } as const;
  return c.covariance === "1-D"
    ? fitSync(data[c.data] as number[], { ...common, init: c.init as never })
    : fitSync(data[c.data] as number[][], { ...common, family: "mvgaussian", covariance: c.covariance, init: c.init as never });
}

describe("ridge = scikit-learn's reg_covar (1e-6), regCovar 0", () => {
  it.each(configs.flatMap((c) => c.runs.map((r) => [c.data, c.covariance, r.iterations, c, r] as const)))(
    "%s, %s, %i iterations: parameters and log-likelihood to 1e-9",
    (_d, _c, iterations, c, r) => {
      const m = fitLike(c, iterations);
      expect(m.settings.ridge).toBe(1e-6);
      expect(relErr(m.logLikelihood, r.logLikelihood)).toBeLessThan(1e-9);
      const covs = (m.covariances as unknown as (number | number[][])[]).flatMap((v) => (typeof v === "number" ? [v] : v.flat()));
      expect(maxRelErr([...m.weights, ...(m.means as unknown as (number | number[])[]).flat(), ...covs], [...r.weights, ...r.means.flat(), ...r.covariances.flat(2)])).toBeLessThan(1e-9);
    },
  );

  it.each(configs.map((c) => [c.data, c.covariance, c] as const))("%s, %s: the log-likelihood after each of 100 iterations to 1e-9", (_d, _c, c) => {
    const m = fitLike(c, 100);
    expect(maxRelErr([...m.history], c.history)).toBeLessThan(1e-9);
  });

  it("without the ridge (and the default floor inactive) the results differ: the ridge is what makes them agree", () => {
    const c = configs.find((x) => x.data === "iris" && x.covariance === "full")!;
    expect(relErr(fitLike(c, 100, 0).logLikelihood, c.runs[2].logLikelihood)).toBeGreaterThan(1e-9);
  });
});

describe("scoreSamples = score_samples", () => {
  it.each(configs.map((c) => [c.data, c.covariance, c] as const))("%s, %s, after 100 iterations: every point to 1e-9", (_d, _c, c) => {
    const m = fitLike(c, 100);
    const s = m.scoreSamples(data[c.data]);
    expect(s).toHaveLength(c.scoreSamples.length);
    expect(maxRelErr([...s], c.scoreSamples)).toBeLessThan(1e-9);
  });
});
