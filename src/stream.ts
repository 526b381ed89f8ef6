// fitStream: data larger than memory. `source()` yields the data in chunks (and can be called
// again: every pass of EM iterates it once); one chunk at a time is copied into WebAssembly
// memory, its statistics added to the pass's totals, and freed — memory is bounded by the chunk.
import type { ExactFitOptions, FamilyOfOptions, FitOptions, ModelData } from "./types.js";
import { mergeDataSettings, type DatasetParts, type Points, type Spec } from "./family.js";
import { detachedPoints } from "./seeding.js";
import type { Region } from "./wasm.js";
import type { MixtureModel } from "./model.js";
import { buildModel, configureFit, resolveFit } from "./resolve.js";
import { loadDataset, withDataset } from "./dataset.js";
import { Evaluator } from "./evaluator.js";
import { init } from "./wasm.js";
import { localPass, runs, type EMSettings, type PassRequest, type PassResult } from "./em.js";
import { dataError, optionError } from "./errors.js";
import { describe, peek, unreadable } from "./data.js";
import { arrowKind } from "./arrow.js";

/** A chunk with per-point options: its data and one sample weight (FitOptions.sampleWeights) and/or one partial label (FitOptions.labels) per point. */
export interface WeightedChunk { data: ModelData; sampleWeights?: ArrayLike<number>; labels?: ArrayLike<number> }
/** A chunk: data (number[] / typed arrays, or rows for the multivariate families), or data with its sample weights and/or partial labels. */
export type Chunk = ModelData | WeightedChunk;
/**
 * A function returning the chunks (or a promise of them), called once per pass: arrays, or Apache
 * Arrow record batches (a RecordBatchReader, a Table's batches) with the `columns` option.
 */
export type ChunkSource = () => AsyncIterable<Chunk> | Iterable<Chunk> | PromiseLike<AsyncIterable<Chunk> | Iterable<Chunk>>;

/**
 * Fits like `fit`, reading the data from `source()` once per pass. Initialisation (k-means++ or
 * random seeds) draws its seeds from the first chunk, and prior defaults come from it too (weighted); the
 * variance floor's scale comes from all the data (a first pass computes it). Same options as
 * `fit`; with the same explicit init the result equals fit(all data) up to the rounding of the
 * chunked sums. Every chunk is validated in that first pass; later passes must yield the same data.
 */
