// The elementary functions every fit-determining computation uses, from the WebAssembly core
// (AssemblyScript's software implementations) instead of the JavaScript engine's Math, whose
// last bits may differ between engines and versions. With them, the same data and seed give
// bit-identical models in Node, in every browser and in workers. (sqrt and + − × ÷ are exact
// IEEE operations everywhere and stay as they are.)
import { getCore } from "./wasm.js";

export const log = (x: number): number => getCore().math.log(x);
export const log1p = (x: number): number => getCore().math.log1p(x);
export const exp = (x: number): number => getCore().math.exp(x);
/** x^y for x > 0, as exp(y log x). */
export const pow = (x: number, y: number): number => exp(y * log(x));
