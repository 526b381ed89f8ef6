// Multivariate Gaussian with a full covariance per component (also "tied": the same factor k times).
// Kernel parameters: header [d, work (d × BLOCK)], then per component j:
//   [c_j, mean_j (d), P_j (d × d, row-major, lower triangle)] where P_j = L_j⁻¹ for the Cholesky
//   factor Σ_j = L_j L_jᵀ, so Σ_j⁻¹ = P_jᵀ P_j; c_j = log w_j − ½ log|Σ_j| − (d/2) log 2π.
// log w_j + log N(x | mean_j, Σ_j) = c_j − ½ ‖z‖² with z = P_j (x − mean_j): the Mahalanobis distance
// as a triangular matrix product — independent rows, so the hot loop multiplies and keeps its
// partial sums in registers (a forward substitution would divide and chain row after row).
// Statistics per component, about the current mean m: [Σ r, Σ r (x − m) (d), Σ r (x − m)(x − m)ᵀ
// (d × d, lower triangle filled)].
//
// Both steps work on the whole block, column-major (row a of the work area holds coordinate a of
// every point), two points per vector: the product is register-blocked over four points, the
// scatter over four columns of the statistic (a symmetric rank-k update, lower triangle only).
import { blockedPass, COLUMN } from "./pass";
import { hsum } from "./simd";

/** Z[a][i] = x_ai − mean_a for the block; returns nothing. */
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
  const first = params + 8 + ud * COLUMN;
  const bytes = <usize>count << 3;
  const half = f64x2.splat(0.5);
  for (let j = 0; j < k; j++) {
    const p = first + <usize>j * compBytes;
    const c = v128.load64_splat(p);
    const P = p + 8 + (ud << 3);
    centre(x, bytes, ud, p + 8, work);
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < bytes; i += 32) {
      let q0 = f64x2.splat(0), q1 = q0;
      for (let a: usize = 0; a < ud; a++) {
        const row = P + ((a * ud) << 3);
        let z0 = f64x2.splat(0), z1 = z0;
        for (let b: usize = 0; b <= a; b++) {
          const pab = v128.load64_splat(row + (b << 3));
          const zb = work + b * COLUMN + i;
          z0 = f64x2.add(z0, f64x2.mul(pab, v128.load(zb)));
          z1 = f64x2.add(z1, f64x2.mul(pab, v128.load(zb, 16)));
        }
        q0 = f64x2.add(q0, f64x2.mul(z0, z0));
        q1 = f64x2.add(q1, f64x2.mul(z1, z1));
      }
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q0)));
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q1)), 16);
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const work = params + 8;
  const compBytes = (<usize>1 + ud + ud * ud) << 3;
  const first = params + 8 + ud * COLUMN;
  const bytes = <usize>count << 3;
  for (let j = 0; j < k; j++) {
    const s = stats + <usize>j * compBytes;
    const s1 = s + 8, s2 = s1 + (ud << 3);
    const r = resp + <usize>j * COLUMN;
    centre(x, bytes, ud, first + <usize>j * compBytes + 8, work);
    let t = f64x2.splat(0);
    for (let i: usize = 0; i < bytes; i += 16) t = f64x2.add(t, v128.load(r + i));
    store<f64>(s, load<f64>(s) + hsum(t));
    for (let a: usize = 0; a < ud; a++) {
      const za = work + a * COLUMN;
      t = f64x2.splat(0);
      for (let i: usize = 0; i < bytes; i += 16) t = f64x2.add(t, f64x2.mul(v128.load(r + i), v128.load(za + i)));
      store<f64>(s1 + (a << 3), load<f64>(s1 + (a << 3)) + hsum(t));
      // S[a][b..b+3] += Σ_i r_i z_ai z_bi, four columns per sweep; columns past a (the upper
      // triangle) are computed on a copy of column a and not stored.
      const row = s2 + ((a * ud) << 3);
      for (let b: usize = 0; b <= a; b += 4) {
        const z0 = work + b * COLUMN;
        const z1 = work + min(b + 1, a) * COLUMN, z2 = work + min(b + 2, a) * COLUMN, z3 = work + min(b + 3, a) * COLUMN;
        let d0 = f64x2.splat(0), d1 = d0, d2 = d0, d3 = d0;
        for (let i: usize = 0; i < bytes; i += 16) {
          const w = f64x2.mul(v128.load(r + i), v128.load(za + i));
          d0 = f64x2.add(d0, f64x2.mul(w, v128.load(z0 + i)));
          d1 = f64x2.add(d1, f64x2.mul(w, v128.load(z1 + i)));
          d2 = f64x2.add(d2, f64x2.mul(w, v128.load(z2 + i)));
          d3 = f64x2.add(d3, f64x2.mul(w, v128.load(z3 + i)));
        }
        const o = row + (b << 3);
        store<f64>(o, load<f64>(o) + hsum(d0));
        if (b + 1 <= a) store<f64>(o, load<f64>(o, 8) + hsum(d1), 8);
        if (b + 2 <= a) store<f64>(o, load<f64>(o, 16) + hsum(d2), 16);
        if (b + 3 <= a) store<f64>(o, load<f64>(o, 24) + hsum(d3), 24);
      }
    }
  }
}

export function mvnFullPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const d = <i32>load<f64>(params);
  return blockedPass(logDensity, accumulate, x, d, aux, n, params, k, stats, k * (1 + d + d * d), scratch, respOut, labels, flags);
}
