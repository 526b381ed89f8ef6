// Selection by BIC across families on the same positive 1-D data: the log-likelihoods are all of x
// itself (lognormal's Jacobian included), so BIC compares them.
import { describe, expect, it } from "vitest";
import { initSync, selectK } from "../src/index.js";
import { mulberry32, normal } from "./helpers.js";

initSync();

describe("selectK over families", () => {
  it("finds the family and k that made the data: a log-normal mixture, a gamma mixture", () => {
    const u = mulberry32(3);
    const logNormal = Array.from({ length: 3000 }, (_, i) => Math.exp((i % 2 ? 1.5 : 0) + 0.4 * normal(u)));
    const families = ["gaussian", "t", "gamma", "lognormal"] as const;
    const a = selectK(logNormal, { family: [...families], kRange: [1, 3] });
    expect([a.family, a.k]).toEqual(["lognormal", 2]);
    expect(a.scores).toHaveLength(15); // gaussian's E and V, t, gamma, lognormal at k = 1, 2, 3
    // Gamma draws (shape 2 and 9) by sums of exponentials.
    const gammaDraw = (shape: number, rate: number) => { let s = 0; for (let i = 0; i < shape; i++) s -= Math.log(u()); return s / rate; };
    const gammas = Array.from({ length: 3000 }, (_, i) => (i % 3 ? gammaDraw(9, 1) : gammaDraw(2, 2)));
    const b = selectK(gammas, { family: [...families], kRange: [1, 3] });
    expect([b.family, b.k]).toEqual(["gamma", 2]);
  }, 120_000);
});
