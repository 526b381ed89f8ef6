// The CLI's input: what a file argument is (a regular file, a pipe, standard input), reading it
// in blocks with a limit on what is held in memory, CSV (src/cli/csv.ts) or JSON as a table, and
// the chosen columns as Float64Arrays.
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import { CsvParser, type Batch, type Shape } from "./csv.js";
import { cellNumber, hint, missingAdvice, missingCell, missingCells } from "./numbers.js";
import { UsageError } from "./errors.js";
import { MAX_REGION_VALUES, type Arena, type Region } from "../wasm.js";

export { UsageError };

const MiB = 2 ** 20;
/** Files above this many bytes are streamed by `fit` (MIXEM_STREAM_ABOVE overrides; for tests). */
export const STREAM_ABOVE = Number(process.env.MIXEM_STREAM_ABOVE ?? 256 * MiB);
/** At most this many bytes of CSV are read into memory (MIXEM_MAX_BYTES overrides); JSON: a quarter. */
export const MAX_BYTES = Number(process.env.MIXEM_MAX_BYTES ?? 256 * MiB);
/** Bytes read per block (MIXEM_STREAM_BLOCK overrides; for tests). */
export const BLOCK = Number(process.env.MIXEM_STREAM_BLOCK ?? MiB);

export const mib = (bytes: number) => `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MiB`;

/** A file argument: standard input, a pipe, or a regular file of known size. */
export type Input = { file: string; source: string; kind: "stdin" | "pipe" | "file"; size: number };

