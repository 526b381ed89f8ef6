// WebAssembly memory of a fit of an Arrow table: `node scripts/arrow-memory.mjs N D` fits N rows ×
// D Float64 columns (in 4 record batches) on this thread (fitSync) in a fresh process, and prints
// JSON: the WebAssembly memory after the fit against the data's 8·N·D bytes, and whether the model
// equals the fit of the same values as a flat array (bit for bit). Needs `npm run build` first.
import { fitSync, wasmMemoryBytes } from "../dist/index.js";
import { Table, tableFromArrays } from "apache-arrow";

const n = Number(process.argv[2] ?? 1e6), d = Number(process.argv[3] ?? 2);
// A PRNG of our own (mulberry32) and two well separated clusters.
let a = 12345;
const uniform = () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const names = Array.from({ length: d }, (_, j) => `c${j}`);
const columns = names.map(() => new Float64Array(n));
for (let i = 0; i < n; i++) { const shift = i % 3 === 0 ? 4 : 0; for (let j = 0; j < d; j++) columns[j][i] = shift + normal(); }
const cut = [0, n >> 2, n >> 1, (3 * n) >> 2, n];
const table = new Table(cut.slice(1).map((end, b) => tableFromArrays(Object.fromEntries(names.map((c, j) => [c, columns[j].subarray(cut[b], end)]))).batches[0]));

const options = d === 1 ? { k: 2, maxIter: 10, tol: 0 } : { family: "mvgaussian", k: 2, maxIter: 10, tol: 0 };
const before = wasmMemoryBytes();
const t0 = performance.now();
const model = fitSync(table, { ...options, columns: names });
const ms = performance.now() - t0;
const wasmBytes = wasmMemoryBytes();
const dataBytes = 8 * n * d;
const flat = new Float64Array(n * d);
for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) flat[i * d + j] = columns[j][i];
const same = JSON.stringify(model.toJSON()) === JSON.stringify(fitSync(d === 1 ? flat : flat, d === 1 ? options : { ...options, dims: d }).toJSON());
process.stdout.write(JSON.stringify({ n, d, batches: table.batches.length, dataBytes, wasmBytesBefore: before, wasmBytes, overheadBytes: wasmBytes - dataBytes, ratio: +(wasmBytes / dataBytes).toFixed(4), fitMs: Math.round(ms), same }) + "\n");
