// npm run bench — EM iterations, WASM (mixem) against a plain-JavaScript loop, side by side in
// one run (interleaved repetitions), on generated data from the same initial parameters.
// Prints a table and writes bench/RESULTS.md. Not a test: timings depend on the machine.
import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fit, fitSync, initSync } from "../dist/index.js";
import { binomialEM, categoricalEM, gammaEM, gaussianDiagEM, gaussianEM, gaussianFullEM, poissonEM, useAlgorithm } from "./js-baseline.mjs";

const ITER = Number(process.env.BENCH_ITER ?? 15); // iterations timed per repetition
// BENCH_BASELINE=path/to/another/dist/index.js: that build's fitSync is timed beside this one's, in
// the same repetitions (before/after a change, measured side by side on the same data).
const baseline = process.env.BENCH_BASELINE ? await import(pathToFileURL(resolve(process.env.BENCH_BASELINE)).href) : null;
/** The build the workloads' `wasm` closures fit with (this one, or the baseline while it is timed). */
let engine = { fitSync };
const REPS = Number(process.env.BENCH_REPS ?? 5); // interleaved repetitions

function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const u = rng(1);
const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const poisson = (l) => { let k = 0, p = Math.exp(-l), c = p; const t = u(); while (t > c) { k++; p *= l / k; c += p; } return k; };

function gaussianWorkload(n, k) {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); x[i] = 4 * j + normal(); }
  const init = { weights: Array(k).fill(1 / k), means: Array.from({ length: k }, (_, j) => 4 * j + 0.5), variances: Array(k).fill(1.5) };
  return {
    name: `1-D Gaussian, N = ${n.toExponential(0).replace("e+", "e")}, K = ${k}`, n, k,
    wasm: (on) => engine.fitSync(x, { k, init, maxIter: ITER, tol: 0, onIteration: (i) => on(i.logLikelihood) }),
    js: (on) => gaussianEM(x, init, ITER, on),
    jsConstant: 0,
    peer: { c: ["gaussian", ...init.means, ...init.variances, ...init.weights], x, d: 1, k, cov: "full", init },
  };
}
function poissonWorkload(n) {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = poisson(u() < 0.4 ? 2 : 6);
  let logFact = 0;
  for (let i = 0; i < n; i++) for (let v = 2; v <= x[i]; v++) logFact += Math.log(v);
  const init = { weights: [0.5, 0.5], lambdas: [1.5, 7] };
  return {
    name: `Poisson, N = ${n.toExponential(0).replace("e+", "e")}, K = 2`, n, k: 2,
    wasm: (on) => engine.fitSync(x, { family: "poisson", k: 2, init, maxIter: ITER, tol: 0, onIteration: (i) => on(i.logLikelihood) }),
    js: (on) => poissonEM(x, init, ITER, on),
    jsConstant: -logFact,
    peer: { c: ["poisson", ...init.lambdas, ...init.weights], x, d: 1, k: 2 },
  };
}
function gammaWorkload(n) {
  const x = new Float64Array(n);
  const draw = (a) => { let t = 0; for (let i = 0; i < a; i++) t -= Math.log(1 - u()); return t; }; // Gamma(a, 1), whole a
  for (let i = 0; i < n; i++) x[i] = u() < 0.4 ? draw(2) / 2 : draw(9);
  const init = { weights: [0.5, 0.5], shapes: [1.5, 6], rates: [1, 0.8] };
  return {
    name: `Gamma, N = ${n.toExponential(0).replace("e+", "e")}, K = 2`, n, k: 2,
    wasm: (on) => engine.fitSync(x, { family: "gamma", k: 2, init, maxIter: ITER, tol: 0, onIteration: (i) => on(i.logLikelihood) }),
    js: (on) => gammaEM(x, init, ITER, on),
    jsConstant: 0,
  };
}
function binomialWorkload(n, trials) {
  const x = new Float64Array(n);
  const ps = [0.2, 0.5, 0.8];
  for (let i = 0; i < n; i++) { const p = ps[Math.floor(u() * 3)]; let h = 0; for (let t = 0; t < trials; t++) if (u() < p) h++; x[i] = h; }
  const logC = (m) => { let s = 0; for (let v = 2; v <= trials; v++) s += Math.log(v); for (let v = 2; v <= m; v++) s -= Math.log(v); for (let v = 2; v <= trials - m; v++) s -= Math.log(v); return s; };
  let constant = 0;
  for (let i = 0; i < n; i++) constant += logC(x[i]);
  const init = { weights: [1 / 3, 1 / 3, 1 / 3], p: [0.3, 0.45, 0.7] };
  return {
    name: `Binomial (${trials} trials), N = ${n.toExponential(0).replace("e+", "e")}, K = 3`, n, k: 3,
    wasm: (on) => engine.fitSync(x, { family: "binomial", trials, k: 3, init, maxIter: ITER, tol: 0, onIteration: (i) => on(i.logLikelihood) }),
    js: (on) => binomialEM(x, trials, init, ITER, on),
    jsConstant: constant,
    peer: { c: ["binomial", trials, ...init.p, ...init.weights], x, d: 1, k: 3 },
  };
}

