// The house rules, checked: no run-time import cycles in src/, index.ts only re-exports, the only
// module that reaches WebAssembly memory is wasm.ts, and no module outside families/ names a family.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, dirname, resolve, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FAMILY_NAMES } from "../src/families/index.js";

const src = fileURLToPath(new URL("../src", import.meta.url));
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? (f === "generated" ? [] : files(p)) : f.endsWith(".ts") ? [p] : [];
});
const modules = files(src);
const text = new Map(modules.map((m) => [m, readFileSync(m, "utf8")]));
/** Run-time imports (not `import type`, not type-only specifier lists) of a module, as file paths. */
function runtimeImports(m: string): string[] {
  const out: string[] = [];
  for (const match of text.get(m)!.matchAll(/^(import|export)\s+(type\s+)?([^;]*?)\s+from\s+"(\.[^"]+)";/gms)) {
    if (match[2]) continue;
    const names = match[3];
    if (/^\{[^}]*\}$/s.test(names) && names.slice(1, -1).split(",").every((n) => n.trim() === "" || n.trim().startsWith("type "))) continue;
    out.push(resolve(dirname(m), match[4].replace(/\.js$/, ".ts")));
  }
  return out;
}

describe("architecture", () => {
  it("src/ has no run-time import cycles", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (m: string, stack: string[]) => {
      if (state.get(m) === "done") return;
      if (state.get(m) === "open") { cycles.push([...stack.slice(stack.indexOf(m)), m].map((p) => relative(src, p)).join(" → ")); return; }
      state.set(m, "open");
      for (const i of runtimeImports(m)) if (text.has(i)) visit(i, [...stack, m]);
      state.set(m, "done");
    };
    for (const m of modules) visit(m, []);
    expect(cycles).toEqual([]);
  });

  it("index.ts only re-exports", () => {
    const code = text.get(join(src, "index.ts"))!.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    for (const statement of code.split(";").map((s) => s.trim()).filter(Boolean)) expect(statement).toMatch(/^export (type )?(\{[^}]*\}|\*) from "\.\/[\w/-]+\.js"$/s);
  });

  it("only wasm.ts touches the WebAssembly instance, its memory and pointers", () => {
    for (const [m, code] of text) {
      if (m.endsWith("wasm.ts")) continue;
      expect(code, relative(src, m)).not.toMatch(/memory\.buffer|\.ptr\b|WebAssembly\.Instance|FLAG_|KERNEL_BLOCK/);
    }
  });

  it("no module outside families/ names a family (they ask the registry)", () => {
    for (const [m, code] of text) {
      if (m.includes(`${src}/families/`) || m.endsWith("defaults.ts")) continue;
      const stripped = code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      expect(stripped, relative(src, m)).not.toMatch(new RegExp(`"(${FAMILY_NAMES.join("|")})"`));
    }
  });
});
