// Reading and binning plot data in constant stack and bounded memory: the data (a typed array,
// number[], rows number[][] or flat with dims) is read in place, never spread or copied; a range
// takes one pass, binning another; only a strided sample of at most SAMPLE values is sorted (for
// the robust range). Sample weights (`Table.w`) are read in place too: a row of weight w counts w
// times in every bin and quantile, a row of weight 0 as if removed.
import { dataError, optionError } from "../errors.js";
import { describe, unreadable } from "../data.js";

/** Values read in place: `at(i, a)` is dimension a of point i (a = 0 for 1-D data); `where` names it in errors. */
export interface Table {
  readonly n: number;
  readonly dims: number;
  at(i: number, a: number): number;
  where(i: number, a: number): string;
  /** Sample weights, one per point (checkWeights), or absent: every point counts once. */
  readonly w?: Weights;
}

/**
 * Checked sample weights. Point i counts `f · w[i]` times: `f` = max(1, rows / total) lifts weights
 * averaging below 1 (probabilities, say) to an average of 1, so a picture's bin count, quantiles and
 * point opacities read them as relative; integer weights (every positive one ≥ 1) keep f = 1 and
 * draw exactly as their duplicated rows.
 */
export interface Weights {
  readonly w: ArrayLike<number>;
  readonly f: number;
  /** Σ w_i (before f). */
  readonly total: number;
  /**
   * `w` is the weights as given times `unit`: 1, or a power of 2 when Σ w is so small (subnormal
   * weights) that rows / Σ w would overflow; Σ w as given is total / unit.
   */
  readonly unit: number;
  /** Rows of positive weight. */
  readonly rows: number;
}

/** Weighted points up to this many are copied (cheap; safe from the caller's array changing, or WebAssembly memory growing under a view). */
const COPY_BELOW = 65536;

/**
 * `sampleWeights` checked as fit checks them (src/dataset.ts): an array or typed array of one
 * finite number ≥ 0 per point, not all 0, with a finite sum — read once; a Float64Array of many
 * points is then read in place, anything else copied.
 */
export function checkWeights(given: unknown, rows: number, path = "options.sampleWeights"): Weights {
  let ok: boolean, n = 0;
  try {
    ok = Array.isArray(given) || (ArrayBuffer.isView(given) && !(given instanceof DataView) && !(given instanceof BigInt64Array) && !(given instanceof BigUint64Array));
    if (ok) n = (given as ArrayLike<unknown>).length;
  } catch (e) { throw unreadable(e, path); }
  if (!ok) throw optionError(path, `must be an array of non-negative numbers, one per point, got ${describe(given)}`);
  if (n !== rows) throw optionError(path, `has ${n} weights; the data has ${rows} points`);
  const src = given as ArrayLike<unknown>;
  const inPlace = given instanceof Float64Array && n >= COPY_BELOW;
  const w = inPlace ? (given as Float64Array) : new Float64Array(n);
  let total = 0, positive = 0, i = 0;
  try {
    for (; i < n; i++) {
      const v = src[i];
      if (typeof v !== "number") throw dataError(`${path}[${i}]`, v === undefined ? "is missing" : `is not a number (${describe(v)})`);
      if (!Number.isFinite(v)) throw dataError(`${path}[${i}]`, Number.isNaN(v) ? "is NaN; every weight must be finite" : `is ${v}; every weight must be finite`);
      if (v < 0) throw dataError(`${path}[${i}]`, "is negative; weights must be ≥ 0");
      if (!inPlace) w[i] = v;
      total += v;
      if (v > 0) positive++;
    }
  } catch (e) {
    throw unreadable(e, `${path}[${i}]`);
  }
  if (!(total > 0)) throw optionError(path, "are all 0; at least one weight must be positive");
  if (!Number.isFinite(total)) throw optionError(path, `add up to ${total}; their sum must be finite`);
  if (!Number.isFinite(positive / total)) {
    // Scaled by 2^600 (exact: every weight ≤ Σ w < 2^-1000), into a copy: f·w_i as for the same weights at a normal scale.
    const unit = 2 ** 600, scaled = new Float64Array(n);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += scaled[j] = w[j] * unit;
    return { w: scaled, f: positive / sum, total: sum, unit, rows: positive };
  }
  return { w, f: positive > total ? positive / total : 1, total, unit: 1, rows: positive };
}