export function inputOf(file: string): Input {
  if (file === "-") return { file, source: "standard input", kind: "stdin", size: 0 };
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (st.isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory`);
  if (st.isFIFO()) return { file, source: file, kind: "pipe", size: 0 };
  if (!st.isFile()) {
    const what = st.isCharacterDevice() ? "a character device" : st.isBlockDevice() ? "a block device" : st.isSocket() ? "a socket" : "not a file";
    throw new UsageError(`cannot read ${file}: it is ${what}, not a regular file; give a file, a pipe, or - for standard input`);
  }
  return { file, source: file, kind: "file", size: st.size };
}

/**
 * By the first (up to 8) bytes: Parquet's magic PAR1 then a byte no text has (a Thrift header's
 * 0x15), Arrow's file magic ARROW1 then its two zero bytes, or an IPC stream's 0xFFFFFFFF; a CSV
 * whose header starts "PAR1," or "ARROW1\n" is text.
 */
export function kindOfHead(head: Uint8Array): "parquet" | "arrow" | null {
  const text = String.fromCharCode(...head.subarray(0, 6));
  const binary = (b: number | undefined) => b !== undefined && b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d;
  if (text.startsWith("PAR1") && binary(head[4])) return "parquet";
  if (text === "ARROW1" && head[6] === 0 && head[7] === 0) return "arrow";
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) return "arrow";
  return null;
}

/**
 * The input's bytes, `BLOCK` at a time; a block is valid until the next is asked for. `limit`: reading more than that many bytes fails with
 * `tooBig(limit)`; onBytes reports progress.
 */
export async function* blocks(input: Input, limit = Infinity, tooBig?: (limit: number) => string, onBytes?: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let total = 0;
  const count = (n: number, block?: Uint8Array) => {
    // Parquet or Arrow IPC bytes where text is read (standard input, a pipe without such a name).
    if (total === 0 && block) {
      const columnar = kindOfHead(block.subarray(0, 8)), kind = columnar === "parquet" ? "Parquet" : columnar === "arrow" ? "Arrow IPC" : "";
      if (kind) throw new UsageError(`${input.source} holds ${kind} data, which mixem reads from a file (or a pipe named *.${kind === "Parquet" ? "parquet" : "arrows"}), not from standard input or an unnamed pipe: save it to a file`);
    }
    total += n;
    if (total > limit) throw new UsageError(tooBig ? tooBig(limit) : `${input.source}: more than ${mib(limit)}`);
    onBytes?.(total);
  };
  if (input.kind === "file") {
    if (input.size > limit) count(input.size);
    let fd: number;
    try {
      fd = openSync(input.file, "r");
    } catch (e) {
      throw new UsageError(`cannot read ${input.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      // One buffer for every block: a block is consumed (or copied) before the next is read.
      const buf = new Uint8Array(BLOCK);
      for (;;) {
        const n = readSync(fd, buf, 0, BLOCK, null);
        if (n === 0) break;
        count(n, buf.subarray(0, n));
        yield buf.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
    return;
  }
  const stream = input.kind === "stdin" ? process.stdin : createReadStream(input.file, { highWaterMark: Math.min(BLOCK, 4 * MiB) });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      count(chunk.length, chunk);
      yield chunk;
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${input.source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    if (input.kind === "pipe") (stream as ReturnType<typeof createReadStream>).destroy();
  }
}

/** A table of the input: the column names, and the columns as numbers (a cell that is not one, named). */
export interface Table {
  names: string[];
  source: string;
  hasHeader: boolean;
  rows: number;
  /** Does the column hold any number? */
  numeric(i: number): boolean;
  /** The column's values; fails naming the first row whose cell is not a number. */
  column(i: number): Float64Array;
  /** A labels column: numbers, NaN where a cell is empty or NA; fails naming the first other cell. */
  labelColumn(i: number): Float64Array;
  /** The level names (strings that are neither numbers nor missing) in column i, sorted; [] when there are none. */
  levelNames(i: number): string[];
  /**
   * Column i reads as level codes from now on: each name its index in `names`; a number, or a
   * name not in `names`, fails naming its row; a missing cell (NA, empty) is NaN under
   * --missing marginalize, else fails naming its row.
   */
  useLevels(i: number, names: string[]): void;
}

/** Texts of cells that are not numbers remembered per column (DenseTable.onBad). */
const TEXTS_SEEN = 1024;

/** At most this many distinct level names per column (as the categorical family's levels). */
export const MAX_LEVEL_NAMES = 1 << 16;

/** A cell's text as quoted in an error: JSON, its first 60 characters when longer (a cell may hold megabytes). */
export const quote = (v: unknown) => {
  const text = String(v ?? "");
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 60))}… (${text.length} characters)` : JSON.stringify(text);
};

/** A level name: the cell's text without the spaces and tabs around it. */
export const levelName = (text: string) => text.replace(/^[ \t]+|[ \t]+$/g, "");
export const levelsError = (source: string, name: string) =>
  new UsageError(`${source}, column ${name}: more than ${MAX_LEVEL_NAMES} distinct level names; is it an identifier rather than a categorical column?`);
export const notALevel = (source: string, row: number, name: string, v: unknown, names: string[]) =>
  new UsageError(`${source}, row ${row}, column ${name}: ${quote(v)} is not one of the column's levels (${names.slice(0, 20).map(quote).join(", ")}${names.length > 20 ? ", …" : ""})${hint(v)}`);
export const missingLevel = (source: string, row: number, name: string) =>
  new UsageError(`${source}, row ${row}, column ${name}: an empty or NA cell (a missing value) among level names; give it a level${missingCells.refusedBy === undefined ? ", or --missing marginalize where the family fits around missing values" : ` (${missingAdvice()})`}`);
export const numberAmongNames = (source: string, row: number, name: string, v: number) =>
  new UsageError(`${source}, row ${row}, column ${name}: ${v} is a number, but the column holds level names; use one or the other`);

export const cellError = (source: string, row: number, name: string, v: unknown) =>
  new UsageError(`${source}, row ${row}, column ${name}: ${quote(v)} is not a number${hint(v)}`);

/** A labels cell that means "unknown": empty or NA. */
const unknownLabel = (text: string) => text.trim() === "" || text.trim().toUpperCase() === "NA";
const labelError = (source: string, row: number, name: string, v: unknown) =>
  new UsageError(`${source}, row ${row}, column ${name}: ${quote(v)} is not a label (a component 1 … k, or empty / NA for unknown)`);

/**
 * A CSV table: every column as numbers, row-major (NaN where a cell is not a number). Given an
 * arena, the values live in WebAssembly memory, where a fit then reads them without a copy
 * (see Arena.borrow); the table's owner frees the arena.
 */
