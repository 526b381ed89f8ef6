// mixem command line: `mixem fit | select | predict …` (see HELP, and docs/architecture.md "The command line").
import { parseArgs } from "node:util";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fit, fitStream, init, loadModel, MixemError, plotFit, plotSelection, selectK, type Criterion, type FitOptions, type MixtureModel, type Selection, type SelectionEntry, type SelectOptions } from "./index.js";
import { FAMILIES, FAMILY_NAMES, familyOf } from "./families/index.js";
import { DEFAULTS } from "./defaults.js";
import { getCore } from "./wasm.js";
import { chooseThreads } from "./fit.js";
import { loadWorkerSource } from "./worker.js";
import { columnIndex, columnsOf, DenseTable, inputOf, MAX_BYTES, matrix, mib, readTable, STREAM_ABOVE, UsageError, type AnyTable, type Columns, type Input } from "./cli/input.js";
import { spool, spoolRows } from "./cli/spool.js";
import { columnarKind, openColumnar, readColumns, stdinKind, type ColumnIn } from "./cli/columnar.js";
import { LevelCodes, recode } from "./cli/levels.js";
import { missingCells } from "./cli/numbers.js";
import { oneLine, type ErrorContext } from "./cli/errors.js";
import { Progress } from "./cli/progress.js";
import { criteria, storedLevelNames, table } from "./cli/report.js";
import pkg from "../package.json" with { type: "json" };

/** The --family help: every registered family, the default first marked. */
const FAMILY_HELP = FAMILY_NAMES.map((name) => `${name}${name === DEFAULTS.family ? " (default)" : ""}`).join(" | ");
const FAMILY_LIST = FAMILY_NAMES.map((name) => `  ${name.padEnd(18)}  ${FAMILIES[name].summary}`).join("\n");
const ROWS = FAMILY_NAMES.filter((name) => FAMILIES[name].shape === "rows").join(", ");
/** Families that take a family per column (their `columns` option). */
const PER_COLUMN = FAMILY_NAMES.filter((name) => "columns" in FAMILIES[name].options).join(", ");

/**
 * --columns A,B,… (names or 1-based numbers), or with a family per column
 * NAME:FAMILY[:OPTION=VALUE…],… (e.g. age:gaussian,smoker:categorical,heads:binomial:trials=10):
 * the names, and the `columns` option it gives.
 */
function columnSpecs(arg: string | undefined): { names: string | undefined; columns: Record<string, unknown>[] | undefined } {
  if (arg === undefined || !arg.includes(":")) return { names: arg, columns: undefined };
  const parts = arg.split(",").map((p) => p.trim().split(":"));
  const columns = parts.map(([name, family, ...opts]) => {
    if (!family) throw new UsageError(`--columns: "${name}" has no family; write NAME:FAMILY for every column (e.g. age:gaussian,visits:poisson)`);
    const o: Record<string, unknown> = { family };
    for (const opt of opts) {
      const m = /^(\w+)=(.+)$/.exec(opt);
      if (!m) throw new UsageError(`--columns: "${opt}" (column ${name}) is not OPTION=VALUE (e.g. trials=10, levels=3)`);
      o[m[1]] = m[2].trim() !== "" && Number.isFinite(Number(m[2])) ? Number(m[2]) : m[2];
    }
    return o;
  });
  return { names: parts.map((p) => p[0]).join(","), columns };
}

