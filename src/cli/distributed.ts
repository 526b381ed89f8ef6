// `mixem worker --redis URL` and `mixem fit --redis URL --shards 'data/part-*.csv'`: the two roles
// of a fit over many machines (src/bullmq.ts), on the command line. Loaded only by those commands;
// BullMQ (and ioredis) must be installed beside mixem.
import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { FitOptions } from "../types.js";
import type { Chunk } from "../stream.js";
import { familyOf } from "../families/index.js";
import { DEFAULTS } from "../defaults.js";
import { MixemError } from "../errors.js";
import { fitDistributed, startShardWorker } from "../bullmq.js";
import { columnIndex, columnsOf, inputOf, matrix, mib, readTable, UsageError, type AnyTable, type Table } from "./input.js";
import { columnarKind, openColumnar, readColumns, type ColumnarFile } from "./columnar.js";
import { Progress } from "./progress.js";
import { criteria, table } from "./report.js";

type Values = Record<string, string | boolean | undefined>;

function num(v: string | boolean | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(x)) throw new UsageError(`${flag}: "${v}" is not a number`);
  return x;
}

/**
 * The files a glob names, in natural order (part-2 before part-10): `*`, `?` and `[…]` within
 * a path segment, in any segment; no `**`.
 */
export function expandGlob(pattern: string): string[] {
  const abs = resolve(pattern);
  const parts = abs.split(sep).filter((p, i) => p !== "" || i === 0);
  const magic = (p: string) => /[*?[]/.test(p);
  const toRegExp = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")}$`);
  let found = [parts[0] === "" ? sep : parts[0]];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const dir of found) {
      if (!magic(part)) { next.push(join(dir, part)); continue; }
      let names: string[];
      try { names = readdirSync(dir); } catch { continue; }
      const re = toRegExp(part);
      for (const name of names) if (!name.startsWith(".") && re.test(name)) next.push(join(dir, name));
    }
    found = next;
  }
  const files = found.filter((f) => { try { return statSync(f).isFile(); } catch { return false; } });
  return files.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/**
 * A shard's address as the coordinator sends it: the file's URL, with the columns to read
 * (`?column=NAME` or `?columns=A,B`), so every worker reads the same columns.
 */
export function shardUri(file: string, column: string | undefined, columns: string | undefined): string {
  const url = pathToFileURL(isAbsolute(file) ? file : resolve(file));
  if (column !== undefined) url.searchParams.set("column", column);
  if (columns !== undefined) url.searchParams.set("columns", columns);
  return url.href;
}

/**
 * A shard's chosen columns, row-major, and how many: CSV and JSON through the CLI's reader,
 * Parquet and Arrow IPC through its columnar reader (src/cli/columnar.ts), as `mixem fit` reads them.
 * A file that is not there (yet) is an Error (tried again); anything wrong inside it a UsageError.
 */
async function readShardColumns(path: string, column: string | undefined, columns: string | undefined, rows: boolean): Promise<{ values: Float64Array; d: number }> {
  let input;
  try {
    input = inputOf(path);
  } catch (e) {
    throw new Error((e as Error).message);
  }
  const kind = columnarKind(input);
  const t = kind
    ? await openColumnar(input, kind)
    : await readTable(input, (limit) => `${path} is larger than the ${mib(limit)} a worker reads into memory; cut it into smaller shards`);
  const table = t as unknown as Table; // columnIndex and columnsOf read names, source and numeric()
  const idx = rows ? columnsOf(table, columns) : [columnIndex(table, column, "--column")];
  if (kind) return { values: (await readColumns(t as ColumnarFile, idx, null)).data(), d: idx.length };
  return { values: rows ? matrix(t as AnyTable, idx) : (t as AnyTable).column(idx[0]), d: idx.length };
}

/** The CLI worker's `load`: a file URL from `mixem fit --redis`, its columns (1-D: values; several: rows). */
export async function loadShard(uri: string): Promise<Chunk> {
  try {
    return await readShard(uri);
  } catch (e) {
    // What is wrong with the file itself (a column missing, a cell not a number) fails the fit at once.
    if (e instanceof UsageError) throw new MixemError("INVALID_DATA", e.message);
    throw e;
  }
}

async function readShard(uri: string): Promise<Chunk> {
  let url: URL;
  try { url = new URL(uri); } catch { throw new Error(`"${uri}" is not a file URL (mixem fit --redis sends file:///path?column=NAME)`); }
  if (url.protocol !== "file:") throw new Error(`"${uri}": mixem worker reads file: URLs only`);
  const column = url.searchParams.get("column") ?? undefined, columns = url.searchParams.get("columns") ?? undefined;
  const bare = new URL(url.href);
  bare.search = "";
  const rows = url.searchParams.has("rows");
  const { values, d } = await readShardColumns(fileURLToPath(bare), column, columns, rows);
  if (!rows) return values;
  return Array.from({ length: values.length / d }, (_, i) => values.subarray(i * d, i * d + d));
}

