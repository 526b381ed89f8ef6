// Small dense linear algebra on row-major d × d matrices (Float64Array), for the M-step and
// sampling: K factorisations per iteration, O(K d³) — the O(N K d²) work is in the WASM kernels.
import * as M from "./math.js";

/**
 * Cholesky factor L (lower, row-major) of a symmetric matrix (d × d at a[offset …]), or null if it
 * is not positive definite (to working precision).
 */
export function cholesky(a: ArrayLike<number>, d: number, out: Float64Array = new Float64Array(d * d), offset = 0): Float64Array | null {
  out.fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[offset + i * d + j];
      for (let p = 0; p < j; p++) s -= out[i * d + p] * out[j * d + p];
      if (i === j) {
        // s / a_ii is 1 − R² of coordinate i regressed on the earlier ones: at or below d·ε it is
        // rounding noise, the matrix is singular to working precision (mclust's eps test, roughly).
        if (!(s > d * Number.EPSILON * a[offset + i * d + i])) return null;
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

/** floorCovariance's Cholesky test's factor (at least d × d; one array, not one per call). */
let floorFactor = new Float64Array(0);

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
  // At least 64 d ε tr Σ̃ (≥ 64 d ε λ_max): the Cholesky test and V max(λ, floor) Vᵀ are exact to
  // ~d ε λ_max, and a floor below that passed a Σ that was not positive definite (t/mvt: a robust
  // scale 10⁻²⁰ of a component's spread over far outliers). The floor itself below tr Σ̃ ≈ 10⁶ × it.
  let trace = 0;
  for (let i = 0; i < d; i++) trace += sigma[offset + i * d + i] / scale[i];
  floor = Math.max(floor, 64 * d * Number.EPSILON * trace);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    const v = (sigma[offset + i * d + j] + sigma[offset + j * d + i]) / 2 / (sd(i) * sd(j));
    work[i * d + j] = i === j ? v - floor : v;
  }
  if (floorFactor.length < d * d) floorFactor = new Float64Array(d * d);
  if (cholesky(work, d, floorFactor) !== null) return; // Σ̃ − floor·I ≻ 0: nothing to raise (only the test's success is read)
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

/**
 * Writes P = L⁻¹ for the Cholesky factor Σ = L Lᵀ of the d × d matrix at sigma[offset …] (lower
 * triangle, row-major, into out[at …]) and returns log|Σ|, or null if Σ is not positive definite.
 * Column c of P by forward substitution: P_cc = 1/L_cc, P_ac = −(Σ_{c≤b<a} L_ab P_bc) / L_aa.
 * `factor` is d × d scratch.
 */
export function inverseCholesky(sigma: Float64Array, offset: number, d: number, out: Float64Array, at: number, factor: Float64Array): number | null {
  if (!cholesky(sigma, d, factor, offset)) return null; // no view allocated per call (the M-steps and every pass's pack call this)
  let logDet = 0;
  for (let c = 0; c < d; c++) {
    logDet += 2 * M.log(factor[c * d + c]);
    out[at + c * d + c] = 1 / factor[c * d + c];
    for (let a = c + 1; a < d; a++) {
      let sum = 0;
      for (let b = c; b < a; b++) sum += factor[a * d + b] * out[at + b * d + c];
      out[at + a * d + c] = -sum / factor[a * d + a];
    }
  }
  return logDet;
}

/**
 * With Σ = L Lᵀ (L row-major lower): returns vᵀ Σ⁻¹ v (column < 0) or, for column c, the c-th
 * entry of Σ⁻¹ v (used for tr(Λ Σ⁻¹) = Σ_c (Σ⁻¹ Λ)_cc). Triangular solves, no inverse.
 */
export function solveQuadratic(L: Float64Array, d: number, v: Float64Array, z: Float64Array, column = -1): number {
  for (let a = 0; a < d; a++) {
    let s = v[a];
    for (let b = 0; b < a; b++) s -= L[a * d + b] * z[b];
    z[a] = s / L[a * d + a];
  }
  if (column < 0) {
    let q = 0;
    for (let a = 0; a < d; a++) q += z[a] * z[a];
    return q;
  }
  for (let a = d - 1; a >= 0; a--) {
    let s = z[a];
    for (let b = a + 1; b < d; b++) s -= L[b * d + a] * z[b];
    z[a] = s / L[a * d + a];
  }
  return z[column];
}

/** log|Σ| from its Cholesky factor L (row-major lower). */
export function logDetFromCholesky(L: Float64Array, d: number): number {
  let logDet = 0;
  for (let a = 0; a < d; a++) logDet += 2 * M.log(L[a * d + a]);
  return logDet;
}
