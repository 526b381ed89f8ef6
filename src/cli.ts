// mixem command line: `mixem fit <file.csv | file.json | -> --family gaussian -k 2 [--column NAME]`.
import { parseArgs } from "node:util";
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import Papa from "papaparse";
import { fit, fitStream, init, MixemError, plotFit, plotSelection, selectK, type Criterion, type FitOptions, type MixtureModel } from "./index.js";
import { FAMILIES, FAMILY_NAMES, familyOf } from "./families/index.js";
import { DEFAULTS } from "./defaults.js";
import { aic, bic } from "./criteria.js";

/** The --family help: every registered family, the default first marked. */
const FAMILY_HELP = FAMILY_NAMES.map((name) => `${name}${name === DEFAULTS.family ? " (default)" : ""}`).join(" | ");
const FAMILY_LIST = FAMILY_NAMES.map((name) => `  ${name.padEnd(18)}  ${FAMILIES[name].summary}`).join("\n");
const ROWS = FAMILY_NAMES.filter((name) => FAMILIES[name].shape === "rows").join(", ");

const HELP = `mixem — fit mixture models by EM (WebAssembly inside)

Usage:
  mixem fit <file.csv | file.json | -> [options]
  mixem select <file.csv | file.json | -> -k 1..8 [--criterion bic|aic|icl] [options]

Data:
  CSV with or without a header row (parsed by papaparse), or JSON: an array of numbers,
  an array of objects, or {"columns": {...}}; "-" reads standard input.
  --column NAME       column to fit (name, or 1-based number); needed when several are numeric
  --columns A,B,...   ${ROWS}: the columns of each row (default: every numeric column)
  --trials N          binomial: trials per observation
  --trials-column C   binomial: column holding each observation's trials

Model:
  --family F          ${FAMILY_HELP}
  --covariance C      mvgaussian: full (default) | tied | diag | spherical
  -k, --k K           number of components (required)
  --mode M            soft (default) | hard
  --init I            kmeans++ (default) | random
  --fix-weights       keep the mixing weights equal
  --max-iter N        at most N iterations (default 500)
  --tol T             stop when the mean log-likelihood per value changes less (default 1e-8)
  --n-init N          restarts, keep the best (default 1)
  --seed S            PRNG seed (default 0)
  --reg-covar R       gaussian variance floor, times the data's variance (default 1e-6)
  --prior             MAP-EM with the family's default conjugate prior (mclust's for Gaussians)
  --stream            read the file in 8 MiB pieces, once per EM pass (automatic above 256 MiB):
                      memory stays bounded; seeds come from the first piece

Families:
${FAMILY_LIST}

Model selection (select):
  -k, --k A..B        the range of k to try (default 1..8); each k gets --n-init restarts (default 3)
  --criterion C       bic (default) | aic | icl, lower is better

Output:
  --json              print the model (select: every score and the best model) as JSON
  --plot FILE.svg     write a picture: fit — histogram with the fitted mixture (1-D) or points
                      and 1σ/2σ ellipses (2-D mvgaussian); select — the criterion against k
  --quiet             no progress line on stderr
  -h, --help          this help

Examples:
  mixem fit examples/faithful.csv --column waiting -k 2 --plot waiting.svg
  mixem fit examples/iris.csv --family mvgaussian --covariance full -k 3 --n-init 5
  mixem select examples/faithful.csv --family mvgaussian -k 1..6 --plot bic.svg
`;

class UsageError extends Error {}

type Table = { names: string[]; rows: unknown[][]; source: string; hasHeader?: boolean };

function readTable(file: string): Table {
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
function firstPiece(file: string): Table {
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

const isNumeric = (v: unknown) => (typeof v === "number" ? Number.isFinite(v) : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)));

