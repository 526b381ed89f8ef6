// mixem's WebAssembly core: memory management for the TypeScript side and one fused
// E-step + sufficient-statistics pass per family. Everything works on f64 arrays addressed by
// byte offsets into linear memory; the TypeScript wrapper owns what lives where.

/** Allocates `size` bytes (8-byte aligned) from the TLSF heap; the caller frees it. */
export function alloc(size: usize): usize { return heap.alloc(size); }
export function free(ptr: usize): void { heap.free(ptr); }

export { BLOCK } from "./pass";
export { gaussianPass } from "./gaussian";
export { poissonPass } from "./poisson";
export { binomialPass } from "./binomial";
export { mvnFullPass } from "./mvn_full";
export { mvnDiagPass } from "./mvn_diag";
export { bernoulliPass } from "./bernoulli";
export { expInPlace } from "./simd";

// Elementary functions for the TypeScript side: AssemblyScript's own software implementations,
// so every number that decides a fit is computed identically in every JavaScript engine.
export function log(x: f64): f64 { return Math.log(x); }
export function log1p(x: f64): f64 { return Math.log1p(x); }
export function exp(x: f64): f64 { return Math.exp(x); }
