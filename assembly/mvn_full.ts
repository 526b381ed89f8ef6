// Multivariate Gaussian with a full covariance per component (also "tied": the same factor k times).
// Kernel parameters: header [d, work_0 … work_{d−1}], then per component j:
//   [c_j, mean_j (d), L_j (d × d, row-major, lower triangle)] where Σ_j = L_j L_jᵀ (Cholesky) and the
//   diagonal of L_j is stored inverted (1 / L_aa) so the solve multiplies instead of divides;
//   c_j = log w_j − ½ log|Σ_j| − (d/2) log 2π.
// log w_j + log N(x | mean_j, Σ_j) = c_j − ½ ‖z‖², where L_j z = x − mean_j (forward substitution:
// the Mahalanobis distance without forming Σ_j⁻¹).
// Statistics per component, about the current mean m: [Σ r, Σ r (x − m) (d), Σ r (x − m)(x − m)ᵀ
// (d × d, lower triangle filled)].
import { blockedPass } from "./pass";

function logDensity(x: usize, aux: usize, count: i32, params: usize, k: i32, out: usize): void {
  const d = <i32>load<f64>(params);
  const ud = <usize>d;
  const work = params + 8;
  const compBytes = (<usize>1 + ud + ud * ud) << 3;
  const first = params + ((1 + ud) << 3);
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const p = first + <usize>j * compBytes;
    const c = load<f64>(p);
    const mean = p + 8;
    const L = mean + (ud << 3);
    let o = out + (<usize>j << 3);
    let xi = x;
    for (let i = 0; i < count; i++) {
      let maha = 0.0;
      for (let a: usize = 0; a < ud; a++) {
        const row = L + ((a * ud) << 3);
        let s = load<f64>(xi + (a << 3)) - load<f64>(mean + (a << 3));
        for (let b: usize = 0; b < a; b++) s -= load<f64>(row + (b << 3)) * load<f64>(work + (b << 3));
        const z = s * load<f64>(row + (a << 3));
        store<f64>(work + (a << 3), z);
        maha += z * z;
      }
      store<f64>(o, c - 0.5 * maha);
      o += stride;
      xi += ud << 3;
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, params: usize, k: i32, resp: usize, stats: usize): void {
  const d = <i32>load<f64>(params);
  const ud = <usize>d;
  const work = params + 8;
  const compBytes = (<usize>1 + ud + ud * ud) << 3;
  const first = params + ((1 + ud) << 3);
  const stride = <usize>k << 3;
  for (let j = 0; j < k; j++) {
    const mean = first + <usize>j * compBytes + 8;
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
        store<f64>(work + (a << 3), diff);
        store<f64>(s1 + (a << 3), load<f64>(s1 + (a << 3)) + wd);
        const row = s2 + ((a * ud) << 3);
        for (let b: usize = 0; b <= a; b++) store<f64>(row + (b << 3), load<f64>(row + (b << 3)) + wd * load<f64>(work + (b << 3)));
      }
      r += stride;
      xi += ud << 3;
    }
    store<f64>(s, load<f64>(s) + s0);
  }
}

export function mvnFullPass(x: usize, aux: usize, n: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const d = <i32>load<f64>(params);
  return blockedPass(logDensity, accumulate, x, d, aux, n, params, k, stats, k * (1 + d + d * d), scratch, respOut, labels, flags);
}
