// The CLI's input: CSV (parsed by papaparse) or JSON files as tables, the chosen columns as
// Float64Arrays, and large CSV files as a re-iterable source of pieces for fitStream.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import Papa from "papaparse";

/** A mistake on the command line or in the input file: printed as one line, exit code 2. */
export class UsageError extends Error {}

export type Table = { names: string[]; rows: unknown[][]; source: string; hasHeader?: boolean };

export function readTable(file: string): Table {
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const source = file === "-" ? "standard input" : file;
  const trimmed = text.trimStart();
  if (file.endsWith(".json") || trimmed.startsWith("[") || trimmed.startsWith("{")) return jsonTable(text, source);
  const parsed = Papa.parse<unknown[]>(text, { dynamicTyping: false, skipEmptyLines: "greedy" });
  // A one-column file has no delimiter to detect; that is not an error.
  const errors = parsed.errors.filter((e) => e.code !== "UndetectableDelimiter");
  if (errors.length) {
    const e = errors[0];
    throw new UsageError(`${source}: not valid CSV (${e.message}${e.row !== undefined ? ` at row ${e.row + 1}` : ""})`);
  }
  const rows = parsed.data;
  if (rows.length === 0) throw new UsageError(`${source}: no data`);
  const hasHeader = rows[0].some((v) => !isNumeric(v));
  const width = rows[0].length;
  const names = hasHeader ? rows[0].map(String) : Array.from({ length: width }, (_, i) => String(i + 1));
  return { names, rows: hasHeader ? rows.slice(1) : rows, source, hasHeader };
}

/** The start of a CSV file (whole lines of its first MiB) as a table: header and column choice, for streaming. */
export function firstPiece(file: string): Table {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const bytes = Buffer.alloc(Math.min(STREAM_BLOCK, 1 << 20));
  const n = readSync(fd, bytes, 0, bytes.length, 0);
  closeSync(fd);
  const text = bytes.subarray(0, n).toString("utf8");
  const cut = text.lastIndexOf("\n");
  const rows = Papa.parse<unknown[]>(cut < 0 ? text : text.slice(0, cut + 1), { skipEmptyLines: "greedy" }).data;
  if (rows.length === 0) throw new UsageError(`${file}: no data`);
  const hasHeader = rows[0].some((v) => !isNumeric(v));
  const names = hasHeader ? rows[0].map(String) : Array.from({ length: rows[0].length }, (_, i) => String(i + 1));
  return { names, rows: hasHeader ? rows.slice(1) : rows, source: file, hasHeader };
}

function jsonTable(text: string, source: string): Table {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) return { names: ["value"], rows: v.map((x) => [x]), source };
  if (Array.isArray(v) && v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x))) {
    const names = [...new Set(v.flatMap((x) => Object.keys(x)))];
    return { names, rows: v.map((x) => names.map((n) => (x as Record<string, unknown>)[n])), source };
  }
  if (typeof v === "object" && v !== null && typeof (v as { columns?: unknown }).columns === "object") {
    const cols = (v as { columns: Record<string, unknown[]> }).columns;
    const names = Object.keys(cols);
    const n = Math.max(...names.map((c) => (Array.isArray(cols[c]) ? cols[c].length : 0)));
    return { names, rows: Array.from({ length: n }, (_, i) => names.map((c) => cols[c]?.[i])), source };
  }
  throw new UsageError(`${source}: expected an array of numbers, an array of objects, or {"columns": {...}}`);
}

export const isNumeric = (v: unknown) => (typeof v === "number" ? Number.isFinite(v) : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)));

export function columnIndex(t: Table, wanted: string | undefined, what: string): number {
  if (wanted !== undefined) {
    let i = t.names.indexOf(wanted);
    if (i < 0 && /^\d+$/.test(wanted) && +wanted >= 1 && +wanted <= t.names.length) i = +wanted - 1;
    if (i < 0) throw new UsageError(`${t.source} has no column "${wanted}" (columns: ${t.names.join(", ")})`);
    return i;
  }
  const numeric = t.names.map((_, i) => i).filter((i) => t.rows.some((r) => isNumeric(r[i])));
  if (numeric.length === 1) return numeric[0];
  if (numeric.length === 0) throw new UsageError(`${t.source} has no numeric column`);
  throw new UsageError(`${t.source} has several numeric columns (${numeric.map((i) => t.names[i]).join(", ")}); choose one with ${what}`);
}

/** Rows of the chosen (or all numeric) columns, row-major, for the multivariate families. */
export function matrix(t: Table, wanted: string | undefined): { values: Float64Array; names: string[] } {
  const idx = wanted === undefined
    ? t.names.map((_, i) => i).filter((i) => t.rows.every((r) => isNumeric(r[i])))
    : wanted.split(",").map((w) => columnIndex(t, w.trim(), "--columns"));
  if (idx.length === 0) throw new UsageError(`${t.source} has no numeric column`);
  const d = idx.length;
  const values = new Float64Array(t.rows.length * d);
  idx.forEach((c, a) => column(t, c).forEach((v, row) => { values[row * d + a] = v; }));
  return { values, names: idx.map((i) => t.names[i]) };
}

export function column(t: Table, i: number): Float64Array {
  const out = new Float64Array(t.rows.length);
  t.rows.forEach((r, row) => {
    const v = r[i];
    if (!isNumeric(v)) throw new UsageError(`${t.source}, row ${row + 1}, column ${t.names[i]}: ${JSON.stringify(v ?? "")} is not a number`);
    out[row] = Number(v);
  });
  return out;
}

/** Files above this many bytes are streamed (MIXEM_STREAM_ABOVE overrides; for tests). */
export const STREAM_ABOVE = Number(process.env.MIXEM_STREAM_ABOVE ?? 256 * 2 ** 20);
/** Bytes read per piece when streaming (MIXEM_STREAM_BLOCK overrides; for tests). */
const STREAM_BLOCK = Number(process.env.MIXEM_STREAM_BLOCK ?? 8 * 2 ** 20);

/**
 * The chosen columns of a CSV file as a re-iterable source of Float64Array pieces: the file is
 * read STREAM_BLOCK bytes at a time, cut after the last newline, and each piece parsed by
 * papaparse; rows are numbered across pieces so errors still name the row.
 */
export function csvSource(file: string, names: string[], idx: number[], hasHeader: boolean) {
  return async function* () {
    const handle = await open(file, "r");
    try {
      const bytes = new Uint8Array(STREAM_BLOCK);
      const decoder = new TextDecoder();
      let carry = "", row = 0, first = true;
      for (;;) {
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, null);
        const done = bytesRead === 0;
        let text = carry + decoder.decode(bytes.subarray(0, bytesRead), { stream: !done });
        if (!done) {
          const cut = text.lastIndexOf("\n");
          carry = cut < 0 ? text : text.slice(cut + 1);
          text = cut < 0 ? "" : text.slice(0, cut + 1);
        }
        if (text.trim() !== "") {
          let rows = Papa.parse<string[]>(text, { skipEmptyLines: "greedy" }).data;
          if (first && hasHeader) rows = rows.slice(1);
          first = false;
          const d = idx.length, out = new Float64Array(rows.length * d);
          rows.forEach((r, i) => idx.forEach((c, a) => {
            const v = r[c];
            if (!isNumeric(v)) throw new UsageError(`${file}, row ${row + i + 1}, column ${names[c]}: ${JSON.stringify(v ?? "")} is not a number`);
            out[i * d + a] = Number(v);
          }));
          row += rows.length;
          if (out.length) yield out;
        }
        if (done) break;
      }
    } finally {
      await handle.close();
    }
  };
}

