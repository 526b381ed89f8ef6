// Messages between the main thread and mixem's workers (structured-clone friendly: no functions).
import type { IterationInfo } from "./types.js";
import type { ModelJSON, ModelParts } from "./model.js";
import type { HcStarts } from "./start.js";
import type { Column } from "./select-cell.js";
import type { SelectionEntry } from "./select.js";

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

/**
 * Threaded fits: points [from, from + x.length / dims) of a shard of n points (validated on the
 * calling thread, flat), copied into this worker's WebAssembly memory; the part at 0 allocates it.
 * Parts are small, so a shard never exists twice in full.
 */
export interface ShardPartRequest {
  kind: "shard-part";
  module: WebAssembly.Module;
  n: number;
  dims: number;
  from: number;
  x: Float64Array<ArrayBuffer>;
  /** Per-point values of the family's `perPoint` option (binomial trials), or null. */
  aux: Float64Array<ArrayBuffer> | null;
  /** Sample weights of these points, or null. */
  weights: Float64Array<ArrayBuffer> | null;
  /** Partial labels of these points, or null. */
  labels?: Float64Array<ArrayBuffer> | null;
}

/** Threaded fits: keep the shard whose parts were sent, and answer passes over it. */
export interface ShardRequest {
  kind: "shard";
  module: WebAssembly.Module;
  family: string;
  options: Record<string, unknown>;
  dims: number;
  k: number;
}

/** Threaded fits: one E-step over the shard (see PassRequest). */
export interface PassMessage {
  kind: "pass";
  theta: Float64Array;
  weights: Float64Array;
  hard: boolean;
  seeds?: Float64Array;
  light?: boolean;
}

/** selectKAsync: what every cell of the selection shares, once per worker (src/select-cell.ts). */
export interface SelectRequest {
  kind: "select";
  module: WebAssembly.Module;
  /** Per family: its data as loaded (flat), the options that read it so (dims, per-point values), its hc partitions. */
  families: Record<string, { data: Float64Array; options: Record<string, unknown>; starts: HcStarts | null }>;
  /** The selection's fit options (no functions). */
  fitOptions: Record<string, unknown>;
  mclustLike: boolean;
  ks: number[];
}

/** selectKAsync: fit one cell (after a SelectRequest). */
export interface CellRequest { kind: "cell"; index: number; k: number; column: Column }

/** selectKAsync: the selection is over; a worker kept for the next frees its data (the reply: "released"). */
export interface SelectEndRequest { kind: "select-end" }

export type WorkerRequest = FitRequest | ShardPartRequest | ShardRequest | PassMessage | SelectRequest | CellRequest | SelectEndRequest;

export type WorkerReply =
  | { type: "progress"; info: IterationInfo }
  | { type: "done"; model: ModelJSON }
  /** A shard part copied: its arrays, handed back for the next part. */
  | { type: "ready"; x?: Float64Array<ArrayBuffer>; aux?: Float64Array<ArrayBuffer> | null; weights?: Float64Array<ArrayBuffer> | null; labels?: Float64Array<ArrayBuffer> | null }
  /** A pass over a shard: each block's log-likelihood (without the per-point constants) and statistics (partial labels: and label term). */
  | { type: "blocks"; count: number; ll: Float64Array; stats: Float64Array; label?: Float64Array }
  /**
   * A cell fitted: its entry with the model as its parts, or null when k is past the data's distinct
   * points; and the worker's WebAssembly memory after it (bytes: it only grows), which decides
   * whether the worker may wait idle for the next selection (src/select.ts).
   */
  | { type: "cell"; index: number; entry: (Omit<SelectionEntry, "model"> & { model: ModelParts | null }) | null; memoryBytes: number }
  /** A kept selection worker freed the selection's data and cells (after a SelectEndRequest). */
  | { type: "released" }
  | { type: "error"; error: { name: string; message: string; code?: string; path?: string; reason?: string } };
