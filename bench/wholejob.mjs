// Whole-job benchmarks: the time a user waits, from the same data and the same start, stopped by
// the same rule — the mean log-likelihood per point changing by less than 1e-10 between passes —
// for mixem (plain EM and SQUAREM), scikit-learn, mclust and the C loop of bench/peers/em1d.c;
// then the time from data to a chosen model (selectK against scikit-learn's loop over k and R's
// Mclust()). Run alone: `node bench/wholejob.mjs [converge] [select]` (after `npm run build`);
// `npm run bench` runs it too. Prints each row and a Markdown section (WHOLEJOB_OUT=file writes it).
// The start: bench-side k-means++ seeds (a seeded generator), the data's covariance for every
// component and equal weights — exported to every system as explicit parameters, so no system's
// own seeding is timed. Not a test: timings depend on the machine.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

export const TOL = 1e-10; // mean log-likelihood per point
export const RIDGE = 1e-6; // scikit-learn's default reg_covar, given to mixem as `ridge` (regCovar 0)

export function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** (b) and (d): the data and starts of run.mjs's "time to a converged fit" rows, drawn the same way. */
export function convergedData(n = 1_000_000) {
  const v = rng(2);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - v())) * Math.cos(2 * Math.PI * v());
  const draw = (l) => { let k = 0, p = Math.exp(-l), c = p; const t = v(); while (t > c) { k++; p *= l / k; c += p; } return k; };
  const g = new Float64Array(n), c = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = 3 * Math.floor(v() * 8) + gauss();
  const rates = [2, 5, 9, 14];
  for (let i = 0; i < n; i++) c[i] = draw(rates[Math.floor(v() * 4)]);
  return {
    gaussian: { x: g, start: { weights: Array(8).fill(1 / 8), means: Array.from({ length: 8 }, (_, j) => [3 * j + 0.7]), covariances: Array(8).fill([[2]]) } },
    poisson: { x: c, start: { weights: Array(4).fill(1 / 4), lambdas: [1, 4, 10, 18] } },
  };
}

/** n points in d dimensions from k unit-covariance Gaussians, centres uniform in [−spread/2, spread/2]^d. */
export function blobs(n, d, k, spread, seed) {
  const u = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => (u() - 0.5) * spread));
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); for (let a = 0; a < d; a++) x[i * d + a] = centres[j][a] + normal(); }
  return x;
}

/**
 * The exported start: k-means++ seeds (D² sampling, seeded) as means, the data's covariance for
 * every component, equal weights. Returns { weights, means: [k][d], covariances: [k][d][d] }.
 */
export function kmeansppStart(x, n, d, k, seed) {
  const u = rng(seed);
  const means = [];
  const dist = new Float64Array(n).fill(Infinity);
  let pick = Math.floor(u() * n);
  for (let j = 0; j < k; j++) {
    const c = Array.from(x.subarray(pick * d, pick * d + d));
    means.push(c);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let a = 0; a < d; a++) { const t = x[i * d + a] - c[a]; s += t * t; }
      if (s < dist[i]) dist[i] = s;
      total += dist[i];
    }
    let r = u() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) { r -= dist[i]; if (r <= 0) { pick = i; break; } }
  }
  const mean = new Float64Array(d), cov = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) mean[a] += x[i * d + a] / n;
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a][b] += ((x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b])) / n;
  const c = cov.map((row) => Array.from(row));
  return { weights: Array(k).fill(1 / k), means, covariances: Array(k).fill(c) };
}

/** The start as the flat float64 file the peer scripts read: weights, means, covariances. */
export function startBytes(start) {
  const flat = [...start.weights, ...start.means.flat(), ...start.covariances.flat(2)];
  return Buffer.from(Float64Array.from(flat).buffer);
}

