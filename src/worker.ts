// fitInWorker: the same fit, off the calling thread — a Web Worker in browsers, a worker_threads
// worker in Node — with progress events and cancellation. The worker's code is the library itself,
// bundled and inlined as a string at build time (src/generated/worker-source.ts), so it needs no
// separate file, URL or bundler configuration. One worker per fit, terminated when it ends.
// The string (tens of KB) is loaded on demand, by a dynamic import() that bundlers split into a
// chunk of its own: only apps that start workers (fitInWorker, threaded fits) fetch it.
import { loadModel, type MixtureModel } from "./model.js";
import { jsAllocation, MixemError, optionError, readFailure, type MixemErrorCode, type MixemErrorReason } from "./errors.js";
import type { DistributiveOmit, FamilyOfOptions, FitOptions, IterationInfo, ModelData } from "./types.js";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.js";
import { compiledCore, init } from "./wasm.js";
import { abortSignal, ownOptions } from "./options.js";
import { resolveFit } from "./resolve.js";
import { restoreRows } from "./missing.js";
import { loadDataset, withDataset } from "./dataset.js";
import { arrowKind, dropArrowColumns } from "./arrow.js";
import type { DatasetParts, Family } from "./family.js";

/** fitInWorker's options: fit's, with `onProgress` in place of `onIteration`. */
export type WorkerFitOptions = DistributiveOmit<FitOptions, "onIteration"> & {
  /** Called on the calling thread after every iteration (asynchronously, as messages arrive). */
  onProgress?: (info: IterationInfo) => void;
};

export interface WorkerHandle {
  post(message: WorkerRequest, transfer: ArrayBuffer[]): void;
  onMessage(handler: (reply: WorkerReply) => void): void;
  onError(handler: (error: unknown) => void): void;
  terminate(): void;
  /** Node: whether an idle worker keeps the process alive (unref: it does not); absent in browsers. */
  ref?(): void;
  unref?(): void;
}

let workerSource: string | undefined;

/** Loads the worker's code (once); startWorker needs it loaded. */
export async function loadWorkerSource(): Promise<void> {
  workerSource ??= (await import("./generated/worker-source.js")).workerSource;
}

/**
 * Plain arrays and objects (a Proxy's too) copied, each value read once: a nested getter or Proxy
 * then gives the worker what was validated (fitSync reads each value once). A class instance (a
 * model as init, a Map) stays as it is; a value that cannot be read is a MixemError naming it.
 */
const copyPlain = (v: unknown, path: string, depth: number): unknown => {
  if (typeof v !== "object" || v === null || ArrayBuffer.isView(v)) return v;
  if (depth > 16) throw optionError(path, "is nested too deeply (or holds itself)");
  try {
    if (Array.isArray(v)) return Array.from(v, (x, i) => copyPlain(x, `${path}[${i}]`, depth + 1));
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      const at = `${path}.${key}`;
      put(out, key, copyPlain(readFailureOf(() => (v as Record<string, unknown>)[key], at), at, depth + 1));
    }
    return out;
  } catch (e) {
    throw e instanceof MixemError ? e : readFailure(e, "INVALID_OPTION", path);
  }
};

/** out[key] = value, also for a key "__proto__" (an own property, as JSON.parse makes it; not the prototype). */
const put = (out: Record<string, unknown>, key: string, value: unknown) => Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });

/**
 * The options read once into plain values, before they are validated, so that what is validated is
 * what is sent (see copyPlain); the per-point arrays (`perPoint`) as plain arrays (Array.from, not
 * element by element: 10^7 weights).
 */
export function snapshotOptions(options: Record<string, unknown>, perPoint: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(options))
    put(out, key, readFailureOf(() => perPoint.includes(key) && Array.isArray(v), `options.${key}`) ? readFailureOf(() => Array.from(v as unknown[]), `options.${key}`) : copyPlain(v, `options.${key}`, 0));
  return out;
}

