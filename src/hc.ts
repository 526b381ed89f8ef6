// mclust's default start (Fraley 1998; Scrucca et al. 2016): model-based agglomerative hierarchical
// clustering under the unconstrained model VVV, on the data transformed as mclust's hcUse = "SVD",
// cut at k groups; in 1-D, mclust's quantile classes instead. Reproduces mclust's hc(), hclass()
// and qclass() step for step, ties included (the last minimal pair in mclust's packed order wins).
//
// Merge cost (mclust's hcVVV with α = tr W(Z/√(np)), β = 1): a group of n points with scatter
// S = RᵀR and trace t costs n·log(β(t + α)/n) while n ≤ p, else n·log(det(S/n) + β(t + α)/n); a
// singleton costs log(αβ). Merging a and b costs term(a ∪ b) − term(a) − term(b), where
// S_{a∪b} = S_a + S_b + vvᵀ, v = √(n_b/n)·x_a − √(n_a/n)·x_b and x = sum/√n. R is kept by Givens
// row updates (BLAS drotg/drot), as mclust.
import { MixemError } from "./errors.js";

/** The most points hc runs on (its pair costs take n(n − 1)/2 doubles: 100 MB at this n). */
export const HC_MAX_POINTS = 5000;
/** mclust.options("subset"): above this many points hc runs on a random subset of this size. */
export const HC_SUBSET = 2000;

/**
 * mclust's hcUse = "SVD": centre and scale each column (sd with n − 1; constant columns dropped),
 * then Z = X V diag(1/√σ) from the singular value decomposition X = U diag(σ) Vᵀ (one-sided
 * Jacobi). Returns Z (n × p, row-major) and p.
 */
export function svdTransform(x: ArrayLike<number>, n: number, d: number): { z: Float64Array; p: number } {
  const keep: number[] = [];
  const mean = new Float64Array(d), sd = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + a];
    mean[a] = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) { const v = x[i * d + a] - mean[a]; ss += v * v; }
    sd[a] = Math.sqrt(ss / (n - 1));
    if (sd[a] > 0 && Number.isFinite(sd[a])) keep.push(a);
  }
  const q = keep.length;
  // Columns of the scaled data (column-major for the rotations).
  const c = new Float64Array(n * q);
  keep.forEach((a, b) => { for (let i = 0; i < n; i++) c[b * n + i] = (x[i * d + a] - mean[a]) / sd[a]; });
  const p = Math.min(n, q);
  // One-sided Jacobi: rotate column pairs until all are orthogonal; C then holds X V = U diag(σ).
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let a = 0; a < q - 1; a++) for (let b = a + 1; b < q; b++) {
      let alpha = 0, beta = 0, gamma = 0;
      for (let i = 0; i < n; i++) { const u = c[a * n + i], v = c[b * n + i]; alpha += u * u; beta += v * v; gamma += u * v; }
      if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
      off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
      const zeta = (beta - alpha) / (2 * gamma);
      const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
      const cs = 1 / Math.sqrt(1 + t * t), sn = cs * t;
      for (let i = 0; i < n; i++) {
        const u = c[a * n + i], v = c[b * n + i];
        c[a * n + i] = cs * u - sn * v;
        c[b * n + i] = sn * u + cs * v;
      }
    }
    if (off <= 1e-15) break;
  }
  const sigma = Array.from({ length: q }, (_, b) => { let s = 0; for (let i = 0; i < n; i++) s += c[b * n + i] ** 2; return Math.sqrt(s); });
  const order = sigma.map((_, b) => b).sort((a, b) => sigma[b] - sigma[a]).slice(0, p);
  const z = new Float64Array(n * p);
  // Z = X V diag(σ)^(−1/2): column b has norm √σ_b, so a direction without spread (σ_b = 0: collinear
  // columns) is the column of zeros, its limit (1/√0 · 0 would be NaN).
  order.forEach((b, col) => { const f = sigma[b] > 0 ? 1 / Math.sqrt(sigma[b]) : 0; for (let i = 0; i < n; i++) z[i * p + col] = c[b * n + i] * f; });
  return { z, p };
}

