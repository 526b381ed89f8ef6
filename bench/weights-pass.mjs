// The weighted 1-D Gaussian pass alone: gaussianPass called straight on each build's WebAssembly
// (taken from its dist/, no fit around it), N = 1e6, K = 8, statistics accumulated, with and
// without sample weights (1, 2, 3 in turn), builds and cases interleaved; CPU time per pass,
// minimum / median over REPS. Run after npm run build:
//   [REPS=40] node bench/weights-pass.mjs path/to/dist [another/dist …]
import { readFileSync, readdirSync } from "node:fs";
/** The WebAssembly core a dist/ embeds (base64 in index.js or one of its chunks). */
function wasmOf(dir) {
  for (const f of [dir + "/index.js", ...readdirSync(dir + "/chunks").map((c) => dir + "/chunks/" + c)]) {
    const t = readFileSync(f, "utf8"); const m = t.match(/"(AGFzbQ[A-Za-z0-9+/=]{1000,})"/);
    if (m) return Buffer.from(m[1], "base64");
  }
}
const builds = process.argv.slice(2);
const n = 1e6, k = 8;
function rng(seed) { let a = seed >>> 0; return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const u = rng(1); const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const xs = Float64Array.from({ length: n }, (_, i) => (i % k) * 1.5 + normal());
const ws = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3));
const setups = builds.map((dir) => {
  const E = new WebAssembly.Instance(new WebAssembly.Module(wasmOf(dir)), { env: { abort() { throw new Error("abort"); } } }).exports;
  const f = (ptr, len) => new Float64Array(E.memory.buffer, ptr, len);
  const x = E.alloc(n * 8), w = E.alloc(n * 8), params = E.alloc(k * 3 * 8), stats = E.alloc(k * 3 * 8), scratch = E.alloc(256 * (k + 1 + 4) * 8 + 16);
  f(x, n).set(xs); f(w, n).set(ws);
  f(params, k * 3).set(Array.from({ length: k }, (_, j) => [j * 1.5 + 0.3, -0.5, Math.log(1 / k) - 0.5 * Math.log(2 * Math.PI)]).flat());
  return (weighted) => { E.setPointWeights(weighted ? w : 0); const ll = E.gaussianPass(x, 0, n, 1, params, k, stats, (scratch + 15) & ~15, 0, 0, 2); E.setPointWeights(0); return ll; };
});
const R = Number(process.env.REPS ?? 40);
const t = setups.map(() => [[], []]);
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
for (let r = 0; r < R; r++) for (let b = 0; b < setups.length; b++) for (const wgt of [0, 1]) { const c0 = cpu(); setups[b](wgt); t[b][wgt].push(cpu() - c0); }
const mn = (a) => Math.min(...a), med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
builds.forEach((d, b) => console.log(d, `plain ${mn(t[b][0]).toFixed(2)}/${med(t[b][0]).toFixed(2)} weighted ${mn(t[b][1]).toFixed(2)}/${med(t[b][1]).toFixed(2)} ms → min ${(mn(t[b][1]) / mn(t[b][0])).toFixed(3)}× median ${(med(t[b][1]) / med(t[b][0])).toFixed(3)}×`));
