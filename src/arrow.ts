// Apache Arrow data (a Table, a RecordBatch or a Vector, from apache-arrow, DuckDB-WASM, Arquero…)
// recognised by its shape, so mixem depends on no Arrow library. The chosen columns are read chunk
// by chunk straight into one region of WebAssembly memory, row-major: a Float64 chunk without
// nulls is one typed-array copy, other integer and float types are converted on the way. Nothing
// is copied into JavaScript arrays.
import { dataError, MixemError, optionError } from "./errors.js";
import { MAX_REGION_VALUES, type Arena } from "./wasm.js";
import type { Family } from "./family.js";

/** An Arrow data type, as read here: its `typeId` (Arrow's `Type` enum) and, by kind, `bitWidth`, `isSigned`, `precision`. */
export interface ArrowTypeLike {
  readonly typeId: number;
}

/** One chunk of an Arrow column (apache-arrow's `Data`): its type, length, offset, values and validity bitmap. */
export interface ArrowDataLike {
  readonly type: ArrowTypeLike;
  readonly length: number;
  readonly offset: number;
  readonly nullCount: number;
  readonly values: unknown;
  readonly nullBitmap?: Uint8Array | null;
}

/** An Arrow column (apache-arrow's `Vector`): its chunks (`data`). */
export interface ArrowVectorLike {
  readonly type: ArrowTypeLike;
  readonly length: number;
  readonly data: readonly ArrowDataLike[];
}

/** An Arrow table or record batch (apache-arrow's `Table`, `RecordBatch`): named columns. */
export interface ArrowTableLike {
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  readonly numRows: number;
  getChild(name: string): ArrowVectorLike | null;
}

// Arrow's Type enum (Schema.fbs): the kinds read here.
const INT = 2, FLOAT = 3, BOOL = 6, DECIMAL = 7, DICTIONARY = -1;

/** "table" (a Table or RecordBatch), "vector", or null when `data` is not Arrow. Reads only a few properties, guarded. */
export function arrowKind(data: unknown): "table" | "vector" | null {
  if (typeof data !== "object" || data === null) return null;
  try {
    if (Array.isArray(data) || ArrayBuffer.isView(data)) return null; // (Array.isArray throws on a revoked Proxy)
    const d = data as Record<string, any>;
    if (typeof d.getChild === "function" && Array.isArray(d.schema?.fields) && typeof d.numRows === "number") return "table";
    if (typeof d.type?.typeId === "number" && Array.isArray(d.data) && typeof d.length === "number") return "vector";
  } catch {
    return null;
  }
  return null;
}

/** Rows of Arrow data (undefined when it is not Arrow). */
export function arrowRows(data: unknown): number | undefined {
  const kind = arrowKind(data);
  return kind === "table" ? (data as ArrowTableLike).numRows : kind === "vector" ? (data as ArrowVectorLike).length : undefined;
}

/** A family whose `columns` option is its own (a family per column) takes no Arrow column names: it reads every column. */
const ownsColumns = (family: Family) => Object.hasOwn(family.options, "columns");

/** The `columns` option naming Arrow columns: a non-empty array of distinct strings. */
export const arrowColumnsRule = (v: unknown, path: string): void => {
  if (!Array.isArray(v) || v.length === 0 || !v.every((c) => typeof c === "string"))
    throw optionError(path, "must be a non-empty array of column names (of an Arrow table given as the data)");
  const seen = new Set<string>();
  v.forEach((c: string, i) => {
    if (seen.has(c)) throw optionError(`${path}[${i}]`, `names column "${c}" twice`);
    seen.add(c);
  });
};

/** One chosen column: its name and chunks; a Dictionary column of strings, its levels and per chunk the reader of its rows' codes (src/families/arrow-text.ts). */
export interface Column { name: string; chunks: readonly ArrowDataLike[]; codes?: ((i: number) => number)[]; levels?: string[]; /** codes read nulls too */ ownNulls?: boolean }

