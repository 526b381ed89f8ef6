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
// symmetric rank-k update, lower triangle only) two rows by four columns of S over the whole block.
// Tiles wider than these made V8 spill registers (it loads a step's operands up front), and so did
// a d = 10 kernel written out in full; see docs/performance.md. Every sum runs in the same order as
// in the one-row-at-a-time kernel before the tiles (same bits).
import { addHsum, blockedPass, COLUMN, F64 } from "../pass";

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
    // Rows a, a + 1 of S at once: S[a][b] += Σ_i W_ai Z_bi for b ≤ a, in tiles of two rows by four
    // (then two) columns whose eight partial sums stay in registers; S[a][a + 1] (above the
    // diagonal) is computed by the last tile of a pair and dropped. An odd d's last row: dots.
    let a: usize = 0;
    for (; a + 1 < ud; a += 2) {
      const wa = weighted + a * COLUMN;
      const row = s2 + a * ud * F64, next = row + ud * F64;
      let b: usize = 0;
      for (; b + 4 <= a + 2; b += 4) tile(wa, work + b * COLUMN, bytes, row + b * F64, next + b * F64, 4, b + 4 == a + 2);
      if (b < a + 2) tile(wa, work + b * COLUMN, bytes, row + b * F64, next + b * F64, 2, true);
    }
    if (a < ud) {
      const wa = weighted + a * COLUMN;
      const row = s2 + a * ud * F64;
      let b: usize = 0;
      for (; b + 3 <= a; b += 4) dots(wa, work + b * COLUMN, bytes, row + b * F64, 4);
      for (; b <= a; b++) dots(wa, work + b * COLUMN, bytes, row + b * F64, 1);
    }
  }
}

/**
 * For the `width` (1 or 4; a constant once inlined) coordinates from a: Z_a = x_a − m_a,
 * W_a = r·Z_a stored, S1_a += Σ W_a; with `first`, S0 += Σ r too.
 */
// @ts-ignore: decorator
@inline function centreWeigh(x: usize, r: usize, mean: usize, work: usize, weighted: usize, a: usize, bytes: usize, s0: usize, s1: usize, width: i32, first: bool): void {
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

export function mvnFullPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, 1 + dims + dims * dims, x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
}
