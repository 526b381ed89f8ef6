// The statistics loops of the full-covariance kernels (mvn_full.ts, mvt.ts). centreWeigh: Z = x − m
// and W = r·Z with S1 = Σ W, four coordinates per sweep. scatter: S[a][b] += Σ_i W_ai Z_bi for
// b ≤ a over a block, W the weighted and Z the centred coordinates (column-major, a column per
// coordinate). Rows a, a + 1 of S at once, in tiles of two rows by four (then two) columns whose
// eight partial sums stay in registers; S[a][a + 1] (above the diagonal) is computed by the last
// tile of a pair and dropped; an odd d's last row by dots. Every sum runs over the block in one
// chain, in the same order as one dot product at a time (same bits). Tiles wider than these made V8
// spill registers (docs/performance.md).
import { addHsum, COLUMN, F64 } from "./pass";

/**
 * S[a][b] += Σ_i W_ai Z_bi for b ≤ a < d over the block (W Zᵀ's lower triangle; S[a][b] at
 * out + a·rowBytes + b·8). One function for every caller: the full-covariance kernels' scatter
 * (rowBytes d·8) and the Student-t kernels' ECME cross sums (W = Z = τh, rows a component's statistics apart).
 */
export function scatter(weighted: usize, work: usize, bytes: usize, ud: usize, out: usize, rowBytes: usize): void {
  let a: usize = 0;
  for (; a + 1 < ud; a += 2) {
    const wa = weighted + a * COLUMN;
    const row = out + a * rowBytes, next = row + rowBytes;
    let b: usize = 0;
    for (; b + 4 <= a + 2; b += 4) tile(wa, work + b * COLUMN, bytes, row + b * F64, next + b * F64, 4, b + 4 == a + 2);
    if (b < a + 2) tile(wa, work + b * COLUMN, bytes, row + b * F64, next + b * F64, 2, true);
  }
  if (a < ud) {
    const wa = weighted + a * COLUMN;
    const row = out + a * rowBytes;
    let b: usize = 0;
    for (; b + 3 <= a; b += 4) dots(wa, work + b * COLUMN, bytes, row + b * F64, 4);
    for (; b <= a; b++) dots(wa, work + b * COLUMN, bytes, row + b * F64, 1);
  }
}

/**
 * out[c] += Σ_i w_i · z_c,i and next[c] += Σ_i w'_i · z_c,i for the `width` (2 or 4; a constant
 * once inlined) columns from z, w' the column after w; `dropLast`: out's last column is not stored
 * (it lies above the diagonal).
 */
// @ts-ignore: decorator
@inline function tile(w: usize, z: usize, bytes: usize, out: usize, next: usize, width: i32, dropLast: bool): void {
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  for (let i: usize = 0; i < bytes; i += 16) {
    const wi = v128.load(w + i), vi = v128.load(w + i, COLUMN), zi = z + i;
    const z0 = v128.load(zi), z1 = v128.load(zi, COLUMN);
    a0 = f64x2.add(a0, f64x2.mul(wi, z0));
    b0 = f64x2.add(b0, f64x2.mul(vi, z0));
    a1 = f64x2.add(a1, f64x2.mul(wi, z1));
    b1 = f64x2.add(b1, f64x2.mul(vi, z1));
    if (width > 2) {
      const z2 = v128.load(zi, 2 * COLUMN), z3 = v128.load(zi, 3 * COLUMN);
      a2 = f64x2.add(a2, f64x2.mul(wi, z2));
      b2 = f64x2.add(b2, f64x2.mul(vi, z2));
      a3 = f64x2.add(a3, f64x2.mul(wi, z3));
      b3 = f64x2.add(b3, f64x2.mul(vi, z3));
    }
  }
  addHsum(out, a0);
  addHsum(next, b0);
  if (width > 2) {
    addHsum(out + F64, a1);
    addHsum(next + F64, b1);
    addHsum(out + 2 * F64, a2);
    addHsum(next + 2 * F64, b2);
    if (!dropLast) addHsum(out + 3 * F64, a3);
    addHsum(next + 3 * F64, b3);
  } else {
    if (!dropLast) addHsum(out + F64, a1);
    addHsum(next + F64, b1);
  }
}

