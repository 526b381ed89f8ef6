// The built CLI run as a child process with its peak RSS measured (a hook loaded before it writes
// its peak, in KiB, at exit): for the tests that bound the CLI's memory.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";

/** A runner of `node dist/cli.js ARGS` in `root` that expects exit 0 and returns its peak RSS (KiB) and stdout; `dir` holds the hook. */
export function cliWithPeakRss(dir: string, root: string): (args: string[]) => { kib: number; stdout: string } {
  const hook = join(dir, "rss.mjs"), out = join(dir, "rss.txt");
  // VmHWM (Linux): this process's own peak. maxRSS is not: it starts from the spawning process's
  // RSS (kept across fork and exec), so a test worker holding big arrays would set every reading.
  writeFileSync(hook, `import { readFileSync, writeFileSync } from "node:fs";
const own = () => { try { return Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]); } catch { return process.resourceUsage().maxRSS; } };
process.on("exit", () => writeFileSync(${JSON.stringify(out)}, String(own())));`);
  return (args) => {
    const r = spawnSync(process.execPath, ["--import", hook, join(root, "dist/cli.js"), ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    return { kib: Number(readFileSync(out, "utf8")), stdout: r.stdout };
  };
}
