// EM over observed margins for the multivariate Gaussian (Ghahramani & Jordan 1994; Little & Rubin
// 2002, ch. 11). For a row with observed dimensions o and missing m, and component j (mean μ, Σ):
//   E-step   p(x_o | j) = N(x_o; μ_o, Σ_oo): the kernel in q = |o| dimensions with P = L_oo⁻¹;
//   M-step   with z = x_o − μ_o, B = Σ_mo Σ_oo⁻¹ and C = Σ_mm − Σ_mo Σ_oo⁻¹ Σ_om,
//            E[x − μ | x_o] = (z, B z) and E[(x − μ)(x − μ)ᵀ | x_o] = A z zᵀ Aᵀ + [0 0; 0 C], A = [I; B],
// so a pattern's statistics about μ follow from the margin's own (Σ r, Σ r z, Σ r z zᵀ):
//   S1 = (S1_o, B S1_o), S2 = [S2_o, S2_o Bᵀ; B S2_o, B S2_o Bᵀ + (Σ r) C].
// With Σ_oo⁻¹ = PᵀP: G = Σ_mo Pᵀ, B = G P, C = Σ_mm − G Gᵀ. Diagonal models: B = 0, C = diag(σ²_m).
// The complete-data M-step of every covariance model then runs on these expected statistics.
import type { Margin } from "../../family.js";
import { cholesky, inverseCholesky } from "../../linalg.js";
import { LOG_2PI } from "../shared.js";
import * as M from "../../math.js";

