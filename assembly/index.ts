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
