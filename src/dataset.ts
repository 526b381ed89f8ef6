// Loading data into WebAssembly memory, freed by construction: a family's `load` allocates from an
// arena that is freed if the load throws, and `withDataset` frees it when the work is done.
import type { Dataset, DatasetParts, Family } from "./family.js";
import { getCore, type Arena, type Region } from "./wasm.js";
import { copyIn, missingAllowed, peek, weightedScales } from "./data.js";
import { restoreRows, splitMissing } from "./missing.js";
import { optionError } from "./errors.js";
import { arrowInput, arrowKind, checkNoArrowColumns } from "./arrow.js";

/**
 * Where a dataset's per-point arrays came from, as errors name them: options, or a stream's chunk
 * (`chunks[3].sampleWeights`); `part`: the dataset is one part of the data (a chunk), whose
 * weights may all be 0 when other parts carry weight (the whole is checked by its caller).
 */
export interface PerPointNames { readonly sampleWeights: string; readonly labels: string; readonly part?: boolean }
const IN_OPTIONS: PerPointNames = { sampleWeights: "options.sampleWeights", labels: "options.labels" };

/**
 * Loads `data` with the family's `load` (see Family.load); the caller frees the result (or uses
 * withDataset). `options.sampleWeights` and `options.labels` are named in errors as `names` says.
 */
export function loadDataset(family: Family, data: unknown, options: Readonly<Record<string, unknown>>, path: string, dims?: number, trusted = false, names: PerPointNames = IN_OPTIONS): Dataset {
  const mem = getCore().arena();
  try {
    // Sample weights lying in WebAssembly memory (the CLI's --weights): their region, taken before
    // the family's load allocates (growing memory detaches every view of it, the caller's too).
    // (A revoked Proxy fails instanceof: not in memory; copyIn names it.)
    const weightsAt = peek(() => mem.borrow(options.sampleWeights), null);
    // Arrow data: its chosen columns read into `mem`, where the family's load uses them in place.
    let input = data, opts = options;
    if (arrowKind(data)) ({ data: input, options: opts } = arrowInput(mem, family, data, options, path, dims));
    else if (!trusted) checkNoArrowColumns(family, options);
    // missing "marginalize": NaN is read as a missing value, and the rows split (src/missing.ts).
    const marginalize = options.missing === "marginalize";
    if (marginalize && !family.missing)
      throw optionError("options.missing", '"marginalize" is not available for this family yet (mvgaussian, bernoulli and the 1-D families take it)');
    const loaded = marginalize
      ? splitMissing(mem, family, missingAllowed(() => family.load(mem, input, opts, path, dims, trusted)), opts, path)
      : family.load(mem, input, opts, path, dims, trusted);
    let ds: DatasetParts = { ...loaded, ...partialLabels(mem, options, names.labels) };
    const rows = ds.missing?.rows ?? ds.n; // missing values: labels and weights are per row as given
    if (ds.labels && ds.labels.length !== rows) throw optionError(names.labels, `has ${ds.labels.length} labels; the data has ${rows} points`);
    const given = options.sampleWeights;
    if (given === undefined || given === null) return { ...(ds.missing ? perRow(mem, ds, null, names.labels)[0] : ds), free: () => mem.free() };
    // Sample weights: copied in beside the data; Σ w_i c_i replaces the per-point constants' sum.
    const where = names.sampleWeights;
    let weights = copyIn(mem, weightsAt ? weightsAt.array : given, where, (v) => (v < 0 ? "is negative; weights must be ≥ 0" : null), trusted);
    if (weights.length !== rows) throw optionError(where, `has ${weights.length} weights; the data has ${rows} points`);
    // The data's scale (the variance floor's, the seeding's) under the weights, over the rows as given;
    // not for a threaded shard, which is given the whole data's (options.scale).
    if (ds.scale && "scale" in ds.settings && options.scale === undefined) {
      const weighted = weightedScales(ds.missing ? restoreRows(ds) : ds.x.array, rows, ds.dims, weights.array, path, where);
      if (weighted.length === ds.scale.length) {
        ds.scale.set(weighted); // in place: a family may keep it (independent's seed points read it)
        ds = { ...ds, settings: { ...ds.settings, scale: Array.from(weighted) } };
      }
    }
    if (ds.missing) [ds, weights] = perRow(mem, ds, weights, names.labels) as [DatasetParts, Region]; // `weights`: of the rows with something observed
    const w = weights.array;
    let total = 0;
    for (let i = 0; i < w.length; i++) total += w[i];
    if (!(total > 0) && !names.part) throw optionError(where, `are all 0${ds.missing ? " on the rows with an observed value" : ""}; at least one weight must be positive`);
    if (!Number.isFinite(total)) throw optionError(where, `add up to ${total}; their sum must be finite`);
    let logConstant = ds.logConstant;
    if (logConstant !== 0) {
      if (!family.weightedConstant) throw optionError(where, "are not available for this family yet");
      logConstant = family.weightedConstant(ds, ds.weights?.array ?? w, options);
    }
    return { ...ds, weights: ds.weights ?? weights, totalWeight: total, logConstant, free: () => mem.free() };
  } catch (e) {
    mem.free();
    throw e;
  }
}

