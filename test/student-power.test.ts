// Family t with ν fixed at an integer: tPass computes the densities as e^c · y^(−a) (a = (ν + 1)/2,
// multiplications, a square root for half-integer a, one division: assembly/kernels/mvt.ts
// tPowerPass) instead of exp(c − a·log y). The general pass still runs with sample weights, hard
// mode or ν estimated, and for the last n mod 8 points; the two must give the same fit to rounding:
// here the power path against the general one forced by sample weights of 1.
import { describe, expect, it } from "vitest";
import { fitSync, initSync, type TComponent } from "../src/index.js";
import { maxRelErr, mulberry32, normal } from "./helpers.js";

initSync();
const u = mulberry32(2026);
const heavy = (n: number, nu: number) => Array.from({ length: n }, () => {
  const j = Math.floor(u() * 3);
  let s = 0;
  for (let i = 0; i < nu; i++) s += normal(u) ** 2;
  return 5 * j + normal(u) / Math.sqrt(s / nu);
});
const theta = (m: { weights: number[]; components: readonly unknown[] }) => [...m.weights, ...(m.components as TComponent[]).flatMap((c) => [c.mean, c.variance])];

describe("t, ν fixed at an integer: the power path agrees with the general pass", () => {
  // a = 3 (whole), 2.5 (√y), 1 (Cauchy), 15.5; n a multiple of 8 and not (the general pass takes the last points).
  it.each([[5, 4000], [4, 4000], [1, 2003], [30, 1001]])("ν = %i, n = %i", (nu, n) => {
    const x = heavy(n, 5);
    const init = { weights: [0.3, 0.3, 0.4], means: [0.5, 4, 11], variances: [1, 2, 1.5], dofs: [nu, nu, nu] };
    const options = { family: "t", k: 3, dof: nu, init, maxIter: 40, tol: 0 } as const;
    const fast = fitSync(x, options), general = fitSync(x, { ...options, sampleWeights: new Float64Array(n).fill(1) });
    expect(fast.iterations).toBe(40);
    expect(maxRelErr(fast.history, general.history)).toBeLessThan(1e-12);
    expect(maxRelErr(theta(fast), theta(general))).toBeLessThan(1e-10);
    expect(Math.abs(fast.logLikelihood - general.logLikelihood)).toBeLessThan(1e-12 * Math.abs(general.logLikelihood));
  });
  it("a point far in every tail (its densities underflow): that block the general way, the same fit", () => {
    const x = heavy(2048, 5);
    x[700] = 1e60; // y ≈ 1e119, y^3 overflows: every p_j of that point is 0
    const init = { weights: [0.3, 0.3, 0.4], means: [0.5, 4, 11], variances: [1, 2, 1.5], dofs: [5, 5, 5] };
    const options = { family: "t", k: 3, dof: 5, init, maxIter: 20, tol: 0 } as const;
    const fast = fitSync(x, options), general = fitSync(x, { ...options, sampleWeights: new Float64Array(x.length).fill(1) });
    expect(Number.isFinite(fast.logLikelihood)).toBe(true);
    expect(maxRelErr(fast.history, general.history)).toBeLessThan(1e-12);
    expect(maxRelErr(theta(fast), theta(general))).toBeLessThan(1e-10);
  });
});