export function faithful() {
  const csv = readFileSync(new URL("../examples/faithful.csv", import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
  return Float64Array.from(csv.flat());
}

const here = fileURLToPath(new URL(".", import.meta.url));
const load = () => os.loadavg().map((v) => v.toFixed(1)).join(", ");
const median = (a) => { const s = [...a].sort((p, q) => p - q); return s[Math.floor(s.length / 2)]; };
// One thread for every peer, as mixem's fitSync (no multithreaded BLAS under numpy or R).
const ONE_THREAD = { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
const run = (cmd, args, env) => { try { return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: Number(process.env.WHOLEJOB_TIMEOUT ?? 1800) * 1000, env: { ...process.env, ...ONE_THREAD, ...env } }).trim(); } catch (e) { return { error: String(e.stderr ?? e.message).trim().split("\n").slice(-2).join(" ") || "failed" }; } };

async function converge(cases) {
  const { fitSync, initSync } = await import("../dist/index.js");
  initSync();
  const dir = mkdtempSync(`${os.tmpdir()}/mixem-wholejob-`);
  const rows = [];
  const maxIter = Number(process.env.WHOLEJOB_MAXITER ?? 100000);
  try {
    for (const c of cases) {
      const row = { name: c.name, n: c.n, loadBefore: load(), systems: {} };
      const reps = c.reps ?? 1;
      for (const accelerate of ["none", "squarem"]) {
        const times = [], cpus = [];
        let m;
        for (let r = 0; r < reps; r++) {
          const t = performance.now(), u = process.cpuUsage();
          m = fitSync(c.x, { ...c.options, tol: TOL, maxIter, accelerate });
          const du = process.cpuUsage(u);
          times.push((performance.now() - t) / 1000); cpus.push((du.user + du.system) / 1e6);
        }
        row.systems[accelerate === "none" ? "mixem plain EM" : "mixem SQUAREM"] = { seconds: median(times), cpu: median(cpus), range: [Math.min(...times), Math.max(...times)], iterations: m.iterations, passes: m.passes, ll: m.logLikelihood, converged: m.converged };
        console.log(`  ${c.name}, mixem ${accelerate}: ${median(times).toFixed(3)} s (CPU ${median(cpus).toFixed(3)} s), ${m.iterations} it., ${m.passes} passes, ll ${m.logLikelihood}`);
      }
      const llRef = row.systems["mixem plain EM"].ll;
      if (c.peers) {
        writeFileSync(`${dir}/x.f64`, Buffer.from(c.x.buffer, c.x.byteOffset, c.x.byteLength));
        writeFileSync(`${dir}/start.f64`, startBytes(c.start));
        const sk = run("/usr/bin/python3", [`${here}peers/sklearn_converge.py`, `${dir}/x.f64`, String(c.n), String(c.d), String(c.k), `${dir}/start.f64`, String(TOL), String(RIDGE), String(reps)]);
        row.systems["scikit-learn"] = typeof sk === "string" ? (() => { const j = JSON.parse(sk); return { seconds: j.seconds, cpu: j.cpu, iterations: j.iterations, passes: j.iterations + 1, ll: j.logLikelihood, converged: j.converged }; })() : sk;
        console.log(`  ${c.name}, scikit-learn: ${JSON.stringify(row.systems["scikit-learn"])}`);
        // mclust's relative rule |Δl| / (1 + |l|) < tolR equals |Δl| / n < 1e-10 at l = mixem's final l.
        const tolR = (TOL * c.n) / (1 + Math.abs(llRef));
        row.mclustTol = tolR;
        const mc = run("Rscript", [`${here}peers/mclust_converge.R`, `${dir}/x.f64`, String(c.n), String(c.d), String(c.k), `${dir}/start.f64`, String(tolR), String(reps)]);
        row.systems["mclust em()"] = typeof mc === "string" ? (() => { const [s, it, ll, cpu] = mc.split(/\s+/).map(Number); return { seconds: s, cpu, iterations: it, passes: it + 1, ll, converged: true }; })() : mc;
        console.log(`  ${c.name}, mclust: ${JSON.stringify(row.systems["mclust em()"])}`);
      }
      if (c.cLoop) {
        const bin = `${dir}/em1d`;
        run("cc", ["-O3", `${here}peers/em1d.c`, "-lm", "-o", bin]);
        if (!row.systems.C) {
          writeFileSync(`${dir}/x.f64`, Buffer.from(c.x.buffer, c.x.byteOffset, c.x.byteLength));
          const out = run(bin, [...c.cLoop.slice(0, 1), `${dir}/x.f64`, String(c.n), String(c.k), String(maxIter), ...c.cLoop.slice(1).map(String)], { EM1D_TOL: String(TOL) });
          if (typeof out === "string") { const [, ll, it, ms, cpuMs] = out.split(/\s+/).map(Number); row.systems["C -O3 plain EM"] = { seconds: ms / 1000, cpu: cpuMs / 1000, iterations: it - 1, passes: it, ll, converged: it < maxIter }; }
          else row.systems["C -O3 plain EM"] = out;
          console.log(`  ${c.name}, C: ${JSON.stringify(row.systems["C -O3 plain EM"])}`);
        }
      }
      // Agreement: every system's final log-likelihood within 1e-6 per point of mixem plain EM's.
      for (const s of Object.values(row.systems)) if (s.ll !== undefined) s.agrees = Math.abs(s.ll - llRef) / c.n < 1e-6;
      row.loadAfter = load();
      rows.push(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function convergeCases(which = "abcd") {
  const cases = [];
  if (which.includes("a")) {
    const x = faithful(), start = kmeansppStart(x, 272, 2, 3, 11);
    cases.push({ id: "a", name: "(a) Old Faithful 2-D VVV, k = 3", x, n: 272, d: 2, k: 3, start, reps: 11, peers: true,
      options: { family: "mvgaussian", dims: 2, covariance: "full", k: 3, init: start, ridge: RIDGE, regCovar: 0 } });
  }
  if (which.includes("b") || which.includes("d")) {
    const { gaussian, poisson } = convergedData();
    if (which.includes("b")) {
      const s = gaussian.start;
      cases.push({ id: "b", name: "(b) 1-D Gaussian, N = 1e6, K = 8, means 3 sd apart", x: gaussian.x, n: 1e6, d: 1, k: 8, start: s, peers: true,
        cLoop: ["gaussian", ...s.means.flat(), ...s.covariances.flat(2), ...s.weights],
        options: { k: 8, init: { weights: s.weights, means: s.means.flat(), variances: s.covariances.flat(2) }, ridge: RIDGE, regCovar: 0 } });
    }
    if (which.includes("d"))
      cases.push({ id: "d", name: "(d) Poisson, N = 1e6, K = 4, rates 2, 5, 9, 14", x: poisson.x, n: 1e6, d: 1, k: 4, peers: false,
        options: { family: "poisson", k: 4, init: poisson.start } });
  }
  if (which.includes("c")) {
    // WHOLEJOB_SPREAD_C: the side of the cube the centres are drawn from (8: run.mjs's per-iteration row's).
    const spread = Number(process.env.WHOLEJOB_SPREAD_C ?? 4);
    const n = 200_000, x = blobs(n, 10, 8, spread, 3), start = kmeansppStart(x, n, 10, 8, 12);
    cases.push({ id: "c", name: `(c) d = 10 full, N = 2e5, K = 8, centres uniform in [−${spread / 2}, ${spread / 2}]¹⁰`, x, n, d: 10, k: 8, start, peers: true,
      options: { family: "mvgaussian", dims: 10, covariance: "full", k: 8, init: start, ridge: RIDGE, regCovar: 0 } });
  }
  return cases;
}

async function select() {
  const { selectK, initSync } = await import("../dist/index.js");
  initSync();
  const dir = mkdtempSync(`${os.tmpdir()}/mixem-wholejob-`);
  const rows = [];
  const FOUR = ["full", "tied", "diag", "spherical"]; // scikit-learn's covariance types (VVV, EEE, VVI, VII)
  try {
    const sets = [
      { name: "Old Faithful (272 × 2)", x: faithful(), n: 272, d: 2, reps: 3 },
      { name: "10⁵ × 4, 5 unit-covariance components, centres uniform in [−3, 3]⁴", x: blobs(100_000, 4, 5, 6, 5), n: 100_000, d: 4, reps: 1 },
    ];
    for (const s of sets) {
      const row = { name: s.name, loadBefore: load(), systems: {} };
      const csv = `${dir}/data.csv`;
      const lines = ["v1,v2,v3,v4".split(",").slice(0, s.d).join(",")];
      for (let i = 0; i < s.n; i++) lines.push(Array.from(s.x.subarray(i * s.d, i * s.d + s.d)).join(","));
      writeFileSync(csv, lines.join("\n") + "\n");
      const rowsOf = Array.from({ length: s.n }, (_, i) => Array.from(s.x.subarray(i * s.d, i * s.d + s.d)));
      for (const [label, covariance] of [["mixem selectK, 14 models", "all"], ["mixem selectK, 4 models (full, tied, diag, spherical)", FOUR]]) {
        const times = [], cpus = [];
        let sel;
        for (let r = 0; r < s.reps; r++) {
          const t = performance.now(), u = process.cpuUsage();
          sel = selectK(rowsOf, { family: "mvgaussian", covariance, kRange: [1, 9] });
          const du = process.cpuUsage(u);
          times.push((performance.now() - t) / 1000); cpus.push((du.user + du.system) / 1e6);
        }
        const best = sel.scores.find((e) => e.model === sel.best);
        row.systems[label] = { seconds: median(times), cpu: median(cpus), choice: `${best.mclust},${best.k}` };
        console.log(`  select ${s.name}, ${label}: ${median(times).toFixed(2)} s → ${best.mclust},${best.k}`);
      }
      const sk = run("/usr/bin/python3", [`${here}peers/sklearn_select_bench.py`, csv, "9", String(s.reps)]);
      row.systems["scikit-learn loop over k and 4 covariance types (BIC)"] = typeof sk === "string" ? (() => { const [t, cov, k, cpu] = sk.split(/\s+/); return { seconds: Number(t) / 1000, cpu: Number(cpu) / 1000, choice: `${cov},${k}` }; })() : sk;
      const mc = run("Rscript", [`${here}peers/mclust_select_bench.R`, csv, "9", "all", String(s.reps), "cpu"]);
      row.systems["R Mclust(), 14 models"] = typeof mc === "string" ? (() => { const [t, m, g, cpu] = mc.split(/\s+/); return { seconds: Number(t) / 1000, cpu: Number(cpu) / 1000, choice: `${m},${g}` }; })() : mc;
      for (const [k, v] of Object.entries(row.systems)) if (k.startsWith("scikit") || k.startsWith("R ")) console.log(`  select ${s.name}, ${k}: ${JSON.stringify(v)}`);
      row.loadAfter = load();
      rows.push(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const f3 = (v) => (v < 10 ? v.toFixed(3) : v.toFixed(1));
export function markdown(convergeRows, selectRows) {
  const out = [];
  if (convergeRows.length) {
    out.push(`#### Time to a converged fit, every system from the same start (stop: mean log-likelihood per point changes by < ${TOL})`, "",
      "| workload | system | wall time | CPU time | iterations | passes | final log-likelihood | agrees (≤ 1e-6 per point) | wall / mixem SQUAREM | CPU / mixem SQUAREM | load avg before → after |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: | --- |");
    for (const r of convergeRows) {
      const sq = r.systems["mixem SQUAREM"].seconds, sqCpu = r.systems["mixem SQUAREM"].cpu;
      for (const [name, s] of Object.entries(r.systems)) {
        if (s.error) { out.push(`| ${r.name} | ${name} | failed: ${s.error.slice(0, 120)} | | | | | | | | |`); continue; }
        out.push(`| ${r.name} | ${name} | ${f3(s.seconds)} s${s.range ? ` (${f3(s.range[0])}–${f3(s.range[1])})` : ""} | ${f3(s.cpu)} s | ${s.iterations} | ${s.passes} | ${s.ll.toFixed(4)} | ${s.agrees ? "yes" : "**no**"} | ${(s.seconds / sq).toFixed(2)}× | ${(s.cpu / sqCpu).toFixed(2)}× | ${r.loadBefore} → ${r.loadAfter} |`);
      }
    }
    out.push("", convergeRows.filter((r) => r.mclustTol).map((r) => `${r.name}: mclust tol ${r.mclustTol.toExponential(3)}`).join("; ") + ".", "");
  }
  if (selectRows.length) {
    out.push("#### Time from data to a chosen model (k = 1…9, BIC; each system with its own start and stopping rule)", "",
      "| data | system | wall time | CPU time | chosen (model, k) | load avg before → after |", "| --- | --- | ---: | ---: | --- | --- |");
    for (const r of selectRows) for (const [name, s] of Object.entries(r.systems))
      out.push(s.error ? `| ${r.name} | ${name} | failed: ${s.error.slice(0, 120)} | | | |` : `| ${r.name} | ${name} | ${f3(s.seconds)} s | ${f3(s.cpu)} s | ${s.choice} | ${r.loadBefore} → ${r.loadAfter} |`);
    out.push("");
  }
  return out.join("\n");
}

export async function wholeJob(parts) {
  const which = process.env.WHOLEJOB_CASES ?? "abcd";
  const convergeRows = parts.includes("converge") ? await converge(convergeCases(which)) : [];
  const selectRows = parts.includes("select") ? await select() : [];
  return { convergeRows, selectRows, md: markdown(convergeRows, selectRows) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const parts = args.length ? args : ["converge", "select"];
  const { md, convergeRows, selectRows } = await wholeJob(parts);
  console.log("\n" + md);
  if (process.env.WHOLEJOB_OUT) writeFileSync(process.env.WHOLEJOB_OUT, JSON.stringify({ convergeRows, selectRows, cpus: os.cpus().length, node: process.version, date: new Date().toISOString() }, null, 1) + "\n\n" + md);
}
