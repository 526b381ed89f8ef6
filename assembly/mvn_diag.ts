// Multivariate Gaussian with a diagonal covariance per component (also "spherical": equal entries).
// Kernel parameters: header [d], then per component j: [c_j, mean_j (d), 1/σ²_j (d)] with
// c_j = log w_j − ½ Σ_a log σ²_ja − (d/2) log 2π, so log w_j + log N = c_j − ½ Σ_a (x_a − m_a)²/σ²_ja.
// Statistics per component about the current mean m: [Σ r, Σ r (x − m) (d), Σ r (x − m)² (d)].
import { blockedPass } from "./pass";

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + 2 * ud) << 3;
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const p = params + 8 + <usize>j * compBytes;
    const c = load<f64>(p);
    const mean = p + 8;
    const iv = mean + (ud << 3);
    let o = out + (<usize>j << 3);
    let xi = x;
    for (let i = 0; i < count; i++) {
      let q = 0.0;
      for (let a: usize = 0; a < ud; a++) {
        const diff = load<f64>(xi + (a << 3)) - load<f64>(mean + (a << 3));
        q += diff * diff * load<f64>(iv + (a << 3));
      }
      store<f64>(o, c - 0.5 * q);
      o += stride;
      xi += ud << 3;
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const ud = <usize><i32>load<f64>(params);
  const compBytes = (<usize>1 + 2 * ud) << 3;
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const mean = params + 8 + <usize>j * compBytes + 8;
    const s = stats + <usize>j * compBytes;
    const s1 = s + 8;
    const s2 = s1 + (ud << 3);
    let r = resp + (<usize>j << 3);
    let xi = x;
    let s0 = 0.0;
    for (let i = 0; i < count; i++) {
      const w = load<f64>(r);
      s0 += w;
      for (let a: usize = 0; a < ud; a++) {
        const diff = load<f64>(xi + (a << 3)) - load<f64>(mean + (a << 3));
        const wd = w * diff;
        store<f64>(s1 + (a << 3), load<f64>(s1 + (a << 3)) + wd);
        store<f64>(s2 + (a << 3), load<f64>(s2 + (a << 3)) + wd * diff);
      }
      r += stride;
      xi += ud << 3;
    }
    store<f64>(s, load<f64>(s) + s0);
  }
}

export function mvnDiagPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const d = <i32>load<f64>(params);
  return blockedPass(logDensity, accumulate, x, d, aux, n, params, k, stats, k * (1 + 2 * d), scratch, respOut, labels, flags);
}
