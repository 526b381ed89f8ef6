// Categorical (latent class analysis): dims columns of integer level codes, column a with L_a
// levels; T = Σ_a L_a. Kernel parameters: header [T, off_0 … off_{dims−1}] (off_a = Σ_{b<a} L_b),
// then per component j: [log w_j, log p_j (T: column a's levels at off_a … off_a + L_a − 1)], so
// log w_j + log p(x | θ_j) = log w_j + Σ_a log p_{j, off_a + x_a}: one table lookup per (row, column).
// Statistics per component: [Σ r, Σ r·1{x_a = l} (T, laid out as the table)] — the
// responsibility-weighted level counts. Work columns: the block's lookup offsets, one i32 per
// (column, point) (ceil(dims / 2) columns).
// Codes are validated in TypeScript (integers in 0 … L_a − 1) before they reach this kernel.
import { addColumnSum, blockedPass, BLOCK, COLUMN, F64 } from "../pass";

/** Byte offsets, within a component's block (after its first value), of each (column, point)'s level: work[a·BLOCK + i]. */
// @ts-ignore: decorator
@inline function lookups(x: usize, count: i32, dims: i32, params: usize, work: usize): void {
  for (let a = 0; a < dims; a++) {
    const off = load<f64>(params + (<usize>1 + <usize>a) * F64);
    const xa = x + <usize>a * COLUMN, wa = work + <usize>a * <usize>BLOCK * 4;
    for (let i = 0; i < count; i++) store<i32>(wa + (<usize>i << 2), (<i32>(off + load<f64>(xa + (<usize>i << 3))) + 1) << 3);
  }
}

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  const t = <usize>load<f64>(params);
  const tables = params + (<usize>1 + <usize>dims) * F64;
  lookups(x, count, dims, params, work);
  for (let j = 0; j < k; j++) {
    const p = tables + <usize>j * (t + 1) * F64;
    const c = load<f64>(p);
    const o = out + <usize>j * COLUMN;
    // Two points at a time (two independent chains); count is a multiple of 8.
    for (let i = 0; i < count; i += 2) {
      let q0 = c, q1 = c;
      for (let a = 0; a < dims; a++) {
        const wa = work + <usize>a * <usize>BLOCK * 4 + (<usize>i << 2);
        q0 += load<f64>(p + <usize>load<i32>(wa));
        q1 += load<f64>(p + <usize>load<i32>(wa, 4));
      }
      store<f64>(o + (<usize>i << 3), q0);
      store<f64>(o + (<usize>i << 3), q1, 8);
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  const t = <usize>load<f64>(params);
  lookups(x, count, dims, params, work); // also for a labelled (seeding) pass, where logDensity did not run
  for (let j = 0; j < k; j++) {
    const s = stats + <usize>j * (t + 1) * F64;
    const r = resp + <usize>j * COLUMN;
    addColumnSum(s, r, <usize>count * F64);
    for (let i = 0; i < count; i++) {
      const w = load<f64>(r + (<usize>i << 3));
      if (w == 0) continue; // hard EM, padding: nothing to add
      for (let a = 0; a < dims; a++) {
        const at = s + <usize>load<i32>(work + <usize>a * <usize>BLOCK * 4 + (<usize>i << 2));
        store<f64>(at, load<f64>(at) + w);
      }
    }
  }
}

export function categoricalPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, 1 + <i32>load<f64>(params), x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
}