/**
 * Missing values (src/missing.ts): the per-row labels and sample weights (as given) put in the
 * split's storage order — the complete rows' first, as ds.labels and ds.weights (n of them), then
 * each pattern's, on the pattern (MissingPattern.labels, .weights); rows with nothing observed drop
 * out (a label there is an error: such a row has nothing to fit). Returns the dataset and the
 * weights of every row with something observed.
 */
function perRow(mem: Arena, ds: DatasetParts, weights: Region | null, labelsName: string): [DatasetParts, Region | null] {
  const m = ds.missing!, n = ds.n, seen = m.rows - m.empty, labels = ds.labels;
  if (labels) for (let s = seen; s < m.rows; s++)
    if (labels.array[m.order[s]] >= 0) throw optionError(`${labelsName}[${m.order[s]}]`, "labels a row with no observed value (every value NaN); give it −1");
  const place = (r: Region | null | undefined) => {
    if (!r) return null;
    const out = mem.alloc(seen), src = r.array, dst = out.array; // allocating may move memory: views read after
    for (let s = 0; s < seen; s++) dst[s] = src[m.order[s]];
    return out;
  };
  const l = place(labels), w = place(weights);
  let at = n;
  const patterns = m.patterns.map((p) => { const from = at; at += p.n; return { ...p, labels: l?.slice(from, p.n), weights: w?.slice(from, p.n) }; });
  return [{ ...ds, missing: { ...m, patterns }, labels: l?.slice(0, n) ?? labels, weights: w?.slice(0, n) }, w];
}

/**
 * `options.labels` (partial labels: one integer per point, −1 unknown, else a component 0 … k − 1)
 * copied into WebAssembly memory; none when absent or when no point is labelled (then the fit is
 * exactly the unlabelled one).
 */
function partialLabels(mem: Arena, options: Readonly<Record<string, unknown>>, name: string): { labels?: Region | null } {
  const given = options.labels;
  if (given === undefined || given === null) return {};
  const k = options.k as number;
  // Always checked, also on a stream's later passes (trusted data): a label indexes the responsibility columns.
  const labels = copyIn(mem, given, name, (v) =>
    Number.isInteger(v) && v >= -1 && v < k ? null : `must be −1 (unknown) or a component 0 … ${k - 1}, got ${v}`);
  const a = labels.array;
  for (let i = 0; i < a.length; i++) if (a[i] >= 0) return { labels };
  return { labels: null };
}

/** Runs f on a dataset and frees the dataset after (after the promise settles, when f is async). */
export function withDataset<R>(ds: Dataset, f: (ds: Dataset) => R): R {
  let result: R;
  try {
    result = f(ds);
  } catch (e) {
    ds.free();
    throw e;
  }
  if (result instanceof Promise) return result.finally(() => ds.free()) as R;
  ds.free();
  return result;
}
