// plotFit with and without sampleWeights at 10⁶–10⁷ points: CPU time and peak RSS, one child
// process per (case, weighted) so each peak RSS is its own. Needs `npm run build` (reads dist/).
//   node bench/plot-weights.mjs [N=1e6] [cases=1d,counts,2d,pairs,categorical] [reps=3]
// Each child: builds the data (Float64Array; weights a Float64Array of integers 0–3), fits on a
// 20 000-point subsample, then times plotFit `reps` times (CPU time, min and median), and reports
// its maxRSS minus the RSS before the first plotFit (the picture's own memory) and the maxRSS.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);

if (process.argv[2] === "--child") {
  const [, , , kind, nText, weightedText, repsText] = process.argv;
  const { fitSync, initSync, plotFit } = await import("../dist/index.js");
  initSync();
  const N = Number(nText), weighted = weightedText === "1", reps = Number(repsText);
  let s = 12345;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const normal = () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
  const poisson = (l) => { let k = 0, p = Math.exp(-l), c = p, x = u(); while (x > c) { k++; p *= l / k; c += p; } return k; };
  const d = kind === "2d" ? 2 : kind === "pairs" ? 4 : kind === "categorical" ? 3 : 1;
  const x = new Float64Array(N * d);
  for (let i = 0; i < N; i++) {
    const j = u() < 0.4 ? 1 : 0;
    for (let a = 0; a < d; a++) {
      x[i * d + a] = kind === "counts" ? poisson(j ? 9 : 2) : kind === "categorical" ? Math.min(2, Math.floor(u() * 2) + j) : 4 * j * (a === 0 ? 1 : 0.7) + normal();
    }
  }
  const w = new Float64Array(N);
  for (let i = 0; i < N; i++) w[i] = Math.floor(u() * 4);
  const family = { "1d": "gaussian", counts: "poisson", "2d": "mvgaussian", pairs: "mvgaussian", categorical: "categorical" }[kind];
  const m = fitSync(x.subarray(0, Math.min(N, 20000) * d), { family, k: 2, seed: 1, ...(d > 1 ? { dims: d } : {}), ...(kind === "categorical" ? { levels: 3 } : {}) });
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const times = [];
  let len = 0;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const svg = plotFit(m, x, weighted ? { sampleWeights: w } : {});
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1e6);
    len = svg.length;
  }
  times.sort((a, b) => a - b);
  const maxRSS = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ kind, N, weighted, min: times[0], median: times[times.length >> 1], before, maxRSS, svgKB: len / 1024 }) + "\n");
  process.exit(0);
}

const N = Number(process.argv[2] ?? 1e6), cases = (process.argv[3] ?? "1d,counts,2d,pairs,categorical").split(","), reps = Number(process.argv[4] ?? 3);
const MB = (b) => (b / 2 ** 20).toFixed(0);
console.log(`plotFit, N = ${N}, ${reps} reps (CPU s: min / median; RSS MB: before plotFit → peak)`);
for (const kind of cases) {
  const row = [];
  for (const weighted of ["0", "1"]) {
    const r = spawnSync(process.execPath, ["--expose-gc", here, "--child", kind, String(N), weighted, String(reps)], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (r.status !== 0) { console.log(kind, weighted, "failed:", r.stderr.slice(-500)); continue; }
    const o = JSON.parse(r.stdout);
    row.push(`${weighted === "1" ? "weighted" : "unweighted"} ${o.min.toFixed(2)} / ${o.median.toFixed(2)} s, RSS ${MB(o.before)} → ${MB(o.maxRSS)} MB (+${MB(o.maxRSS - o.before)}), SVG ${o.svgKB.toFixed(0)} KB`);
  }
  console.log(`${kind.padEnd(12)} ${row.join(" | ")}`);
}