const HELP = `mixem — fit mixture models by EM (WebAssembly inside)

Usage:
  mixem fit <file.csv | file.json | file.parquet | file.arrow | -> [options]
  mixem select <file.csv | file.json | file.parquet | file.arrow | -> -k 1..8 [--criterion bic|aic|icl] [options]
  mixem predict <model.json> <file.csv | file.json | file.parquet | file.arrow | -> [--column C | --columns A,B] [--json]
  mixem worker --redis URL [--concurrency N] [--cache-size N] [--queue NAME]
  mixem fit --redis URL --shards 'data/part-*.csv' [options]
  mixem --version

Data:
  CSV with or without a header row, or JSON: an array of numbers, an array of objects, or
  {"columns": {...}}; "-" reads standard input (a named pipe works too). Cells are decimal
  numerals (12, -0.5, 1.5e-3); any other cell in a column used (NA, empty, 0x10, 1,5) is an
  error naming its row (1-based, after the header) and column. At most ${mib(MAX_BYTES)} of CSV
  (${mib(MAX_BYTES / 4)} of JSON) is read into memory; fit streams larger files.
  Parquet (.parquet: uncompressed, snappy, gzip, zstd, and the other codecs of
  hyparquet-compressors) and Arrow IPC files and streams (.arrow, .feather, .arrows) are read a
  row group or record batch at a time, only the columns used: ints, floats and booleans (0/1);
  a null is an error naming its row. Text columns (Parquet strings, Arrow Utf8 or dictionaries)
  are level names where a categorical column is read, as in a CSV. fit streams them above
  ${mib(STREAM_ABOVE)} of chosen values.
  --column NAME       column to fit (name, or 1-based number); needed when several are numeric
  --columns A,B,...   ${ROWS}: the columns of each row (default: every column holding numbers);
                      ${PER_COLUMN}: NAME:FAMILY[:OPTION=VALUE],… gives each column its family,
                      e.g. age:gaussian,smoker:categorical,visits:poisson,heads:binomial:trials=10
  --trials N          binomial: trials per observation
  --trials-column C   binomial: column holding each observation's trials
  --weights C         column of sample weights (≥ 0): row i counts w_i times (BIC's n is Σ w)
  --labels C          fit: column of known components (1 … k; empty or NA: unknown): those rows
                      stay in their component (semi-supervised EM, as mclust's MclustSSC)

Model:
  --family F          ${FAMILY_HELP}
  --covariance C      mvgaussian: full (default) | tied | diag | spherical, or mclust's EII VII EEI
                      VEI EVI VVI EEE VEE EVE VVE EEV VEV EVV VVV; gaussian: V (default) | E;
                      mvt: full | tied | diag | spherical; select: all (default: every model, as
                      mclust's Mclust) or a list a,b
  --dof V             t, mvt: degrees of freedom: estimate (default, one per component) | equal
                      (one shared) | a positive number (fixed)
  -k, --k K           number of components (required; a range A..B is for mixem select)
  --mode M            soft (default) | hard
  --init I            kmeans++ (default) | random | hc (mclust's hierarchical start;
                      the default of select for mvgaussian)
  --fix-weights       keep the mixing weights equal
  --max-iter N        at most N iterations (default 500)
  --tol T             stop when the mean log-likelihood per value changes less (default 1e-8)
  --accelerate A      squarem | none: SQUAREM reaches the same fit in fewer passes over the
                      data, none takes one plain EM step per iteration (default: fit squarem with
                      --mode soft; select as selectK, squarem except mclust's hc start)
  --missing M         error (default) | marginalize: NA and empty cells are missing values,
                      fitted around by EM over the observed values (mvgaussian, bernoulli,
                      the 1-D families)
  --n-init N          restarts, keep the best (default 1)
  --seed S            PRNG seed (default 0)
  --threads N         shares of each pass, this process computing one, workers the others
                      (default: 1 below 2,000,000 values × k, else the cores); 1 uses the least
                      memory (the data once)
  --reg-covar R       gaussian variance floor, times the data's variance (default 1e-6)
  --prior             MAP-EM with the family's default conjugate prior (mclust's for Gaussians)
  --stream            parse the file once into a temporary binary file (in $TMPDIR, deleted at
                      exit) that every EM pass reads (automatic above ${mib(STREAM_ABOVE)}): memory stays
                      bounded; seeds come from the first piece

Families:
${FAMILY_LIST}

Model selection (select):
  -k, --k A..B        the range of k to try (default 1..8); each k gets --n-init restarts (default 3)
  --criterion C       bic (default) | aic | icl, lower is better

Prediction (predict):
  Reads a model saved by mixem fit --json and prints, for each row of the data, the most likely
  component and each component's posterior probability: CSV with the columns
  row,component,p1,...,pk (or JSON with --json: {"labels": [...], "posteriors": [[...], ...]}).

Many machines (needs the bullmq and ioredis packages; see docs/more-data.md):
  mixem worker --redis URL   answer shard jobs (run one per core, on any number of machines)
  --concurrency N            jobs at once in this process (default 1)
  --cache-size N             shards kept in memory between passes (default 8)
  --queue NAME               BullMQ queue shared by the workers and the fit (default mixem)
  mixem fit --redis URL --shards 'GLOB' [--column C | --columns A,B] -k K …
                             fit the CSV, JSON, Parquet or Arrow files the glob names (quoted;
                             * ? […], natural order); every worker must see them at the same
                             absolute paths

Output:
  Components are numbered from 1, in the order of the model's components (the fit table's
  "component" column, predict's labels and p1..pk, and --json's components[0] is component 1);
  a 1-D fit table lists them by increasing mean.
  --json              print the model (select: every score and the best model) as JSON
  --plot FILE.svg     write a picture: fit — histogram with the fitted mixture (1-D) or points
                      and 1σ/2σ ellipses (2-D mvgaussian), the rows weighted by --weights;
                      select — the criterion against k
  --quiet             no progress line on stderr (reading, then fitting)
  -h, --help          this help
  --version           the version of mixem

Exit status: 0 on success, 2 on any error (one line on stderr, starting "mixem: ").

Examples:
  mixem fit examples/faithful.csv --column waiting -k 2 --plot waiting.svg
  mixem fit examples/iris.csv --family mvgaussian --covariance full -k 3 --n-init 5
  mixem select examples/faithful.csv --family mvgaussian -k 1..6 --plot bic.svg
  mixem fit examples/faithful.csv --column waiting -k 2 --json > model.json
  mixem predict model.json examples/faithful.csv --column waiting
`;

const OPTIONS = {
  family: { type: "string" }, k: { type: "string", short: "k" }, column: { type: "string" },
  columns: { type: "string" }, covariance: { type: "string" }, dof: { type: "string" }, prior: { type: "boolean" },
  criterion: { type: "string" }, plot: { type: "string" }, stream: { type: "boolean" },
  trials: { type: "string" }, "trials-column": { type: "string" }, mode: { type: "string" },
  init: { type: "string" }, "fix-weights": { type: "boolean" }, "max-iter": { type: "string" },
  tol: { type: "string" }, "n-init": { type: "string" }, seed: { type: "string" }, threads: { type: "string" }, weights: { type: "string" }, labels: { type: "string" }, "reg-covar": { type: "string" },
  accelerate: { type: "string" }, missing: { type: "string" },
  redis: { type: "string" }, shards: { type: "string" }, concurrency: { type: "string" }, "cache-size": { type: "string" }, queue: { type: "string" },
  json: { type: "boolean" }, quiet: { type: "boolean" }, help: { type: "boolean", short: "h" }, version: { type: "boolean" },
} as const;

/** `--tol -1` is `--tol=-1`: a negative number after an option taking a value is its value. */
function joinNegatives(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], next = argv[i + 1];
    const name = a.startsWith("--") ? a.slice(2) : a === "-k" ? "k" : undefined;
    if (name && !name.includes("=") && (OPTIONS as Record<string, { type: string }>)[name]?.type === "string" && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x)) throw new UsageError(`${flag}: "${v}" is not a number`);
  return x;
}

