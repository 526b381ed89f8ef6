// The package as a TypeScript consumer meets it: `npm pack`, the tarball unpacked into a fresh
// project's node_modules, and `tsc --noEmit` (strict, the package's own .d.ts checked too) under
// both module resolutions people use — nodenext and bundler — over every README code block and over
// the misuses that must not compile (`@ts-expect-error`). The README's Node examples (ESM and
// CommonJS) also run there.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mixem-consumer-"));
const readme = readFileSync(`${root}README.md`, "utf8");
const blocks = [...readme.matchAll(/```(js|ts|html)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));

/** What the README's fragments assume exists around them (a page's elements, the user's data). */
const PREAMBLE = `declare const cancelButton: HTMLButtonElement;
declare const data: number[][];
declare const chart: { add(iteration: number, logLikelihood: number): void };
`;

const MISUSES = `import { fit, fitSync, fitInWorker, loadModel, selectK, type MixtureModel, type FitOptions } from "mixem";
const x = [1, 2, 3, 8, 9, 10];
const g = fitSync(x, { k: 2 });
const mean: number = g.components[0].mean;
const p = fitSync(x, { family: "poisson", k: 2 });
const lambda: number = p.components[0].lambda;
// @ts-expect-error a Poisson component has no mean
p.components[0].mean;
// @ts-expect-error covariance is not an option of poisson
fitSync(x, { family: "poisson", k: 2, covariance: "full" });
// @ts-expect-error binomial needs trials
fitSync(x, { family: "binomial", k: 2 });
// @ts-expect-error an init of another family
fitSync(x, { family: "poisson", k: 2, init: { means: [1, 2], variances: [1, 1] } });
// @ts-expect-error not a family
fitSync(x, { family: "cauchy", k: 2 });
const mv: MixtureModel<"mvgaussian"> = fitSync([[1, 2], [3, 4]], { family: "mvgaussian", k: 1 });
const covariance: number[][] = loadModel(mv.toJSON()).components[0].covariance;
const coins = await fit(x, { family: "binomial", trials: 10, k: 2, init: { p: [0.3, 0.6] } });
const prob: number = coins.components[1].p;
const best = selectK(x, { family: "poisson", kRange: [1, 3] }).best;
const rate: number = best.components[0].lambda;
const w = await fitInWorker(x, { k: 2, onProgress: (info) => info.logLikelihood });
const wm: number = w.components[0].variance;
fitSync(x, { k: 2, init: { means: [1, 9], variances: [1, 1] }, freeze: { means: [0], variances: true }, labels: [0, -1, -1, -1, -1, 1] });
fitSync(x, { family: "poisson", k: 2, init: { lambdas: [1, 9] }, freeze: { lambdas: [1], weights: true } });
// @ts-expect-error poisson has no means to freeze
fitSync(x, { family: "poisson", k: 2, init: { lambdas: [1, 9] }, freeze: { means: true } });
fitSync(x, { family: "gamma", k: 2, init: { shapes: [1, 2], rates: [1, 1] }, freeze: { shapes: [0], rates: true } });
fitSync([[1, 2], [3, 4]], { family: "independent", columns: [{ family: "gaussian" }, { family: "poisson" }], k: 1, init: { columns: [{ means: [1], variances: [1] }, { lambdas: [3] }] }, freeze: { columns: [{ means: true }, null] } });
// @ts-expect-error freeze.columns is for family "independent"
fitSync(x, { k: 2, init: { means: [1, 9], variances: [1, 1] }, freeze: { columns: [{ means: true }] } });
// @ts-expect-error gamma has no means to freeze (its keys: shapes, rates)
fitSync(x, { family: "gamma", k: 2, init: { shapes: [1, 2], rates: [1, 1] }, freeze: { means: true } });
const chosen: FitOptions = Math.random() < 0.5 ? { k: 2 } : { family: "poisson", k: 3 };
const any: MixtureModel = fitSync(x, chosen);
export { mean, lambda, covariance, prob, rate, wm, any };
`;

/** A family's own entry point: the family left out is that family; another family does not compile. */
const ENTRY_POINTS = `import { fit, fitSync, loadModel, selectK, type MixtureModel } from "mixem/poisson";
import * as mv from "mixem/mvgaussian";
const x = [1, 2, 3, 8, 9, 10];
const p = await fit(x, { k: 2 });
const lambda: number = p.components[0].lambda;
// @ts-expect-error a Poisson component has no mean
p.components[0].mean;
// @ts-expect-error mixem/poisson fits poisson only
fitSync(x, { family: "gaussian", k: 2 });
// @ts-expect-error covariance is not an option of poisson
fitSync(x, { k: 2, covariance: "full" });
const again: MixtureModel<"poisson"> = loadModel(p.toJSON());
const rate: number = selectK(x, { kRange: [1, 3] }).best.components[0].lambda;
const m = mv.fitSync([[1, 2], [3, 4], [5, 7]], { k: 1, covariance: "VVI" });
const cov: number[][] = m.components[0].covariance;
export { lambda, again, rate, cov };
`;

function tsc(project: string) {
  return spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", project], { cwd: dir, encoding: "utf8" });
}

beforeAll(() => {
  // The tarball, unpacked where npm would put it.
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: root, encoding: "utf8" }).trim().split("\n").pop()!;
  const target = join(dir, "node_modules", "mixem");
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", join(dir, packed), "-C", target, "--strip-components=1"]);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  mkdirSync(join(dir, "src"));
  blocks.forEach((b, i) => {
    if (b.lang === "html") {
      const script = b.code.match(/<script type="module">([\s\S]*?)<\/script>/)?.[1] ?? "";
      writeFileSync(join(dir, "src", `readme-${i}.ts`), script.replace(/"\/node_modules\/mixem\/dist\/index\.js"/, '"mixem"') + "\nexport {};\n");
    } else {
      const assumes = /cancelButton|chart\.add/.test(b.code); // a fragment that uses the page's elements and the user's data
      writeFileSync(join(dir, "src", `readme-${i}.ts`), (assumes ? PREAMBLE : "") + b.code + "\nexport {};\n");
    }
  });
  writeFileSync(join(dir, "src", "misuses.ts"), MISUSES);
  writeFileSync(join(dir, "src", "entry-points.ts"), ENTRY_POINTS);
  const base = { strict: true, noEmit: true, target: "ES2022", lib: ["ES2022", "DOM"], types: [], skipLibCheck: false };
  writeFileSync(join(dir, "tsconfig.nodenext.json"), JSON.stringify({ compilerOptions: { ...base, module: "NodeNext", moduleResolution: "NodeNext" }, include: ["src"] }));
  writeFileSync(join(dir, "tsconfig.bundler.json"), JSON.stringify({ compilerOptions: { ...base, module: "ESNext", moduleResolution: "Bundler" }, include: ["src"] }));
}, 120_000);

describe("a strict TypeScript consumer of the packed package", () => {
  it("the README has code blocks to check", () => {
    expect(blocks.filter((b) => b.lang === "js").length).toBeGreaterThanOrEqual(2);
  });
  for (const resolution of ["nodenext", "bundler"]) {
    it(`compiles every README block and rejects every misuse (${resolution} resolution)`, () => {
      const r = tsc(`tsconfig.${resolution}.json`);
      expect(r.stdout + r.stderr).toBe("");
      expect(r.status).toBe(0);
    }, 120_000);
  }
  it("the declarations do not carry the WebAssembly or the worker source as literal types", () => {
    const dts = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? dts(join(d, f)) : f.endsWith(".d.ts") ? [join(d, f)] : []));
    for (const f of dts(join(dir, "node_modules", "mixem", "dist"))) {
      const text = readFileSync(f, "utf8");
      expect(text.match(/"[^"\n]{1000,}"/), f).toBeNull();
    }
    const generated = readFileSync(join(dir, "node_modules", "mixem", "dist", "generated", "wasm-binary.d.ts"), "utf8");
    expect(generated).toMatch(/wasmBase64: string/);
  });
  it("the README's CommonJS example runs in the consumer project", () => {
    const cjs = readme.match(/```javascript\n([\s\S]*?)```/)?.[1];
    expect(cjs).toContain('require("mixem")');
    const r = spawnSync(process.execPath, ["--input-type=commonjs", "-e", cjs!], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
  it("a family's entry point runs in the consumer project (mixem/poisson: the family left out is poisson)", () => {
    const code = 'import { fit } from "mixem/poisson"; const m = await fit([1, 2, 2, 3, 9, 10, 11, 9], { k: 2, seed: 1 }); if (m.family !== "poisson" || !(Math.max(...m.components.map((c) => c.lambda)) > 5)) throw new Error(JSON.stringify(m));';
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
  it("the README's Node example runs in the consumer project", () => {
    const block = blocks.find((b) => b.lang === "js" && b.code.includes('from "mixem"') && b.code.includes("loadModel"))!;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", block.code], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