function mvWorkload(n, d, k, covariance) {
  const x = new Float64Array(n * d);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => (u() - 0.5) * 8));
  for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); for (let a = 0; a < d; a++) x[i * d + a] = centres[j][a] + normal(); }
  const means = centres.map((c) => c.map((v) => v + 0.3 * normal()));
  const eye = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1.5 : 0)));
  const weights = Array(k).fill(1 / k);
  const full = covariance === "full";
  const init = full ? { weights, means, covariances: Array(k).fill(eye) } : { weights, means, covariances: Array(k).fill(Array(d).fill(1.5)) };
  return {
    name: `d = ${d} ${covariance}, N = ${n.toExponential(0).replace("e+", "e")}, K = ${k}`, n, k,
    wasm: (on) => engine.fitSync(x, { family: "mvgaussian", covariance, dims: d, k, init, maxIter: ITER, tol: 0, onIteration: (i) => on(i.logLikelihood) }),
    js: (on) => (full
      ? gaussianFullEM(x, d, init, ITER, on)
      : gaussianDiagEM(x, d, { weights, means, variances: Array(k).fill(Array(d).fill(1.5)) }, ITER, on)),
    jsConstant: 0,
    peer: { x, d, k, cov: covariance, init: { weights, means: means.flat(), variances: Array(k * d).fill(1.5) } },
  };
}

function categoricalWorkload(n, d, L, k) {
  const x = new Float64Array(n * d);
  const probs = () => Array.from({ length: d }, () => { const v = Array.from({ length: L }, () => 0.2 + u()); const s = v.reduce((a, b) => a + b, 0); return v.map((q) => q / s); });
  const truth = Array.from({ length: k }, probs);
  const pick = (p) => { let t = u(), l = 0; while (l < L - 1 && t >= p[l]) { t -= p[l]; l++; } return l; };
  for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); for (let a = 0; a < d; a++) x[i * d + a] = pick(truth[j][a]); }
  const init = { weights: Array(k).fill(1 / k), p: Array.from({ length: k }, probs) };
  return {
    name: `categorical ${d} columns × ${L} levels, N = ${n.toExponential(0).replace("e+", "e")}, K = ${k}`, n, k,
    wasm: (on) => engine.fitSync(x, { family: "categorical", dims: d, levels: L, k, init, maxIter: ITER, tol: 0, onIteration: (i) => on(i.logLikelihood) }),
    js: (on) => categoricalEM(x, d, L, init, ITER, on),
    jsConstant: 0,
    peer: { x, d, k },
  };
}

/** Runs f, returns per-iteration durations (ms) from timestamps taken at each iteration's end. */
function timeIterations(f) {
  const stamps = [];
  let last = NaN;
  f((ll) => { stamps.push(performance.now()); last = ll; });
  const d = [];
  for (let i = 1; i < stamps.length; i++) d.push(stamps[i] - stamps[i - 1]);
  return { d, last };
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

initSync();
baseline?.initSync();
const only = process.env.BENCH_ONLY; // a substring of workload names, to run a subset
const workloads = [
  gaussianWorkload(1_000_000, 2), gaussianWorkload(1_000_000, 8), poissonWorkload(1_000_000), gammaWorkload(1_000_000), binomialWorkload(200_000, 10),
  mvWorkload(200_000, 10, 8, "full"), mvWorkload(50_000, 50, 16, "diag"), categoricalWorkload(200_000, 10, 4, 5),
].filter((w) => !only || w.name.includes(only));
const rows = [];
for (const w of workloads) {
  const wasm = [], js = [], jsSame = [], base = [];
  let llWasm = NaN, llJs = NaN, llJsSame = NaN, llBase = NaN;
  for (let r = 0; r < REPS; r++) {
    const a = timeIterations(w.wasm); wasm.push(...a.d); llWasm = a.last;
    if (baseline) {
      engine = baseline;
      const z = timeIterations(w.wasm); base.push(...z.d); llBase = z.last;
      engine = { fitSync };
    }
    useAlgorithm("textbook");
    const b = timeIterations(w.js); js.push(...b.d); llJs = b.last + w.jsConstant;
    useAlgorithm("mixem");
    const c = timeIterations(w.js); jsSame.push(...c.d); llJsSame = c.last + w.jsConstant;
  }
  const agree = Math.max(Math.abs(llWasm - llJs), Math.abs(llWasm - llJsSame)) / Math.abs(llJs);
  if (!(agree < 1e-9)) throw new Error(`${w.name}: WASM and JS disagree on the log-likelihood (${llWasm} vs ${llJs} / ${llJsSame})`);
  const ns = (ms) => (ms * 1e6) / (w.n * w.k);
  const row = { name: w.name, msW: median(wasm), msJ: median(js), msS: median(jsSame), agree, msB: baseline ? median(base) : NaN, sameBits: llBase === llWasm };
  Object.assign(row, { nsW: ns(row.msW), nsJ: ns(row.msJ), nsS: ns(row.msS), ratio: row.msJ / row.msW, ratioSame: row.msS / row.msW });
  rows.push(row);
  if (baseline) console.log(`${row.name}: this build ${row.msW.toFixed(2)} ms/iter, baseline ${row.msB.toFixed(2)} ms/iter → ${(row.msW / row.msB).toFixed(3)}× (log-likelihood ${row.sameBits ? "bit-identical" : `differs: ${llWasm} vs ${llBase}`})`);
  console.log(`${row.name}: WASM ${row.msW.toFixed(2)} ms/iter (${row.nsW.toFixed(1)} ns) | plain JS ${row.msJ.toFixed(2)} ms (${row.nsJ.toFixed(1)} ns) → ${row.ratio.toFixed(2)}× | JS, same algorithm ${row.msS.toFixed(2)} ms (${row.nsS.toFixed(1)} ns) → ${row.ratioSame.toFixed(2)}×`);
}

// Student t (families t, mvt): ns per point · component · iteration against the Gaussian family
// on the same heavy-tailed data from the same start — with ν fixed (one pass per iteration: the
// kernel's cost) and estimated by ECME (its Newton search in ν adds passes; their count per
// iteration is the ratio of the two). No plain-JS row: the Gaussian rows above measure that gap.
const studentRows = [];
for (const [name, d, n, k] of [["Student t 1-D, N = 1e6, K = 8", 1, 1_000_000, 8], ["Student mvt d = 10 full, N = 2e5, K = 8", 10, 200_000, 8]]) {
  if (only && !name.includes(only)) continue;
  const chi = () => { let s = 0; for (let i = 0; i < 5; i++) s += normal() ** 2; return Math.sqrt(s / 5); };
  const centres = Array.from({ length: k }, (_, j) => Array.from({ length: d }, (_, a) => (d === 1 ? 4 * j : (u() - 0.5) * 8)));
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) { const j = Math.floor(u() * k), w = chi(); for (let a = 0; a < d; a++) x[i * d + a] = centres[j][a] + normal() / w; }
  const weights = Array(k).fill(1 / k);
  const means = centres.map((c) => (d === 1 ? c[0] + 0.5 : c.map((v) => v + 0.3 * normal())));
  const cov = d === 1 ? Array(k).fill(1.5) : Array(k).fill(Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1.5 : 0))));
  const gInit = d === 1 ? { weights, means, variances: cov } : { weights, means, covariances: cov };
  const tInit = d === 1 ? { weights, means, variances: cov, dofs: Array(k).fill(5) } : { weights, means, covariances: cov, dofs: Array(k).fill(5) };
  const common = { k, maxIter: ITER, tol: 0, ...(d > 1 ? { dims: d, covariance: "full" } : {}) };
  const run = (options) => (on) => fitSync(x, { ...common, ...options, onIteration: (i) => on(i.logLikelihood) });
  const fams = d === 1 ? ["gaussian", "t"] : ["mvgaussian", "mvt"];
  // ν = 5 (an integer: powers by squaring) and ν = 4.5 (powers from tables); neither takes a log or exp per pair.
  const tInitHalf = { ...tInit, dofs: Array(k).fill(4.5) };
  const cases = { gaussian: run({ family: fams[0], init: gInit }), fixed: run({ family: fams[1], dof: 5, init: tInit }), general: run({ family: fams[1], dof: 4.5, init: tInitHalf }), ecme: run({ family: fams[1], init: tInit }) };
  const times = { gaussian: [], fixed: [], general: [], ecme: [] };
  for (let r = 0; r < REPS; r++) for (const c of Object.keys(cases)) times[c].push(...timeIterations(cases[c]).d);
  const ns = (c) => (median(times[c]) * 1e6) / (n * k);
  const row = { name, g: ns("gaussian"), fixed: ns("fixed"), general: ns("general"), ecme: ns("ecme") };
  studentRows.push(row);
  console.log(`${name}: Gaussian ${row.g.toFixed(1)} ns | t, ν = 5 fixed ${row.fixed.toFixed(1)} ns (${(row.fixed / row.g).toFixed(2)}×) | ν = 4.5 fixed ${row.general.toFixed(1)} ns (${(row.general / row.g).toFixed(2)}×) | t, ν by ECME ${row.ecme.toFixed(1)} ns (${(row.ecme / row.g).toFixed(2)}×, ${(row.ecme / row.general).toFixed(1)} passes per iteration)`);
}

