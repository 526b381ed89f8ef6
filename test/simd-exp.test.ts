// The kernels' vectorised exp (assembly/simd.ts, f64x2) against Math.exp: at most 1 ulp apart on a
// dense grid over the whole finite range, and exact at the extremes (underflow to 0, the subnormal
// results, overflow to ∞, ±0, NaN). Also: an engine without WebAssembly SIMD gets a clear error.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";

// The build's WebAssembly binary itself (npm test builds first), not a copy of the function.
const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL("../build/mixem.wasm", import.meta.url))), {
  env: { abort: () => { throw new Error("abort"); } },
}).exports as { memory: WebAssembly.Memory; alloc(bytes: number): number; expInPlace(ptr: number, n: number): void };

const N = 1 << 18;
const ptr = wasm.alloc(N * 8);

/** The vectorised exp of every value (n even). */
function vexp(values: Float64Array): Float64Array {
  const view = new Float64Array(wasm.memory.buffer, ptr, values.length);
  view.set(values);
  wasm.expInPlace(ptr, values.length);
  return Float64Array.from(new Float64Array(wasm.memory.buffer, ptr, values.length));
}

/** Distance in units in the last place (adjacent doubles are 1 apart; subnormals included). */
function ulps(a: number, b: number): number {
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  return Number(bits[0] > bits[1] ? bits[0] - bits[1] : bits[1] - bits[0]);
}

function grid(lo: number, hi: number): Float64Array {
  return Float64Array.from({ length: N }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / N);
}

describe("vectorised exp (f64x2) against Math.exp", () => {
  const ranges: [string, number, number][] = [
    ["the whole finite range", -745.2, 709.78],
    ["the responsibilities' range [−40, 0]", -40, 0],
    ["around 0, [−1, 1]", -1, 1],
    ["one reduction step, [−ln 2 / 2, ln 2 / 2]", -Math.LN2 / 2, Math.LN2 / 2],
    ["subnormal results, [−745.2, −708.4]", -745.2, -708.4],
    ["near overflow, [700, 709.78]", 700, 709.78],
  ];
  for (const [name, lo, hi] of ranges) {
    it(`is within 1 ulp on ${name} (${N} points)`, () => {
      const x = grid(lo, hi);
      const y = vexp(x);
      let worst = 0, exact = 0;
      for (let i = 0; i < N; i++) {
        const u = ulps(y[i], Math.exp(x[i]));
        worst = Math.max(worst, u);
        if (u === 0) exact++;
      }
      expect(worst).toBeLessThanOrEqual(1);
      expect(exact / N).toBeGreaterThan(0.9); // most values are the same double as Math.exp's
    });
  }

  it("is exact at the extremes and special values", () => {
    const cases: [number, number][] = [
      [0, 1], [-0, 1], [5e-324, 1], [-5e-324, 1], [1e-300, 1],
      [-Infinity, 0], [-1e300, 0], [-1080, 0], [-746, 0], [-745.14, 0],
      [-745.13, 5e-324], // the smallest subnormal
      [-708.4, Math.exp(-708.4)], [-720, Math.exp(-720)], // subnormal results
      [709.78, Math.exp(709.78)], [709.79, Infinity], [710, Infinity], [1e300, Infinity], [Infinity, Infinity],
      [1, Math.E], [-1, Math.exp(-1)],
    ];
    const y = vexp(Float64Array.from(cases.map((c) => c[0])));
    cases.forEach(([x, want], i) => expect(ulps(y[i], want), `exp(${x}) = ${y[i]}, want ${want}`).toBeLessThanOrEqual(x === 1 ? 1 : 0));
    const nan = vexp(new Float64Array([NaN, 0]));
    expect(nan[0]).toBeNaN();
  });
});

describe("an engine without WebAssembly SIMD", () => {
  afterEach(() => { vi.restoreAllMocks(); vi.resetModules(); });
  it("gets UNSUPPORTED naming what is missing, from init and initSync", async () => {
    vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    vi.resetModules();
    const fresh = await import("../src/wasm.js");
    expect(() => fresh.initSync()).toThrow(expect.objectContaining({ code: "UNSUPPORTED", message: expect.stringMatching(/lacks WebAssembly SIMD/) }));
    await expect(fresh.init()).rejects.toMatchObject({ code: "UNSUPPORTED" });
  });
});
