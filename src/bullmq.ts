/**
 * mixem/bullmq — fitting data spread over many machines, on BullMQ (Redis).
 *
 * Shards of the data live wherever `load(uri)` can read them. Any number of processes run
 * {@link startShardWorker}; one runs {@link fitDistributed}, the coordinator. Every EM pass is one
 * BullMQ flow: a child job per shard ("the statistics of shard s at these parameters"), answered by
 * whichever worker takes it, and a parent job that the coordinator processes once every child has
 * finished: it adds the shards' statistics in shard order and runs the M-step. A worker that dies
 * mid-pass leaves its job stalled; BullMQ hands it to another worker, and as every shard's
 * statistics are a pure function of (shard, parameters) the result is the same to the last bit.
 *
 *     import { startShardWorker, fitDistributed } from "mixem/bullmq";
 *     // on every machine:
 *     startShardWorker({ connection: "redis://queue-host:6379", load: (uri) => readMyShard(uri) });
 *     // once:
 *     const model = await fitDistributed({ connection: "redis://queue-host:6379", shards: ["s3://b/part-0", …], k: 3 });
 *
 * Requires the `bullmq` package (and `ioredis`, which BullMQ uses to reach Redis). See
 * docs/more-data.md in the repository for the design, the costs and a deployment recipe.
 *
 * @packageDocumentation
 */
import type { FlowProducer, Job, Queue, Worker, ConnectionOptions } from "bullmq";
import type { FamilyOfOptions, FitOptions, FitOptionsFor, ModelData } from "./types.js";
import type { MixtureModel } from "./model.js";
import type { Chunk, WeightedChunk } from "./stream.js";
import { mergeDataSettings, type Dataset, type Spec } from "./family.js";
import { detachedPoints } from "./seeding.js";
import type { Region } from "./wasm.js";
import { init } from "./wasm.js";
import { buildModel, configureFit, resolveFit } from "./resolve.js";
import { loadDataset } from "./dataset.js";
import { Evaluator } from "./evaluator.js";
import { localPass, runs, type PassRequest, type PassResult } from "./em.js";
import { familyOf, type FamilyName } from "./families/index.js";
import { MixemError, optionError } from "./errors.js";
import { describe } from "./data.js";
import { ownOptions } from "./options.js";

/** Where Redis is: a URL (`redis://host:6379/0`) or BullMQ's connection options (ioredis options, or a client). */
export type RedisConnection = string | ConnectionOptions;

/** Options of {@link startShardWorker}. */
export interface ShardWorkerOptions {
  /** Where Redis is. */
  connection: RedisConnection;
  /**
   * Reads shard `uri` (a path, a URL, a key: whatever the coordinator's `shards` hold): data as
   * `fit` takes it (numbers, rows, a flat array with the fit's `dims`), or `{ data, sampleWeights }`.
   * A throw (or rejection) is retried as the coordinator's `attempts` say; a `MixemError` (the
   * shard is there but its data is invalid) fails the fit at once.
   */
  load: (uri: string) => Chunk | Promise<Chunk>;
  /** Jobs this process runs at once (default 1: a pass is synchronous WebAssembly; run one process per core). */
  concurrency?: number;
  /** Shards kept loaded in WebAssembly memory between passes, least recently used dropped first (default 8). */
  cacheSize?: number;
  /** BullMQ queue name shared with the coordinator (default "mixem"). */
  queue?: string;
  /** BullMQ key prefix (default BullMQ's, "bull"). */
  prefix?: string;
  /**
   * Passed to BullMQ's `Worker`: e.g. `lockDuration` (default 30 000 ms, must exceed the longest
   * load + pass of one shard, which blocks the process), `stalledInterval`, `maxStalledCount`.
   */
  workerOptions?: Record<string, unknown>;
  /** Milliseconds to wait for Redis at the start before failing with a MixemError "UNAVAILABLE" (default 10 000); later outages are waited out. */
  redisTimeout?: number;
}

/** A running shard worker. */
export interface ShardWorker {
  /** Stops taking jobs, waits for the running ones, frees the cached shards. */
  close(): Promise<void>;
  /** The BullMQ worker (for its events). */
  readonly worker: Worker;
}

