// The 1-D Student-t kernel against the 1-D Gaussian, interleaved in one process: N = 1e6, K = 8,
// heavy-tailed data (as bench/run.mjs's Student row), the same start; t with ν fixed at 5 (one
// pass per iteration) and, with ECME=1, ν estimated. A = a baseline build (A=path/to/dist/index.js;
// default: this one), B = this build. Per case: per-iteration wall-time median and minimum, and
// the process's CPU time per fit / iteration (steadier on a shared machine), each as a ratio to
// the Gaussian. MVT=1: family mvt against mvgaussian instead, d = 10 full, N = 2e5, K = 8 (as
// bench/run.mjs's mvt row). Run after npm run build: [A=…] [ECME=1] [MVT=1] [DOF=5] [REPS=7] node bench/t-nearest.mjs
import { pathToFileURL } from "node:url";
const A = await import(pathToFileURL(process.env.A ?? new URL("../dist/index.js", import.meta.url).pathname).href);
const B = await import(pathToFileURL(process.env.B ?? new URL("../dist/index.js", import.meta.url).pathname).href);
A.initSync(); B.initSync();
const MVT = !!process.env.MVT;
const ITER = 15, REPS = Number(process.env.REPS ?? 7), k = 8, d = MVT ? 10 : 1, n = MVT ? 200_000 : 1_000_000;
function rng(seed) { let a = seed >>> 0; return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const u = rng(1); const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const chi = () => { let s = 0; for (let i = 0; i < 5; i++) s += normal() ** 2; return Math.sqrt(s / 5); };
const centres = Array.from({ length: k }, (_, j) => Array.from({ length: d }, () => (d === 1 ? 4 * j : (u() - 0.5) * 8)));
const x = new Float64Array(n * d);
if (!MVT) for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); x[i] = 4 * j + normal() / chi(); }
else for (let i = 0; i < n; i++) { const j = Math.floor(u() * k), w = chi(); for (let a = 0; a < d; a++) x[i * d + a] = centres[j][a] + normal() / w; }
const weights = Array(k).fill(1 / k);
const gInit = MVT
  ? { weights, means: centres.map((c) => c.map((v) => v + 0.3 * normal())), covariances: Array(k).fill(Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1.5 : 0)))) }
  : { weights, means: centres.map((c) => c[0] + 0.5), variances: Array(k).fill(1.5) };
const DOF = Number(process.env.DOF ?? 5); // ν fixed (an integer takes the kernel's power path; e.g. DOF=4.7 the general one)
const tInit = { ...gInit, dofs: Array(k).fill(DOF) };
const G = MVT ? { family: "mvgaussian", dims: d, covariance: "full" } : {}, T = MVT ? { family: "mvt", dims: d, covariance: "full" } : { family: "t" };
const time = (lib, opts) => { const st = []; let ll; const c0 = process.cpuUsage(); lib.fitSync(x, { k, maxIter: ITER, tol: 0, ...opts, onIteration: (i) => { st.push(performance.now()); ll = i.logLikelihood; } }); const cu = process.cpuUsage(c0); const d = []; for (let i = 1; i < st.length; i++) d.push(st[i] - st[i - 1]); return { d, ll, cpu: (cu.user + cu.system) / 1000 / ITER }; };
const cases = {
  gauss: () => time(B, { ...G, init: gInit }),
  tA: () => time(A, { ...T, dof: DOF, init: tInit }),
  tB: () => time(B, { ...T, dof: DOF, init: tInit }),
  ...(process.env.ECME ? { eA: () => time(A, { ...T, init: tInit }), eB: () => time(B, { ...T, init: tInit }) } : {}),
};
const all = Object.fromEntries(Object.keys(cases).map((c) => [c, []])); const lls = {}; const cpus = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < REPS; r++) for (const c of Object.keys(cases)) { const { d, ll, cpu } = cases[c](); all[c].push(...d); lls[c] = ll; cpus[c].push(cpu); }
const med = (a) => { const s = [...a].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
const mn = (a) => Math.min(...a);
const out = {};
for (const c of Object.keys(all)) out[c] = { med: med(all[c]), min: mn(all[c]), cpu: mn(cpus[c]), cpuMed: med(cpus[c]) };
for (const c of Object.keys(all)) console.log(`${c}: median ${out[c].med.toFixed(2)} ms/iter (${(out[c].med * 1e6 / (n * k)).toFixed(2)} ns), min ${out[c].min.toFixed(2)}; /gauss median ${(out[c].med / out.gauss.med).toFixed(3)}×, min ${(out[c].min / out.gauss.min).toFixed(3)}×; CPU/fit-iter min ${out[c].cpu.toFixed(2)} (${(out[c].cpu / out.gauss.cpu).toFixed(3)}×) median ${out[c].cpuMed.toFixed(2)} (${(out[c].cpuMed / out.gauss.cpuMed).toFixed(3)}×); ll ${lls[c]}`);
