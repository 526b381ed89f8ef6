// Loading data into WebAssembly memory, freed by construction: a family's `load` allocates from an
// arena that is freed if the load throws, and `withDataset` frees it when the work is done.
import type { Dataset, Family } from "./family.js";
import { getCore } from "./wasm.js";

/** Loads `data` with the family's `load` (see Family.load); the caller frees the result (or uses withDataset). */
export function loadDataset(family: Family, data: unknown, options: Readonly<Record<string, unknown>>, path: string, dims?: number, trusted = false): Dataset {
  const mem = getCore().arena();
  try {
    return { ...family.load(mem, data, options, path, dims, trusted), free: () => mem.free() };
  } catch (e) {
    mem.free();
    throw e;
  }
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