/** The columns of Arrow `data` that `names` choose (or the only column, or every column when the family owns `columns`). */
function chooseColumns(data: unknown, names: readonly string[] | undefined, all: boolean, path: string): { columns: Column[]; n: number } {
  if (arrowKind(data) === "vector") {
    if (names !== undefined && !all) throw optionError("options.columns", "names columns of a table; the data is a single Arrow vector (one column)");
    const v = data as ArrowVectorLike;
    return { columns: [{ name: "0", chunks: v.data }], n: v.length };
  }
  const t = data as ArrowTableLike;
  const fields = t.schema.fields.map((f) => String(f.name));
  const list = `its columns: ${fields.length ? fields.join(", ") : "none"}`;
  let chosen: string[];
  if (all || names === undefined) {
    if (!all && fields.length !== 1) throw optionError("options.columns", `is required: the Arrow table has ${fields.length} columns (${list}); name the ones to fit`);
    chosen = fields;
  } else {
    names.forEach((name, i) => {
      if (!fields.includes(name)) throw optionError(`options.columns[${i}]`, `"${name}" is not a column of the Arrow table (${list})`);
    });
    chosen = [...names];
  }
  if (chosen.length === 0) throw dataError(path, "is an Arrow table without columns");
  const columns = chosen.map((name) => {
    let v: ArrowVectorLike | null, chunks: unknown;
    try {
      v = t.getChild(name);
      chunks = v?.data;
    } catch (e) {
      throw dataError(path, `column "${name}" cannot be read (${(e as Error)?.message ?? String(e)})`);
    }
    if (!v || !Array.isArray(chunks)) throw dataError(path, `column "${name}" cannot be read (getChild returned ${v === null ? "null" : typeof v})`);
    return { name, chunks: chunks as ArrowDataLike[] };
  });
  return { columns, n: t.numRows };
}

/** How to read one value of a chunk as a double (null checks aside), or an error naming the column. */
export function reader(chunk: ArrowDataLike, column: string, path: string): (i: number) => number {
  const type = chunk.type as ArrowTypeLike & { bitWidth?: number; precision?: number; isSigned?: boolean; toString?: () => string };
  const values = chunk.values as ArrayLike<number | bigint>;
  // A chunk must hold what it says it holds (values per row: 1; a decimal's words: its width; a bitmap: from its offset).
  const per = type.typeId === DECIMAL ? (type.bitWidth ?? 128) / 32 : 1;
  const needed = type.typeId === BOOL ? Math.ceil((chunk.offset + chunk.length) / 8) : chunk.length * per;
  if (!(typeof values?.length === "number" && values.length >= needed))
    throw dataError(path, `column "${column}": a chunk of ${chunk.length} rows holds ${typeof values?.length === "number" ? values.length : "no"} values (${needed} needed)`);
  switch (type.typeId) {
    case FLOAT:
      if (type.precision === 0) return (i) => half(values[i] as number); // Float16: the bits, in a Uint16Array
      return (i) => values[i] as number;
    case INT:
      if (type.bitWidth === 64) {
        return (i) => {
          const v = values[i] as bigint;
          const x = Number(v);
          if (!Number.isSafeInteger(x)) throw dataError(path, `column "${column}" holds ${v}, beyond 2^53, where doubles stop being exact integers`);
          return x;
        };
      }
      return (i) => values[i] as number;
    case BOOL: {
      const bits = chunk.values as Uint8Array, off = chunk.offset; // a bitmap, not sliced by the offset
      return (i) => (bits[(off + i) >> 3] >> ((off + i) & 7)) & 1;
    }
    case DECIMAL: {
      // Decimal128 / Decimal256: little-endian two's-complement 32-bit words (4 or 8 per value) and
      // a decimal scale; the double nearest the integer, divided by 10^scale (within an ulp or two).
      const words = chunk.values as Uint32Array, width = (type.bitWidth ?? 128) / 32, scale = 10 ** ((type as { scale?: number }).scale ?? 0);
      if (!(words instanceof Uint32Array) || (width !== 4 && width !== 8)) break;
      const top = 2n ** BigInt(32 * width);
      return (i) => {
        let v = 0n;
        for (let w = width - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[i * width + w]);
        if (words[i * width + width - 1] & 0x80000000) v -= top;
        return Number(v) / scale;
      };
    }
  }
  const hint = type.typeId === DICTIONARY ? " (encoded values): cast it to numbers, or fit it as categorical" : "";
  throw dataError(path, `column "${column}" is of Arrow type ${typeName(type)}, not numbers${hint}`);
}

export const isDictionary = (col: Column) => col.chunks.some((c) => c.type?.typeId === DICTIONARY);

function typeName(type: ArrowTypeLike & { toString?: () => string }): string {
  try {
    const s = type.toString?.();
    if (typeof s === "string" && s !== "[object Object]") return s;
  } catch { /* a type without a usable name: the enum's */ }
  return `typeId ${type.typeId}`;
}

/** An IEEE 754 half-precision value from its 16 bits. */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1, exp = (bits >> 10) & 0x1f, frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export const isValid = (chunk: ArrowDataLike, i: number) => {
  const bitmap = chunk.nullBitmap, pos = chunk.offset + i;
  return !bitmap || bitmap.length === 0 || ((bitmap[pos >> 3] >> (pos & 7)) & 1) === 1;
};

/**
 * Reads the chosen columns of Arrow `data` into a new region of `mem`, row-major (rows[i * d + a]).
 * A null is NaN with `missingAsNaN`, else an error naming its row and column; so is a value that
 * is not finite. `columns` names the columns (optional for one column); `all` reads every column.
 */
