// Reading the caller's numbers into WebAssembly memory: one pass that validates and copies.
import { dataError } from "./errors.js";
import type { Region, WasmCore } from "./wasm.js";

export type NumericArray = ArrayLike<number>;

/** Checks that `data` is a non-empty number[] or numeric typed array; returns its length. */
export function checkVector(data: unknown, path: string): number {
  const ok = Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView) &&
    !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array));
  if (!ok) throw dataError(path, `expected an array of numbers or a numeric typed array, got ${describe(data)}`);
  const n = (data as NumericArray).length;
  if (n === 0) throw dataError(path, "is empty");
  if (n > 2 ** 28) throw dataError(path, `has ${n} values; at most 2^28 fit in 32-bit WebAssembly memory at once`);
  return n;
}

/** What is wrong with v as a count (a non-negative integer), or null. */
export function countProblem(v: number): string | null {
  return Number.isInteger(v) && v >= 0 ? null : `${v} is not a valid count (a non-negative integer)`;
}

/**
 * Copies data into a new region, checking every value: finite, and `extra(v, i)` (returns a
 * message or null). The caller's array is only read.
 */
export function copyIn(core: WasmCore, data: unknown, path: string, extra?: (v: number, i: number) => string | null): Region {
  const n = checkVector(data, path);
  const src = data as NumericArray;
  const region = core.alloc(n);
  try {
    const dst = region.array;
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if (typeof v !== "number") throw dataError(`${path}[${i}]`, v === undefined ? "is missing" : `is not a number (${describe(v)})`);
      if (!Number.isFinite(v)) throw dataError(`${path}[${i}]`, `is ${v}; every value must be finite`);
      const problem = extra?.(v, i);
      if (problem) throw dataError(`${path}[${i}]`, problem);
      dst[i] = v;
    }
  } catch (e) {
    core.free(region);
    throw e;
  }
  return region;
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
  if (Array.isArray(v)) return "an array";
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + "…" : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
