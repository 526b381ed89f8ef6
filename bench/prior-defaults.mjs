// The cost of the prior's data-based defaults (`prior: true`) with and without sample weights, two
// builds interleaved in one process: A = a baseline build (A=path/to/dist/index.js; default: this
// one), B = this build. Per case the process's CPU time of fitSync with maxIter 1 from an explicit
// start, `prior: true` (defaults computed from the data) and the same prior given in full (no
// defaults to compute); min and median over the repetitions. mvgaussian VVV, N = 300,000, d = 3.
// Run after npm run build: [A=…] [REPS=9] node bench/prior-defaults.mjs
import { pathToFileURL } from "node:url";
const A = await import(pathToFileURL(process.env.A ?? new URL("../dist/index.js", import.meta.url).pathname).href);
const B = await import(pathToFileURL(process.env.B ?? new URL("../dist/index.js", import.meta.url).pathname).href);
A.initSync(); B.initSync();
const REPS = Number(process.env.REPS ?? 9), n = 300_000;
let s = 1;
const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
const rows = Array.from({ length: n }, (_, i) => [r() + (i % 2) * 3, r() * 2, r() - (i % 2)]);
const w = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3));
const cov = [[0.1, 0, 0], [0, 0.3, 0], [0, 0, 0.1]];
const base = { family: "mvgaussian", k: 2, init: { means: [[0.5, 1, 0.5], [3.5, 1, -0.5]], covariances: [cov, cov] }, maxIter: 1, tol: 0 };
const cases = [];
for (const [lib, name] of [[A, "A"], [B, "B"]]) for (const weights of [undefined, w]) {
  const o = weights ? { ...base, sampleWeights: weights } : base;
  const given = lib.fitSync(rows, { ...o, prior: true }).settings.prior;
  const tag = `${name} ${weights ? "weighted  " : "unweighted"}`;
  cases.push([`${tag} prior: true `, lib, { ...o, prior: true }], [`${tag} prior given`, lib, { ...o, prior: given }]);
}
const t = cases.map(() => []);
for (let rep = 0; rep < REPS; rep++) cases.forEach(([, lib, o], c) => {
  const c0 = process.cpuUsage();
  lib.fitSync(rows, o);
  const d = process.cpuUsage(c0);
  t[c].push((d.user + d.system) / 1000);
});
const med = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
cases.forEach(([name], c) => console.log(`${name}  min ${Math.min(...t[c]).toFixed(1)} ms  median ${med(t[c]).toFixed(1)} ms`));