// Covariance models: mclust's 14 on d = 10, K = 8, N = 2e5, per-iteration median (the E-step
// kernels are VVV's mvn_full and VVI's mvn_diag; the constrained M-steps add O(K d³) work per
// inner iteration). Each row against VVV (orientation-bearing models) or VVI (diagonal ones).
// Sample weights: the 1-D Gaussian row (N = 10⁶, K = 8) with and without sampleWeights, same
// start, interleaved; per-iteration medians (the weighted pass also keeps each point's log-sum).
const weightRows = [];
if (!only || "weights".includes(only)) {
  const n = 1_000_000, k = 8, x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = (i % k) * 1.5 + normal();
  const w = new Float64Array(n).map((_, i) => 1 + (i % 3));
  const init = { means: Array.from({ length: k }, (_, j) => j * 1.5 + 0.3), variances: Array(k).fill(1) };
  const run = (extra) => (on) => fitSync(x, { k, init, maxIter: ITER, tol: 0, ...extra, onIteration: (i) => on(i.logLikelihood) });
  const plain = [], weighted = [];
  for (let r = 0; r < REPS; r++) { plain.push(...timeIterations(run({})).d); weighted.push(...timeIterations(run({ sampleWeights: w })).d); }
  const row = { plain: median(plain), weighted: median(weighted) };
  weightRows.push(row);
  console.log(`sample weights, 1-D N = 1e6, K = 8: ${row.plain.toFixed(2)} ms/iter plain, ${row.weighted.toFixed(2)} weighted → ${(row.weighted / row.plain).toFixed(2)}×`);
}

// Missing values: d = 10 full, K = 8, N = 2e5 with 10 % of the values missing completely at random
// (each value independently: about 65 % of the rows lose at least one), against the same data
// complete, same start, interleaved; per-iteration medians (missing: "marginalize").
const missingRows = [];
if (!only || "missing".includes(only)) {
  const n = 200_000, d = 10, k = 8, x = new Float64Array(n * d);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => (u() - 0.5) * 8));
  for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); for (let a = 0; a < d; a++) x[i * d + a] = centres[j][a] + normal(); }
  const holes = x.map((v) => (u() < 0.1 ? NaN : v));
  const init = { weights: Array(k).fill(1 / k), means: centres.map((c) => c.map((v) => v + 0.3 * normal())), covariances: Array(k).fill(Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1.5 : 0)))) };
  const run = (data, extra) => (on) => fitSync(data, { family: "mvgaussian", dims: d, k, init, maxIter: ITER, tol: 0, ...extra, onIteration: (i) => on(i.logLikelihood) });
  const complete = [], missing = [];
  for (let r = 0; r < REPS; r++) { complete.push(...timeIterations(run(x, {})).d); missing.push(...timeIterations(run(holes, { missing: "marginalize" })).d); }
  let incomplete = 0;
  const patterns = new Set();
  for (let i = 0; i < n; i++) {
    let key = "";
    for (let a = 0; a < d; a++) key += Number.isNaN(holes[i * d + a]) ? "0" : "1";
    if (key.includes("0")) { incomplete++; patterns.add(key); }
  }
  const row = { complete: median(complete), missing: median(missing), incomplete, patterns: patterns.size };
  missingRows.push(row);
  console.log(`missing values, d = 10 full, N = 2e5, K = 8, 10 % MCAR (${incomplete} incomplete rows, ${patterns.size} patterns): ${row.complete.toFixed(2)} ms/iter complete, ${row.missing.toFixed(2)} with missing values → ${(row.missing / row.complete).toFixed(2)}×`);
}

