// ECME's passes per iteration (docs/performance.md, "ECME's passes per iteration"): converged
// Student-t fits with ν estimated, default options (k-means++ start, tol 1e-8, maxIter 500), on six
// data sets × fit seeds × {plain EM, SQUAREM}; per fit the iterations, passes over the data and the
// final log-likelihood. With A=<another build's dist/index.js> each fit runs on both builds (A
// first, then this one, interleaved) and the table shows A → B, the log-likelihood difference
// (B − A, relative to |L_A|) and CPU time per fit; the totals per data set close it.
// Run after npm run build: [A=…] [SEEDS=1,2,3] [ONLY=name] [SCALE=1] node bench/ecme-passes.mjs
import { pathToFileURL } from "node:url";

const SEEDS = (process.env.SEEDS ?? "1,2,3").split(",").map(Number);
const ONLY = process.env.ONLY ?? "";
const SCALE = Number(process.env.SCALE ?? 1); // data sizes × SCALE (a quick look: SCALE=0.1)

function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const u = rng(7);
const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
/** √(χ²_ν/ν) for a whole ν (x = μ + σ z / chi(ν) is t_ν); Infinity: 1 (a normal). */
const chi = (nu) => { if (nu === Infinity) return 1; let s = 0; for (let i = 0; i < nu; i++) s += normal() ** 2; return Math.sqrt(s / nu); };
const pick = (w) => { const r = u(); let c = 0; for (let j = 0; j < w.length; j++) { c += w[j]; if (r < c) return j; } return w.length - 1; };
const size = (n) => Math.max(1000, Math.round(n * SCALE));

/** 1-D mixture of t_ν(m, s²) components. */
function t1(n, w, m, s, nu) {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) { const j = pick(w); x[i] = m[j] + (s[j] * normal()) / chi(nu[j]); }
  return x;
}

/** The six data sets (the same draws every run): { name, x, options }. */
export const datasets = [];
// 1. Three components, one heavy-tailed (ν = 2) between a normal one and a moderate one.
datasets.push({ name: "t 1-D K=3 one heavy (1e5)", x: t1(size(1e5), [0.4, 0.35, 0.25], [0, 6, 12], [1, 1.5, 1], [Infinity, 2, 30]), options: { family: "t", k: 3 } });
// 2. bench/run.mjs's 1-D Student row, 10⁵ points: K = 8, centres 4j, t₅ noise.
datasets.push({ name: "t 1-D K=8 bench-like (1e5)", x: t1(size(1e5), Array(8).fill(1 / 8), Array.from({ length: 8 }, (_, j) => 4 * j), Array(8).fill(1), Array(8).fill(5)), options: { family: "t", k: 8 } });
// 3. Three overlapping t₄ components.
const overlap = t1(size(1e5), [0.3, 0.4, 0.3], [0, 2.5, 5], [1, 1, 1], [4, 4, 4]);
datasets.push({ name: "t 1-D K=3 overlapping nu=4 (1e5)", x: overlap, options: { family: "t", k: 3 } });
// 4. bench/run.mjs's mvt row, 2·10⁴ points: d = 10, K = 8, centres uniform in [−4, 4]^10, t₅ rows.
{
  const d = 10, k = 8, n = size(2e4);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => (u() - 0.5) * 8));
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) { const j = Math.floor(u() * k), c = chi(5); for (let a = 0; a < d; a++) x[i * d + a] = centres[j][a] + normal() / c; }
  datasets.push({ name: "mvt d=10 full K=8 (2e4)", x, options: { family: "mvt", dims: d, covariance: "full", k } });
}
// 5. Two correlated 2-D normal clusters and 5 % gross outliers uniform over a box 40 wide.
{
  const n = size(2e4), x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    if (u() < 0.05) { x[2 * i] = (u() - 0.5) * 40; x[2 * i + 1] = (u() - 0.5) * 40; continue; }
    const j = u() < 0.6 ? 0 : 1, z1 = normal(), z2 = normal();
    x[2 * i] = 4 * j + z1;
    x[2 * i + 1] = -3 * j + 0.6 * z1 + 0.8 * z2 * (1 + j);
  }
  datasets.push({ name: "mvt 2-D K=2 5% outliers (2e4)", x, options: { family: "mvt", dims: 2, covariance: "full", k: 2 } });
}
// 6. Data set 3 with one shared ν.
datasets.push({ name: "t 1-D K=3 overlapping dof equal", x: overlap, options: { family: "t", k: 3, dof: "equal" } });

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();

async function main() {
  const B = await import(pathToFileURL(process.env.B ?? new URL("../dist/index.js", import.meta.url).pathname).href);
  const A = process.env.A ? await import(pathToFileURL(process.env.A).href) : null;
  B.initSync(); A?.initSync();
  const run = (lib, ds, seed, accelerate) => {
    const c0 = process.cpuUsage();
    const m = lib.fitSync(ds.x, { ...ds.options, seed, accelerate });
    const c = process.cpuUsage(c0);
    return { iterations: m.iterations, passes: m.passes, ll: m.logLikelihood, converged: m.converged, cpu: (c.user + c.system) / 1000 };
  };
  const fmtFit = (r) => `${r.iterations} it / ${r.passes} passes${r.converged ? "" : " (maxIter)"} / L ${r.ll.toFixed(6)} / ${r.cpu.toFixed(0)} ms`;

  let worst = 0;
  const totals = [];
  for (const ds of datasets) {
    if (ONLY && !ds.name.includes(ONLY)) continue;
    const tot = { name: ds.name, a: 0, b: 0, cpuA: 0, cpuB: 0 };
    for (const accelerate of ["none", "squarem"]) for (const seed of SEEDS) {
      const ra = A ? run(A, ds, seed, accelerate) : null;
      const rb = run(B, ds, seed, accelerate);
      tot.b += rb.passes; tot.cpuB += rb.cpu;
      let line = `${ds.name} | ${accelerate === "none" ? "plain" : "SQUAREM"} | seed ${seed} | `;
      if (ra) {
        tot.a += ra.passes; tot.cpuA += ra.cpu;
        const rel = (rb.ll - ra.ll) / Math.abs(ra.ll);
        worst = Math.min(worst, rel);
        line += `A ${fmtFit(ra)} → B ${fmtFit(rb)} | ΔL/|L| ${rel.toExponential(2)}`;
      } else line += fmtFit(rb);
      console.log(line);
    }
    totals.push(tot);
}
  console.log("\ntotal passes per data set (seeds " + SEEDS.join(",") + ", plain + SQUAREM)" + (A ? ": A → B, CPU A → B" : ""));
  for (const t of totals) console.log(`  ${t.name}: ${A ? `${t.a} → ${t.b} (${(t.b / t.a).toFixed(3)}×), CPU ${(t.cpuA / 1000).toFixed(1)} → ${(t.cpuB / 1000).toFixed(1)} s` : `${t.b}, CPU ${(t.cpuB / 1000).toFixed(1)} s`}`);
  if (A) console.log(`lowest (L_B − L_A)/|L_A| over all fits: ${worst.toExponential(2)}`);
}
