// Multivariate Gaussian with a full covariance per component (also "tied": the same factor k times).
// Kernel parameters: header [d, work (2d × BLOCK)], then per component j:
//   [c_j, mean_j (d), P_j (d × d, row-major, lower triangle)] where P_j = L_j⁻¹ for the Cholesky
//   factor Σ_j = L_j L_jᵀ, so Σ_j⁻¹ = P_jᵀ P_j; c_j = log w_j − ½ log|Σ_j| − (d/2) log 2π.
// log w_j + log N(x | mean_j, Σ_j) = c_j − ½ ‖z‖² with z = P_j (x − mean_j): the Mahalanobis distance
// as a triangular matrix product — independent rows, so the hot loop multiplies and keeps its
// partial sums in registers (a forward substitution would divide and chain row after row).
// Statistics per component, about the current mean m: [Σ r, Σ r (x − m) (d), Σ r (x − m)(x − m)ᵀ
// (d × d, lower triangle filled)].
//
// Both steps work on the whole block, column-major (row a of the work area holds coordinate a of
// every point), two points per vector: the product takes eight points and two columns of P per
// step, the scatter (a symmetric rank-k update, lower triangle only) four columns per sweep.
import { blockedPass, COLUMN } from "./pass";
import { hsum } from "./simd";

/** Z[a][i] = x_ai − mean_a for the block. */
// @ts-ignore: decorator
@inline function centre(x: usize, bytes: usize, ud: usize, mean: usize, work: usize): void {
  for (let a: usize = 0; a < ud; a++) {
    const m = v128.load64_splat(mean + (a << 3));
    const xa = x + a * COLUMN, za = work + a * COLUMN;
    for (let i: usize = 0; i < bytes; i += 16) v128.store(za + i, f64x2.sub(v128.load(xa + i), m));
  }
}

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const work = params + 8;
  const compBytes = (<usize>1 + ud + ud * ud) << 3;
  const first = work + 2 * ud * COLUMN;
  const bytes = <usize>count << 3;
  const half = f64x2.splat(0.5);
  for (let j = 0; j < k; j++) {
    const p = first + <usize>j * compBytes;
    const c = v128.load64_splat(p);
    const P = p + 8 + (ud << 3);
    centre(x, bytes, ud, p + 8, work);
    const o = out + <usize>j * COLUMN;
    // Eight points per step: each P_ab is loaded once for four vectors.
    for (let i: usize = 0; i < bytes; i += 64) {
      let q0 = f64x2.splat(0), q1 = q0, q2 = q0, q3 = q0;
      for (let a: usize = 0; a < ud; a++) {
        const row = P + ((a * ud) << 3);
        let z0 = f64x2.splat(0), z1 = z0, z2 = z0, z3 = z0;
        // Two columns of P per step (fewer loop overheads); then the diagonal one if left.
        let b: usize = 0;
        for (; b < a; b += 2) {
          const pb = v128.load64_splat(row + (b << 3)), pc = v128.load64_splat(row + (b << 3), 8);
          const zb = work + b * COLUMN + i;
          z0 = f64x2.add(z0, f64x2.add(f64x2.mul(pb, v128.load(zb)), f64x2.mul(pc, v128.load(zb, COLUMN))));
          z1 = f64x2.add(z1, f64x2.add(f64x2.mul(pb, v128.load(zb, 16)), f64x2.mul(pc, v128.load(zb, COLUMN + 16))));
          z2 = f64x2.add(z2, f64x2.add(f64x2.mul(pb, v128.load(zb, 32)), f64x2.mul(pc, v128.load(zb, COLUMN + 32))));
          z3 = f64x2.add(z3, f64x2.add(f64x2.mul(pb, v128.load(zb, 48)), f64x2.mul(pc, v128.load(zb, COLUMN + 48))));
        }
        if (b == a) {
          const pb = v128.load64_splat(row + (b << 3));
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

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const work = params + 8;           // Z: centred coordinates
  const weighted = work + ud * COLUMN; // W = r·Z
  const compBytes = (<usize>1 + ud + ud * ud) << 3;
  const first = work + 2 * ud * COLUMN;
  const bytes = <usize>count << 3;
  for (let j = 0; j < k; j++) {
    const s = stats + <usize>j * compBytes;
    const s1 = s + 8, s2 = s1 + (ud << 3);
    const r = resp + <usize>j * COLUMN;
    const mean = first + <usize>j * compBytes + 8;
    let t = f64x2.splat(0);
    for (let i: usize = 0; i < bytes; i += 16) t = f64x2.add(t, v128.load(r + i));
    store<f64>(s, load<f64>(s) + hsum(t));
    // Z and W = r·Z, with S1_a = Σ W_a on the way.
    for (let a: usize = 0; a < ud; a++) {
      const m = v128.load64_splat(mean + (a << 3));
      const xa = x + a * COLUMN, za = work + a * COLUMN, wa = weighted + a * COLUMN;
      t = f64x2.splat(0);
      for (let i: usize = 0; i < bytes; i += 16) {
        const z = f64x2.sub(v128.load(xa + i), m);
        const w = f64x2.mul(v128.load(r + i), z);
        v128.store(za + i, z);
        v128.store(wa + i, w);
        t = f64x2.add(t, w);
      }
      store<f64>(s1 + (a << 3), load<f64>(s1 + (a << 3)) + hsum(t));
    }
    // Row a of S: S[a][b] += Σ_i W_ai Z_bi for b ≤ a, four columns per sweep while they fit,
    // then two, then one (the columns are read at fixed offsets from one pointer).
    for (let a: usize = 0; a < ud; a++) {
      const wa = weighted + a * COLUMN;
      const row = s2 + ((a * ud) << 3);
      let b: usize = 0;
      for (; b + 3 <= a; b += 4) dots(wa, work + b * COLUMN, bytes, row + (b << 3), 4);
      if (b + 1 <= a) { dots(wa, work + b * COLUMN, bytes, row + (b << 3), 2); b += 2; }
      if (b == a) dots(wa, work + b * COLUMN, bytes, row + (b << 3), 1);
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
  store<f64>(out, load<f64>(out) + hsum(d0));
  if (width > 1) store<f64>(out, load<f64>(out, 8) + hsum(d1), 8);
  if (width > 2) {
    store<f64>(out, load<f64>(out, 16) + hsum(d2), 16);
    store<f64>(out, load<f64>(out, 24) + hsum(d3), 24);
  }
}

export function mvnFullPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const d = <i32>load<f64>(params);
  return blockedPass(logDensity, accumulate, x, d, aux, n, params, k, stats, k * (1 + d + d * d), scratch, respOut, labels, flags);
}
