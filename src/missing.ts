// Missing values (`missing: "marginalize"`): NaN marks a value that was not observed. After the
// family's load (which, for this option, copies NaN as it is), the rows are split: the complete rows
// stay at the front of the data region, in their order, so the kernels run over them exactly as
// over complete data (a data set without NaN is not touched at all: the same fit to the bit); the
// incomplete rows are grouped by which dimensions are observed, each group's observed values copied
// into a region of its own, where the family's kernel runs in those dimensions (src/evaluator.ts);
// rows with nothing observed contribute nothing and are only counted.
import type { DatasetParts, Family, MissingPattern } from "./family.js";
import type { Arena } from "./wasm.js";
import { columnScales } from "./data.js";
import { dataError, optionError } from "./errors.js";

/** The rows of `ds` split as above; `ds` itself when it holds no NaN. */
export function splitMissing(mem: Arena, family: Family, ds: DatasetParts, options: Readonly<Record<string, unknown>>, path: string): DatasetParts {
  const N = ds.n, d = ds.dims;
  let x = ds.x.array;
  let values = 0;
  for (let i = 0; i < N * d; i++) if (x[i] !== x[i]) values++;
  if (values === 0) return ds;

  // Each row's pattern: observed dimensions as a key ("1" observed, "0" missing).
  const keyOf = new Map<string, number>();
  const patternOf = new Int32Array(N); // −1 complete, −2 empty, else the pattern's index
  const counts: number[] = [], observedOf: Int32Array[] = [], missingOf: Int32Array[] = [];
  let complete = 0, empty = 0;
  const mask = new Array<string>(d);
  for (let i = 0; i < N; i++) {
    let seen = 0;
    for (let a = 0; a < d; a++) {
      const ok = x[i * d + a] === x[i * d + a];
      mask[a] = ok ? "1" : "0";
      if (ok) seen++;
    }
    if (seen === d) { patternOf[i] = -1; complete++; continue; }
    if (seen === 0) { patternOf[i] = -2; empty++; continue; }
    const key = mask.join("");
    let p = keyOf.get(key);
    if (p === undefined) {
      p = counts.length;
      keyOf.set(key, p);
      counts.push(0);
      const obs: number[] = [], mis: number[] = [];
      for (let a = 0; a < d; a++) (mask[a] === "1" ? obs : mis).push(a);
      observedOf.push(Int32Array.from(obs));
      missingOf.push(Int32Array.from(mis));
    }
    patternOf[i] = p;
    counts[p]++;
  }
  if (complete + counts.reduce((s, c) => s + c, 0) === 0) throw dataError(path, "has no observed value (every value is NaN)");

  // Each pattern's observed values, in a region of its own (allocating may move memory: views re-read).
  const regions = counts.map((c, p) => mem.alloc(c * observedOf[p].length));
  x = ds.x.array;
  const filled = new Int32Array(counts.length);
  for (let i = 0; i < N; i++) {
    const p = patternOf[i];
    if (p < 0) continue;
    const obs = observedOf[p], dst = regions[p].array, at = filled[p]++ * obs.length;
    for (let b = 0; b < obs.length; b++) dst[at + b] = x[i * d + obs[b]];
  }
  // Storage order, then the complete rows moved to the front (in place: row i goes to c ≤ i).
  const order = new Int32Array(N);
  const start = new Int32Array(counts.length);
  for (let p = 0, at = complete; p < counts.length; p++) { start[p] = at; at += counts[p]; }
  let c = 0, e = N - empty;
  const aux = ds.aux?.array ?? null;
  for (let i = 0; i < N; i++) {
    const p = patternOf[i];
    if (p === -1) {
      order[c] = i;
      if (c !== i) {
        x.copyWithin(c * d, i * d, (i + 1) * d);
        if (aux) aux[c] = aux[i];
      }
      c++;
    } else if (p === -2) order[e++] = i;
    else order[start[p]++] = i;
  }
  const patterns: MissingPattern[] = counts.map((count, p) => ({ observed: observedOf[p], missing: missingOf[p], n: count, x: regions[p] }));

  // What the family derived from every value, again from the observed ones.
  const parts: DatasetParts = { ...ds, n: complete };
  let logConstant = 0;
  if (ds.logConstant !== 0) {
    if (!family.weightedConstant) throw optionError("options.missing", "is not available for this family (its per-point constants)");
    logConstant = complete === 0 ? 0 : family.weightedConstant(parts, new Float64Array(complete).fill(1), options);
  }
  let scale = ds.scale, settings = ds.settings;
  if ("scale" in ds.settings) {
    scale = observedScales(ds.x.array, complete, d, patterns, path);
    settings = { ...ds.settings, scale: Array.from(scale) };
  }
  const seed = ds.seedPoints, sd = seed.dims;
  return {
    ...parts, logConstant, scale, settings,
    seedPoints: { get points() { return seed.points.subarray(0, complete * sd); }, dims: sd },
    totalWeight: N - empty,
    missing: { rows: N, values, empty, order, patterns },
  };
}

/** Each dimension's population variance over its observed values (1 where it is 0), as columnScales. */
function observedScales(x: Float64Array, complete: number, d: number, patterns: readonly MissingPattern[], path: string): Float64Array {
  const column = (a: number) => {
    const v: number[] = [];
    for (let i = 0; i < complete; i++) v.push(x[i * d + a]);
    for (const p of patterns) {
      const b = p.observed.indexOf(a);
      if (b < 0) continue;
      const px = p.x.array, w = p.observed.length;
      for (let i = 0; i < p.n; i++) v.push(px[i * w + b]);
    }
    return v;
  };
  const scale = new Float64Array(d);
  for (let a = 0; a < d; a++) {
    const v = column(a);
    scale[a] = v.length === 0 ? 1 : columnScales(Float64Array.from(v), v.length, 1, `${path} (column ${a})`)[0];
  }
  return scale;
}

/** The rows of a split data set back in their order as given, NaN where missing (a copy, for fitInWorker to send). */
export function restoreRows(ds: DatasetParts): Float64Array {
  const m = ds.missing!, d = ds.dims, out = new Float64Array(m.rows * d).fill(NaN), x = ds.x.array;
  for (let c = 0; c < ds.n; c++) out.set(x.subarray(c * d, (c + 1) * d), m.order[c] * d);
  let row = ds.n;
  for (const p of m.patterns) {
    const px = p.x.array, q = p.observed.length;
    for (let i = 0; i < p.n; i++, row++) for (let b = 0; b < q; b++) out[m.order[row] * d + p.observed[b]] = px[i * q + b];
  }
  return out;
}
