// Categorical fits of a column with many levels (and one of 4): wall time of fitSync, k = 3,
// uniform codes from a seeded generator. Run after npm run build:
//   node bench/categorical-levels.mjs N LEVELS MAXITER   [A=/path/to/other/dist/index.js for another build]
const lib = await import(process.env.A ?? new URL("../dist/index.js", import.meta.url).href);
const n = Number(process.argv[2] ?? 1e6), L = Number(process.argv[3] ?? 300), maxIter = Number(process.argv[4] ?? 20);
let s = 3;
const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
const rows = Array.from({ length: n }, () => [Math.floor(r() * L), Math.floor(r() * 4)]);
const t = performance.now();
try {
  const m = lib.fitSync(rows, { family: "categorical", k: 3, seed: 1, maxIter });
  console.log(`n ${n}, levels ${L}: ${m.iterations} iterations, ${((performance.now() - t) / 1000).toFixed(2)} s`);
} catch (e) {
  console.log(`n ${n}, levels ${L}: ${e.name}: ${e.message.slice(0, 150)} after ${((performance.now() - t) / 1000).toFixed(2)} s`);
}