export class DenseTable implements Table {
  rows = 0;
  bad: ({ row: number; text: string } | undefined)[];
  /** Per column, its first cell that is neither a number nor empty / NA (a labels column allows those). */
  private odd: ({ row: number; text: string } | undefined)[];
  private seen: boolean[];
  private region: Region | null = null;
  private js = new Float64Array(0);
  /** Per column, its level names (strings not read as numbers) by first appearance; null past MAX_LEVEL_NAMES. */
  private names_: (Map<string, number> | null | undefined)[];
  /** Per column with level names, each row's name (its index in names_) + 1, or 0: a byte per row while there are fewer than 256 names. */
  private nameAt: (Uint8Array | Uint16Array | Int32Array | undefined)[];
  constructor(public shape: Shape, readonly source: string, private readonly memory: Arena | null = null) {
    this.bad = new Array(shape.width).fill(undefined);
    this.odd = new Array(shape.width).fill(undefined);
    this.seen = new Array(shape.width).fill(false);
    this.names_ = new Array(shape.width).fill(undefined);
    this.nameAt = new Array(shape.width).fill(undefined);
  }
  get names() { return this.shape.names; }
  get hasHeader() { return this.shape.hasHeader; }
  /** The values, row-major (the region's current view: it moves when WebAssembly memory grows). */
  get data(): Float64Array { return this.region ? this.region.array : this.js; }
  onBad(column: number, row: number, text: string) {
    // A text seen before in this column (the parser gives a repeated text as the same string): its name again.
    const seen = this.seenText[column]?.get(text);
    if (seen !== undefined) {
      if (seen >= 0) this.keepId(column, row, seen);
      return;
    }
    if (missingCells.allowed && missingCell(text)) return this.remember(column, text, -1); // --missing marginalize: NaN, a missing value
    if (!this.bad[column]) this.bad[column] = { row, text };
    if (!this.odd[column] && !unknownLabel(text)) this.odd[column] = { row, text };
    // Its first row is now kept (bad, odd): any later row with this text only needs its name recorded.
    this.remember(column, text, missingCell(text) ? -1 : this.keepName(column, row, levelName(text)));
  }
  /** Per column, the texts seen (up to TEXTS_SEEN) and their name's id (−1: none). */
  private seenText: (Map<string, number> | undefined)[] = [];
  private remember(column: number, text: string, id: number) {
    const seen = (this.seenText[column] ??= new Map());
    if (seen.size < TEXTS_SEEN) seen.set(text, id);
  }
  /** Records row's level name in column (rows arrive in order; 1-based); returns its id, or −1 past MAX_LEVEL_NAMES. */
  private keepName(column: number, row: number, name: string): number {
    let map = this.names_[column];
    if (map === null) return -1;
    if (map === undefined) map = this.names_[column] = new Map();
    let id = map.get(name);
    if (id === undefined) {
      if (map.size >= MAX_LEVEL_NAMES) { this.names_[column] = null; this.nameAt[column] = undefined; return -1; }
      map.set(name, (id = map.size));
    }
    this.keepId(column, row, id);
    return id;
  }
  private keepId(column: number, row: number, id: number) {
    if (this.names_[column] === null) return; // past MAX_LEVEL_NAMES: no names kept
    let at = this.nameAt[column];
    // Never narrower than now: a small id after a wide one (a Uint16Array there cut id 65,535 + 1 to 0, "missing").
    const bytes = Math.max(id + 1 > 0xffff ? 4 : id + 1 > 0xff ? 2 : 1, at?.BYTES_PER_ELEMENT ?? 1);
    const wide = bytes === 4 ? Int32Array : bytes === 2 ? Uint16Array : Uint8Array;
    if (!at || at.length < row || !(at instanceof wide)) {
      // Room for as many rows as the values reserved (a file: all of them, at once); zeros, so
      // pages of rows not yet read are never touched. Widened (once or twice) as names are added.
      const grown = new wide(Math.max(row, 1024, at && at.length >= row ? at.length : (at?.length ?? 0) * 2, Math.floor(this.data.length / this.shape.width)));
      if (at) grown.set(at);
      at = this.nameAt[column] = grown;
    }
    at[row - 1] = id + 1;
  }
  levelNames(i: number): string[] {
    const map = this.names_[i];
    if (map === null) throw levelsError(this.source, this.names[i]);
    return map ? [...map.keys()].sort() : [];
  }
  useLevels(i: number, names: string[]) {
    const map = this.names_[i], at = this.nameAt[i];
    if (map === null) throw levelsError(this.source, this.names[i]);
    const code = new Map(names.map((s, l) => [s, l]));
    const byId = map ? [...map.keys()].map((s) => code.get(s)) : [];
    const w = this.shape.width, n = this.rows, x = this.data;
    for (let r = 0; r < n; r++) {
      const v = x[r * w + i], id = at && r < at.length ? at[r] - 1 : -1;
      if (id >= 0) {
        const c = byId[id];
        if (c === undefined) throw notALevel(this.source, r + 1, this.names[i], [...map!.keys()][id], names);
        x[r * w + i] = c;
      } else if (!Number.isNaN(v)) throw numberAmongNames(this.source, r + 1, this.names[i], v);
      else if (!missingCells.allowed) throw missingLevel(this.source, r + 1, this.names[i]); // an empty or NA cell
    }
    this.bad[i] = undefined; // every cell is now a code (or a missing value)
  }
  /** A labels column (--labels): numbers as they are, an empty or NA cell NaN (unknown); any other cell an error. */
  labelColumn(i: number): Float64Array {
    const odd = this.odd[i];
    if (odd) throw labelError(this.source, odd.row, this.names[i], odd.text);
    const w = this.shape.width, n = this.rows, out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = this.data[r * w + i];
    return out;
  }
  /** Room for `length` values in all (the rows so far kept). */
  reserve(length: number) {
    if (length <= this.data.length) return;
    if (this.memory) {
      if (length > MAX_REGION_VALUES) throw new UsageError(`${this.source}: more than ${MAX_REGION_VALUES} values; give --stream`);
      const grown = this.memory.alloc(length);
      grown.array.set(this.data.subarray(0, this.rows * this.shape.width));
      this.region = grown; // the old region is freed with the arena (at the end of the command)
    } else {
      const grown = new Float64Array(length);
      grown.set(this.js.subarray(0, this.rows * this.shape.width));
      this.js = grown;
    }
  }
  /** Appends a batch; `expect`: the rows expected in all (sizes the buffer once). */
  add(batch: Batch, expect = 0) {
    const w = this.shape.width, need = (this.rows + batch.rows) * w;
    if (need > this.data.length) this.reserve(Math.max(need, Math.ceil(expect * w), Math.ceil(this.data.length * 1.5)));
    this.data.set(batch.values, this.rows * w);
    for (let a = 0; a < w; a++) {
      if (this.seen[a]) continue;
      for (let i = 0; i < batch.rows; i++) if (!Number.isNaN(batch.values[i * w + a])) { this.seen[a] = true; break; }
    }
    this.rows += batch.rows;
  }
  numeric(i: number) { return this.seen[i]; }
  column(i: number): Float64Array {
    const bad = this.bad[i];
    if (bad) throw cellError(this.source, bad.row, this.names[i], bad.text);
    const w = this.shape.width, n = this.rows;
    if (w === 1) return this.data.subarray(0, n);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = this.data[r * w + i];
    return out;
  }
  /** Fails as column(i) would (a cell that is not a number), without reading the column. */
  checkColumn(i: number): void {
    const bad = this.bad[i];
    if (bad) throw cellError(this.source, bad.row, this.names[i], bad.text);
  }
  /**
   * compact(idx), then the columns `extra` right after those rows, in the table's own memory (their
   * values copied out first, for a moment): [idx row-major (n × d) | extra[0] (n) | extra[1] (n) …],
   * where a fit reads them all in place and no region of their own is needed (the room is the
   * table's columns not chosen). Undefined, nothing done, without an arena or that room. Each
   * column's `array` is a fresh view (WebAssembly memory may have grown).
   */
  compactWith(idx: number[], extra: number[]): { readonly array: Float64Array }[] | undefined {
    const n = this.rows, d = idx.length, e = extra.length;
    if (!this.memory || this.shape.width === 1 || this.data.length < n * (d + e)) return undefined;
    const values = extra.map((i) => this.column(i)); // copies (width > 1)
    this.compact(idx);
    values.forEach((v, j) => this.data.set(v, n * (d + j)));
    const table = this;
    return values.map((_, j) => ({ get array() { return table.data.subarray(n * (d + j), n * (d + j + 1)); } }));
  }
  /**
   * Column i in a region of the table's arena, where a fit reads it in place (per-row trials: no
   * JavaScript copy, and none in the fit); without an arena, a Float64Array. Fails as column(i).
   * A region's `array` is a fresh view (a view made before WebAssembly memory grew is detached).
   */
  columnIn(i: number): { readonly array: Float64Array } {
    if (!this.memory) { const array = this.column(i); return { array }; }
    const bad = this.bad[i];
    if (bad) throw cellError(this.source, bad.row, this.names[i], bad.text);
    const w = this.shape.width, n = this.rows, region = this.memory.alloc(n);
    const x = this.data, out = region.array; // after the allocation: it may have moved memory
    for (let r = 0; r < n; r++) out[r] = x[r * w + i];
    return region;
  }
  /** The columns idx, row-major (the table's own array when they are all its columns, in order). */
  matrix(idx: number[]): Float64Array {
    for (const i of idx) if (this.bad[i]) this.column(i);
    const w = this.shape.width, n = this.rows, d = idx.length;
    if (d === w && idx.every((c, a) => c === a)) return this.data.subarray(0, n * w);
    const out = new Float64Array(n * d);
    const x = this.data;
    for (let r = 0; r < n; r++) for (let a = 0; a < d; a++) out[r * d + a] = x[r * w + idx[a]];
    return out;
  }
  /**
   * The columns idx, row-major, moved to the front of the table's own array (the table then holds
   * only them: no second copy of the data). Row r's values are read before row r is written, and
   * written at or before where they were read (d ≤ w), so no value is overwritten before it is read.
   */
  compact(idx: number[]): Float64Array {
    for (const i of idx) if (this.bad[i]) this.column(i);
    const w = this.shape.width, n = this.rows, d = idx.length, x = this.data, row = new Float64Array(d);
    if (!(d === w && idx.every((c, a) => c === a))) {
      for (let r = 0; r < n; r++) {
        for (let a = 0; a < d; a++) row[a] = x[r * w + idx[a]];
        x.set(row, r * d);
      }
      this.shape = { names: idx.map((i) => this.shape.names[i]), hasHeader: this.shape.hasHeader, width: d };
      this.bad = idx.map((i) => this.bad[i]);
      this.odd = idx.map((i) => this.odd[i]);
      this.seen = idx.map((i) => this.seen[i]);
      this.names_ = idx.map((i) => this.names_[i]);
      this.nameAt = idx.map((i) => this.nameAt[i]);
      this.seenText = idx.map((i) => this.seenText[i]);
    }
    return this.data.subarray(0, n * d);
  }
}

