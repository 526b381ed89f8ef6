// Calls a spec's fused kernel: packs θ and the weights into kernel parameters, runs one pass,
// adds the per-point constants. The fit and the fitted model's predict/score share it. Its
// buffers (parameters, statistics, the kernel's scratch, sized here) live in one arena.
import type { DatasetParts, Spec } from "./family.js";
import { getCore, type Arena, type Region } from "./wasm.js";
import * as M from "./math.js";

/** What a pass computes besides the log-likelihood. */
export interface RunOptions {
  /** Classification EM: one-hot responsibilities. */
  hard?: boolean;
  /** Accumulate the statistics (read them from `stats`). */
  stats?: boolean;
  /** n × k responsibilities, row-major. */
  respOut?: Region | null;
}

export class Evaluator {
  private readonly mem: Arena;
  private readonly params: Region;
  private readonly statsRegion: Region;
  private readonly scratch: Region;
  private readonly logWeights: Float64Array;
  private readonly statsCopy: Float64Array;

  constructor(private readonly spec: Spec, readonly k: number) {
    const core = getCore();
    this.logWeights = new Float64Array(k);
    this.statsCopy = new Float64Array(k * spec.statsSize);
    this.mem = core.arena();
    // Small regions (k × a few values): allocation can only fail when memory is exhausted.
    try {
      this.params = this.mem.alloc(spec.headerSize + k * spec.paramsSize);
      this.statsRegion = this.mem.alloc(k * spec.statsSize);
      this.scratch = this.mem.alloc(core.scratchLength(k, spec.dims, spec.workColumns));
    } catch (e) {
      this.mem.free();
      throw e;
    }
  }

  /**
   * Statistics of the last pass run with `stats` (k × statsSize), copied out of WebAssembly memory
   * into one array of this evaluator's (overwritten by the next read): the copy stays valid whatever
   * a callback allocates before the M-step reads it.
   */
  get stats(): Float64Array {
    this.statsCopy.set(this.statsRegion.array);
    return this.statsCopy;
  }

  /** Returns the log-likelihood Σ_i log Σ_j w_j p(x_i | θ_j) of ds at (θ, w). */
  run(ds: DatasetParts, theta: Float64Array, weights: Float64Array, o: RunOptions = {}): number {
    this.pack(ds, theta, weights);
    const partial = getCore().pass(this.spec.kernel, {
      x: ds.x, aux: ds.aux, n: ds.n, dims: ds.dims, params: this.params, k: this.k, stats: this.statsRegion, scratch: this.scratch,
      hard: o.hard ?? false, accumulate: o.stats ?? false, respOut: o.respOut,
    });
    return partial + ds.logConstant;
  }

  /**
   * The statistics of points [from, from + count) with the given labels (a region of ≥ count
   * indices), added to the current statistics (`keep`) or replacing them. The seeding pass runs in
   * windows this way, so no N-length label array is ever allocated.
   */
  runLabels(ds: DatasetParts, theta: Float64Array, weights: Float64Array, from: number, count: number, labels: Region, keep: boolean): void {
    this.pack(ds, theta, weights);
    getCore().pass(this.spec.kernel, {
      x: ds.x.slice(from * ds.dims, count * ds.dims), aux: ds.aux ? ds.aux.slice(from, count) : null, n: count, dims: ds.dims,
      params: this.params, k: this.k, stats: this.statsRegion, scratch: this.scratch,
      hard: false, accumulate: true, keepStats: keep, labels,
    });
  }

  private pack(ds: DatasetParts, theta: Float64Array, weights: Float64Array): void {
    for (let j = 0; j < this.k; j++) this.logWeights[j] = M.log(weights[j]);
    this.spec.pack(theta, this.logWeights, ds, this.params.array);
  }

  free(): void {
    this.mem.free();
  }
}
