// Calls a spec's fused kernel: packs θ and the weights into kernel parameters, runs one pass,
// adds the per-point constants. The fit and the fitted model's predict/score share it. Its
// buffers (parameters, statistics, the kernel's scratch, sized here) live in one arena.
//
// Sums that do not depend on how the data is split: a pass runs the kernel on fixed blocks of
// SUM_BLOCK points (by their global index), keeps each block's log-likelihood and statistics, and
// adds the blocks up by one fixed pairwise tree (pairwiseSum). Threaded fits cut their shards at
// block boundaries and send the blocks' partial sums, so every thread count gives the very bits of
// fitSync (and the tree's rounding error grows with log(N / SUM_BLOCK), not with N).
import type { DatasetParts, Spec } from "./family.js";
import { getCore, type Arena, type PassCall, type Region } from "./wasm.js";
import * as M from "./math.js";

/** Points per partial sum (the seeding pass labels as many at a time). */
export const SUM_BLOCK = 65536;

/** Number of SUM_BLOCK blocks of n points. */
export const blockCount = (n: number) => Math.max(1, Math.ceil(n / SUM_BLOCK));

/**
 * Adds up `count` rows of `width` values in place by a fixed pairwise tree — row i gets row
 * i + step for step = 1, 2, 4, … — and leaves the sum in row 0. The tree depends only on `count`.
 */
export function pairwiseSum(rows: Float64Array, count: number, width: number): void {
  for (let step = 1; step < count; step *= 2)
    for (let i = 0; i + step < count; i += 2 * step)
      for (let c = 0; c < width; c++) rows[i * width + c] += rows[(i + step) * width + c];
}

/** What a pass computes besides the log-likelihood. */
export interface RunOptions {
  /** Classification EM: one-hot responsibilities. */
  hard?: boolean;
  /** Accumulate the statistics (read them from `stats`). */
  stats?: boolean;
  /** A search pass: only the statistics `refine` reads need be right (PassRequest.light). */
  light?: boolean;
  /** n × k responsibilities, row-major. */
  respOut?: Region | null;
  /** scoreSamples (runMissing): each incomplete row's log Σ_j w_j p(x_obs | θ_j), at its index as given. */
  scores?: Float64Array;
}

/** One pass's partial sums per block: log-likelihoods, statistics, and (partial labels) label terms. */
export interface Blocks { count: number; ll: Float64Array; stats: Float64Array; label?: Float64Array }

export class Evaluator {
  private readonly mem: Arena;
  private readonly params: Region;
  private readonly statsRegion: Region;
  private readonly scratch: Region;
  private readonly logWeights: Float64Array;
  private readonly statsCopy: Float64Array;
  /** Each block's log-likelihood and statistics of the last pass (grown to the largest data seen, not per pass). */
  private blockLL = new Float64Array(1);
  /** Each block's label term (partial labels, see PassCall.labelTerm) of the last pass. */
  private blockLabel = new Float64Array(1);
  /** The label term of the last pass summed by sumBlocks (0 without partial labels); `run` adds the rows with missing values'. */
  labelTerm = 0;
  /** The label term of the last runMissing (its patterns' labelled rows). */
  missingLabelTerm = 0;
  private blockStats: Float64Array;
  /** Views of the blocks' arrays for the last block count (see blocksOf). */
  private views: { count: number; plain: Blocks; labelled: Blocks } | undefined;
  /** One kernel call's description, reused for every block of every pass (no allocation per pass). */
  private readonly call: PassCall;
  /** Missing values: the margins' parameters and statistics, and their call (made at the first such pass). */
  private sub: { params: Region; stats: Region } | undefined;
  private subCall: PassCall | undefined;

  constructor(private readonly spec: Spec, readonly k: number) {
    const core = getCore();
    this.logWeights = new Float64Array(k);
    this.statsCopy = new Float64Array(k * spec.statsSize);
    this.blockStats = new Float64Array(k * spec.statsSize);
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
    this.call = {
      x: this.params, aux: null, from: 0, n: 0, dims: spec.dims, params: this.params, k, stats: this.statsRegion, scratch: this.scratch,
      hard: false, accumulate: false, keepStats: false, respOut: null, labels: null, weights: null, partialLabels: null,
    };
  }

