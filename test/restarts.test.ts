// Restarts prefer a sound fit: a degenerate one (a spurious component at the variance floor) has a
// higher likelihood than the real optimum, so "keep the best of n restarts" used to find such fits
// more often as n grew (iris, k = 3: nInit 10 gave −91.23). And the default start restarts while its
// run is degenerate (iris, k = 3, the CLI's default: −194.20, a component on 4 points).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitSync, initSync } from "../src/index.js";

initSync();
const iris = readFileSync(new URL("../examples/iris.csv", import.meta.url), "utf8").trim().split("\n").slice(1)
  .map((line) => line.split(",").slice(0, 4).map(Number));

describe("restarts", () => {
  it("prefer a sound fit over a degenerate one with a higher likelihood (iris, k = 3)", () => {
    for (const nInit of [3, 5, 10]) {
      const m = fitSync(iris, { family: "mvgaussian", k: 3, nInit });
      expect(m.warnings, `nInit ${nInit}`).toEqual([]);
      expect(m.logLikelihood, `nInit ${nInit}`).toBeCloseTo(-180.1855, 3);
    }
  });
  it("the default start adds restarts while its run is degenerate; an explicit nInit: 1 keeps its one run", () => {
    const fallback = fitSync(iris, { family: "mvgaussian", k: 3 });
    expect(fallback.warnings).toEqual([]);
    expect(fallback.logLikelihood).toBeCloseTo(-180.1855, 3);
    const single = fitSync(iris, { family: "mvgaussian", k: 3, nInit: 1 });
    expect(single.warnings.length).toBeGreaterThan(0); // the −194.20 fit, flagged
    expect(single.logLikelihood).toBeCloseTo(-194.2, 1);
    // A sound first run is the result, bit for bit as before (no restart is tried).
    const faithful = fitSync(iris.map((r) => r[0]), { k: 2 });
    expect(faithful.history).toEqual(fitSync(iris.map((r) => r[0]), { k: 2, nInit: 1 }).history);
  });
});
