// Text columns of Parquet and Arrow files as categorical level codes, read as the CSV reader reads
// a column of level names (src/cli/input.ts, DenseTable.useLevels): a cell's name is its text
// without the spaces and tabs around it; the levels are the distinct names, sorted (or the model's,
// for predict); an empty, NA or null cell is a missing value (NaN under --missing marginalize, else
// an error naming its row); a decimal numeral among names is an error naming its row. Cells are
// written as doubles where the chosen columns lie (WebAssembly memory), one per row: while the file
// is read, each name's id by first appearance; after, each id replaced by its level's code in one
// pass over the column — no string is kept per row.
import { missingCell, cellNumber, missingCells } from "./numbers.js";
import { cellError, levelName, levelsError, MAX_LEVEL_NAMES, missingLevel, notALevel, numberAmongNames } from "./input.js";
import { isValid, reader, type ArrowDataLike, type ArrowTypeLike } from "../arrow.js";

/** Raw texts remembered per column (each its name's id), so a repeated text is one Map lookup. */
const TEXTS_SEEN = 1 << 17;

/** Arrow's type ids of text: Utf8, LargeUtf8, and a Dictionary (of either). */
const UTF8 = 5, LARGE_UTF8 = 20, DICTIONARY = -1;

/** An Arrow type that holds text (Utf8, LargeUtf8, or a Dictionary of them). */
export function arrowText(type: ArrowTypeLike & { dictionary?: ArrowTypeLike }): boolean {
  const t = type.typeId === DICTIONARY ? type.dictionary : type;
  return t?.typeId === UTF8 || t?.typeId === LARGE_UTF8;
}

/**
 * One chosen column of level names. fit: `given` undefined, ids by first appearance, then
 * finish() sorts the names and recodes the column; predict: the model's level names, each cell
 * written as its code at once (a name not among them: an error naming its row).
 */
export class LevelCodes {
  /** Name → id (fit) or code (predict). */
  private ids = new Map<string, number>();
  /** Raw text → the value written (a name's id or code); texts that are names only. */
  private texts = new Map<string, number>();
  /** The names by id (fit). */
  readonly names: string[] = [];
  private firstNumber: { row: number; value: number } | undefined;
  private firstMissing: { row: number; text: unknown } | undefined;
  constructor(readonly source: string, readonly column: string, readonly given?: readonly string[]) {
    if (given) given.forEach((s, l) => this.ids.set(s, l));
  }

  /** The double for a cell (a string, null or undefined) at `row` (1-based). */
  cell(v: unknown, row: number): number {
    if (typeof v === "string") {
      const seen = this.texts.get(v);
      if (seen !== undefined) return seen;
      if (!missingCell(v)) {
        const x = cellNumber(v);
        if (!Number.isNaN(x)) {
          // A numeral: the CSV reads it as a number (a code); among names, an error (finish).
          if (this.given) throw numberAmongNames(this.source, row, this.column, x);
          this.firstNumber ??= { row, value: x };
          return x;
        }
        const name = levelName(v);
        let id = this.ids.get(name);
        if (id === undefined) {
          if (this.given) throw notALevel(this.source, row, this.column, name, this.given as string[]);
          if (this.names.length >= MAX_LEVEL_NAMES) throw levelsError(this.source, this.column);
          this.ids.set(name, (id = this.names.length));
          this.names.push(name);
        }
        if (this.texts.size < TEXTS_SEEN) this.texts.set(v, id);
        return id;
      }
    } else if (v instanceof Uint8Array) return this.cell(decoder.decode(v), row);
    else if (v !== null && v !== undefined) throw cellError(this.source, row, this.column, String(v));
    // A missing value: NaN under --missing marginalize; else an error, at once with the model's
    // levels, or after the read (the CSV names the first row that is a numeral or missing).
    if (missingCells.allowed) return NaN;
    if (this.given) throw missingLevel(this.source, row, this.column);
    this.firstMissing ??= { row, text: v };
    return 0;
  }

