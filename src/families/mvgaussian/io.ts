// mvgaussian's parameters in and out: explicit init entries, stored components and the public view.
// θ_j = (mean_j (d), Σ_j (d × d, row-major)) for every covariance type.
import { describe } from "../../data.js";
import { numberList } from "../../options.js";
import { optionError } from "../../errors.js";
import { cholesky } from "../../linalg.js";
import { componentObject } from "../shared.js";
import { layout } from "./models.js";

const DECOMPOSITION = ["volume", "shape", "orientation"];

/**
 * One component: its mean and full covariance, and the covariance's decomposition
 * covariance = volume · orientation · diag(shape) · orientationᵀ (volume = |Σ|^(1/d), shape's
 * product 1, orientation's columns the principal axes; mclust's scale, shape, orientation).
 */
export interface MvGaussianComponent { mean: number[]; covariance: number[][]; volume: number; shape: number[]; orientation: number[][] }

/** What an explicit covariance may be for a type: a d × d matrix always; a d-vector (diag); a number (spherical). */
export type CovarianceInput = "matrix" | "diagonal" | "scalar";

export function listOf(v: unknown, length: number, path: string): unknown[] {
  if (!Array.isArray(v)) throw optionError(path, `must be an array of ${length} entries, got ${describe(v)}`);
  if (v.length !== length) throw optionError(path, `must have ${length} entries, got ${v.length}`);
  return v;
}

/** Reads means[j] into θ. */
export function readMean(m: unknown, d: number, theta: Float64Array, at: number, path: string): void {
  numberList(m, d, path).forEach((v, a) => { theta[at + a] = v; });
}

/**
 * One explicit covariance into θ as a full d × d matrix: a d × d matrix for every type (`keep`
 * says what of it: all of it, its diagonal, or the mean of its diagonal), a d-vector for
 * "diagonal", a number for "scalar".
 */
export function readCovariance(c: unknown, input: CovarianceInput, d: number, theta: Float64Array, at: number, path: string): void {
  theta.fill(0, at, at + d * d);
  if (typeof c === "number" && input === "scalar") {
    if (!(c > 0 && Number.isFinite(c))) throw optionError(path, `must be a positive variance, got ${c}`);
    for (let a = 0; a < d; a++) theta[at + a * d + a] = c;
    return;
  }
  if (Array.isArray(c) && c.length === d && typeof c[0] === "number" && input === "diagonal") {
    numberList(c, d, path).forEach((v, a) => {
      if (!(v > 0)) throw optionError(`${path}[${a}]`, `must be a positive variance, got ${v}`);
      theta[at + a * d + a] = v;
    });
    return;
  }
  const rows = listOf(c, d, path);
  const m = rows.map((r, a) => numberList(r, d, `${path}[${a}]`));
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++)
    if (m[a][b] !== m[b][a]) throw optionError(path, `must be symmetric ([${a}][${b}] = ${m[a][b]}, [${b}][${a}] = ${m[b][a]})`);
  if (input === "matrix") {
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) theta[at + a * d + b] = m[a][b];
  } else if (input === "diagonal") {
    for (let a = 0; a < d; a++) theta[at + a * d + a] = m[a][a];
  } else {
    const mean = m.reduce((s, r, a) => s + r[a], 0) / d;
    for (let a = 0; a < d; a++) theta[at + a * d + a] = mean;
  }
}

/** The public view of component j (θ_j: mean, Σ, volume, shape, orientation; models.ts `layout`). */
export function componentOf(theta: Float64Array, j: number, d: number): MvGaussianComponent {
  const L = layout(d), t = j * L.size;
  // Plain loops (no views): a selection builds this for every component of every fit.
  const list = (from: number) => { const v = new Array<number>(d); for (let a = 0; a < d; a++) v[a] = theta[from + a]; return v; };
  const matrix = (o: number) => { const m = new Array<number[]>(d); for (let a = 0; a < d; a++) m[a] = list(t + o + a * d); return m; };
  return { mean: list(t), covariance: matrix(L.sigma), volume: theta[t + L.volume], shape: list(t + L.shape), orientation: matrix(L.orientation) };
}

