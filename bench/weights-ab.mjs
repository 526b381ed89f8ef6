// Sample weights' cost on the 1-D Gaussian (bench/run.mjs's weights row: N = 1e6, K = 8, same data,
// same start), two builds interleaved in one process: for each build the fit with and without
// `sampleWeights`, and the ratio. A = a baseline build (A=path/to/dist/index.js; default: this one),
// B = this build. Per case: the process's CPU time per iteration (each fit's median iteration; minimum
// and median over the repetitions) and the per-iteration wall-time median; the ratio weighted / plain of the same build.
// Run after npm run build: [A=…] [REPS=9] node bench/weights-ab.mjs
import { pathToFileURL } from "node:url";
const A = await import(pathToFileURL(process.env.A ?? new URL("../dist/index.js", import.meta.url).pathname).href);
const B = await import(pathToFileURL(process.env.B ?? new URL("../dist/index.js", import.meta.url).pathname).href);
A.initSync(); B.initSync();
const med = (a) => { const s = [...a].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
const mn = (a) => Math.min(...a);
const ITER = 15, REPS = Number(process.env.REPS ?? 9), n = 1_000_000, k = 8;
function rng(seed) { let a = seed >>> 0; return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const u = rng(1); const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const x = new Float64Array(n); for (let i = 0; i < n; i++) x[i] = (i % k) * 1.5 + normal();
const w = new Float64Array(n).map((_, i) => 1 + (i % 3));
const init = { means: Array.from({ length: k }, (_, j) => j * 1.5 + 0.3), variances: Array(k).fill(1) };
const time = (lib, extra) => {
  const st = [], ct = []; let ll;
  lib.fitSync(x, { k, init, maxIter: ITER, tol: 0, ...extra, onIteration: (i) => { st.push(performance.now()); const c = process.cpuUsage(); ct.push((c.user + c.system) / 1000); ll = i.logLikelihood; } });
  const d = [], cd = []; for (let i = 1; i < st.length; i++) { d.push(st[i] - st[i - 1]); cd.push(ct[i] - ct[i - 1]); }
  return { d, ll, cpu: med(cd) };
};
const cases = { pA: () => time(A, {}), wA: () => time(A, { sampleWeights: w }), pB: () => time(B, {}), wB: () => time(B, { sampleWeights: w }) };
const names = Object.keys(cases);
const wall = Object.fromEntries(names.map((c) => [c, []])), cpus = Object.fromEntries(names.map((c) => [c, []])), lls = {};
for (let r = 0; r < REPS; r++) for (const c of names) { const { d, ll, cpu } = cases[c](); wall[c].push(...d); cpus[c].push(cpu); lls[c] = ll; }
for (const c of names) console.log(`${c}: CPU/iter min ${mn(cpus[c]).toFixed(2)} ms, median ${med(cpus[c]).toFixed(2)}; wall/iter median ${med(wall[c]).toFixed(2)}; ll ${lls[c]}`);
for (const b of ["A", "B"]) {
  const p = `p${b}`, q = `w${b}`;
  console.log(`${b}: weighted/plain CPU min ${(mn(cpus[q]) / mn(cpus[p])).toFixed(3)}×, CPU median ${(med(cpus[q]) / med(cpus[p])).toFixed(3)}×, wall median ${(med(wall[q]) / med(wall[p])).toFixed(3)}×`);
}
