// The only module that touches the WebAssembly instance and its memory. The binary travels
// inlined (base64) so Node, bundlers and a bare <script type="module"> all work unconfigured.
// Outside this module, memory is Regions (runs of f64 values) and Arenas (regions freed together);
// no other module sees a pointer, a byte offset, a flag bit or memory.buffer.
import { wasmBase64 } from "./generated/wasm-binary.js";
import { MixemError } from "./errors.js";

/** Signature of every kernel (assembly/kernels/*.ts, see assembly/pass.ts): byte offsets and counts. */
type PassKernel = (
  x: number, aux: number, n: number, dims: number, params: number, k: number,
  stats: number, scratch: number, respOut: number, labels: number, flags: number,
) => number;

export interface CoreMath {
  log(x: number): number;
  log1p(x: number): number;
  exp(x: number): number;
}

interface CoreExports extends CoreMath {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  BLOCK: WebAssembly.Global;
  [kernel: string]: unknown;
}

/**
 * The most values one region (one array in WebAssembly memory) can hold: AssemblyScript's TLSF
 * allocator serves blocks below 1 GiB, so just under 2^27 doubles. All regions together share the
 * instance's 32-bit memory, 4 GiB (MEMORY_LIMIT_BYTES).
 */
export const MAX_REGION_VALUES = 2 ** 27 - 1024;
export const MEMORY_LIMIT_BYTES = 2 ** 32;

// Flag bits of the kernels (assembly/pass.ts); callers name what they want in a PassCall.
const FLAG_HARD = 1;
const FLAG_ACCUMULATE = 2;
const FLAG_KEEP_STATS = 4;
const FLAG_LIGHT = 8;

/** A run of f64 values in linear memory. `array` is a view that is re-made if memory grew. */
export class Region {
  private view: Float64Array;
  /** @internal */
  constructor(private readonly core: WasmCore, readonly ptr: number, readonly length: number) {
    this.view = core.f64View(ptr, length);
  }
  get array(): Float64Array {
    if (this.view.buffer !== this.core.buffer) this.view = this.core.f64View(this.ptr, this.length);
    return this.view;
  }
  /** Values [from, from + length) of this region, as a region that shares its memory (not freed on its own). */
  slice(from: number, length: number): Region {
    return new Region(this.core, this.ptr + from * 8, length);
  }
}

/** Regions allocated together and freed together (a dataset, an evaluator's buffers). */
export class Arena {
  private readonly regions: Region[] = [];
  /** @internal */
  constructor(private readonly core: WasmCore) {}
  alloc(length: number): Region {
    const r = this.core.alloc(length);
    this.regions.push(r);
    return r;
  }
  /** `data` used where it lies in WebAssembly memory, if it does (see WasmCore.borrow); not freed by this arena. */
  borrow(data: unknown): Region | null {
    return this.core.borrow(data);
  }
  /** Frees every region of the arena (again: nothing). */
  free(): void {
    this.core.free(...this.regions.splice(0));
  }
}

/** One kernel pass over points [from, from + n) of the data: what to read, where to write, what to compute. */
export interface PassCall {
  x: Region;
  aux: Region | null;
  /** The first point (default 0): `x`, `aux` and `respOut` are read and written from there. */
  from?: number;
  n: number;
  dims: number;
  params: Region;
  k: number;
  stats: Region;
  scratch: Region;
  /** Classification EM: one-hot responsibilities at the most likely component. */
  hard: boolean;
  /** Compute the statistics (replacing `stats`, or adding to them with `keepStats`). */
  accumulate: boolean;
  keepStats?: boolean;
  /** A search pass (PassRequest.light): the kernel may leave out the statistics `refine` does not read. */
  light?: boolean;
  /** Responsibilities, row-major, k per point (written at point `from` on), or null. */
  respOut?: Region | null;
  /** Component index of each point (the seeding pass): one-hot statistics, no density evaluated. */
  labels?: Region | null;
  /** Sample weights, one per point (read from point `from` on), or null: each point counts w_i times. */
  weights?: Region | null;
  /** Partial labels, one per point (read from point `from` on; −1 unknown, else the component), or null. */
  partialLabels?: Region | null;
  /** Set by the pass with partialLabels: Σ_labelled w_i log r_i,l (see assembly/pass.ts pointLabels), else 0. */
  labelTerm?: number;
}