/** Options of {@link fitDistributed} besides `fit`'s. */
export interface DistributedOptions {
  /** Where Redis is. */
  connection: RedisConnection;
  /** The shards, in order: each is passed to the workers' `load`. The statistics are added in this order. */
  shards: readonly string[];
  /** BullMQ queue name shared with the workers (default "mixem"). */
  queue?: string;
  /** BullMQ key prefix (default BullMQ's, "bull"). */
  prefix?: string;
  /** Tries per shard job before the fit fails naming the shard (default 3). */
  attempts?: number;
  /** Milliseconds between tries (default 200). */
  backoff?: number;
  /** Points drawn for seeding: ⌈seedSample / shards⌉ evenly spaced points of every shard (default 65 536). */
  seedSample?: number;
  /** Milliseconds Redis may be unreachable (at the start, or during the fit) before the fit fails (default 10 000). */
  redisTimeout?: number;
  /** Milliseconds between checks that the pass in flight still exists in Redis (default 1000): a Redis that restarted empty loses it, and the pass is sent again. */
  checkInterval?: number;
}

/** `fit`'s options plus where the data is. */
export type FitDistributedOptions = FitOptions & DistributedOptions;

const DEFAULT_QUEUE = "mixem";
/** The longest delay setTimeout takes (2³¹ − 1 ms); a longer one fires at once. */
const MAX_TIMER = 2 ** 31 - 1;
/** Options of the fit that are the driver's, not the data's: left out of the key of a cached shard. */
const DRIVER_ONLY = ["k", "init", "mode", "fixWeights", "maxIter", "tol", "nInit", "seed", "accelerate", "prior", "onIteration", "signal"];
const DISTRIBUTED_KEYS = ["connection", "shards", "queue", "prefix", "attempts", "backoff", "seedSample", "redisTimeout", "checkInterval"] as const;

type BullMQ = typeof import("bullmq");
let bullmqModule: Promise<BullMQ> | undefined;
/** BullMQ, loaded when first used (a peer dependency: mixem itself depends on nothing). */
function bullmq(): Promise<BullMQ> {
  bullmqModule ??= import("bullmq").catch((e: unknown) => {
    bullmqModule = undefined;
    throw new MixemError("UNAVAILABLE", `mixem/bullmq needs the bullmq package (npm install bullmq ioredis): ${(e as Error)?.message ?? e}`, "bullmq");
  });
  return bullmqModule;
}

function connectionOf(c: RedisConnection, path: string): ConnectionOptions {
  if (typeof c === "string") {
    if (!/^rediss?:\/\//.test(c)) throw optionError(path, `must be a redis:// or rediss:// URL or BullMQ connection options, got "${c}"`);
    return { url: c } as ConnectionOptions;
  }
  if (typeof c !== "object" || c === null) throw optionError(path, `must be a redis:// URL or BullMQ connection options, got ${describe(c)}`);
  return c;
}
const where = (c: RedisConnection) => (typeof c === "string" ? c.replace(/\/\/[^@/]*@/, "//…@") : `${(c as { host?: string }).host ?? "localhost"}:${(c as { port?: number }).port ?? 6379}`);

// ---- Exact numbers through JSON: Float64Array ⇄ base64 of its bytes (every bit kept). ----

function toBase64(a: Float64Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function fromBase64(s: string): Float64Array {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float64Array(bytes.buffer);
}
/** Options to JSON: typed arrays as { $f64: base64 }, numbers that JSON would change (−0, NaN, ±∞) likewise. */
function encode(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return { $f64: toBase64(Float64Array.from(v as unknown as ArrayLike<number>)) };
  if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) return { $f64: toBase64(Float64Array.of(v)), scalar: true };
  if (Array.isArray(v)) return v.map(encode);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== "function").map(([key, x]) => [key, encode(x)]));
  return v;
}
function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (typeof v === "object" && v !== null) {
    const o = v as { $f64?: string; scalar?: boolean };
    if (typeof o.$f64 === "string") { const a = fromBase64(o.$f64); return o.scalar ? a[0] : a; }
    return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, decode(x)]));
  }
  return v;
}

// ---- The jobs. ----

