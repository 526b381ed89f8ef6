// Parquet and Arrow IPC files for the command line. The readers (hyparquet with
// hyparquet-compressors, apache-arrow) are bundled into the CLI only and loaded when such a file
// is given: the library itself depends on neither. A file is read a row group (Parquet) or a
// record batch (Arrow) at a time, only the chosen columns, straight into the rows the fit reads —
// WebAssembly memory in memory, the temporary file of rows when streaming (src/cli/spool.ts).
import { openSync, readSync, closeSync, createReadStream, promises as fsp } from "node:fs";
import { UsageError } from "./errors.js";
import { missingAdvice, missingCells } from "./numbers.js";
import { kindOfHead, quote, type Input } from "./input.js";
import { arrowRowsInto } from "../arrow.js";
import { MixemError } from "../errors.js";
import { getCore, MAX_REGION_VALUES, type Arena } from "../wasm.js";
import { arrowText, LevelCodes } from "./levels.js";

export type ColumnarKind = "parquet" | "arrow";

/** Parquet or Arrow IPC by the file's name, or else by its first bytes (kindOfHead). */
export function columnarKind(input: Input): ColumnarKind | null {
  const name = input.file.toLowerCase();
  if (/\.(parquet|parq|pq)$/.test(name)) return "parquet";
  if (/\.(arrow|arrows|feather|ipc)$/.test(name)) return "arrow";
  if (input.kind !== "file" || input.size < 8) return null;
  const head = new Uint8Array(8);
  const fd = openSync(input.file, "r");
  try {
    readSync(fd, head, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  return kindOfHead(head);
}


/**
 * Standard input's kind by its first bytes, which are put back for the reader: Arrow IPC is read
 * from it as from a pipe (batch by batch, once); Parquet is refused by openColumnar (its footer
 * comes first), CSV and JSON read as before.
 */
export async function stdinKind(): Promise<ColumnarKind | null> {
  const stdin = process.stdin;
  // read(8) gives 8 bytes, or at the end what is left (null: nothing); put back at once, before
  // the stream could emit its end.
  const head = await new Promise<Buffer | null>((resolve, reject) => {
    const stop = () => { stdin.off("readable", more); stdin.off("end", end); stdin.off("error", fail); };
    const end = () => { stop(); resolve(null); };
    const fail = (e: Error) => { stop(); reject(new UsageError(`cannot read standard input: ${(e as NodeJS.ErrnoException).code ?? e.message}`)); };
    const more = () => {
      const got: Buffer | null = stdin.read(8);
      if (got === null) return; // fewer than 8 bytes so far
      stdin.unshift(got);
      stop();
      resolve(got);
    };
    stdin.on("readable", more).on("end", end).on("error", fail);
  });
  return head ? kindOfHead(head) : null;
}

/** A Parquet or Arrow file: its columns (names, which hold numbers) and how to read chosen ones. */
export interface ColumnarFile {
  source: string;
  names: string[];
  hasHeader: true;
  /** Rows, when known before reading (Parquet's metadata; an Arrow stream: unknown). */
  rows: number | undefined;
  /** At most this many rows, when rows is unknown but bounded (an Arrow file: see openArrow). */
  rowsAtMost?: number;
  numeric(i: number): boolean;
  /** Does column i hold text (Parquet strings; Arrow Utf8, or a Dictionary of Utf8)? */
  text(i: number): boolean;
  /**
   * Calls f with the columns idx of each row group / record batch, row-major (valid until f
   * returns); `firstRow` is the batch's first row, 1-based, for errors. levels[a]: column idx[a]
   * read as level names (src/cli/levels.ts), its text columns only.
   */
  read(idx: number[], f: (values: Float64Array, rows: number, firstRow: number) => void, levels?: (LevelCodes | undefined)[]): Promise<void>;
}

/** The type names of Parquet columns read as numbers (hyparquet's converted values). */
const PARQUET_NUMERIC = new Set(["BOOLEAN", "INT32", "INT64", "FLOAT", "DOUBLE"]);
const NOT_NUMBERS = /^(DATE|TIME|TIMESTAMP|INTERVAL|UTF8|STRING|ENUM|JSON|BSON|UUID|MAP|LIST)/;
/** Parquet BYTE_ARRAY annotations that are not text (hyparquet reads the others, and none, as strings). */
const NOT_TEXT = /^(DECIMAL|JSON|BSON|GEOMETRY|GEOGRAPHY|VARIANT|UUID|FLOAT16)/;

export async function openColumnar(input: Input, kind: ColumnarKind): Promise<ColumnarFile> {
  if (kind === "parquet") {
    if (input.kind !== "file") throw new UsageError(`${input.source}: Parquet is read from a file (its footer comes first); save the ${input.kind === "stdin" ? "input" : "pipe"} to a file`);
    return openParquet(input);
  }
  return openArrow(input);
}

async function openParquet(input: Input): Promise<ColumnarFile> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetSchema, parquetRead, compressors } = await import("./cli-readers.js");
  const file = await asyncBufferFromFile(input.file);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new UsageError(`${input.source}: not a Parquet file (${(e as Error).message})`);
  }
  const columns = parquetSchema(metadata).children;
  const names = columns.map((c) => c.element.name);
  const numeric = columns.map((c) => {
    const e = c.element;
    const logical = (e.logical_type as { type?: string } | undefined)?.type ?? "";
    return c.children.length === 0 && e.type !== undefined && PARQUET_NUMERIC.has(e.type) && !NOT_NUMBERS.test(e.converted_type ?? "") && !NOT_NUMBERS.test(logical);
  });
  const text = columns.map((c) => {
    const e = c.element;
    return c.children.length === 0 && e.type === "BYTE_ARRAY" && !NOT_TEXT.test(e.converted_type ?? "") && !NOT_TEXT.test((e.logical_type as { type?: string } | undefined)?.type ?? "");
  });
  const groups = metadata.row_groups.map((g) => Number(g.num_rows));
  return {
    source: input.source, names, hasHeader: true, rows: Number(metadata.num_rows),
    numeric: (i) => numeric[i],
    text: (i) => text[i],
    async read(idx, f, levels) {
      // A column chosen twice (--weights naming a data column) is read once, into each of its places.
      const d = idx.length, chosen = [...new Set(idx.map((i) => names[i]))];
      const places = new Map(chosen.map((name) => [name, idx.flatMap((i, a) => (names[i] === name ? [a] : []))]));
      let start = 0, values = new Float64Array(0);
      const parsers = { stringFromBytes: internStrings() };
      for (const rows of groups) {
        if (rows === 0) continue;
        if (values.length < rows * d) values = new Float64Array(rows * d);
        const x = values.subarray(0, rows * d);
        // One row group, one chosen column at a time (the reader holds a column's decoded pages
        // until the call ends: one column's, not all of them): onChunk gives column pieces (possibly
        // past the group's ends), from promise callbacks of the reader's own: a bad value is kept
        // and thrown after.
        let bad: unknown;
        for (const name of chosen) {
          const at = places.get(name)!;
          try {
            await parquetRead({
              file, metadata, columns: [name], rowStart: start, rowEnd: start + rows, compressors, utf8: true, parsers,
              onChunk: ({ columnName, columnData, rowStart }) => {
                try {
                  for (const a of at) {
                    // A text column's names as ids or codes (levels[a]), else numbers.
                    const names = levels?.[a];
                    for (let i = Math.max(0, start - rowStart); i < columnData.length && rowStart + i < start + rows; i++)
                      x[(rowStart + i - start) * d + a] = names ? names.cell(columnData[i], rowStart + i + 1) : cellValue(columnData[i], input.source, rowStart + i + 1, columnName);
                  }
                } catch (e) {
                  bad ??= e;
                }
              },
            });
          } catch (e) {
            throw new UsageError(`${input.source}: cannot read rows ${start + 1}–${start + rows} (${(e as Error).message})`);
          }
          if (bad) throw bad;
        }
        if (bad) throw bad;
        f(x, rows, start + 1);
        start += rows;
      }
    },
  };
}

