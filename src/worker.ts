// fitInWorker: the same fit, off the calling thread — a Web Worker in browsers, a worker_threads
// worker in Node — with progress events and cancellation. The worker's code is the library itself,
// bundled and inlined as a string at build time (src/generated/worker-source.ts), so it needs no
// separate file, URL or bundler configuration. One worker per fit, terminated when it ends.
import { workerSource } from "./generated/worker-source.js";
import { loadModel, type MixtureModel } from "./model.js";
import { MixemError, optionError, type MixemErrorCode } from "./errors.js";
import type { FitOptions, IterationInfo, ModelData } from "./types.js";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.js";
import { compiledCore } from "./wasm.js";

export interface WorkerFitOptions extends Omit<FitOptions, "onIteration"> {
  /** Called on the calling thread after every iteration (asynchronously, as messages arrive). */
  onProgress?: (info: IterationInfo) => void;
}

export interface WorkerHandle {
  post(message: WorkerRequest, transfer: ArrayBuffer[]): void;
  onMessage(handler: (reply: WorkerReply) => void): void;
  onError(handler: (error: unknown) => void): void;
  terminate(): void;
}

/** Starts a worker running mixem, in whichever way this environment offers. */
export function startWorker(): WorkerHandle {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => any } }).process;
  const threads = proc?.getBuiltinModule?.("node:worker_threads");
  if (threads?.Worker) {
    const w = new threads.Worker(workerSource, { eval: true });
    return {
      post: (m, t) => w.postMessage(m, t),
      onMessage: (h) => w.on("message", h),
      onError: (h) => { w.on("error", h); w.on("exit", (code: number) => { if (code !== 0) h(new Error(`mixem worker exited with code ${code}`)); }); },
      terminate: () => { void w.terminate(); },
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

/** Flattens the data into one Float64Array for a zero-copy transfer (rows: with their width). */
function pack(data: ModelData): { data: Float64Array; dims: number } {
  const isRow = (r: unknown) => Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView));
  if (Array.isArray(data) && data.length > 0 && isRow(data[0])) {
    // Rows: flatten; the worker re-validates (a ragged row still gets its precise error there).
    const rows = data as ArrayLike<number>[];
    const d = rows[0].length;
    if (rows.some((r) => !isRow(r) || r.length !== d)) return { data: data as never, dims: 0 };
    const flat = new Float64Array(rows.length * d);
    rows.forEach((r, i) => { for (let a = 0; a < d; a++) flat[i * d + a] = r[a]; });
    return { data: flat, dims: d };
  }
  if (ArrayBuffer.isView(data) && !(data instanceof DataView) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array))
    return { data: Float64Array.from(data as ArrayLike<number>), dims: 0 };
  return { data: data as never, dims: 0 }; // number[] (structured-cloned) or invalid input: the worker reports it
}

/**
 * Fits in a worker; resolves to the same model `fit` would return (bit for bit, for the same
 * seed). `signal` cancels: the worker is terminated and the promise rejects with `signal.reason`.
 */
export function fitInWorker(data: ModelData, options: WorkerFitOptions): Promise<MixtureModel> {
  return new Promise((resolve, reject) => {
    const { onProgress, signal, ...rest } = (options ?? {}) as WorkerFitOptions & { onIteration?: unknown };
    if ("onIteration" in rest) { reject(optionError("options.onIteration", "is not available in a worker; use onProgress (and signal to stop)")); return; }
    if (onProgress !== undefined && typeof onProgress !== "function") { reject(optionError("options.onProgress", "must be a function")); return; }
    if (signal?.aborted) { reject(signal.reason); return; }
    let worker: WorkerHandle;
    try {
      worker = startWorker();
    } catch (e) {
      reject(e);
      return;
    }
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", abort);
      worker.terminate();
      f();
    };
    const abort = () => finish(() => reject(signal!.reason));
    signal?.addEventListener("abort", abort, { once: true });
    worker.onError((e) => finish(() => reject(e)));
    worker.onMessage((reply) => {
      if (reply.type === "progress") { if (!settled) onProgress?.(reply.info); return; }
      if (reply.type === "done") finish(() => { try { resolve(loadModel(reply.model)); } catch (e) { reject(e); } });
      else if (reply.type === "error") finish(() => reject(errorFrom(reply.error)));
    });
    const packed = pack(data);
    // Per-point options (binomial trials) as plain arrays: a typed array may view a larger buffer.
    const opts: Record<string, unknown> = { ...rest };
    for (const [key, v] of Object.entries(opts)) if (ArrayBuffer.isView(v)) opts[key] = Array.from(v as unknown as ArrayLike<number>);
    compiledCore().then((module) => {
      if (settled) return;
      try {
        worker.post({ kind: "fit", module, data: packed.data, dims: packed.dims, options: opts, progress: onProgress !== undefined },
          packed.data instanceof Float64Array ? [packed.data.buffer as ArrayBuffer] : []);
      } catch (e) {
        finish(() => reject(e instanceof Error && e.name === "DataCloneError" ? optionError("options", `cannot be sent to a worker: ${e.message}`) : e));
      }
    }, (e) => finish(() => reject(e)));
  });
}

/** Rebuilds an error a worker reported (a MixemError keeps its code and path). */
export function errorFrom(error: { name: string; message: string; code?: string; path?: string }): Error {
  return error.code
    ? new MixemError(error.code as MixemErrorCode, error.path ? error.message.slice(error.path.length + 2) : error.message, error.path)
    : Object.assign(new Error(error.message), { name: error.name });
}