/** A JSON table: rows of cells as the file gave them. */
class RowsTable implements Table {
  hasHeader = true;
  /** Columns read as level codes (useLevels). */
  private coded = new Map<number, Float64Array>();
  constructor(readonly names: string[], readonly cells: unknown[][], readonly source: string) {}
  get rows() { return this.cells.length; }
  numeric(i: number) { return this.cells.some((r) => !Number.isNaN(cellNumber(r[i]))); }
  levelNames(i: number): string[] {
    const seen = new Set<string>();
    for (const r of this.cells) {
      const v = r[i];
      if (typeof v === "string" && Number.isNaN(cellNumber(v)) && !missingCell(v)) {
        seen.add(levelName(v));
        if (seen.size > MAX_LEVEL_NAMES) throw levelsError(this.source, this.names[i]);
      }
    }
    return [...seen].sort();
  }
  useLevels(i: number, names: string[]) {
    const code = new Map(names.map((s, l) => [s, l]));
    this.coded.set(i, Float64Array.from(this.cells, (r, row) => {
      const v = r[i];
      if (missingCell(v)) {
        if (missingCells.allowed) return NaN;
        throw missingLevel(this.source, row + 1, this.names[i]);
      }
      const x = cellNumber(v);
      if (!Number.isNaN(x)) throw numberAmongNames(this.source, row + 1, this.names[i], x);
      const c = typeof v === "string" ? code.get(levelName(v)) : undefined;
      if (c === undefined) throw notALevel(this.source, row + 1, this.names[i], v, names);
      return c;
    }));
  }
  column(i: number): Float64Array {
    const coded = this.coded.get(i);
    if (coded) return coded.slice();
    const out = new Float64Array(this.cells.length);
    this.cells.forEach((r, row) => {
      const x = cellNumber(r[i]);
      if (Number.isNaN(x) && !(missingCells.allowed && missingCell(r[i]))) throw cellError(this.source, row + 1, this.names[i], r[i]);
      out[row] = x;
    });
    return out;
  }
  labelColumn(i: number): Float64Array {
    return Float64Array.from(this.cells, (r, row) => {
      const v = r[i], x = cellNumber(v);
      if (!Number.isNaN(x)) return x;
      if (v === null || v === undefined || (typeof v === "string" && unknownLabel(v))) return NaN;
      throw labelError(this.source, row + 1, this.names[i], v);
    });
  }
  matrix(idx: number[]): Float64Array {
    const d = idx.length, out = new Float64Array(this.cells.length * d);
    idx.forEach((c, a) => this.column(c).forEach((v, row) => { out[row * d + a] = v; }));
    return out;
  }
}

