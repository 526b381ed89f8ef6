// Loading data into WebAssembly memory, freed by construction: a family's `load` allocates from an
// arena that is freed if the load throws, and `withDataset` frees it when the work is done.
import type { Dataset, Family } from "./family.js";
import { getCore, type Arena, type Region } from "./wasm.js";
import { copyIn, missingAllowed } from "./data.js";
import { splitMissing } from "./missing.js";
import { optionError } from "./errors.js";
import { arrowInput, arrowKind, checkNoArrowColumns } from "./arrow.js";

/** Loads `data` with the family's `load` (see Family.load); the caller frees the result (or uses withDataset). */
export function loadDataset(family: Family, data: unknown, options: Readonly<Record<string, unknown>>, path: string, dims?: number, trusted = false): Dataset {
  const mem = getCore().arena();
  try {
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
    const ds = { ...loaded, ...partialLabels(mem, options) };
    if (ds.labels && ds.missing) throw optionError("options.labels", "are not available together with missing values (NaN) yet");
    if (ds.labels && ds.labels.length !== ds.n) throw optionError("options.labels", `has ${ds.labels.length} labels; the data has ${ds.n} points`);
    const given = options.sampleWeights;
    if (given === undefined || given === null) return { ...ds, free: () => mem.free() };
    if (ds.missing) throw optionError("options.sampleWeights", "are not available together with missing values (NaN) yet");
    // Sample weights: copied in beside the data; Σ w_i c_i replaces the per-point constants' sum.
    const where = "options.sampleWeights";
    const weights = copyIn(mem, given, where, (v) => (v < 0 ? "is negative; weights must be ≥ 0" : null), trusted);
    if (weights.length !== ds.n) throw optionError(where, `has ${weights.length} weights; the data has ${ds.n} points`);
    const w = weights.array;
    let total = 0;
    for (let i = 0; i < w.length; i++) total += w[i];
    if (!(total > 0)) throw optionError(where, "are all 0; at least one weight must be positive");
    if (!Number.isFinite(total)) throw optionError(where, `add up to ${total}; their sum must be finite`);
    let logConstant = ds.logConstant;
    if (logConstant !== 0) {
      if (!family.weightedConstant) throw optionError(where, "are not available for this family yet");
      logConstant = family.weightedConstant(ds, w, options);
    }
    return { ...ds, weights, totalWeight: total, logConstant, free: () => mem.free() };
  } catch (e) {
    mem.free();
    throw e;
  }
}

/**
 * `options.labels` (partial labels: one integer per point, −1 unknown, else a component 0 … k − 1)
 * copied into WebAssembly memory; none when absent or when no point is labelled (then the fit is
 * exactly the unlabelled one).
 */
function partialLabels(mem: Arena, options: Readonly<Record<string, unknown>>): { labels?: Region | null } {
  const given = options.labels;
  if (given === undefined || given === null) return {};
  const k = options.k as number;
  // Always checked, also on a stream's later passes (trusted data): a label indexes the responsibility columns.
  const labels = copyIn(mem, given, "options.labels", (v) =>
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
