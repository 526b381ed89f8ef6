// Checks given covariances (explicit init, stored models) against a model's constraint, and fills
// θ's volume/shape/orientation from them. Equalities hold to CONSTRAINT_TOL relative: parameters
// printed by another program (mclust's, to 17 digits) satisfy them only to rounding.
import { optionError } from "../../errors.js";
import type { CovarianceModel } from "./covariance.js";
import { decomposeSigma, layout, type ModelScratch } from "./models.js";

export const CONSTRAINT_TOL = 1e-8;

const close = (a: number, b: number) => Math.abs(a - b) <= CONSTRAINT_TOL * Math.max(Math.abs(a), Math.abs(b));

/**
 * θ's covariances (k components, Σ at t + d) checked against `model`'s constraint; their
 * decompositions written. `at(j)` names component j's covariance in errors.
 */
export function checkConstraint(model: CovarianceModel, name: string, theta: Float64Array, k: number, d: number, x: ModelScratch, at: (j: number) => string): void {
  const L = layout(d), T = L.size;
  const [volume, shape, orientation] = model.terms;
  const diagonal = orientation === "I";
  const sigma = (j: number, a: number, b: number) => theta[j * T + d + a * d + b];
  for (let j = 0; j < k; j++) {
    if (diagonal) for (let a = 0; a < d; a++) for (let b = 0; b < a; b++)
      if (Math.abs(sigma(j, a, b)) > CONSTRAINT_TOL * Math.sqrt(Math.abs(sigma(j, a, a) * sigma(j, b, b))))
        throw optionError(`${at(j)}[${a}][${b}]`, `must be 0: covariance "${name}" has orientation I (axis-aligned, diagonal covariances), got ${sigma(j, a, b)}`);
    if (!decomposeSigma(theta, j * T, d, diagonal, x)) throw optionError(at(j), "must be positive definite");
  }
  const vol = (j: number) => theta[j * T + L.volume];
  const sh = (j: number, a: number) => theta[j * T + L.shape + a];
  for (let j = 0; j < k; j++) {
    if (shape === "I") for (let a = 0; a < d; a++) if (!close(sh(j, a), 1))
      throw optionError(at(j), `must be a multiple of the identity: covariance "${name}" has shape I (equal variances, no correlation)`);
    if (j === 0) continue;
    if (volume === "E" && !close(vol(j), vol(0)))
      throw optionError(at(j), `must have the volume |Σ|^(1/d) of component 0 (${vol(0)}), got ${vol(j)}: covariance "${name}" has equal volume`);
    if (shape === "E") for (let a = 0; a < d; a++) if (!close(sh(j, a), sh(0, a)))
      throw optionError(at(j), `must have the shape (eigenvalues / volume) of component 0: covariance "${name}" has equal shape`);
  }
  if (orientation !== "E") return;
  // Equal orientation: the covariances commute (symmetric matrices share eigenvectors iff they do);
  // equal shape too: Σ_j / λ_j = Σ_0 / λ_0.
  for (let j = 1; j < k; j++) {
    let worst = 0, size = 0;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
      let ab = 0, ba = 0;
      for (let c = 0; c < d; c++) { ab += sigma(0, a, c) * sigma(j, c, b); ba += sigma(j, a, c) * sigma(0, c, b); }
      worst = Math.max(worst, Math.abs(ab - ba));
      size = Math.max(size, Math.abs(ab), Math.abs(ba));
      if (shape === "E" && !(Math.abs(sigma(j, a, b) / vol(j) - sigma(0, a, b) / vol(0)) <= CONSTRAINT_TOL * (Math.abs(sigma(0, a, a) * sigma(0, b, b)) ** 0.5 / vol(0))))
        throw optionError(at(j), `must equal component 0's covariance up to its volume: covariance "${name}" has equal shape and orientation`);
    }
    if (worst > CONSTRAINT_TOL * size)
      throw optionError(at(j), `must have the orientation (principal axes) of component 0 (Σ_j Σ_0 = Σ_0 Σ_j): covariance "${name}" has equal orientation`);
  }
  // One orientation for all: component 0's axes; each shape then diag(Dᵀ Σ_j D) / λ_j.
  const D = L.orientation;
  for (let j = 1; j < k; j++) {
    theta.copyWithin(j * T + D, D, D + d * d);
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s += theta[D + a * d + c] * sigma(j, a, b) * theta[D + b * d + c];
      theta[j * T + L.shape + c] = s / vol(j);
    }
  }
}

/** Whether θ's decompositions share exactly the parts `model` has Equal (volume, shape, orientation) across its k components. */
export function sharesExactly(model: CovarianceModel, theta: Float64Array, k: number, d: number): boolean {
  const L = layout(d), T = L.size;
  const [volume, shape, orientation] = model.terms;
  const same = (from: number, n: number, j: number) => { for (let i = 0; i < n; i++) if (theta[j * T + from + i] !== theta[from + i]) return false; return true; };
  for (let j = 1; j < k; j++) {
    if (volume === "E" && !same(L.volume, 1, j)) return false;
    if (shape === "E" && !same(L.shape, d, j)) return false;
    if (orientation === "E" && !same(L.orientation, d * d, j)) return false;
  }
  return true;
}

