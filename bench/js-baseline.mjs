// The plain-JavaScript EM loop the benchmark measures WASM against: the same fused algorithm
// (per point: log densities, log-sum-exp, responsibilities, statistics), written as a
// JavaScript programmer would write it fast — Float64Arrays, no allocation per point.

const LOG_2PI = Math.log(2 * Math.PI);

/** One fused E pass + statistics; returns the log-likelihood without per-point constants. */
function textbookPass(n, k, logDensity, accumulate, stats, lp) {
  stats.fill(0);
  let ll = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) { const v = logDensity(i, j); lp[j] = v; if (v > m) m = v; }
    let s = 0;
    for (let j = 0; j < k; j++) { const e = Math.exp(lp[j] - m); lp[j] = e; s += e; }
    ll += m + Math.log(s);
    const inv = 1 / s;
    for (let j = 0; j < k; j++) accumulate(i, j, lp[j] * inv);
  }
  return ll;
}

/**
 * The same pass with mixem's two algorithmic savings (assembly/pass.ts): no exp for the largest
 * term (it is exp(0) = 1), and Σ log s_i as the log of a running product, renormalised by its
 * binary exponent every 32 points.
 */
const f64 = new Float64Array(1), u32 = new Uint32Array(f64.buffer);
function mixemAlgorithmPass(n, k, logDensity, accumulate, stats, lp) {
  stats.fill(0);
  let sumMax = 0, prod = 1, exponent = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity, best = 0;
    for (let j = 0; j < k; j++) { const v = logDensity(i, j); lp[j] = v; if (v > m) { m = v; best = j; } }
    let s = 1;
    lp[best] = 1;
    for (let j = 0; j < best; j++) { const e = Math.exp(lp[j] - m); lp[j] = e; s += e; }
    for (let j = best + 1; j < k; j++) { const e = Math.exp(lp[j] - m); lp[j] = e; s += e; }
    sumMax += m;
    prod *= s;
    if ((i & 31) === 31) {
      f64[0] = prod;
      exponent += ((u32[1] >>> 20) & 0x7ff) - 1023;
      u32[1] = (u32[1] & 0x000fffff) | 0x3ff00000;
      prod = f64[0];
    }
    const inv = 1 / s;
    for (let j = 0; j < k; j++) accumulate(i, j, lp[j] * inv);
  }
  return sumMax + Math.log(prod) + exponent * Math.LN2;
}

let pass = textbookPass;
/** "textbook" (default) or "mixem": which fused pass the JS loops below use. */
export function useAlgorithm(name) {
  pass = name === "mixem" ? mixemAlgorithmPass : textbookPass;
}

/** Runs `iterations` EM iterations from (means, variances, weights); calls onIteration(ll). */
export function gaussianEM(x, init, iterations, onIteration) {
  const n = x.length, k = init.weights.length;
  const mean = Float64Array.from(init.means), variance = Float64Array.from(init.variances), w = Float64Array.from(init.weights);
  const a = new Float64Array(k), c = new Float64Array(k), stats = new Float64Array(3 * k), lp = new Float64Array(k);
  const logDensity = (i, j) => { const d = x[i] - mean[j]; return c[j] + a[j] * d * d; };
  const accumulate = (i, j, r) => { const d = x[i] - mean[j]; stats[3 * j] += r; stats[3 * j + 1] += r * d; stats[3 * j + 2] += r * d * d; };
  const pack = () => { for (let j = 0; j < k; j++) { a[j] = -0.5 / variance[j]; c[j] = Math.log(w[j]) - 0.5 * (LOG_2PI + Math.log(variance[j])); } };
  pack();
  pass(n, k, logDensity, accumulate, stats, lp);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < k; j++) {
      const nk = stats[3 * j], shift = stats[3 * j + 1] / nk;
      mean[j] += shift;
      variance[j] = Math.max(stats[3 * j + 2] / nk - shift * shift, 1e-12);
      w[j] = nk / n;
    }
    pack();
    onIteration(pass(n, k, logDensity, accumulate, stats, lp));
  }
}

export function poissonEM(x, init, iterations, onIteration) {
  const n = x.length, k = init.weights.length;
  const lambda = Float64Array.from(init.lambdas), w = Float64Array.from(init.weights);
  const logL = new Float64Array(k), c = new Float64Array(k), stats = new Float64Array(2 * k), lp = new Float64Array(k);
  const logDensity = (i, j) => c[j] + x[i] * logL[j];
  const accumulate = (i, j, r) => { stats[2 * j] += r; stats[2 * j + 1] += r * x[i]; };
  const pack = () => { for (let j = 0; j < k; j++) { logL[j] = Math.log(lambda[j]); c[j] = Math.log(w[j]) - lambda[j]; } };
  pack();
  pass(n, k, logDensity, accumulate, stats, lp);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < k; j++) { lambda[j] = stats[2 * j + 1] / stats[2 * j]; w[j] = stats[2 * j] / n; }
    pack();
    onIteration(pass(n, k, logDensity, accumulate, stats, lp));
  }
}