export async function fitStream<const O extends FitOptions>(source: ChunkSource, options: ExactFitOptions<O>): Promise<MixtureModel<FamilyOfOptions<O>>>;
export async function fitStream(source: ChunkSource, options: FitOptions): Promise<MixtureModel> {
  if (typeof source !== "function") throw optionError("source", "must be a function returning an iterable of chunks (called once per pass)");
  await init();
  const r = resolveFit(options);
  if (r.options.threads !== undefined) throw optionError("options.threads", "is not available with fitStream (one chunk at a time is read on this thread)");
  if (r.hc) throw optionError("options.init", '"hc" needs the whole data set in memory (fit or fitSync), not a stream');
  if (r.options.sampleWeights !== undefined) throw optionError("options.sampleWeights", "are given per chunk in a stream: yield { data, sampleWeights }");
  if (r.options.labels !== undefined) throw optionError("options.labels", "are given per chunk in a stream: yield { data, labels }");

  /** Calls f on each chunk, loaded into WebAssembly memory (validated on the first pass only) and freed after. */
  let dims: number | undefined;
  let validated = false;
  let firstPassCount = 0, pass = 0;
  const eachChunk = async (f: (ds: DatasetParts, c: number) => void) => {
    // A promise of the chunks is awaited (apache-arrow's RecordBatchReader.from(a Node stream), DuckDB's send()).
    let returned: unknown;
    try {
      const given = source() as unknown; // its own throw or rejection is the MixemError's cause
      returned = typeof peek(() => (given as PromiseLike<unknown> | null)?.then, undefined) === "function" ? await given : given;
    } catch (e) {
      throw unreadable(e, "source");
    }
    const { iterator, isAsync } = iteratorOf(returned);
    let c = 0, count = 0, finished = false;
    try {
      for (;; c++) {
        let step: IteratorResult<unknown>, chunk: unknown, pending = false;
        try {
          step = await iterator.next(); // the source's own error is the MixemError's cause
        } catch (e) {
          throw unreadable(e, `chunks[${c}]`);
        }
        try {
          if (step.done) break;
          chunk = step.value;
          // A sync iterable's promises are awaited, as for await does.
          pending = !isAsync && typeof (chunk as PromiseLike<unknown> | null)?.then === "function";
        } catch (e) {
          throw unreadable(e, `chunks[${c}]`); // a throwing getter or trap, a revoked Proxy
        }
        if (pending) {
          try {
            chunk = await chunk;
          } catch (e) {
            throw unreadable(e, `chunks[${c}]`); // a promise of a chunk that rejected (its reason the cause)
          }
        }
        // A chunk is data, or { data, sampleWeights, labels } (one weight and/or label per point of the chunk).
        let data: ModelData, options = r.options;
        try {
          const weighted = typeof chunk === "object" && chunk !== null && !Array.isArray(chunk) && !ArrayBuffer.isView(chunk) && !arrowKind(chunk) && "data" in chunk;
          if (weighted) for (const key of Object.keys(chunk as object))
            if (key !== "data" && key !== "sampleWeights" && key !== "labels") throw dataError(`chunks[${c}].${key}`, "is not a part of a chunk (expected data, sampleWeights, labels)");
          data = weighted ? (chunk as WeightedChunk).data : (chunk as ModelData);
          if (weighted) options = { ...r.options, sampleWeights: (chunk as WeightedChunk).sampleWeights, labels: (chunk as WeightedChunk).labels };
        } catch (e) {
          throw unreadable(e, `chunks[${c}]`);
        }
        withDataset(loadDataset(r.family, data, options, `chunks[${c}]`, dims, validated, { sampleWeights: `chunks[${c}].sampleWeights`, labels: `chunks[${c}].labels`, part: true }), (ds) => {
          dims ??= ds.dims;
          count += ds.n;
          f(ds, c);
        });
      }
      finished = true;
    } finally {
      // Leaving early (an error) closes the source, as for await does.
      if (!finished) try { await iterator.return?.(); } catch { /* the error that ended the pass is the one to report */ }
    }
    if (c === 0) throw dataError("source", "yielded no chunks");
    // Later passes read the data trusted: it must be the data validated on the first pass.
    if (!validated) firstPassCount = count;
    else if (count !== firstPassCount) throw dataError("source", `yielded ${count} points on pass ${pass}, ${firstPassCount} on the first: every pass must yield the same data`);
    validated = true;
    pass++;
  };

  // Pass 0: count, per-dimension variance (Chan et al.'s pairwise update), the first chunk's (with
  // weight) points for seeding, the spec (its prior defaults from that chunk), and what the model
  // keeps of its data (a setting that differs between chunks, like binomial trials, becomes null).
  let nMissing = 0, partial = 0;
  let n = 0, counted = 0, mean: Float64Array | undefined, m2: Float64Array | undefined; // counted: Σ w (or n) for the moments
  let firstPoints: Points | undefined, firstWeights: Float64Array | null = null, firstLabels: Float64Array | null = null, observations = 0;
  let labelled = false; // some chunk has a labelled point: every pass reports the label term
  let fit: ReturnType<typeof configureFit> | undefined;
  let dataSettings: Record<string, unknown> = {};
  await eachChunk((ds, c) => {
    if (c === 0) {
      mean = new Float64Array(ds.dims); m2 = new Float64Array(ds.dims);
      dataSettings = { ...ds.settings };
    } else {
      dataSettings = mergeDataSettings(r.family, dataSettings, ds.settings, r.options, { first: "chunks[0]", next: `chunks[${c}]` });
    }
    // The first chunk with weight (a chunk's weights may all be 0) seeds the fit and sets the prior's defaults.
    if (!fit && !(ds.weights && !(ds.totalWeight! > 0))) {
      fit = configureFit(r, ds);
      firstPoints = detachedPoints(ds.seedPoints);
      firstWeights = ds.weights ? Float64Array.from(ds.weights.array) : null;
      firstLabels = ds.labels ? Float64Array.from(ds.labels.array) : null;
    }
    const x = ds.x.array, d = ds.dims, w = ds.weights?.array;
    // Sample weights: the chunk's weighted moments (count Σ w; a row of weight 0 as if removed), as fit's scale.
    let count = ds.n;
    if (w) { count = 0; for (let i = 0; i < ds.n; i++) count += w[i]; }
    for (let a = 0; a < d && count > 0; a++) {
      let cm = 0, cm2 = 0;
      if (w) {
        for (let i = 0; i < ds.n; i++) cm += (w[i] * x[i * d + a]) / count;
        for (let i = 0; i < ds.n; i++) cm2 += w[i] * (x[i * d + a] - cm) ** 2;
      } else {
        for (let i = 0; i < ds.n; i++) cm += x[i * d + a] / ds.n;
        for (let i = 0; i < ds.n; i++) cm2 += (x[i * d + a] - cm) ** 2;
      }
      const total = counted + count, delta = cm - mean![a];
      mean![a] += (delta * count) / total;
      m2![a] += cm2 + (delta * delta * counted * count) / total;
    }
    counted += count;
    n += ds.n;
    nMissing += ds.missing?.values ?? 0;
    partial += ds.missing ? ds.missing.rows - ds.missing.empty - ds.n : 0; // rows with missing values and something observed
    observations += ds.totalWeight ?? ds.n;
    if (ds.labels) labelled = true;
  });
  if (!fit) throw dataError("source", "yielded chunks whose sampleWeights are all 0; at least one weight must be positive");
  const scale = Float64Array.from(m2!, (v) => (v / counted > 0 ? v / counted : 1));
  if ("scale" in dataSettings) dataSettings.scale = Array.from(scale);
  const { spec, settings } = fit!;
  const k = settings.k;
  const ev = new Evaluator(spec, k);
  try {
    // One pass of `runs` = one pass over every chunk, statistics summed.
    const total = new Float64Array(k * spec.statsSize);
    const pass = async (req: PassRequest): Promise<PassResult> => {
      total.fill(0);
      let ll = 0, labelTerm = 0;
      await eachChunk((ds) => {
        const res = localPass(ev, ds, req);
        ll += res.logLikelihood;
        labelTerm += res.labelTerm ?? 0;
        for (let i = 0; i < total.length; i++) total[i] += res.stats[i];
      });
      // Later passes read the data trusted (checked on the first): a value that is not a number then shows here.
      if (Number.isNaN(ll)) throw dataError("source", "yielded a value that is not a finite number after the first pass (every pass must yield the first pass's data)");
      return labelled && !req.seeds ? { logLikelihood: ll, stats: total, labelTerm } : { logLikelihood: ll, stats: total };
    };
    // Seeds come from the first chunk with weight.
    // (Seeding reads the first chunk's weights as a region would be read: `.array`.)
    const asRegion = (a: Float64Array | null) => a && ({ array: a } as unknown as Region);
    const em = runs(spec, k, n + partial, { scale, weights: asRegion(firstWeights), labels: asRegion(firstLabels) }, firstPoints!, settings);
    let step = em.next();
    while (!step.done) step = em.next(await pass(step.value));
    return buildModel(r, spec, step.value, observations, dataSettings, fit, nMissing);
  } finally {
    ev.free();
  }
}

