// Weighted quantiles of a 65,536-value sample (plotFit's robust range with sampleWeights): sorting the
// indices with a comparator against a native sort plus bisection with scans (src/plot/data.ts).
// Interleaved in one process, CPU time, 15 rounds: node bench/plot-weighted-quantile.mjs
let s0 = 9; const u = () => ((s0 = (Math.imul(s0, 1664525) + 1013904223) >>> 0) / 4294967296);
const m = 65536, s = new Float64Array(m), sw = new Float64Array(m);
for (let q = 0; q < m; q++) { s[q] = u() < 0.4 ? u() * 3 : 5 + u() * 2; sw[q] = Math.floor(u() * 4); }
let total = 0; for (let q = 0; q < m; q++) total += sw[q];
const cut = Math.floor(0.001 * total);
function byOrder() {
  const order = new Uint32Array(m); for (let q = 0; q < m; q++) order[q] = q;
  order.sort((x, y) => s[x] - s[y]);
  const at = (p) => { let c = 0, last = NaN; for (let q = 0; q < m; q++) { const o = order[q]; if (sw[o] > 0) { c += sw[o]; last = s[o]; if (c > p) break; } } return last; };
  return [at(cut), at(total - 1 - cut)];
}
function bySearch() {
  const sorted = s.slice().sort();
  const below = (v) => { let c = 0; for (let q = 0; q < m; q++) if (s[q] <= v) c += sw[q]; return c; };
  const at = (p) => { p = Math.max(0, p); let lo = 0, hi = m - 1; if (!(below(sorted[hi]) > p)) return NaN; while (lo < hi) { const mid = (lo + hi) >> 1; if (below(sorted[mid]) > p) hi = mid; else lo = mid + 1; } return sorted[lo]; };
  return [at(cut), at(total - 1 - cut)];
}
const a = byOrder(), b = bySearch();
console.log("same:", a[0] === b[0] && a[1] === b[1], a, b);
const t = { order: [], search: [] };
for (let r = 0; r < 15; r++) for (const [name, f] of [["order", byOrder], ["search", bySearch]]) {
  const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); t[name].push((c.user + c.system) / 1000);
}
for (const k in t) { const v = t[k].sort((x, y) => x - y); console.log(k, "min", v[0].toFixed(1), "median", v[7].toFixed(1), "ms"); }