export type AnyTable = DenseTable | RowsTable;

/**
 * Reads the whole input into a table; at most MAX_BYTES of CSV (a quarter of that of JSON). With
 * an arena, a CSV table's values are read into WebAssembly memory: for a file, room for the most
 * values its size allows (every cell one byte and a delimiter) is reserved at once — pages never
 * written are never touched, so the memory used is the data's, and it never grows. Standard input
 * and pipes (size unknown) grow by 1.5× with a copy, the outgrown region held until the arena is
 * freed — up to ~2.5× the data there.
 */
export async function readTable(input: Input, tooBig: (limit: number) => string, onBytes?: (bytes: number) => void, memory: Arena | null = null): Promise<AnyTable> {
  let parser: CsvParser | undefined, table: DenseTable | undefined, json: Uint8Array[] | undefined, read = 0;
  const pending: [number, number, string][] = [];
  const onBad = (a: number, row: number, text: string) => (table ? table.onBad(a, row, text) : pending.push([a, row, text]));
  const take = (batch: Batch | undefined) => {
    if (!batch) return;
    if (!table) {
      table = new DenseTable(parser!.shape!, input.source, memory);
      for (const [a, row, text] of pending) table.onBad(a, row, text);
      if (memory && input.kind === "file") table.reserve(Math.min(MAX_REGION_VALUES, Math.ceil(input.size / 2) + table.shape.width));
    }
    // Size the array once from the file's size and the bytes per row so far.
    const expect = input.size && read ? ((batch.firstRow - 1 + batch.rows) * input.size) / read * 1.02 + 16 : 0;
    table.add(batch, expect);
  };
  for await (const block of blocks(input, MAX_BYTES, tooBig, onBytes)) {
    read += block.length;
    if (!parser && !json) {
      const first = block.find((c) => c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xef && c !== 0xbb && c !== 0xbf);
      if (first === undefined && !input.file.endsWith(".json")) { parser = new CsvParser(input.source, onBad); }
      else if (input.file.endsWith(".json") || first === 91 || first === 123) json = [];
      else parser = new CsvParser(input.source, onBad);
    }
    if (json) {
      json.push(block.slice());
      if (read > MAX_BYTES / 4) throw new UsageError(tooBig(MAX_BYTES / 4).replace(/^/, "JSON: "));
    } else take(parser!.push(block, false));
  }
  if (json) return jsonTable(Buffer.concat(json).toString("utf8"), input.source);
  if (!parser) throw new UsageError(`${input.source}: no data`);
  take(parser.push(new Uint8Array(0), true));
  if (!table) {
    if (parser.shape) table = new DenseTable(parser.shape, input.source);
    else throw new UsageError(`${input.source}: no data`);
  }
  if (table.rows === 0) throw new UsageError(`${input.source}: no data rows (only a header row: ${table.names.join(",").slice(0, 60)})`);
  return table;
}

