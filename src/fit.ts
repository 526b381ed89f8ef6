// fit and fitSync: one in-memory data set, on this thread or (fit, large data) on worker threads.
import type { ExactFitOptions, FamilyOfOptions, FitOptions, ModelData } from "./types.js";
import type { MixtureModel } from "./model.js";
import { COMMON_OPTIONS } from "./resolve.js";
import { init } from "./wasm.js";
import { ownOptions } from "./options.js";
import { loadWorkerSource } from "./worker.js";
import { fitSync } from "./fit-sync.js";
import { arrowRows } from "./arrow.js";
import { peek } from "./data.js";

export { fitSync };

/**
 * Fits a k-component mixture to `data` (number[] or any numeric typed array; rows for the
 * multivariate families) by EM. Compiles the WebAssembly core on first use; the fit itself runs
 * synchronously, or on worker threads for large data (see `threads`).
 */
export async function fit<const O extends FitOptions>(data: ModelData, options: ExactFitOptions<O>): Promise<MixtureModel<FamilyOfOptions<O>>>;
export async function fit(data: ModelData, options: FitOptions): Promise<MixtureModel> {
  await init();
  const o = ownOptions(options);
  const threads = chooseThreads(data, o);
  const single = { ...o, threads: undefined } as FitOptions;
  // Threads load on demand: bundlers split threads.ts, and the worker source it carries, into a
  // chunk of its own, fetched by the first threaded fit (fit alone stays small).
  if (threads > 1) {
    const [{ fitThreaded }] = await Promise.all([import("./threads.js"), loadWorkerSource()]);
    return fitThreaded(data, single, threads);
  }
  return fitSync(data, single);
}

/**
 * `threads`: a number, or by default 1 below 2·10⁶ points × components (workers cost tens of
 * milliseconds to start) and otherwise up to 4, no more than the machine's cores.
 */
export function chooseThreads(data: ModelData, options: Readonly<Record<string, unknown>>): number {
  const t = options.threads;
  if (t !== undefined) { COMMON_OPTIONS.threads(t, "options.threads"); return t as number; }
  if (options.init === "hc") return 1; // the hierarchical start runs on one thread
  // A length that cannot be read (a throwing getter or Proxy): fitSync's load names the problem.
  const n = peek(() => arrowRows(data) ?? (data as ArrayLike<unknown>)?.length ?? 0, 0);
  const k = typeof options.k === "number" ? options.k : 1;
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => any } };
  const cores = g.navigator?.hardwareConcurrency ?? g.process?.getBuiltinModule?.("node:os")?.availableParallelism?.() ?? 1;
  return n * k >= 2_000_000 ? Math.max(1, Math.min(4, cores)) : 1;
}