/** Where the error says it happened, filled in as the run goes. */
const ctx: ErrorContext = {};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: joinNegatives(argv), allowPositionals: true, options: OPTIONS });
  if (values.version) {
    process.stdout.write(`mixem ${pkg.version}\n`);
    return 0;
  }
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const [command] = positionals;
  if (command === "predict") return predict(values, positionals.slice(1));
  // Many machines (src/cli/distributed.ts, loaded only here): a shard worker, or a fit of shards.
  if (command === "worker") return (await import("./cli/distributed.js")).worker(values, positionals.slice(1));
  if (command === "fit" && values.redis !== undefined) return (await import("./cli/distributed.js")).fitShards(values, positionals.slice(1));
  for (const flag of ["shards", "concurrency", "cache-size", "queue"] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} is for mixem fit --redis and mixem worker`);
  const [, file, ...rest] = positionals;
  if (command !== "fit" && command !== "select") throw new UsageError(`unknown command "${command}" (try: mixem fit <file> -k 2, or mixem --help)`);
  if (values.redis !== undefined) throw new UsageError("--redis is for mixem fit and mixem worker");
  if (!file) throw new UsageError(`${command} needs a data file (or - for standard input)`);
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (values.plot !== undefined) checkPlot(values.plot);
  ctx.family = values.family ?? DEFAULTS.family;
  ctx.trialsColumn = values["trials-column"] !== undefined;
  let kRange: [number, number] | undefined;
  if (command === "select") {
    const m = /^(\d+)(?:\.\.(\d+))?$/.exec(values.k ?? "1..8");
    if (!m) throw new UsageError(`-k: "${values.k}" is not a range like 1..8`);
    kRange = [Number(m[1]), Number(m[2] ?? m[1])];
    if (kRange[0] < 1 || kRange[0] > kRange[1]) throw new UsageError(`-k: "${values.k}" must be a range A..B with 1 ≤ A ≤ B`);
    if (values.criterion !== undefined && !["bic", "aic", "icl"].includes(values.criterion)) throw new UsageError(`--criterion: "${values.criterion}" is not bic, aic or icl`);
    if (values.stream) throw new UsageError("--stream is for mixem fit; mixem select needs the data in memory");
    if (values.labels !== undefined) throw new UsageError("--labels is for mixem fit (its labels are components 1 … k of one k)");
  } else {
    if (values.k === undefined) throw new UsageError("-k is required (the number of components)");
    if (/^\d+\s*(\.\.|-|:)\s*\d+$/.test(values.k)) throw new UsageError(`-k: "${values.k}" is a range; mixem select fits each k in a range and picks the best: mixem select ${file} -k ${values.k.replace(/\s*(\.\.|-|:)\s*/, "..")}`);
    if (values.criterion !== undefined) throw new UsageError("--criterion is for mixem select");
  }

  if (values.missing !== undefined && values.missing !== "error" && values.missing !== "marginalize") throw new UsageError(`--missing: "${values.missing}" is not error or marginalize`);
  missingCells.allowed = values.missing === "marginalize";
  missingCells.refusedBy = familyOf(ctx.family) && !familyOf(ctx.family)!.missing ? ctx.family : undefined; // its hints do not offer --missing
  const input = inputOf(file);
  const kind = input.kind === "stdin" ? await stdinKind() : columnarKind(input); // Parquet or Arrow IPC (else CSV or JSON)
  const columnar = kind ? await openColumnar(input, kind) : undefined;
  // CSV and JSON stream above STREAM_ABOVE bytes of file; Parquet and Arrow, once the columns are chosen, above STREAM_ABOVE bytes of values.
  let streaming = command === "fit" && (values.stream === true || (!columnar && input.kind === "file" && input.size > STREAM_ABOVE));
  const checkStreaming = () => {
    if (input.kind === "stdin") throw new UsageError("--stream reads the file once per EM pass; it cannot read standard input");
    if (input.kind === "pipe") throw new UsageError(`--stream reads a file; ${file} is a pipe (without --stream, up to ${mib(MAX_BYTES)} is read into memory)`);
    if (values.plot) throw new UsageError("--plot needs the data in memory; it is not available when streaming");
    if (values["trials-column"] !== undefined) throw new UsageError("--trials-column is not available when streaming; give --trials");
    if (values.weights !== undefined) throw new UsageError("--weights is not available when streaming (the file is read in memory up to " + mib(STREAM_ABOVE) + ")");
    if (values.labels !== undefined) throw new UsageError("--labels is not available when streaming (the file is read in memory up to " + mib(STREAM_ABOVE) + ")");
  };
  if (streaming) checkStreaming();
  const family = familyOf(ctx.family);
  const multivariate = family?.shape === "rows";
  if (multivariate && values.column !== undefined) throw new UsageError(`--family ${values.family} takes --columns (several), not --column`);
  if (!multivariate && values.columns !== undefined) throw new UsageError(`--columns is for --family ${ROWS.replace(/, (?=[^,]*$)/, " or ")}; use --column`);
  const progress = new Progress(values.quiet === true);
  const onBytes = (bytes: number) => progress.reading(input.source, bytes, input.size);
  const typed = columnSpecs(values.columns);
  if (typed.columns && !(family && "columns" in family.options)) throw new UsageError(`--columns NAME:FAMILY (a family per column) is for --family ${PER_COLUMN || "(none)"}; use --columns A,B`);
  // The weights column (--weights) is not data: left out of the default columns.
  // Nor is the labels column (--labels).
  const weightsOf = (t: Columns) => [
    ...(values.weights === undefined ? [] : [columnIndex(t, values.weights, "--weights")]),
    ...(values.labels === undefined ? [] : [columnIndex(t, values.labels, "--labels")]),
  ];
  const choose = (t: Columns) => (multivariate ? columnsOf(t, typed.names, weightsOf(t)) : [columnIndex(t, values.column, "--column", weightsOf(t))]);

  let data: () => Float64Array = () => new Float64Array(0), names: string[], source: { source: () => AsyncIterable<Float64Array> } | undefined;
  let trials: number | ArrayLike<number> | undefined = num(values.trials, "--trials");
  let sampleWeights: Float64Array | undefined, labels: Float64Array | undefined;
  let trialsAt: ColumnIn | undefined, weightsAt: ColumnIn | undefined; // per-row trials and weights in WebAssembly memory
  let levelsOption: unknown; // level names read from the cells (levelColumns)
  let perRowNames: string[] = []; // the trials and weights columns' names, as read
  if (columnar) {
    if (values.labels !== undefined) throw new UsageError("--labels reads a CSV file's column (not yet Parquet or Arrow)");
    // Parquet / Arrow: the chosen columns only, a row group or record batch at a time.
    const f = columnar, named = levelColumns(family, typed.columns);
    // Text columns where level names may be (categorical, independent's categorical columns) count as holding values.
    const idx = multivariate && named ? columnsOf({ names: f.names, source: f.source, numeric: (i) => f.numeric(i) || f.text(i) }, typed.names, weightsOf(f)) : choose(f);
    names = idx.map((i) => f.names[i]);
    const levels = named && idx.some((i, a) => named(a) && f.text(i)) ? idx.map((i, a) => (named(a) && f.text(i) ? new LevelCodes(input.source, f.names[i]) : undefined)) : undefined;
    const bytes = f.rows !== undefined ? f.rows * idx.length * 8 : input.kind === "file" ? input.size : 0;
    if (command === "fit" && !streaming && bytes > STREAM_ABOVE) { streaming = true; checkStreaming(); }
    if (streaming) {
      // Level names: ids in the temporary file (the largest value of each column noted: a column
      // of codes' count of levels), each chunk recoded to the sorted names' codes as it is read back.
      const d = idx.length, largest = new Float64Array(d).fill(1);
      const spooled = await spoolRows(input.source, names, (write) => f.read(idx, levels ? (x, n) => {
        for (let a = 0; a < d; a++) if (!levels[a]) for (let o = a; o < n * d; o += d) if (Number.isInteger(x[o]) && x[o] >= 0 && x[o] < 2 ** 16 && x[o] + 1 > largest[a]) largest[a] = x[o] + 1; // as largestCode
        write(x);
      } : write, levels));
      ctx.rowOfChunk = spooled.rowOfChunk;
      source = spooled;
      if (levels) {
        const found = levels.map((l) => l?.levels());
        setLevelNames(found.map((l) => l?.names ?? []), typed.columns, (levels) => { levelsOption = levels; }, (a) => largest[a]);
        const chunks = spooled.source;
        source = { source: async function* () {
          for await (const x of chunks()) {
            found.forEach((l, a) => { if (l?.byId) recode(x, x.length / d, d, a, l.byId); });
            yield x;
          }
        } };
      }
    } else {
      await init();
      // The data, and the per-row trials and weights each in a column of its own, read in one pass
      // straight into WebAssembly memory, where the fit reads them without a copy (as CSV).
      const extra = [
        ...(values["trials-column"] === undefined ? [] : [columnIndex(f, values["trials-column"], "--trials-column")]),
        ...(values.weights === undefined ? [] : [weightsOf(f)[0]]),
      ];
      perRowNames = extra.map((i) => f.names[i]);
      const read = await readColumns(f, idx, getCore().arena(), extra, levels);
      data = read.data;
      if (levels) setLevelNames(read.levels.map((l) => l ?? []), typed.columns, (levels) => { levelsOption = levels; }, (a) => largestCode(read.data(), idx.length, a));
      if (values["trials-column"] !== undefined) trialsAt = read.extra[0];
      if (values.weights !== undefined) weightsAt = read.extra[extra.length - 1];
      ctx.rowOfData = rowOfData(input.source, names, idx.length > 1);
    }
  } else if (streaming) {
    const spooled = await spool(input, choose, onBytes).catch((e: unknown) => {
      // Level names are read in memory only: say so where --stream met one.
      if (e instanceof UsageError && levelColumns(family, typed.columns) && / is not a number$/.test(e.message)) throw new UsageError(`${e.message} (level names are read in memory only, not with --stream)`);
      throw e;
    });
    ctx.rowOfChunk = spooled.rowOfChunk;
    names = spooled.idx.map((i) => spooled.table.names[i]);
    source = spooled;
  } else {
    // CSV is read straight into WebAssembly memory, where the fit reads it without a copy (the
    // process ends with the command, and the memory with it).
    await init();
    const t = await readTable(input, tooBig(input, command), onBytes, getCore().arena());
    const named = levelColumns(family, typed.columns);
    const idx = multivariate && named ? columnsOf(withLevelNames(t, named), typed.names, weightsOf(t)) : choose(t);
    names = idx.map((i) => t.names[i]);
    ctx.rowOfData = rowOfData(input.source, names, idx.length > 1); // the fit's data: n × d values in a row
    if (named) readLevelNames(t, idx, named, typed.columns, (levels) => { levelsOption = levels; });
    // Per-row trials and weights: in a CSV table, kept in WebAssembly memory (below), where the fit reads them in place.
    const trialsColumn = values["trials-column"] === undefined ? undefined : columnIndex(t, values["trials-column"], "--trials-column");
    const weightsColumn = values.weights === undefined ? undefined : weightsOf(t)[0];
    if (!(t instanceof DenseTable)) {
      perRowNames = [trialsColumn, weightsColumn].filter((i) => i !== undefined).map((i) => t.names[i]);
      if (trialsColumn !== undefined) trials = t.column(trialsColumn);
      if (weightsColumn !== undefined) sampleWeights = t.column(weightsColumn);
    }
    if (values.labels !== undefined) labels = cliLabels(t, columnIndex(t, values.labels, "--labels"), num(values.k, "-k"));
    if (t instanceof DenseTable) {
      // The trials and weights in the table's own memory, right after the chosen columns (or else in regions of their own).
      const extra = [trialsColumn, weightsColumn].filter((i) => i !== undefined);
      perRowNames = extra.map((i) => t.names[i]);
      for (const i of extra) t.checkColumn(i);
      const kept = extra.length === 0 ? (t.compact(idx), []) : t.compactWith(idx, extra) ?? (() => { const r = extra.map((i) => t.columnIn(i)); t.compact(idx); return r; })();
      if (trialsColumn !== undefined) trialsAt = kept[0];
      if (weightsColumn !== undefined) weightsAt = kept[kept.length - 1];
      data = () => t.data.subarray(0, t.rows * idx.length); // a fresh view: WebAssembly memory may have grown
    } else {
      const copy = multivariate ? matrix(t, idx) : t.column(idx[0]);
      data = () => copy;
    }
  }
  progress.done();
  ctx.data = `${input.source}, ${names.length > 1 ? "columns" : "column"} ${names.join(", ")}`;
  // A bad trials or weights value is named by its file, row and column.
  const perRow = (name: string, read: () => ArrayLike<number>) => ({ where: (i: number) => `${input.source}, row ${i + 1}, column ${name}`, value: (i: number) => read()[i] });
  ctx.rowOfOption = {};
  if (values["trials-column"] !== undefined && perRowNames.length) ctx.rowOfOption.trials = perRow(perRowNames[0], () => trialsAt?.array ?? (trials as ArrayLike<number>));
  if (values.weights !== undefined && perRowNames.length) ctx.rowOfOption.sampleWeights = perRow(perRowNames[perRowNames.length - 1], () => weightsAt?.array ?? sampleWeights!);
  if (missingCells.allowed && ctx.rowOfOption.trials) {
    // --missing marginalize reads an NA or empty cell as NaN, a missing value of the data; per-row trials must all be there.
    const t = trialsAt?.array ?? (trials as ArrayLike<number>);
    for (let i = 0; i < t.length; i++) if (Number.isNaN(t[i])) throw new UsageError(`${ctx.rowOfOption.trials.where(i)}: a missing value (empty, NA or null); every row needs its number of trials (--missing marginalize is for the data's values)`);
  }
  const where = `${input.source}, ${multivariate ? `columns ${names.join(", ")}` : `column ${names[0]}`}${values.weights !== undefined ? `, weighted by column ${values.weights}: the count is Σ weights` : ""}`;
  const axes: string[] = multivariate ? names : [names[0], "density"]; // a pairs plot labels every dimension

  const options: Record<string, unknown> = {
    family: values.family, k: kRange ? undefined : num(values.k, "-k"), mode: values.mode, init: values.init, dims: multivariate ? names.length : undefined,
    covariance: values.covariance, prior: values.prior, columns: typed.columns, levels: levelsOption,
    dof: values.dof === undefined || values.dof === "estimate" || values.dof === "equal" ? values.dof : num(values.dof, "--dof"),
    fixWeights: values["fix-weights"], maxIter: num(values["max-iter"], "--max-iter"), tol: num(values.tol, "--tol"),
    nInit: num(values["n-init"], "--n-init"), seed: num(values.seed, "--seed"), regCovar: num(values["reg-covar"], "--reg-covar"), threads: num(values.threads, "--threads"), labels,
    // Per-row trials and weights in WebAssembly memory: views made now (the fit takes them where they
    // lie before it allocates anything there); select loads the data once per fit, so it gets copies.
    trials: trialsAt ? (kRange ? trialsAt.array.slice() : trialsAt.array) : trials,
    sampleWeights: weightsAt ? (kRange ? weightsAt.array.slice() : weightsAt.array) : sampleWeights,
    // SQUAREM by default for soft EM (the API's fit keeps plain EM steps by default).
    missing: values.missing,
    accelerate: values.accelerate ?? (values.mode === "hard" || kRange ? undefined : "squarem"), // select: selectK's default
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  progress.restart();
  if (!values.quiet) options.onIteration = (info: { iteration: number; logLikelihood: number; restart: number }) => progress.iteration(info);

  if (kRange) {
    await init();
    if (values.threads !== undefined) throw new UsageError("--threads is for mixem fit (select fits each k on this thread)");
    const { onIteration: _drop, ...selectOptions } = options;
    const crit = (values.criterion ?? "bic") as Criterion;
    if (typeof selectOptions.covariance === "string" && selectOptions.covariance.includes(",")) selectOptions.covariance = selectOptions.covariance.split(",").map((c) => c.trim());
    // A copy: selection loads the data for every fit, and a view of WebAssembly memory moves when it grows.
    const selection = selectK(data().slice(), {
      ...selectOptions, kRange, criterion: crit,
      onModel: values.quiet ? undefined : (e: SelectionEntry) => process.stderr.write(`mixem: k = ${e.k}${e.mclust ? ` ${e.mclust}` : ""}: ${crit.toUpperCase()} ${e.error === "FAILED" ? "failed" : `${e[crit].toFixed(2)} (lower is better)`}\n`),
    } as SelectOptions);
    if (values.plot) writePlot(values.plot, () => plotSelection(selection, { title: `${selection.criterion.toUpperCase()} against k` }));
    if (values.json) {
      const models = selection.covariance ? { covariance: selection.covariance, mclust: selection.mclust } : {}; // the best's model, as the API's selection names it
      const out = { criterion: selection.criterion, k: selection.k, ...models, scores: selection.scores.map(({ model: _m, ...e }) => e), best: selection.best.toJSON() };
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    } else if (new Set(selection.scores.map((e) => e.covariance)).size > 1) {
      process.stdout.write([`mixem: ${selection.best.family} mixtures, k = ${kRange[0]}..${kRange[1]} (${where})`, "", mclustTable(selection), "", table(selection.best, where)].join("\n") + "\n");
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
  const model = source
    ? await fitStream(source.source, options as unknown as FitOptions)
    : await fitHere(data(), options as unknown as FitOptions);
  progress.done();
  if (values.plot) {
    const plot = familyOf(model.family)!.plot;
    if (plot.kind === "none" || (plot.kind === "scatter" && model.dims < 2)) throw new UsageError(`--plot draws 1-D fits and mvgaussian fits of 2 or more dimensions, not ${model.family} in ${model.dims}`);
    // --weights: the picture weighs the rows as the fit did (a fresh view: WebAssembly memory may have grown).
    const weights = values.weights === undefined ? undefined : weightsAt?.array ?? sampleWeights;
    writePlot(values.plot, () => plotFit(model, data(), { title: `${model.family} mixture, k = ${model.k}`, labels: plot.kind === "counts" ? undefined : axes, trials: typeof trials === "number" && plot.kind === "counts" ? trials : undefined, sampleWeights: weights }));
  }

  if (values.json) {
    const out = { ...model.toJSON(), criteria: criteria(model) };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  } else {
    process.stdout.write(table(model, where + (streaming ? ", streamed" : "")) + "\n");
  }
  return 0;
}

/** Where the fit's data[i] (flat: i a row-major index over the columns) or data[i][a] is: "FILE, row R, column NAME". */
function rowOfData(source: string, names: string[], flat: boolean): (i: number, a: number | undefined) => string {
  const d = names.length;
  return (i, a) => `${source}, row ${(flat && a === undefined ? Math.floor(i / d) : i) + 1}, column ${names[a ?? (flat ? i % d : 0)]}`;
}

/**
 * fit, with the command's own thread computing one share of a threaded fit (a command may block
 * its thread): one worker fewer, and that share of the data is not copied — the same bits.
 */
async function fitHere(x: Float64Array, options: FitOptions): Promise<MixtureModel> {
  const threads = chooseThreads(x, options as unknown as Record<string, unknown>);
  if (threads <= 1) return fit(x, options);
  const [{ fitThreaded }] = await Promise.all([import("./threads.js"), loadWorkerSource()]);
  return fitThreaded(x, { ...options, threads: undefined } as FitOptions, threads, true);
}

/** The message for input past the in-memory limit. */
function tooBig(input: Input, command: string) {
  return (limit: number) => input.kind === "file"
    ? `${input.source} is ${mib(input.size)}, more than the ${mib(limit)} mixem reads into memory; ${command === "fit" ? "use --stream (reads it in pieces)" : `mixem ${command} needs the data in memory: use a sample, or mixem fit --stream for one k`}`
    : `${input.source}: more than the ${mib(limit)} mixem reads into memory; save it to a file and use mixem fit <file> --stream`;
}

/** --plot's file must be writable: checked before a long fit, not after. */
function checkPlot(file: string) {
  if (!file.endsWith(".svg")) throw new UsageError("--plot writes SVG: give a file name ending in .svg");
  const dir = dirname(file);
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`--plot ${file}: the folder ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new UsageError(`--plot ${file}: ${dir} is not a folder`);
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`--plot ${file}: it is a directory; give a file name`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}

function writePlot(file: string, svg: () => string) {
  const text = svg();
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`--plot: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** mixem predict model.json data: each row's most likely component and the posteriors, 1-based. */
async function predict(values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"], args: string[]): Promise<number> {
  const [modelFile, file, ...rest] = args;
  if (!modelFile || !file) throw new UsageError("predict needs a model file (from mixem fit --json) and a data file (or - for standard input)");
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  for (const flag of ["k", "family", "covariance", "dof", "prior", "criterion", "plot", "stream", "mode", "init", "fix-weights", "max-iter", "tol", "n-init", "seed", "reg-covar", "threads", "weights", "labels", "accelerate", "missing"] as const)
    if (values[flag] !== undefined) throw new UsageError(`--${flag === "k" ? "k" : flag} is for fitting; predict takes the model as it was fitted`);
  const modelInput = inputOf(modelFile);
  if (modelInput.kind === "file" && modelInput.size > MAX_BYTES / 4) throw new UsageError(`${modelFile} is ${mib(modelInput.size)}; a model file is small JSON (from mixem fit --json)`);
  let model: MixtureModel;
  try {
    model = loadModel(JSON.parse(readFileSync(modelFile === "-" ? 0 : modelFile, "utf8")));
  } catch (e) {
    if (e instanceof SyntaxError) throw new UsageError(`${modelFile}: not valid JSON (${e.message})`);
    if (e instanceof MixemError) throw new UsageError(`${modelFile} is not a mixem model (${e.message}); write one with mixem fit --json`);
    throw e;
  }
  if (modelFile === "-" && file === "-") throw new UsageError("predict cannot read both the model and the data from standard input");
  await init();
  const multivariate = familyOf(model.family)!.shape === "rows";
  if (multivariate && values.column !== undefined) throw new UsageError(`the model is ${model.family}: give --columns (several), not --column`);
  if (!multivariate && values.columns !== undefined) throw new UsageError(`the model is ${model.family}: give --column, not --columns`);
  if (!("trials" in familyOf(model.family)!.options) && (values.trials !== undefined || values["trials-column"] !== undefined)) throw new UsageError(`--trials is for models with trials (binomial); the model is ${model.family}`);
  missingCells.allowed = model.settings.missing === "marginalize"; // NA and empty cells, as in its fit
  missingCells.refusedBy = familyOf(model.family)!.missing ? undefined : model.family;
  const input = inputOf(file);
  const progress = new Progress(values.quiet === true);
  // Parquet / Arrow: the chosen columns read from the file (t: its columns); CSV / JSON: the table in memory.
  const kind = input.kind === "stdin" ? await stdinKind() : columnarKind(input);
  const f = kind ? await openColumnar(input, kind) : undefined;
  // CSV is read into WebAssembly memory, where the model reads the rows (and per-row trials) in place, as fit does.
  const t: Columns = f ?? await readTable(input, tooBig(input, "predict"), (bytes) => progress.reading(input.source, bytes, input.size), getCore().arena());
  progress.done();
  // Columns of level names read as the model's codes (its levels), as in its fit.
  const modelLevels = storedLevelNames(model);
  const withText: Columns | undefined = !modelLevels ? undefined : f ? { names: f.names, source: f.source, numeric: (i) => f.numeric(i) || f.text(i) } : withLevelNames(t as AnyTable, () => true);
  const idx = multivariate ? columnsOf(withText ?? t, columnSpecs(values.columns).names) : [columnIndex(t, values.column, "--column")];
  if (modelLevels && !f && idx.length === model.dims) idx.forEach((i, a) => { if (modelLevels[a]) (t as AnyTable).useLevels(i, modelLevels[a]!); });
  if (multivariate && idx.length !== model.dims)
    throw new UsageError(`${modelFile} is a model of ${model.dims} columns; ${values.columns === undefined ? `${t.source} has ${idx.length} numeric columns (${idx.map((i) => t.names[i]).join(", ")}); choose ${model.dims} with --columns` : `--columns gives ${idx.length}`}`);
  const trialsColumn = values["trials-column"] === undefined ? undefined : columnIndex(t, values["trials-column"], "--trials-column");
  // The rows, and per-row trials beside them, in WebAssembly memory (a Parquet or Arrow file in one pass, its text columns through the model's levels).
  let x: Float64Array, trialsAt: ColumnIn | undefined;
  if (f) {
    const levels = modelLevels ? idx.map((i, a) => (modelLevels[a] && f.text(i) ? new LevelCodes(input.source, f.names[i], modelLevels[a]) : undefined)) : undefined;
    const read = await readColumns(f, idx, getCore().arena(), trialsColumn === undefined ? [] : [trialsColumn], levels);
    x = read.data();
    trialsAt = read.extra[0];
  } else if (t instanceof DenseTable) {
    if (trialsColumn !== undefined) t.checkColumn(trialsColumn);
    trialsAt = trialsColumn === undefined ? (t.compact(idx), undefined) : (t.compactWith(idx, [trialsColumn]) ?? (() => { const r = t.columnIn(trialsColumn); t.compact(idx); return [r]; })())[0];
    x = t.data.subarray(0, t.rows * idx.length);
  } else {
    const rows = t as AnyTable;
    x = multivariate ? matrix(rows, idx) : rows.column(idx[0]);
    if (trialsColumn !== undefined) { const array = rows.column(trialsColumn); trialsAt = { array }; }
  }
  ctx.rowOfData = rowOfData(t.source, idx.map((i) => t.names[i]), idx.length > 1);
  let trials: number | Float64Array | undefined = num(values.trials, "--trials");
  if (trialsAt) {
    const at = trialsAt;
    trials = at.array; // a view made now: the model takes it where it lies before allocating
    ctx.rowOfOption = { trials: { where: (r) => `${t.source}, row ${r + 1}, column ${t.names[trialsColumn!]}`, value: (r) => at.array[r] } };
  }
  ctx.family = model.family;
  ctx.trialsColumn = values["trials-column"] !== undefined;
  const proba = model.predictProba(x, trials === undefined ? undefined : { trials });
  const k = model.k, n = proba.length / k;
  const label = (i: number) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (proba[i * k + j] > proba[i * k + best]) best = j;
    return best + 1;
  };
  const p = (v: number) => String(Number(v.toPrecision(6)));
  if (values.json) {
    const labels: number[] = [], posteriors: number[][] = [];
    for (let i = 0; i < n; i++) {
      labels.push(label(i));
      posteriors.push(Array.from(proba.subarray(i * k, i * k + k), (v) => Number(v.toPrecision(6))));
    }
    process.stdout.write(JSON.stringify({ k, labels, posteriors }) + "\n");
    return 0;
  }
  const header = ["row", "component", ...Array.from({ length: k }, (_, j) => `p${j + 1}`)].join(",");
  let out = header + "\n";
  for (let i = 0; i < n; i++) {
    let line = `${i + 1},${label(i)}`;
    for (let j = 0; j < k; j++) line += "," + p(proba[i * k + j]);
    out += line + "\n";
    if (out.length > 1 << 16) { process.stdout.write(out); out = ""; }
  }
  process.stdout.write(out);
  return 0;
}

// A closed pipe on stdout (mixem … | head) ends the run quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (process.env.MIXEM_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
    process.stderr.write(`mixem: ${oneLine(e, ctx)}\n`);
    process.exitCode = 2;
  },
);

