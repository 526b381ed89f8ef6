// Multivariate Gaussian with a full covariance per component (also "tied": the same factor k times).
// Kernel parameters per component j (no header):
//   [c_j, mean_j (d), P_j (d × d, row-major, lower triangle)] where P_j = L_j⁻¹ for the Cholesky
//   factor Σ_j = L_j L_jᵀ, so Σ_j⁻¹ = P_jᵀ P_j; c_j = log w_j − ½ log|Σ_j| − (d/2) log 2π.
// log w_j + log N(x | mean_j, Σ_j) = c_j − ½ ‖z‖² with z = P_j (x − mean_j): the Mahalanobis distance
// as a triangular matrix product — independent rows, so the hot loop multiplies and keeps its
// partial sums in registers (a forward substitution would divide and chain row after row).
// Statistics per component, about the current mean m: [Σ r, Σ r (x − m) (d), Σ r (x − m)(x − m)ᵀ
// (d × d, lower triangle filled)].
// Work columns: 2·d (W = 2·dims): Z (the centred block) then W = r·Z.
//
// Both steps work on the whole block, column-major (row a of the work area holds coordinate a of
// every point), two points per vector: the product takes eight points and two columns of P per
// step, the scatter (a symmetric rank-k update, lower triangle only) four columns per sweep.
import { addColumnSum, addHsum, blockedPass, COLUMN, F64 } from "../pass";

/** Z[a][i] = x_ai − mean_a for the block. */
// @ts-ignore: decorator
@inline function centre(x: usize, bytes: usize, ud: usize, mean: usize, work: usize): void {
  for (let a: usize = 0; a < ud; a++) {
    const m = v128.load64_splat(mean + a * F64);
    const xa = x + a * COLUMN, za = work + a * COLUMN;
    for (let i: usize = 0; i < bytes; i += 16) v128.store(za + i, f64x2.sub(v128.load(xa + i), m));
  }
}

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  const ud = <usize>dims;
  const compBytes = (<usize>1 + ud + ud * ud) * F64;
  const bytes = <usize>count * F64;
  const half = f64x2.splat(0.5);
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * compBytes;
    const c = v128.load64_splat(p);
    const P = p + (1 + ud) * F64;
    centre(x, bytes, ud, p + F64, work);
    const o = out + <usize>j * COLUMN;
    // Eight points per step: each P_ab is loaded once for four vectors.
    for (let i: usize = 0; i < bytes; i += 64) {
      let q0 = f64x2.splat(0), q1 = q0, q2 = q0, q3 = q0;
      for (let a: usize = 0; a < ud; a++) {
        const row = P + a * ud * F64;
        let z0 = f64x2.splat(0), z1 = z0, z2 = z0, z3 = z0;
        // Two columns of P per step (fewer loop overheads); then the diagonal one if left.
        let b: usize = 0;
        for (; b < a; b += 2) {
          const pb = v128.load64_splat(row + b * F64), pc = v128.load64_splat(row + b * F64, 8);
          const zb = work + b * COLUMN + i;
          z0 = f64x2.add(z0, f64x2.add(f64x2.mul(pb, v128.load(zb)), f64x2.mul(pc, v128.load(zb, COLUMN))));
          z1 = f64x2.add(z1, f64x2.add(f64x2.mul(pb, v128.load(zb, 16)), f64x2.mul(pc, v128.load(zb, COLUMN + 16))));
          z2 = f64x2.add(z2, f64x2.add(f64x2.mul(pb, v128.load(zb, 32)), f64x2.mul(pc, v128.load(zb, COLUMN + 32))));
          z3 = f64x2.add(z3, f64x2.add(f64x2.mul(pb, v128.load(zb, 48)), f64x2.mul(pc, v128.load(zb, COLUMN + 48))));
        }
        if (b == a) {
          const pb = v128.load64_splat(row + b * F64);
          const zb = work + b * COLUMN + i;
          z0 = f64x2.add(z0, f64x2.mul(pb, v128.load(zb)));
          z1 = f64x2.add(z1, f64x2.mul(pb, v128.load(zb, 16)));
          z2 = f64x2.add(z2, f64x2.mul(pb, v128.load(zb, 32)));
          z3 = f64x2.add(z3, f64x2.mul(pb, v128.load(zb, 48)));
        }
        q0 = f64x2.add(q0, f64x2.mul(z0, z0));
        q1 = f64x2.add(q1, f64x2.mul(z1, z1));
        q2 = f64x2.add(q2, f64x2.mul(z2, z2));
        q3 = f64x2.add(q3, f64x2.mul(z3, z3));
      }
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q0)));
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q1)), 16);
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q2)), 32);
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q3)), 48);
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  const ud = <usize>dims;
  // work: Z, the centred coordinates; then weighted: W = r·Z.
  const weighted = work + ud * COLUMN;
  const compBytes = (<usize>1 + ud + ud * ud) * F64; // params and stats alike
  const bytes = <usize>count * F64;
  for (let j = 0; j < k; j++) {
    const s = stats + <usize>j * compBytes;
    const s1 = s + F64, s2 = s1 + ud * F64;
    const r = resp + <usize>j * COLUMN;
    const mean = params + <usize>j * compBytes + F64;
    addColumnSum(s, r, bytes);
    // Z and W = r·Z, with S1_a = Σ W_a on the way.
    for (let a: usize = 0; a < ud; a++) {
      const m = v128.load64_splat(mean + a * F64);
      const xa = x + a * COLUMN, za = work + a * COLUMN, wa = weighted + a * COLUMN;
      let t = f64x2.splat(0);
      for (let i: usize = 0; i < bytes; i += 16) {
        const z = f64x2.sub(v128.load(xa + i), m);
        const w = f64x2.mul(v128.load(r + i), z);
        v128.store(za + i, z);
        v128.store(wa + i, w);
        t = f64x2.add(t, w);
      }
      addHsum(s1 + a * F64, t);
    }
    // Row a of S: S[a][b] += Σ_i W_ai Z_bi for b ≤ a, four columns per sweep while they fit,
    // then two, then one (the columns are read at fixed offsets from one pointer).
    for (let a: usize = 0; a < ud; a++) {
      const wa = weighted + a * COLUMN;
      const row = s2 + a * ud * F64;
      let b: usize = 0;
      for (; b + 3 <= a; b += 4) dots(wa, work + b * COLUMN, bytes, row + b * F64, 4);
      if (b + 1 <= a) { dots(wa, work + b * COLUMN, bytes, row + b * F64, 2); b += 2; }
      if (b == a) dots(wa, work + b * COLUMN, bytes, row + b * F64, 1);
    }
  }
}

/** out[c] += Σ_i w_i · z_c,i for the `width` (1, 2 or 4; a constant once inlined) columns from z. */
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

export function mvnFullPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, 1 + dims + dims * dims, x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
}