const WORKER_FLAGS = ["redis", "concurrency", "cache-size", "queue", "quiet", "help"];

/** mixem worker --redis URL: answers shard jobs until SIGINT or SIGTERM. */
export async function worker(values: Values, args: string[]): Promise<number> {
  if (args.length) throw new UsageError(`unexpected argument "${args[0]}" (mixem worker --redis URL)`);
  for (const [flag, v] of Object.entries(values)) if (v !== undefined && !WORKER_FLAGS.includes(flag)) throw new UsageError(`--${flag} is for mixem fit; a worker takes the fit's options from the coordinator`);
  if (typeof values.redis !== "string") throw new UsageError("mixem worker needs --redis URL (e.g. redis://queue-host:6379)");
  const w = await startShardWorker({
    connection: values.redis, load: loadShard, queue: values.queue as string | undefined,
    concurrency: num(values.concurrency, "--concurrency"), cacheSize: num(values["cache-size"], "--cache-size"),
  });
  if (!values.quiet) {
    process.stderr.write(`mixem: worker on ${values.redis} (queue ${values.queue ?? "mixem"}); stop with Ctrl-C\n`);
    // A job that failed here (the fit may try it again elsewhere): one line each.
    w.worker.on("failed", (_job, e) => { process.stderr.write(`mixem: ${e.message.split("\n")[0]}\n`); });
  }
  await new Promise<void>((done) => {
    const stop = () => { void w.close().finally(done); };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}

const NOT_DISTRIBUTED = ["plot", "stream", "trials-column", "weights", "threads"];

/** mixem fit --redis URL --shards GLOB: the coordinator; the shards are read by `mixem worker` processes. */
export async function fitShards(values: Values, args: string[]): Promise<number> {
  if (args.length) throw new UsageError(`mixem fit --redis reads --shards, not "${args[0]}"`);
  if (typeof values.shards !== "string") throw new UsageError("mixem fit --redis needs --shards 'GLOB' (e.g. 'data/part-*.csv', quoted)");
  for (const flag of NOT_DISTRIBUTED) if (values[flag] !== undefined) throw new UsageError(`--${flag} is not available with --redis`);
  const files = expandGlob(values.shards);
  if (files.length === 0) throw new UsageError(`--shards '${values.shards}' matches no file`);
  if (values.k === undefined) throw new UsageError("-k is required (the number of components)");
  const family = familyOf(values.family ?? DEFAULTS.family);
  const multivariate = family?.shape === "rows";
  if (multivariate && values.column !== undefined) throw new UsageError(`--family ${values.family} takes --columns (several), not --column`);
  if (!multivariate && values.columns !== undefined) throw new UsageError("--columns is for the families fitted to rows; use --column");
  if (typeof values.columns === "string" && values.columns.includes(":")) throw new UsageError("--columns NAME:FAMILY is not available with --redis");
  const shards = files.map((f) => {
    const uri = shardUri(f, values.column as string | undefined, values.columns as string | undefined);
    if (!multivariate) return uri;
    const url = new URL(uri);
    url.searchParams.set("rows", "1");
    return url.href;
  });
  // As mixem fit maps its flags (src/cli.ts).
  const options: Record<string, unknown> = {
    family: values.family, k: num(values.k, "-k"), mode: values.mode, init: values.init, covariance: values.covariance, prior: values.prior,
    dof: values.dof === undefined || values.dof === "estimate" || values.dof === "equal" ? values.dof : num(values.dof, "--dof"),
    fixWeights: values["fix-weights"], maxIter: num(values["max-iter"], "--max-iter"), tol: num(values.tol, "--tol"),
    nInit: num(values["n-init"], "--n-init"), seed: num(values.seed, "--seed"), regCovar: num(values["reg-covar"], "--reg-covar"), trials: num(values.trials, "--trials"),
    accelerate: values.accelerate ?? (values.mode === "hard" ? undefined : "squarem"),
    connection: values.redis, shards, queue: values.queue,
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  const progress = new Progress(values.quiet === true);
  if (!values.quiet) options.onIteration = (info: { iteration: number; logLikelihood: number; restart: number }) => progress.iteration(info);
  const model = await fitDistributed(options as unknown as FitOptions & { connection: string; shards: string[] });
  progress.done();
  const cols = multivariate ? (values.columns ? `columns ${values.columns}` : "every numeric column") : values.column !== undefined ? `column ${values.column}` : "the numeric column";
  if (values.json) process.stdout.write(JSON.stringify({ ...model.toJSON(), criteria: criteria(model) }, null, 2) + "\n");
  else process.stdout.write(table(model, `${files.length} shards ${values.shards}, ${cols}, on ${values.redis}`) + "\n");
  return 0;
}

