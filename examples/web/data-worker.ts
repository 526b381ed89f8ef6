// The demo's data worker: CSV text → numeric columns (parsed off the page's thread), and a fitted
// model's responsibilities → the labels CSV. Bundled beside app.js by scripts/demo.mjs.
import Papa from "papaparse";

/** What the page asks: parse CSV text, or write the labels CSV from k responsibilities per row. */
export type DataRequest =
  | { kind: "parse"; id: number; text: string }
  | { kind: "labels"; id: number; proba: Float64Array; k: number };

/**
 * The parsed table: names, which columns are numeric, each column as numbers — a text column as the
 * codes of its cells among its `levels` (the distinct trimmed cells, sorted as the library sorts
 * level names; null for a numeric column): categorical fits take them — the first rows as text.
 * Codes, not strings, cross to the page: one transferable array per column, whatever the rows.
 */
export interface ParsedTable { names: string[]; numeric: boolean[]; columns: Float64Array[]; levels: (string[] | null)[]; rows: number; preview: string[][]; warnings: string[] }

export type DataReply =
  | { kind: "parsed"; id: number; table: ParsedTable | null }
  | { kind: "labels"; id: number; csv: Blob }
  | { kind: "error"; id: number; message: string };

const isNumber = (s: string | undefined) => s !== undefined && s.trim() !== "" && Number.isFinite(Number(s));

function parse(text: string): ParsedTable | null {
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: "greedy" });
  const rows = parsed.data.filter((r) => Array.isArray(r) && r.length > 0);
  if (rows.length === 0) return null;
  const header = rows[0].some((v) => v.trim() !== "" && !isNumber(v));
  let width = 0;
  for (let r = 0; r < Math.min(rows.length, 1000); r++) width = Math.max(width, rows[r].length);
  const names = Array.from({ length: width }, (_, i) => (header ? rows[0][i]?.trim() || `column ${i + 1}` : `column ${i + 1}`));
  const first = header ? 1 : 0, n = rows.length - first;
  const columns = names.map(() => new Float64Array(n));
  const numeric = names.map(() => n > 0);
  for (let r = 0; r < n; r++) {
    const row = rows[r + first];
    for (let c = 0; c < width; c++) {
      const cell = row[c];
      const v = isNumber(cell) ? Number(cell) : NaN;
      columns[c][r] = v;
      if (Number.isNaN(v)) numeric[c] = false;
    }
  }
  const levels = numeric.map((isNum, c) => {
    if (isNum) return null;
    const names = [...new Set(Array.from({ length: n }, (_, r) => (rows[r + first][c] ?? "").trim()))].sort();
    const code = new Map(names.map((name, l) => [name, l]));
    for (let r = 0; r < n; r++) columns[c][r] = code.get((rows[r + first][c] ?? "").trim())!;
    return names;
  });
  const warnings = parsed.errors.filter((e) => e.code !== "UndetectableDelimiter").slice(0, 3).map((e) => `row ${(e.row ?? 0) + 1}: ${e.message}`);
  return { names, numeric, columns, levels, rows: n, preview: rows.slice(first, first + 5), warnings };
}

/** Each row's most likely component and posteriors, numbered from 1 as the CLI's `mixem predict`. */
function labels(proba: Float64Array, k: number): Blob {
  const n = proba.length / k;
  const parts: string[] = [["row", "component", ...Array.from({ length: k }, (_, c) => `p${c + 1}`)].join(",") + "\n"];
  let out = "";
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
    out += `${i + 1},${best + 1}`;
    for (let c = 0; c < k; c++) out += "," + String(Number(proba[i * k + c].toPrecision(6)));
    out += "\n";
    if (out.length > 1 << 16) { parts.push(out); out = ""; }
  }
  parts.push(out);
  return new Blob(parts, { type: "text/csv" });
}

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<DataRequest>) => void) | null; postMessage(m: DataReply, transfer?: Transferable[]): void };
scope.onmessage = ({ data: request }) => {
  try {
    if (request.kind === "parse") {
      const table = parse(request.text);
      scope.postMessage({ kind: "parsed", id: request.id, table }, table ? table.columns.map((c) => c.buffer) : []);
    } else {
      scope.postMessage({ kind: "labels", id: request.id, csv: labels(request.proba, request.k) });
    }
  } catch (e) {
    scope.postMessage({ kind: "error", id: request.id, message: (e as Error)?.message ?? String(e) });
  }
};