/** Reference BLAS drotg + drot on (r, w) from column `from` on: zeroes w[from] against r[from]. */
function givens(r: Float64Array, ro: number, w: Float64Array, wo: number, from: number, p: number): void {
  const a = r[ro + from], b = w[wo + from];
  const roe = Math.abs(a) > Math.abs(b) ? a : b;
  const scale = Math.abs(a) + Math.abs(b);
  let cs = 1, sn = 0, rr = 0;
  if (scale !== 0) {
    const as = a / scale, bs = b / scale;
    rr = scale * Math.sqrt(as * as + bs * bs);
    if (roe < 0) rr = -rr;
    cs = a / rr;
    sn = b / rr;
  }
  r[ro + from] = rr;
  for (let j = from + 1; j < p; j++) {
    const x = r[ro + j], y = w[wo + j];
    r[ro + j] = cs * x + sn * y;
    w[wo + j] = cs * y - sn * x;
  }
}

/** Adds the row w (length p, consumed) to the upper-triangular factor r (p × p, row-major): RᵀR += wwᵀ. */
function addRow(r: Float64Array, w: Float64Array, p: number): void {
  for (let i = 0; i < p; i++) givens(r, i * p, w, 0, i, p);
}

/**
 * mclust's hc(x, modelName = "VVV", use = "SVD") on n rows of d values (row-major): the n − 1
 * merges, each as the pair of the smallest row indices (0-based) of the two groups merged, smaller
 * first (mclust's hcPairs, less one).
 */