/**
 * mclust's print of a BIC table: one column per covariance model (mclust's names), one row per k,
 * values in mclust's sign (2 log L − p log n: higher is better), NA where the fit failed or was
 * degenerate; then the best three.
 */
export function mclustTable(selection: Selection): string {
  const c = selection.criterion, name = c.toUpperCase();
  const models = [...new Set(selection.scores.map((e) => e.mclust ?? e.covariance ?? e.family))];
  const ks = [...new Set(selection.scores.map((e) => e.k))];
  const cell = (e: SelectionEntry | undefined) => (!e || !Number.isFinite(e[c]) ? "NA" : (-e[c]).toFixed(3) + (e.error ? "*" : ""));
  const find = (k: number, m: string) => selection.scores.find((e) => e.k === k && (e.mclust ?? e.covariance ?? e.family) === m);
  const width = Math.max(9, ...selection.scores.map((e) => cell(e).length)) + 1;
  const kw = String(ks[ks.length - 1]).length;
  const lines = [`${name} (mclust's sign: ${c === "aic" ? "2 log L − 2p" : c === "icl" ? "BIC's, less the classification entropy" : "2 log L − p log n"}; higher is better):`,
    " ".repeat(kw) + models.map((m) => m.padStart(width)).join(""),
    ...ks.map((k) => String(k).padEnd(kw) + models.map((m) => cell(find(k, m)).padStart(width)).join(""))];
  const top = selection.scores.filter((e) => !e.error).sort((a, b) => a[c] - b[c]).slice(0, 3);
  const labels = top.map((e) => `${e.mclust ?? e.covariance ?? e.family},${e.k}`);
  const w = Math.max(...labels.map((l) => l.length), ...top.map((e) => cell(e).length)) + 1;
  if (selection.scores.some((e) => e.error === "DEGENERATE")) lines.push("* degenerate (model.warnings): never chosen; NA: the fit failed");
  lines.push("", `Top ${top.length} models based on the ${name} criterion:`, labels.map((l) => l.padStart(w)).join(""), top.map((e) => cell(e).padStart(w)).join(""));
  return lines.join("\n");
}