/** The table with its points weighted. */
export const weighted = (t: Table, w: Weights | undefined): Table => (w ? { ...t, w } : t);

/** Σ of the points' weights (f · Σ w; n unweighted): the data's size in a picture's units. */
export const sizeOf = (t: Table) => (t.w ? t.w.f * t.w.total : t.n);

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

/**
 * Each dimension's smallest and largest value of weight > 0, in one pass; every value must be
 * finite (counts: non-negative integers), a row of weight 0 too (as fit checks it).
 */
export function extent(t: Table, counts = false): { min: Float64Array; max: Float64Array } {
  const min = new Float64Array(t.dims).fill(Infinity), max = new Float64Array(t.dims).fill(-Infinity);
  const w = t.w?.w;
  for (let i = 0; i < t.n; i++) {
    const kept = !w || w[i] > 0;
    for (let a = 0; a < t.dims; a++) {
      const v = t.at(i, a);
      if (typeof v !== "number" || !Number.isFinite(v)) throw dataError(t.where(i, a), typeof v === "number" ? `is ${v}; every value must be finite` : `is not a number (${describe(v)})`);
      if (counts && !(Number.isInteger(v) && v >= 0)) throw dataError(t.where(i, a), `${v} is not a count (a non-negative integer)`);
      if (!kept) continue;
      if (v < min[a]) min[a] = v;
      if (v > max[a]) max[a] = v;
    }
  }
  return { min, max };
}

/** Points sorted for the robust range: all of them up to this many, else an evenly strided sample. */
const SAMPLE = 65536;
/**
 * The 0.1 % quantiles' span over the 1 % ones above which the tails are gross outliers: normal data
 * 1.3, Student t with 2 degrees of freedom 3.2, Cauchy 10; 0.3 % spread over 500 times the bulk's width, ~500.
 */
const OUTLIER_SPAN = 20;

/**
 * The range a picture shows of dimension a: all the data, unless some values lie far outside the
 * bulk (beyond the 0.1 % and 99.9 % quantiles widened by their distance on each side), which are
 * then left out and counted. Where more than 0.1 % are far out (gross outliers, which t mixtures
 * are fitted to: the 0.1 % quantiles then span over OUTLIER_SPAN times the 1 % ones), the 1 % and
 * 99 % quantiles are the bulk. `lo`/`hi` are the smallest and largest values kept.
 */