export function binomialEM(x, trials, init, iterations, onIteration) {
  const n = x.length, k = init.weights.length;
  const p = Float64Array.from(init.p), w = Float64Array.from(init.weights);
  const logit = new Float64Array(k), c = new Float64Array(k), stats = new Float64Array(2 * k), lp = new Float64Array(k);
  const logDensity = (i, j) => c[j] + x[i] * logit[j];
  const accumulate = (i, j, r) => { stats[2 * j] += r; stats[2 * j + 1] += r * x[i]; };
  const pack = () => { for (let j = 0; j < k; j++) { logit[j] = Math.log(p[j] / (1 - p[j])); c[j] = Math.log(w[j]) + trials * Math.log1p(-p[j]); } };
  pack();
  pass(n, k, logDensity, accumulate, stats, lp);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < k; j++) { p[j] = stats[2 * j + 1] / (trials * stats[2 * j]); w[j] = stats[2 * j] / n; }
    pack();
    onIteration(pass(n, k, logDensity, accumulate, stats, lp));
  }
}

/** Multivariate Gaussian, full covariance: forward substitution on the Cholesky factor per point. */
export function gaussianFullEM(x, d, init, iterations, onIteration) {
  const n = x.length / d, k = init.weights.length;
  const mean = Float64Array.from(init.means.flat()), cov = Float64Array.from(init.covariances.flat(2)), w = Float64Array.from(init.weights);
  const L = new Float64Array(k * d * d), c = new Float64Array(k), z = new Float64Array(d), diff = new Float64Array(d);
  const S = 1 + d + d * d, stats = new Float64Array(k * S), lp = new Float64Array(k);
  const logDensity = (i, j) => {
    let q = 0;
    for (let a = 0; a < d; a++) {
      let s = x[i * d + a] - mean[j * d + a];
      for (let b = 0; b < a; b++) s -= L[j * d * d + a * d + b] * z[b];
      z[a] = s / L[j * d * d + a * d + a];
      q += z[a] * z[a];
    }
    return c[j] - 0.5 * q;
  };
  const accumulate = (i, j, r) => {
    const s0 = j * S;
    stats[s0] += r;
    for (let a = 0; a < d; a++) {
      diff[a] = x[i * d + a] - mean[j * d + a];
      stats[s0 + 1 + a] += r * diff[a];
      for (let b = 0; b <= a; b++) stats[s0 + 1 + d + a * d + b] += r * diff[a] * diff[b];
    }
  };
  const pack = () => {
    for (let j = 0; j < k; j++) {
      const o = j * d * d;
      let logDet = 0;
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
        let s = cov[o + a * d + b];
        for (let p = 0; p < b; p++) s -= L[o + a * d + p] * L[o + b * d + p];
        L[o + a * d + b] = a === b ? Math.sqrt(s) : s / L[o + b * d + b];
      }
      for (let a = 0; a < d; a++) logDet += 2 * Math.log(L[o + a * d + a]);
      c[j] = Math.log(w[j]) - 0.5 * logDet - 0.5 * d * LOG_2PI;
    }
  };
  pack();
  pass(n, k, logDensity, accumulate, stats, lp);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < k; j++) {
      const s0 = j * S, nk = stats[s0];
      for (let a = 0; a < d; a++) diff[a] = stats[s0 + 1 + a] / nk;
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++)
        cov[j * d * d + a * d + b] = cov[j * d * d + b * d + a] = stats[s0 + 1 + d + a * d + b] / nk - diff[a] * diff[b];
      for (let a = 0; a < d; a++) mean[j * d + a] += diff[a];
      w[j] = nk / n;
    }
    pack();
    onIteration(pass(n, k, logDensity, accumulate, stats, lp));
  }
}