/** What every job of a fit carries: enough for any worker to load a shard and configure the model. */
interface FitConfig {
  /** The fit's id (the worker's cache of configured models is keyed by it). */
  id: string;
  family: FamilyName;
  /** The options shards are loaded with (encoded). */
  load: unknown;
  /** The model's options (the data's settings, the fit's options, the resolved prior; encoded), once known. */
  model?: unknown;
  dims?: number;
  k: number;
}
interface ShardJob {
  config: FitConfig;
  shard: number;
  uri: string;
  /** "describe": count, moments, settings and a sample; "pass": statistics at θ. */
  kind: "describe" | "pass";
  sample?: number;
  theta?: string;
  weights?: string;
  hard?: boolean;
  seeds?: string;
  /** An ECME search pass (PassRequest.light); a shard of an older mixem computes the full pass. */
  light?: boolean;
}
interface Description {
  n: number; observations: number; dims: number; mean: string; m2: string; settings: unknown;
  /** What mean and m2 count: Σ w over the rows read (sample weights), else n. */
  counted?: number;
  x: string; aux: string | null; w: string | null; rows: number;
}
/** A pass's answer: base64 of [log-likelihood, statistics…]. */
interface PassAnswer { v: string }

/** Throwing this from a job fails it at once (no retry): the data is invalid, not unreachable. */
const unrecoverable = async (message: string) => new (await bullmq()).UnrecoverableError(message);

/**
 * Starts a worker that answers the shard jobs of any fit on the queue: it loads a shard with
 * `load(uri)` (validated on first load, then kept in WebAssembly memory for the next passes, up to
 * `cacheSize` shards) and returns its statistics at the parameters the job carries, to the bit as
 * `accumulate(model, shard)` computes them.
 */
