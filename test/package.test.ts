// What `npm pack` would publish: the built package and its documents, nothing else; and the
// package.json fields that make it work everywhere.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));

describe("the published package", () => {
  it("npm pack contains dist/, README.md, LICENSE and package.json only — no tests, no sources", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.cjs");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("dist/cli.js");
    for (const f of files) expect(f).toMatch(/^(dist\/|README\.md$|LICENSE$|package\.json$)/);
    expect(files.some((f) => /test|\.test\.|assembly\/|src\/|\.ts$(?<!\.d\.ts$)/.test(f))).toBe(false);
  });
  it("package.json: exports with types, ESM and CommonJS; no runtime dependencies; no install script", () => {
    expect(pkg.type).toBe("module");
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js", require: "./dist/index.cjs" });
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines.node).toBe(">=20.16");
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.scripts)).not.toContain("install");
    expect(Object.keys(pkg.scripts)).not.toContain("postinstall");
    expect(pkg.bin.mixem).toBe("./dist/cli.js");
  });
  it("mixem/bullmq: an ESM subpath; BullMQ an optional peer dependency that only it (and the CLI, on demand) imports", () => {
    // Types under "import": a CommonJS TypeScript project gets a compile-time error, not a run-time one.
    expect(pkg.exports["./bullmq"]).toEqual({ import: { types: "./dist/bullmq.d.ts", default: "./dist/bullmq.js" } });
    expect(pkg.exports["./*"]).toEqual({ import: { types: "./dist/entry/*.d.ts", default: "./dist/entry/*.js" } });
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(["bullmq", "ioredis"]);
    expect(pkg.peerDependenciesMeta).toEqual({ bullmq: { optional: true }, ioredis: { optional: true } });
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(["bullmq", "ioredis"]));
    const out = `${root}dist/`;
    const text = (f: string) => readFileSync(out + f, "utf8");
    const importsBullmq = (src: string) => /from\s*["']bullmq["']|import\(\s*["']bullmq["']\s*\)|require\(\s*["']bullmq["']\s*\)/.test(src);
    // The core entry and every chunk it loads at start: no BullMQ.
    const core = text("index.js");
    const chunks = [...core.matchAll(/from\s*"\.\/(chunks\/[^"]+)"/g)].map((m) => m[1]);
    for (const f of ["index.js", "index.cjs", ...chunks]) expect(importsBullmq(text(f)), f).toBe(false);
    expect(importsBullmq(text("bullmq.js"))).toBe(true);
    // The subpath shares the core's chunk: one MixtureModel class, one MixemError.
    const shared = chunks.filter((c) => /var MixtureModel = class\b/.test(text(c)) && /var MixemError = class\b/.test(text(c)));
    expect(shared).toHaveLength(1);
    expect(text("bullmq.js")).toContain(shared[0]);
    expect(text("bullmq.js")).not.toMatch(/var (MixtureModel|MixemError) = class\b/);
  });
});
