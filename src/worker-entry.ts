// The code that runs inside a worker (a Web Worker or a Node worker_threads worker). Two uses:
//   fitInWorker: one "fit" request → progress messages, then the model as JSON (or the error);
//   selectKAsync: one "select" request (the data, options, hc partitions), then one "cell" request
//   per (k, model) → its entry with the model as JSON;
//   threaded fits: a "shard" request (data kept in this worker's WebAssembly instance), then one
//   "pass" request per E-step → the shard's log-likelihood and statistics.
// Built by scripts/build.mjs into a string inlined in the package.
import { fitSync } from "./fit-sync.js";
import { MixemError } from "./errors.js";
import { familyOf, type FamilyName } from "./families/index.js";
import { fitCell, freeCells, type CellContext } from "./select-cell.js";
import { modelParts } from "./model.js";
import { Evaluator } from "./evaluator.js";
import { localBlocks } from "./em.js";
import { getCore, initFromModule, type Region } from "./wasm.js";
import { loadDataset } from "./dataset.js";
import type { Dataset, Spec } from "./family.js";
import type { WorkerRequest, WorkerReply } from "./worker-protocol.js";

type Port = { post(message: WorkerReply, transfer?: ArrayBuffer[]): void; listen(handler: (message: WorkerRequest) => void): void };

function port(): Port {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => any } }).process;
  const threads = proc?.getBuiltinModule?.("node:worker_threads");
  if (threads?.parentPort) {
    const p = threads.parentPort;
    return { post: (m, t) => p.postMessage(m, t), listen: (h) => p.on("message", h) };
  }
  const self = globalThis as unknown as { postMessage(m: unknown, t?: ArrayBuffer[]): void; onmessage: ((e: { data: WorkerRequest }) => void) | null };
  return { post: (m, t) => self.postMessage(m, t ?? []), listen: (h) => { self.onmessage = (e) => h(e.data); } };
}

const p = port();
let shard: { ds: Dataset; spec: Spec; ev: Evaluator } | undefined;
let cells: Map<string, CellContext> | undefined;
let parts: { x: Region; aux: Region | null; weights: Region | null; labels: Region | null } | undefined;

p.listen((request) => {
  try {
    if (request.kind === "select-end") {
      // A kept worker holds no caller data while idle.
      for (const ctx of cells?.values() ?? []) freeCells(ctx);
      cells = undefined;
      p.post({ type: "released" });
      return;
    }
    if (request.kind !== "pass" && request.kind !== "cell") initFromModule(request.module);
    if (request.kind === "fit") {
      const options = { ...request.options } as Record<string, unknown>;
      if (request.dims > 0) options.dims = request.dims;
      if (request.progress) options.onIteration = (info: unknown) => { p.post({ type: "progress", info: info as never }); };
      const model = fitSync(request.data as never, options as never);
      p.post({ type: "done", model: model.toJSON() });
    } else if (request.kind === "select") {
      // The cells' shared state lives until the selection ends ("select-end") or the worker does.
      for (const ctx of cells?.values() ?? []) freeCells(ctx); // a selection that ended without select-end
      cells = new Map();
      for (const [family, f] of Object.entries(request.families))
        cells.set(family, { data: f.data, fitOptions: { ...request.fitOptions, ...f.options }, mclustLike: request.mclustLike, ks: request.ks, starts: new Map(f.starts ? [[family as FamilyName, f.starts]] : []), loaded: new Map() });
    } else if (request.kind === "cell") {
      const ctx = cells?.get(request.column.family);
      if (!ctx) throw new Error("mixem worker: a cell before its selection");
      const got = fitCell(ctx, request.column, request.k);
      // The model as its parts (θ and weights as fitted; src/model.ts modelParts), θ's buffers moved.
      const parts = got === "TOO_FEW" || !got.model ? null : modelParts(got.model);
      p.post({ type: "cell", index: request.index, entry: got === "TOO_FEW" ? null : { ...got, model: parts }, memoryBytes: getCore().memoryBytes }, parts ? [parts.theta.buffer as ArrayBuffer, parts.weights.buffer as ArrayBuffer] : []);
    } else if (request.kind === "shard-part") {
      // The shard lives as long as the worker (it is terminated after the fit).
      if (request.from === 0) {
        const mem = getCore().arena();
        parts = { x: mem.alloc(request.n * request.dims), aux: request.aux ? mem.alloc(request.n) : null, weights: request.weights ? mem.alloc(request.n) : null, labels: request.labels ? mem.alloc(request.n) : null };
      }
      if (!parts) throw new Error("mixem worker: a shard part before the first");
      parts.x.array.set(request.x, request.from * request.dims);
      if (parts.aux && request.aux) parts.aux.array.set(request.aux, request.from);
      if (parts.weights && request.weights) parts.weights.array.set(request.weights, request.from);
      if (parts.labels && request.labels) parts.labels.array.set(request.labels, request.from);
      const { x, aux, weights } = request, labels = request.labels ?? null;
      p.post({ type: "ready", x, aux, weights, labels }, [x, aux, weights, labels].filter((a) => a !== null).map((a) => a.buffer));
    } else if (request.kind === "shard") {
      if (!parts) throw new Error("mixem worker: a shard without its parts");
      // The dataset reads the parts where they lie (see Arena.borrow).
      const family = familyOf(request.family)!;
      const options: Record<string, unknown> = parts.aux && family.perPoint ? { ...request.options, [family.perPoint]: parts.aux.array } : { ...request.options };
      if (parts.weights) options.sampleWeights = parts.weights.array;
      if (parts.labels) options.labels = parts.labels.array;
      const ds = loadDataset(family, parts.x.array, options, "data", request.dims, true);
      const spec = family.configure(request.options, request.dims);
      shard = { ds, spec, ev: new Evaluator(spec, request.k) };
      p.post({ type: "ready" });
    } else {
      if (!shard) throw new Error("mixem worker: a pass before its shard");
      const b = localBlocks(shard.ev, shard.ds, request);
      const ll = Float64Array.from(b.ll), stats = Float64Array.from(b.stats), label = b.label ? Float64Array.from(b.label) : undefined;
      p.post({ type: "blocks", count: b.count, ll, stats, ...(label ? { label } : {}) }, [ll.buffer, stats.buffer, ...(label ? [label.buffer] : [])]);
    }
  } catch (e) {
    const error = e instanceof MixemError
      ? { name: e.name, message: e.message, code: e.code, path: e.path, reason: e.reason }
      : { name: (e as Error)?.name ?? "Error", message: (e as Error)?.message ?? String(e) };
    p.post({ type: "error", error });
  }
});