export async function startShardWorker(options: ShardWorkerOptions): Promise<ShardWorker> {
  options = ownOptions(options) as unknown as ShardWorkerOptions; // own properties, read once (a throwing getter or Proxy: a MixemError)
  const connection = connectionOf(options.connection, "options.connection");
  if (typeof options.load !== "function") throw optionError("options.load", `must be a function (uri) => data, got ${describe(options.load)}`);
  const concurrency = options.concurrency ?? 1, cacheSize = options.cacheSize ?? 8;
  if (!(Number.isSafeInteger(concurrency) && concurrency >= 1)) throw optionError("options.concurrency", `must be a positive integer, got ${describe(concurrency)}`);
  if (!(Number.isSafeInteger(cacheSize) && cacheSize >= 0)) throw optionError("options.cacheSize", `must be a whole number ≥ 0, got ${describe(cacheSize)}`);
  await init();
  const { Worker } = await bullmq();
  const load = options.load;

  /** Loaded shards, least recently used first (a Map keeps insertion order). */
  const cache = new Map<string, Dataset>();
  /** Configured models of recent fits: spec and evaluator, by fit id. */
  const models = new Map<string, { spec: Spec; ev: Evaluator }>();
  const loading = new Map<string, Promise<Dataset>>();

  const dataset = async (job: ShardJob): Promise<{ ds: Dataset; keep: boolean }> => {
    const { config, uri } = job;
    const loadOptions = decode(config.load) as Record<string, unknown>;
    const keyed = Object.fromEntries(Object.entries(loadOptions).filter(([k]) => !DRIVER_ONLY.includes(k)));
    const key = JSON.stringify([uri, config.family, keyed]);
    const hit = cache.get(key);
    if (hit) { cache.delete(key); cache.set(key, hit); return { ds: hit, keep: true }; }
    let pending = loading.get(key);
    if (!pending) {
      pending = (async () => {
        let chunk: Chunk;
        try {
          chunk = await load(uri);
        } catch (e) {
          // A MixemError from load says the shard is there but invalid: no retry.
          if (e instanceof MixemError) throw await unrecoverable(e.message);
          throw new Error(`could not be loaded: ${(e as Error)?.message ?? String(e)}`);
        }
        const weighted = typeof chunk === "object" && chunk !== null && !Array.isArray(chunk) && !ArrayBuffer.isView(chunk) && "data" in chunk;
        const data = weighted ? (chunk as WeightedChunk).data : (chunk as ModelData);
        const o = weighted ? { ...loadOptions, sampleWeights: (chunk as WeightedChunk).sampleWeights } : loadOptions;
        try {
          return loadDataset(familyOf(config.family)!, data, o, "data", config.dims, false, { sampleWeights: "sampleWeights", labels: "labels", part: true }); // load(uri)'s (a shard's weights may all be 0)
        } catch (e) {
          if (e instanceof MixemError) throw await unrecoverable(`${e.message}`);
          throw e;
        }
      })();
      loading.set(key, pending);
      pending.finally(() => loading.delete(key)).catch(() => {});
    }
    const ds = await pending;
    if (cache.has(key)) return { ds: cache.get(key)!, keep: true }; // another job loaded it meanwhile
    if (cacheSize === 0) return { ds, keep: false };
    cache.set(key, ds);
    while (cache.size > cacheSize) {
      const [oldest, old] = cache.entries().next().value as [string, Dataset];
      cache.delete(oldest);
      old.free();
    }
    return { ds, keep: true };
  };

  const modelOf = (config: FitConfig): { spec: Spec; ev: Evaluator } => {
    let m = models.get(config.id);
    if (!m) {
      const spec = familyOf(config.family)!.configure(decode(config.model) as Record<string, unknown>, config.dims!);
      m = { spec, ev: new Evaluator(spec, config.k) };
      models.set(config.id, m);
      while (models.size > 4) {
        const [oldest, old] = models.entries().next().value as [string, { ev: Evaluator }];
        models.delete(oldest);
        old.ev.free();
      }
    }
    return m;
  };

  const processor = async (job: Job<ShardJob>): Promise<Description | PassAnswer> => {
    const data = job.data;
    const name = `shards[${data.shard}] (${data.uri})`;
    let got: { ds: Dataset; keep: boolean };
    try {
      got = await dataset(data);
    } catch (e) {
      (e as Error).message = `${name}: ${(e as Error).message}`;
      throw e;
    }
    const { ds, keep } = got;
    try {
      if (data.kind === "describe") return describeShard(ds, data.sample ?? 0);
      if (data.config.dims !== undefined && ds.dims !== data.config.dims) throw await unrecoverable(`${name}: has ${ds.dims} values per point; the fit has ${data.config.dims}`);
      const { ev } = modelOf(data.config);
      const req: PassRequest = { theta: fromBase64(data.theta!), weights: fromBase64(data.weights!), hard: data.hard === true, seeds: data.seeds ? fromBase64(data.seeds) : undefined, light: data.light === true };
      const res = localPass(ev, ds, req);
      const out = new Float64Array(1 + res.stats.length);
      out[0] = res.logLikelihood;
      out.set(res.stats, 1);
      return { v: toBase64(out) };
    } finally {
      if (!keep) ds.free();
    }
  };

  const redisTimeout = options.redisTimeout ?? 10_000;
  if (!(Number.isSafeInteger(redisTimeout) && redisTimeout >= 1 && redisTimeout <= MAX_TIMER)) throw optionError("options.redisTimeout", `must be an integer from 1 to ${MAX_TIMER} (setTimeout's limit), got ${describe(redisTimeout)}`);
  const queue = options.queue ?? DEFAULT_QUEUE;
  const worker = new Worker<ShardJob, Description | PassAnswer>(queue, processor, {
    connection, concurrency, ...(options.prefix ? { prefix: options.prefix } : {}), ...(options.workerOptions ?? {}),
  });
  let lastError: unknown;
  worker.on("error", (e) => { lastError = e; }); // connection errors: BullMQ reconnects on its own
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([worker.waitUntilReady(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error("timeout")), redisTimeout); })]);
  } catch {
    void worker.close(true).catch(() => {});
    void (worker as unknown as { disconnect?: () => Promise<void> }).disconnect?.()?.catch?.(() => {});
    throw new MixemError("UNAVAILABLE", `Redis at ${where(options.connection)} could not be reached within ${redisTimeout} ms${lastError ? ` (${(lastError as Error).message ?? lastError})` : ""}`, "options.connection");
  } finally {
    clearTimeout(timer);
  }
  return {
    worker,
    async close() {
      await worker.close();
      for (const ds of cache.values()) ds.free();
      for (const m of models.values()) m.ev.free();
      cache.clear();
      models.clear();
    },
  };
}