/**
 * A snapshot of the options (snapshotOptions: plain values, validated) as sent to a worker: the
 * per-point arrays (`perPoint`) as Float64Arrays, added to `transfer`; the rest as it is (a
 * function stays, and the post names it: unsendable).
 */
export function sendable(snapshot: Record<string, unknown>, perPoint: readonly string[], transfer: ArrayBuffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(snapshot)) {
    if (perPoint.includes(key) && v != null && !ArrayBuffer.isView(v)) {
      const a = Float64Array.from(v as ArrayLike<number>);
      transfer.push(a.buffer);
      put(out, key, a);
    } else put(out, key, v);
  }
  return out;
}

const readFailureOf = <T>(f: () => T, path: string): T => {
  try {
    return f();
  } catch (e) {
    throw readFailure(e, "INVALID_OPTION", path);
  }
};

/** A post that failed: options the structured clone cannot copy (a function) as a MixemError naming them; anything else as it is. */
export const unsendable = (e: unknown) => (e instanceof Error && e.name === "DataCloneError" ? optionError("options", `cannot be sent to a worker: ${e.message}`) : e);

/** Starts a worker running mixem, in whichever way this environment offers (after loadWorkerSource). */
export function startWorker(): WorkerHandle {
  if (workerSource === undefined) throw new Error("mixem: startWorker before loadWorkerSource");
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => any } }).process;
  const threads = proc?.getBuiltinModule?.("node:worker_threads");
  if (threads?.Worker) {
    const w = new threads.Worker(workerSource, { eval: true });
    return {
      post: (m, t) => w.postMessage(m, t),
      onMessage: (h) => w.on("message", h),
      onError: (h) => { w.on("error", h); w.on("exit", (code: number) => { if (code !== 0) h(new Error(`mixem worker exited with code ${code}`)); }); },
      terminate: () => { void w.terminate(); },
      ref: () => w.ref(),
      unref: () => w.unref(),
    };
  }
  const WebWorker = (globalThis as { Worker?: new (url: string, options?: object) => Worker }).Worker;
  if (typeof WebWorker !== "function" || typeof Blob !== "function" || typeof URL?.createObjectURL !== "function")
    throw new MixemError("NOT_READY", "no workers in this environment (neither Web Workers nor node:worker_threads); use fit() instead", "fitInWorker");
  const url = URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }));
  const w = new WebWorker(url);
  return {
    post: (m, t) => w.postMessage(m, t),
    onMessage: (h) => { w.onmessage = (e: MessageEvent) => h(e.data as WorkerReply); },
    onError: (h) => { w.onerror = (e: ErrorEvent) => { e.preventDefault?.(); h(new Error(e.message)); }; },
    terminate: () => { w.terminate(); URL.revokeObjectURL(url); },
  };
}

/**
 * Fits in a worker; resolves to the same model `fit` would return (bit for bit, for the same
 * seed). The options and the data are validated on the calling thread first, by the same code as
 * `fit` (so the errors are the same), and the validated values are sent. `signal` cancels: the
 * worker is terminated and the promise rejects with `signal.reason`. Whatever fails — validation,
 * sending, the fit, an `onProgress` that throws — rejects the promise and terminates the worker.
 */
