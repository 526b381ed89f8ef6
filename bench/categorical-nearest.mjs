// The categorical kernel against its nearest existing kernel, interleaved in one process: per
// point · component · iteration, 10 columns of 4 levels against 10 binary (bernoulli) columns,
// N = 2e5, K = 5, from explicit starts. Run after npm run build: node bench/categorical-nearest.mjs
import { fitSync, initSync } from "../dist/index.js";
initSync();
let a = 5; const u = () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const n = 200000, k = 5, d = 10, L = 4;
const x = new Float64Array(n * d); for (let i = 0; i < x.length; i++) x[i] = Math.floor(u() * L);
const init = { p: Array.from({ length: k }, () => Array.from({ length: d }, () => { const v = [0.2 + u(), 0.2 + u(), 0.2 + u(), 0.2 + u()]; const s = v.reduce((p, q) => p + q); return v.map((q) => q / s); })) };
const bx = new Float64Array(n * d); for (let i = 0; i < bx.length; i++) bx[i] = u() < 0.3 ? 1 : 0;
const binit = { p: Array.from({ length: k }, () => Array.from({ length: d }, () => 0.2 + 0.6 * u())) };
const per = (f) => { const st = []; f(() => st.push(performance.now())); return st.slice(1).map((t, i) => t - st[i]); };
const A = [], B = [];
for (let r = 0; r < 4; r++) {
  A.push(...per((on) => fitSync(x, { family: "categorical", dims: d, levels: L, k, init, maxIter: 10, tol: 0, onIteration: on })));
  B.push(...per((on) => fitSync(bx, { family: "bernoulli", dims: d, k, init: binit, maxIter: 10, tol: 0, onIteration: on })));
}
const med = (v) => v.sort((p, q) => p - q)[v.length >> 1];
console.log(`categorical ${(med(A) * 1e6 / n / k).toFixed(1)} ns, bernoulli d=10 ${(med(B) * 1e6 / n / k).toFixed(1)} ns per point·component·iteration → ${(med(A) / med(B)).toFixed(2)}×`);