/**
 * The iterator of what the source returned: an Arrow table's record batches (iterating a table
 * itself yields rows), else its async or sync iterator; one that cannot be read is a MixemError.
 */
function iteratorOf(returned: unknown): { iterator: AsyncIterator<unknown> | Iterator<unknown>; isAsync: boolean } {
  let chunks: unknown, asyncIterator: unknown, syncIterator: unknown;
  try {
    chunks = arrowKind(returned) === "table" && Array.isArray((returned as { batches?: unknown }).batches) ? (returned as { batches: unknown[] }).batches : returned;
    if (typeof chunks === "object" && chunks !== null) {
      asyncIterator = (chunks as AsyncIterable<unknown>)[Symbol.asyncIterator];
      if (typeof asyncIterator !== "function") syncIterator = (chunks as Iterable<unknown>)[Symbol.iterator];
    }
  } catch (e) {
    throw unreadable(e, "source");
  }
  if (typeof asyncIterator !== "function" && typeof syncIterator !== "function")
    throw dataError("source", `must return an iterable or async iterable of chunks, returned ${describe(chunks)}`);
  const isAsync = typeof asyncIterator === "function";
  try {
    const iterator = (isAsync ? asyncIterator : syncIterator) as (this: unknown) => AsyncIterator<unknown> | Iterator<unknown>;
    return { iterator: iterator.call(chunks), isAsync };
  } catch (e) {
    throw unreadable(e, "source");
  }
}
