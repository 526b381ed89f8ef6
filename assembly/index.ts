// mixem's WebAssembly core: memory management for the TypeScript side, the block size and the
// elementary functions. The kernels — one fused E-step + sufficient-statistics pass each — live
// in assembly/kernels/, one file per kernel: scripts/build.mjs gives every file there to asc as a
// further entry, so each file's top-level exports (its kernel, and nothing else) are exported
// from the module. Every kernel has the signature of blockedPass's callers (see assembly/pass.ts):
//   NAME(x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags): f64
// Everything works on f64 arrays addressed by byte offsets into linear memory; the TypeScript
// wrapper owns what lives where.

/** Allocates `size` bytes (8-byte aligned) from the TLSF heap; the caller frees it. */
export function alloc(size: usize): usize { return heap.alloc(size); }
export function free(ptr: usize): void { heap.free(ptr); }

export { BLOCK, setPointWeights, setPointLabels, lastLabelTerm } from "./pass";
export { expInPlace, logInPlace } from "./simd";

// Elementary functions for the TypeScript side: AssemblyScript's own software implementations,
// so every number that decides a fit is computed identically in every JavaScript engine.
export function log(x: f64): f64 { return Math.log(x); }
export function log1p(x: f64): f64 { return Math.log1p(x); }
export function exp(x: f64): f64 { return Math.exp(x); }
