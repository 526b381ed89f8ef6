// Peak RSS and time of `mixem fit` with per-row columns (--trials-column, --weights) on CSV,
// Parquet and Arrow (docs/performance.md, "The CLI's trials and weights columns"), each build's
// runs interleaved. Files: `node bench/cli-columns-data.mjs N DIR`.
// Usage: node bench/cli-columns.mjs DIR N REPS DIST… (each DIST a built dist/ folder)
// Prints per command and build: peak RSS (MiB, /usr/bin/time's %M) min and median, wall and user
// CPU seconds (min), and the fit's log-likelihood (the same fit gives the same bits).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [dir, n, reps, ...dists] = process.argv.slice(2);
const f = join(dir, `cols-${n}`), tmp = mkdtempSync(join(tmpdir(), "mixem-cols-")), timeFile = join(tmp, "time");
const INDEPENDENT = ["--family", "independent", "--columns", "x:gaussian,heads:binomial", "--trials-column", "n", "--weights", "w"];
const commands = [
  ["a binomial trials", ["--family", "binomial", "--column", "heads", "--trials-column", "n"]],
  ["b gaussian weights", ["--column", "x", "--weights", "w"]],
  ["c independent trials+weights", INDEPENDENT],
];
const only = process.env.ONLY ? new RegExp(process.env.ONLY) : null;
for (const [name, args] of commands) for (const ext of ["parquet", "csv", "arrow"]) {
  const label = `${name} ${ext}`;
  if (only && !only.test(label)) continue;
  const runs = new Map(dists.map((d) => [d, []]));
  for (let r = 0; r < Number(reps); r++) for (const d of dists) {
    const p = spawnSync("/usr/bin/time", ["-f", "%M %e %U", "-o", timeFile, process.execPath, join(d, "cli.js"), "fit", `${f}.${ext}`, ...args, "-k", "2", "--quiet", "--threads", "1", "--json"], { encoding: "utf8", maxBuffer: 1 << 26 });
    const [kb, wall, user] = readFileSync(timeFile, "utf8").trim().split("\n").pop().split(" ").map(Number);
    let ll = "-";
    try { ll = JSON.parse(p.stdout).fit.logLikelihood; } catch { ll = `FAILED ${p.stderr.trim().slice(0, 80)}`; }
    runs.get(d).push({ kb, wall, user, ll });
  }
  for (const [d, rs] of runs) {
    const peaks = rs.map((r) => r.kb / 1024).sort((a, b) => a - b), min = (k) => Math.min(...rs.map((r) => r[k]));
    console.log(`${label.padEnd(40)} ${d.padEnd(24)} peak MiB min ${peaks[0].toFixed(0).padStart(5)} med ${peaks[(peaks.length - 1) >> 1].toFixed(0).padStart(5)}  wall ${min("wall").toFixed(2).padStart(6)} s  user ${min("user").toFixed(2).padStart(6)} s  ll ${[...new Set(rs.map((r) => r.ll))].join(" / ")}`);
  }
}
rmSync(tmp, { recursive: true });
