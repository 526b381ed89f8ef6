// Writes the files of the CLI's per-row columns measurement (docs/performance.md, "The CLI's
// trials and weights columns"): `node bench/cli-columns-data.mjs N DIR` writes DIR/cols-N.csv,
// .parquet (snappy, row groups of 2^20 rows) and .arrow (record batches of 2^20 rows), columns
// x (two normals), heads out of n trials (two coins), n (5…24) and w (weights in [0.5, 1.5)).
import { createWriteStream, writeFileSync } from "node:fs";
import { parquetWriteFile } from "hyparquet-writer";
import { Table, tableFromArrays, tableToIPC, vectorFromArray, Int32, Float64 } from "apache-arrow";

const n = Number(process.argv[2] ?? 1e6), dir = process.argv[3] ?? ".";
let a = 7; // mulberry32
const uniform = () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const x = new Float64Array(n), heads = new Int32Array(n), trials = new Int32Array(n), w = new Float64Array(n);
for (let i = 0; i < n; i++) {
  const c = i % 2, t = 5 + (i % 20);
  x[i] = Math.round((3 * c + Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())) * 1e4) / 1e4;
  let h = 0;
  for (let j = 0; j < t; j++) if (uniform() < (c ? 0.7 : 0.25)) h++;
  heads[i] = h; trials[i] = t; w[i] = Math.round((0.5 + uniform()) * 1e3) / 1e3;
}
const base = `${dir}/cols-${n}`;
const out = createWriteStream(`${base}.csv`);
let text = "x,heads,n,w\n";
for (let i = 0; i < n; i++) {
  text += `${x[i]},${heads[i]},${trials[i]},${w[i]}\n`;
  if (text.length > 1 << 20) { out.write(text); text = ""; }
}
out.end(text);
const G = 1 << 20;
parquetWriteFile({ filename: `${base}.parquet`, rowGroupSize: G, columnData: [
  { name: "x", data: x, type: "DOUBLE" }, { name: "heads", data: heads, type: "INT32" },
  { name: "n", data: trials, type: "INT32" }, { name: "w", data: w, type: "DOUBLE" },
] });
const batches = [];
for (let s = 0; s < n; s += G) {
  const e = Math.min(n, s + G);
  batches.push(tableFromArrays({ x: vectorFromArray(x.subarray(s, e), new Float64()), heads: vectorFromArray(heads.subarray(s, e), new Int32()), n: vectorFromArray(trials.subarray(s, e), new Int32()), w: vectorFromArray(w.subarray(s, e), new Float64()) }).batches[0]);
}
writeFileSync(`${base}.arrow`, tableToIPC(new Table(batches), "file"));
console.log(`wrote ${base}.csv .parquet .arrow`);