const describe = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : typeof v === "string" ? `the string ${JSON.stringify(v)}` : `${typeof v} ${String(v)}`);

function jsonTable(text: string, source: string): RowsTable {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const shapes = `expected an array of numbers, an array of objects, or {"columns": {"name": [numbers], ...}}`;
  if (Array.isArray(v)) {
    if (v.length === 0) throw new UsageError(`${source}: no data (an empty array)`);
    if (v.every((x) => typeof x === "number")) return new RowsTable(["value"], v.map((x) => [x]), source);
    if (v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x))) {
      const names = [...new Set(v.flatMap((x) => Object.keys(x)))];
      return new RowsTable(names, v.map((x) => names.map((n) => (x as Record<string, unknown>)[n])), source);
    }
    const i = v.findIndex((x) => typeof x !== (typeof v[0] === "number" ? "number" : "object") || x === null || Array.isArray(x));
    throw new UsageError(`${source}: item ${i + 1} is ${describe(v[i])}; ${shapes}`);
  }
  if (typeof v === "object" && v !== null && "columns" in v) {
    const cols = (v as { columns: unknown }).columns;
    if (typeof cols !== "object" || cols === null || Array.isArray(cols)) throw new UsageError(`${source}: "columns" is ${describe(cols)}; ${shapes}`);
    const names = Object.keys(cols);
    if (names.length === 0) throw new UsageError(`${source}: "columns" has no columns`);
    const c = cols as Record<string, unknown>;
    for (const name of names) if (!Array.isArray(c[name])) throw new UsageError(`${source}: column ${JSON.stringify(name)} is ${describe(c[name])}, not an array`);
    const n = Math.max(...names.map((name) => (c[name] as unknown[]).length));
    return new RowsTable(names, Array.from({ length: n }, (_, i) => names.map((name) => (c[name] as unknown[])[i])), source);
  }
  throw new UsageError(`${source}: ${shapes}, not ${describe(v)}`);
}

