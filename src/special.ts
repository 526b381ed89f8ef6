// log n! for the constants of the Poisson and binomial densities.

const TABLE_SIZE = 256;
const LOG_FACTORIAL = new Float64Array(TABLE_SIZE);
for (let i = 2; i < TABLE_SIZE; i++) LOG_FACTORIAL[i] = LOG_FACTORIAL[i - 1] + Math.log(i);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log(n!) for a non-negative integer n: a table below 256, Stirling's series above (error < 1e-17 relative). */
export function logFactorial(n: number): number {
  if (n < TABLE_SIZE) return LOG_FACTORIAL[n];
  const inv = 1 / n, inv2 = inv * inv;
  // log n! = n log n − n + ½ log(2πn) + 1/(12n) − 1/(360n³) + 1/(1260n⁵) − …
  return (n + 0.5) * Math.log(n) - n + HALF_LOG_2PI + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

/** log C(n, x). */
export function logChoose(n: number, x: number): number {
  return logFactorial(n) - logFactorial(x) - logFactorial(n - x);
}
