// Multi-core fitting: the data is validated once on the calling thread, split into one shard per
// worker (each in its own WebAssembly instance: no shared memory, so browsers need no
// cross-origin isolation), and every pass of the fit is answered by all workers at once. Shards
// are cut at the evaluator's SUM_BLOCK boundaries and return each block's partial sums; the calling
// thread adds all blocks up by the same pairwise tree fitSync uses and runs the M-step — so every
// thread count gives fitSync's result to the last bit.
import type { FitOptions, ModelData } from "./types.js";
import type { MixtureModel } from "./model.js";
import { buildModel, configureFit, resolveFit } from "./resolve.js";
import { optionError } from "./errors.js";
import { loadDataset, withDataset } from "./dataset.js";
import { COMPLETE_ROWS, localBlocks, observedRows, runs, type PassRequest, type PassResult } from "./em.js";
import { blockCount, Evaluator, pairwiseSum, SUM_BLOCK } from "./evaluator.js";
import type { DatasetParts } from "./family.js";
import { compiledCore } from "./wasm.js";
import { errorFrom, startWorker, type WorkerHandle } from "./worker.js";
import { dropArrowColumns } from "./arrow.js";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.js";

/** Values per part of a shard sent to a worker (8 MiB). */
const PART_VALUES = 2 ** 20;

/** A worker that answers one request at a time. */
class ShardWorker {
  private waiting: { resolve: (r: WorkerReply) => void; reject: (e: unknown) => void } | undefined;
  constructor(private readonly handle: WorkerHandle) {
    handle.onMessage((reply) => {
      const w = this.waiting;
      this.waiting = undefined;
      if (!w) return;
      if (reply.type === "error") w.reject(errorFrom(reply.error));
      else w.resolve(reply);
    });
    handle.onError((e) => { const w = this.waiting; this.waiting = undefined; w?.reject(e); });
  }
  request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.handle.post(message, transfer);
    });
  }
  terminate() { this.handle.terminate(); }
}

/**
 * A fit split over `threads` shards. With `caller`, the calling thread computes the first shard
 * itself, where the data already lies (one worker fewer, and that shard is not copied: the CLI's
 * choice — a command may block its own thread; a page or a server would rather not).
 */
