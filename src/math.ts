// The elementary functions every fit-determining computation uses, from the WebAssembly core
// (AssemblyScript's software implementations) instead of the JavaScript engine's Math, whose
// last bits may differ between engines and versions. With them, the same data and seed give
// bit-identical models in Node, in every browser and in workers. (sqrt and + − × ÷ are exact
// IEEE operations everywhere and stay as they are.)
import { coreMathIfAvailable, getCore, type CoreMath } from "./wasm.js";

/** Set only inside withCoreOrEngineMath: the functions to use instead of asking getCore. */
let scoped: CoreMath | undefined;

export const log = (x: number): number => (scoped ?? getCore().math).log(x);
export const log1p = (x: number): number => (scoped ?? getCore().math).log1p(x);
export const exp = (x: number): number => (scoped ?? getCore().math).exp(x);
/** x^y for x > 0, as exp(y log x). */
export const pow = (x: number, y: number): number => exp(y * log(x));

const ENGINE: CoreMath = { log: Math.log, log1p: Math.log1p, exp: Math.exp };

/**
 * Runs f with the core's functions if the core is loaded or can be compiled here, else with the
 * engine's Math — for what needs no bit-exactness and should not need the WebAssembly: loadModel's
 * finiteness check of the packed parameters (its results are discarded) and the pictures.
 */
export function withCoreOrEngineMath<T>(f: () => T): T {
  if (scoped) return f();
  scoped = coreMathIfAvailable() ?? ENGINE;
  try {
    return f();
  } finally {
    scoped = undefined;
  }
}
