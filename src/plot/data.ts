// Reading and binning plot data in constant stack and bounded memory: the data (a typed array,
// number[], rows number[][] or flat with dims) is read in place, never spread or copied; a range
// takes one pass, binning another; only a strided sample of at most SAMPLE values is sorted (for
// the robust range).
import { dataError } from "../errors.js";
import { describe, unreadable } from "../data.js";

/** Values read in place: `at(i, a)` is dimension a of point i (a = 0 for 1-D data); `where` names it in errors. */
export interface Table {
  readonly n: number;
  readonly dims: number;
  at(i: number, a: number): number;
  where(i: number, a: number): string;
}

const isList = (v: unknown): v is ArrayLike<unknown> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array));

/** One number per point: an array or a numeric typed array. */
export function valuesOf(data: unknown, path = "data"): Table {
  return readData(path, () => {
    if (!isList(data)) throw dataError(path, `expected an array of numbers or a numeric typed array, got ${describe(data)}`);
    if (data.length === 0) throw dataError(path, "is empty");
    const x = data as ArrayLike<number>;
    return { n: x.length, dims: 1, at: (i) => { try { return x[i]; } catch (e) { throw unreadable(e, `${path}[${i}]`); } }, where: (i) => `${path}[${i}]` };
  });
}

/** `dims` numbers per point: rows (number[][]) or flat (n × dims values, row-major). */
export function rowsOf(data: unknown, dims: number, path = "data"): Table {
  return readData(path, () => {
    if (!isList(data)) throw dataError(path, `expected rows of numbers (number[][]) or a flat array of n × ${dims} numbers, got ${describe(data)}`);
    if (data.length === 0) throw dataError(path, "is empty");
    if (isList(data[0])) {
      const rows = data as ArrayLike<ArrayLike<number>>;
      for (let i = 0; i < rows.length; i++) {
        const r = readData(`${path}[${i}]`, () => rows[i]);
        if (!isList(r)) throw dataError(`${path}[${i}]`, `is not a row of numbers (${describe(r)})`);
        if (readData(`${path}[${i}]`, () => r.length) !== dims) throw dataError(`${path}[${i}]`, `has ${r.length} values; this model has ${dims} dimensions`);
      }
      return { n: rows.length, dims, at: (i, a) => { try { return rows[i][a]; } catch (e) { throw unreadable(e, `${path}[${i}][${a}]`); } }, where: (i, a) => `${path}[${i}][${a}]` };
    }
    const x = data as ArrayLike<number>;
    if (x.length % dims !== 0) throw dataError(path, `has ${x.length} values, not a multiple of the model's ${dims} dimensions`);
    return { n: x.length / dims, dims, at: (i, a) => { try { return x[i * dims + a]; } catch (e) { throw unreadable(e, `${path}[${i * dims + a}]`); } }, where: (i, a) => `${path}[${i * dims + a}]` };
  });
}

/** f, reading the caller's data: a getter or Proxy that throws (or a revoked Proxy) is a MixemError naming `path`. */
function readData<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw unreadable(e, path);
  }
}

/** Each dimension's smallest and largest value, in one pass; every value must be finite (counts: non-negative integers). */
export function extent(t: Table, counts = false): { min: Float64Array; max: Float64Array } {
  const min = new Float64Array(t.dims).fill(Infinity), max = new Float64Array(t.dims).fill(-Infinity);
  for (let i = 0; i < t.n; i++) {
    for (let a = 0; a < t.dims; a++) {
      const v = t.at(i, a);
      if (typeof v !== "number" || !Number.isFinite(v)) throw dataError(t.where(i, a), typeof v === "number" ? `is ${v}; every value must be finite` : `is not a number (${describe(v)})`);
      if (counts && !(Number.isInteger(v) && v >= 0)) throw dataError(t.where(i, a), `${v} is not a count (a non-negative integer)`);
      if (v < min[a]) min[a] = v;
      if (v > max[a]) max[a] = v;
    }
  }
  return { min, max };
}

/** Points sorted for the robust range: all of them up to this many, else an evenly strided sample. */
const SAMPLE = 65536;

/**
 * The range a picture shows of dimension a: all the data, unless some values lie far outside the
 * bulk (beyond the 0.1 % and 99.9 % quantiles widened by their distance on each side), which are
 * then left out and counted. `lo`/`hi` are the smallest and largest values kept.
 */
export function robustRange(t: Table, a: number, min: number, max: number): { lo: number; hi: number; limLo: number; limHi: number } {
  const m = Math.min(SAMPLE, t.n), s = new Float64Array(m);
  for (let q = 0; q < m; q++) s[q] = t.at(Math.floor((q * t.n) / m), a);
  s.sort();
  const cut = Math.floor(0.001 * m), qlo = s[cut], qhi = s[m - 1 - cut];
  const span = qhi - qlo || Math.max(1, Math.abs(qhi));
  const limLo = Math.max(min, qlo - span), limHi = Math.min(max, qhi + span);
  if (limLo === min && limHi === max) return { lo: min, hi: max, limLo, limHi };
  // Some values are cut: the kept range is the extremes within the limits (one more pass).
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < t.n; i++) {
    const v = t.at(i, a);
    if (v >= limLo && v <= limHi) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  return { lo, hi, limLo, limHi };
}

/** Counts of dimension a in `bins` equal bins over [lo, hi] (the last bin closed); values outside are counted apart. */
export function bin1(t: Table, a: number, lo: number, hi: number, bins: number): { counts: Float64Array; outside: number } {
  const counts = new Float64Array(bins), w = (hi - lo) / bins;
  let outside = 0;
  for (let i = 0; i < t.n; i++) {
    const v = t.at(i, a);
    if (!(v >= lo && v <= hi)) { outside++; continue; }
    counts[w > 0 ? Math.min(bins - 1, Math.floor((v - lo) / w)) : 0]++;
  }
  return { counts, outside };
}

/** One 2-D histogram per pair of dimensions (x, y), over the given ranges, all in one pass over the data. */
export interface Grid2 { x: number; y: number; nx: number; ny: number; xr: [number, number]; yr: [number, number]; counts: Float64Array }

export function bin2(t: Table, grids: Grid2[]): number {
  let outside = 0;
  for (let i = 0; i < t.n; i++) {
    let out = false;
    for (const g of grids) {
      const u = (t.at(i, g.x) - g.xr[0]) / (g.xr[1] - g.xr[0]), v = (t.at(i, g.y) - g.yr[0]) / (g.yr[1] - g.yr[0]);
      if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) { out = true; continue; }
      g.counts[Math.min(g.ny - 1, Math.floor(v * g.ny)) * g.nx + Math.min(g.nx - 1, Math.floor(u * g.nx))]++;
    }
    if (out) outside++;
  }
  return outside;
}
