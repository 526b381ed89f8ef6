// node bench/mvn-full-ab.mjs <git revision> — the full-covariance kernel (assembly/kernels/mvn_full.ts)
// of the working tree against the one of an earlier revision, compiled into one WebAssembly module
// and called directly (no fit around them) on the same data and parameters, passes interleaved.
// Prints whether the two give the same bits (log-likelihood and every statistic) and ns per
// point · component per pass (fastest and median). A shared machine's noise shows in the median;
// the fastest pass is the steadier figure. Env: N (16384), D (10), K (8), ROUNDS (40), REPS (5),
// FLAGS (2: with statistics; 0: density and normalisation only).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const rev = process.argv[2];
if (!rev) throw new Error("usage: node bench/mvn-full-ab.mjs <git revision>");
const root = fileURLToPath(new URL("..", import.meta.url));
const N = Number(process.env.N ?? 16384), D = Number(process.env.D ?? 10), K = Number(process.env.K ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 40), REPS = Number(process.env.REPS ?? 5), FLAGS = Number(process.env.FLAGS ?? 2);

const dir = mkdtempSync(join(tmpdir(), "mvn-full-ab-"));
let wasm;
try {
  for (const f of ["pass.ts", "simd.ts", "scatter.ts", "index.ts", "tsconfig.json"]) copyFileSync(`${root}assembly/${f}`, join(dir, f));
  const kernel = (source, name) => source.replace(/"\.\.\/(pass|scatter)"/g, '"./$1"').replace(/export function mvnFullPass\b/, `export function ${name}`);
  writeFileSync(join(dir, "base.ts"), kernel(execFileSync("git", ["show", `${rev}:assembly/kernels/mvn_full.ts`], { cwd: root, encoding: "utf8" }), "passBase"));
  writeFileSync(join(dir, "current.ts"), kernel(readFileSync(`${root}assembly/kernels/mvn_full.ts`, "utf8"), "passCurrent"));
  // asconfig.json's release target, as flags.
  execFileSync(`${root}node_modules/.bin/asc`, ["index.ts", "base.ts", "current.ts", "-O3", "--converge", "--noAssert", "--runtime", "minimal", "--enable", "simd", "-o", "ab.wasm"], { cwd: dir, stdio: "inherit" });
  wasm = readFileSync(join(dir, "ab.wasm"));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const e = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env: { abort() { throw new Error("abort"); } } }).exports;
const names = ["passBase", "passCurrent"];
function rng(seed) { let a = seed >>> 0; return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const u = rng(1), normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const BLOCK = e.BLOCK.value, per = 1 + D + D * D;
const alloc = (bytes) => (e.alloc(bytes + 16) + 15) & ~15; // 16-byte aligned, as the library's scratch
const xp = alloc(N * D * 8), pp = alloc(K * per * 8), sp = alloc(K * per * 8), scratch = alloc(BLOCK * (K + D + 4 + 2 * D) * 8);
const f = new Float64Array(e.memory.buffer);
// Data around K centres; component j: a random SPD Σ_j = A Aᵀ + 1.2 I, P_j = L_j⁻¹, c_j = log(1/K) − ½ log|Σ_j| − (d/2) log 2π.
const centres = Array.from({ length: K }, () => Array.from({ length: D }, () => (u() - 0.5) * 8));
for (let i = 0; i < N; i++) { const j = Math.floor(u() * K); for (let a = 0; a < D; a++) f[xp / 8 + i * D + a] = centres[j][a] + normal(); }
for (let j = 0; j < K; j++) {
  const A = Array.from({ length: D * D }, () => normal() * 0.3), S = new Float64Array(D * D), L = new Float64Array(D * D), P = new Float64Array(D * D);
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) { let s = a === b ? 1.2 : 0; for (let c = 0; c < D; c++) s += A[a * D + c] * A[b * D + c]; S[a * D + b] = s; }
  for (let a = 0; a < D; a++) for (let b = 0; b <= a; b++) { let s = S[a * D + b]; for (let c = 0; c < b; c++) s -= L[a * D + c] * L[b * D + c]; L[a * D + b] = a === b ? Math.sqrt(s) : s / L[b * D + b]; }
  for (let col = 0; col < D; col++) for (let a = col; a < D; a++) { let s = a === col ? 1 : 0; for (let c = col; c < a; c++) s -= L[a * D + c] * P[c * D + col]; P[a * D + col] = s / L[a * D + a]; }
  let logdet = 0;
  for (let a = 0; a < D; a++) logdet += 2 * Math.log(L[a * D + a]);
  const base = pp / 8 + j * per;
  f[base] = Math.log(1 / K) - 0.5 * logdet - (D / 2) * Math.log(2 * Math.PI);
  for (let a = 0; a < D; a++) f[base + 1 + a] = centres[j][a] + 0.3 * normal();
  f.set(P, base + 1 + D);
}
const run = (name) => e[name](xp, 0, N, D, pp, K, sp, scratch, 0, 0, FLAGS);
const out = names.map((name) => ({ name, ll: run(name), stats: f.slice(sp / 8, sp / 8 + K * per), times: [] }));
const same = Object.is(out[0].ll, out[1].ll) && out[0].stats.every((v, i) => Object.is(v, out[1].stats[i]));
console.log(`d = ${D}, K = ${K}, N = ${N}, ${FLAGS & 2 ? "with statistics" : "density and normalisation only"}: ${same ? "same bits" : `DIFFERENT (log-likelihood ${out[0].ll} vs ${out[1].ll})`}`);
for (let r = 0; r < ROUNDS; r++) {
  for (const o of r % 2 ? [...out].reverse() : out) for (let q = 0; q < REPS; q++) { const t = performance.now(); run(o.name); o.times.push(performance.now() - t); }
}
const ns = (ms) => (ms * 1e6) / (N * K);
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
for (const o of out) console.log(`${o.name === "passBase" ? `${rev} ` : "working tree"}: fastest ${ns(Math.min(...o.times)).toFixed(2)} ns, median ${ns(median(o.times)).toFixed(2)} ns per point · component`);
console.log(`working tree / ${rev}: fastest ${(Math.min(...out[1].times) / Math.min(...out[0].times)).toFixed(3)}×, median ${(median(out[1].times) / median(out[0].times)).toFixed(3)}×`);