export function readArrow(mem: Arena, data: unknown, names: readonly string[] | undefined, all: boolean, missingAsNaN: boolean, path: string) {
  const { columns, n } = chooseColumns(data, names, all, path);
  return readColumns(mem, columns, n, missingAsNaN, path);
}

function readColumns(mem: Arena, columns: Column[], n: number, missingAsNaN: boolean, path: string) {
  const d = columns.length;
  if (n === 0) throw dataError(path, "is an Arrow table with no rows");
  if (n * d > MAX_REGION_VALUES) throw dataError(path, `has ${n} rows × ${d} columns = ${n * d} values; at most ${MAX_REGION_VALUES} (just under 2^27) fit in one WebAssembly array`);
  const region = mem.alloc(n * d);
  fillRows(columns, n, region.array, 0, missingAsNaN, path, 0);
  return { region, n, dims: d, names: columns.map((c) => c.name) };
}

/**
 * The columns `names` of an Arrow table or record batch (every column when `names` is undefined)
 * into `x` from row `at` on, row-major; rows are named in errors from `rowBase` (the command line:
 * the file's 1-based row of the batch's first). Returns the batch's rows.
 */
export function arrowRowsInto(data: unknown, names: readonly string[] | undefined, x: Float64Array, at: number, path: string, rowBase: number, missingAsNaN = false,
  text?: (a: number) => ((chunk: ArrowDataLike, firstRow: number) => (i: number) => number) | undefined): number {
  const { columns, n } = chooseColumns(data, names, names === undefined, path);
  if ((at + n) * columns.length > x.length) throw dataError(path, `has more rows than the ${x.length / columns.length} room was made for`);
  // Columns read by `text` (the command line's text columns): each chunk's reader, nulls its own.
  if (text) columns.forEach((col, a) => {
    const read = text(a);
    if (!read) return;
    let row = rowBase;
    col.codes = col.chunks.map((chunk) => { const r = read(chunk, row); row += chunk.length; return r; });
    col.ownNulls = true;
  });
  fillRows(columns, n, x, at, missingAsNaN, path, rowBase);
  return n;
}

/**
 * The chosen columns of Arrow data (every column when `names` is undefined) as rows for a fitted
 * model of `family` (plotFit): its text columns (Dictionary vectors of strings) as the codes of
 * the model's levels (`settings`: the model's; Family.arrowText), as its predict reads them; a null
 * NaN with `missingAsNaN`, else an error naming its row and column.
 */
export function arrowModelRows(family: Family, settings: Readonly<Record<string, unknown>>, data: unknown, names: readonly string[] | undefined, path: string, missingAsNaN: boolean): Float64Array {
  const { columns, n } = chooseColumns(data, names, names === undefined, path);
  if (columns.some(isDictionary)) family.arrowText?.(columns, { ...settings }, ownsColumns(family), path);
  const x = new Float64Array(n * columns.length);
  fillRows(columns, n, x, 0, missingAsNaN, path, 0);
  return x;
}

/** Columns of n rows into x from row `at`, row-major; checked as readArrow says, rows named from rowBase. */
function fillRows(columns: Column[], n: number, x: Float64Array, at: number, missingAsNaN: boolean, path: string, rowBase: number): void {
  const d = columns.length;
  guard(path, () => {
    columns.forEach((col, a) => {
      let row = 0;
      for (const [b, chunk] of col.chunks.entries()) {
        const len = chunk.length;
        if (row + len > n) throw dataError(path, `column "${col.name}" has more than the table's ${n} rows`);
        const type = chunk.type as ArrowTypeLike & { precision?: number };
        const values = chunk.values;
        if (d === 1 && type.typeId === FLOAT && type.precision === 2 && chunk.nullCount === 0 && values instanceof Float64Array && values.length >= len) {
          x.set(values.subarray(0, len), at + row); // Float64 without nulls: one copy
        } else {
          const read = col.codes?.[b] ?? reader(chunk, col.name, path);
          const nulls = chunk.nullCount !== 0 && !col.ownNulls; // -1: not counted yet
          for (let i = 0, o = (at + row) * d + a; i < len; i++, o += d) {
            if (nulls && !isValid(chunk, i)) {
              if (!missingAsNaN) throw dataError(path, `row ${rowBase + row + i}, column "${col.name}" is null; every value must be a number (drop or fill the nulls first)`);
              x[o] = NaN;
            } else x[o] = read(i);
          }
        }
        row += len;
      }
      if (row !== n) throw dataError(path, `column "${col.name}" has ${row} rows; the table has ${n}`);
    });
    // Every value a finite number (NaN stands for a missing value with missingAsNaN); named by row and column.
    for (let i = at * d; i < (at + n) * d; i++) {
      const v = x[i];
      if (!Number.isFinite(v) && !(missingAsNaN && Number.isNaN(v)))
        throw dataError(path, `row ${rowBase + Math.floor(i / d) - at}, column "${columns[i % d].name}" is ${v}; every value must be finite`);
    }
  });
}

