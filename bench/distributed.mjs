// npm run bench:distributed — mixem/bullmq's cost per EM iteration: 1 coordinator (this process)
// and 2 shard-worker processes on this machine, with a redis-server on a free loopback port,
// against fit's threaded path (threads: 2) on the same 10⁷ points in the same process.
// Prints a Markdown table; not a test (timings depend on the machine and its load).
// BENCH_N (default 1e7), BENCH_SHARDS (8), BENCH_ITER (20).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir, loadavg, cpus } from "node:os";
import { join } from "node:path";
import { fit, init } from "../dist/index.js";
import { fitDistributed } from "../dist/bullmq.js";

const N = Number(process.env.BENCH_N ?? 1e7), S = Number(process.env.BENCH_SHARDS ?? 8), ITER = Number(process.env.BENCH_ITER ?? 20);
const redisBin = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
if (!redisBin) { console.error("bench/distributed.mjs needs redis-server (Debian: apt-get install redis-server)"); process.exit(1); }
await init();

const port = await new Promise((resolve) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const dir = mkdtempSync(join(tmpdir(), "mixem-bench-"));
const children = [];
const cleanup = () => { for (const c of children) if (c.exitCode === null) c.kill("SIGKILL"); rmSync(dir, { recursive: true, force: true }); };
process.on("exit", cleanup);
const redis = spawn(redisBin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
children.push(redis);
const url = `redis://127.0.0.1:${port}`;
for (let t = 0; ; t++) {
  const ok = await new Promise((resolve) => { const c = connect(port, "127.0.0.1"); c.once("error", () => resolve(false)); c.once("connect", () => { c.destroy(); resolve(true); }); });
  if (ok) break;
  if (t > 100) throw new Error("redis-server did not start");
  await new Promise((r) => setTimeout(r, 50));
}

// Data: a 2-component 1-D Gaussian mixture, written as S raw Float64 shards.
let a = 7;
const u = () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const x = new Float64Array(N);
for (let i = 0; i < N; i++) x[i] = (u() < 0.4 ? 4 : 0) + Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const shards = [];
for (let s = 0; s < S; s++) {
  const f = join(dir, `part-${s}.f64`);
  const part = x.subarray(Math.floor((s * N) / S), Math.floor(((s + 1) * N) / S));
  writeFileSync(f, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  shards.push(f);
}
const tiny = [];
for (let s = 0; s < S; s++) { const f = join(dir, `tiny-${s}.f64`); const p = x.slice(s * 1000, s * 1000 + 1000); writeFileSync(f, new Uint8Array(p.buffer)); tiny.push(f); }

const workers = await Promise.all([0, 1].map(() => new Promise((resolve, reject) => {
  const c = spawn(process.execPath, [new URL("./distributed-worker.mjs", import.meta.url).pathname], { env: { ...process.env, REDIS_URL: url }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(c);
  c.stdout.on("data", (d) => { if (String(d).includes("ready")) resolve(c); });
  c.once("exit", (code) => reject(new Error(`worker exited ${code}`)));
})));

const INIT = { means: [-0.5, 3.5], variances: [1.5, 1.5], weights: [0.5, 0.5] };
const median = (v) => { const s = [...v].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
/** ms per iteration: the median of the times between onIteration calls (iteration 1 onward). */
async function perIteration(run) {
  const times = [];
  let last;
  const t0 = performance.now();
  const model = await run((info) => { const now = performance.now(); if (last !== undefined) times.push(now - last); last = now; });
  return { model, ms: median(times), total: performance.now() - t0 };
}
const options = { k: 2, init: INIT, maxIter: ITER, tol: 0 };
const rows = [];
const load = () => loadavg()[0].toFixed(1);
// Warm-up: the workers load and cache every shard (pass 0), then the timed runs.
await fitDistributed({ connection: url, shards, ...options, maxIter: 2 });
const threaded = await perIteration((on) => fit(x, { ...options, threads: 2, onIteration: on }));
rows.push([`fit, threads: 2, N = ${N.toExponential(0)}`, threaded.ms, threaded.total, load()]);
const dist = await perIteration((on) => fitDistributed({ connection: url, shards, ...options, onIteration: on }));
rows.push([`fitDistributed, 2 workers, ${S} shards, N = ${N.toExponential(0)}`, dist.ms, dist.total, load()]);
const empty = await perIteration((on) => fitDistributed({ connection: url, shards: tiny, ...options, onIteration: on }));
rows.push([`fitDistributed, 2 workers, ${S} shards of 1000 points (the queue alone)`, empty.ms, empty.total, load()]);
let rel = 0;
const pa = [...threaded.model.weights, ...threaded.model.components.flatMap((c) => [c.mean, c.variance])];
const pb = [...dist.model.weights, ...dist.model.components.flatMap((c) => [c.mean, c.variance])];
pa.forEach((v, i) => { rel = Math.max(rel, Math.abs(v - pb[i]) / Math.abs(v)); });

console.log(`${cpus().length} cores (${cpus()[0].model}), Node ${process.version}; ${ITER} iterations from the same start, K = 2; median ms per iteration; load average at the end of each row\n`);
console.log("| path | ms / iteration | whole fit, ms | load average |\n| --- | ---: | ---: | ---: |");
for (const [name, ms, total, l] of rows) console.log(`| ${name} | ${ms.toFixed(1)} | ${total.toFixed(0)} | ${l} |`);
console.log(`\nqueue overhead per iteration: ${(dist.ms - threaded.ms).toFixed(1)} ms over the threaded fit; ${empty.ms.toFixed(1)} ms with empty shards. Largest relative difference of the parameters (distributed vs threaded): ${rel.toExponential(1)}`);
for (const c of workers) c.kill("SIGTERM");
redis.kill("SIGTERM");