const modelRows = [];
if (!only || "models".includes(only)) {
  const n = 200_000, d = 10, k = 8, x = new Float64Array(n * d);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => (u() - 0.5) * 8));
  for (let i = 0; i < n; i++) { const j = Math.floor(u() * k); for (let a = 0; a < d; a++) x[i * d + a] = centres[j][a] + normal(); }
  const init = { weights: Array(k).fill(1 / k), means: centres.map((c) => c.map((v) => v + 0.3 * normal())), covariances: Array(k).fill(Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1.5 : 0)))) };
  const ms = {};
  for (const model of ["VVV", "VVI", "EII", "VII", "EEI", "VEI", "EVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV"]) {
    const times = [];
    for (let r = 0; r < REPS; r++) times.push(...timeIterations((on) => fitSync(x, { family: "mvgaussian", covariance: model, dims: d, k, init, maxIter: ITER, tol: 0, onIteration: (i) => on(i.logLikelihood) })).d);
    ms[model] = median(times);
    const against = ["EII", "VII", "EEI", "VEI", "EVI", "VVI"].includes(model) ? "VVI" : "VVV";
    modelRows.push({ model, ms: ms[model], against, ratio: ms[model] / ms[against] });
    console.log(`covariance ${model}, d = 10, N = 2e5, K = 8: ${ms[model].toFixed(2)} ms/iter → ${(ms[model] / ms[against]).toFixed(2)}× ${against}`);
  }
}

// Threads: the 1-D K = 8 workload, per-iteration median, 1 thread (fitSync) against all cores.
const threadRows = [];
if (!only || "threads".includes(only)) {
  const cores = os.cpus().length;
  const n = 1_000_000, k = 8, x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 4 * (i % k) + normal();
  const init = { weights: Array(k).fill(1 / k), means: Array.from({ length: k }, (_, j) => 4 * j + 0.5), variances: Array(k).fill(1.5) };
  const perIteration = async (threads) => {
    const stamps = [];
    const options = { k, init, maxIter: ITER, tol: 0, onIteration: () => { stamps.push(performance.now()); } };
    if (threads > 1) await fit(x, { ...options, threads }); else fitSync(x, options);
    return stamps.slice(1).map((t, i) => t - stamps[i]);
  };
  // The machine's own ceiling: `cores` independent single-thread fits of the same data, each in its
  // own process, started together — what the cores deliver side by side with no coordination at all
  // (on shared or virtual machines often well under cores×).
  const { spawn } = await import("node:child_process");
  const dataFile = `${os.tmpdir()}/mixem-bench-threads-${process.pid}.f64`;
  writeFileSync(dataFile, new Uint8Array(x.buffer));
  const solo = `
    import { readFileSync } from "node:fs";
    import { fitSync } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
    const bytes = readFileSync(${JSON.stringify(dataFile)});
    const x = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    const stamps = [];
    fitSync(x, { k: ${k}, init: ${JSON.stringify(init)}, maxIter: ${ITER}, tol: 0, onIteration: () => { stamps.push(performance.now()); } });
    console.log(JSON.stringify(stamps.slice(1).map((t, i) => t - stamps[i])));`;
  const concurrent = (count) => Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", solo]);
    let out = "";
    child.stdout.on("data", (b) => { out += b; });
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`solo fit exited with ${code}`))));
  })));
  const one = [], all = [], alone = [], side = [];
  try {
    for (let r = 0; r < REPS; r++) {
      one.push(...(await perIteration(1)));
      all.push(...(await perIteration(cores)));
      for (const times of await concurrent(1)) alone.push(...times);
      for (const times of await concurrent(cores)) side.push(...times);
    }
  } finally {
    rmSync(dataFile, { force: true });
  }
  const row = { cores, one: median(one), all: median(all), side: median(side) };
  row.ceiling = (cores * median(alone)) / row.side;
  threadRows.push(row);
  console.log(`threads (1-D Gaussian, N = 1e6, K = 8): 1 thread ${row.one.toFixed(2)} ms/iter, ${cores} threads ${row.all.toFixed(2)} ms/iter → ${(row.one / row.all).toFixed(2)}× | ${cores} independent 1-thread fits at once: ${row.side.toFixed(2)} ms/iter each → the machine's ceiling ${row.ceiling.toFixed(2)}×`);
}

// WebAssembly memory of a 1-D fit of N = 10⁷ (k-means++ start), in a fresh process.
const memoryRows = [];
if (!only || "memory".includes(only)) {
  const { execFileSync } = await import("node:child_process");
  const script = `
    import { fitSync, initSync, wasmMemoryBytes } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
    initSync();
    const n = 10_000_000, x = new Float64Array(n);
    let s = 7; for (let i = 0; i < n; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; x[i] = (i % 2) * 5 + (s / 4294967296 - 0.5) * 3; }
    const before = wasmMemoryBytes();
    fitSync(x, { k: 2, maxIter: 3, tol: 0 });
    console.log(JSON.stringify({ n, before, after: wasmMemoryBytes() }));`;
  const r = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
  memoryRows.push(r);
  console.log(`memory: 1-D fit of N = 1e7 (80 MB of data): WebAssembly memory ${(r.after / 1e6).toFixed(1)} MB = ${(r.after / (r.n * 8)).toFixed(3)}× the data`);
}

