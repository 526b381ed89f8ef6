// npm run bench -- --browser (or alone: node bench/browser.mjs, after npm run build): the
// per-iteration rows of bench/run.mjs in headless Chromium — the page bundled by esbuild from
// `import … from "mixem"` as an app would be — side by side with Node in the same run
// (repetitions interleaved: Node, page, Node, page…), as ns per point · component · iteration; then
// a 10⁶-point fit through fitInWorker in the page against the same fit on the page's main thread.
// BENCH_BROWSER_SCALE < 1 shrinks every N (e.g. 0.1 on a loaded machine); CHROMIUM_PATH as in the tests.
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { serve } from "../scripts/static-server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const ITER = Number(process.env.BENCH_ITER ?? 15), REPS = Number(process.env.BENCH_REPS ?? 5);
const SCALE = Number(process.env.BENCH_BROWSER_SCALE ?? 1);
const median = (a) => { const s = [...a].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
const load = () => os.loadavg().map((v) => v.toFixed(1)).join(", ");

export async function browserBench() {
  const dir = `${root}test-artifacts/bench-browser`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await build({ entryPoints: [`${root}bench/browser/page.mjs`], outfile: `${dir}/page.js`, bundle: true, format: "esm", target: "es2022", minify: true, logLevel: "warning" });
  writeFileSync(`${dir}/index.html`, '<!doctype html><meta charset="utf-8"><title>mixem bench</title><script type="module" src="./page.js"></script>');
  const { server, port } = await serve(root);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  const loadBefore = load();
  let closeNode = () => {};
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => { throw e; });
    await page.goto(`http://127.0.0.1:${port}/test-artifacts/bench-browser/index.html`);
    await page.waitForFunction(() => window.bench !== undefined);
    await page.evaluate(() => window.bench.ready);
    const version = browser.version();
    // Node's side in its own session (detached), as Chromium runs in its own: see browser/node-side.mjs.
    const child = spawn(process.execPath, [`${root}bench/browser/node-side.mjs`], { detached: true, stdio: ["pipe", "pipe", "inherit"] });
    closeNode = () => child.kill();
    const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ask = async (q) => { child.stdin.write(JSON.stringify(q) + "\n"); const { value } = await answers.next(); return JSON.parse(value); };
    const workloads = await ask({ scale: SCALE });
    const pageNames = await page.evaluate((s) => window.bench.names(s), SCALE);
    if (workloads.map((w) => w.name).join() !== pageNames.join()) throw new Error("page and Node built different workloads");
    const rows = [];
    for (let i = 0; i < workloads.length; i++) {
      const w = workloads[i], node = [], web = [];
      let llNode = NaN, llWeb = NaN;
      await ask({ i, iterations: 2 }); // warm-up, untimed, on both sides
      await page.evaluate(([j]) => window.bench.iterations(j, 2), [i]);
      for (let r = 0; r < REPS; r++) {
        const a = await ask({ i, iterations: ITER }); node.push(...a.ms); llNode = a.ll;
        const b = await page.evaluate(([j, it]) => window.bench.iterations(j, it), [i, ITER]); web.push(...b.ms); llWeb = b.ll;
      }
      const ns = (ms) => (ms * 1e6) / (w.n * w.k);
      const row = { name: w.name, node: ns(median(node)), page: ns(median(web)), sameBits: llNode === llWeb, relDiff: Math.abs(llNode - llWeb) / Math.abs(llNode) };
      row.ratio = row.page / row.node;
      rows.push(row);
      console.log(`browser: ${w.name}: Node ${row.node.toFixed(1)} ns, Chromium ${row.page.toFixed(1)} ns → ${row.ratio.toFixed(2)}× (log-likelihood ${row.sameBits ? "bit-identical" : `differs: ${llNode} vs ${llWeb}`})`);
    }
    const runs = [];
    for (let r = 0; r < 3; r++) runs.push(await page.evaluate(() => window.bench.worker()));
    const worker = { main: median(runs.map((r) => r.main)), worker: median(runs.map((r) => r.worker)), same: runs.every((r) => r.same), iterations: runs[0].iterations, all: runs };
    console.log(`browser: 10⁶-point fit (1-D, K = 8, ${worker.iterations} iterations): page main thread ${worker.main.toFixed(0)} ms, fitInWorker ${worker.worker.toFixed(0)} ms → ${(worker.worker / worker.main).toFixed(2)}× (${worker.same ? "same log-likelihood" : "log-likelihoods differ"})`);
    return { rows, worker, version, loadBefore, loadAfter: load(), md: markdown(rows, worker, version) };
  } finally {
    closeNode();
    await browser.close();
    server.close();
  }
}

export function markdown(rows, worker, version) {
  return [
    `#### In the browser: headless Chromium ${version} against Node ${process.version}, same data and start, ns per point · component · iteration (median of ${REPS} interleaved repetitions × ${ITER - 1} iterations${SCALE !== 1 ? `, every N × ${SCALE}` : ""})`, "",
    "| workload | Node ns | Chromium ns | Chromium / Node | final log-likelihood |", "| --- | ---: | ---: | ---: | --- |",
    ...rows.map((r) => `| ${r.name} | ${r.node.toFixed(1)} | ${r.page.toFixed(1)} | ${r.ratio.toFixed(2)}× | ${r.sameBits ? "bit-identical" : `differs by ${r.relDiff.toExponential(1)} (relative)`} |`),
    "",
    `**Worker path in the page** (1-D Gaussian, N = 10⁶, K = 8, ${worker.iterations} iterations, median of 3; each run: ${worker.all.map((r) => `${r.main.toFixed(0)} / ${r.worker.toFixed(0)} ms`).join(", ")}): fitSync on the page's main thread ${worker.main.toFixed(0)} ms, fitInWorker ${worker.worker.toFixed(0)} ms — ${(worker.worker / worker.main).toFixed(2)}× (worker start, data copy and WebAssembly instantiation included); ${worker.same ? "same log-likelihood, bit for bit" : "log-likelihoods differ"}.`,
    "",
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await browserBench();
  console.log(`\nload average ${r.loadBefore} → ${r.loadAfter}\n\n${r.md}`);
  if (process.env.BROWSER_OUT) writeFileSync(process.env.BROWSER_OUT, JSON.stringify({ rows: r.rows, worker: r.worker, loadBefore: r.loadBefore, loadAfter: r.loadAfter }, null, 1) + "\n\n" + r.md);
}
