// init "hc": mclust's start. A partition of the points — the hierarchical clustering cut at k
// (d > 1) or quantile classes (1-D) — then one M-step from its one-hot responsibilities; EM goes on
// from those parameters. Above `hcSubset` points the partition is of a seeded random subset and the
// M-step uses that subset's points only (as mclust's initialization$subset).
import type { DatasetParts, DataScale, Family, Points, Spec } from "./family.js";
import type { ModelData } from "./types.js";
import { Evaluator, SUM_BLOCK } from "./evaluator.js";
import { getCore } from "./wasm.js";
import { maximizeStep } from "./em.js";
import { loadDataset, withDataset } from "./dataset.js";
import { HC_MAX_POINTS, HC_SUBSET, hclass, qclass } from "./hc.js";
import { Random } from "./random.js";
import { MixemError, optionError } from "./errors.js";
import { arrowKind, arrowSubset, dropArrowColumns } from "./arrow.js";

/** The partitions of one data set at several k, computed once (selectK shares them across models). */
export interface HcStarts {
  /** Rows of the data the partitions label (all rows when null). */
  readonly subset: Int32Array | null;
  readonly labels: Map<number, Int32Array>;
}

/** hcSubset: an integer ≥ 2, or false for all points (at most HC_MAX_POINTS). */
export function checkHcSubset(v: unknown, path = "options.hcSubset"): number | false {
  if (v === undefined) return HC_SUBSET;
  if (v === false) return false;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 2 || v > HC_MAX_POINTS)
    throw optionError(path, `must be false (all points) or an integer 2 … ${HC_MAX_POINTS} (the points hierarchical clustering runs on), got ${String(v)}`);
  return v;
}

/**
 * The most dimensions of one-hot rows (a categorical column's levels each one) "hc" runs on: its
 * merge factors take m·p² doubles for m rows of p dimensions (2,000 rows — hcSubset's default — of
 * 128: 260 MB) and its time grows as p² (2,000 rows of 84: 87 s here). Above, it is refused.
 */
export const HC_MAX_ONE_HOT = 128;

/**
 * mclust's partitions of the seeding points (n rows) at each k in ks. With sample weights (`weights`,
 * one per point), rows of weight 0 take no part (as if removed); the others count once each, as in
 * mclust's hc. A subset's rows are read alone (Points.rows), not all n.
 */
