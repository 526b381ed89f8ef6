// Cells as numbers: decimal numerals only (`12`, `-0.5`, `1.5e-3`, `.5`, `+3.`), with spaces around
// them allowed. Anything else — `0x10`, `1e`, `1,5`, `NA`, `Infinity`, an empty cell — is not a
// number, and the CLI says which row and column it came from instead of misreading it.

const DECIMAL = /^[ \t]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t]*$/;

/** The value of a decimal-numeral cell, or NaN when the cell is not one (or overflows). */
export function cellNumber(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) ? v : NaN;
  if (typeof v !== "string" || !DECIMAL.test(v)) return NaN;
  const x = Number(v);
  return Number.isFinite(x) ? x : NaN;
}

export const isNumeric = (v: unknown) => !Number.isNaN(cellNumber(v));

/** `--missing marginalize`: NA and empty cells are read as missing values (NaN); see missingCell. */
export const missingCells: { allowed: boolean; refusedBy?: string } = { allowed: false };

/** What to do about a missing value where none is allowed: --missing marginalize, unless the family (`refusedBy`) does not take it. */
export const missingAdvice = (what = "it") =>
  missingCells.refusedBy === undefined ? `--missing marginalize fits around ${what}` : `family ${missingCells.refusedBy} does not fit around missing values: drop or fill those rows`;

/** An NA or empty cell: a missing value under `--missing marginalize`. */
export function missingCell(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v !== "string") return false;
  const s = v.replace(/^[ \t]+|[ \t]+$/g, "");
  return s === "" || s === "NA";
}

/** Why a cell that looks almost like a number is not read as one. */
export function hint(v: unknown): string {
  if (missingCell(v)) return ` (a missing value? ${missingAdvice("NA and empty cells")})`;
  if (typeof v !== "string") return "";
  const s = v.replace(/^[ \t]+|[ \t]+$/g, "");
  if (/^[+-]?0[xXoObB][0-9a-fA-F]+$/.test(s)) return " (only decimal numerals are read)";
  if (/^[+-]?\d+,\d+$/.test(s)) return " (a decimal comma? write 1.5, not 1,5)";
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?$/.test(s)) return " (an exponent without digits)";
  if (/^[+-]?(?:inf(?:inity)?|nan)$/i.test(s) || /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return " (not a finite number)";
  return "";
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact doubles up to 1e22

/**
 * The decimal numeral in bytes[start, end) (spaces and tabs around it allowed), or NaN. Up to 15
 * significant digits and a power of ten within ±22 are computed exactly in one correctly rounded
 * operation (Clinger's fast path); other numerals go through Number(), so the value is always
 * the one Number() gives.
 */
export function parseDecimal(b: Uint8Array, start: number, end: number): number {
  while (start < end && (b[start] === 32 || b[start] === 9)) start++;
  while (end > start && (b[end - 1] === 32 || b[end - 1] === 9)) end--;
  let i = start, neg = false;
  if (i < end && (b[i] === 45 || b[i] === 43)) { neg = b[i] === 45; i++; }
  let mant = 0, sig = 0, exp10 = 0, digits = 0, c = 0;
  while (i < end && (c = b[i] - 48) >= 0 && c <= 9) {
    if (mant !== 0 || c !== 0) { mant = mant * 10 + c; sig++; }
    digits++; i++;
  }
  if (i < end && b[i] === 46) {
    i++;
    while (i < end && (c = b[i] - 48) >= 0 && c <= 9) {
      if (mant !== 0 || c !== 0) { mant = mant * 10 + c; sig++; }
      exp10--; digits++; i++;
    }
  }
  if (digits === 0) return NaN;
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    i++;
    let eneg = false, e = 0, edigits = 0;
    if (i < end && (b[i] === 45 || b[i] === 43)) { eneg = b[i] === 45; i++; }
    while (i < end && (c = b[i] - 48) >= 0 && c <= 9) { if (e < 100000) e = e * 10 + c; edigits++; i++; }
    if (edigits === 0) return NaN;
    exp10 += eneg ? -e : e;
  }
  if (i !== end) return NaN;
  let x: number;
  if (mant === 0) x = 0;
  else if (sig <= 15 && exp10 >= -22 && exp10 <= 22) x = exp10 < 0 ? mant / POW10[-exp10] : mant * POW10[exp10];
  else {
    x = Math.abs(Number(latin1(b, start, end)));
    if (!Number.isFinite(x)) return NaN;
  }
  return neg ? -x : x;
}

const decoder = new TextDecoder("latin1");
const latin1 = (b: Uint8Array, start: number, end: number) => decoder.decode(b.subarray(start, end));
