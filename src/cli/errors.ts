// Every failure of the CLI is one line on stderr and exit code 2, in the command line's terms.
import { MixemError } from "../errors.js";
import { DEFAULTS } from "../defaults.js";

/** A mistake on the command line or in the input file: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** The flag for each option of the API. */
export const FLAGS: Record<string, string> = {
  k: "-k", kRange: "-k", family: "--family", mode: "--mode", init: "--init", fixWeights: "--fix-weights",
  maxIter: "--max-iter", tol: "--tol", nInit: "--n-init", seed: "--seed", regCovar: "--reg-covar",
  covariance: "--covariance", prior: "--prior", trials: "--trials", criterion: "--criterion", dims: "--columns", sampleWeights: "--weights",
  connection: "--redis", shards: "--shards",
};

const flagOf = (option: string) => FLAGS[option] ?? `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** What the CLI knows about the run, to say where a value came from. */
export type ErrorContext = {
  family?: string; trialsColumn?: boolean; rowOfChunk?: (chunk: number, index: number) => string;
  /** Where data[i] (a flat index) or data[i][a] is in the input: "FILE, row R, column NAME". */
  rowOfData?: (index: number, column: number | undefined) => string;
  /**
   * Per-row options read from a column (trials: --trials-column, sampleWeights: --weights): where
   * options.NAME[i] is in the input ("FILE, row R, column NAME"), and its value.
   */
  /** What the fit's data is in the input: "FILE, column NAME" (for a message about the data as a whole). */
  data?: string;
  rowOfOption?: Record<string, { where: (index: number) => string; value: (index: number) => number }>;
};

/** A MixemError from the API as the CLI says it: flags instead of option paths. */
export function translate(e: MixemError, ctx: ErrorContext): string {
  const path = e.path;
  let msg = path === undefined ? e.message : e.message.slice(path.length + 2);
  const body = (m: string) => m.replace(/\boptions\.([A-Za-z]+)/g, (_, o: string) => flagOf(o));
  if (path === undefined) return body(msg);
  // `-k 0`: the existing tests pin the API's wording for this one.
  if (path === "options.k") return e.message;
  const opt = /^options\.([A-Za-z]+)(.*)$/.exec(path);
  if (opt) {
    const flag = flagOf(opt[1]);
    if (/is not an option here/.test(msg)) return `${flag} does not apply to --family ${ctx.family ?? DEFAULTS.family}`;
    if (opt[1] === "trials" && /is required to plot/.test(msg)) return `--plot: a binomial picture needs one number of trials; this fit has per-row trials (--trials-column)`;
    if (opt[1] === "trials" && /is required/.test(msg)) return `--family binomial needs --trials N (trials per observation) or --trials-column C`;
    const row = /^\[(\d+)\]$/.exec(opt[2]), column = ctx.rowOfOption?.[opt[1]];
    if (row && column) {
      // "FILE, row R, column NAME: 0 is not a valid number of trials", "…: -1 is negative; …"
      const v = column.value(+row[1]), where = column.where(+row[1]);
      if (Number.isNaN(v)) return `${where}: a missing value (empty, NA or null); every row needs ${opt[1] === "trials" ? "its number of trials" : "a weight"} (--missing marginalize is for the data's values)`;
      return `${where}: ${/^is /.test(msg) ? `${v} ${body(msg)}` : body(msg)}`;
    }
    if (opt[1] === "trials" && ctx.trialsColumn) return `--trials-column${opt[2]}: ${body(msg)}`;
    if (opt[1] === "kRange") return `-k: must be a range A..B with 1 ≤ A ≤ B`;
    if (opt[1] === "sampleWeights" && row) return `--weights, row ${+row[1] + 1}: ${body(msg)}`;
    return `${flag}${opt[2]}: ${body(msg)}`;
  }
  const at = /^data\[(\d+)\](?:\[(\d+)\])?(.*)$/.exec(path);
  if (at && ctx.rowOfData) return `${ctx.rowOfData(+at[1], at[2] === undefined ? undefined : +at[2])}${at[3]}: ${body(msg)}`;
  if (path === "data" && ctx.data) return `${ctx.data}: ${body(msg)}`;
  const chunk = /^chunks\[(\d+)\]\[(\d+)\](.*)$/.exec(path);
  if (chunk && ctx.rowOfChunk) return `${ctx.rowOfChunk(+chunk[1], +chunk[2])}${chunk[3]}: ${body(msg)}`;
  return `${path}: ${body(msg)}`;
}

/** Any error as one line: known ones as they are, system errors by their code, the rest as internal. */
export function oneLine(e: unknown, ctx: ErrorContext): string {
  let text: string;
  if (e instanceof UsageError) text = e.message;
  else if (e instanceof MixemError) text = translate(e, ctx);
  else if ((e as { code?: string })?.code?.startsWith?.("ERR_PARSE_ARGS")) text = parseArgsMessage((e as Error).message);
  else if (typeof (e as NodeJS.ErrnoException)?.code === "string" && (e as NodeJS.ErrnoException).syscall)
    text = `${(e as NodeJS.ErrnoException).syscall} ${(e as NodeJS.ErrnoException).path ?? ""}: ${(e as NodeJS.ErrnoException).code}`.replace(" :", ":");
  else text = `internal error: ${(e as Error)?.message ?? String(e)} (please report it; MIXEM_DEBUG=1 prints the stack)`;
  return text.replace(/\s*\n\s*/g, "; ").replace(/\bundefined\b/g, "(none)");
}

/** node:util parseArgs's messages, one line each. */
function parseArgsMessage(m: string): string {
  const ambiguous = /^Option '([^']+)' argument is ambiguous/.exec(m);
  if (ambiguous) return `${ambiguous[1]} needs a value (a value starting with "-" goes as ${ambiguous[1]}=-VALUE)`;
  const unknown = /^Unknown option '([^']+)'/.exec(m);
  if (unknown) return `Unknown option '${unknown[1]}' (mixem --help lists them)`;
  return m.split("\n")[0];
}