export function mvMargin(d: number, T: number, dense: boolean, notPositiveDefinite: (j: number) => Error): Margin {
  // Scratch for one pattern (q + r = d): Σ_oo and its factor, G and B (r × q), S2_o B ᵀ's rows H, C.
  const sigma = new Float64Array(d * d), factor = new Float64Array(d * d);
  const G = new Float64Array(d * d), B = new Float64Array(d * d), H = new Float64Array(d * d), C = new Float64Array(d * d);
  const S = dense ? 1 + d + d * d : 1 + 2 * d;
  const cov = (theta: Float64Array, t: number, a: number, b: number) => theta[t + d + a * d + b];

  /** G = Σ_mo Pᵀ, B = G P, C = Σ_mm − G Gᵀ for component j, from P (q × q lower, at params[p]). */
  const regression = (theta: Float64Array, t: number, obs: Int32Array, mis: Int32Array, P: Float64Array, p: number) => {
    const q = obs.length, r = mis.length;
    for (let m = 0; m < r; m++)
      for (let c = 0; c < q; c++) {
        let g = 0;
        for (let b = 0; b <= c; b++) g += cov(theta, t, mis[m], obs[b]) * P[p + c * q + b];
        G[m * q + c] = g;
      }
    for (let m = 0; m < r; m++)
      for (let b = 0; b < q; b++) {
        let v = 0;
        for (let c = b; c < q; c++) v += G[m * q + c] * P[p + c * q + b];
        B[m * q + b] = v;
      }
    for (let m = 0; m < r; m++)
      for (let l = 0; l <= m; l++) {
        let v = cov(theta, t, mis[m], mis[l]);
        for (let c = 0; c < q; c++) v -= G[m * q + c] * G[l * q + c];
        C[m * r + l] = v;
        C[l * r + m] = v;
      }
  };

  return {
    // [c_j, μ_o, P_oo = L_oo⁻¹] (dense) or [c_j, μ_o, 1/σ²_o] (diagonal), c_j = log w_j − ½ log|Σ_oo| − (q/2) log 2π.
    pack(theta, logWeights, obs, params) {
      const q = obs.length, So = dense ? 1 + q + q * q : 1 + 2 * q;
      for (let j = 0; j < logWeights.length; j++) {
        const at = j * So, t = j * T;
        for (let b = 0; b < q; b++) params[at + 1 + b] = theta[t + obs[b]];
        let logDet = 0;
        if (dense) {
          for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) sigma[a * q + b] = cov(theta, t, obs[a], obs[b]);
          const ld = inverseCholesky(sigma, 0, q, params, at + 1 + q, factor);
          if (ld === null) throw notPositiveDefinite(j);
          logDet = ld;
        } else {
          for (let b = 0; b < q; b++) {
            const v = cov(theta, t, obs[b], obs[b]);
            logDet += M.log(v);
            params[at + 1 + q + b] = 1 / v;
          }
        }
        params[at] = logWeights[j] - 0.5 * logDet - 0.5 * q * LOG_2PI;
      }
    },

    expand(theta, k, obs, mis, params, sub, stats) {
      const q = obs.length, r = mis.length, So = dense ? 1 + q + q * q : 1 + 2 * q;
      for (let j = 0; j < k; j++) {
        const so = j * So, s = j * S, t = j * T, n = sub[so];
        if (!(n > 0)) continue;
        stats[s] += n;
        if (!dense) {
          for (let b = 0; b < q; b++) {
            stats[s + 1 + obs[b]] += sub[so + 1 + b];
            stats[s + 1 + d + obs[b]] += sub[so + 1 + q + b];
          }
          for (let m = 0; m < r; m++) stats[s + 1 + d + mis[m]] += n * cov(theta, t, mis[m], mis[m]);
          continue;
        }
        regression(theta, t, obs, mis, params, so + 1 + q);
        // The margin's S2 has its lower triangle filled: entry (a, b) is read at (max, min).
        const S1 = so + 1, S2 = so + 1 + q, F = s + 1 + d;
        for (let a = 0; a < q; a++) {
          stats[s + 1 + obs[a]] += sub[S1 + a];
          for (let b = 0; b < q; b++) stats[F + obs[a] * d + obs[b]] += a >= b ? sub[S2 + a * q + b] : sub[S2 + b * q + a];
        }
        for (let m = 0; m < r; m++) {
          let v = 0;
          for (let b = 0; b < q; b++) v += B[m * q + b] * sub[S1 + b];
          stats[s + 1 + mis[m]] += v;
          for (let b = 0; b < q; b++) {
            let h = 0;
            for (let c = 0; c < q; c++) h += B[m * q + c] * (c >= b ? sub[S2 + c * q + b] : sub[S2 + b * q + c]);
            H[m * q + b] = h;
            stats[F + mis[m] * d + obs[b]] += h;
            stats[F + obs[b] * d + mis[m]] += h;
          }
        }
        for (let m = 0; m < r; m++)
          for (let l = 0; l < r; l++) {
            let v = n * C[m * r + l];
            for (let b = 0; b < q; b++) v += H[m * q + b] * B[l * q + b];
            stats[F + mis[m] * d + mis[l]] += v;
          }
      }
    },

    conditional(theta, j, obs, mis) {
      const q = obs.length, r = mis.length, t = j * T;
      const mean = new Float64Array(d);
      for (let a = 0; a < d; a++) mean[a] = theta[t + a];
      let b: Float64Array, lc: Float64Array;
      if (dense) {
        for (let a = 0; a < q; a++) for (let c = 0; c < q; c++) sigma[a * q + c] = cov(theta, t, obs[a], obs[c]);
        const P = new Float64Array(q * q);
        if (inverseCholesky(sigma, 0, q, P, 0, factor) === null) throw notPositiveDefinite(j);
        regression(theta, t, obs, mis, P, 0);
        b = B.slice(0, r * q);
        lc = cholesky(C.slice(0, r * r), r) ?? new Float64Array(r * r); // C is positive definite when Σ is (a Schur complement)
      } else {
        b = new Float64Array(r * q);
        lc = new Float64Array(r * r);
        for (let m = 0; m < r; m++) lc[m * r + m] = Math.sqrt(cov(theta, t, mis[m], mis[m]));
      }
      const z = new Float64Array(q), e = new Float64Array(r);
      const fill = (row: Float64Array, out: Float64Array) => {
        for (let c = 0; c < q; c++) z[c] = row[obs[c]] - mean[obs[c]];
        for (let m = 0; m < r; m++) {
          let v = mean[mis[m]];
          for (let c = 0; c < q; c++) v += b[m * q + c] * z[c];
          out[mis[m]] = v;
        }
      };
      return {
        mean: fill,
        draw(row, rng, out) {
          fill(row, out);
          for (let m = 0; m < r; m++) e[m] = rng.normal();
          for (let m = 0; m < r; m++) {
            let v = 0;
            for (let l = 0; l <= m; l++) v += lc[m * r + l] * e[l];
            out[mis[m]] += v;
          }
        },
      };
    },
  };
}