export class WasmCore {
  /** Points per block of the kernels (assembly/pass.ts BLOCK). */
  readonly block: number;
  /** Engine-independent elementary functions (see src/math.ts). */
  readonly math: CoreMath;
  /** Live regions: address → values. */
  private readonly live = new Map<number, number>();
  constructor(private readonly exports: CoreExports) {
    this.block = exports.BLOCK.value as number;
    this.math = { log: exports.log, log1p: exports.log1p, exp: exports.exp };
  }
  get buffer(): ArrayBuffer {
    return this.exports.memory.buffer;
  }
  /** Bytes of linear memory (it only grows; freed regions are reused). */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }
  /** Regions allocated and not yet freed (for leak tests). */
  get liveRegions(): number {
    return this.live.size;
  }
  /** @internal */
  f64View(ptr: number, length: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, length);
  }
  alloc(length: number): Region {
    if (!(Number.isSafeInteger(length) && length >= 0 && length <= MAX_REGION_VALUES))
      throw new MixemError("INVALID_DATA", `cannot hold ${length} values in one WebAssembly array (at most ${MAX_REGION_VALUES}, just under 2^27: 1 GiB of doubles)`);
    const bytes = Math.max(8, length * 8);
    let ptr: number;
    try {
      if (this.failIn !== null && this.failIn-- === 0) throw new Error("injected");
      // Addresses are unsigned: at and above 2 GiB the i32 that WebAssembly returns is negative.
      ptr = this.exports.alloc(bytes) >>> 0;
    } catch {
      this.failIn = null;
      throw new MixemError("INVALID_DATA", `cannot allocate ${bytes} more bytes of WebAssembly memory (${this.memoryBytes} of the instance's 4 GiB are reserved; ${this.liveRegions} arrays in use)`);
    }
    this.live.set(ptr, length);
    return new Region(this, ptr, length);
  }

  private failIn: number | null = null;
  /** @internal For tests: the allocation after `count` more succeed fails as if memory ran out (null: none). */
  failAllocationAfter(count: number | null): void {
    this.failIn = count;
  }
  free(...regions: (Region | null | undefined)[]): void {
    for (const r of regions) {
      if (r && this.live.delete(r.ptr)) this.exports.free(r.ptr);
    }
  }
  /**
   * `data` as a region when it is a Float64Array lying inside a live region of this instance's
   * memory (data that was read straight into WebAssembly memory, as the CLI does): used where it
   * lies, not copied, and not freed with the fit (its owner frees it). Otherwise null.
   */
  borrow(data: unknown): Region | null {
    if (!(data instanceof Float64Array) || data.buffer !== this.exports.memory.buffer) return null;
    const start = data.byteOffset, end = start + data.byteLength;
    for (const [ptr, length] of this.live) if (start >= ptr && end <= ptr + length * 8) return new Region(this, start, data.length);
    return null;
  }
  /** A new arena: regions allocated through it are freed by its `free()`. */
  arena(): Arena {
    return new Arena(this);
  }
  /** Values of scratch a kernel needs for k components of dims values, with `work` columns of its own. */
  scratchLength(k: number, dims: number, work: number): number {
    return this.block * (k + dims + 4 + work); // see assembly/pass.ts: k columns, the block's points, aux, three for sample weights and labels, the kernel's work
  }
  /** Whether the core exports a kernel of this name (the family registry's conformance test asks). */
  hasKernel(name: string): boolean {
    return typeof this.exports[name] === "function";
  }
  /** The kernel call of `pass` (a method, not a closure: no allocation per pass). */
  private call(kernel: PassKernel, c: PassCall, from: number, flags: number): number {
    return kernel(c.x.ptr + from * c.dims * 8, c.aux ? c.aux.ptr + from * 8 : 0, c.n, c.dims, c.params.ptr, c.k, c.stats.ptr, c.scratch.ptr,
      c.respOut ? c.respOut.ptr + from * c.k * 8 : 0, c.labels ? c.labels.ptr : 0, flags);
  }

  /** Runs kernel `name` once (see PassCall); returns Σ_i log Σ_j w_j p(x_i | θ_j) without the per-point constants. */
  pass(name: string, c: PassCall): number {
    const kernel = this.exports[name] as PassKernel;
    const flags = (c.hard ? FLAG_HARD : 0) | (c.accumulate ? FLAG_ACCUMULATE : 0) | (c.keepStats ? FLAG_KEEP_STATS : 0) | (c.light ? FLAG_LIGHT : 0);
    const from = c.from ?? 0;
    c.labelTerm = 0;
    if (!c.weights && !c.partialLabels) return this.call(kernel, c, from, flags);
    const setWeights = this.exports.setPointWeights as (ptr: number) => void;
    const setLabels = this.exports.setPointLabels as (ptr: number) => void;
    if (c.weights) setWeights(c.weights.ptr + from * 8);
    if (c.partialLabels) setLabels(c.partialLabels.ptr + from * 8);
    try {
      const ll = this.call(kernel, c, from, flags);
      if (c.partialLabels) c.labelTerm = (this.exports.lastLabelTerm as () => number)();
      return ll;
    } finally {
      setWeights(0);
      setLabels(0);
    }
  }
}

const imports = {
  env: {
    abort(_msg: number, _file: number, line: number, col: number): never {
      throw new Error(`mixem: WebAssembly abort at ${line}:${col}`);
    },
  },
};

