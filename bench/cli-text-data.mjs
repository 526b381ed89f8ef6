// Writes the files of the CLI's text-columns measurement (docs/arrow-parquet.md, "Text columns:
// measured"): `node bench/cli-text-data.mjs N DIR` writes, for N rows of smoker (yes / no), region
// (ne, nw, se, sw) and visits (0 … 6):
//   DIR/text-N.csv, .parquet (strings dictionary-encoded, snappy), -plain.parquet (strings PLAIN),
//   .arrow (Dictionary<Int32, Utf8>), -utf8.arrow (Utf8) — the text;
//   DIR/codes-N.csv, .parquet, .arrow — the same rows as level codes (Int32): what a fit of codes costs.
// Parquet in row groups, Arrow in record batches, of 2^20 rows.
import { createWriteStream, writeFileSync } from "node:fs";
import { once } from "node:events";
import { parquetWriteFile } from "hyparquet-writer";
import { Table, tableFromArrays, tableToIPC, vectorFromArray, Dictionary, Int32, Utf8 } from "apache-arrow";

const n = Number(process.argv[2] ?? 1e6), dir = process.argv[3] ?? ".";
let a = 11; // mulberry32
const uniform = () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const SMOKER = ["no", "yes"], REGION = ["ne", "nw", "se", "sw"];
const smoker = new Int32Array(n), region = new Int32Array(n), visits = new Int32Array(n);
for (let i = 0; i < n; i++) {
  const c = i % 2;
  smoker[i] = uniform() < (c ? 0.8 : 0.15) ? 1 : 0;
  const u = uniform();
  region[i] = c ? (u < 0.5 ? 0 : u < 0.8 ? 1 : u < 0.9 ? 2 : 3) : (u < 0.1 ? 0 : u < 0.2 ? 1 : u < 0.6 ? 2 : 3);
  visits[i] = Math.floor(uniform() * 4) + 3 * c;
}
const G = 1 << 20;
for (const kind of ["text", "codes"]) {
  const base = `${dir}/${kind}-${n}`, text = kind === "text";
  const out = createWriteStream(`${base}.csv`);
  let chunk = "smoker,region,visits\n";
  for (let i = 0; i < n; i++) {
    chunk += text ? `${SMOKER[smoker[i]]},${REGION[region[i]]},${visits[i]}\n` : `${smoker[i]},${region[i]},${visits[i]}\n`;
    if (chunk.length > 1 << 20) { if (!out.write(chunk)) await once(out, "drain"); chunk = ""; }
  }
  out.end(chunk);
  await once(out, "finish");
  const s = text ? Array.from(smoker, (v) => SMOKER[v]) : smoker, r = text ? Array.from(region, (v) => REGION[v]) : region;
  const type = text ? "STRING" : "INT32";
  for (const encoding of text ? [undefined, "PLAIN"] : [undefined])
    parquetWriteFile({ filename: `${base}${encoding ? "-plain" : ""}.parquet`, rowGroupSize: G, columnData: [
      { name: "smoker", data: s, type, encoding }, { name: "region", data: r, type, encoding }, { name: "visits", data: visits, type: "INT32" },
    ] });
  for (const arrow of text ? ["dictionary", "utf8"] : ["codes"]) {
    // One type per column (a dictionary's id is its column's), the same in every batch.
    const [ts, tr] = [0, 1].map(() => (arrow === "dictionary" ? new Dictionary(new Utf8(), new Int32()) : arrow === "utf8" ? new Utf8() : new Int32()));
    // The whole columns, then sliced into batches: slices share the dictionary (an IPC file holds one per column).
    const whole = tableFromArrays({ smoker: vectorFromArray(s, ts), region: vectorFromArray(r, tr), visits: vectorFromArray(visits, new Int32()) });
    const batches = [];
    for (let b = 0; b < n; b += G) batches.push(...whole.slice(b, Math.min(n, b + G)).batches);
    writeFileSync(`${base}${arrow === "utf8" ? "-utf8" : ""}.arrow`, tableToIPC(new Table(batches), "file"));
  }
}
console.log(`wrote ${dir}/text-${n}{.csv,.parquet,-plain.parquet,.arrow,-utf8.arrow}, ${dir}/codes-${n}{.csv,.parquet,.arrow}`);