/** --labels: the column's components 1 … k as the API's 0 … k − 1, an empty or NA cell −1 (unknown); any other value names its row. */
function cliLabels(t: AnyTable, i: number, k: number | undefined): Float64Array {
  const v = t.labelColumn(i);
  return v.map((x, row) => {
    if (Number.isNaN(x)) return -1;
    if (!Number.isInteger(x) || x < 1 || (k !== undefined && x > k))
      throw new UsageError(`${t.source}, row ${row + 1}, column ${t.names[i]}: ${x} is not a component 1 … ${k ?? "k"} (empty or NA: unknown)`);
    return x - 1;
  });
}

/**
 * Which of the chosen columns may hold level names (strings) — every column of a family with
 * `levels` (categorical), or of an independent model the columns whose family has them and no
 * `levels` given in --columns — as a test on a column's position; undefined when none may.
 */
function levelColumns(family: ReturnType<typeof familyOf>, columns: Record<string, unknown>[] | undefined): ((a: number) => boolean) | undefined {
  if (!family || family.shape !== "rows") return undefined;
  if (columns) {
    const may = columns.map((c) => typeof c.family === "string" && !!familyOf(c.family) && "levels" in familyOf(c.family)!.options && c.levels === undefined);
    return may.some(Boolean) ? (a) => may[a] : undefined;
  }
  return "levels" in family.options ? () => true : undefined;
}

