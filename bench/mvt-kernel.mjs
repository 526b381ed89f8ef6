// The mvt full-covariance kernel alone (mvtFullPass; ν fixed: header kc = 0, ks = 1), d = 10, K = 8,
// of each WebAssembly binary given, called directly on the same points and parameters, interleaved:
// CPU time per point · component (fastest and median of R rounds of 4 calls), the log-likelihood,
// and whether the statistics are the same bits. NU non-integer takes the general pass, an integer
// the power path. For A/B of kernel variants (a binary: `asc --config asconfig.json --target
// release assembly/kernels/*.ts -o variant.wasm`, or a copy of build/mixem.wasm before a change).
// ECME=1: the header asks for the ECME cross sums (kc = K), as a fit with ν estimated.
// Usage: [NU=4.7] [ECME=1] [N=16384] [R=30] node bench/mvt-kernel.mjs a.wasm b.wasm
import { readFileSync } from "node:fs";
const files = process.argv.slice(2);
const ECME = !!process.env.ECME, N = Number(process.env.N ?? 16384), K = 8, D = 10, R = Number(process.env.R ?? 30), nu = Number(process.env.NU ?? 4.7);
function rng(seed) { let a = seed >>> 0; return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const u = rng(1); const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const centres = Array.from({ length: K }, () => Array.from({ length: D }, () => (u() - 0.5) * 8));
const xs = new Float64Array(N * D); for (let i = 0; i < N; i++) { const j = Math.floor(u() * K); for (let a = 0; a < D; a++) xs[i * D + a] = centres[j][a] + normal(); }
const lg = (z) => { // Lanczos log Γ
  const g = 7, c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  z -= 1; let x = c[0]; for (let i = 1; i < g + 2; i++) x += c[i] / (z + i); const t = z + g + 0.5; return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x); };
const inst = files.map((f) => {
  const w = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(f)), { env: { abort() { throw new Error("abort"); } } }).exports;
  const alloc = (nf) => { const p = w.alloc(nf * 8 + 16); return (p + 15) & ~15; };
  const x = alloc(N * D); new Float64Array(w.memory.buffer, x, N * D).set(xs);
  const scratch = alloc(256 * 200);
  const P = 6 + D + D * D, S = 5 + D + D * D + (ECME ? K : 0);
  const tp = alloc(2 + P * K), ts = alloc(S * K);
  const T = new Float64Array(w.memory.buffer, tp, 2 + P * K);
  T[0] = ECME ? K : 0; T[1] = 1; // ECME=1: with the cross sums (kc = K), as a fit with ν estimated
  for (let j = 0; j < K; j++) {
    const o = 2 + P * j, a = (nu + D) / 2;
    T[o] = Math.log(1 / K) + lg(a) - lg(nu / 2) - (D / 2) * Math.log(nu * Math.PI); T[o + 1] = a; T[o + 2] = 1 / nu; T[o + 3] = (nu + D) / nu; T[o + 4] = Math.log((nu + D) / nu); T[o + 5] = 0;
    for (let a2 = 0; a2 < D; a2++) T[o + 6 + a2] = centres[j][a2] + 0.2;
    for (let a2 = 0; a2 < D; a2++) T[o + 6 + D + a2 * D + a2] = 1 / 1.2; // P = L⁻¹ diagonal
  }
  return { t: () => w.mvtFullPass(x, 0, N, D, tp, K, ts, scratch, 0, 0, 2), stats: () => Float64Array.from(new Float64Array(w.memory.buffer, ts, S * K)) };
});
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const times = inst.map(() => []); let lls = [];
for (let r = 0; r < R; r++) inst.forEach((m, b) => { const c0 = cpu(); let ll = 0; for (let c = 0; c < 4; c++) ll = m.t(); times[b].push((cpu() - c0) / 4); lls[b] = ll; });
const ns = (ms) => (ms * 1e6 / (N * K)).toFixed(2);
files.forEach((f, b) => { const s = [...times[b]].sort((p, q) => p - q); console.log(`${f}: min ${ns(s[0])} ns, median ${ns(s[s.length >> 1])} ns; ll ${lls[b]}`); });
const sa = inst[0].stats(), sb = inst[1]?.stats(); if (sb) console.log("stats identical:", sa.every((v, i) => Object.is(v, sb[i])));
