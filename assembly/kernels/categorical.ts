// Categorical (latent class analysis): dims columns of integer level codes, column a with L_a
// levels; T = Σ_a L_a. Kernel parameters: header [T, off_0 … off_{dims−1}] (off_a = Σ_{b<a} L_b),
// then per component j: [log w_j, log p_j (T: column a's levels at off_a … off_a + L_a − 1)], so
// log w_j + log p(x | θ_j) = log w_j + Σ_a log p_{j, off_a + x_a}: one table lookup per (row, column).
// Statistics per component: [Σ r, Σ r·1{x_a = l} (T, laid out as the table)] — the
// responsibility-weighted level counts: by masked sums Σ r & (x == l), two points per
// instruction, for columns of up to 12 levels; by scatter-adds for wider ones. Work columns: the block's lookup offsets, one i32 per
// (column, point) (ceil(dims / 2) columns).
// Codes are validated in TypeScript (integers in 0 … L_a − 1) before they reach this kernel.
import { addColumnSum, addHsum, blockedPass, BLOCK, COLUMN, F64 } from "../pass";

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
    // Four points at a time (four independent chains); count is a multiple of 8.
    for (let i = 0; i < count; i += 4) {
      let q0 = c, q1 = c, q2 = c, q3 = c;
      for (let a = 0; a < dims; a++) {
        const wa = work + <usize>a * <usize>BLOCK * 4 + (<usize>i << 2);
        q0 += load<f64>(p + <usize>load<i32>(wa));
        q1 += load<f64>(p + <usize>load<i32>(wa, 4));
        q2 += load<f64>(p + <usize>load<i32>(wa, 8));
        q3 += load<f64>(p + <usize>load<i32>(wa, 12));
      }
      const oi = o + (<usize>i << 3);
      store<f64>(oi, q0); store<f64>(oi, q1, 8); store<f64>(oi, q2, 16); store<f64>(oi, q3, 24);
    }
  }
}

/** Columns of at most this many levels count by masked sums (vectorised); wider ones by scatter-adds. */
const MASKED_LEVELS: usize = 12;

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  const t = <usize>load<f64>(params);
  const bytes = <usize>count * F64;
  let scatter = false;
  for (let a = 0; a < dims; a++) if (levels(params, a, dims, t) > MASKED_LEVELS) scatter = true;
  if (scatter) lookups(x, count, dims, params, work); // also for a labelled (seeding) pass, where logDensity did not run
  for (let j = 0; j < k; j++) {
    const s = stats + <usize>j * (t + 1) * F64;
    const r = resp + <usize>j * COLUMN;
    addColumnSum(s, r, bytes);
    for (let a = 0; a < dims; a++) {
      const L = levels(params, a, dims, t);
      if (L > MASKED_LEVELS) continue;
      // Σ_i r_i·1{x_i = l} as Σ r & (x == l), two points per instruction (two sums per level).
      const xa = x + <usize>a * COLUMN, sa = s + (<usize>1 + <usize>load<f64>(params + (<usize>1 + <usize>a) * F64)) * F64;
      // Four levels per sweep (one load of r and x for four sums), then the rest one by one.
      let l: usize = 0;
      for (; l + 4 <= L; l += 4) {
        const l0 = f64x2.splat(<f64>l), l1 = f64x2.splat(<f64>(l + 1)), l2 = f64x2.splat(<f64>(l + 2)), l3 = f64x2.splat(<f64>(l + 3));
        let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
        for (let i: usize = 0; i < bytes; i += 16) {
          const w = v128.load(r + i), v = v128.load(xa + i);
          s0 = f64x2.add(s0, v128.and(w, f64x2.eq(v, l0)));
          s1 = f64x2.add(s1, v128.and(w, f64x2.eq(v, l1)));
          s2 = f64x2.add(s2, v128.and(w, f64x2.eq(v, l2)));
          s3 = f64x2.add(s3, v128.and(w, f64x2.eq(v, l3)));
        }
        addHsum(sa + l * F64, s0); addHsum(sa + (l + 1) * F64, s1); addHsum(sa + (l + 2) * F64, s2); addHsum(sa + (l + 3) * F64, s3);
      }
      for (; l < L; l++) {
        const lv = f64x2.splat(<f64>l);
        let s0 = f64x2.splat(0);
        for (let i: usize = 0; i < bytes; i += 16) s0 = f64x2.add(s0, v128.and(v128.load(r + i), f64x2.eq(v128.load(xa + i), lv)));
        addHsum(sa + l * F64, s0);
      }
    }
    if (!scatter) continue;
    for (let i = 0; i < count; i++) {
      const w = load<f64>(r + (<usize>i << 3));
      if (w == 0) continue; // hard EM, padding: nothing to add
      for (let a = 0; a < dims; a++) {
        if (levels(params, a, dims, t) <= MASKED_LEVELS) continue;
        const at = s + <usize>load<i32>(work + <usize>a * <usize>BLOCK * 4 + (<usize>i << 2));
        store<f64>(at, load<f64>(at) + w);
      }
    }
  }
}

/** L_a: the levels of column a (from the offsets in the header). */
// @ts-ignore: decorator
@inline function levels(params: usize, a: i32, dims: i32, t: usize): usize {
  const off = <usize>load<f64>(params + (<usize>1 + <usize>a) * F64);
  return (a + 1 < dims ? <usize>load<f64>(params + (<usize>2 + <usize>a) * F64) : t) - off;
}

export function categoricalPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, 1 + <i32>load<f64>(params), x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
}