function columnIndex(t: Table, wanted: string | undefined, what: string): number {
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
function matrix(t: Table, wanted: string | undefined): { values: Float64Array; names: string[] } {
  const idx = wanted === undefined
    ? t.names.map((_, i) => i).filter((i) => t.rows.every((r) => isNumeric(r[i])))
    : wanted.split(",").map((w) => columnIndex(t, w.trim(), "--columns"));
  if (idx.length === 0) throw new UsageError(`${t.source} has no numeric column`);
  const d = idx.length;
  const values = new Float64Array(t.rows.length * d);
  idx.forEach((c, a) => column(t, c).forEach((v, row) => { values[row * d + a] = v; }));
  return { values, names: idx.map((i) => t.names[i]) };
}

function column(t: Table, i: number): Float64Array {
  const out = new Float64Array(t.rows.length);
  t.rows.forEach((r, row) => {
    const v = r[i];
    if (!isNumeric(v)) throw new UsageError(`${t.source}, row ${row + 1}, column ${t.names[i]}: ${JSON.stringify(v ?? "")} is not a number`);
    out[row] = Number(v);
  });
  return out;
}

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x)) throw new UsageError(`${flag}: "${v}" is not a number`);
  return x;
}

const fmt = (v: number) => (Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : v.toFixed(4));

const fmtList = (v: number[]) => `[${v.map(fmt).join(", ")}]`;