export function hcVVV(x: ArrayLike<number>, n: number, d: number): Int32Array {
  if (n > HC_MAX_POINTS) throw new MixemError("INVALID_OPTION", `hierarchical clustering of ${n} points needs n(n − 1)/2 pair costs; it runs on at most ${HC_MAX_POINTS} points: give options.hcSubset (default ${HC_SUBSET}) to run it on a random subset`, "options.hcSubset");
  const pairs = new Int32Array(2 * Math.max(n - 1, 0));
  if (n < 2) return pairs;
  const { z, p } = svdTransform(x, n, d);
  // α = tr W(Z/√(np)) (the scatter about the column means), at least ε.
  let alpha = 0;
  for (let a = 0; a < p; a++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += z[i * p + a] / Math.sqrt(n * p);
    const m = s / n;
    for (let i = 0; i < n; i++) { const v = z[i * p + a] / Math.sqrt(n * p) - m; alpha += v * v; }
  }
  alpha = Math.max(alpha, 2.220446049250313e-16);
  const beta = 1, ablog = Math.log(beta * alpha);
  const FLMAX = Number.MAX_VALUE;

  // Per slot: size, x = sum/√size, the factor R (p × p), trace, term, id (smallest row index).
  const count = new Int32Array(n).fill(1), id = new Int32Array(n);
  const xs = Float64Array.from(z), R = new Float64Array(n * p * p);
  const trace = new Float64Array(n), term = new Float64Array(n).fill(ablog);
  for (let i = 0; i < n; i++) id[i] = i;

  const vvvtij = (l: number, r: Float64Array, s: number, trc: number): number => {
    let t: number;
    if (l <= p) t = Math.log((beta * (trc + alpha)) / l);
    else if (trc === 0) t = Math.log((alpha * beta) / l);
    else {
      let det = 0;
      for (let k = 0; k < p; k++) {
        const q = r[k * p + k] * s;
        if (q === 0) { det = -FLMAX; break; }
        det += Math.log(Math.abs(q));
      }
      if (det !== -FLMAX) det *= 2;
      if (det === -FLMAX) t = Math.log((beta * (trc + alpha)) / l);
      else if (det <= 0) t = Math.log(Math.exp(det) + (beta * (trc + alpha)) / l);
      else t = Math.log(1 + Math.exp(-det) * ((beta * (trc + alpha)) / l)) + det;
    }
    return l * t;
  };

  // The merge of slots a and b: its factor (base: b's, the rows of a's added) in u, its trace and
  // term in merged[0], merged[1] (typed slots: a number a closure assigns or returns is boxed).
  const u = new Float64Array(p * p), w = new Float64Array(p), v = new Float64Array(p), merged = new Float64Array(2);
  const merge = (a: number, b: number): void => {
    const na = count[a], nb = count[b], nab = na + nb;
    if (na === 1 && nb === 1) {
      for (let k = 0; k < p; k++) v[k] = (xs[a * p + k] - xs[b * p + k]) * 0.7071067811865476;
      let t = 0;
      for (let k = 0; k < p; k++) t += v[k] * v[k];
      for (let c = 0; c < p * p; c++) u[c] = c < p ? v[c] : 0; // loops, not fill/set: p is small, a builtin call per pair costs more
      merged[0] = t;
      merged[1] = 2 * Math.log((beta * (t + alpha)) / 2);
      return;
    }
    const q = 1 / nab, sa = Math.sqrt(na * q), sb = Math.sqrt(nb * q);
    for (let c = 0, rb = b * p * p; c < p * p; c++) u[c] = R[rb + c]; // b's factor (a loop: no view allocated per pair)
    for (let k = 0, rows = Math.min(na - 1, p); k < rows; k++) {
      for (let c = 0; c < p; c++) w[c] = R[a * p * p + k * p + c];
      addRow(u, w, p);
    }
    for (let k = 0; k < p; k++) v[k] = sb * xs[a * p + k] - sa * xs[b * p + k];
    let dot = 0;
    for (let k = 0; k < p; k++) dot += v[k] * v[k];
    merged[0] = (trace[a] + trace[b]) + dot;
    for (let k = 0; k < p; k++) w[k] = v[k];
    addRow(u, w, p);
    merged[1] = vvvtij(nab, u, Math.sqrt(q), merged[0]);
  };

  // Packed pair costs: (i, j), i < j, at j(j − 1)/2 + i (mclust's order); per column j its last minimum.
  const at = (i: number, j: number) => (j * (j - 1)) / 2 + i;
  const cost = new Float64Array((n * (n - 1)) / 2);
  const colMin = new Float64Array(n).fill(Infinity), colArg = new Int32Array(n).fill(-1);
  const rescan = (j: number) => {
    let best = Infinity, arg = -1;
    for (let i = 0, o = at(0, j); i < j; i++, o++) if (cost[o] <= best) { best = cost[o]; arg = i; }
    colMin[j] = best; colArg[j] = arg;
  };
  const setCost = (i: number, j: number, value: number) => {
    cost[at(i, j)] = value;
    if (colArg[j] === i) { if (value <= colMin[j]) colMin[j] = value; else rescan(j); }
    else if (value < colMin[j] || (value === colMin[j] && i > colArg[j])) { colMin[j] = value; colArg[j] = i; }
  };
  const pairCost = (i: number, j: number, base: number) => {
    merge(base === i ? j : i, base);
    return merged[1] - (term[i] + term[j]);
  };
  // The first scan: every pair is two singletons (merge's first case, its cost alone: the merged
  // group's factor is recomputed when a pair is chosen).
  for (let j = 1; j < n; j++) {
    for (let i = 0, o = at(0, j); i < j; i++, o++) {
      let t = 0;
      for (let k = 0; k < p; k++) { const d = (xs[i * p + k] - xs[j * p + k]) * 0.7071067811865476; t += d * d; }
      cost[o] = 2 * Math.log((beta * (t + alpha)) / 2) - (term[i] + term[j]);
    }
    rescan(j);
  }

  let lg = n; // slots 0 … lg − 1 hold groups
  let lastMerged = -1; // the slot merged last step: mclust keeps its pair costs' factors
  for (let step = 0; step < n - 1; step++) {
    // The last minimal pair in packed order.
    let jopt = 1;
    for (let j = 2; j < lg; j++) if (colMin[j] <= colMin[jopt]) jopt = j;
    const iopt = colArg[jopt], dopt = cost[at(iopt, jopt)];
    pairs[2 * step] = Math.min(id[iopt], id[jopt]);
    pairs[2 * step + 1] = Math.max(id[iopt], id[jopt]);
    if (lg === 2) break;
    // The merged group (mclust: the winner's factor and term as its cost computed them).
    const ni = count[iopt], nj = count[jopt], nij = ni + nj, q = 1 / nij;
    const si = Math.sqrt(ni * q), sj = Math.sqrt(nj * q);
    // mclust: a pair of the first scan or with last step's group keeps the factor and term its cost
    // computed; another pair is recomputed (base: j's factor unless j is a singleton), its term dopt + terms.
    const kept = step === 0 || iopt === lastMerged || jopt === lastMerged;
    const base = step === 0 ? jopt : kept ? lastMerged : count[jopt] > 1 ? jopt : iopt;
    merge(base === iopt ? jopt : iopt, base);
    const newTerm = kept ? merged[1] : dopt + (term[iopt] + term[jopt]);
    const mergedId = Math.min(id[iopt], id[jopt]);
    const factor = Float64Array.from(u), newTrace = merged[0];
    for (let k = 0; k < p; k++) v[k] = si * xs[iopt * p + k] + sj * xs[jopt * p + k];
    const last = lg - 1;
    if (jopt !== last) {
      // Slot `last` moves to slot jopt (mclust's wardsw).
      for (let a = 0; a < jopt; a++) cost[at(a, jopt)] = cost[at(a, last)];
      for (let k = jopt + 1; k < last; k++) setCost(jopt, k, cost[at(k, last)]);
      xs.copyWithin(jopt * p, last * p, (last + 1) * p);
      R.copyWithin(jopt * p * p, last * p * p, (last + 1) * p * p);
      count[jopt] = count[last]; trace[jopt] = trace[last]; term[jopt] = term[last];
      id[jopt] = id[last];
      rescan(jopt);
    }
    id[iopt] = mergedId;
    xs.set(v, iopt * p);
    R.set(factor, iopt * p * p);
    count[iopt] = nij; trace[iopt] = newTrace; term[iopt] = newTerm;
    lg--;
    // Costs with the merged group (base: its factor), in mclust's order.
    for (let j = 0; j < iopt; j++) cost[at(j, iopt)] = pairCost(j, iopt, iopt);
    rescan(iopt);
    for (let j = iopt + 1; j < lg; j++) setCost(iopt, j, pairCost(iopt, j, iopt));
    lastMerged = iopt;
  }
  return pairs;
}

