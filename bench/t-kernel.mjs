// The 1-D Student-t kernel alone: tPass (ν fixed: header kc = 0, ks = 1) and gaussianPass of each
// WebAssembly binary given, called directly on the same heavy-tailed points (K = 8, one call = N
// points in blocks of 256, statistics accumulated), interleaved, CPU time per point · component,
// fastest and median of R rounds. No fit around them: for A/B of kernel variants (a binary built
// with `asc --config asconfig.json --target release assembly/kernels/*.ts -o variant.wasm`).
// ECME=1: the header asks for the ECME cross sums (kc = K), as a fit with ν estimated.
// Usage: [NU=5] [ECME=1] [N=65536] [R=40] node bench/t-kernel.mjs [a.wasm b.wasm …] (default build/mixem.wasm).
// NU an integer takes the power path; NU=4.7 the general one.
import { readFileSync } from "node:fs";
const files = process.argv.length > 2 ? process.argv.slice(2) : [new URL("../build/mixem.wasm", import.meta.url).pathname];
const ECME = !!process.env.ECME, N = Number(process.env.N ?? 65536), K = 8, R = Number(process.env.R ?? 40), CALLS = 8, nu = Number(process.env.NU ?? 5);
function rng(seed) { let a = seed >>> 0; return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const u = rng(1); const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const chi = () => { let s = 0; for (let i = 0; i < 5; i++) s += normal() ** 2; return Math.sqrt(s / 5); };
const xs = new Float64Array(N); for (let i = 0; i < N; i++) { const j = Math.floor(u() * K); xs[i] = 4 * j + normal() / chi(); }
const inst = files.map((f) => {
  const w = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(f)), { env: { abort() { throw new Error("abort"); } } }).exports;
  const alloc = (nf) => { const p = w.alloc(nf * 8 + 16); return (p + 15) & ~15; };
  const x = alloc(N); new Float64Array(w.memory.buffer, x, N).set(xs);
  const scratch = alloc(256 * (K + 1 + 4 + 1 + 4 * K + 1 + 4 + (ECME ? K : 0)));
  const gp = alloc(3 * K), tp = alloc(2 + 8 * K), gs = alloc(3 * K), ts = alloc((7 + (ECME ? K : 0)) * K);
  const G = new Float64Array(w.memory.buffer, gp, 3 * K), T = new Float64Array(w.memory.buffer, tp, 2 + 8 * K);
  T[0] = ECME ? K : 0; T[1] = 1; // header: cross sums (ECME=1: the pass of an ECME fit) or none, 1 + δ²/ν kept
  for (let j = 0; j < K; j++) {
    const m = 4 * j + 0.5, v = 1.5, o = 2 + 8 * j;
    G[3 * j] = m; G[3 * j + 1] = -0.5 / v; G[3 * j + 2] = Math.log(1 / K) - 0.5 * Math.log(2 * Math.PI * v);
    // c (without the log Γ terms: a constant), a, 1/ν, b, log b, C (unused with ν fixed), mean, 1/σ²
    T[o] = Math.log(1 / K) - 0.5 * Math.log(v * nu * Math.PI); T[o + 1] = (nu + 1) / 2; T[o + 2] = 1 / nu; T[o + 3] = (nu + 1) / nu; T[o + 4] = Math.log((nu + 1) / nu); T[o + 5] = 0; T[o + 6] = m; T[o + 7] = 1 / v;
  }
  return { g: () => w.gaussianPass(x, 0, N, 1, gp, K, gs, scratch, 0, 0, 2), t: () => w.tPass(x, 0, N, 1, tp, K, ts, scratch, 0, 0, 2) };
});
const cpu = (f) => { const c0 = process.cpuUsage(); let r; for (let c = 0; c < CALLS; c++) r = f(); const c1 = process.cpuUsage(c0); return [(c1.user + c1.system) * 1000 / (CALLS * N * K), r]; };
const res = inst.map(() => ({ g: [], t: [], ll: NaN }));
for (let r = 0; r < R; r++) inst.forEach((I, a) => { res[a].g.push(cpu(I.g)[0]); const [ns, ll] = cpu(I.t); res[a].t.push(ns); res[a].ll = ll; });
const mn = (a) => Math.min(...a), med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
files.forEach((f, a) => console.log(`${f}: Gaussian ${mn(res[a].g).toFixed(3)} ns (median ${med(res[a].g).toFixed(3)}) | t ${mn(res[a].t).toFixed(3)} ns (median ${med(res[a].t).toFixed(3)}) | t/Gaussian ${(mn(res[a].t) / mn(res[a].g)).toFixed(3)}× (medians ${(med(res[a].t) / med(res[a].g)).toFixed(3)}×) | log-likelihood ${res[a].ll}`));