/** out[c] += Σ_i w_i · z_c,i for the `width` (1 or 4; a constant once inlined) columns from z. */
// @ts-ignore: decorator
@inline function dots(w: usize, z: usize, bytes: usize, out: usize, width: i32): void {
  let d0 = f64x2.splat(0), d1 = d0, d2 = d0, d3 = d0;
  for (let i: usize = 0; i < bytes; i += 16) {
    const wi = v128.load(w + i), zi = z + i;
    d0 = f64x2.add(d0, f64x2.mul(wi, v128.load(zi)));
    if (width > 1) d1 = f64x2.add(d1, f64x2.mul(wi, v128.load(zi, COLUMN)));
    if (width > 2) {
      d2 = f64x2.add(d2, f64x2.mul(wi, v128.load(zi, 2 * COLUMN)));
      d3 = f64x2.add(d3, f64x2.mul(wi, v128.load(zi, 3 * COLUMN)));
    }
  }
  addHsum(out, d0);
  if (width > 1) addHsum(out + F64, d1);
  if (width > 2) {
    addHsum(out + 2 * F64, d2);
    addHsum(out + 3 * F64, d3);
  }
}

/**
 * For the `width` (1 or 4; a constant once inlined) coordinates from a: Z_a = x_a − m_a,
 * W_a = r·Z_a stored, S1_a += Σ W_a; with `first`, S0 += Σ r too. (mvt: r = τu.)
 */
// @ts-ignore: decorator
@inline export function centreWeigh(x: usize, r: usize, mean: usize, work: usize, weighted: usize, a: usize, bytes: usize, s0: usize, s1: usize, width: i32, first: bool): void {
  const m0 = v128.load64_splat(mean + a * F64);
  let m1 = m0, m2 = m0, m3 = m0;
  if (width > 1) {
    m1 = v128.load64_splat(mean + a * F64, 8);
    m2 = v128.load64_splat(mean + a * F64, 16);
    m3 = v128.load64_splat(mean + a * F64, 24);
  }
  const xa = x + a * COLUMN, za = work + a * COLUMN, wa = weighted + a * COLUMN;
  let t0 = f64x2.splat(0), t1 = t0, t2 = t0, t3 = t0, t = t0;
  for (let i: usize = 0; i < bytes; i += 16) {
    const ri = v128.load(r + i);
    if (first) t = f64x2.add(t, ri);
    const xi = xa + i, zi = za + i, wi = wa + i;
    const z0 = f64x2.sub(v128.load(xi), m0), w0 = f64x2.mul(ri, z0);
    v128.store(zi, z0);
    v128.store(wi, w0);
    t0 = f64x2.add(t0, w0);
    if (width > 1) {
      const z1 = f64x2.sub(v128.load(xi, COLUMN), m1), w1 = f64x2.mul(ri, z1);
      v128.store(zi, z1, COLUMN);
      v128.store(wi, w1, COLUMN);
      t1 = f64x2.add(t1, w1);
      const z2 = f64x2.sub(v128.load(xi, 2 * COLUMN), m2), w2 = f64x2.mul(ri, z2);
      v128.store(zi, z2, 2 * COLUMN);
      v128.store(wi, w2, 2 * COLUMN);
      t2 = f64x2.add(t2, w2);
      const z3 = f64x2.sub(v128.load(xi, 3 * COLUMN), m3), w3 = f64x2.mul(ri, z3);
      v128.store(zi, z3, 3 * COLUMN);
      v128.store(wi, w3, 3 * COLUMN);
      t3 = f64x2.add(t3, w3);
    }
  }
  if (first) addHsum(s0, t);
  addHsum(s1 + a * F64, t0);
  if (width > 1) {
    addHsum(s1 + a * F64 + F64, t1);
    addHsum(s1 + a * F64 + 2 * F64, t2);
    addHsum(s1 + a * F64 + 3 * F64, t3);
  }
}
