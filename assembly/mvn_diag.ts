// Multivariate Gaussian with a diagonal covariance per component (also "spherical": equal entries).
// Kernel parameters: header [d], then per component j: [c_j, mean_j (d), 1/σ²_j (d)] with
// c_j = log w_j − ½ Σ_a log σ²_ja − (d/2) log 2π, so log w_j + log N = c_j − ½ Σ_a (x_a − m_a)²/σ²_ja.
// Statistics per component about the current mean m: [Σ r, Σ r (x − m) (d), Σ r (x − m)² (d)].
// The block arrives column-major, so each coordinate's loop runs over contiguous points, two per
// vector, four per step (two independent chains).
import { blockedPass, COLUMN } from "./pass";
import { hsum } from "./simd";

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + 2 * ud) << 3;
  const half = f64x2.splat(0.5);
  for (let j = 0; j < k; j++) {
    const p = params + 8 + <usize>j * compBytes;
    const c = v128.load64_splat(p);
    const mean = p + 8, iv = mean + (ud << 3);
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count << 3; i += 32) {
      let q0 = f64x2.splat(0), q1 = q0;
      for (let a: usize = 0; a < ud; a++) {
        const m = v128.load64_splat(mean + (a << 3)), v = v128.load64_splat(iv + (a << 3));
        const xa = x + a * COLUMN + i;
        const e0 = f64x2.sub(v128.load(xa), m), e1 = f64x2.sub(v128.load(xa, 16), m);
        q0 = f64x2.add(q0, f64x2.mul(f64x2.mul(e0, e0), v));
        q1 = f64x2.add(q1, f64x2.mul(f64x2.mul(e1, e1), v));
      }
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q0)));
      v128.store(o + i, f64x2.sub(c, f64x2.mul(half, q1)), 16);
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + 2 * ud) << 3;
  const bytes = <usize>count << 3;
  for (let j = 0; j < k; j++) {
    const mean = params + 8 + <usize>j * compBytes + 8;
    const s = stats + <usize>j * compBytes;
    const s1 = s + 8, s2 = s1 + (ud << 3);
    const r = resp + <usize>j * COLUMN;
    let s0 = f64x2.splat(0);
    for (let i: usize = 0; i < bytes; i += 16) s0 = f64x2.add(s0, v128.load(r + i));
    store<f64>(s, load<f64>(s) + hsum(s0));
    for (let a: usize = 0; a < ud; a++) {
      const m = v128.load64_splat(mean + (a << 3));
      const xa = x + a * COLUMN;
      let t1 = f64x2.splat(0), t2 = t1, u1 = t1, u2 = t1;
      for (let i: usize = 0; i < bytes; i += 32) {
        const e0 = f64x2.sub(v128.load(xa + i), m), e1 = f64x2.sub(v128.load(xa + i, 16), m);
        const we0 = f64x2.mul(v128.load(r + i), e0), we1 = f64x2.mul(v128.load(r + i, 16), e1);
        t1 = f64x2.add(t1, we0); t2 = f64x2.add(t2, f64x2.mul(we0, e0));
        u1 = f64x2.add(u1, we1); u2 = f64x2.add(u2, f64x2.mul(we1, e1));
      }
      store<f64>(s1 + (a << 3), load<f64>(s1 + (a << 3)) + hsum(f64x2.add(t1, u1)));
      store<f64>(s2 + (a << 3), load<f64>(s2 + (a << 3)) + hsum(f64x2.add(t2, u2)));
    }
  }
}

export function mvnDiagPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const d = <i32>load<f64>(params);
  return blockedPass(logDensity, accumulate, x, d, aux, n, params, k, stats, k * (1 + 2 * d), scratch, respOut, labels, flags);
}
