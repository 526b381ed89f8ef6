// Calls a spec's fused kernel: packs θ and the weights into kernel parameters, runs one pass,
// adds the per-point constants. The fit and the fitted model's predict/score share it.
import type { Dataset, Spec } from "./family.js";
import { FLAG_ACCUMULATE, FLAG_KEEP_STATS, type Region, type WasmCore } from "./wasm.js";
import * as M from "./math.js";

export class Evaluator {
  private readonly params: Region;
  private readonly statsRegion: Region;
  private readonly scratch: Region;
  private readonly logWeights: Float64Array;

  constructor(private readonly core: WasmCore, private readonly spec: Spec, readonly k: number) {
    this.logWeights = new Float64Array(k);
    // Small regions (k × a few values): allocation can only fail when memory is exhausted.
    this.params = core.alloc(spec.headerSize + k * spec.paramsSize);
    this.statsRegion = core.alloc(k * spec.statsSize);
    this.scratch = core.alloc(core.block * (k + spec.dims + 1)); // see assembly/pass.ts
  }

  /** Statistics of the last pass run with FLAG_ACCUMULATE (k × statsSize). */
  get stats(): Float64Array {
    return this.statsRegion.array;
  }

  /**
   * Returns the log-likelihood Σ_i log Σ_j w_j p(x_i | θ_j) of ds at (θ, w). With `labels`
   * (a region of n component indices) it only accumulates the statistics of that assignment.
   */
  run(ds: Dataset, theta: Float64Array, weights: Float64Array, flags: number, respOut = 0, labels: Region | null = null): number {
    this.pack(ds, theta, weights);
    const partial = this.core.kernel(this.spec.kernel)(
      ds.x.ptr, ds.aux ? ds.aux.ptr : 0, ds.n, this.params.ptr, this.k,
      this.statsRegion.ptr, this.scratch.ptr, respOut, labels ? labels.ptr : 0, flags,
    );
    return partial + ds.logConstant;
  }

  /**
   * The statistics of points [from, from + count) with the given labels (a region of ≥ count
   * indices), added to the current statistics (`keep`) or replacing them. The seeding pass runs in
   * windows this way, so no N-length label array is ever allocated.
   */
  runLabels(ds: Dataset, theta: Float64Array, weights: Float64Array, from: number, count: number, labels: Region, keep: boolean): void {
    this.pack(ds, theta, weights);
    this.core.kernel(this.spec.kernel)(
      ds.x.ptr + from * ds.dims * 8, ds.aux ? ds.aux.ptr + from * 8 : 0, count, this.params.ptr, this.k,
      this.statsRegion.ptr, this.scratch.ptr, 0, labels.ptr, FLAG_ACCUMULATE | (keep ? FLAG_KEEP_STATS : 0),
    );
  }

  private pack(ds: Dataset, theta: Float64Array, weights: Float64Array): void {
    for (let j = 0; j < this.k; j++) this.logWeights[j] = M.log(weights[j]);
    this.spec.pack(theta, this.logWeights, ds, this.params.array);
  }

  free(): void {
    this.core.free(this.params, this.statsRegion, this.scratch);
  }
}