/** Pass 0 of a shard: its count, per-dimension mean and Σ(x − mean)² (for the variance floor's scale), its data settings, and an evenly spaced sample for seeding. */
function describeShard(ds: Dataset, sample: number): Description {
  const d = ds.dims, x = ds.x.array, n = ds.n, rowWeights = ds.weights?.array;
  const mean = new Float64Array(d), m2 = new Float64Array(d);
  let counted = n;
  if (rowWeights) { counted = 0; for (let i = 0; i < n; i++) counted += rowWeights[i]; }
  for (let a = 0; a < d && counted > 0; a++) {
    // As fitStream does per chunk (weighted moments under sample weights), so a coordinator merges shards as fitStream merges chunks.
    let cm = 0, cm2 = 0;
    if (rowWeights) {
      for (let i = 0; i < n; i++) cm += (rowWeights[i] * x[i * d + a]) / counted;
      for (let i = 0; i < n; i++) cm2 += rowWeights[i] * (x[i * d + a] - cm) ** 2;
    } else {
      for (let i = 0; i < n; i++) cm += x[i * d + a] / n;
      for (let i = 0; i < n; i++) cm2 += (x[i * d + a] - cm) ** 2;
    }
    mean[a] = cm;
    m2[a] = cm2;
  }
  const rows = Math.min(n, sample);
  const sx = new Float64Array(rows * d), aux = ds.aux ? new Float64Array(rows) : null, w = ds.weights ? new Float64Array(rows) : null;
  for (let j = 0; j < rows; j++) {
    const i = Math.floor((j * n) / rows);
    sx.set(x.subarray(i * d, i * d + d), j * d);
    if (aux) aux[j] = ds.aux!.array[i];
    if (w) w[j] = ds.weights!.array[i];
  }
  return {
    n, observations: ds.totalWeight ?? n, counted, dims: d, mean: toBase64(mean), m2: toBase64(m2), settings: encode(ds.settings),
    x: toBase64(sx), aux: aux && toBase64(aux), w: w && toBase64(w), rows,
  };
}

/** The flow in flight: its parent job's id, its children's ids (in shard order) and how to settle it. */
interface PendingFlow { parent: string; children: string[]; resolve: (values: unknown[]) => void; reject: (e: unknown) => void }

/**
 * The parent job's processor: settles the pending flow with its children's values, in shard order.
 * A merge that is not the pending flow's — or stops being it while it reads Redis, because Redis
 * restarted empty and the flow was sent again — settles nothing. Values missing from a flow that
 * Redis no longer has (lost while they were read) settle nothing either: the check sends the flow
 * again. Only values missing from a flow Redis still holds are an error.
 * @internal
 */
export async function mergeFlow(job: Pick<Job, "id" | "getDependencies" | "getChildrenValues">, current: () => PendingFlow | undefined, lost: (parent: string) => Promise<boolean>, shards: readonly string[], attempts: number): Promise<void> {
  const p = current();
  if (!p || job.id !== p.parent) return; // a flow given up (sent again after Redis lost it)
  const deps = await job.getDependencies();
  if (current() !== p) return;
  const failed = Object.entries(deps.ignored ?? {});
  if (failed.length) {
    const [key, reason] = failed.sort()[0];
    const s = p.children.indexOf(key.slice(key.lastIndexOf(":") + 1));
    const name = `shards[${s}]`;
    const text = String(reason).replace(/^shards\[\d+\] \([^)]*\): /, "");
    const tries = text.startsWith("could not be loaded") ? ` (tried ${attempts} time${attempts > 1 ? "s" : ""})` : "";
    p.reject(new MixemError("INVALID_DATA", `(${shards[s]}) ${text}${tries}`, name));
    return;
  }
  const values = await job.getChildrenValues();
  if (current() !== p) return;
  // Dense (not new Array(n), whose holes some() and forEach() skip): every shard's value or undefined.
  const out: unknown[] = Array.from({ length: shards.length }, () => undefined);
  for (const [key, v] of Object.entries(values)) {
    const s = p.children.indexOf(key.slice(key.lastIndexOf(":") + 1));
    if (s >= 0) out[s] = v;
  }
  if (out.some((v) => v === undefined)) {
    if (await lost(p.parent).catch(() => true)) return; // Redis restarted empty while the values were read: the check sends the flow again
    if (current() === p) p.reject(new Error("mixem: a shard's statistics are missing from the flow"));
    return;
  }
  p.resolve(out);
}

/**
 * Fits like `fit`, with the data in `shards` that `startShardWorker` processes on any number of
 * machines read with their `load`. One BullMQ flow per EM pass: a child job per shard, the parent
 * processed here, where the shards' statistics are added in shard order and the M-step runs — so
 * the result does not depend on which worker computed which shard, nor on retries: every pass
 * equals `maximize(model, mergeStats(...shards.map((s) => accumulate(model, s))))`, bit for bit.
 *
 * Pass 0 asks every shard for its count, moments (the variance floor's scale, from all the data,
 * merged as fitStream merges chunks), data settings and ⌈seedSample / shards⌉ evenly spaced points:
 * seeds (k-means++ or random) and the prior's data-dependent defaults come from that sample; the
 * seeding pass then runs over every shard. Restarts, SQUAREM, the Student t's ECME steps, `tol`,
 * `maxIter`, `onIteration` and `signal` behave as in `fit`.
 *
 * Faults: a worker that dies mid-job leaves it stalled and BullMQ retries it on another worker; a
 * shard whose `load` throws `attempts` times fails the fit with a MixemError naming the shard
 * (INVALID_DATA; invalid data fails at once); a Redis that restarts and loses the pass in flight is
 * noticed within `checkInterval` and the pass is sent again; a Redis unreachable for longer than
 * `redisTimeout` fails the fit (MixemError "UNAVAILABLE").
 */
