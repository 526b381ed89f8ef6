// mixem/bullmq against a real redis-server and worker processes (test/fixtures/bullmq/worker.mjs,
// which runs the built dist/bullmq.js: run `npm run build` first). What is exact here:
// - fitDistributed equals, bit for bit, the public accumulate / mergeStats / maximize loop over the
//   shards in shard order from the same start — also when a worker is SIGKILLed mid-pass (BullMQ
//   hands its stalled job to another worker) and when Redis is killed and restarted empty mid-fit
//   (the coordinator sends the lost pass again).
// - That loop (and fitStream over the same shards) adds the shards' statistics one after another;
//   `fit` on the concatenated data adds fixed blocks of 65,536 points by a pairwise tree, so it
//   agrees with them to the rounding of the sums (checked to 1e-10 here), not bit for bit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { accumulate, fitStream, fitSync, initSync, loadModel, maximize, mergeStats, MixemError, type MixtureModel } from "../src/index.js";
import { fitDistributed, startShardWorker } from "../src/bullmq.js";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { freePort, redisBinary, RedisServer } from "./redis-server.js";
import { closeness, drawLabels, mulberry32, normal } from "./helpers.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const WORKER = `${root}test/fixtures/bullmq/worker.mjs`;
if (!redisBinary) console.warn("test/bullmq.test.ts: skipped — no redis-server on PATH (Debian: apt-get install redis-server)");

initSync();
const u = mulberry32(29);
const SHARDS = 6, PER = 4000;
const all = drawLabels(u, SHARDS * PER, [0.3, 0.5, 0.2]).map((j) => [-4, 0, 5][j] + [1, 0.7, 1.5][j] * normal(u));
const parts = Array.from({ length: SHARDS }, (_, s) => all.slice(s * PER, (s + 1) * PER));
const INIT = { means: [-3, 1, 4], variances: [1, 1, 1], weights: [0.3, 0.4, 0.3] };
const bits = (m: MixtureModel) => [...m.weights, ...m.components.flatMap((c) => Object.values(c) as number[])];

/** The public API's loop over the shards in order, from the explicit start, for `iterations` M-steps; and the log-likelihood after each. */
function referenceLoop(like: MixtureModel, iterations: number) {
  const json = like.toJSON();
  let m = loadModel({ ...json, weights: INIT.weights, components: INIT.means.map((mean, j) => ({ mean, variance: INIT.variances[j] })) } as never);
  const history: number[] = [];
  for (let t = 0; t < iterations; t++) {
    m = maximize(m, mergeStats(...parts.map((p) => accumulate(m, p))));
    history.push(mergeStats(...parts.map((p) => accumulate(m, p))).logLikelihood);
  }
  return { model: m, history };
}

