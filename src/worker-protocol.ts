// Messages between the main thread and mixem's workers (structured-clone friendly: no functions).
import type { IterationInfo } from "./types.js";
import type { ModelJSON } from "./model.js";

/** fitInWorker: one whole fit. */
export interface FitRequest {
  kind: "fit";
  /** The main thread's compiled core (the worker bundle has no WebAssembly of its own). */
  module: WebAssembly.Module;
  /** The data as one flat array (rows flattened; dims > 0 for row data). */
  data: Float64Array | number[];
  dims: number;
  /** Fit options without onIteration and signal. */
  options: Record<string, unknown>;
  progress: boolean;
}

/** Threaded fits: keep this shard (validated on the calling thread, flat) and answer passes over it. */
export interface ShardRequest {
  kind: "shard";
  module: WebAssembly.Module;
  family: string;
  options: Record<string, unknown>;
  dims: number;
  k: number;
  x: Float64Array;
  /** Per-point values of the family's `perPoint` option (binomial trials), or null. */
  aux: Float64Array | null;
}

/** Threaded fits: one E-step over the shard (see PassRequest). */
export interface PassMessage {
  kind: "pass";
  theta: Float64Array;
  weights: Float64Array;
  hard: boolean;
  seeds?: Float64Array;
}

export type WorkerRequest = FitRequest | ShardRequest | PassMessage;

export type WorkerReply =
  | { type: "progress"; info: IterationInfo }
  | { type: "done"; model: ModelJSON }
  | { type: "ready" }
  /** A pass over a shard: each block's log-likelihood (without the per-point constants) and statistics. */
  | { type: "blocks"; count: number; ll: Float64Array; stats: Float64Array }
  | { type: "error"; error: { name: string; message: string; code?: string; path?: string; reason?: string } };
