// Reading CSV in blocks, once: a byte scanner for plain numeric CSV (no per-row arrays, no
// strings), and papaparse for the rest of the file from the first line holding a quote. Both
// yield batches of rows as row-major Float64Arrays, every column of the file, NaN where a cell is
// not a decimal numeral (reported through onBad with its 1-based row and its text).
import Papa from "papaparse";
import { cellNumber, parseDecimal, missingCell, missingCells } from "./numbers.js";
import { UsageError } from "./errors.js";

export type Shape = { names: string[]; hasHeader: boolean; width: number };
export type Batch = { values: Float64Array; rows: number; firstRow: number };
/** A cell that is not a number: its column (0-based), 1-based data row and its text. */
export type OnBad = (column: number, row: number, text: string) => void;

/** One line longer than this (no newline in sight) is not CSV we can read. */
export const MAX_LINE = Number(process.env.MIXEM_MAX_LINE ?? 64 * 2 ** 20);

const NL = 10, CR = 13, QUOTE = 34;
/** Decodes the text of a cell that is not a number. */
const cellDecoder = new TextDecoder();
/** Texts of cells that are not numbers kept per column (see CsvParser.cellText). */
const TEXTS_KEPT = 8;
const DELIMS = [44, 9, 59, 124]; // , tab ; |

/**
 * Parses the CSV given as blocks of bytes. `shape` is filled in once the first row is read (a
 * header when any of its cells is not a number). Rows are numbered from 1 after the header;
 * blank lines are skipped (as papaparse's skipEmptyLines: "greedy" does).
 */
export class CsvParser {
  shape: Shape | undefined;
  private delim = -1; // -1: one column, no delimiter
  private carry: Uint8Array = new Uint8Array(0);
  private joined: Uint8Array = new Uint8Array(0);
  /** Bytes of the block being scanned (bounds its values). */
  private bound = 0;
  private rows = 0;
  private papa = false;
  private text = "";
  private decoder = new TextDecoder();
  private out: Float64Array = new Float64Array(0);
  private used = 0;
  private first = true;
  /** Per column, texts of cells that were not numbers (see cellText). */
  private texts: { bytes: Uint8Array; text: string }[][] = [];

  constructor(private source: string, private onBad: OnBad) {}