export function hcStarts(seedPoints: Points, n: number, ks: readonly number[], hcSubset: number | false, seed: number, family: Family, weights: Float64Array | null = null): HcStarts {
  const dims = seedPoints.dims, hot = seedPoints.oneHot;
  // Rows: the family's merge tree (mclust's hc VVV for the row families: Family.hierarchical), so a
  // bundle of 1-D families only does not carry it; values: quantile classes.
  if (dims > 1 && !family.hierarchical) throw optionError("options.init", '"hc" is not available for this family');
  if (hot && dims > hot.offsets.length && dims > HC_MAX_ONE_HOT)
    throw optionError("options.init", `"hc" takes one-hot rows of at most ${HC_MAX_ONE_HOT} dimensions (a level each), not ${dims}: use "kmeans++" or "random"`);
  let subset: Int32Array | null = null;
  let x: Float64Array | undefined, m = n;
  // The rows the partition may use: all, or those of positive weight.
  let pool: Int32Array | null = null;
  if (weights && weights.some((w) => !(w > 0))) {
    pool = new Int32Array(n);
    let c = 0;
    for (let i = 0; i < n; i++) if (weights[i] > 0) pool[c++] = i;
    pool = pool.slice(0, c);
  }
  const available = pool ? pool.length : n;
  if (hcSubset !== false && available > hcSubset) {
    // A seeded sample of hcSubset rows without replacement (partial Fisher–Yates), in row order.
    const rng = new Random(seed), idx = pool ?? new Int32Array(n);
    if (!pool) for (let i = 0; i < n; i++) idx[i] = i;
    for (let i = 0; i < hcSubset; i++) { const j = i + rng.int(available - i); const t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
    subset = idx.slice(0, hcSubset).sort();
  } else if (hcSubset === false && dims > 1 && available > HC_MAX_POINTS) {
    throw new MixemError("INVALID_OPTION", `hierarchical clustering runs on at most ${HC_MAX_POINTS} points (its pair costs take n(n − 1)/2 doubles); the data has ${available}: give options.hcSubset a number of points to sample`, "options.hcSubset");
  } else if (pool) subset = pool;
  if (subset) {
    m = subset.length;
    const rows = new Float64Array(m * dims);
    subset.forEach((row, i) => rows.set(seedPoints.rows ? seedPoints.rows(row, 1) : seedPoints.points.subarray(row * dims, (row + 1) * dims), i * dims));
    x = rows;
  } else x = seedPoints.points; // (read after the weights: making it may grow memory, which detaches their view)
  const labels = new Map<number, Int32Array>();
  // (No partition into more classes than rows: hcStart then says the data has too few points for k.)
  if (dims === 1) for (const k of ks) { if (k <= m) labels.set(k, qclass(x, k)); }
  else {
    if (m <= dims) throw new MixemError("INVALID_DATA", `init "hc" needs more rows than dimensions (${m} rows${pool ? " of positive weight" : ""}, ${dims} dimensions)`, "data");
    for (const [k, l] of hclass(family.hierarchical!(x, m, dims), m, ks)) labels.set(k, l);
  }
  return { subset, labels };
}

/** θ and weights from one M-step on the labelled points of `ds` (their class means are the seeds). */
export function labelStep(spec: Spec, ds: DatasetParts, labels: Int32Array, k: number, scale: DataScale, alpha: number): { theta: Float64Array; weights: Float64Array } {
  const d = ds.seedPoints.dims, n = ds.n;
  const means = new Float64Array(k * d), counts = new Float64Array(k);
  const pts = ds.seedPoints.points;
  for (let i = 0; i < n; i++) {
    const j = labels[i];
    counts[j]++;
    for (let a = 0; a < d; a++) means[j * d + a] += pts[i * d + a];
  }
  for (let j = 0; j < k; j++) {
    if (counts[j] === 0) throw new MixemError("DEGENERATE", `the start (init "hc") leaves class ${j} empty (repeated values merged quantiles, as in mclust); lower options.k`, "fit");
    for (let a = 0; a < d; a++) means[j * d + a] /= counts[j];
  }
  const theta = new Float64Array(k * spec.thetaSize), weights = new Float64Array(k).fill(1 / k);
  spec.seed(means, scale, theta); // the whole data's scale (a subset's own differs; the robust families' is robust)
  const ev = new Evaluator(spec, k), mem = getCore().arena();
  try {
    const region = mem.alloc(Math.min(SUM_BLOCK, n));
    for (let b = 0; b * SUM_BLOCK < n; b++) {
      const from = b * SUM_BLOCK, count = Math.min(SUM_BLOCK, n - from);
      for (let i = 0; i < count; i++) region.array[i] = labels[from + i];
      ev.runLabels(ds, theta, weights, b, region);
    }
    ev.sumBlocks(ev.labelBlocks(n), true);
    maximizeStep(spec, ev.stats, theta, weights, k, scale, true, alpha);
  } finally {
    ev.free();
    mem.free();
  }
  return { theta, weights };
}

/**
 * The explicit start of a fit with init "hc" on the loaded data `ds` (of `data`, the caller's):
 * the partition at k (given, or computed here), then labelStep — on `ds`, or on the subset's rows.
 */
export function hcStart(family: Family, options: Readonly<Record<string, unknown>>, data: ModelData, spec: Spec, ds: DatasetParts, k: number, alpha: number, starts?: HcStarts): { theta: Float64Array; weights: Float64Array } {
  const s = starts ?? hcStarts(ds.seedPoints, ds.n, [k], checkHcSubset(options.hcSubset), (options.seed as number | undefined) ?? 0, family, ds.weights?.array ?? null);
  const labels = s.labels.get(k);
  if (!labels) throw new MixemError("INVALID_DATA", `has too few points for ${k} classes in the hierarchical start`, "data", "TOO_FEW_DISTINCT");
  // The robust families' scale (Spec.robustScale), as the fit's own starts and floor take it.
  const seeds = ds.seedPoints, dw = ds.weights;
  const scale: DataScale = spec.robustScale
    ? { scale: spec.robustScale(seeds, seeds.count ?? seeds.points.length / seeds.dims, ds.scale, dw ? () => dw.array : null), weights: ds.weights, labels: ds.labels }
    : ds;
  if (!s.subset) return labelStep(spec, ds, labels, k, scale, alpha);
  // The subset's rows (and any per-observation evaluation option, e.g. binomial trials), loaded alone.
  // d: values per row as given (ds.dims; categorical's seeding points are one-hot, of another width).
  const given = data as ArrayLike<unknown>, d = ds.dims;
  const sub: Record<string, unknown> = { ...options };
  const arrow = arrowKind(data) !== null; // an Arrow table: the subset's rows read out of it, flat
  if (arrow && family.shape === "rows") sub.dims = ds.dims;
  const flat = d > 1 && !arrow && typeof given[0] === "number"; // rows given flat with options.dims
  if (arrow) dropArrowColumns(family, sub);
  // Missing values: the partition is of the complete rows (ds.x, the seeding points); their indices as given.
  const subset = ds.missing ? Int32Array.from(s.subset, (i) => ds.missing!.order[i]) : s.subset;
  const rows = arrow ? arrowSubset(family, data, options, subset, "data")
    : flat ? Array.from(subset).flatMap((i) => Array.from({ length: d }, (_, a) => given[i * d + a] as number)) : Array.from(subset, (i) => given[i]);
  for (const key of Object.keys(family.evalOptions)) {
    const v = options[key] as ArrayLike<number> | undefined;
    if (v && typeof v === "object" && v.length === (ds.missing?.rows ?? ds.n)) sub[key] = Array.from(subset, (i) => v[i]);
  }
  const w = options.sampleWeights as ArrayLike<number> | undefined; // the subset's own (labels: not with "hc")
  if (w) sub.sampleWeights = Array.from(subset, (i) => w[i]);
  return withDataset(loadDataset(family, rows, sub, "data"), (part) => labelStep(spec, part, labels, k, scale, alpha));
}
