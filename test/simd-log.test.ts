// The kernels' vectorised log (assembly/simd.ts logv, f64x2, table-driven, for x ≥ 1) against
// Math.log: within 1 ulp on dense grids over the ranges it meets — a point's Σ_j exp(lp_j − max) in
// [1, k] under sample weights, 1 + δ²/ν in the Student-t kernels up to the largest doubles — and
// near 1, where a table log loses its relative accuracy unless r = x − 1 is exact there.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The build's WebAssembly binary itself (npm test builds first), not a copy of the function.
const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL("../build/mixem.wasm", import.meta.url))), {
  env: { abort: () => { throw new Error("abort"); } },
}).exports as { memory: WebAssembly.Memory; alloc(bytes: number): number; logInPlace(ptr: number, n: number): void };

const N = 1 << 18;
const ptr = wasm.alloc(N * 8);

function vlog(values: Float64Array): Float64Array {
  const view = new Float64Array(wasm.memory.buffer, ptr, values.length);
  view.set(values);
  wasm.logInPlace(ptr, values.length);
  return Float64Array.from(new Float64Array(wasm.memory.buffer, ptr, values.length));
}

function ulps(a: number, b: number): number {
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  return Number(bits[0] > bits[1] ? bits[0] - bits[1] : bits[1] - bits[0]);
}

/** N points spread over [lo, hi], evenly or (geometric) evenly in log. */
function grid(lo: number, hi: number, geometric = false): Float64Array {
  return Float64Array.from({ length: N }, (_, i) => {
    const t = (i + 0.5) / N;
    return geometric ? Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * t) : lo + (hi - lo) * t;
  });
}

describe("vectorised log (f64x2) against Math.log", () => {
  const ranges: [string, Float64Array][] = [
    ["[1, 1 + 1e−12]", grid(1, 1 + 1e-12)],
    ["[1, 1 + 2^−7] (r = x − 1 exactly)", grid(1, 1 + 2 ** -7)],
    ["[1 + 2^−7, 1.1] (smallest results from the table)", grid(1 + 2 ** -7, 1.1)],
    ["[1, 8] (a point's sum of exp over 8 components)", grid(1, 8)],
    ["[1, 1e6]", grid(1, 1e6, true)],
    ["[1, 1.7e308] (every exponent)", grid(1, 1.7e308, true)],
    ["just above 1 (1 + 2^−52 … 1 + 2^−20)", Float64Array.from({ length: N }, (_, i) => 1 + 2 ** (-52 + (32 * i) / N))],
    ["around √2 and the powers of two", Float64Array.from({ length: N }, (_, i) => { const p = 2 ** (i % 1000), d = ((i >> 10) - 128) * 2 ** -52; return (i & 1 ? Math.SQRT2 : 1) * p * (1 + d); }).map((v) => Math.max(1, v))],
  ];
  for (const [name, x] of ranges) {
    it(`is within 1 ulp on ${name} (${N} points)`, () => {
      const y = vlog(x);
      let worst = 0, exact = 0;
      for (let i = 0; i < N; i++) {
        const u = ulps(y[i], Math.log(x[i]));
        worst = Math.max(worst, u);
        if (u === 0) exact++;
      }
      expect(worst).toBeLessThanOrEqual(1);
      expect(exact / N).toBeGreaterThan(0.7); // 73–100 % are the same double as Math.log's (measured)
    });
  }

  it("is exact at 1, 2^k and the subintervals' edges", () => {
    const x = new Float64Array([1, 2, 4, 1024, 2 ** 1000, 1.375, 0.6875 * 2, 1 + 2 ** -7, 1 + 2 ** -52, 1.5, Math.E, 10]);
    const y = vlog(x);
    expect(y[0]).toBe(0);
    for (let i = 1; i < x.length; i++) expect(ulps(y[i], Math.log(x[i])), `x = ${x[i]}`).toBeLessThanOrEqual(1);
    expect(y[1]).toBe(Math.LN2);
    expect(y[3]).toBe(10 * Math.LN2);
  });
});