  /** Parses the complete lines of `block` (the rest waits for the next block, or `last`). */
  push(block: Uint8Array, last: boolean): Batch | undefined {
    const firstRow = this.rows + 1;
    this.used = 0;
    if (this.papa) this.papaPush(block, last);
    else {
      let b = block;
      if (this.carry.length) {
        // The unfinished line, then the block, in one buffer kept between blocks.
        const length = this.carry.length + block.length;
        if (this.joined.length < length) this.joined = new Uint8Array(Math.max(length, this.joined.length * 1.5));
        this.joined.set(this.carry);
        this.joined.set(block, this.carry.length);
        b = this.joined.subarray(0, length);
      }
      if (this.first && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
      if (this.first && (b.length > 0 || last)) this.first = false;
      const end = last ? b.length : b.lastIndexOf(NL) + 1;
      const stop = this.scan(b, end);
      if (stop < 0) this.carry = b.slice(end);
      else {
        // A quote: papaparse reads from this line on.
        this.papa = true;
        this.carry = new Uint8Array(0);
        this.papaPush(b.subarray(stop), last);
      }
      if (!this.papa && this.carry.length > MAX_LINE) this.tooLong();
    }
    return this.used ? { values: this.out.subarray(0, this.used * this.shape!.width), rows: this.used, firstRow } : undefined;
  }

  private tooLong(): never {
    throw new UsageError(`${this.source}: row ${this.rows + 1} is longer than ${MAX_LINE / 2 ** 20} MiB; is this a CSV file?`);
  }

  /** Room for `rows` more rows in the batch. */
  private room(rows: number) {
    const w = this.shape!.width, need = (this.used + rows) * w;
    if (need <= this.out.length) return;
    // At most one value per byte of the block (an empty cell is one delimiter): room for that at
    // once, as pages never written are never touched, and no array is outgrown block after block.
    const grown = new Float64Array(Math.max(need, Math.ceil(this.out.length * 1.5), 1024 * w, this.bound + w));
    grown.set(this.out.subarray(0, this.used * w));
    this.out = grown;
  }

  /** Scans whole lines in b[0, end); returns -1, or the offset of the first line holding a quote. */
  private scan(b: Uint8Array, end: number): number {
    let i = 0;
    this.bound = end;
    const q = b.subarray(0, end).indexOf(QUOTE);
    while (i < end) {
      let eol = b.indexOf(NL, i);
      if (eol < 0 || eol >= end) eol = end;
      if (q >= 0 && q < eol) return i;
      let lineEnd = eol;
      if (lineEnd > i && b[lineEnd - 1] === CR) lineEnd--;
      if (!this.shape) {
        if (!this.headerLine(b, i, lineEnd)) return i;
      } else this.dataLine(b, i, lineEnd);
      i = eol + 1;
    }
    return -1;
  }

  /** The first non-blank line: the delimiter and the header. False: leave the file to papaparse. */
  private headerLine(b: Uint8Array, start: number, end: number): boolean {
    const text = new TextDecoder().decode(b.subarray(start, end));
    if (text.trim() === "") return true;
    const found = DELIMS.filter((d) => text.includes(String.fromCharCode(d)));
    if (found.length > 1) return false;
    this.delim = found.length ? found[0] : -1;
    const cells = this.delim < 0 ? [text] : text.split(String.fromCharCode(this.delim));
    this.setShape(cells);
    return true;
  }

  private setShape(cells: string[]) {
    // A header has a cell that is not a number (under --missing marginalize, nor NA or empty).
    const hasHeader = cells.some((c) => Number.isNaN(cellNumber(c)) && !(missingCells.allowed && missingCell(c)));
    const width = cells.length;
    this.shape = { names: hasHeader ? cells : Array.from({ length: width }, (_, i) => String(i + 1)), hasHeader, width };
    if (!hasHeader) this.row(cells);
  }

  private dataLine(b: Uint8Array, start: number, end: number) {
    const w = this.shape!.width, d = this.delim;
    // Blank (only spaces, tabs and delimiters): skipped.
    let blank = true;
    for (let p = start; p < end; p++) { const c = b[p]; if (c !== 32 && c !== 9 && c !== d) { blank = false; break; } }
    if (blank) return;
    this.room(1);
    const row = ++this.rows, base = this.used * w, out = this.out;
    let s = start;
    for (let a = 0; a < w; a++) {
      if (s > end) { out[base + a] = NaN; this.onBad(a, row, ""); continue; } // a short row
      let e = s;
      if (d >= 0) while (e < end && b[e] !== d) e++;
      else e = end;
      const x = parseDecimal(b, s, e);
      if (Number.isNaN(x)) this.onBad(a, row, this.cellText(a, b, s, e));
      out[base + a] = x;
      s = e + 1;
    }
    this.used++;
  }

  /**
   * The text of bytes b[s, e), a cell of column a that is not a number: a level name, NA… repeat
   * row after row, so each column keeps its last TEXTS_KEPT texts and gives the same string again
   * (no string made per cell for the collector to catch up with).
   */
  private cellText(a: number, b: Uint8Array, s: number, e: number): string {
    const kept = (this.texts[a] ??= []), length = e - s;
    for (let t = 0; t < kept.length; t++) {
      const k = kept[t].bytes;
      if (k.length !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) if (k[i] !== b[s + i]) { same = false; break; }
      if (same) return kept[t].text;
    }
    const text = cellDecoder.decode(b.subarray(s, e));
    if (length <= 64) {
      if (kept.length === TEXTS_KEPT) kept.pop();
      kept.unshift({ bytes: b.slice(s, e), text });
    }
    return text;
  }

  /** One parsed row of strings (papaparse, or the first line of a header-less file). */
  private row(cells: unknown[]) {
    const w = this.shape!.width;
    if (cells.every((c) => typeof c !== "string" || c.trim() === "")) return;
    this.room(1);
    const row = ++this.rows, base = this.used * w;
    for (let a = 0; a < w; a++) {
      const v = cells[a];
      const x = cellNumber(v);
      if (Number.isNaN(x)) this.onBad(a, row, typeof v === "string" ? v : "");
      this.out[base + a] = x;
    }
    this.used++;
  }

  /** papaparse on the text up to the last newline outside quotes (a quoted field may hold newlines). */
  private papaPush(block: Uint8Array, last: boolean) {
    let text = this.text + this.decoder.decode(block, { stream: !last });
    let cut = text.length;
    if (!last) {
      cut = 0;
      let inQuotes = false;
      for (let p = 0; p < text.length; p++) {
        const c = text.charCodeAt(p);
        if (c === QUOTE) inQuotes = !inQuotes;
        else if (c === NL && !inQuotes) cut = p + 1;
      }
    }
    this.text = text.slice(cut);
    text = text.slice(0, cut);
    if (this.text.length > MAX_LINE) this.tooLong();
    if (text.trim() === "") return;
    const parsed = Papa.parse<string[]>(text, { skipEmptyLines: "greedy", delimiter: this.shape ? (this.delim < 0 ? "," : String.fromCharCode(this.delim)) : undefined });
    const errors = parsed.errors.filter((e) => e.code !== "UndetectableDelimiter");
    if (errors.length) {
      const e = errors[0];
      throw new UsageError(`${this.source}: not valid CSV (${e.message}${e.row !== undefined ? ` at row ${this.rows + e.row + 1}` : ""})`);
    }
    let rows = parsed.data;
    if (!this.shape) {
      if (rows.length === 0) return;
      this.delim = parsed.meta.delimiter.charCodeAt(0);
      const head = rows[0];
      rows = rows.slice(1);
      this.setShape(head);
    }
    for (const r of rows) this.row(r);
  }
}