// Peers on the same data and start: a C kernel built here (strict and fast-math), scikit-learn,
// mclust — each only where it applies and only if installed; otherwise reported as skipped.
const peerRows = [];
if (!only || "peers".includes(only) || process.env.BENCH_PEERS) {
  const { execFileSync } = await import("node:child_process");
  const { mkdtempSync, writeFileSync: write, rmSync } = await import("node:fs");
  const dir = mkdtempSync(`${os.tmpdir()}/mixem-bench-`);
  const here = new URL(".", import.meta.url).pathname;
  const tryRun = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 }).trim(); } catch (e) { return null; } };
  const cc = tryRun("cc", ["--version"]) !== null;
  if (cc) {
    tryRun("cc", ["-O3", `${here}peers/em1d.c`, "-lm", "-o", `${dir}/em1d`]);
    tryRun("cc", ["-O3", "-ffast-math", "-march=native", `${here}peers/em1d.c`, "-lm", "-o", `${dir}/em1d_fast`]);
  }
  const sklearn = tryRun("/usr/bin/python3", ["-c", "import sklearn; print(sklearn.__version__)"]);
  const mclust = tryRun("Rscript", ["-e", "cat(as.character(packageVersion('mclust')))"]);
  for (const w of workloads) {
    const p = w.peer;
    if (!p) continue; // no peer kernel for this family (gamma)
    const row = { name: w.name, wasm: rows.find((r) => r.name === w.name), peers: {} };
    write(`${dir}/x.f64`, Buffer.from(p.x.buffer, p.x.byteOffset, p.x.byteLength));
    if (p.init) write(`${dir}/init.json`, JSON.stringify(p.init));
    const ns = (ms) => (ms * 1e6) / (w.n * w.k);
    if (p.c) for (const [label, bin] of [["C -O3", "em1d"], ["C -O3 -ffast-math -march=native", "em1d_fast"]]) {
      const out = cc ? tryRun(`${dir}/${bin}`, [p.c[0], `${dir}/x.f64`, String(w.n), String(p.k), String(ITER), ...p.c.slice(1).map(String)]) : null;
      row.peers[label] = out ? ns(Number(out.split(" ")[0])) : "skipped (no C compiler)";
    }
    if (p.cov) {
      const sk = sklearn ? tryRun("/usr/bin/python3", [`${here}peers/sklearn_bench.py`, `${dir}/x.f64`, String(w.n), String(p.d), String(p.k), p.cov, `${dir}/init.json`, "4"]) : null;
      row.peers[`scikit-learn ${sklearn ?? ""}`.trim()] = sk ? ns(Number(sk)) : "skipped (python3-sklearn not installed)";
      const mc = mclust ? tryRun("Rscript", [`${here}peers/mclust_bench.R`, `${dir}/x.f64`, String(w.n), String(p.d), String(p.k), p.cov, `${dir}/init.json`, "4"]) : null;
      row.peers[`mclust ${mclust ?? ""}`.trim()] = !mc ? "skipped (r-cran-mclust not installed)"
        : mc.startsWith("NA") ? `not comparable (em stopped after ${mc.split(" ")[1]} iterations)` : ns(Number(mc));
    }
    peerRows.push(row);
    console.log(`peers, ${w.name}: mixem ${row.wasm?.nsW.toFixed(1)} ns; ${Object.entries(row.peers).map(([k, v]) => `${k} ${typeof v === "number" ? v.toFixed(1) + " ns" : v}`).join("; ")}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

// Whole selections: selectK(data, { family: "mvgaussian" }) — mclust's default: 14 models, k = 1..9,
// init "hc", mclust's stopping rule — on the calling thread and as selectKAsync on 2 workers, against
// R's Mclust() on the same data in the same run (its 14 models), the three alternating round by
// round (R first: one Mclust() per Rscript, timed inside R), each the median of the rounds; on
// faithful and on 10⁵ generated 2-D rows (hc on a 2000-row subset in both); then the hierarchical
// start alone at n = 1000 and 5000 (its O(n²) pair costs; BENCH_HC=0 skips it). selectKAsync keeps
// its workers between calls (warm, as in a page or a server): its first call, which starts them, is
// reported on its own, then its second, and the rounds' median is of the calls after the first.
const selectRows = [], hcRows = [];
if (!only || "select".includes(only)) {
  const { execFileSync } = await import("node:child_process");
  const { readFileSync } = await import("node:fs");
  const { selectK, selectKAsync } = await import("../dist/index.js");
  const tryR = (args) => { try { return execFileSync("Rscript", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 1_800_000 }).trim().split(/\s+/); } catch { return null; } };
  const here = new URL(".", import.meta.url).pathname;
  const csv = new URL("../examples/faithful.csv", import.meta.url).pathname;
  const faithful = readFileSync(csv, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
  const bigN = 100_000, big = [];
  for (let i = 0; i < bigN; i++) { const j = Math.floor(u() * 3); big.push([3 * j + normal(), -2 * j + (1 + j / 2) * normal()]); }
  const bigCsv = `${os.tmpdir()}/mixem-select-${bigN}.csv`;
  writeFileSync(bigCsv, "x,y\n" + big.map((r) => r.join(",")).join("\n") + "\n");
  // BENCH_SELECT_BIG=0 skips the 10⁵-row set (Mclust() took 20 min on it on the shared machine).
  const sets = [{ name: "faithful (272 × 2)", rows: faithful, csv, reps: Number(process.env.BENCH_SELECT_REPS ?? 7) }, ...(process.env.BENCH_SELECT_BIG === "0" ? [] : [{ name: "10⁵ × 2 generated, 3 clusters", rows: big, csv: bigCsv, reps: Number(process.env.BENCH_SELECT_BIG_REPS ?? 1) }])];
  for (const set of sets) {
    const sync = [], async2 = [], cpu = [], rWall = [], rCpu = [];
    let sel, asel, rChoice = null;
    // The first selection in this process (the engine compiling mixem's code) alone, and the first
    // selectKAsync (starting its two workers, whose engines compile mixem's code afresh).
    let t0 = performance.now(); selectK(set.rows, { family: "mvgaussian" }); const first = performance.now() - t0;
    t0 = performance.now(); await selectKAsync(set.rows, { family: "mvgaussian", threads: 2 }); const firstAsync = performance.now() - t0;
    for (let r = 0; r < set.reps; r++) {
      const rr = tryR([`${here}peers/mclust_select_bench.R`, set.csv, "9", "all", "1"]);
      if (rr) { rWall.push(Number(rr[0])); rCpu.push(Number(rr[3])); rChoice = `${rr[1]},${rr[2]}`; }
      const c0 = process.cpuUsage();
      t0 = performance.now(); sel = selectK(set.rows, { family: "mvgaussian" }); sync.push(performance.now() - t0);
      const c = process.cpuUsage(c0); cpu.push((c.user + c.system) / 1000);
      t0 = performance.now(); asel = await selectKAsync(set.rows, { family: "mvgaussian", threads: 2 }); async2.push(performance.now() - t0);
    }
    const choice = (s) => { const b = s.scores.find((e) => e.model === s.best); return `${b.mclust},${b.k}`; };
    const models = new Set(sel.scores.map((e) => e.mclust)).size;
    const r = rWall.length ? { wall: median(rWall), cpu: median(rCpu), choice: rChoice } : null;
    const row = { name: `${set.name}, k = 1..9, ${models} models`, sync: median(sync), cpu: median(cpu), first, firstAsync, secondAsync: async2[0], async2: median(async2), choice: choice(sel), achoice: choice(asel), r, reps: set.reps, load: os.loadavg()[0] };
    selectRows.push(row);
    console.log(`select ${row.name}: mixem ${row.sync.toFixed(0)} ms, CPU ${row.cpu.toFixed(0)} ms, first run ${first.toFixed(0)} ms (${row.choice}), selectKAsync 2 workers ${row.async2.toFixed(0)} ms (first call ${firstAsync.toFixed(0)} ms, second ${row.secondAsync.toFixed(0)} ms; ${row.achoice}); Mclust ${r ? `${r.wall.toFixed(0)} ms, CPU ${r.cpu.toFixed(0)} ms (${r.choice}) → wall ${(r.wall / row.sync).toFixed(2)}× / ${(r.wall / row.async2).toFixed(2)}×, CPU ${(r.cpu / row.cpu).toFixed(2)}×` : "skipped"}; load average ${row.load.toFixed(1)}`);
  }
  rmSync(bigCsv, { force: true });
  // The start alone: a fit with init "hc" on every point (hcSubset false) and one EM iteration.
  const { fitSync: fitHc } = await import("../dist/index.js");
  for (const n of process.env.BENCH_HC === "0" ? [] : [1000, 5000]) {
    const x = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) { const j = Math.floor(u() * 3); x[2 * i] = 3 * j + normal(); x[2 * i + 1] = -2 * j + normal(); }
    const t0 = performance.now();
    fitHc(x, { family: "mvgaussian", dims: 2, k: 3, init: "hc", hcSubset: false, maxIter: 1 });
    const ms = performance.now() - t0;
    // mclust's hc() on the same rows (BENCH_HC_R=0 skips it: about 80 s at n = 5000).
    const file = `${os.tmpdir()}/mixem-hc-${n}.f64`;
    writeFileSync(file, Buffer.from(x.buffer));
    const r = process.env.BENCH_HC_R === "0" ? null : tryR(["-e", `suppressMessages(library(mclust)); x <- matrix(readBin("${file}", "double", ${2 * n}), ncol = 2, byrow = TRUE); cat(system.time(hc(x, modelName = "VVV", use = "SVD"))[["elapsed"]] * 1000)`]);
    rmSync(file, { force: true });
    hcRows.push({ n, ms, r: r ? Number(r[0]) : null });
    console.log(`hc: n = ${n}: mixem ${ms.toFixed(0)} ms; mclust hc() ${r ? `${Number(r[0]).toFixed(0)} ms` : "skipped"}`);
  }
}

// Time to a converged fit: plain EM steps against SQUAREM (accelerate: "squarem"), same data and
// start, stopped by the same rule: the mean log-likelihood changing by less than 1e-10 per point.
const convergedRows = [];
if (!only || "converged".includes(only)) {
  const v = rng(2);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - v())) * Math.cos(2 * Math.PI * v());
  const draw = (l) => { let k = 0, p = Math.exp(-l), c = p; const t = v(); while (t > c) { k++; p *= l / k; c += p; } return k; };
  const n = 1_000_000, maxIter = Number(process.env.BENCH_CONVERGE_MAXITER ?? 5000);
  const g = new Float64Array(n), c = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = 3 * Math.floor(v() * 8) + gauss();
  const rates = [2, 5, 9, 14];
  for (let i = 0; i < n; i++) c[i] = draw(rates[Math.floor(v() * 4)]);
  const cases = [
    { name: "(b) 1-D Gaussian, N = 1e6, K = 8, means 3 sd apart", x: g, options: { k: 8, init: { means: Array.from({ length: 8 }, (_, j) => 3 * j + 0.7), variances: Array(8).fill(2), weights: Array(8).fill(1 / 8) } } },
    { name: "(d) Poisson, N = 1e6, K = 4, rates 2, 5, 9, 14", x: c, options: { family: "poisson", k: 4, init: { lambdas: [1, 4, 10, 18], weights: Array(4).fill(1 / 4) } } },
  ];
  for (const w of cases) {
    const row = { name: w.name };
    for (const accelerate of ["none", "squarem"]) {
      const t = performance.now();
      const m = fitSync(w.x, { ...w.options, tol: 1e-10, maxIter, accelerate });
      row[accelerate] = { seconds: (performance.now() - t) / 1000, iterations: m.iterations, passes: m.passes, ll: m.logLikelihood, converged: m.converged };
    }
    convergedRows.push(row);
    const f = (r) => `${r.seconds.toFixed(1)} s, ${r.iterations} iterations, ${r.passes} passes${r.converged ? "" : " (not converged)"}`;
    console.log(`converged fit, ${row.name}: plain EM ${f(row.none)} | SQUAREM ${f(row.squarem)} → ${(row.none.seconds / row.squarem.seconds).toFixed(2)}× (log-likelihood ${row.none.ll} vs ${row.squarem.ll})`);
  }
}

// Whole jobs against the peers (bench/wholejob.mjs: to convergence from one exported start, and
// data to a chosen model) and, with --browser, the per-iteration rows in headless Chromium
// (bench/browser.mjs). Each also runs alone: node bench/wholejob.mjs, node bench/browser.mjs.
const extraSections = [];
if (!only || "wholejob".includes(only)) {
  const { wholeJob } = await import("./wholejob.mjs");
  const r = await wholeJob(["converge", "select"]);
  extraSections.push(`### Whole jobs against the peers (bench/wholejob.mjs)\n\n${r.md}`);
}
if (process.argv.includes("--browser")) {
  const { browserBench } = await import("./browser.mjs");
  const r = await browserBench();
  extraSections.push(`### The browser (bench/browser.mjs; load average ${r.loadBefore} → ${r.loadAfter})\n\n${r.md}`);
}

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const md = `# Benchmark results

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${os.cpus().length} cores, Node ${process.version}.
Each row: median over ${REPS} interleaved repetitions × ${ITER - 1} timed iterations, one thread, same data and
same initial parameters for both. One iteration = M-step + one fused E-step/statistics pass over all N points.
ns = nanoseconds per point · component · iteration.

| workload | WASM ms/iter | WASM ns | plain JS ms/iter | plain JS ns | **WASM speed-up vs plain JS** | JS, same algorithm, ns | WASM speed-up vs it | log-lik agreement |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.map((r) => `| ${r.name} | ${r.msW.toFixed(2)} | ${r.nsW.toFixed(1)} | ${r.msJ.toFixed(2)} | ${r.nsJ.toFixed(1)} | **${r.ratio.toFixed(2)}×** | ${r.nsS.toFixed(1)} | ${r.ratioSame.toFixed(2)}× | ${r.agree.toExponential(1)} |`).join("\n")}

"plain JS" is the textbook fused loop (an exp per component, a log per point). "JS, same
algorithm" adds two savings in JavaScript: one log per block (as mixem's kernel) and no exp for
each point's largest term (as mixem's earlier scalar kernel; the f64x2 kernel computes all K exps,
two per instruction). The gap between it and WASM is what WebAssembly and SIMD contribute.
All three reach the same log-likelihood (last column: largest relative difference), so all did
the same work.

${baseline ? `### This build against a baseline build (BENCH_BASELINE=${process.env.BENCH_BASELINE}), timed in the same repetitions

| workload | this build ms/iter | baseline ms/iter | this / baseline | final log-likelihood |
| --- | ---: | ---: | ---: | --- |
${rows.map((r) => `| ${r.name} | ${r.msW.toFixed(2)} | ${r.msB.toFixed(2)} | ${(r.msW / r.msB).toFixed(3)}× | ${r.sameBits ? "bit-identical" : "differs"} |`).join("\n")}

` : ""}${peerRows.length ? `### Against other implementations (same data, same start, ns per point · component · iteration, one thread)

| workload | mixem (WASM) | ${[...new Set(peerRows.flatMap((r) => Object.keys(r.peers)))].join(" | ")} |
| --- | ---: | ${[...new Set(peerRows.flatMap((r) => Object.keys(r.peers)))].map(() => "---:").join(" | ")} |
${peerRows.map((r) => `| ${r.name} | ${r.wasm?.nsW.toFixed(1)} | ${[...new Set(peerRows.flatMap((q) => Object.keys(q.peers)))].map((k) => { const v = r.peers[k]; return v === undefined ? "—" : typeof v === "number" ? `${v.toFixed(1)} (${(v / r.wasm.nsW).toFixed(2)}×)` : v; }).join(" | ")} |`).join("\n")}

C: the textbook fused loop in bench/peers/em1d.c built here with cc; scikit-learn: GaussianMixture (bench/peers/sklearn_bench.py), mclust: em() (bench/peers/mclust_bench.R), both timed as (t(a + m iterations) − t(a)) / m so set-up is excluded. In parentheses: how many times longer than mixem. "—": the peer has no such model.
` : ""}
${studentRows.length ? `### Student t (ns per point · component · iteration, median; ECME's passes per iteration = its time / the ν = 4.5 pass's)

| workload | Gaussian | t, ν = 5 fixed (powers by squaring) | t, ν = 4.5 fixed (powers from tables) | t, ν by ECME | passes per iteration |
| --- | ---: | ---: | ---: | ---: | ---: |
${studentRows.map((r) => `| ${r.name} | ${r.g.toFixed(1)} | ${r.fixed.toFixed(1)} (${(r.fixed / r.g).toFixed(2)}×) | ${r.general.toFixed(1)} (${(r.general / r.g).toFixed(2)}×) | ${r.ecme.toFixed(1)} (${(r.ecme / r.g).toFixed(2)}×) | ${(r.ecme / r.general).toFixed(1)} |`).join("\n")}

` : ""}${threadRows.map((r) => `**Threads** (1-D Gaussian, N = 10⁶, K = 8, per-iteration median): 1 thread ${r.one.toFixed(2)} ms, ${r.cores} threads ${r.all.toFixed(2)} ms — ${(r.one / r.all).toFixed(2)}× on ${r.cores} cores (one WASM instance per worker over its shard; statistics merged on the calling thread). The machine's ceiling, for comparison: ${r.cores} independent single-thread fits run at once in separate processes took ${r.side.toFixed(2)} ms per iteration each, ${r.ceiling.toFixed(2)}× the throughput of one such process alone.`).join("\n")}

${convergedRows.length ? `### Time to a converged fit (one thread, same data and start, stopped when the mean log-likelihood changes by less than 1e-10 per point)

| workload | plain EM | SQUAREM | passes plain / SQUAREM | time plain / SQUAREM | log-likelihood plain, SQUAREM |
| --- | --- | --- | ---: | ---: | --- |
${convergedRows.map((r) => { const f = (x) => `${x.seconds.toFixed(1)} s, ${x.iterations} it., ${x.passes} passes${x.converged ? "" : " (maxIter)"}`; return `| ${r.name} | ${f(r.none)} | ${f(r.squarem)} | ${(r.none.passes / r.squarem.passes).toFixed(2)}× | ${(r.none.seconds / r.squarem.seconds).toFixed(2)}× | ${r.none.ll.toFixed(4)}, ${r.squarem.ll.toFixed(4)} |`; }).join("\n")}

` : ""}${memoryRows.map((r) => `**Memory**: a 1-D fit of N = 10⁷ (${(r.n * 8 / 1e6).toFixed(0)} MB of data, k-means++ start, K = 2) took ${(r.after / 1e6).toFixed(1)} MB of WebAssembly memory — ${(r.after / (r.n * 8)).toFixed(3)}× the data (no N × K matrix; the seeding pass labels 65,536 points at a time).`).join("\n")}

${selectRows.map((r) => `**Whole selection** (${r.name}; selectK's default for mvgaussian: init "hc", mclust's stopping rule): mixem ${r.sync.toFixed(0)} ms on the calling thread (CPU ${r.cpu.toFixed(0)} ms; the process's first selection ${r.first.toFixed(0)} ms), chose ${r.choice}; selectKAsync on 2 pooled workers (kept between calls while their WebAssembly memory stays within 32 MiB, else started anew) ${r.async2.toFixed(0)} ms (its first call, starting the workers, ${r.firstAsync.toFixed(0)} ms; its second ${r.secondAsync.toFixed(0)} ms), chose ${r.achoice}; R's Mclust() ${r.r ? `${r.r.wall.toFixed(0)} ms (CPU ${r.r.cpu.toFixed(0)} ms), chose ${r.r.choice} — wall ${(r.r.wall / r.sync).toFixed(2)}× (one thread), ${(r.r.wall / r.async2).toFixed(2)}× (2 workers), CPU ${(r.r.cpu / r.cpu).toFixed(2)}×` : "skipped (r-cran-mclust not installed)"}. R, selectK and selectKAsync alternating, median of ${r.reps} round${r.reps > 1 ? "s" : ""}; load average ${r.load.toFixed(1)} at the end.`).join("\n")}

${hcRows.length ? `**Hierarchical start** (init "hc", mclust's VVV agglomeration on SVD-transformed rows, d = 2): ${hcRows.map((r) => `n = ${r.n}: ${r.ms.toFixed(0)} ms (mclust's hc(): ${r.r === null ? "skipped" : `${r.r.toFixed(0)} ms`})`).join("; ")} (pair costs n(n − 1)/2 doubles: ${hcRows.map((r) => `${(r.n * (r.n - 1) * 4 / 1e6).toFixed(0)} MB`).join(", ")}).` : ""}

${weightRows.map((r) => "**Sample weights** (1-D Gaussian, N = 10⁶, K = 8, per-iteration median): " + r.plain.toFixed(2) + " ms without, " + r.weighted.toFixed(2) + " ms with `sampleWeights`: " + (r.weighted / r.plain).toFixed(2) + "×.").join("\n")}

${missingRows.map((r) => "**Missing values** (mvgaussian d = 10 full, K = 8, N = 2·10⁵, 10 % of the values missing completely at random: " + r.incomplete + " incomplete rows in " + r.patterns + " patterns; per-iteration median): " + r.complete.toFixed(2) + " ms on the complete data, " + r.missing.toFixed(2) + " ms with `missing: \"marginalize\"`: " + (r.missing / r.complete).toFixed(2) + "×.").join("\n")}

${modelRows.length ? `### Covariance models (d = 10, K = 8, N = 2·10⁵, per-iteration median, one thread)

| model | ms/iter | against | ratio |
| --- | ---: | --- | ---: |
${modelRows.map((r) => `| ${r.model} | ${r.ms.toFixed(2)} | ${r.against} | ${r.ratio.toFixed(2)}× |`).join("\n")}
` : ""}
${extraSections.join("\n")}
The machine is shared and noisy; ratios from one run are comparable, absolute times less so.
`;
// A partial run (BENCH_ONLY) must not replace the full record: it goes to RESULTS.partial.md.
const out = only ? "RESULTS.partial.md" : "RESULTS.md";
writeFileSync(new URL(`./${out}`, import.meta.url), md);
console.log(`\nwritten to bench/${out}`);
