// Small dense linear algebra on row-major d × d matrices (Float64Array), for the M-step and
// sampling: K factorisations per iteration, O(K d³) — the O(N K d²) work is in the WASM kernels.

/** Cholesky factor L (lower, row-major) of a symmetric matrix, or null if it is not positive definite (to working precision). */
export function cholesky(a: ArrayLike<number>, d: number, out = new Float64Array(d * d)): Float64Array | null {
  out.fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let p = 0; p < j; p++) s -= out[i * d + p] * out[j * d + p];
      if (i === j) {
        // s / a_ii is 1 − R² of coordinate i regressed on the earlier ones: at or below d·ε it is
        // rounding noise, the matrix is singular to working precision (mclust's eps test, roughly).
        if (!(s > d * Number.EPSILON * a[i * d + i])) return null;
        out[i * d + i] = Math.sqrt(s);
      } else {
        out[i * d + j] = s / out[j * d + j];
      }
    }
  }
  return out;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: a = V diag(values) Vᵀ,
 * V's columns are the eigenvectors. Converges quadratically; d is small here.
 */
export function symmetricEigen(a: ArrayLike<number>, d: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += m[p * d + q] ** 2;
    if (off === 0 || off < 1e-30 * frobenius2(m)) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        if (apq === 0) continue;
        // Rotation angle that zeroes m[p][q] (Golub & Van Loan, Algorithm 8.5.1).
        const theta = (m[q * d + q] - m[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let r = 0; r < d; r++) {
          const mrp = m[r * d + p], mrq = m[r * d + q];
          m[r * d + p] = c * mrp - s * mrq;
          m[r * d + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < d; r++) {
          const mpr = m[p * d + r], mqr = m[q * d + r];
          m[p * d + r] = c * mpr - s * mqr;
          m[q * d + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < d; r++) {
          const vrp = v[r * d + p], vrq = v[r * d + q];
          v[r * d + p] = c * vrp - s * vrq;
          v[r * d + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = m[i * d + i];
  return { values, vectors: v };
}

function frobenius2(m: Float64Array): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i] * m[i];
  return s;
}

/**
 * Projects a symmetric covariance onto {Σ : Σ ⪰ floor · D}, D = diag(scale), in place: with
 * Σ̃ = D^{-½} Σ D^{-½}, eigenvalues of Σ̃ below `floor` are raised to it. This is the exact
 * maximiser of the Gaussian M-step objective −½ n (log|Σ| + tr(Σ⁻¹ S)) under that constraint
 * (the objective depends on Σ̃'s eigenvalues only through independent terms, each unimodal), so
 * EM stays monotone. A Cholesky test skips the eigen-decomposition when no eigenvalue is below.
 */
export function floorCovariance(sigma: Float64Array, offset: number, d: number, scale: Float64Array, floor: number, work: Float64Array): void {
  if (!(floor > 0)) return;
  const sd = (i: number) => Math.sqrt(scale[i]);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    const v = (sigma[offset + i * d + j] + sigma[offset + j * d + i]) / 2 / (sd(i) * sd(j));
    work[i * d + j] = i === j ? v - floor : v;
  }
  if (cholesky(work, d) !== null) return; // Σ̃ − floor·I ≻ 0: nothing to raise
  for (let i = 0; i < d; i++) work[i * d + i] += floor;
  const { values, vectors } = symmetricEigen(work, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let p = 0; p < d; p++) s += vectors[i * d + p] * Math.max(values[p], floor) * vectors[j * d + p];
    sigma[offset + i * d + j] = s * sd(i) * sd(j);
  }
  // Exact symmetry after rounding.
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) sigma[offset + j * d + i] = sigma[offset + i * d + j];
}
