// Reading the caller's numbers into WebAssembly memory: one pass that validates and copies.
import { dataError, MixemError, optionError, readFailure } from "./errors.js";
import { MAX_REGION_VALUES, type Arena, type Region } from "./wasm.js";

export type NumericArray = ArrayLike<number>;

/**
 * While a `missing: "marginalize"` load runs (see missingAllowed), NaN is read as a missing value and
 * copied as it is (the family's own checks skip it); otherwise NaN is an error that names the option.
 */
let nanAllowed = false;

/** Runs f with NaN accepted as a missing value by copyIn / copyMatrixIn (loadDataset's `missing: "marginalize"`). */
export function missingAllowed<T>(f: () => T): T {
  const before = nanAllowed;
  nanAllowed = true;
  try {
    return f();
  } finally {
    nanAllowed = before;
  }
}

/** The error for a value that is not finite: NaN is a missing value, which options.missing decides. */
function notFinite(v: number): string {
  return Number.isNaN(v)
    ? `is NaN; every value must be finite (NaN marks a missing value: options.missing "marginalize" fits around it)`
    : `is ${v}; every value must be finite`;
}

/** Checks that `data` is a non-empty number[] or numeric typed array; returns its length. */
export function checkVector(data: unknown, path: string): number {
  let ok: boolean, n: number;
  try {
    ok = Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView) &&
      !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array));
    n = ok ? (data as NumericArray).length : 0;
  } catch (e) {
    throw unreadable(e, path);
  }
  if (!ok) throw dataError(path, `expected an array of numbers or a numeric typed array, got ${describe(data)}`);
  if (n === 0) throw dataError(path, "is empty");
  if (n > MAX_REGION_VALUES) throw dataError(path, `has ${n} values; at most ${MAX_REGION_VALUES} (just under 2^27) fit in one WebAssembly array`);
  return n;
}

/** What is wrong with v as a count (a non-negative safe integer), or null. */
export function countProblem(v: number): string | null {
  if (!(Number.isInteger(v) && v >= 0)) return `${v} is not a valid count (a non-negative integer)`;
  return Number.isSafeInteger(v) ? null : `${v} is above 2^53, where counts stop being exact`;
}

/**
 * Gaussian data must stay where squared distances and 1/σ² are finite doubles: |x| ≤ 1e150, and
 * a spread (per dimension) of zero or at least sd 1e-140. Beyond that, rescale the data.
 */
export const GAUSSIAN_MAX_ABS = 1e150;
export const GAUSSIAN_MIN_VARIANCE = 1e-280;
export function magnitudeProblem(v: number): string | null {
  return Math.abs(v) <= GAUSSIAN_MAX_ABS ? null : `${v} is beyond ±1e150, where squared distances overflow; rescale the data`;
}

/**
 * Copies data into a new region of `mem`, checking every value (unless `trusted`: already checked
 * once in this fit): finite, and `extra(v, i)` (returns a message or null). The caller's array is
 * only read; on an error the region stays in `mem`, which its owner frees.
 */
export function copyIn(mem: Arena, data: unknown, path: string, extra?: (v: number, i: number) => string | null, trusted = false): Region {
  const n = checkVector(data, path);
  const src = data as NumericArray;
  const lying = mem.borrow(data);
  if (lying) {
    if (!trusted) checkInPlace(lying.array, path, extra);
    return lying;
  }
  const region = mem.alloc(n);
  const dst = region.array;
  if (trusted) {
    for (let i = 0; i < n; i++) dst[i] = src[i];
    return region;
  }
  let i = 0;
  try {
    for (; i < n; i++) {
      const v = src[i];
      if (typeof v !== "number") throw dataError(`${path}[${i}]`, v === undefined ? "is missing" : `is not a number (${describe(v)})`);
      if (!Number.isFinite(v)) {
        if (!(nanAllowed && Number.isNaN(v))) throw dataError(`${path}[${i}]`, notFinite(v));
        dst[i] = v;
        continue;
      }
      const problem = extra?.(v, i);
      if (problem) throw dataError(`${path}[${i}]`, problem);
      dst[i] = v;
    }
  } catch (e) {
    throw unreadable(e, `${path}[${i}]`);
  }
  return region;
}

/**
 * Copies an n × d matrix into a new region, row-major: `number[][]` / an array of typed-array
 * rows, or a flat numeric array / typed array with `dims` values per row. `extra(v)` checks each
 * value (returns a message or null). `dims` fixes d (from options, or a fitted model).
 */
export function copyMatrixIn(
  mem: Arena, data: unknown, dims: number | undefined, path: string, extra?: (v: number) => string | null, trusted = false, maxDims = MAX_REGION_VALUES,
): { region: Region; n: number; dims: number } {
  try {
    return copyMatrix(mem, data, dims, path, extra, trusted, maxDims);
  } catch (e) {
    throw unreadable(e, path);
  }
}

