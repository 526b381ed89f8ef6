// log n! for the constants of the Poisson and binomial densities, and log Γ for the priors.
// Elementary functions come from the WebAssembly core (src/math.ts) so every engine agrees.
import * as M from "./math.js";

const TABLE_SIZE = 256;
let LOG_FACTORIAL: Float64Array | undefined; // filled on first use (it needs the core)
/** ½ log(2π), as a literal: the same double in every engine. */
const HALF_LOG_2PI = 0.91893853320467274;

function table(): Float64Array {
  if (!LOG_FACTORIAL) {
    LOG_FACTORIAL = new Float64Array(TABLE_SIZE);
    for (let i = 2; i < TABLE_SIZE; i++) LOG_FACTORIAL[i] = LOG_FACTORIAL[i - 1] + M.log(i);
  }
  return LOG_FACTORIAL;
}

/** log(n!) for a non-negative integer n: a table below 256, Stirling's series above (error < 1e-17 relative). */
export function logFactorial(n: number): number {
  if (n < TABLE_SIZE) return table()[n];
  const inv = 1 / n, inv2 = inv * inv;
  // log n! = n log n − n + ½ log(2πn) + 1/(12n) − 1/(360n³) + 1/(1260n⁵) − …
  return (n + 0.5) * M.log(n) - n + HALF_LOG_2PI + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

/** log C(n, x). */
export function logChoose(n: number, x: number): number {
  return logFactorial(n) - logFactorial(x) - logFactorial(n - x);
}

// Lanczos approximation (g = 7, n = 9; Press et al., Numerical Recipes 3rd ed. §6.1 coefficients
// as in Boost/Godfrey): |relative error| < 2e-15 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI_L = HALF_LOG_2PI;

/** log Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return logGamma(x + 1) - M.log(x); // Γ(x) = Γ(x + 1) / x
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return HALF_LOG_2PI_L + (x + 0.5) * M.log(t) - t + M.log(a);
}

/** log of the multivariate gamma function Γ_d(a) = π^{d(d−1)/4} Π_{j=1..d} Γ(a + (1 − j)/2). */
export function logMultiGamma(a: number, d: number): number {
  let s = (d * (d - 1) / 4) * M.log(Math.PI);
  for (let j = 1; j <= d; j++) s += logGamma(a + (1 - j) / 2);
  return s;
}