/**
 * Strings of Parquet byte arrays, the same bytes decoded once (a PLAIN page of level names repeats
 * a few strings: one string each, not one per row): each byte array's FNV-1a hash, checked byte
 * for byte; at most 4096 kept, short ones (≤ 64 bytes).
 */
function internStrings(): (bytes: Uint8Array | undefined) => string | undefined {
  const kept = new Map<number, { bytes: Uint8Array; text: string }>(), decoder = new TextDecoder();
  return (bytes) => {
    if (!bytes) return undefined;
    if (bytes.length > 64) return decoder.decode(bytes);
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    const e = kept.get(h);
    if (e && e.bytes.length === bytes.length && e.bytes.every((b, i) => b === bytes[i])) return e.text;
    const text = decoder.decode(bytes);
    if (!e && kept.size < 4096) kept.set(h, { bytes: bytes.slice(), text });
    return text;
  };
}

/** A Parquet value as a number: numbers, safe bigints, booleans; anything else is an error naming its row (1-based) and column. */
function cellValue(v: unknown, source: string, row: number, column: string): number {
  if (typeof v === "number") {
    if (Number.isFinite(v)) return v;
  } else if (typeof v === "bigint") {
    const x = Number(v);
    if (Number.isSafeInteger(x)) return x;
    throw new UsageError(`${source}, row ${row}, column ${column}: ${v} is beyond 2^53, where doubles stop being exact integers`);
  } else if (typeof v === "boolean") return v ? 1 : 0;
  else if ((v === null || v === undefined) && missingCells.allowed) return NaN; // --missing marginalize: a missing value
  const what = v === null || v === undefined ? `null (a missing value: ${missingAdvice()})` : typeof v === "string" ? quote(v) : v instanceof Date ? `a date (${v.toISOString()})` : String(v);
  // Text in a Parquet column is the column's type (every value is text), not one odd cell.
  const text = typeof v === "string" ? `; the column holds text (a Parquet string column), not numbers` : "";
  throw new UsageError(`${source}, row ${row}, column ${column}: ${what} is not a number${text}`);
}

