// Allocation-free small dense linear algebra for the constrained M-steps (models.ts): the
// symmetric eigen-decomposition (cyclic Jacobi, eigenvalues sorted decreasing as mclust's
// dgesvd/dsyev calls order them) and the orthogonal polar factor U Vᵀ of a square matrix G = U S Vᵀ
// (one-sided Jacobi SVD), which maximises tr(Gᵀ D) over orthogonal D (the MM updates of a common
// orientation). Matrices are row-major d × d Float64Arrays; every scratch is passed in.
import * as M from "../../math.js";

/**
 * a = V diag(values) Vᵀ: `a` (d × d at offset ao, destroyed) is diagonalised in place; `values`
 * gets the eigenvalues in decreasing order and `vectors` (d × d at vo) the matching eigenvectors
 * as columns. Cyclic Jacobi (Golub & Van Loan, Algorithm 8.5.3) to an off-diagonal mass of
 * 1e-30 of the total (quadratic convergence: a few sweeps).
 */
export function eigenSym(a: Float64Array, ao: number, d: number, values: Float64Array, vectors: Float64Array, vo: number): void {
  vectors.fill(0, vo, vo + d * d);
  for (let i = 0; i < d; i++) vectors[vo + i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, total = 0;
    for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) {
      const v = a[ao + p * d + q] * a[ao + p * d + q];
      total += v;
      if (p !== q) off += v;
    }
    if (off === 0 || off < 1e-30 * total) break;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) {
      const apq = a[ao + p * d + q];
      if (apq === 0) continue;
      const theta = (a[ao + q * d + q] - a[ao + p * d + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let r = 0; r < d; r++) {
        const x = a[ao + r * d + p], y = a[ao + r * d + q];
        a[ao + r * d + p] = c * x - s * y;
        a[ao + r * d + q] = s * x + c * y;
      }
      for (let r = 0; r < d; r++) {
        const x = a[ao + p * d + r], y = a[ao + q * d + r];
        a[ao + p * d + r] = c * x - s * y;
        a[ao + q * d + r] = s * x + c * y;
      }
      for (let r = 0; r < d; r++) {
        const x = vectors[vo + r * d + p], y = vectors[vo + r * d + q];
        vectors[vo + r * d + p] = c * x - s * y;
        vectors[vo + r * d + q] = s * x + c * y;
      }
    }
  }
  for (let i = 0; i < d; i++) values[i] = a[ao + i * d + i];
  // Selection sort, decreasing, moving the eigenvector columns along.
  for (let i = 0; i < d; i++) {
    let best = i;
    for (let j = i + 1; j < d; j++) if (values[j] > values[best]) best = j;
    if (best === i) continue;
    const v = values[i]; values[i] = values[best]; values[best] = v;
    for (let r = 0; r < d; r++) {
      const x = vectors[vo + r * d + i];
      vectors[vo + r * d + i] = vectors[vo + r * d + best];
      vectors[vo + r * d + best] = x;
    }
  }
}

/**
 * out = U Vᵀ for G = U S Vᵀ (G, d × d, destroyed: it becomes U S). One-sided Jacobi (Hestenes):
 * rotate pairs of columns of G until they are orthogonal, accumulating V; then U's columns are
 * G's normalised. A zero singular value's column of U is completed by Gram–Schmidt (any
 * completion maximises tr(Gᵀ D) then). `v` is d × d scratch, `norms` a d-vector.
 */
export function polarFactor(g: Float64Array, d: number, out: Float64Array, v: Float64Array, norms: Float64Array): void {
  v.fill(0);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) {
      let alpha = 0, beta = 0, gamma = 0;
      for (let r = 0; r < d; r++) {
        const x = g[r * d + p], y = g[r * d + q];
        alpha += x * x; beta += y * y; gamma += x * y;
      }
      if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
      rotated = true;
      const zeta = (beta - alpha) / (2 * gamma);
      const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
      const c = 1 / Math.sqrt(1 + t * t), s = c * t;
      for (let r = 0; r < d; r++) {
        const x = g[r * d + p], y = g[r * d + q];
        g[r * d + p] = c * x - s * y;
        g[r * d + q] = s * x + c * y;
        const vx = v[r * d + p], vy = v[r * d + q];
        v[r * d + p] = c * vx - s * vy;
        v[r * d + q] = s * vx + c * vy;
      }
    }
    if (!rotated) break;
  }
  let largest = 0;
  for (let c = 0; c < d; c++) {
    let s = 0;
    for (let r = 0; r < d; r++) s += g[r * d + c] * g[r * d + c];
    norms[c] = Math.sqrt(s);
    if (norms[c] > largest) largest = norms[c];
  }
  const tiny = 1e-14 * largest;
  for (let c = 0; c < d; c++) if (norms[c] > tiny) for (let r = 0; r < d; r++) g[r * d + c] /= norms[c];
  for (let c = 0; c < d; c++) {
    if (norms[c] > tiny) continue;
    // Complete U: the first unit vector with a non-negligible part orthogonal to the other columns.
    for (let e = 0; e < d; e++) {
      for (let r = 0; r < d; r++) g[r * d + c] = r === e ? 1 : 0;
      for (let o = 0; o < d; o++) {
        if (o === c || !(norms[o] > tiny)) continue; // against the unit columns only
        let dot = 0;
        for (let r = 0; r < d; r++) dot += g[r * d + o] * g[r * d + c];
        for (let r = 0; r < d; r++) g[r * d + c] -= dot * g[r * d + o];
      }
      let s = 0;
      for (let r = 0; r < d; r++) s += g[r * d + c] * g[r * d + c];
      if (s > 0.1) {
        for (let r = 0; r < d; r++) g[r * d + c] /= Math.sqrt(s);
        norms[c] = largest; // now a unit column
        break;
      }
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += g[a * d + c] * v[b * d + c];
    out[a * d + b] = s;
  }
}

/** The geometric mean of values[o … o + d) (all positive), through logs. */
export function geometricMean(values: Float64Array, o: number, d: number): number {
  let s = 0;
  for (let a = 0; a < d; a++) s += M.log(values[o + a]);
  return M.exp(s / d);
}
