// Independent fits of a Gaussian column and a categorical column of many levels (and a Poisson
// column): CPU time of fitSync, k = 3, seeded data. With A=/path/to/other/dist/index.js, that build
// and this one run interleaved in this one process (REPS rounds each; min and median of CPU time,
// process.cpuUsage) and their models are compared (the same JSON: the same fit, bit for bit).
// FAMILY=categorical fits the categorical family on [the L-level code, a 4-level code] instead.
// Run after npm run build:
//   node bench/independent-levels.mjs N LEVELS MAXITER REPS   [A=/path/to/other/dist/index.js] [FAMILY=categorical]
const here = await import(new URL("../dist/index.js", import.meta.url).href);
const other = process.env.A ? await import(process.env.A) : null;
const n = Number(process.argv[2] ?? 1e5), L = Number(process.argv[3] ?? 3000), maxIter = Number(process.argv[4] ?? 20), reps = Number(process.argv[5] ?? 3);
let s = 3;
const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
const rows = Array.from({ length: n }, (_, i) => [(i % 3) * 4 + r() + r() + r(), Math.floor(r() * L), Math.floor(r() * 4 + (i % 3))]);
const columns = [{ family: "gaussian" }, { family: "categorical", levels: L }, { family: "poisson" }];
const cat = process.env.FAMILY === "categorical", data = cat ? rows.map((row) => [row[1], row[2] % 4]) : rows;
const options = cat ? { family: "categorical", levels: [L, 4], k: 3, seed: 1, maxIter } : { family: "independent", columns, k: 3, seed: 1, maxIter };
const builds = other ? [["A", other], ["this", here]] : [["this", here]];
const times = new Map(builds.map(([name]) => [name, []]));
const models = new Map();
for (let rep = 0; rep < reps; rep++) {
  for (const [name, lib] of rep % 2 ? [...builds].reverse() : builds) {
    const c0 = process.cpuUsage();
    try {
      const m = lib.fitSync(data, options);
      models.set(name, JSON.stringify(m.toJSON()));
    } catch (e) {
      models.set(name, `${e.name}: ${e.message.slice(0, 150)}`);
    }
    const c = process.cpuUsage(c0);
    times.get(name).push((c.user + c.system) / 1e6);
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const [name, t] of times) console.log(`${name}: ${options.family}, n ${n}, levels ${L}, maxIter ${maxIter}: CPU s min ${Math.min(...t).toFixed(2)}, median ${median(t).toFixed(2)} (${t.map((v) => v.toFixed(2)).join(", ")})${models.get(name).startsWith("{") ? "" : ` — ${models.get(name)}`}`);
if (other) console.log(`same model JSON: ${models.get("A") === models.get("this")}`);
