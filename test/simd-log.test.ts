// The kernels' vectorised log (assembly/simd.ts logv, f64x2, for x ≥ 1: 1 + δ²/ν in the Student-t
// kernels, a point's sum under sample weights): bit for bit fdlibm's e_log.c — transcribed below
// in scalar JavaScript, the split of x into 2^e·m done as fdlibm does it (m ∈ [1, 2), halved with
// e + 1 when m > √2) — and within 1 ulp of Math.log, on dense grids and at the extremes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The build's WebAssembly binary itself (npm test builds first), not a copy of the function.
const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL("../build/mixem.wasm", import.meta.url))), {
  env: { abort: () => { throw new Error("abort"); } },
}).exports as { memory: WebAssembly.Memory; alloc(bytes: number): number; logInPlace(ptr: number, n: number): void };

const N = 1 << 16;
const ptr = wasm.alloc(N * 8);

function vlog(values: Float64Array): Float64Array {
  const view = new Float64Array(wasm.memory.buffer, ptr, values.length);
  view.set(values);
  wasm.logInPlace(ptr, values.length);
  return Float64Array.from(new Float64Array(wasm.memory.buffer, ptr, values.length));
}

const LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
const LG = [6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01];
const bits = new BigUint64Array(1), num = new Float64Array(bits.buffer);

/** fdlibm's log for x ≥ 1, with the same operations in the same order as the f64x2 code had them. */
function fdlibmLog(x: number): number {
  num[0] = x;
  let e = Number(bits[0] >> 52n) - 1023;
  bits[0] = (bits[0] & 0x000fffffffffffffn) | 0x3ff0000000000000n;
  let m = num[0];
  if (m > Math.SQRT2) { m *= 0.5; e += 1; }
  const f = m - 1, s = f / (2 + f), z = s * s, w = z * z;
  const t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
  const t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
  const R = t2 + t1, hfsq = 0.5 * (f * f);
  const lo = s * (hfsq + R) + e * LN2_LO;
  return e * LN2_HI - ((hfsq - lo) - f);
}

function ulps(a: number, b: number): number {
  if (a === b) return 0;
  const v = new BigInt64Array(new Float64Array([a, b]).buffer);
  return Number(v[0] > v[1] ? v[0] - v[1] : v[1] - v[0]);
}

describe("vectorised log (f64x2) for x ≥ 1", () => {
  const grids: [string, Float64Array][] = [
    ["[1, 2] (one binade, both sides of √2)", Float64Array.from({ length: N }, (_, i) => 1 + (i + 0.5) / N)],
    ["just above 1 (1 + 2^−52 … 1 + 2^−20)", Float64Array.from({ length: N }, (_, i) => 1 + 2 ** (-52 + (32 * i) / N))],
    ["log-uniform over [1, 1.7e308]", Float64Array.from({ length: N }, (_, i) => Math.min(1.7e308, 2 ** ((1023.9 * (i + 0.5)) / N)))],
    ["around √2 and the powers of two", Float64Array.from({ length: N }, (_, i) => { const p = 2 ** (i % 1000), d = ((i >> 10) - 32) * 2 ** -52; return (i & 1 ? Math.SQRT2 : 1) * p * (1 + d); }).map((v) => Math.max(1, v))],
  ];
  it.each(grids)("%s: fdlibm's bits, within 1 ulp of Math.log", (_name, x) => {
    const got = vlog(x);
    let worst = 0;
    x.forEach((v, i) => {
      expect(got[i], `x = ${v}`).toBe(fdlibmLog(v));
      worst = Math.max(worst, ulps(got[i], Math.log(v)));
    });
    expect(worst).toBeLessThanOrEqual(1);
  });
  it("0 at 1; at 2^k, k·ln 2 in two parts (fdlibm's), within 1 ulp of Math.log", () => {
    const x = Float64Array.from({ length: 1024 }, (_, k) => 2 ** k);
    const got = vlog(x);
    expect(got[0]).toBe(0);
    x.forEach((v, k) => { expect(got[k]).toBe(k * LN2_HI + k * LN2_LO); expect(ulps(got[k], Math.log(v))).toBeLessThanOrEqual(1); });
  });
});
