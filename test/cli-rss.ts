// The built CLI run as a child process with its peak RSS measured (a hook loaded before it writes
// process.resourceUsage().maxRSS, in KiB, at exit): for the tests that bound the CLI's memory.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";

/** A runner of `node dist/cli.js ARGS` in `root` that expects exit 0 and returns its peak RSS (KiB) and stdout; `dir` holds the hook. */
export function cliWithPeakRss(dir: string, root: string): (args: string[]) => { kib: number; stdout: string } {
  const hook = join(dir, "rss.mjs"), out = join(dir, "rss.txt");
  writeFileSync(hook, `import { writeFileSync } from "node:fs"; process.on("exit", () => writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));`);
  return (args) => {
    const r = spawnSync(process.execPath, ["--import", hook, join(root, "dist/cli.js"), ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    return { kib: Number(readFileSync(out, "utf8")), stdout: r.stdout };
  };
}