export function robustRange(t: Table, a: number, min: number, max: number): { lo: number; hi: number; limLo: number; limHi: number } {
  const m = Math.min(SAMPLE, t.n), s = new Float64Array(m);
  for (let q = 0; q < m; q++) s[q] = t.at(Math.floor((q * t.n) / m), a);
  const w = t.w;
  let qlo: number, qhi: number;
  if (!w) {
    s.sort();
    const cut = Math.floor(0.001 * m), cut1 = Math.floor(0.01 * m);
    qlo = s[cut]; qhi = s[m - 1 - cut];
    if (qhi - qlo > OUTLIER_SPAN * (s[m - 1 - cut1] - s[cut1])) { qlo = s[cut1]; qhi = s[m - 1 - cut1]; }
  } else {
    // Weighted: the sample as if each point were f·w_i copies of itself — the same quantiles as
    // the duplicated rows' when the weights are integers (f = 1). The value at (0-based) position
    // p of that expanded sorted sample is the smallest v with W(≤ v) > p, found by bisection over
    // the sorted values, W(≤ v) by a scan (about 35 scans of the sample: 1.7× faster than sorting
    // its indices with a comparator, which also took ≈ 5 MB of work memory; docs/performance.md).
    const sw = new Float64Array(m);
    let total = 0;
    for (let q = 0; q < m; q++) { sw[q] = w.f * w.w[Math.floor((q * t.n) / m)]; total += sw[q]; }
    const sorted = s.slice().sort();
    const below = (v: number) => { let c = 0; for (let q = 0; q < m; q++) if (s[q] <= v) c += sw[q]; return c; };
    const at = (p: number) => {
      p = Math.max(0, p); // > 0: a value of positive weight
      let lo = 0, hi = m - 1;
      if (!(below(sorted[hi]) > p)) return NaN;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (below(sorted[mid]) > p) hi = mid; else lo = mid + 1; }
      return sorted[lo];
    };
    const cut = Math.floor(0.001 * total), cut1 = Math.floor(0.01 * total);
    qlo = at(cut); qhi = at(total - 1 - cut);
    if (Number.isNaN(qlo)) { qlo = min; qhi = max; } // no weighted point in the sample: the extremes
    else {
      const lo1 = at(cut1), hi1 = at(total - 1 - cut1);
      if (qhi - qlo > OUTLIER_SPAN * (hi1 - lo1)) { qlo = lo1; qhi = hi1; }
    }
  }
  const span = qhi - qlo || Math.max(1, Math.abs(qhi));
  const limLo = Math.max(min, qlo - span), limHi = Math.min(max, qhi + span);
  if (limLo === min && limHi === max) return { lo: min, hi: max, limLo, limHi };
  // Some values are cut: the kept range is the extremes within the limits (one more pass).
  let lo = Infinity, hi = -Infinity;
  const ww = w?.w;
  for (let i = 0; i < t.n; i++) {
    if (ww && !(ww[i] > 0)) continue;
    const v = t.at(i, a);
    if (v >= limLo && v <= limHi) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  return { lo, hi, limLo, limHi };
}

/**
 * Counts of dimension a in `bins` equal bins over [lo, hi] (the last bin closed) — weighted: Σ f·w_i
 * — and the points outside, counted apart (`outside`: how many of weight > 0; `outsideWeight`: their Σ f·w_i).
 */
export function bin1(t: Table, a: number, lo: number, hi: number, bins: number): { counts: Float64Array; outside: number; outsideWeight: number } {
  const counts = new Float64Array(bins), width = (hi - lo) / bins;
  let outside = 0, outsideWeight = 0;
  const W = t.w, ww = W?.w, f = W?.f ?? 1;
  for (let i = 0; i < t.n; i++) {
    const wi = ww ? f * ww[i] : 1;
    if (!(wi > 0)) continue;
    const v = t.at(i, a);
    if (!(v >= lo && v <= hi)) { outside++; outsideWeight += wi; continue; }
    counts[width > 0 ? Math.min(bins - 1, Math.floor((v - lo) / width)) : 0] += wi;
  }
  return { counts, outside, outsideWeight };
}

/** One 2-D histogram per pair of dimensions (x, y), over the given ranges, all in one pass over the data. */
export interface Grid2 { x: number; y: number; nx: number; ny: number; xr: [number, number]; yr: [number, number]; counts: Float64Array }

/** Fills the grids (weighted: Σ f·w_i per cell); returns how many points of weight > 0 fall outside some grid. */
export function bin2(t: Table, grids: Grid2[]): number {
  let outside = 0;
  const W = t.w, ww = W?.w, f = W?.f ?? 1;
  for (let i = 0; i < t.n; i++) {
    const wi = ww ? f * ww[i] : 1;
    if (!(wi > 0)) continue;
    let out = false;
    for (const g of grids) {
      const u = (t.at(i, g.x) - g.xr[0]) / (g.xr[1] - g.xr[0]), v = (t.at(i, g.y) - g.yr[0]) / (g.yr[1] - g.yr[0]);
      if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) { out = true; continue; }
      g.counts[Math.min(g.ny - 1, Math.floor(v * g.ny)) * g.nx + Math.min(g.nx - 1, Math.floor(u * g.nx))] += wi;
    }
    if (out) outside++;
  }
  return outside;
}