  /** The reused call for points [from, from + SUM_BLOCK) of ds. */
  private blockCall(ds: DatasetParts, block: number): PassCall {
    const c = this.call, from = block * SUM_BLOCK;
    c.x = ds.x; c.aux = ds.aux; c.weights = ds.weights ?? null; c.partialLabels = ds.labels ?? null; c.from = from; c.n = Math.min(SUM_BLOCK, ds.n - from); c.dims = ds.dims;
    return c;
  }

  /** Values of statistics per block (k × statsSize). */
  get statsWidth(): number {
    return this.k * this.spec.statsSize;
  }

  /**
   * Statistics of the last pass run with `stats` (k × statsSize), in an array of this evaluator's
   * (overwritten by the next pass): it stays valid whatever a callback allocates before the M-step
   * reads it.
   */
  get stats(): Float64Array {
    return this.statsCopy;
  }

  /** Returns the log-likelihood Σ_i log Σ_j w_j p(x_i | θ_j) of ds at (θ, w), summed by blocks (see above). */
  run(ds: DatasetParts, theta: Float64Array, weights: Float64Array, o: RunOptions = {}): number {
    const blocks = this.runBlocks(ds, theta, weights, o);
    const ll = this.sumBlocks(blocks, o.stats ?? false) + ds.logConstant;
    if (!ds.missing) return ll;
    const rest = this.runMissing(ds, theta, weights, o, this.statsCopy);
    this.labelTerm += this.missingLabelTerm;
    return ll + rest;
  }

  /**
   * The rows with missing values (src/missing.ts), after the complete rows' pass: per pattern of
   * observed dimensions, the family's margin packs θ in those dimensions (one sub-Cholesky per
   * component) and its kernel runs over the pattern's rows; the statistics, completed by the
   * margin with E[· | x_obs] (Ghahramani & Jordan 1994), are added to `target`. Rows with nothing
   * observed contribute nothing. Returns Σ log Σ_j w_j p(x_obs | θ_j) of these rows. With
   * `respOut` (room for every row as given), the complete rows' responsibilities written by
   * runBlocks are joined by these (empty rows: the weights) and put back in the rows' order.
   */
  runMissing(ds: DatasetParts, theta: Float64Array, weights: Float64Array, o: RunOptions, target: Float64Array): number {
    const m = ds.missing!, k = this.k, margin = this.spec.margin, core = getCore();
    if (m.patterns.length > 0 && !margin) throw new Error("mixem: this family has no margin for missing values");
    for (let j = 0; j < k; j++) this.logWeights[j] = M.log(weights[j]);
    if (!this.sub) this.sub = { params: this.mem.alloc(this.params.length), stats: this.mem.alloc(this.statsRegion.length) };
    const c = this.subCall ??= { ...this.call };
    let ll = 0, row = ds.n;
    this.missingLabelTerm = 0;
    for (const p of m.patterns) {
      margin!.pack(theta, this.logWeights, p.observed, this.sub.params.array);
      // The pattern's rows' sample weights and partial labels (loadDataset), in its storage order.
      c.x = p.x; c.aux = null; c.weights = p.weights ?? null; c.partialLabels = p.labels ?? null; c.from = 0; c.n = p.n; c.dims = p.observed.length;
      c.params = this.sub.params; c.stats = this.sub.stats; c.labels = null;
      c.hard = o.hard ?? false; c.accumulate = o.stats ?? false;
      c.respOut = o.respOut ? o.respOut.slice(row * k, p.n * k) : null;
      if (o.scores) { // one row per pass
        c.n = 1;
        for (let i = 0; i < p.n; i++) { c.from = i; o.scores[m.order[row + i]] = core.pass(this.spec.kernel, c); }
        row += p.n;
        continue;
      }
      ll += core.pass(this.spec.kernel, c);
      this.missingLabelTerm += c.labelTerm ?? 0;
      if (o.stats) margin!.expand(theta, k, p.observed, p.missing, this.sub.params.array, this.sub.stats.array, target);
      row += p.n;
    }
    if (o.respOut) {
      const r = o.respOut.array, copy = r.slice(0, m.rows * k);
      for (let i = row; i < m.rows; i++) copy.set(weights.subarray(0, k), i * k);
      for (let i = 0; i < m.rows; i++) r.set(copy.subarray(i * k, (i + 1) * k), m.order[i] * k);
    }
    return ll;
  }

