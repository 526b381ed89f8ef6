// Multivariate Gaussian with a diagonal covariance per component (also "spherical": equal entries).
// Kernel parameters: header [d], then per component j: [c_j, mean_j (d), 1/σ²_j (d)] with
// c_j = log w_j − ½ Σ_a log σ²_ja − (d/2) log 2π, so log w_j + log N = c_j − ½ Σ_a (x_a − m_a)²/σ²_ja.
// Statistics per component about the current mean m: [Σ r, Σ r (x − m) (d), Σ r (x − m)² (d)].
import { blockedPass } from "./pass";

// Points are taken in pairs so each mean / inverse variance / statistic is loaded (and each
// statistic stored) once per two points.
function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + 2 * ud) << 3;
  const stride = <usize>k << 3;
  const rowBytes = ud << 3;
  for (let j = 0; j < k; j++) {
    const p = params + 8 + <usize>j * compBytes;
    const c = load<f64>(p);
    const mean = p + 8;
    const iv = mean + rowBytes;
    let o = out + (<usize>j << 3);
    let xi = x;
    let i = 0;
    for (; i + 1 < count; i += 2) {
      const xn = xi + rowBytes;
      let q0 = 0.0, q1 = 0.0;
      for (let a: usize = 0; a < ud; a++) {
        const m = load<f64>(mean + (a << 3)), v = load<f64>(iv + (a << 3));
        const e0 = load<f64>(xi + (a << 3)) - m, e1 = load<f64>(xn + (a << 3)) - m;
        q0 += e0 * e0 * v;
        q1 += e1 * e1 * v;
      }
      store<f64>(o, c - 0.5 * q0);
      store<f64>(o + stride, c - 0.5 * q1);
      o += stride << 1;
      xi += rowBytes << 1;
    }
    if (i < count) {
      let q = 0.0;
      for (let a: usize = 0; a < ud; a++) {
        const e = load<f64>(xi + (a << 3)) - load<f64>(mean + (a << 3));
        q += e * e * load<f64>(iv + (a << 3));
      }
      store<f64>(o, c - 0.5 * q);
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + 2 * ud) << 3;
  const stride = <usize>k << 3;
  const rowBytes = ud << 3;
  for (let j = 0; j < k; j++) {
    const mean = params + 8 + <usize>j * compBytes + 8;
    const s = stats + <usize>j * compBytes;
    const s1 = s + 8;
    const s2 = s1 + rowBytes;
    let r = resp + (<usize>j << 3);
    let xi = x;
    let s0 = 0.0;
    let i = 0;
    for (; i + 1 < count; i += 2) {
      const w0 = load<f64>(r), w1 = load<f64>(r + stride);
      const xn = xi + rowBytes;
      s0 += w0 + w1;
      for (let a: usize = 0; a < ud; a++) {
        const m = load<f64>(mean + (a << 3));
        const e0 = load<f64>(xi + (a << 3)) - m, e1 = load<f64>(xn + (a << 3)) - m;
        const we0 = w0 * e0, we1 = w1 * e1;
        store<f64>(s1 + (a << 3), load<f64>(s1 + (a << 3)) + (we0 + we1));
        store<f64>(s2 + (a << 3), load<f64>(s2 + (a << 3)) + (we0 * e0 + we1 * e1));
      }
      r += stride << 1;
      xi += rowBytes << 1;
    }
    if (i < count) {
      const w = load<f64>(r);
      s0 += w;
      for (let a: usize = 0; a < ud; a++) {
        const e = load<f64>(xi + (a << 3)) - load<f64>(mean + (a << 3));
        const we = w * e;
        store<f64>(s1 + (a << 3), load<f64>(s1 + (a << 3)) + we);
        store<f64>(s2 + (a << 3), load<f64>(s2 + (a << 3)) + we * e);
      }
    }
    store<f64>(s, load<f64>(s) + s0);
  }
}

export function mvnDiagPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const d = <i32>load<f64>(params);
  return blockedPass(logDensity, accumulate, x, d, aux, n, params, k, stats, k * (1 + 2 * d), scratch, respOut, labels, flags);
}