/** The table's columns, a column of level names counting as one holding values (the default --columns). */
function withLevelNames(t: AnyTable, named: (a: number) => boolean): Columns {
  const names = (i: number) => { try { return t.levelNames(i).length > 0; } catch { return false; } };
  return { names: t.names, source: t.source, numeric: (i) => t.numeric(i) || (named(i) && names(i)) };
}

/**
 * Columns of level names among the chosen ones (idx) read as codes of their names, sorted (as the
 * API derives levels from string data): the `levels` option (categorical: per column its names, or
 * the count of its codes) or each column's `levels` (independent) then carries the names into the model.
 */
function readLevelNames(t: AnyTable, idx: number[], named: (a: number) => boolean, columns: Record<string, unknown>[] | undefined, setLevels: (levels: unknown) => void): void {
  const found = idx.map((i, a) => (named(a) ? t.levelNames(i) : []));
  if (!found.some((n) => n.length > 0)) return;
  found.forEach((n, a) => { if (n.length > 0) t.useLevels(idx[a], n); });
  setLevelNames(found, columns, setLevels, (a) => largestCode(t.column(idx[a]), 1, 0));
}

/**
 * The level names found per chosen column ([]: none) into the options: each column's `levels`
 * (independent), or `levels` (categorical) with a column of codes beside them counting its
 * levels as the largest code + 1 (`codes(a)`; the API checks the codes).
 */
function setLevelNames(found: string[][], columns: Record<string, unknown>[] | undefined, setLevels: (levels: unknown) => void, codes: (a: number) => number): void {
  if (!found.some((n) => n.length > 0)) return;
  if (columns) {
    found.forEach((n, a) => { if (n.length > 0) columns[a] = { ...columns[a], levels: [n] }; }); // one column's levels
    return;
  }
  setLevels(found.map((n, a) => (n.length > 0 ? n : codes(a))));
}

/**
 * The largest code + 1 (at least 1) of column a of x (d values a row): a column of codes' count of
 * levels. Values that are not codes (not integers in 0 … 2^16 − 1, categorical's most levels) are
 * left out of the count: the fit then names each at its row and column.
 */
function largestCode(x: Float64Array, d: number, a: number): number {
  let m = 1;
  for (let i = a; i < x.length; i += d) if (Number.isInteger(x[i]) && x[i] >= 0 && x[i] < 2 ** 16 && x[i] + 1 > m) m = x[i] + 1;
  return m;
}

