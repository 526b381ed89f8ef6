// Messages between fitInWorker and the worker (structured-clone friendly: no functions).
import type { IterationInfo } from "./em.js";
import type { ModelJSON } from "./model.js";

export interface WorkerRequest {
  /** The data as one flat array (rows flattened; dims > 0 for row data). */
  data: Float64Array | number[];
  dims: number;
  rows: boolean;
  /** Fit options without onIteration and signal. */
  options: Record<string, unknown>;
  progress: boolean;
}

export type WorkerReply =
  | { type: "progress"; info: IterationInfo }
  | { type: "done"; model: ModelJSON }
  | { type: "error"; error: { name: string; message: string; code?: string; path?: string } };
