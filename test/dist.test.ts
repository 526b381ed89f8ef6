// The built package works in plain Node 20, without a bundler, as ESM and as CommonJS.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });

describe("dist/", () => {
  it("ESM: import from the package name and fit", () => {
    const r = node(["--input-type=module", "-e", `
      import { fit, loadModel } from "mixem";
      const m = await fit([1, 1.2, 0.8, 5, 5.2, 4.9], { k: 2 });
      const again = loadModel(JSON.parse(JSON.stringify(m)));
      console.log(JSON.stringify(again.components.map(c => +c.mean.toFixed(3)).sort()));`]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("[1,5.033]");
  });

  it("CommonJS: require the package and fit", () => {
    const r = node(["-e", `
      const { fitSync, initSync } = require("mixem");
      initSync();
      const m = fitSync([3, 2, 1, 3, 2], { family: "binomial", trials: 5, k: 1 });
      console.log(m.components[0].p);`]);
    expect(r.stderr).toBe("");
    expect(Number(r.stdout)).toBeCloseTo(11 / 25, 12);
  });

  it("ships type declarations for the public API", () => {
    const dts = readFileSync(`${root}dist/index.d.ts`, "utf8");
    for (const name of ["fit", "fitSync", "loadModel", "MixtureModel", "MixemError", "FitOptions", "init"]) expect(dts).toContain(name);
  });
});
