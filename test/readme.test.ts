// The README's API example runs as written against the built package, and its printed
// `npm start` output matches what `npm start` prints.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");

describe("README", () => {
  it("the API example runs as written", () => {
    const block = readme.split("## Use it")[1].match(/```js\n([\s\S]*?)```/)![1];
    expect(block).toContain('import { fit, loadModel } from "mixem"');
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", block], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mean/);
  });

  it("the CommonJS example runs as written (require, against the built dist/index.cjs)", () => {
    // A `javascript` fence, not `js`: test/types.test.ts compiles every `js` block as an ES module.
    const block = readme.split("**Node, CommonJS**")[1].match(/```javascript\n([\s\S]*?)```/)![1];
    expect(block).toContain('require("mixem")');
    expect(block).not.toMatch(/\bimport\b|\bawait\b/);
    const r = spawnSync(process.execPath, ["--input-type=commonjs", "-e", block], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Float64Array\(2\)/);
    expect(r.stdout).toMatch(/\[ \[ /); // the rows of responsibilities
  });

  it("the printed `npm start` output is what the CLI prints", () => {
    const shown = readme.split("`npm start` prints:")[1].match(/```\n([\s\S]*?)```/)![1];
    const r = spawnSync(process.execPath, ["dist/cli.js", "fit", "examples/faithful.csv", "--column", "waiting", "-k", "2"], { cwd: root, encoding: "utf8" });
    expect(r.stdout).toBe(shown);
  });

  it("the test command in the README is the one .ci/run runs", () => {
    expect(readme).toContain("npm ci && npm test      # install, build, and run every test");
    const ci = readFileSync(`${root}.ci/run`, "utf8");
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
