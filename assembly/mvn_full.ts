// Multivariate Gaussian with a full covariance per component (also "tied": the same factor k times).
// Kernel parameters: header [d, work (d + 2) × BLOCK], then per component j:
//   [c_j, mean_j (d), L_j (d × d, row-major, lower triangle)] where Σ_j = L_j L_jᵀ (Cholesky) and the
//   diagonal of L_j is stored inverted (1 / L_aa) so the solve multiplies instead of divides;
//   c_j = log w_j − ½ log|Σ_j| − (d/2) log 2π.
// log w_j + log N(x | mean_j, Σ_j) = c_j − ½ ‖z‖², where L_j z = x − mean_j (forward substitution:
// the Mahalanobis distance without forming Σ_j⁻¹).
// Statistics per component, about the current mean m: [Σ r, Σ r (x − m) (d), Σ r (x − m)(x − m)ᵀ
// (d × d, lower triangle filled)].
//
// Both steps work on a whole block at once, column-major in the work area (row a of Z holds
// coordinate a of every point in the block): the solve is d(d−1)/2 contiguous axpys, and the
// scatter is d(d+1)/2 dot products summed in registers — no per-point read-modify-write of the
// d × d statistics.
import { blockedPass, BLOCK } from "./pass";

const ROW: usize = <usize>BLOCK << 3; // bytes of one work row

/** Z[a][i] = x_ia − mean_a for the block (column-major rows of the work area). */
// @ts-ignore: decorator
@inline function centre(x: usize, count: i32, ud: usize, mean: usize, work: usize): void {
  for (let a: usize = 0; a < ud; a++) {
    const za = work + a * ROW;
    const m = load<f64>(mean + (a << 3));
    let xi = x + (a << 3);
    for (let i = 0; i < count; i++) {
      store<f64>(za + (<usize>i << 3), load<f64>(xi) - m);
      xi += ud << 3;
    }
  }
}

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const work = params + 8;
  const q = work + ud * ROW; // ‖z‖² per point
  const compBytes = (<usize>1 + ud + ud * ud) << 3;
  const first = params + ((<usize>1 + (ud + 2) * <usize>BLOCK) << 3);
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const p = first + <usize>j * compBytes;
    const c = load<f64>(p);
    const L = p + 8 + (ud << 3);
    centre(x, count, ud, p + 8, work);
    memory.fill(q, 0, <usize>count << 3);
    for (let a: usize = 0; a < ud; a++) {
      const za = work + a * ROW;
      const row = L + ((a * ud) << 3);
      // Two columns b per sweep: half the loads and stores of Z[a].
      let b: usize = 0;
      for (; b + 1 < a; b += 2) {
        const l0 = load<f64>(row + (b << 3)), l1 = load<f64>(row + (b << 3), 8);
        const z0 = work + b * ROW, z1 = z0 + ROW;
        for (let i: usize = 0; i < <usize>count; i++) {
          const o = i << 3;
          store<f64>(za + o, load<f64>(za + o) - l0 * load<f64>(z0 + o) - l1 * load<f64>(z1 + o));
        }
      }
      if (b < a) {
        const l = load<f64>(row + (b << 3));
        const zb = work + b * ROW;
        for (let i: usize = 0; i < <usize>count; i++) store<f64>(za + (i << 3), load<f64>(za + (i << 3)) - l * load<f64>(zb + (i << 3)));
      }
      const inv = load<f64>(row + (a << 3));
      for (let i: usize = 0; i < <usize>count; i++) {
        const z = load<f64>(za + (i << 3)) * inv;
        store<f64>(za + (i << 3), z);
        store<f64>(q + (i << 3), load<f64>(q + (i << 3)) + z * z);
      }
    }
    let o = out + (<usize>j << 3);
    for (let i: usize = 0; i < <usize>count; i++) {
      store<f64>(o, c - 0.5 * load<f64>(q + (i << 3)));
      o += stride;
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const work = params + 8;
  const r = work + ud * ROW;      // responsibilities of component j, contiguous
  const wa = r + ROW;             // r_i · Z[a][i]
  const compBytes = (<usize>1 + ud + ud * ud) << 3;
  const first = params + ((<usize>1 + (ud + 2) * <usize>BLOCK) << 3);
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const s = stats + <usize>j * compBytes;
    const s1 = s + 8;
    const s2 = s1 + (ud << 3);
    centre(x, count, ud, first + <usize>j * compBytes + 8, work);
    let s0 = 0.0;
    let rp = resp + (<usize>j << 3);
    for (let i: usize = 0; i < <usize>count; i++) {
      const w = load<f64>(rp);
      store<f64>(r + (i << 3), w);
      s0 += w;
      rp += stride;
    }
    store<f64>(s, load<f64>(s) + s0);
    for (let a: usize = 0; a < ud; a++) {
      const za = work + a * ROW;
      let sum = 0.0;
      for (let i: usize = 0; i < <usize>count; i++) {
        const v = load<f64>(r + (i << 3)) * load<f64>(za + (i << 3));
        store<f64>(wa + (i << 3), v);
        sum += v;
      }
      store<f64>(s1 + (a << 3), load<f64>(s1 + (a << 3)) + sum);
      const row = s2 + ((a * ud) << 3);
      // Two dot products per sweep over the block: each r·Z[a] value is loaded once for both.
      let b: usize = 0;
      for (; b + 1 <= a; b += 2) {
        const z0 = work + b * ROW, z1 = z0 + ROW;
        let dot0 = 0.0, dot1 = 0.0;
        for (let i: usize = 0; i < <usize>count; i++) {
          const o = i << 3;
          const w = load<f64>(wa + o);
          dot0 += w * load<f64>(z0 + o);
          dot1 += w * load<f64>(z1 + o);
        }
        store<f64>(row + (b << 3), load<f64>(row + (b << 3)) + dot0);
        store<f64>(row + (b << 3), load<f64>(row + (b << 3), 8) + dot1, 8);
      }
      if (b == a) {
        const zb = work + b * ROW;
        let dot = 0.0;
        for (let i: usize = 0; i < <usize>count; i++) dot += load<f64>(wa + (i << 3)) * load<f64>(zb + (i << 3));
        store<f64>(row + (b << 3), load<f64>(row + (b << 3)) + dot);
      }
    }
  }
}

export function mvnFullPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const d = <i32>load<f64>(params);
  return blockedPass(logDensity, accumulate, x, d, aux, n, params, k, stats, k * (1 + d + d * d), scratch, respOut, labels, flags);
}