  /**
   * After the read (fit): the levels — the names sorted, [] for a column of numerals (codes, as a
   * CSV column of numbers) — and the column x (d values a row, this one at a) recoded from ids to
   * the sorted names' codes; fails naming the first row that is missing or a numeral among names.
   */
  finish(x: Float64Array, rows: number, d: number, a: number): string[] {
    const { names, byId } = this.levels();
    if (byId) recode(x, rows, d, a, byId);
    return names;
  }

  /**
   * After the read: the levels (as finish) and, for a column of names read with ids (fit), each
   * id's code (recode); fails as finish.
   */
  levels(): { names: string[]; byId?: Float64Array } {
    if (this.given) return { names: [...this.given] };
    const m = this.firstMissing, num = this.names.length > 0 ? this.firstNumber : undefined;
    if (m && (!num || m.row < num.row)) throw this.names.length > 0 ? missingLevel(this.source, m.row, this.column) : cellError(this.source, m.row, this.column, m.text);
    if (num) throw numberAmongNames(this.source, num.row, this.column, num.value);
    if (this.names.length === 0) return { names: [] };
    const sorted = [...this.names].sort();
    const code = new Map(sorted.map((s, l) => [s, l]));
    return { names: sorted, byId: Float64Array.from(this.names, (s) => code.get(s)!) };
  }

  /**
   * A reader of an Arrow chunk's rows (Utf8, LargeUtf8 or a Dictionary of them) as cell() values,
   * nulls included; `firstRow`: the file's row of the chunk's first (1-based). A dictionary's
   * entries are read once each, when a row first uses them (an entry no row uses is no level).
   */
  arrowChunk(chunk: ArrowDataLike, firstRow: number): (i: number) => number {
    const type = chunk.type as ArrowTypeLike & { indices?: ArrowTypeLike };
    const nulls = chunk.nullCount !== 0;
    if (type.typeId === DICTIONARY) {
      const index = reader({ ...chunk, type: type.indices ?? type }, this.column, this.source);
      const dict = (chunk as { dictionary?: { length: number; data: readonly ArrowDataLike[]; get(j: number): unknown } }).dictionary;
      if (!dict) throw cellError(this.source, firstRow, this.column, "a dictionary-encoded value without its dictionary");
      const entry = dict.data.length === 1 && dict.data[0].nullCount === 0 && arrowText(dict.data[0].type) ? stringsOf(dict.data[0]) : (j: number) => dict.get(j);
      const value = new Float64Array(dict.length), known = new Uint8Array(dict.length);
      return (i) => {
        try {
          if (nulls && !isValid(chunk, i)) return this.cell(null, firstRow + i);
          const j = index(i);
          if (known[j]) return value[j];
          known[j] = 1;
          return (value[j] = this.cell(entry(j), firstRow + i));
        } catch (e) {
          this.failed ??= e;
          return 0;
        }
      };
    }
    const text = stringsOf(chunk);
    return (i) => {
      try {
        return this.cell(nulls && !isValid(chunk, i) ? null : text(i), firstRow + i);
      } catch (e) {
        this.failed ??= e;
        return 0;
      }
    };
  }

  /**
   * The first error of an Arrow chunk's reader (arrowChunk), kept to be thrown after the batch is
   * read: the Arrow reader (src/arrow.ts) names other errors as errors of the data.
   */
  failed: unknown;
}

/** Column a of x (d values a row) from ids to codes (byId[id]); NaN (a missing value) stays. */
export function recode(x: Float64Array, rows: number, d: number, a: number, byId: Float64Array): void {
  for (let r = 0, o = a; r < rows; r++, o += d) {
    const v = x[o];
    if (v === v) x[o] = byId[v];
  }
}

const decoder = new TextDecoder();

/** Row i of a Utf8 or LargeUtf8 chunk, as a string. */
function stringsOf(chunk: ArrowDataLike): (i: number) => string {
  const offsets = (chunk as { valueOffsets?: ArrayLike<number | bigint> }).valueOffsets, bytes = chunk.values as Uint8Array;
  if (!offsets || !(bytes instanceof Uint8Array)) return () => { throw new Error("a text column without its offsets or bytes"); };
  if (offsets instanceof Int32Array) return (i) => decoder.decode(bytes.subarray(offsets[i], offsets[i + 1]));
  return (i) => decoder.decode(bytes.subarray(Number(offsets[i]), Number(offsets[i + 1])));
}
