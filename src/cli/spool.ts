// --stream: the CSV is parsed once, in blocks, into a temporary file of Float64 rows (the chosen
// columns); every EM pass then reads that file. The file is deleted when the process exits, also
// after an error or on SIGINT / SIGTERM.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CsvParser, type Batch } from "./csv.js";
import { BLOCK, blocks, DenseTable, type Input } from "./input.js";
import { UsageError } from "./errors.js";
import { hint, missingCell, missingCells } from "./numbers.js";

const temps = new Set<string>();
let hooked = false;
const cleanup = () => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  temps.clear();
};
function hook() {
  if (hooked) return;
  hooked = true;
  process.on("exit", cleanup);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(signal, () => {
      cleanup();
      process.stderr.write(`\nmixem: interrupted (${signal})\n`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
}

export type Spool = {
  table: DenseTable; // the first block's rows: header and column choice
  idx: number[];
  rows: number;
  path: string;
  /** Chunks of rows for fitStream, read from the temporary file. */
  source: () => AsyncIterable<Float64Array>;
  /** Where the i-th value of chunk c came from, in the file's terms. */
  rowOfChunk: (chunk: number, index: number) => string;
};

/**
 * Parses the input once into a temporary file of its chosen columns. `choose` picks the columns
 * from a table of the first block's rows (and may fail, as in memory).
 */
export async function spool(input: Input, choose: (t: DenseTable) => number[], onBytes?: (bytes: number) => void): Promise<Spool> {
  hook();
  const dir = mkdtempSync(join(tmpdir(), "mixem-"));
  temps.add(dir);
  const path = join(dir, "rows.f64");
  const fd = openSync(path, "w");
  let table: DenseTable | undefined, idx: number[] = [], rows = 0;
  const pending: [number, number, string][] = [];
  const parser = new CsvParser(input.source, (a, row, text) => {
    if (missingCells.allowed && missingCell(text)) return; // --missing marginalize
    if (!table) pending.push([a, row, text]);
    else if (idx.includes(a)) throw new UsageError(`${input.source}, row ${row}, column ${table.names[a]}: ${JSON.stringify(text)} is not a number${hint(text)}`);
  });
  let out = new Float64Array(0);
  const write = (batch: Batch | undefined) => {
    if (!batch) return;
    if (!table) {
      table = new DenseTable(parser.shape!, input.source);
      for (const [a, row, text] of pending) table.onBad(a, row, text);
      table.add(batch);
      idx = choose(table);
      table.matrix(idx); // a bad cell in the chosen columns of the first block: named
    }
    const w = parser.shape!.width, d = idx.length, n = batch.rows;
    let rowsOut: Float64Array;
    if (d === w && idx.every((c, a) => c === a)) rowsOut = batch.values;
    else {
      if (out.length < n * d) out = new Float64Array(n * d);
      for (let r = 0; r < n; r++) for (let a = 0; a < d; a++) out[r * d + a] = batch.values[r * w + idx[a]];
      rowsOut = out.subarray(0, n * d);
    }
    const bytes = new Uint8Array(rowsOut.buffer, rowsOut.byteOffset, rowsOut.byteLength);
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    rows += n;
  };
  try {
    for await (const block of blocks(input, Infinity, undefined, onBytes)) write(parser.push(block, false));
    write(parser.push(new Uint8Array(0), true));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOSPC") throw new UsageError(`--stream: no space left for the temporary file in ${tmpdir()} (set TMPDIR to a larger disk)`);
    throw e;
  } finally {
    closeSync(fd);
  }
  if (!table || rows === 0) throw new UsageError(`${input.source}: no data`);
  const t = table, d = idx.length, total = rows;
  const perChunk = Math.max(1, Math.floor(BLOCK / (8 * d)));
  return {
    table: t, idx, rows: total, path,
    source: chunksOf(path, total, d),
    rowOfChunk: (c, i) => {
      const row = c * perChunk + Math.floor(i / d);
      return `${input.source}, row ${row + 1}, column ${t.names[idx[d === 1 ? 0 : i % d]]}`;
    },
  };
}

/**
 * Rows of d values written by `fill` (a Parquet or Arrow file's row groups: src/cli/columnar.ts)
 * into a temporary file, read back in chunks for fitStream as the CSV's are.
 */
export async function spoolRows(source: string, names: string[], fill: (write: (values: Float64Array) => void) => Promise<void>): Promise<{ rows: number; path: string; source: () => AsyncIterable<Float64Array>; rowOfChunk: (chunk: number, index: number) => string }> {
  hook();
  const dir = mkdtempSync(join(tmpdir(), "mixem-"));
  temps.add(dir);
  const path = join(dir, "rows.f64");
  const fd = openSync(path, "w");
  const d = names.length;
  let values = 0;
  try {
    await fill((x) => {
      const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
      values += x.length;
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOSPC") throw new UsageError(`--stream: no space left for the temporary file in ${tmpdir()} (set TMPDIR to a larger disk)`);
    throw e;
  } finally {
    closeSync(fd);
  }
  const total = values / d;
  if (total === 0) throw new UsageError(`${source}: no data`);
  const perChunk = Math.max(1, Math.floor(BLOCK / (8 * d)));
  return {
    rows: total, path, source: chunksOf(path, total, d),
    rowOfChunk: (c, i) => `${source}, row ${c * perChunk + Math.floor(i / d) + 1}, column ${names[d === 1 ? 0 : i % d]}`,
  };
}

/** Chunks of rows (about BLOCK bytes each) read from the temporary file, for fitStream. */
function chunksOf(path: string, total: number, d: number): () => AsyncIterable<Float64Array> {
  const perChunk = Math.max(1, Math.floor(BLOCK / (8 * d)));
  return async function* () {
    const rfd = openSync(path, "r");
    try {
      for (let r = 0; r < total; r += perChunk) {
        const chunk = new Float64Array(Math.min(perChunk, total - r) * d);
        const bytes = new Uint8Array(chunk.buffer);
        for (let off = 0; off < bytes.length;) {
          const got = readSync(rfd, bytes, off, bytes.length - off, r * d * 8 + off);
          if (got === 0) throw new UsageError(`--stream: the temporary file ${path} was cut short`);
          off += got;
        }
        // Back to the event loop between chunks: SIGINT is handled (and the file deleted) mid-fit.
        await new Promise((resolve) => setImmediate(resolve));
        yield chunk;
      }
    } finally {
      closeSync(rfd);
    }
  };
}