/** What choosing columns reads of a table (a CSV or JSON table, a Parquet or Arrow file). */
export type Columns = Pick<Table, "names" | "source" | "numeric">;

/** The column named (by name, or 1-based number), or else the one numeric column. */
export function columnIndex(t: Columns, wanted: string | undefined, what: string, exclude: number[] = []): number {
  if (wanted !== undefined) {
    let i = t.names.indexOf(wanted);
    if (i < 0 && /^\d+$/.test(wanted) && +wanted >= 1 && +wanted <= t.names.length) i = +wanted - 1;
    if (i < 0) throw new UsageError(`${t.source} has no column "${wanted}" (columns: ${t.names.join(", ")})`);
    return i;
  }
  const numeric = t.names.map((_, i) => i).filter((i) => t.numeric(i) && !exclude.includes(i));
  if (numeric.length === 1) return numeric[0];
  if (numeric.length === 0) throw new UsageError(`${t.source} has no numeric column`);
  throw new UsageError(`${t.source} has several numeric columns (${numeric.map((i) => t.names[i]).join(", ")}); choose one with ${what}`);
}

/**
 * The columns for a multivariate family: those named, or every column holding a number (a
 * column with a cell that is not a number is then an error naming that cell, not dropped).
 */
export function columnsOf(t: Columns, wanted: string | undefined, exclude: number[] = []): number[] {
  const idx = wanted === undefined
    ? t.names.map((_, i) => i).filter((i) => t.numeric(i) && !exclude.includes(i))
    : wanted.split(",").map((w) => columnIndex(t, w.trim(), "--columns"));
  if (idx.length === 0) throw new UsageError(`${t.source} has no numeric column`);
  return idx;
}

/** Rows of the columns idx, row-major. */
export function matrix(t: AnyTable, idx: number[]): Float64Array {
  return t.matrix(idx);
}