/**
 * A stored component into θ, validated: symmetric; for `input` "diagonal"/"scalar" zero off the
 * diagonal (and equal on it, "scalar"); positive definite.
 */
export function readComponent(c: unknown, input: CovarianceInput, typeName: string, d: number, theta: Float64Array, j: number, factor: Float64Array, path: string): void {
  const T = layout(d).size;
  // The decomposition (volume, shape, orientation) is derived from the covariance: optional here.
  const given = typeof c === "object" && c !== null && !Array.isArray(c) ? Object.keys(c) : [];
  const o = componentObject(c, ["mean", "covariance", ...DECOMPOSITION.filter((key) => given.includes(key))], path);
  readMean(o.mean, d, theta, j * T, `${path}.mean`);
  const rows = listOf(o.covariance, d, `${path}.covariance`);
  rows.forEach((r, a) => numberList(r, d, `${path}.covariance[${a}]`).forEach((v, b) => { theta[j * T + d + a * d + b] = v; }));
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) {
    const x = theta[j * T + d + a * d + b], y = theta[j * T + d + b * d + a];
    if (x !== y) throw optionError(`${path}.covariance`, `must be symmetric ([${a}][${b}] = ${x}, [${b}][${a}] = ${y})`);
    if (input !== "matrix" && x !== 0) throw optionError(`${path}.covariance[${a}][${b}]`, `must be 0 for covariance "${typeName}", got ${x}`);
  }
  if (input === "scalar")
    for (let a = 1; a < d; a++) if (theta[j * T + d + a * d + a] !== theta[j * T + d]) throw optionError(`${path}.covariance`, `must have equal diagonal entries for covariance "${typeName}"`);
  if (!cholesky(theta.subarray(j * T + d, (j + 1) * T), d, factor)) throw optionError(`${path}.covariance`, "must be positive definite");
}

/**
 * A stored component's decomposition into θ_j's slots, when it is given and is one of Σ_j's —
 * volume · D diag(shape) Dᵀ = Σ_j and DᵀD = I, each to 1e-10 relative — so that a saved model loads
 * with the decomposition it was saved with (the axes in the fit's order, the fit's last bits), not
 * Σ_j's decomposition re-derived (the diagonal models: D = I exactly). Otherwise θ keeps the derived one. Returns whether it was taken.
 */
export function takeStoredDecomposition(c: unknown, d: number, diagonal: boolean, theta: Float64Array, j: number): boolean {
  const L = layout(d), t = j * L.size, o = c as Partial<Record<"volume" | "shape" | "orientation", unknown>>;
  const numbers = (v: unknown, n: number): v is number[] => Array.isArray(v) && v.length === n && v.every((x) => typeof x === "number" && Number.isFinite(x));
  const volume = o.volume, shape = o.shape, orientation = o.orientation;
  if (!(typeof volume === "number" && volume > 0 && Number.isFinite(volume)) || !numbers(shape, d) || !shape.every((x) => x > 0)) return false;
  if (!Array.isArray(orientation) || orientation.length !== d || !orientation.every((r) => numbers(r, d))) return false;
  const D = orientation as number[][];
  if (diagonal && !D.every((r, a) => r.every((v, b) => v === (a === b ? 1 : 0)))) return false; // orientation I
  const TOL = 1e-10;
  // mclust's normalisation: |A| = Π shape = 1 (else λ and A could trade a factor and still give Σ).
  if (!(Math.abs(shape.reduce((s, x) => s + Math.log(x), 0)) <= TOL * d)) return false;
  for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
    let s = 0, g = 0;
    for (let c = 0; c < d; c++) { s += D[a][c] * shape[c] * D[b][c]; g += D[c][a] * D[c][b]; }
    const sigma = theta[t + d + a * d + b], size = Math.sqrt(theta[t + d + a * d + a] * theta[t + d + b * d + b]);
    if (!(Math.abs(volume * s - sigma) <= TOL * size) || !(Math.abs(g - (a === b ? 1 : 0)) <= TOL)) return false;
  }
  theta[t + L.volume] = volume;
  for (let a = 0; a < d; a++) {
    theta[t + L.shape + a] = shape[a];
    for (let b = 0; b < d; b++) theta[t + L.orientation + a * d + b] = D[a][b];
  }
  return true;
}