export async function fitThreaded(data: ModelData, options: FitOptions, threads: number, caller = false): Promise<MixtureModel> {
  const module = await compiledCore();
  const r = resolveFit(options);
  if (r.hc) throw optionError("options.threads", 'must be 1 with init "hc" (the hierarchical start runs on one thread)');
  const workers: ShardWorker[] = [];
  let evaluator: Evaluator | undefined, missingEv: Evaluator | undefined;
  return withDataset(loadDataset(r.family, data, r.options, "data"), async (ds) => {
    try {
      const fit = configureFit(r, ds), { spec, settings } = fit;
      const d = ds.dims, n = ds.n, k = r.k;
      // Shards are cut at SUM_BLOCK boundaries, so each worker computes the very block sums fitSync does.
      const blocks = blockCount(n);
      const count = Math.max(1, Math.min(threads, blocks, Math.floor(n / 1000) || 1));
      const shardBlock = (s: number) => Math.floor((s * blocks) / count);
      // Shards hold validated data: the workers load it trusted, with the resolved prior, and
      // the per-point option (binomial trials) from the shard's own slice.
      const shardOptions: Record<string, unknown> = { ...ds.settings, ...r.options, prior: spec.settings.prior, onIteration: undefined, signal: undefined, init: undefined };
      if (ds.aux && r.family.perPoint) shardOptions[r.family.perPoint] = undefined;
      shardOptions.sampleWeights = undefined; // sent in parts, with the points
      dropArrowColumns(r.family, shardOptions); // Arrow data: the chosen columns are the shard's values
      shardOptions.labels = undefined; // sent in parts, with the points
      // Each shard goes to its worker in parts of about PART_VALUES values, one part in flight per
      // worker: the data never exists a third time in full, outside WebAssembly memory.
      const own = caller ? 1 : 0; // shards the calling thread computes (the first)
      for (let s = own; s < count; s++) workers.push(new ShardWorker(startWorker()));
      const partRows = Math.max(1, Math.floor(PART_VALUES / d));
      await Promise.all(workers.map(async (w, i) => {
        const s = i + own;
        const first = shardBlock(s) * SUM_BLOCK, end = Math.min(n, shardBlock(s + 1) * SUM_BLOCK);
        // Arrays passed back and forth per worker (the points, and the per-point columns: the
        // family's aux, sample weights): copied into, moved there, copied out of, moved back.
        let x: Float64Array<ArrayBuffer> = new Float64Array(Math.min(end - first, partRows) * d);
        let aux: Float64Array<ArrayBuffer> | null = ds.aux ? new Float64Array(x.length / d) : null;
        let weights: Float64Array<ArrayBuffer> | null = ds.weights ? new Float64Array(x.length / d) : null;
        let labels: Float64Array<ArrayBuffer> | null = ds.labels ? new Float64Array(x.length / d) : null;
        for (let from = first; from < end; from += partRows) {
          const rows = Math.min(end, from + partRows) - from;
          if (rows * d < x.length) { x = x.subarray(0, rows * d); aux = aux && aux.subarray(0, rows); weights = weights && weights.subarray(0, rows); labels = labels && labels.subarray(0, rows); }
          x.set(ds.x.array.subarray(from * d, (from + rows) * d));
          if (aux) aux.set(ds.aux!.array.subarray(from, from + rows));
          if (weights) weights.set(ds.weights!.array.subarray(from, from + rows));
          if (labels) labels.set(ds.labels!.array.subarray(from, from + rows));
          const moved = [x, aux, weights, labels].filter((a) => a !== null).map((a) => a.buffer);
          const back = await w.request({ kind: "shard-part", module, n: end - first, dims: d, from: from - first, x, aux, weights, labels }, moved);
          if (back.type !== "ready" || !back.x) throw new Error("mixem: unexpected worker reply to a shard part");
          x = back.x;
          aux = back.aux ?? null;
          weights = back.weights ?? null;
          labels = back.labels ?? null;
        }
        await w.request({ kind: "shard", module, family: r.familyName, options: shardOptions, dims: d, k });
      }));
      // Every block's partial sums, in global order, added up by fitSync's tree (evaluator.ts).
      const width = k * spec.statsSize;
      const blockLL = new Float64Array(blocks), blockLabel = ds.labels ? new Float64Array(blocks) : null, blockStats = new Float64Array(blocks * width), total = new Float64Array(width);
      // The calling thread's shard: the first points of the data, read where they lie.
      const n0 = own ? Math.min(n, shardBlock(1) * SUM_BLOCK) : 0, sd = ds.seedPoints.dims;
      const first: DatasetParts | null = own ? {
        ...ds, n: n0, x: ds.x.slice(0, n0 * d), aux: ds.aux?.slice(0, n0) ?? null, weights: ds.weights?.slice(0, n0) ?? null, labels: ds.labels?.slice(0, n0) ?? null,
        // (Codes, Points.oneHot: its first n0 rows' are the data's; else its rows made a block at a time, or its points.)
        seedPoints: { get points() { return ds.seedPoints.points.subarray(0, n0 * sd); }, dims: sd, ...(ds.seedPoints.rows ? { rows: (from: number, count: number) => ds.seedPoints.rows!(from, count), count: n0 } : {}), oneHot: ds.seedPoints.oneHot },
      } : null;
      if (own) evaluator = new Evaluator(spec, k);
      const pass = async (req: PassRequest): Promise<PassResult> => {
        blockLabel?.fill(0); // a shard without labelled points sends no label terms
        const pending = Promise.all(workers.map((w) => w.request({ kind: "pass", theta: req.theta, weights: req.weights, hard: req.hard, seeds: req.seeds, light: req.light })));
        if (first) {
          const b = localBlocks(evaluator!, first, req); // while the workers compute theirs
          blockLL.set(b.ll, 0);
          if (blockLabel && b.label) blockLabel.set(b.label, 0);
          blockStats.set(b.stats, 0);
        }
        const replies = await pending;
        replies.forEach((reply, i) => {
          const s = i + own;
          if (reply.type !== "blocks") throw new Error(`mixem: unexpected worker reply ${reply.type}`);
          blockLL.set(reply.ll, shardBlock(s));
          if (blockLabel && reply.label) blockLabel.set(reply.label, shardBlock(s));
          blockStats.set(reply.stats, shardBlock(s) * width);
        });
        pairwiseSum(blockLL, blocks, 1);
        pairwiseSum(blockStats, blocks, width);
        total.set(blockStats.subarray(0, width));
        if (req.seeds) return { logLikelihood: ds.logConstant, stats: total };
        let logLikelihood = blockLL[0] + ds.logConstant;
        // Rows with missing values (not sent to the workers): their patterns on this thread.
        if (ds.missing) logLikelihood += (missingEv ??= new Evaluator(spec, k)).runMissing(ds, req.theta, req.weights, { hard: req.hard, stats: true }, total);
        if (!blockLabel) return { logLikelihood, stats: total };
        pairwiseSum(blockLabel, blocks, 1); // the label term, by the same tree (evaluator.ts)
        return { logLikelihood, stats: total, labelTerm: blockLabel[0] + (ds.missing ? missingEv!.missingLabelTerm : 0) };
      };
      const em = runs(spec, k, ds.missing ? observedRows(ds) : n, ds, ds.seedPoints, settings, ds.missing ? COMPLETE_ROWS : ""); // missing values: every row with something observed
      let step = em.next();
      while (!step.done) {
        if (settings.signal?.aborted) throw settings.signal.reason ?? new Error("aborted");
        step = em.next(await pass(step.value));
      }
      return buildModel(r, spec, step.value, ds.totalWeight ?? n, ds.settings, fit, ds.missing?.values);
    } finally {
      for (const w of workers) w.terminate();
      evaluator?.free();
      missingEv?.free();
    }
  });
}
