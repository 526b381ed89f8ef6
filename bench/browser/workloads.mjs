// The per-iteration workloads of bench/run.mjs (same sizes, K, shapes of data and starts), written
// once for both sides of the browser benchmark: Node imports this module, the page bundles it, and
// both draw the same data from the same seeded generator.
function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** [{ name, n, k, x, options }] — options for fitSync without maxIter/tol; `scale` < 1 shrinks N. */
export function kernelWorkloads(scale = 1) {
  const u = rng(1);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const N = (n) => Math.max(1000, Math.round(n * scale));
  const label = (n) => n.toExponential(0).replace("e+", "e");
  const out = [];
  for (const k of [2, 8]) {
    const n = N(1_000_000), x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = 4 * Math.floor(u() * k) + normal();
    out.push({ name: `1-D Gaussian, N = ${label(n)}, K = ${k}`, n, k, x, options: { k, init: { weights: Array(k).fill(1 / k), means: Array.from({ length: k }, (_, j) => 4 * j + 0.5), variances: Array(k).fill(1.5) } } });
  }
  {
    const n = N(1_000_000), x = new Float64Array(n);
    const poisson = (l) => { let k = 0, p = Math.exp(-l), c = p; const t = u(); while (t > c) { k++; p *= l / k; c += p; } return k; };
    for (let i = 0; i < n; i++) x[i] = poisson(u() < 0.4 ? 2 : 6);
    out.push({ name: `Poisson, N = ${label(n)}, K = 2`, n, k: 2, x, options: { family: "poisson", k: 2, init: { weights: [0.5, 0.5], lambdas: [1.5, 7] } } });
  }
  {
    const n = N(1_000_000), x = new Float64Array(n);
    const draw = (a) => { let t = 0; for (let i = 0; i < a; i++) t -= Math.log(1 - u()); return t; };
    for (let i = 0; i < n; i++) x[i] = u() < 0.4 ? draw(2) / 2 : draw(9);
    out.push({ name: `Gamma, N = ${label(n)}, K = 2`, n, k: 2, x, options: { family: "gamma", k: 2, init: { weights: [0.5, 0.5], shapes: [1.5, 6], rates: [1, 0.8] } } });
  }
  {
    const n = N(200_000), trials = 10, x = new Float64Array(n), ps = [0.2, 0.5, 0.8];
    for (let i = 0; i < n; i++) { const p = ps[Math.floor(u() * 3)]; let h = 0; for (let t = 0; t < trials; t++) if (u() < p) h++; x[i] = h; }
    out.push({ name: `Binomial (10 trials), N = ${label(n)}, K = 3`, n, k: 3, x, options: { family: "binomial", trials, k: 3, init: { weights: [1 / 3, 1 / 3, 1 / 3], p: [0.3, 0.45, 0.7] } } });
  }
  for (const [n0, d, k, covariance] of [[200_000, 10, 8, "full"], [50_000, 50, 16, "diag"]]) {
    const n = N(n0), x = new Float64Array(n * d);
    const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => (u() - 0.5) * 8));
    for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); for (let a = 0; a < d; a++) x[i * d + a] = centres[j][a] + normal(); }
    const means = centres.map((c) => c.map((v) => v + 0.3 * normal()));
    const cov = covariance === "full" ? Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1.5 : 0))) : Array(d).fill(1.5);
    out.push({ name: `d = ${d} ${covariance}, N = ${label(n)}, K = ${k}`, n, k, x, options: { family: "mvgaussian", covariance, dims: d, k, init: { weights: Array(k).fill(1 / k), means, covariances: Array(k).fill(cov) } } });
  }
  {
    const n = N(200_000), d = 10, L = 4, k = 5, x = new Float64Array(n * d);
    const probs = () => Array.from({ length: d }, () => { const v = Array.from({ length: L }, () => 0.2 + u()); const s = v.reduce((a, b) => a + b, 0); return v.map((q) => q / s); });
    const truth = Array.from({ length: k }, probs);
    const pick = (p) => { let t = u(), l = 0; while (l < L - 1 && t >= p[l]) { t -= p[l]; l++; } return l; };
    for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); for (let a = 0; a < d; a++) x[i * d + a] = pick(truth[j][a]); }
    out.push({ name: `categorical 10 columns × 4 levels, N = ${label(n)}, K = 5`, n, k, x, options: { family: "categorical", dims: d, levels: L, k, init: { weights: Array(k).fill(1 / k), p: Array.from({ length: k }, probs) } } });
  }
  return out;
}

/** Per-iteration times (ms) of `iterations` EM iterations, from timestamps at each iteration's end. */
export function timeIterations(fitSync, w, iterations) {
  const stamps = [];
  let ll = NaN;
  fitSync(w.x, { ...w.options, maxIter: iterations, tol: 0, onIteration: (i) => { stamps.push(performance.now()); ll = i.logLikelihood; } });
  return { ms: stamps.slice(1).map((t, i) => t - stamps[i]), ll };
}

/** The 10⁶-point fit of the Worker row: 1-D, K = 8, a fixed number of iterations. */
export function workerData(n = 1_000_000) {
  const u = rng(9);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 4 * Math.floor(u() * 8) + Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { x, options: { k: 8, init: { weights: Array(8).fill(1 / 8), means: Array.from({ length: 8 }, (_, j) => 4 * j + 0.5), variances: Array(8).fill(1.5) }, maxIter: 20, tol: 0 } };
}