/** Multivariate Gaussian, diagonal covariance. */
export function gaussianDiagEM(x, d, init, iterations, onIteration) {
  const n = x.length / d, k = init.weights.length;
  const mean = Float64Array.from(init.means.flat()), v = Float64Array.from(init.variances.flat()), w = Float64Array.from(init.weights);
  const iv = new Float64Array(k * d), c = new Float64Array(k);
  const S = 1 + 2 * d, stats = new Float64Array(k * S), lp = new Float64Array(k);
  const logDensity = (i, j) => {
    let q = 0;
    for (let a = 0; a < d; a++) { const e = x[i * d + a] - mean[j * d + a]; q += e * e * iv[j * d + a]; }
    return c[j] - 0.5 * q;
  };
  const accumulate = (i, j, r) => {
    const s0 = j * S;
    stats[s0] += r;
    for (let a = 0; a < d; a++) { const e = x[i * d + a] - mean[j * d + a]; stats[s0 + 1 + a] += r * e; stats[s0 + 1 + d + a] += r * e * e; }
  };
  const pack = () => {
    for (let j = 0; j < k; j++) {
      let logDet = 0;
      for (let a = 0; a < d; a++) { logDet += Math.log(v[j * d + a]); iv[j * d + a] = 1 / v[j * d + a]; }
      c[j] = Math.log(w[j]) - 0.5 * logDet - 0.5 * d * LOG_2PI;
    }
  };
  pack();
  pass(n, k, logDensity, accumulate, stats, lp);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < k; j++) {
      const s0 = j * S, nk = stats[s0];
      for (let a = 0; a < d; a++) {
        const delta = stats[s0 + 1 + a] / nk;
        mean[j * d + a] += delta;
        v[j * d + a] = stats[s0 + 1 + d + a] / nk - delta * delta;
      }
      w[j] = nk / n;
    }
    pack();
    onIteration(pass(n, k, logDensity, accumulate, stats, lp));
  }
}

/** Categorical (latent class analysis): d columns of L levels each, codes 0 … L − 1; p as init.p (k × d × L). */
export function categoricalEM(x, d, L, init, iterations, onIteration) {
  const n = x.length / d, k = init.weights.length, T = d * L;
  const logp = new Float64Array(k * T), p = Float64Array.from(init.p.flat(2)), w = Float64Array.from(init.weights), c = new Float64Array(k);
  const S = 1 + T, stats = new Float64Array(k * S), lp = new Float64Array(k);
  const logDensity = (i, j) => {
    let q = c[j];
    for (let a = 0; a < d; a++) q += logp[j * T + a * L + x[i * d + a]];
    return q;
  };
  const accumulate = (i, j, r) => {
    const s0 = j * S;
    stats[s0] += r;
    for (let a = 0; a < d; a++) stats[s0 + 1 + a * L + x[i * d + a]] += r;
  };
  const pack = () => {
    for (let j = 0; j < k; j++) { c[j] = Math.log(w[j]); for (let t = 0; t < T; t++) logp[j * T + t] = Math.log(p[j * T + t]); }
  };
  pack();
  pass(n, k, logDensity, accumulate, stats, lp);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < k; j++) {
      const s0 = j * S, nk = stats[s0];
      for (let t = 0; t < T; t++) p[j * T + t] = stats[s0 + 1 + t] / nk;
      w[j] = nk / n;
    }
    pack();
    onIteration(pass(n, k, logDensity, accumulate, stats, lp));
  }
}

// Gamma: log x once per fit (as mixem's load does); the shape by Minka's (2002) Newton on
// log a − ψ(a) = log x̄ − mean log x, the rate a / x̄.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
function lgamma(x) {
  if (x < 0.5) return lgamma(x + 1) - Math.log(x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
function digamma(x) { let s = 0; for (; x < 12; x++) s -= 1 / x; const f = 1 / (x * x); return s + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132)))); }
function trigamma(x) { let s = 0; for (; x < 12; x++) s += 1 / (x * x); const f = 1 / (x * x); return s + 1 / x + f / 2 + (f / x) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30))); }
function gammaShape(s) {
  let a = (3 - s + Math.sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
  for (let it = 0; it < 100; it++) {
    const next = 1 / (1 / a + (Math.log(a) - digamma(a) - s) / (a * a * (1 / a - trigamma(a))));
    if (Math.abs(next - a) <= 1e-15 * a) return next;
    a = next;
  }
  return a;
}
export function gammaEM(x, init, iterations, onIteration) {
  const n = x.length, k = init.weights.length;
  const logx = Float64Array.from(x, Math.log);
  const shape = Float64Array.from(init.shapes), rate = Float64Array.from(init.rates), w = Float64Array.from(init.weights);
  const c = new Float64Array(k), alpha = new Float64Array(k), stats = new Float64Array(3 * k), lp = new Float64Array(k);
  const logDensity = (i, j) => c[j] + alpha[j] * logx[i] - rate[j] * x[i];
  const accumulate = (i, j, r) => { stats[3 * j] += r; stats[3 * j + 1] += r * x[i]; stats[3 * j + 2] += r * logx[i]; };
  const pack = () => { for (let j = 0; j < k; j++) { c[j] = Math.log(w[j]) + shape[j] * Math.log(rate[j]) - lgamma(shape[j]); alpha[j] = shape[j] - 1; } };
  pack();
  pass(n, k, logDensity, accumulate, stats, lp);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < k; j++) {
      const mean = stats[3 * j + 1] / stats[3 * j];
      shape[j] = gammaShape(Math.log(mean) - stats[3 * j + 2] / stats[3 * j]);
      rate[j] = shape[j] / mean;
      w[j] = stats[3 * j] / n;
    }
    pack();
    onIteration(pass(n, k, logDensity, accumulate, stats, lp));
  }
}