// How the binary reaches a bundle only when something in it needs it. BINARY's initializer
// registers the base64 text when it runs; it is annotated pure, so a bundler drops it (and the
// 23 KB string with it) from a bundle where nothing refers to BINARY. init, initSync,
// wasmMemoryBytes and fitSync (so fit, fitInWorker, selectK, fitStream) refer to it; getCore, which the model's methods, the
// families' math and the plots reach, does not. So an app importing only loadModel or plotFit
// carries no WebAssembly, and in it getCore without the core throws NOT_READY (call `init()`);
// wherever BINARY is kept — unbundled Node, the whole package, any bundle with fit — it runs at
// load and getCore compiles on first use as before.
let source: string | undefined;
const register = (base64: string): string => (source ??= base64);
const BINARY: string = /* @__PURE__ */ register(wasmBase64);
/** Keeps the binary in the bundles of the functions that call this, and registers it. */
export function withBinary(): void {
  source ??= BINARY;
}

function wasmBytes(): Uint8Array<ArrayBuffer> {
  // Empty in the worker bundle, which gets the compiled module from the main thread instead.
  if (source === undefined)
    throw new MixemError("NOT_READY", "the WebAssembly core is not loaded in this bundle: call `await init()` (or `initSync()`) first");
  if (!source) throw new Error("mixem: this bundle has no WebAssembly of its own (a worker is sent the compiled module)");
  const bin = atob(source);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

// The smallest module that uses a v128 value: (func (result v128) (v128.const i32x4 0 0 0 0)).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

/**
 * The core is built for WebAssembly SIMD (f64x2) only — every engine mixem supports runs it (Node
 * ≥ 16.4, Chrome/Edge ≥ 91, Firefox ≥ 89, Safari ≥ 16.4) — so an engine without it gets this error
 * rather than a compile error about an unknown opcode.
 */
function checkSimd(): void {
  if (typeof WebAssembly !== "object") throw new MixemError("UNSUPPORTED", "this JavaScript environment has no WebAssembly");
  if (!WebAssembly.validate(SIMD_PROBE))
    throw new MixemError("UNSUPPORTED", "this JavaScript engine lacks WebAssembly SIMD, which mixem's core needs (Node ≥ 16.4, Chrome/Edge ≥ 91, Firefox ≥ 89, Safari ≥ 16.4)");
}

let core: WasmCore | undefined;
let compiled: WebAssembly.Module | undefined;
let pending: Promise<WasmCore> | undefined;

function start(module: WebAssembly.Module, instance: WebAssembly.Instance): WasmCore {
  if (!core) {
    core = new WasmCore(instance.exports as unknown as CoreExports);
    compiled = module;
  }
  return core;
}

/** Compiles and instantiates the WebAssembly core once; later calls return the same promise. */
export function init(): Promise<void> {
  withBinary();
  return compileAsync();
}

/** init() without keeping the binary in the bundle: compiles the registered binary, if any. */
function compileAsync(): Promise<void> {
  if (core) return Promise.resolve();
  try {
    checkSimd();
    pending ??= WebAssembly.compile(wasmBytes()).then(async (module) => start(module, await WebAssembly.instantiate(module, imports)));
  } catch (e) {
    return Promise.reject(e);
  }
  return pending.then(() => undefined);
}

/**
 * Synchronous initialisation, for Node, Workers and code that cannot await. Browsers refuse
 * synchronous compilation of modules over 4 KB on the main thread: there, `await init()` first.
 */
export function initSync(): void {
  withBinary();
  compileSync();
}

function compileSync(): void {
  if (core) return;
  checkSimd();
  const bytes = wasmBytes();
  try {
    const module = new WebAssembly.Module(bytes);
    start(module, new WebAssembly.Instance(module, imports));
  } catch (e) {
    throw new MixemError("NOT_READY", `the WebAssembly core cannot be compiled synchronously here (${(e as Error).message}); call \`await init()\` first`);
  }
}

/**
 * The compiled core, for mixem's workers: they receive it with their first message (a
 * WebAssembly.Module crosses postMessage without copying its code) and instantiate it, so the
 * worker bundle carries no second copy of the binary and nothing is compiled twice.
 */
export async function compiledCore(): Promise<WebAssembly.Module> {
  // Binary-free, so that the threads chunk (src/threads.ts, loaded on demand by fit) does not keep
  // the binary alive in bundles without fit: its callers (fit, fitInWorker) have called init().
  await compileAsync();
  return compiled!;
}

/** In a worker: instantiates the module the main thread sent (see compiledCore). */
export function initFromModule(module: WebAssembly.Module): void {
  if (!core) start(module, new WebAssembly.Instance(module, imports));
}

/** The shared core, initialised synchronously if nobody has done it yet. */
export function getCore(): WasmCore {
  if (!core) compileSync();
  return core!;
}

/**
 * The core's elementary functions if the core is or can be had here (initialised, or compiled now
 * where that is allowed), else null: for checks and pictures that can do with the engine's Math.
 */
export function coreMathIfAvailable(): CoreMath | null {
  if (core) return core.math;
  if (!source) return null;
  try {
    compileSync();
  } catch {
    return null;
  }
  return core!.math;
}

/** Bytes of WebAssembly memory of this thread's instance (it grows as needed and never shrinks). */
export function wasmMemoryBytes(): number {
  withBinary();
  return getCore().memoryBytes;
}
