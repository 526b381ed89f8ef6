// fitStream: data larger than memory. `source()` yields the data in chunks (and can be called
// again: every pass of EM iterates it once); one chunk at a time is copied into WebAssembly
// memory, its statistics added to the pass's totals, and freed — memory is bounded by the chunk.
import type { FitOptions } from "./index.js";
import { resolveFit } from "./resolve.js";
import type { MixtureModel, ModelData } from "./model.js";
import { Evaluator } from "./evaluator.js";
import { getCore, init } from "./wasm.js";
import { localPass, runs, type PassRequest, type PassResult } from "./em.js";
import { dataError, optionError } from "./errors.js";
import type { Dataset } from "./family.js";

/** A function returning the chunks (number[] / typed arrays, or rows for the multivariate families). */
export type ChunkSource = () => AsyncIterable<ModelData> | Iterable<ModelData>;

/**
 * Fits like `fit`, reading the data from `source()` once per pass. Initialisation (k-means++ or
 * random seeds) draws its seeds from the first chunk, and prior defaults come from it too; the
 * variance floor's scale comes from all the data (a first pass computes it). Same options as
 * `fit`; with the same explicit init the result equals fit(all data) up to the rounding of the
 * chunked sums.
 */
export async function fitStream(source: ChunkSource, options: FitOptions): Promise<MixtureModel> {
  if (typeof source !== "function") throw optionError("source", "must be a function returning an iterable of chunks (called once per pass)");
  await init();
  const { family, o, k, settings, configure, model } = resolveFit(options);
  const core = getCore();

  /** Calls f on each chunk, loaded into WebAssembly memory and freed after. */
  let dims: number | undefined;
  const eachChunk = async (f: (ds: Dataset, c: number) => void) => {
    let c = 0;
    for await (const chunk of source()) {
      const ds = family.load(core, chunk, o, `chunks[${c}]`, dims);
      try {
        dims ??= ds.dims;
        f(ds, c);
      } finally {
        core.free(ds.x, ds.aux);
      }
      c++;
    }
    if (c === 0) throw dataError("source", "yielded no chunks");
  };

  // Pass 0: count, per-dimension variance (Chan et al.'s pairwise update), the first chunk's
  // points for seeding, the spec (its prior defaults from the first chunk), the binomial trials.
  let n = 0, mean: Float64Array | undefined, m2: Float64Array | undefined;
  let firstPoints: { points: Float64Array; dims: number; n: number } | undefined;
  let spec: ReturnType<typeof configure> | undefined;
  let trials: number | null = null;
  await eachChunk((ds, c) => {
    if (c === 0) {
      spec = configure(ds);
      const p = spec.seedPoints(ds);
      firstPoints = { points: Float64Array.from(p.points), dims: p.dims, n: ds.n };
      mean = new Float64Array(ds.dims); m2 = new Float64Array(ds.dims);
      trials = ds.aux ? null : ds.auxConst;
    } else if (ds.aux || ds.auxConst !== trials) trials = null;
    const x = ds.x.array, d = ds.dims;
    for (let a = 0; a < d; a++) {
      let cm = 0;
      for (let i = 0; i < ds.n; i++) cm += x[i * d + a] / ds.n;
      let cm2 = 0;
      for (let i = 0; i < ds.n; i++) cm2 += (x[i * d + a] - cm) ** 2;
      const total = n + ds.n, delta = cm - mean![a];
      mean![a] += (delta * ds.n) / total;
      m2![a] += cm2 + (delta * delta * n * ds.n) / total;
    }
    n += ds.n;
  });
  const scale = Float64Array.from(m2!, (v) => (v / n > 0 ? v / n : 1));
  const S = spec!.statsSize;
  const ev = new Evaluator(core, spec!, k);
  try {
    // One pass of `runs` = one pass over every chunk, statistics summed.
    const total = new Float64Array(k * S);
    const pass = async (req: PassRequest): Promise<PassResult> => {
      total.fill(0);
      let ll = 0;
      await eachChunk((ds) => {
        const r = localPass(core, spec!, ev, ds, req);
        ll += r.logLikelihood;
        for (let i = 0; i < total.length; i++) total[i] += r.stats[i];
      });
      return { logLikelihood: ll, stats: total };
    };
    // Seeds come from the first chunk.
    const fit = runs(spec!, k, n, { scale }, () => ({ points: firstPoints!.points, dims: firstPoints!.dims }), settings);
    let step = fit.next();
    while (!step.done) step = fit.next(await pass(step.value));
    return model(spec!, step.value, n, scale, trials);
  } finally {
    ev.free();
  }
}