export async function fitDistributed<const O extends FitOptions>(options: O & DistributedOptions & { [K in Exclude<keyof O, keyof FitOptionsFor<FamilyOfOptions<O>> | keyof DistributedOptions>]: never }): Promise<MixtureModel<FamilyOfOptions<O>>>;
export async function fitDistributed(options: FitDistributedOptions): Promise<MixtureModel>;
export async function fitDistributed(options: FitDistributedOptions): Promise<MixtureModel> {
  options = ownOptions(options) as unknown as FitDistributedOptions; // own properties, read once (a throwing getter or Proxy: a MixemError)
  const dist: Record<string, unknown> = {}, rest: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(options)) ((DISTRIBUTED_KEYS as readonly string[]).includes(key) ? dist : rest)[key] = v;
  const o = dist as unknown as DistributedOptions;
  const connection = connectionOf(o.connection, "options.connection");
  const shards = o.shards;
  if (!Array.isArray(shards) || shards.length === 0 || !shards.every((s) => typeof s === "string"))
    throw optionError("options.shards", `must be a non-empty array of shard URIs (strings), got ${describe(shards)}`);
  const int = (key: keyof DistributedOptions, def: number, min: number) => {
    const v = o[key] ?? def;
    if (!(Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= MAX_TIMER)) throw optionError(`options.${key}`, `must be an integer from ${min} to ${MAX_TIMER}, got ${describe(v)}`);
    return v as number;
  };
  const attempts = int("attempts", 3, 1), backoff = int("backoff", 200, 0), seedSample = int("seedSample", 65536, 1);
  const redisTimeout = int("redisTimeout", 10_000, 1), checkInterval = int("checkInterval", 1000, 10);
  const queueName = o.queue ?? DEFAULT_QUEUE;
  if (typeof queueName !== "string" || queueName === "" || queueName.includes(":")) throw optionError("options.queue", `must be a non-empty name without ":", got ${describe(queueName)}`);

  await init();
  const r = resolveFit(rest as unknown as FitOptions);
  if (r.options.threads !== undefined) throw optionError("options.threads", "is not available with fitDistributed (run more shard workers)");
  if (r.hc) throw optionError("options.init", '"hc" needs the whole data set in memory (fit or fitSync)');
  if (r.options.sampleWeights !== undefined) throw optionError("options.sampleWeights", "are given per shard: let load(uri) return { data, sampleWeights }");
  const perPoint = r.family.perPoint ? r.options[r.family.perPoint] : undefined;
  if (ArrayBuffer.isView(perPoint) || Array.isArray(perPoint))
    throw optionError(`options.${r.family.perPoint}`, "cannot be given per point for sharded data: give one value");
  const signal = r.settings.signal;

  const { FlowProducer, Queue, Worker } = await bullmq();
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  const mergeName = `${queueName}-fit-${id}`;
  const base = { connection, ...(o.prefix ? { prefix: o.prefix } : {}) };
  // What a worker loads shards with: the options, less the start (a model as init is no shard's business) and the callbacks.
  const loadOptions = encode(Object.fromEntries(Object.entries(r.options).filter(([key, v]) => key !== "init" && typeof v !== "function" && !(v instanceof AbortSignal))));
  const config: FitConfig = { id, family: r.familyName, load: loadOptions, k: r.k };

  // One pending flow at a time: the parent's processor (here) settles it.
  let pending: PendingFlow | undefined;
  let lastError: unknown;
  const flows: FlowProducer = new FlowProducer(base);
  const shardQueue: Queue = new Queue(queueName, base);
  const mergeQueue: Queue = new Queue(mergeName, base);
  const mergeWorker: Worker = new Worker(mergeName, (job: Job) => mergeFlow(job, () => pending, async (parent) => (await mergeQueue.getJobState(parent)) === "unknown", shards, attempts), { ...base, concurrency: 1 });
  for (const e of [flows, shardQueue, mergeQueue, mergeWorker]) (e as unknown as { on(ev: string, f: (err: unknown) => void): void }).on("error", (err) => { lastError = err; });

  const unavailable = (what: string) => new MixemError("UNAVAILABLE", `Redis at ${where(o.connection)} ${what}${lastError ? ` (${(lastError as Error).message ?? lastError})` : ""}`, "options.connection");
  /** A Redis command, given up with a clear error after redisTimeout. */
  const timed = <T>(p: Promise<T>, what: string): Promise<T> => new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(unavailable(what)), redisTimeout);
    p.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });

  let flowCount = 0, connected = false;
  /** Runs one flow: a job per shard (data from `jobOf`), the parent here; sends it again if Redis loses it. */
  const flow = (jobOf: (s: number) => Omit<ShardJob, "config" | "shard" | "uri">): Promise<unknown[]> => new Promise<unknown[]>((resolve, reject) => {
    let settled = false, timer: ReturnType<typeof setTimeout> | undefined, lastSeen = Date.now();
    const finish = (f: () => void) => { if (settled) return; settled = true; clearTimeout(timer); signal?.removeEventListener("abort", onAbort); pending = undefined; f(); };
    const onAbort = () => finish(() => reject(signal!.reason ?? new Error("aborted")));
    signal?.addEventListener("abort", onAbort);
    const send = async () => {
      const n = flowCount++;
      const parent = `${id}-${n}`, children = shards.map((_, s) => `${id}-${n}-${s}`);
      pending = { parent, children, resolve: (v) => finish(() => resolve(v)), reject: (e) => finish(() => reject(e)) };
      await timed(flows.add({
        name: "merge", queueName: mergeName, data: {}, opts: { jobId: parent, removeOnComplete: true, removeOnFail: true },
        children: shards.map((uri, s) => ({
          name: "shard", queueName, data: { config, shard: s, uri, ...jobOf(s) } satisfies ShardJob,
          opts: { jobId: children[s], attempts, backoff: { type: "fixed", delay: backoff }, removeOnComplete: true, removeOnFail: true, continueParentOnFailure: true },
        })),
      }), "could not be reached to send a pass");
      lastSeen = Date.now();
    };
    // Redis may restart empty (no persistence): the flow in flight is gone, and is sent again.
    const check = async () => {
      if (settled) return;
      try {
        const parent = pending?.parent;
        const state = parent === undefined ? "unknown" : await timed(mergeQueue.getJobState(parent), "stopped answering");
        if (settled) return;
        lastSeen = Date.now();
        if (state === "unknown") await send();
      } catch (e) {
        if (Date.now() - lastSeen >= redisTimeout) { finish(() => reject(e instanceof MixemError ? e : unavailable("stopped answering"))); return; }
      }
      if (!settled) timer = setTimeout(check, checkInterval);
    };
    send().then(() => { if (!settled) timer = setTimeout(check, checkInterval); }, (e) => finish(() => reject(e)));
  });

  try {
    // Redis reachable, or a clear error.
    await timed(Promise.all([flows.waitUntilReady(), shardQueue.waitUntilReady(), mergeQueue.waitUntilReady(), mergeWorker.waitUntilReady()]), `could not be reached within ${redisTimeout} ms`);
    connected = true;

    // Pass 0: every shard's count, moments, settings and sample.
    const quota = Math.ceil(seedSample / shards.length);
    const described = (await flow(() => ({ kind: "describe", sample: quota }))) as Description[];
    const dims = described[0].dims;
    described.forEach((d, s) => {
      if (d.dims !== dims) throw new MixemError("INVALID_DATA", `(${shards[s]}) has ${d.dims} values per point; shards[0] has ${dims}`, `shards[${s}]`);
    });
    // Merged as fitStream merges chunks (Chan et al.'s pairwise update), in shard order.
    let n = 0, observations = 0, counted = 0;
    const mean = new Float64Array(dims), m2 = new Float64Array(dims);
    let dataSettings: Record<string, unknown> = {};
    described.forEach((d, s) => {
      const settings = decode(d.settings) as Record<string, unknown>;
      if (s === 0) dataSettings = { ...settings };
      else dataSettings = mergeDataSettings(r.family, dataSettings, settings, r.options, { first: `shards[0] (${shards[0]})`, next: `shards[${s}] (${shards[s]})` });
      const cm = fromBase64(d.mean), cm2 = fromBase64(d.m2);
      const c = d.counted ?? d.n;
      for (let a = 0; a < dims && c > 0; a++) {
        const total = counted + c, delta = cm[a] - mean[a];
        mean[a] += (delta * c) / total;
        m2[a] += cm2[a] + (delta * delta * counted * c) / total;
      }
      counted += c;
      n += d.n;
      observations += d.observations;
    });
    const scale = Float64Array.from(m2, (v) => (v / counted > 0 ? v / counted : 1));
    if ("scale" in dataSettings) dataSettings.scale = Array.from(scale);

    // The sample, in shard order, loaded here (trusted: the workers validated it) for seeding and the prior's defaults.
    const rows = described.reduce((t, d) => t + d.rows, 0);
    const sx = new Float64Array(rows * dims), saux = described[0].aux ? new Float64Array(rows) : null, sw = described[0].w ? new Float64Array(rows) : null;
    let at = 0;
    for (const d of described) {
      sx.set(fromBase64(d.x), at * dims);
      if (saux && d.aux) saux.set(fromBase64(d.aux), at);
      if (sw) sw.set(d.w ? fromBase64(d.w) : new Float64Array(d.rows).fill(1), at);
      at += d.rows;
    }
    const first = decode(described[0].settings) as Record<string, unknown>;
    const sampleOptions: Record<string, unknown> = { ...first, ...r.options };
    if (saux && r.family.perPoint) sampleOptions[r.family.perPoint] = saux;
    if (sw) sampleOptions.sampleWeights = sw;
    const sample = loadDataset(r.family, sx, sampleOptions, "sample", dims, true);
    try {
      const { spec, settings } = configureFit(r, { ...sample, settings: first });
      config.dims = dims;
      config.model = encode({ ...first, ...(decode(loadOptions) as Record<string, unknown>), prior: spec.settings.prior });
      const k = r.k, width = k * spec.statsSize;
      const total = new Float64Array(width);
      const pass = async (req: PassRequest): Promise<PassResult> => {
        const common = { kind: "pass" as const, theta: toBase64(req.theta), weights: toBase64(req.weights), hard: req.hard, ...(req.seeds ? { seeds: toBase64(req.seeds) } : {}), ...(req.light ? { light: true } : {}) };
        const answers = (await flow(() => common)) as PassAnswer[];
        // In shard order, as mergeStats adds parts: the result does not depend on who computed what.
        let ll = 0;
        answers.forEach((a, s) => {
          const v = fromBase64(a.v);
          if (v.length !== width + 1) throw new Error(`mixem: shards[${s}] answered ${v.length - 1} statistics, not ${width}`);
          ll += v[0];
          if (s === 0) total.set(v.subarray(1));
          else for (let i = 0; i < width; i++) total[i] += v[i + 1];
        });
        return { logLikelihood: ll, stats: total };
      };
      const seedData = { scale, weights: sample.weights ? ({ array: Float64Array.from(sample.weights.array) } as unknown as Region) : null };
      const em = runs(spec, k, n, seedData, detachedPoints(sample.seedPoints), settings);
      let step = em.next();
      while (!step.done) {
        if (signal?.aborted) throw signal.reason ?? new Error("aborted");
        step = em.next(await pass(step.value));
      }
      return buildModel(r, spec, step.value, observations, dataSettings);
    } finally {
      sample.free();
    }
  } finally {
    pending = undefined;
    // Leave nothing behind: the parent queue of this fit, and the shard jobs of a flow given up.
    const within = (ms: number, p: Promise<unknown>) => Promise.race([p, new Promise((resolve) => setTimeout(resolve, ms).unref?.())]);
    if (connected) await within(2000, (async () => {
      await mergeWorker.close(true).catch(() => {});
      await mergeQueue.obliterate({ force: true }).catch(() => {});
      const left = await shardQueue.getJobs(["waiting", "delayed", "prioritized", "waiting-children"]).catch(() => [] as Job[]);
      await Promise.all(left.filter((j) => j?.id?.startsWith(`${id}-`)).map((j) => j.remove().catch(() => {})));
    })());
    await within(connected ? 2000 : 0, Promise.all([mergeWorker.close(true), flows.close(), shardQueue.close(), mergeQueue.close()].map((p) => p.catch(() => {}))));
    for (const c of [flows, shardQueue, mergeQueue, mergeWorker]) void (c as unknown as { disconnect?: () => Promise<void> }).disconnect?.()?.catch?.(() => {});
  }
}