/** Arrow IPC, file or stream format (apache-arrow tells them apart), from a file or a pipe. */
async function openArrow(input: Input): Promise<ColumnarFile> {
  const { RecordBatchReader } = await import("./cli-readers.js");
  const open = async () => {
    // A file through a file handle: read where needed (an IPC file's footer, then batch by batch);
    // given as a stream, an IPC file is held whole in memory to reach its footer.
    try {
      const reader = await (input.kind === "file"
        ? await RecordBatchReader.from(fsp.open(input.file))
        : await RecordBatchReader.from(input.kind === "stdin" ? process.stdin : createReadStream(input.file))).open();
      if (!reader.schema) throw new Error("no schema");
      return reader;
    } catch {
      // The reader's own message names its internals (a DataView offset, a null field): not shown.
      throw new UsageError(`${input.source}: not an Arrow IPC file or stream, or one cut short or damaged (no schema could be read)`);
    }
  };
  const first = await open();
  const fields = first.schema.fields;
  const names = fields.map((f) => f.name);
  const numeric = fields.map((f) => [2, 3, 6].includes(f.type.typeId)); // Int, Float, Bool
  const text = fields.map((f) => arrowText(f.type));
  let reader: typeof first | null = first;
  // A file of `size` bytes holds at most size / (the bytes a row takes at least) rows (its body
  // uncompressed: else more, and the room grows).
  const least = fields.reduce((s, f) => s + leastBytes(f.type as ArrowType), 0);
  return {
    source: input.source, names, hasHeader: true, rows: undefined,
    rowsAtMost: input.kind === "file" && least > 0 ? Math.floor(input.size / least) + 1 : undefined,
    numeric: (i) => numeric[i],
    text: (i) => text[i],
    async read(idx, f, levels) {
      // The schema was read from the first opening: the batches follow from there (a pipe is read once).
      const r = reader ?? (input.kind === "file" ? await open() : null);
      reader = null;
      if (!r) throw new UsageError(`${input.source}: a pipe is read once, and --weights or --trials-column read a second column: save it to a file`);
      const chosen = idx.map((i) => names[i]), d = idx.length;
      let values = new Float64Array(0), start = 0;
      try {
        for await (const batch of r) {
          const rows = batch.numRows;
          if (rows === 0) continue;
          if (values.length < rows * d) values = new Float64Array(rows * d);
          const x = values.subarray(0, rows * d);
          // --missing marginalize: a null is NaN; text columns read as level names.
          arrowRowsInto(batch, chosen, x, 0, input.source, start + 1, missingCells.allowed, levels && ((a) => levels[a] && ((chunk, row) => levels[a]!.arrowChunk(chunk, row))));
          for (const l of levels ?? []) if (l?.failed) throw l.failed;
          f(x, rows, start + 1);
          start += rows;
        }
      } catch (e) {
        if (e instanceof UsageError) throw e;
        if (e instanceof MixemError) throw new UsageError(e.message.replace(/^(.*?): row /, "$1, row ").replace(/column "([^"]*)"/, "column $1"));
        throw new UsageError(`${input.source}: cannot read the Arrow data (${(e as Error).message})`);
      }
    },
  };
}

