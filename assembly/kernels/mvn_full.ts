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
// every point), two points per vector. Partial sums are held in registers in tiles: the product
// takes two rows of P (two columns of each per step) for four points at a time, the scatter (a
// symmetric rank-k update, lower triangle only: assembly/scatter.ts, shared with mvt) two rows by four
// columns of S over the whole block. Tiles wider than these made V8 spill registers (it loads a
// step's operands up front), and so did a d = 10 kernel written out in full; see docs/performance.md.
// Every sum runs in the same order as in the one-row-at-a-time kernel before the tiles (same bits).
import { addHsum, blockedPass, COLUMN, F64 } from "../pass";
import { centreWeigh, scatter } from "../scatter";

/** Z[a][i] = x_ai − mean_a for the block. */
// @ts-ignore: decorator
@inline function centre(x: usize, bytes: usize, ud: usize, mean: usize, work: usize): void {
  for (let a: usize = 0; a < ud; a++) {
    const m = v128.load64_splat(mean + a * F64);
    const xa = x + a * COLUMN, za = work + a * COLUMN;
    // Eight points per step (count is a multiple of GROUP): offsets fold into the addresses.
    for (let i: usize = 0; i < bytes; i += 64) {
      const xi = xa + i, zi = za + i;
      v128.store(zi, f64x2.sub(v128.load(xi), m));
      v128.store(zi, f64x2.sub(v128.load(xi, 16), m), 16);
      v128.store(zi, f64x2.sub(v128.load(xi, 32), m), 32);
      v128.store(zi, f64x2.sub(v128.load(xi, 48), m), 48);
    }
  }
}

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  const ud = <usize>dims;
  const compBytes = (<usize>1 + ud + ud * ud) * F64;
  const bytes = <usize>count * F64;
  const half = f64x2.splat(0.5);
  const zero = f64x2.splat(0);
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * compBytes;
    const c = v128.load64_splat(p);
    const P = p + (1 + ud) * F64;
    centre(x, bytes, ud, p + F64, work);
    const o = out + <usize>j * COLUMN;
    // Four points per step; q = ‖z‖² = Σ_a z_a² with z_a = Σ_b≤a P_ab Z_b, rows of P two at a time.
    for (let i: usize = 0; i < bytes; i += 32) {
      const zi = work + i;
      let q0 = zero, q1 = zero;
      let a: usize = 0;
      for (; a + 1 < ud; a += 2) {
        const row = P + a * ud * F64, next = row + ud * F64;
        let y0 = zero, y1 = zero, u0 = zero, u1 = zero; // rows a and a + 1, two vectors each
        for (let b: usize = 0; b < a; b += 2) {
          const pb = v128.load64_splat(row + b * F64), pc = v128.load64_splat(row + b * F64, 8);
          const rb = v128.load64_splat(next + b * F64), rc = v128.load64_splat(next + b * F64, 8);
          const zb = zi + b * COLUMN;
          const d0 = v128.load(zb), e0 = v128.load(zb, COLUMN), d1 = v128.load(zb, 16), e1 = v128.load(zb, COLUMN + 16);
          y0 = f64x2.add(y0, f64x2.add(f64x2.mul(pb, d0), f64x2.mul(pc, e0)));
          u0 = f64x2.add(u0, f64x2.add(f64x2.mul(rb, d0), f64x2.mul(rc, e0)));
          y1 = f64x2.add(y1, f64x2.add(f64x2.mul(pb, d1), f64x2.mul(pc, e1)));
          u1 = f64x2.add(u1, f64x2.add(f64x2.mul(rb, d1), f64x2.mul(rc, e1)));
        }
        // Row a: its diagonal; row a + 1: the pair (a, a + 1).
        const pa = v128.load64_splat(row + a * F64);
        const ra = v128.load64_splat(next + a * F64), rn = v128.load64_splat(next + a * F64, 8);
        const za = zi + a * COLUMN;
        const d0 = v128.load(za), e0 = v128.load(za, COLUMN), d1 = v128.load(za, 16), e1 = v128.load(za, COLUMN + 16);
        y0 = f64x2.add(y0, f64x2.mul(pa, d0));
        u0 = f64x2.add(u0, f64x2.add(f64x2.mul(ra, d0), f64x2.mul(rn, e0)));
        y1 = f64x2.add(y1, f64x2.mul(pa, d1));
        u1 = f64x2.add(u1, f64x2.add(f64x2.mul(ra, d1), f64x2.mul(rn, e1)));
        q0 = f64x2.add(f64x2.add(q0, f64x2.mul(y0, y0)), f64x2.mul(u0, u0));
        q1 = f64x2.add(f64x2.add(q1, f64x2.mul(y1, y1)), f64x2.mul(u1, u1));
      }
      if (a < ud) { // an odd d's last row, alone
        const row = P + a * ud * F64;
        let z0 = zero, z1 = zero;
        for (let b: usize = 0; b < a; b += 2) {
          const pb = v128.load64_splat(row + b * F64), pc = v128.load64_splat(row + b * F64, 8);
          const zb = zi + b * COLUMN;
          z0 = f64x2.add(z0, f64x2.add(f64x2.mul(pb, v128.load(zb)), f64x2.mul(pc, v128.load(zb, COLUMN))));
          z1 = f64x2.add(z1, f64x2.add(f64x2.mul(pb, v128.load(zb, 16)), f64x2.mul(pc, v128.load(zb, COLUMN + 16))));
        }
        const pa = v128.load64_splat(row + a * F64);
        const za = zi + a * COLUMN;
        z0 = f64x2.add(z0, f64x2.mul(pa, v128.load(za)));
        z1 = f64x2.add(z1, f64x2.mul(pa, v128.load(za, 16)));
        q0 = f64x2.add(q0, f64x2.mul(z0, z0));
        q1 = f64x2.add(q1, f64x2.mul(z1, z1));
      }
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q0)));
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q1)), 16);
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
    // Z and W = r·Z, four coordinates per sweep (four independent sums), with S1_a = Σ W_a and
    // (in the first sweep) S0 = Σ r on the way.
    let c: usize = 0;
    for (; c + 4 <= ud; c += 4) centreWeigh(x, r, mean, work, weighted, c, bytes, s, s1, 4, c == 0);
    for (; c < ud; c++) centreWeigh(x, r, mean, work, weighted, c, bytes, s, s1, 1, c == 0);
    scatter(weighted, work, bytes, ud, s2, ud * F64);
  }
}

export function mvnFullPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, 1 + dims + dims * dims, x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
}
