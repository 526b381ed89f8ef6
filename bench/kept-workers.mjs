// selectKAsync's kept workers and their WebAssembly memory (docs/performance.md, "Kept selection
// workers"). Bundles src/ with the @internal hook idleSelectionWorkers (run after npm run build,
// which generates src/generated/), then, with MODE:
//   rss   RSS (after gc) and the idle workers' WebAssembly memory after a selectKAsync over N 1-D
//         points (gaussian, k = 1..4, 2 threads), then after a small one; LIMIT=Infinity: the old
//         pool (no bound).       node --expose-gc bench/kept-workers.mjs   [N=1e6] [LIMIT=bytes]
//   fresh Old Faithful (mvgaussian, 14 models, k = 1..9, 2 threads) on kept workers against new ones,
//         interleaved: CPU (the whole process) and wall, min and median.  MODE=fresh [REPS=9]
//   boot  a worker started from the compiled module until it answers a 20-point fit, then a second fit.
import { build } from "esbuild";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { pathToFileURL } from "node:url";

const src = new URL("../src/", import.meta.url).pathname;
const dir = mkdtempSync(`${os.tmpdir()}/mixem-kept-`);
await build({
  stdin: { contents: `export * from "${src}index.ts"; export { idleSelectionWorkers } from "${src}select.ts"; export { startWorker, loadWorkerSource } from "${src}worker.ts"; export { compiledCore } from "${src}wasm.ts";`, resolveDir: src, loader: "ts" },
  bundle: true, format: "esm", platform: "node", outfile: `${dir}/index.js`, logLevel: "warning",
});
const m = await import(pathToFileURL(`${dir}/index.js`).href);
rmSync(dir, { recursive: true });
await m.init();

const mib = (b) => (b / 2 ** 20).toFixed(1);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const cpuMs = (c) => (c.user + c.system) / 1000;
let seed = 12345;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const normal = () => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
const faithful = readFileSync(new URL("../examples/faithful.csv", import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
const mode = process.env.MODE ?? "rss";

if (mode === "rss") {
  if (process.env.LIMIT !== undefined) m.idleSelectionWorkers(Number(process.env.LIMIT));
  const n = Number(process.env.N ?? 1e6);
  const big = new Float64Array(n);
  for (let i = 0; i < n; i++) big[i] = (i % 3) * 4 + normal();
  const rss = async () => { await new Promise((r) => setTimeout(r, 500)); globalThis.gc?.(); return mib(process.memoryUsage().rss); };
  const idle = () => m.idleSelectionWorkers().map((w) => `${mib(w.memoryBytes)} MiB`).join(" + ") || "none";
  console.log(`start: RSS ${await rss()} MiB${globalThis.gc ? "" : " (run with --expose-gc)"}`);
  let t0 = performance.now();
  await m.selectKAsync(big, { family: "gaussian", kRange: [1, 4], threads: 2 });
  console.log(`after ${n} points (${(performance.now() - t0).toFixed(0)} ms): RSS ${await rss()} MiB; idle workers' WebAssembly memory: ${idle()}; the calling thread's ${mib(m.wasmMemoryBytes())} MiB`);
  t0 = performance.now();
  await m.selectKAsync(faithful, { family: "mvgaussian", threads: 2 });
  console.log(`after Old Faithful (${(performance.now() - t0).toFixed(0)} ms): RSS ${await rss()} MiB; idle workers' WebAssembly memory: ${idle()}`);
} else if (mode === "fresh") {
  const call = async () => { const c0 = process.cpuUsage(), t0 = performance.now(); await m.selectKAsync(faithful, { family: "mvgaussian", threads: 2 }); return { wall: performance.now() - t0, cpu: cpuMs(process.cpuUsage(c0)) }; };
  const R = { kept: [], fresh: [] };
  await call(); await call();
  for (let r = 0; r < Number(process.env.REPS ?? 9); r++) {
    m.idleSelectionWorkers(Infinity); R.kept.push(await call());
    m.idleSelectionWorkers(-1); await call(); // its (warm) workers end
    R.fresh.push(await call()); // on new workers (which end too)
    m.idleSelectionWorkers(Infinity); await call(); // new workers again, kept for the next round
  }
  for (const [k, v] of Object.entries(R)) console.log(`${k.padEnd(5)}: CPU min ${Math.min(...v.map((x) => x.cpu)).toFixed(0)} median ${med(v.map((x) => x.cpu)).toFixed(0)} ms; wall min ${Math.min(...v.map((x) => x.wall)).toFixed(0)} median ${med(v.map((x) => x.wall)).toFixed(0)} ms`);
} else if (mode === "boot") {
  await m.loadWorkerSource();
  const module = await m.compiledCore();
  const data = Float64Array.from({ length: 20 }, (_, i) => (i % 2) * 5 + Math.sin(i));
  const ask = (h) => new Promise((res, rej) => { h.onMessage((r) => (r.type === "done" ? res() : r.type === "error" && rej(new Error(r.error.message)))); h.post({ kind: "fit", module, data, dims: 0, options: { family: "gaussian", k: 2, seed: 1 }, progress: false }, []); });
  const first = [], second = [];
  for (let r = 0; r < Number(process.env.REPS ?? 9); r++) {
    let c0 = process.cpuUsage(), t0 = performance.now();
    const h = m.startWorker();
    await ask(h);
    first.push([performance.now() - t0, cpuMs(process.cpuUsage(c0))]);
    c0 = process.cpuUsage(); t0 = performance.now();
    await ask(h);
    second.push([performance.now() - t0, cpuMs(process.cpuUsage(c0))]);
    h.terminate();
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const [k, v] of Object.entries({ "new worker": first, "same worker again": second }))
    console.log(`${k}: CPU min ${Math.min(...v.map((x) => x[1])).toFixed(1)} median ${med(v.map((x) => x[1])).toFixed(1)} ms; wall min ${Math.min(...v.map((x) => x[0])).toFixed(1)} median ${med(v.map((x) => x[0])).toFixed(1)} ms`);
}
