// The 1-D Student-t kernel against the 1-D Gaussian, interleaved in one process: N = 1e6, K = 8,
// heavy-tailed data (as bench/run.mjs's Student row), the same start; t with ν fixed at 5 (one
// pass per iteration) and, with ECME=1, ν estimated. A = a baseline build (A=path/to/dist/index.js;
// default: this one), B = this build. Per case: per-iteration wall-time median and minimum, and
// the process's CPU time per fit / iteration (steadier on a shared machine), each as a ratio to
// the Gaussian. Run after npm run build: [A=…] [ECME=1] [REPS=7] node bench/t-nearest.mjs
import { pathToFileURL } from "node:url";
const A = await import(pathToFileURL(process.env.A ?? new URL("../dist/index.js", import.meta.url).pathname).href);
const B = await import(pathToFileURL(process.env.B ?? new URL("../dist/index.js", import.meta.url).pathname).href);
A.initSync(); B.initSync();
const ITER = 15, REPS = Number(process.env.REPS ?? 7), n = 1_000_000, k = 8;
function rng(seed) { let a = seed >>> 0; return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const u = rng(1); const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const chi = () => { let s = 0; for (let i = 0; i < 5; i++) s += normal() ** 2; return Math.sqrt(s / 5); };
const x = new Float64Array(n); for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); x[i] = 4 * j + normal() / chi(); }
const weights = Array(k).fill(1 / k), means = Array.from({ length: k }, (_, j) => 4 * j + 0.5), variances = Array(k).fill(1.5);
const time = (lib, opts) => { const st = []; let ll; const c0 = process.cpuUsage(); lib.fitSync(x, { k, maxIter: ITER, tol: 0, ...opts, onIteration: (i) => { st.push(performance.now()); ll = i.logLikelihood; } }); const cu = process.cpuUsage(c0); const d = []; for (let i = 1; i < st.length; i++) d.push(st[i] - st[i - 1]); return { d, ll, cpu: (cu.user + cu.system) / 1000 / ITER }; };
const cases = {
  gauss: () => time(B, { init: { weights, means, variances } }),
  tA: () => time(A, { family: "t", dof: 5, init: { weights, means, variances, dofs: Array(k).fill(5) } }),
  tB: () => time(B, { family: "t", dof: 5, init: { weights, means, variances, dofs: Array(k).fill(5) } }),
  ...(process.env.ECME ? { eA: () => time(A, { family: "t", init: { weights, means, variances, dofs: Array(k).fill(5) } }), eB: () => time(B, { family: "t", init: { weights, means, variances, dofs: Array(k).fill(5) } }) } : {}),
};
const all = Object.fromEntries(Object.keys(cases).map((c) => [c, []])); const lls = {}; const cpus = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < REPS; r++) for (const c of Object.keys(cases)) { const { d, ll, cpu } = cases[c](); all[c].push(...d); lls[c] = ll; cpus[c].push(cpu); }
const med = (a) => { const s = [...a].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
const mn = (a) => Math.min(...a);
const out = {};
for (const c of Object.keys(all)) out[c] = { med: med(all[c]), min: mn(all[c]), cpu: mn(cpus[c]), cpuMed: med(cpus[c]) };
for (const c of Object.keys(all)) console.log(`${c}: median ${out[c].med.toFixed(2)} ms/iter (${(out[c].med * 1e6 / (n * k)).toFixed(2)} ns), min ${out[c].min.toFixed(2)}; /gauss median ${(out[c].med / out.gauss.med).toFixed(3)}×, min ${(out[c].min / out.gauss.min).toFixed(3)}×; CPU/fit-iter min ${out[c].cpu.toFixed(2)} (${(out[c].cpu / out.gauss.cpu).toFixed(3)}×) median ${out[c].cpuMed.toFixed(2)} (${(out[c].cpuMed / out.gauss.cpuMed).toFixed(3)}×); ll ${lls[c]}`);