function table(model: MixtureModel, where: string): string {
  if (familyOf(model.family)!.shape === "rows") return multiTable(model, where);
  // One row per component, a column per parameter (and the sd beside a variance).
  const names = Object.keys(model.components[0]);
  const extra = names.includes("variance") ? ["sd"] : [];
  const header = ["component", "weight", ...names, ...extra];
  const rows = model.components.map((c, j) => {
    const values = c as unknown as Record<string, number>;
    const vals = names.map((n) => fmt(values[n]));
    if (extra.length) vals.push(fmt(Math.sqrt(values.variance)));
    return [String(j + 1), fmt(model.weights[j]), ...vals];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [
    `mixem: ${model.family} mixture, k = ${model.k}, ${model.nObservations} values (${where})`,
    "",
    line(header),
    ...rows.map(line),
    "",
    ...summary(model),
  ].join("\n");
}

/** Files above this many bytes are streamed (MIXEM_STREAM_ABOVE overrides; for tests). */
const STREAM_ABOVE = Number(process.env.MIXEM_STREAM_ABOVE ?? 256 * 2 ** 20);
/** Bytes read per piece when streaming (MIXEM_STREAM_BLOCK overrides; for tests). */
const STREAM_BLOCK = Number(process.env.MIXEM_STREAM_BLOCK ?? 8 * 2 ** 20);

/**
 * The chosen columns of a CSV file as a re-iterable source of Float64Array pieces: the file is
 * read STREAM_BLOCK bytes at a time, cut after the last newline, and each piece parsed by
 * papaparse; rows are numbered across pieces so errors still name the row.
 */
function csvSource(file: string, names: string[], idx: number[], hasHeader: boolean) {
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

/** BIC and AIC from the fit's own log-likelihood (at the returned parameters) and size. */
function criteria(model: MixtureModel) {
  return { bic: bic(model.logLikelihood, model.nParameters, model.nObservations), aic: aic(model.logLikelihood, model.nParameters) };
}

function summary(model: MixtureModel): string[] {
  const { bic, aic } = criteria(model);
  const lines = [
    `log-likelihood  ${model.logLikelihood.toFixed(4)}`,
    ...(model.logPosterior === undefined ? [] : [`log-posterior   ${model.logPosterior.toFixed(4)}`]),
    `BIC             ${bic.toFixed(4)}`,
    `AIC             ${aic.toFixed(4)}`,
    `iterations      ${model.iterations} (${model.converged ? "converged" : `not converged: ${model.stopReason}`})`,
  ];
  return lines;
}

function multiTable(model: MixtureModel, where: string): string {
  const detail = (settings: MixtureModel["settings"]) => (settings.covariance ? `, ${settings.covariance} covariance` : "");
  const out = [`mixem: ${model.family} mixture${detail(model.settings)}, k = ${model.k}, ${model.nObservations} rows × ${model.dims} (${where})`, ""];
  // Each parameter of each component: a vector on its line, a matrix over several.
  model.components.forEach((c, j) => {
    out.push(`component ${j + 1}  weight ${fmt(model.weights[j])}`);
    for (const [name, value] of Object.entries(c as unknown as Record<string, number[] | number[][]>)) {
      const rows = Array.isArray(value[0]) ? (value as number[][]) : [value as number[]];
      rows.forEach((row, a) => out.push(`  ${a === 0 ? name.padEnd(12) : " ".repeat(12)}${fmtList(row)}`));
    }
  });
  return [...out, "", ...summary(model)].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      family: { type: "string" }, k: { type: "string", short: "k" }, column: { type: "string" },
      columns: { type: "string" }, covariance: { type: "string" }, prior: { type: "boolean" },
      criterion: { type: "string" }, plot: { type: "string" }, stream: { type: "boolean" },
      trials: { type: "string" }, "trials-column": { type: "string" }, mode: { type: "string" },
      init: { type: "string" }, "fix-weights": { type: "boolean" }, "max-iter": { type: "string" },
      tol: { type: "string" }, "n-init": { type: "string" }, seed: { type: "string" }, "reg-covar": { type: "string" },
      json: { type: "boolean" }, quiet: { type: "boolean" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const [command, file, ...rest] = positionals;
  if (command !== "fit" && command !== "select") throw new UsageError(`unknown command "${command}" (try: mixem fit <file> -k 2)`);
  if (!file) throw new UsageError(`${command} needs a data file (or - for standard input)`);
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (values.plot !== undefined && !values.plot.endsWith(".svg")) throw new UsageError("--plot writes SVG: give a file name ending in .svg");
  let kRange: [number, number] | undefined;
  if (command === "select") {
    const m = /^(\d+)(?:\.\.(\d+))?$/.exec(values.k ?? "1..8");
    if (!m) throw new UsageError(`-k: "${values.k}" is not a range like 1..8`);
    kRange = [Number(m[1]), Number(m[2] ?? m[1])];
    if (values.criterion !== undefined && !["bic", "aic", "icl"].includes(values.criterion)) throw new UsageError(`--criterion: "${values.criterion}" is not bic, aic or icl`);
  } else if (values.k === undefined) throw new UsageError("-k is required (the number of components)");

  const size = file === "-" ? 0 : (() => { try { return statSync(file).size; } catch { return 0; } })();
  const streaming = command === "fit" && (values.stream === true || size > STREAM_ABOVE);
  if (streaming) {
    if (file === "-") throw new UsageError("--stream reads the file once per EM pass; it cannot read standard input");
    if (values.plot) throw new UsageError("--plot needs the data in memory; it is not available when streaming");
    if (values["trials-column"] !== undefined) throw new UsageError("--trials-column is not available when streaming; give --trials");
  }
  // Streaming: the table holds the first piece only (for the header and the column choice).
  const t = streaming ? firstPiece(file) : readTable(file);
  const multivariate = familyOf(values.family ?? DEFAULTS.family)?.shape === "rows";
  if (multivariate && values.column !== undefined) throw new UsageError(`--family ${values.family} takes --columns (several), not --column`);
  if (!multivariate && values.columns !== undefined) throw new UsageError(`--columns is for --family ${ROWS.replace(/, (?=[^,]*$)/, " or ")}; use --column`);
  let x: Float64Array = new Float64Array(0), where: string, dims: number | undefined, axes: [string, string] | undefined, idx: number[];
  if (multivariate) {
    const m = matrix(t, values.columns);
    if (!streaming) x = m.values;
    dims = m.names.length; axes = [m.names[0], m.names[1] ?? ""]; idx = m.names.map((name) => t.names.indexOf(name));
    where = `${t.source}, columns ${m.names.join(", ")}`;
  } else {
    const col = columnIndex(t, values.column, "--column");
    if (!streaming) x = column(t, col);
    idx = [col];
    where = `${t.source}, column ${t.names[col]}`;
    axes = [t.names[col], "density"];
  }
  let trials: FitOptions["trials"] = num(values.trials, "--trials");
  if (values["trials-column"] !== undefined) trials = column(t, columnIndex(t, values["trials-column"], "--trials-column"));

  const options: Record<string, unknown> = {
    family: values.family, k: kRange ? undefined : num(values.k, "-k"), mode: values.mode, init: values.init, dims,
    covariance: values.covariance, prior: values.prior,
    fixWeights: values["fix-weights"], maxIter: num(values["max-iter"], "--max-iter"), tol: num(values.tol, "--tol"),
    nInit: num(values["n-init"], "--n-init"), seed: num(values.seed, "--seed"), regCovar: num(values["reg-covar"], "--reg-covar"), trials,
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];

  // Progress on stderr once a fit has run for half a second, at most five times a second.
  const started = Date.now();
  let lastPrint = 0, printed = false;
  const tty = process.stderr.isTTY;
  if (!values.quiet) {
    options.onIteration = (info: { iteration: number; logLikelihood: number; restart: number }) => {
      const now = Date.now();
      if (now - started < 500 || now - lastPrint < (tty ? 200 : 1000)) return;
      lastPrint = now;
      printed = true;
      const msg = `mixem: restart ${info.restart + 1}, iteration ${info.iteration}, log-likelihood ${info.logLikelihood.toFixed(4)}`;
      process.stderr.write(tty ? `\r${msg}\x1b[K` : `${msg}\n`);
    };
  }
  if (kRange) {
    await init();
    const { onIteration: _drop, ...selectOptions } = options;
    const selection = selectK(x, {
      ...(selectOptions as Omit<FitOptions, "k">), kRange, criterion: (values.criterion ?? "bic") as Criterion,
      onModel: values.quiet ? undefined : (e) => process.stderr.write(`mixem: k = ${e.k}: ${(values.criterion ?? "bic").toUpperCase()} ${e[(values.criterion ?? "bic") as Criterion].toFixed(2)}\n`),
    });
    if (values.plot) writeFileSync(values.plot, plotSelection(selection, { title: `${selection.criterion.toUpperCase()} against k` }));
    if (values.json) {
      const out = { criterion: selection.criterion, k: selection.k, scores: selection.scores.map(({ model: _m, ...e }) => e), best: selection.best.toJSON() };
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    } else {
      const c = selection.criterion;
      const lines = [`mixem: ${selection.best.family} mixtures, k = ${kRange[0]}..${kRange[1]} (${where}), best by ${c.toUpperCase()}: k = ${selection.k}`, "",
        "k   log-likelihood        BIC        AIC        ICL",
        ...selection.scores.map((e) => `${String(e.k).padEnd(2)}${e.logLikelihood.toFixed(4).padStart(16)}${e.bic.toFixed(2).padStart(11)}${e.aic.toFixed(2).padStart(11)}${e.icl.toFixed(2).padStart(11)}${e.k === selection.k ? "  <-" : ""}`), "",
        table(selection.best, where)];
      process.stdout.write(lines.join("\n") + "\n");
    }
    return 0;
  }
  const model = streaming
    ? await fitStream(csvSource(file, t.names, idx, t.hasHeader ?? false), options as unknown as FitOptions)
    : await fit(x, options as unknown as FitOptions);
  if (printed && tty) process.stderr.write("\r\x1b[K");
  if (values.plot) {
    const plot = familyOf(model.family)!.plot;
    if (plot.kind === "none" || (plot.kind === "scatter" && model.dims < 2)) throw new UsageError(`--plot draws 1-D fits and mvgaussian fits of 2 or more dimensions, not ${model.family} in ${model.dims}`);
    writeFileSync(values.plot, plotFit(model, x, { title: `${model.family} mixture, k = ${model.k}`, labels: plot.kind === "counts" ? undefined : axes, trials: typeof trials === "number" ? trials : undefined }));
  }

  if (values.json) {
    const out = { ...model.toJSON(), criteria: criteria(model) };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  } else {
    process.stdout.write(table(model, where + (streaming ? ", streamed" : "")) + "\n");
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    const known = e instanceof UsageError || e instanceof MixemError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`mixem: ${known ? e.message : (e as Error).stack ?? e}\n`);
    process.exitCode = known ? 2 : 1;
  },
);