export function fitInWorker<const O extends WorkerFitOptions>(data: ModelData, options: O): Promise<MixtureModel<FamilyOfOptions<O>>>;
export function fitInWorker(data: ModelData, options: WorkerFitOptions): Promise<MixtureModel> {
  return new Promise((resolve, reject) => {
    let worker: WorkerHandle | undefined;
    let settled = false;
    let signal: AbortSignal | undefined;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener?.("abort", abort);
      worker?.terminate();
      f();
    };
    const fail = (e: unknown) => finish(() => reject(e));
    const abort = () => fail(signal!.reason);
    const start = async () => {
      const { onProgress, signal: givenSignal, ...given } = ownOptions(options);
      const rest = snapshotOptions(given, ["sampleWeights", "labels"]); // validated as sent
      if ("onIteration" in rest) throw optionError("options.onIteration", "is not available in a worker; use onProgress (and signal to stop)");
      if (onProgress !== undefined && typeof onProgress !== "function") throw optionError("options.onProgress", "must be a function");
      if (givenSignal !== undefined) {
        abortSignal(givenSignal, "options.signal");
        if (typeof (givenSignal as AbortSignal).addEventListener !== "function") throw optionError("options.signal", "must be an AbortSignal (it has no addEventListener)");
        signal = givenSignal as AbortSignal;
        if (signal.aborted) throw signal.reason;
        signal.addEventListener("abort", abort, { once: true });
      }
      await Promise.all([init(), loadWorkerSource()]);
      const module = await compiledCore();
      // The same validation as fit(): options, then the data (copied once, then sent as one flat array).
      const r = resolveFit(rest as unknown as FitOptions);
      const sent = withDataset(loadDataset(r.family, data, r.options, "data"), (ds) => ({
        // Missing values: the rows as given (the loaded ones are split, src/missing.ts); per-point options as given.
        x: jsAllocation(`a copy of the data for the worker`, () => (ds.missing ? restoreRows(ds) : ds.x.array.slice())), aux: ds.aux && !ds.missing ? ds.aux.array.slice() : null, dims: ds.dims,
        kept: dataSettingsOf(r.family, ds),
      }));
      const opts: Record<string, unknown> = { ...rest };
      if (arrowKind(data)) dropArrowColumns(r.family, opts); // sent: the chosen columns' values
      if (r.family.shape === "rows") opts.dims = sent.dims;
      if (r.family.perPoint && sent.aux) opts[r.family.perPoint] = sent.aux;
      if (r.warm) opts.init = { format: "mixem-model", ...r.warm }; // a model as init travels as its parameters
      if (settled) return;
      worker = startWorker();
      worker.onError(fail);
      worker.onMessage((reply) => {
        if (settled) return;
        if (reply.type === "progress") {
          try {
            (onProgress as ((info: IterationInfo) => void) | undefined)?.(reply.info);
          } catch (e) {
            fail(e);
          }
          return;
        }
        if (reply.type === "done") finish(() => { try { resolve(loadModel({ ...reply.model, settings: { ...reply.model.settings, ...sent.kept } })); } catch (e) { reject(e); } });
        else if (reply.type === "error") fail(errorFrom(reply.error));
      });
      const transfer = [sent.x.buffer as ArrayBuffer, ...(sent.aux ? [sent.aux.buffer as ArrayBuffer] : [])];
      const sentOptions = sendable(opts, ["sampleWeights", "labels"], transfer);
      try {
        worker.post({ kind: "fit", module, data: sent.x, dims: 0, options: sentOptions, progress: onProgress !== undefined }, transfer);
      } catch (e) {
        throw unsendable(e);
      }
    };
    start().catch(fail);
  });
}

/**
 * What a model keeps of its training data (Family.dataSettings: level names, trials), as the
 * calling thread loaded the data. A worker is sent the loaded values (level names as their codes), so
 * a model it returns takes these settings, and is the model fitSync would give. Not the scale: the
 * worker's fit records the one it used (from the same values; a robust family's, Spec.robustScale).
 */
export function dataSettingsOf(family: Family, ds: DatasetParts): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(family.dataSettings)) if (key !== "scale" && ds.settings[key] !== undefined) kept[key] = JSON.parse(JSON.stringify(ds.settings[key]));
  return kept;
}

/** Rebuilds an error a worker reported (a MixemError keeps its code and path). */
export function errorFrom(error: { name: string; message: string; code?: string; path?: string; reason?: string }): Error {
  return error.code
    ? new MixemError(error.code as MixemErrorCode, error.path ? error.message.slice(error.path.length + 2) : error.message, error.path, error.reason as MixemErrorReason | undefined)
    : Object.assign(new Error(error.message), { name: error.name });
}