function copyMatrix(
  mem: Arena, data: unknown, dims: number | undefined, path: string, extra: ((v: number) => string | null) | undefined, trusted: boolean, maxDims: number,
): { region: Region; n: number; dims: number } {
  const isRow = (r: unknown) => Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView));
  if (Array.isArray(data) && data.length > 0 && isRow(data[0])) {
    const rows = data as ArrayLike<number>[];
    const n = rows.length;
    const d = rows[0].length;
    if (d === 0) throw dataError(`${path}[0]`, "is an empty row; every row needs at least one value");
    if (dims !== undefined && d !== dims) throw dataError(`${path}[0]`, `has ${d} values; this model has ${dims} dimensions`);
    if (d > maxDims) throw dataError(`${path}[0]`, `has ${d} values; at most ${maxDims} dimensions are taken here`);
    if (n * d > MAX_REGION_VALUES) throw dataError(path, `has ${n * d} values; at most ${MAX_REGION_VALUES} (just under 2^27) fit in one WebAssembly array`);
    const region = mem.alloc(n * d);
    const dst = region.array;
    let i = 0;
    try {
      for (; i < n; i++) {
        const row = rows[i];
        if (!isRow(row)) throw dataError(`${path}[${i}]`, `is not a row of numbers (${describe(row)})`);
        if (row.length !== d) throw dataError(`${path}[${i}]`, `has ${row.length} values; every row must have ${d} (as ${path}[0])`);
        for (let a = 0; a < d; a++) {
          const v = row[a];
          // A sound value as it is; the path (a string per value) is built only to report a bad one.
          dst[i * d + a] = trusted || (typeof v === "number" && Number.isFinite(v) && !extra?.(v)) ? v : checkValue(v, `${path}[${i}][${a}]`, extra);
        }
      }
    } catch (e) {
      throw unreadable(e, `${path}[${i}]`);
    }
    return { region, n, dims: d };
  }
  const total = checkVector(data, path);
  if (dims === undefined) throw optionError("options.dims", "is required when the data is a flat array (or pass rows: number[][])");
  if (total % dims !== 0) throw dataError(path, `has ${total} values, not a multiple of dims = ${dims}`);
  const region = copyIn(mem, data, path, extra ? (v) => extra(v) : undefined, trusted);
  return { region, n: total / dims, dims };
}

/** Validates data that is used where it lies in WebAssembly memory (see Arena.borrow). */
function checkInPlace(x: Float64Array, path: string, extra?: (v: number, i: number) => string | null): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) {
      if (nanAllowed && Number.isNaN(v)) continue;
      throw dataError(`${path}[${i}]`, notFinite(v));
    }
    const problem = extra?.(v, i);
    if (problem) throw dataError(`${path}[${i}]`, problem);
  }
}

/** A MixemError as it is; anything else thrown while reading the data (a getter, a Proxy) as a MixemError naming where. */
export function unreadable(e: unknown, path: string): MixemError {
  return e instanceof MixemError ? e : readFailure(e, "INVALID_DATA", path);
}

/**
 * f's value, or `fallback` when reading the caller's data throws (a getter or Proxy that throws, a
 * revoked Proxy): for a first look at the data (its length, its first row) before the load that
 * validates it, which then names the problem as a MixemError.
 */
export function peek<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

function checkValue(v: unknown, path: string, extra?: (v: number) => string | null): number {
  if (typeof v !== "number") throw dataError(path, v === undefined ? "is missing" : `is not a number (${describe(v)})`);
  if (!Number.isFinite(v)) {
    if (nanAllowed && Number.isNaN(v)) return v;
    throw dataError(path, notFinite(v));
  }
  const problem = extra?.(v);
  if (problem) throw dataError(path, problem);
  return v;
}

/**
 * Population variance of each column of an n × d row-major matrix (two-pass); 1 where it is 0.
 * A spread below GAUSSIAN_MIN_VARIANCE (but not 0) is an error: 1/σ² would overflow.
 */
export function columnScales(x: Float64Array, n: number, d: number, path = "data"): Float64Array {
  const scale = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    const { variance } = meanVariance(n, (i) => x[i * d + a]);
    if (variance > 0 && variance < GAUSSIAN_MIN_VARIANCE)
      throw dataError(path, `${d > 1 ? `column ${a} has` : "has"} a variance of ${variance}, below 1e-280, where 1/σ² overflows; rescale the data`);
    scale[a] = variance > 0 ? variance : 1;
  }
  return scale;
}

/**
 * The data's scale under sample weights: each column's weighted population variance
 * Σ w_i (x_i − x̄_w)² / Σ w_i over the rows with a value there (NaN: missing), x̄_w = Σ w_i x_i / Σ w_i
 * (two-pass); 1 where it is 0 or no weight is left. A row of weight 0 is as if removed, integer
 * weights are duplicated rows.
 */
export function weightedScales(x: Float64Array, rows: number, d: number, w: Float64Array, path = "data", weightsName = "options.sampleWeights"): Float64Array {
  const scale = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    let sw = 0, sx = 0;
    for (let i = 0; i < rows; i++) { const v = x[i * d + a]; if (w[i] > 0 && v === v) { sw += w[i]; sx += w[i] * v; } }
    const mean = sx / sw;
    let ss = 0;
    for (let i = 0; i < rows; i++) { const v = x[i * d + a]; if (w[i] > 0 && v === v) { const e = v - mean; ss += w[i] * e * e; } }
    const variance = ss / sw;
    if (variance > 0 && variance < GAUSSIAN_MIN_VARIANCE) // as columnScales: 1/σ² would overflow
      throw dataError(path, `${d > 1 ? `column ${a} has` : "has"} a variance of ${variance} under ${weightsName}, below 1e-280, where 1/σ² overflows; rescale the data`);
    scale[a] = variance > 0 ? variance : 1;
  }
  return scale;
}

/** Mean and variance (two-pass, so exact far from the origin) of f(i) for i < n. */
export function meanVariance(n: number, f: (i: number) => number): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += f(i);
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) { const d = f(i) - mean; ss += d * d; }
  return { mean, variance: ss / n };
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined"; // not "undefined undefined"
  if (Array.isArray(v)) return "an array";
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
