// Test helpers: an independent small PRNG (mulberry32) and data generators.
export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Poisson by inversion (fine for the small rates used in tests). */
export function poissonDraw(u: () => number, lambda: number): number {
  let k = 0, p = Math.exp(-lambda), c = p;
  const t = u();
  while (t > c && k < 10000) { k++; p *= lambda / k; c += p; }
  return k;
}

export function binomialDraw(u: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (u() < p) k++;
  return k;
}

/** Labels drawn from the weights. */
export function drawLabels(u: () => number, n: number, weights: number[]): number[] {
  return Array.from({ length: n }, () => {
    let t = u(), j = 0;
    while (j < weights.length - 1 && t >= weights[j]) { t -= weights[j]; j++; }
    return j;
  });
}

export function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

/** Largest relative difference between two equally long number lists. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, relErr(a[i], b[i]));
  return m;
}

/**
 * Largest violation ratio of |a − b| ≤ rel·|b| + abs over two lists (≤ 1 means all close).
 * Mixed tolerances are what near-zero quantities need: a probability on its 1e-12 floor, a
 * log-likelihood of −1e-11, a mean at 0.
 */
export function closeness(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, abs: number): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (rel * Math.abs(b[i]) + abs));
  return worst;
}

/** Log-likelihood histories agree to 1e-9 per point (or relatively, whichever is looser). */
export const historyCloseness = (a: ArrayLike<number>, b: ArrayLike<number>, n: number) => closeness(a, b, 1e-9, 1e-9 * n);
