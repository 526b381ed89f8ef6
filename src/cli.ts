// mixem command line: `mixem fit <file.csv | file.json | -> --family gaussian -k 2 [--column NAME]`.
import { parseArgs } from "node:util";
import { statSync, writeFileSync } from "node:fs";
import { fit, fitStream, init, MixemError, plotFit, plotSelection, selectK, type Criterion, type FitOptions, type SelectionEntry, type SelectOptions } from "./index.js";
import { FAMILIES, FAMILY_NAMES, familyOf } from "./families/index.js";
import { DEFAULTS } from "./defaults.js";
import { column, columnIndex, csvSource, firstPiece, matrix, readTable, STREAM_ABOVE, UsageError } from "./cli/input.js";
import { criteria, table } from "./cli/report.js";

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

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x)) throw new UsageError(`${flag}: "${v}" is not a number`);
  return x;
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
  let trials: number | ArrayLike<number> | undefined = num(values.trials, "--trials");
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
      ...selectOptions, kRange, criterion: (values.criterion ?? "bic") as Criterion,
      onModel: values.quiet ? undefined : (e: SelectionEntry) => process.stderr.write(`mixem: k = ${e.k}: ${(values.criterion ?? "bic").toUpperCase()} ${e[(values.criterion ?? "bic") as Criterion].toFixed(2)}\n`),
    } as SelectOptions);
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