/** f(), a failure not a MixemError (a throwing getter of Arrow-shaped data) named as one. */
export function guard<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MixemError) throw e;
    throw dataError(path, `cannot be read as Arrow data (${(e as Error)?.message ?? String(e)})`);
  }
}

/**
 * Arrow data as the family's `load` takes data: the chosen columns, read into a region of `mem`
 * (which the family then uses in place: Arena.borrow), and the options with `dims` for the
 * families of rows. `dims`: the model's, when a fitted model reads new data.
 */
export function arrowInput(mem: Arena, family: Family, data: unknown, given: Readonly<Record<string, unknown>>, path: string, dims: number | undefined) {
  const options = { ...given };
  const all = ownsColumns(family);
  const { columns, n } = chooseColumns(data, all ? undefined : (options.columns as readonly string[] | undefined), all, path);
  if (columns.some(isDictionary)) family.arrowText?.(columns, options, all, path); // (categorical, independent)
  const { region, dims: d } = readColumns(mem, columns, n, options.missing === "marginalize", path);
  if (family.shape === "values" && d !== 1) throw optionError("options.columns", `names ${d} columns; this family fits one value per point (name one column)`);
  if (dims !== undefined && d !== dims) throw optionError("options.columns", `names ${d} columns; the model has ${dims} dimensions`);
  if (family.shape === "rows" && given.dims !== undefined && given.dims !== d) throw optionError("options.dims", `is ${given.dims}; the Arrow columns chosen are ${d}`);
  return { data: region.array, options: family.shape === "rows" ? { ...options, dims: d } : options };
}

/** Without Arrow data, `columns` naming columns is a mistake (a family that owns `columns` aside). */
export function checkNoArrowColumns(family: Family, options: Readonly<Record<string, unknown>>): void {
  if (!ownsColumns(family) && options.columns !== undefined)
    throw optionError("options.columns", "names the columns of an Arrow table; the data is not one (give the chosen values as an array)");
}

/** Options without the Arrow column names (for data already read out of the table). */
export function dropArrowColumns(family: Family, options: Record<string, unknown>): Record<string, unknown> {
  if (!ownsColumns(family)) delete options.columns;
  return options;
}

/** The number of chosen columns of Arrow data (for a plan made before any data is loaded). */
export function arrowDims(data: unknown, family: Family, options: Readonly<Record<string, unknown>>): number {
  if (arrowKind(data) === "vector") return 1;
  if (ownsColumns(family)) return (data as ArrowTableLike).schema.fields.length;
  const names = options.columns;
  return Array.isArray(names) ? names.length : (data as ArrowTableLike).schema.fields.length;
}

/**
 * Rows `rows` of the chosen columns of Arrow data, as one flat array (d values per row), read
 * value by value (init "hc"'s subset of a few thousand rows): checked as readArrow checks; rows
 * of values with Dictionary columns of strings (categorical's level names), else one flat array.
 */
export function arrowSubset(family: Family, data: unknown, options: Readonly<Record<string, unknown>>, rows: ArrayLike<number>, path: string): Float64Array | unknown[][] {
  const all = ownsColumns(family);
  const missingAsNaN = options.missing === "marginalize";
  const { columns } = chooseColumns(data, all ? undefined : (options.columns as string[] | undefined), all, path);
  if (columns.some(isDictionary)) family.arrowText?.(columns, { ...options }, all, path); // each Dictionary column's levels and codes
  const d = columns.length, out = new Float64Array(rows.length * d), names: string[][] = [];
  columns.forEach((col, a) => {
    const starts: number[] = [];
    let start = 0;
    for (const chunk of col.chunks) { starts.push(start); start += chunk.length; }
    if (col.levels) names[a] = col.levels;
    const readers = col.chunks.map((chunk, b) => col.codes?.[b] ?? reader(chunk, col.name, path));
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      let lo = 0, hi = starts.length - 1; // the last chunk starting at or before row
      while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= row) lo = mid; else hi = mid - 1; }
      const chunk = col.chunks[lo], i = row - starts[lo];
      const v = chunk.nullCount !== 0 && !isValid(chunk, i) ? NaN : readers[lo](i);
      if (!Number.isFinite(v) && !(missingAsNaN && Number.isNaN(v))) throw dataError(path, `row ${row}, column "${col.name}" is ${Number.isNaN(v) ? "null or NaN" : v}; every value must be finite`);
      out[r * d + a] = v;
    }
  });
  // Dictionary columns: rows of their strings (the subset's own levels, as rows of strings would have).
  return names.length ? Array.from(rows, (_, r) => Array.from({ length: d }, (_, a) => (names[a] ? names[a][out[r * d + a]] : out[r * d + a]))) : out;
}
