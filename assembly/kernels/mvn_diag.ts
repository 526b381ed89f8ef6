// Multivariate Gaussian with a diagonal covariance per component (also "spherical": equal entries).
// Kernel parameters per component j (no header): [c_j, mean_j (dims), 1/σ²_j (dims)] with
// c_j = log w_j − ½ Σ_a log σ²_ja − (d/2) log 2π, so log w_j + log N = c_j − ½ Σ_a (x_a − m_a)²/σ²_ja.
// Statistics per component about the current mean m: [Σ r, Σ r (x − m) (dims), Σ r (x − m)² (dims)].
// No work columns.
// The block arrives column-major, so each coordinate's loop runs over contiguous points, two per
// vector, four per step (two independent chains).
import { addColumnSum, addHsum, blockedPass, COLUMN, F64 } from "../pass";

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  const ud = <usize>dims;
  const compBytes = (<usize>1 + 2 * ud) * F64;
  const half = f64x2.splat(0.5);
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * compBytes;
    const c = v128.load64_splat(p);
    const mean = p + F64, iv = mean + ud * F64;
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count * F64; i += 32) {
      let q0 = f64x2.splat(0), q1 = q0;
      for (let a: usize = 0; a < ud; a++) {
        const m = v128.load64_splat(mean + a * F64), v = v128.load64_splat(iv + a * F64);
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

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  const ud = <usize>dims;
  const compBytes = (<usize>1 + 2 * ud) * F64; // params and stats alike
  const bytes = <usize>count * F64;
  for (let j = 0; j < k; j++) {
    const mean = params + <usize>j * compBytes + F64;
    const s = stats + <usize>j * compBytes;
    const s1 = s + F64, s2 = s1 + ud * F64;
    const r = resp + <usize>j * COLUMN;
    addColumnSum(s, r, bytes);
    for (let a: usize = 0; a < ud; a++) {
      const m = v128.load64_splat(mean + a * F64);
      const xa = x + a * COLUMN;
      let t1 = f64x2.splat(0), t2 = t1, u1 = t1, u2 = t1;
      for (let i: usize = 0; i < bytes; i += 32) {
        const e0 = f64x2.sub(v128.load(xa + i), m), e1 = f64x2.sub(v128.load(xa + i, 16), m);
        const we0 = f64x2.mul(v128.load(r + i), e0), we1 = f64x2.mul(v128.load(r + i, 16), e1);
        t1 = f64x2.add(t1, we0); t2 = f64x2.add(t2, f64x2.mul(we0, e0));
        u1 = f64x2.add(u1, we1); u2 = f64x2.add(u2, f64x2.mul(we1, e1));
      }
      addHsum(s1 + a * F64, f64x2.add(t1, u1));
      addHsum(s2 + a * F64, f64x2.add(t2, u2));
    }
  }
}

export function mvnDiagPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  return blockedPass(logDensity, accumulate, 1 + 2 * dims, x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
}