/**
 * mclust's hclass: the partition after all but k − 1 merges, labels 0 … k − 1 in order of first
 * appearance (partconv). `pairs` from hcVVV over n points; one labelling per k in `ks`.
 */
export function hclass(pairs: Int32Array, n: number, ks: readonly number[]): Map<number, Int32Array> {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number) => { while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; } return i; };
  const out = new Map<number, Int32Array>();
  const wanted = new Set(ks.filter((k) => k >= 1 && k <= n));
  const snapshot = (k: number) => {
    const labels = new Int32Array(n), seen = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const root = find(i);
      let l = seen.get(root);
      if (l === undefined) { l = seen.size; seen.set(root, l); }
      labels[i] = l;
    }
    out.set(k, labels);
  };
  if (wanted.has(n)) snapshot(n);
  for (let m = 0; m < n - 1; m++) {
    // Group j (the larger smallest-index) joins group i.
    parent[find(pairs[2 * m + 1])] = find(pairs[2 * m]);
    if (wanted.has(n - m - 1)) snapshot(n - m - 1);
  }
  return out;
}

/**
 * mclust's qclass(x, k): k classes split at sample quantiles (R's type 7); when repeated values
 * merge quantiles, more are taken and the closest kept apart; labels 0 … k − 1 by increasing value.
 */
export function qclass(x: ArrayLike<number>, k: number): Int32Array {
  const n = x.length;
  // One class: all points (mclust fits G = 1 without a partition; qclass's eps is 0 on constant data).
  if (k === 1) return new Int32Array(n);
  const sorted = Float64Array.from(x).sort();
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2;
  const eps = Math.sqrt(ss / (n - 1)) * Math.sqrt(2.220446049250313e-16);
  const quantile = (prob: number) => {
    const index = 1 + (n - 1) * prob, lo = Math.floor(index), hi = Math.ceil(index);
    let qs = sorted[lo - 1];
    if (index > lo && sorted[hi - 1] !== qs) { const h = index - lo; qs = (1 - h) * qs + h * sorted[hi - 1]; }
    return qs;
  };
  let q: number[] = [];
  for (let m = k + 1; q.length < k + 1; m++) {
    // R's seq(0, 1, length = m): 0, i·(1/(m − 1)), 1.
    const probs = [0];
    for (let i = 1; i <= m - 2; i++) probs.push(i * (1 / (m - 1)));
    probs.push(1);
    q = [...new Set(probs.map(quantile))];
    if (m > n + k + 2) break;
  }
  if (q.length > k + 1) {
    // Drop the quantiles after the smallest gaps (R's order(): stable).
    const gaps = q.slice(1).map((v, i) => v - q[i]);
    const drop = new Set(gaps.map((_, i) => i).sort((a, b) => gaps[a] - gaps[b] || a - b).slice(0, q.length - k - 1).map((i) => i + 1));
    q = q.filter((_, i) => !drop.has(i));
  }
  q[0] = sorted[0] - eps;
  q[q.length - 1] = sorted[n - 1] + eps;
  const cl = new Int32Array(n).fill(-1);
  for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) if (x[i] >= q[c] && x[i] < q[c + 1]) cl[i] = c;
  return cl;
}