  /**
   * Runs the pass block by block and returns the blocks' partial sums — each block's
   * log-likelihood without the per-point constants, then each block's statistics — views of this
   * evaluator's arrays until the next pass (a threaded shard sends them to be added up globally).
   */
  runBlocks(ds: DatasetParts, theta: Float64Array, weights: Float64Array, o: RunOptions = {}): Blocks {
    this.pack(ds, theta, weights);
    const count = this.reserve(ds.n), width = this.statsWidth, core = getCore();
    for (let b = 0; b < count; b++) {
      const c = this.blockCall(ds, b);
      if (c.n === 0) { // missing values: no complete row
        this.blockLL[b] = 0;
        if (o.stats) this.blockStats.fill(0, b * width, (b + 1) * width);
        continue;
      }
      c.hard = o.hard ?? false; c.accumulate = o.stats ?? false; c.light = o.light ?? false; c.respOut = o.respOut ?? null; c.labels = null;
      this.blockLL[b] = core.pass(this.spec.kernel, c);
      this.blockLabel[b] = c.labelTerm ?? 0;
      if (o.stats) this.blockStats.set(this.statsRegion.array, b * width);
    }
    return this.blocksOf(count, ds.labels !== null && ds.labels !== undefined);
  }

  /** The views of the first `count` blocks (made once per count, not per pass), with the label terms' or without. */
  private blocksOf(count: number, labelled: boolean): Blocks {
    let v = this.views;
    if (!v || v.count !== count) {
      const ll = this.blockLL.subarray(0, count), stats = this.blockStats.subarray(0, count * this.statsWidth);
      v = this.views = { count, plain: { count, ll, stats }, labelled: { count, ll, stats, label: this.blockLabel.subarray(0, count) } };
    }
    return labelled ? v.labelled : v.plain;
  }

  /**
   * The statistics of points [from, from + count) — one block — with the given labels (a region of ≥
   * count component indices), kept as that block's partial statistics (see labelBlocksDone).
   */
  runLabels(ds: DatasetParts, theta: Float64Array, weights: Float64Array, block: number, labels: Region): void {
    if (block === 0) this.pack(ds, theta, weights);
    this.reserve(ds.n);
    const c = this.blockCall(ds, block);
    c.hard = false; c.accumulate = true; c.respOut = null; c.labels = labels; c.partialLabels = null;
    getCore().pass(this.spec.kernel, c);
    this.blockLL[block] = 0;
    this.blockStats.set(this.statsRegion.array, block * this.statsWidth);
  }

  /** The blocks of the last labelled pass, as runBlocks returns them. */
  labelBlocks(n: number): { count: number; ll: Float64Array; stats: Float64Array } {
    return this.blocksOf(blockCount(n), false);
  }

  /** Adds up the last pass's blocks (and their statistics, into `stats`); returns the log-likelihood without the constants. */
  sumBlocks(blocks: Blocks, stats: boolean): number {
    pairwiseSum(blocks.ll, blocks.count, 1);
    if (blocks.label) pairwiseSum(blocks.label, blocks.count, 1);
    this.labelTerm = blocks.label ? blocks.label[0] : 0;
    if (stats) {
      pairwiseSum(blocks.stats, blocks.count, this.statsWidth);
      this.statsCopy.set(blocks.count === 1 ? blocks.stats : blocks.stats.subarray(0, this.statsWidth));
    }
    return blocks.ll[0];
  }

  /** Room for the blocks of n points (grows once per data size, not per pass); returns their number. */
  private reserve(n: number): number {
    const count = blockCount(n);
    if (this.blockLL.length < count) {
      this.views = undefined;
      this.blockLL = new Float64Array(count);
      this.blockLabel = new Float64Array(count);
      this.blockStats = new Float64Array(count * this.statsWidth);
    }
    return count;
  }

  private pack(ds: DatasetParts, theta: Float64Array, weights: Float64Array): void {
    for (let j = 0; j < this.k; j++) this.logWeights[j] = M.log(weights[j]);
    this.spec.pack(theta, this.logWeights, ds, this.params.array);
  }

  free(): void {
    this.mem.free();
  }
}