/** A column read into memory: `array` is a fresh view (WebAssembly memory may have grown since). */
export type ColumnIn = { readonly array: Float64Array };

type ArrowType = { typeId: number; bitWidth?: number; precision?: number; byteWidth?: number };

/** The bytes an Arrow column of this type takes per row at least, in a record batch's body (0: none known). */
function leastBytes(type: ArrowType): number {
  switch (type.typeId) {
    case 2: return (type.bitWidth ?? 8) / 8; // Int
    case 3: return type.precision === 0 ? 2 : type.precision === 1 ? 4 : 8; // Float16/32/64
    case 6: return 1 / 8; // Bool: a bit
    case 4: case 5: case 8: case 9: case 11: case 12: return 4; // Binary, Utf8 (an offset), Date, Time, Interval, List
    case 7: return (type.bitWidth ?? 128) / 8; // Decimal
    case 10: return 8; // Timestamp
    case 15: return type.byteWidth ?? 0; // FixedSizeBinary
    case 19: case 20: return 8; // LargeBinary, LargeUtf8
    default: return 0;
  }
}

/**
 * The columns idx of the whole file, row-major, in one array — and each of the columns `extra`
 * (per-row trials, sample weights) in an array of its own — in one pass over the file: in
 * WebAssembly memory with an arena (where the fit reads them in place), else JavaScript arrays.
 * Room for the rows is made once when they are known (Parquet) or bounded (an Arrow file: its
 * size over the bytes a row takes at least; pages never written are never touched), else grown
 * by 1.5×, each outgrown region freed at once.
 */
export async function readColumns(f: ColumnarFile, idx: number[], memory: Arena | null, extra: number[] = [], levels?: (LevelCodes | undefined)[]): Promise<{ data: () => Float64Array; rows: number; extra: ColumnIn[]; levels: (string[] | undefined)[] }> {
  const d = idx.length, e = extra.length, w = d + e;
  // A bound on the rows is used while all it reserves stays within one region's size (1 GiB).
  let capacity = f.rows ?? (f.rowsAtMost !== undefined && f.rowsAtMost * w <= MAX_REGION_VALUES ? f.rowsAtMost : 1 << 16), rows = 0;
  type Room = { array: () => Float64Array; free: () => void };
  const alloc = (values: number): Room => {
    if (values > MAX_REGION_VALUES) throw new UsageError(`${f.source}: more than ${MAX_REGION_VALUES} values; give --stream`);
    if (memory) { const r = memory.alloc(values); return { array: () => r.array, free: () => getCore().free(r) }; }
    const a = new Float64Array(values);
    return { array: () => a, free: () => {} };
  };
  let data = alloc(capacity * d), columns = extra.map(() => alloc(capacity));
  await f.read([...idx, ...extra], (values, n) => {
    if (rows + n > capacity) {
      capacity = Math.max(rows + n, Math.ceil(capacity * 1.5));
      const grow = (old: Room, per: number) => {
        const grown = alloc(capacity * per);
        grown.array().set(old.array().subarray(0, rows * per));
        old.free();
        return grown;
      };
      data = grow(data, d);
      columns = columns.map((c) => grow(c, 1));
    }
    if (e === 0) data.array().set(values, rows * d);
    else {
      // The batch's rows of w values: the first d to the data, the others each to its column.
      const x = data.array(), cs = columns.map((c) => c.array());
      for (let i = 0; i < n; i++) {
        const from = i * w, to = (rows + i) * d;
        for (let a = 0; a < d; a++) x[to + a] = values[from + a];
        for (let b = 0; b < e; b++) cs[b][rows + i] = values[from + d + b];
      }
    }
    rows += n;
  }, levels && [...levels, ...extra.map(() => undefined)]);
  if (rows === 0) throw new UsageError(`${f.source}: no data rows`);
  const view = data, n = rows;
  // Text columns: ids recoded as the sorted names' codes, in place (LevelCodes.finish).
  const names = idx.map((_, a) => levels?.[a]?.finish(view.array(), n, d, a));
  return {
    data: () => view.array().subarray(0, n * d), rows: n, levels: names,
    extra: columns.map((c) => ({ get array() { return c.array().subarray(0, n); } })),
  };
}