interface Proc { child: ChildProcess; lines: string[]; onLine?: (line: string) => void }
function startWorker(url: string, env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, [WORKER], { env: { ...process.env, REDIS_URL: url, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const p: Proc = { child, lines: [] };
  let buf = "";
  child.stdout!.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) { const line = buf.slice(0, i); buf = buf.slice(i + 1); p.lines.push(line); p.onLine?.(line); }
  });
  let err = "";
  child.stderr!.on("data", (d) => { err += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${err}`)), 15_000);
    p.onLine = (line) => { if (line === "ready") { clearTimeout(timer); p.onLine = undefined; resolve(p); } };
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`worker exited (${code}): ${err}`)); });
  });
}

describe.skipIf(!redisBinary)("mixem/bullmq with redis-server and 3 worker processes", () => {
  let redis: RedisServer, dir: string, uris: string[];
  const workers: Proc[] = [];

  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    dir = mkdtempSync(join(tmpdir(), "mixem-shards-"));
    uris = parts.map((p, s) => { const f = join(dir, `part-${s}.json`); writeFileSync(f, JSON.stringify(p)); return f; });
    workers.push(...(await Promise.all([startWorker(redis.url), startWorker(redis.url)])));
  }, 30_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a worker SIGKILLed mid-pass: its job goes to another worker, and the fit equals accumulate/mergeStats/maximize over the shards in order, bit for bit", async () => {
    const victim = await startWorker(redis.url, { DELAY_MS: "400" });
    workers.push(victim);
    let iteration = 0, killedAt = 0;
    victim.onLine = (line) => {
      // Its load takes 400 ms: a kill right after "load" lands in the middle of its job.
      if (line.startsWith("load ") && iteration >= 2 && !killedAt) { killedAt = iteration + 1; victim.child.kill("SIGKILL"); }
    };
    const model = await fitDistributed({
      connection: redis.url, shards: uris, k: 3, init: INIT, maxIter: 10, tol: 0,
      onIteration: (info) => { iteration = info.iteration; },
    });
    expect(killedAt).toBeGreaterThan(0); // the kill happened during a pass (pass killedAt)
    expect(victim.child.signalCode).toBe("SIGKILL");
    expect(model.iterations).toBe(10);
    const ref = referenceLoop(model, 10);
    expect(bits(model)).toEqual(bits(ref.model)); // toEqual on numbers is Object.is: every bit
    expect(model.history).toEqual(ref.history);
    // fit on the concatenated data sums in another order: equal to the rounding of the sums.
    const whole = fitSync(all, { k: 3, init: INIT, maxIter: 10, tol: 0 });
    expect(closeness(bits(model), bits(whole), 1e-10, 1e-12)).toBeLessThan(1);
  }, 40_000);

  it("Redis killed and restarted empty mid-fit: the lost pass is sent again, and SQUAREM's fit equals fitStream over the shards, bit for bit", async () => {
    let restarted: Promise<void> | undefined;
    const options = { k: 3, init: INIT, accelerate: "squarem", tol: 1e-10, maxIter: 60 } as const;
    const model = await fitDistributed({
      ...options, connection: redis.url, shards: uris, checkInterval: 100, redisTimeout: 15_000,
      onIteration: (info) => {
        if (info.iteration === 2 && !restarted) restarted = (async () => { await new Promise((r) => setTimeout(r, 5)); await redis.kill(); await new Promise((r) => setTimeout(r, 300)); await redis.start(); })();
      },
    });
    expect(restarted).toBeDefined();
    let restartDone = false;
    void restarted!.then(() => { restartDone = true; });
    await Promise.resolve();
    expect(restartDone).toBe(true); // Redis was back before the fit ended: it went on across the restart
    await restarted;
    const streamed = await fitStream(() => parts, options);
    expect(bits(model)).toEqual(bits(streamed));
    expect(model.history).toEqual(streamed.history);
    expect(model.converged).toBe(true);
  }, 40_000);

  it("k-means++ seeds from a sample of every shard: with the sample holding all the data, the fit agrees with fit on the concatenated data", async () => {
    const model = await fitDistributed({ connection: redis.url, shards: uris, k: 3, seedSample: SHARDS * PER, tol: 1e-12, maxIter: 2000 });
    const whole = fitSync(all, { k: 3, tol: 1e-12, maxIter: 2000 });
    expect(closeness(bits(model), bits(whole), 1e-7, 1e-9)).toBeLessThan(1);
    // A fitted model as init (a warm start) goes on from its parameters.
    const more = await fitDistributed({ connection: redis.url, shards: uris, k: 3, init: model, maxIter: 1, tol: 0 });
    expect(more.iterations).toBe(1);
    expect(closeness(bits(more), bits(model), 1e-6, 1e-9)).toBeLessThan(1);
  }, 40_000);

  it("a shard that cannot be read fails the fit, naming it, after the configured tries", async () => {
    const missing = join(dir, "part-missing.json");
    const before = workers.flatMap((w) => w.lines).filter((l) => l === `load ${missing}`).length;
    const err = await fitDistributed({ connection: redis.url, shards: [uris[0], uris[1], missing], k: 2, attempts: 2, backoff: 50 }).catch((e) => e);
    expect(err).toBeInstanceOf(MixemError);
    expect(err.code).toBe("INVALID_DATA");
    expect(err.path).toBe("shards[2]");
    expect(err.message).toContain(missing);
    expect(err.message).toMatch(/could not be loaded: ENOENT.*\(tried 2 times\)/);
    expect(workers.flatMap((w) => w.lines).filter((l) => l === `load ${missing}`).length - before).toBe(2);
  }, 20_000);

  it("a shard with invalid data fails at once, naming the shard and the value", async () => {
    const bad = join(dir, "part-bad.json");
    writeFileSync(bad, JSON.stringify([1, 2, "x", 4]));
    const err = await fitDistributed({ connection: redis.url, shards: [uris[0], bad], k: 2, attempts: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(MixemError);
    expect(err.message).toMatch(/^shards\[1\]: \(.*part-bad\.json\) data\[2\]/);
    expect(err.message).not.toContain("tried");
    // Its sample weights are the shard's, not options.sampleWeights.
    const badWeights = join(dir, "part-bad-weights.json");
    writeFileSync(badWeights, JSON.stringify({ data: [1, 2, 3, 4], sampleWeights: [1, -2, 1, 1] }));
    const werr = await fitDistributed({ connection: redis.url, shards: [uris[0], badWeights], k: 2, attempts: 3 }).catch((e) => e);
    expect(werr).toBeInstanceOf(MixemError);
    expect(werr.message).toMatch(/^shards\[1\]: \(.*part-bad-weights\.json\) sampleWeights\[1\]: is negative/);
  }, 20_000);

  it("Redis unreachable: a MixemError naming the connection", async () => {
    const port = await freePort();
    const err = await fitDistributed({ connection: `redis://127.0.0.1:${port}`, shards: uris, k: 2, redisTimeout: 800 }).catch((e) => e);
    expect(err).toBeInstanceOf(MixemError);
    expect(err.code).toBe("UNAVAILABLE");
    expect(err.message).toMatch(new RegExp(`^options\\.connection: Redis at redis://127\\.0\\.0\\.1:${port} could not be reached within 800 ms`));
    const workerErr = await startShardWorker({ connection: `redis://127.0.0.1:${port}`, load: () => [1], redisTimeout: 500 }).catch((e) => e);
    expect(workerErr).toBeInstanceOf(MixemError);
    expect(workerErr.code).toBe("UNAVAILABLE");
    expect(workerErr.message).toMatch(/^options\.connection: Redis at .* could not be reached within 500 ms \(.*ECONNREFUSED/);
  }, 10_000);

  it("the command line: mixem worker, and mixem fit --redis --shards GLOB, agree with mixem fit on the concatenated CSV", async () => {
    const cli = `${root}dist/cli.js`;
    const csv = join(dir, "csv");
    mkdirSync(csv);
    parts.forEach((p, s) => writeFileSync(join(csv, `part-${s + 1}.csv`), `x\n${p.join("\n")}\n`));
    writeFileSync(join(dir, "all.csv"), `x\n${all.join("\n")}\n`);
    const worker = spawn(process.execPath, [cli, "worker", "--redis", redis.url, "--queue", "cli"], { stdio: ["ignore", "ignore", "pipe"] });
    try {
      await new Promise<void>((resolve, reject) => {
        worker.stderr!.on("data", (d) => { if (String(d).includes("mixem: worker on")) resolve(); });
        worker.once("exit", (code) => reject(new Error(`mixem worker exited with ${code}`)));
      });
      const run = (args: string[]) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const c = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "", err = "";
        c.stdout!.on("data", (d) => { out += d; });
        c.stderr!.on("data", (d) => { err += d; });
        c.once("exit", (code) => resolve({ code, out, err }));
      });
      const flags = ["--column", "x", "-k", "3", "--json", "--quiet", "--tol", "1e-12"];
      const [shardFit, wholeFit] = await Promise.all([run(["fit", "--redis", redis.url, "--queue", "cli", "--shards", `${csv}/part-*.csv`, ...flags]), run(["fit", join(dir, "all.csv"), ...flags])]);
      expect(shardFit.err).toBe("");
      expect(shardFit.code).toBe(0);
      const a = loadModel(JSON.parse(shardFit.out)), b = loadModel(JSON.parse(wholeFit.out));
      expect(a.nObservations).toBe(SHARDS * PER);
      expect(closeness(bits(a), bits(b), 1e-7, 1e-9)).toBeLessThan(1);
      // The same shards as Arrow IPC files: the same values, so the same fit, bit for bit.
      parts.forEach((p, s) => writeFileSync(join(csv, `part-${s + 1}.arrow`), tableToIPC(tableFromArrays({ x: Float64Array.from(p) }), "file")));
      const arrowFit = await run(["fit", "--redis", redis.url, "--queue", "cli", "--shards", `${csv}/part-*.arrow`, ...flags]);
      expect(arrowFit.err).toBe("");
      expect(bits(loadModel(JSON.parse(arrowFit.out)))).toEqual(bits(a));
      const missing = await run(["fit", "--redis", redis.url, "--queue", "cli", "--shards", `${csv}/part-*.csv`, "--column", "nope", "-k", "2"]);
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/^mixem: shards\[0\]: \(file:\/\/.*part-1\.csv\?column=nope\) .*has no column "nope" \(columns: x\)\n$/);
      const none = await run(["fit", "--redis", redis.url, "--shards", `${csv}/nothing-*.csv`, "-k", "2"]);
      expect(none.err).toMatch(/^mixem: --shards '.*nothing-\*\.csv' matches no file\n$/);
    } finally {
      worker.kill("SIGTERM");
    }
  }, 40_000);

  it("progress and AbortSignal: onIteration per iteration; an abort rejects with the signal's reason and leaves no job behind", async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const err = await fitDistributed({
      connection: redis.url, shards: uris, k: 3, init: INIT, tol: 0, maxIter: 50, signal: controller.signal,
      onIteration: (info) => { seen.push(info.iteration); if (info.iteration === 3) controller.abort(new Error("enough")); },
    }).catch((e) => e);
    expect(err).toEqual(new Error("enough"));
    expect(seen).toEqual([1, 2, 3]);
    const { Queue } = await import("bullmq");
    const q = new Queue("mixem", { connection: { url: redis.url } });
    try {
      const counts = await q.getJobCounts("waiting", "active", "delayed", "waiting-children", "failed");
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await q.close();
    }
  }, 20_000);

  it("a worker keeps the shards it used last (cacheSize): loaded once with room for all, every pass without", async () => {
    const run = async (cacheSize: number) => {
      let loads = 0;
      const w = await startShardWorker({ connection: redis.url, queue: `lru${cacheSize}`, cacheSize, load: (uri) => { loads++; return parts[uris.indexOf(uri)]; } });
      try {
        const model = await fitDistributed({ connection: redis.url, queue: `lru${cacheSize}`, shards: uris, k: 3, init: INIT, maxIter: 3, tol: 0 });
        return { loads, model };
      } finally {
        await w.close();
      }
    };
    const all6 = await run(6), two = await run(2);
    expect(all6.loads).toBe(SHARDS); // pass 0 loads each shard; the 4 passes after read the cache
    expect(two.loads).toBe(SHARDS * 5); // shards taken in order 0…5 by one worker: 2 slots never hold the next one
    expect(bits(two.model)).toEqual(bits(all6.model));
  }, 30_000);

  it("sample weights come with the shard ({ data, sampleWeights }): the same fit as fitStream over the same weighted chunks, bit for bit", async () => {
    const weighted = parts.map((p, s) => ({ data: p, sampleWeights: p.map((_, i) => 1 + ((i + s) % 3)) }));
    const w = await startShardWorker({ connection: redis.url, queue: "weighted", load: (uri) => weighted[uris.indexOf(uri)] });
    try {
      const options = { k: 3, init: INIT, maxIter: 5, tol: 0 } as const;
      const model = await fitDistributed({ ...options, connection: redis.url, queue: "weighted", shards: uris });
      const streamed = await fitStream(() => weighted, options);
      expect(bits(model)).toEqual(bits(streamed));
      expect(model.nObservations).toBe(streamed.nObservations);
      expect(model.nObservations).toBeGreaterThan(SHARDS * PER);
    } finally {
      await w.close();
    }
  }, 30_000);

  it("mvt with ν by ECME (its search passes asked light of the shards): fitStream's fit over the same chunks, bit for bit", async () => {
    const rowParts = parts.map((p, s) => p.map((v, i) => [v, ((i + s) % 5) - 2 + 0.1 * v]));
    const w = await startShardWorker({ connection: redis.url, queue: "mvt", load: (uri) => rowParts[uris.indexOf(uri)] });
    try {
      const init = { means: [[0, 0], [5, 1]], covariances: [[[2, 0], [0, 2]], [[2, 0], [0, 2]]], dofs: [8, 8] };
      const options = { family: "mvt", k: 2, init, maxIter: 6, tol: 0 } as const;
      const model = await fitDistributed({ ...options, connection: redis.url, queue: "mvt", shards: uris });
      const streamed = await fitStream(() => rowParts, options);
      expect(model.logLikelihood).toBe(streamed.logLikelihood);
      expect(model.components).toEqual(streamed.components);
      expect(model.passes).toBe(streamed.passes);
    } finally {
      await w.close();
    }
  }, 30_000);

  it("a shard whose sample weights are all 0 (the others carry weight): fitStream's fit over the same chunks, bit for bit", async () => {
    const weighted = parts.map((p, s) => ({ data: p, sampleWeights: p.map((_, i) => (s === 2 ? 0 : 1 + ((i + s) % 3))) }));
    const w = await startShardWorker({ connection: redis.url, queue: "weighted-zero", load: (uri) => weighted[uris.indexOf(uri)] });
    try {
      const options = { k: 3, init: INIT, maxIter: 5, tol: 0 } as const;
      const model = await fitDistributed({ ...options, connection: redis.url, queue: "weighted-zero", shards: uris });
      expect(bits(model)).toEqual(bits(await fitStream(() => weighted, options)));
    } finally {
      await w.close();
    }
  }, 30_000);

  it("with prior: true, the prior's defaults come from the weighted sample: a zero-weight outlier is as if removed", async () => {
    const weights = parts.map((p, s) => p.map((_, i) => 1 + ((i + s) % 3)));
    const weighted = parts.map((p, s) => (s === 0 ? { data: [...p, 1e4], sampleWeights: [...weights[s], 0] } : { data: p, sampleWeights: weights[s] }));
    const w = await startShardWorker({ connection: redis.url, queue: "weighted-prior", load: (uri) => weighted[uris.indexOf(uri)] });
    try {
      // The sample holds every row, so its prior is the whole data's (weighted, the outlier left out).
      const model = await fitDistributed({ k: 3, init: INIT, maxIter: 3, tol: 0, prior: true, seedSample: SHARDS * PER + 1, connection: redis.url, queue: "weighted-prior", shards: uris });
      const whole = fitSync(all, { k: 3, init: INIT, maxIter: 1, prior: true, sampleWeights: weights.flat() });
      const [p, q] = [model.settings.prior, whole.settings.prior] as { mean: number; scale: number }[];
      expect(Math.abs(p.mean - q.mean)).toBeLessThan(1e-12 * Math.max(1, Math.abs(q.mean)));
      expect(Math.abs(p.scale - q.scale)).toBeLessThan(1e-12 * q.scale);
    } finally {
      await w.close();
    }
  }, 30_000);

  it("categorical level names per shard: the same names fit and load again; a shard with fewer names is a MixemError naming both shards", async () => {
    const write = (name: string, rows: unknown[]) => { const f = join(dir, name); writeFileSync(f, JSON.stringify(rows)); return f; };
    const a = write("cat-a.json", [["a", "x"], ["b", "y"], ["c", "x"], ["a", "y"]]), b = write("cat-b.json", [["b", "x"], ["c", "y"], ["a", "x"]]);
    const fewer = write("cat-c.json", [["b", "x"], ["c", "x"]]);
    const o = { connection: redis.url, family: "categorical", k: 2, seed: 1, maxIter: 3 } as const;
    const m = await fitDistributed({ ...o, shards: [a, b] });
    const rows = [["a", "x"], ["b", "y"], ["c", "x"]];
    expect(loadModel(JSON.parse(JSON.stringify(m))).score(rows as never)).toBe(m.score(rows as never));
    const e = (await fitDistributed({ ...o, shards: [a, fewer] }).catch((x: unknown) => x)) as MixemError;
    expect(e).toBeInstanceOf(MixemError);
    expect(e.path).toBe("options.levels");
    expect(e.message).toContain(`column 0 of shards[1] (${fewer}) has levels ["b","c"]; column 0 of shards[0] (${a})`);
  });

  it("bad options are refused before Redis is asked", async () => {
    await expect(fitDistributed({ connection: redis.url, shards: [], k: 2 })).rejects.toThrow(/^options\.shards: must be a non-empty array/);
    await expect(fitDistributed({ connection: "localhost:6379", shards: uris, k: 2 })).rejects.toThrow(/^options\.connection: must be a redis:\/\//);
    await expect(fitDistributed({ connection: redis.url, shards: uris, k: 2, threads: 2 })).rejects.toThrow(/^options\.threads/);
    await expect(fitDistributed({ connection: redis.url, shards: uris, k: 2, init: "hc" })).rejects.toThrow(/^options\.init/);
  });
});
