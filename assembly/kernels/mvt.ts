// Student-t mixtures: family "t" (1-D: tPass, mvtDiagPass at d = 1 with its loops fused) and family "mvt" (mvtDiagPass for
// the diagonal and spherical scales, mvtFullPass for full and tied); tPass and mvtFullPass take powerPass for plain soft
// passes (the densities as powers, by squaring or from tables, without log or exp; at the end of this file).
//
// Component j: t_ν(x | μ, Σ) with p = dims, δ² = (x − μ)ᵀ Σ⁻¹ (x − μ) and
//   log w_j + log t = c_j − a_j · log(1 + δ²/ν),  a_j = (ν + p)/2,
//   c_j = log w_j + log Γ((ν+p)/2) − log Γ(ν/2) − (p/2) log(νπ) − ½ log|Σ|.
// E-step (Peel & McLachlan 2000, eqs. 9–10; Liu & Rubin 1995 §2): besides the responsibility τ, the
// expected latent scale weight u = E[U | x] = (ν + p)/(ν + δ²) = b/(1 + δ²/ν) with b = (ν + p)/ν,
// and E[log U | x] − log u = ψ((ν+p)/2) − log((ν+p)/2) (a constant of the component, added in
// TypeScript), so log u = log b − log(1 + δ²/ν) reuses the density's logarithm.
// Statistics per component j, about the current mean m, with q = log u − u and h = C + q
// (C = log(ν/2) − ψ(ν/2) − log((ν+p)/2) + ψ((ν+p)/2) + 1, so ½ Σ τ h = ∂L/∂ν, the ECME gradient):
//   [Σ τ, Σ τu, Σ τq, Σ τq², Σ τ(1 − u)², Σ τu (x − m) (d), Σ τu (x − m)(x − m)ᵀ (d × d lower, full;
//    d, diag), then, when the header asks for them (kc = k), Σ_i τ_ij h_ij τ_il h_il for l ≤ j (kc)].
// The last three kinds give ∂²L/∂ν_j∂ν_l for the ECME Newton step (src/families/student.ts).
// The M-step and the ν steps are in src/families/student.ts.
// Kernel parameters: a header [kc, ks] (kc: 0, or k for the cross sums; ks: 1 when the work area
// has room to keep 1 + δ²/ν and its log per component from the density loop for the statistics
// loop, 0 to recompute them), then per component
// [c, a, 1/ν, b, log b, C, mean (d), then 1/σ² (d, diag) or P = L⁻¹ (d × d, full: Σ = L Lᵀ,
// δ² = ‖P (x − m)‖², as in mvn_full.ts)].
// Work columns: diag 1 + 2·k·ks + kc (τ u per point, then 1 + δ²/ν and its log per component, then
// τh per component); full 2·d + 1 + 2·k·ks + kc (Z = x − m, W = τu·Z, δ² then τu, then as diag);
// then, for tPass and mvtFullPass with ks = 1, (2k + 1) for powerPass's tables (TABLE_BYTES per component, log c_i).
import { AccumulateFn, addHsum, BLOCK, blockedPass, blockWeights, COLUMN, F64, FLAG_ACCUMULATE, FLAG_HARD, FLAG_KEEP_STATS, FLAG_LIGHT, GROUP, LogDensityFn, normalize, plainPass, toColumns } from "../pass";
import { LN2_HI, LN2_HI_2, LN2_LO, LN2_LO_2, logv, ONE } from "../simd";
import { centreWeigh, scatter } from "../scatter";

const HEAD: usize = 6; // c, a, 1/ν, b, log b, C
const STAT_HEAD: usize = 5; // Σ τ, Σ τu, Σ τq, Σ τq², Σ τ(1 − u)²
/** Set by the density loops when they kept 1 + δ²/ν and its log; a labels pass (seeding) has none. */
let fresh = false;
/** The pass is tPass (family t), whose statistics loop is tAccumulate. */
let fused = false;
/** Set by powerPass around fullAccumulate: the kept columns hold 1 + δ²/ν but not its log. */
let noLog = false;
/** FLAG_LIGHT (an ECME search pass): the ν statistics only — mvt's Σ τu (x − m) and scatter left out (0). */
let light = false;

// ---- diagonal Σ (also the 1-D family t) ----

function diagDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  const ud = <usize>dims;
  const keep = load<f64>(params, 8) != 0;
  // ν fixed in a fit (kc = 0): tPass's statistics loop reads no log (mvtDiagPass's does).
  const keepLog = keep && (!fused || load<f64>(params) != 0);
  params += 2 * F64; // the header
  const kept = work + COLUMN; // 1 + δ²/ν (k columns), then its log (k columns)
  const compBytes = (HEAD + 2 * ud) * F64;
  const one = f64x2.splat(1.0);
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * compBytes;
    const c = v128.load64_splat(p), a = v128.load64_splat(p, 8), inu = v128.load64_splat(p, 16);
    const mean = p + HEAD * F64, iv = mean + ud * F64;
    const o = out + <usize>j * COLUMN;
    for (let i: usize = 0; i < <usize>count * F64; i += 32) {
      let q0 = f64x2.splat(0), q1 = q0;
      for (let t: usize = 0; t < ud; t++) {
        const m = v128.load64_splat(mean + t * F64), v = v128.load64_splat(iv + t * F64);
        const xa = x + t * COLUMN + i;
        const e0 = f64x2.sub(v128.load(xa), m), e1 = f64x2.sub(v128.load(xa, 16), m);
        q0 = f64x2.add(q0, f64x2.mul(f64x2.mul(e0, e0), v));
        q1 = f64x2.add(q1, f64x2.mul(f64x2.mul(e1, e1), v));
      }
      const y0 = f64x2.add(one, f64x2.mul(q0, inu)), y1 = f64x2.add(one, f64x2.mul(q1, inu));
      const l0 = logv(y0), l1 = logv(y1);
      v128.store(o + i, f64x2.sub(c, f64x2.mul(a, l0)));
      v128.store(o + i, f64x2.sub(c, f64x2.mul(a, l1)), 16);
      if (keep) {
        const yc = kept + <usize>j * COLUMN + i, lc = yc + <usize>k * COLUMN;
        v128.store(yc, y0); v128.store(yc, y1, 16);
        if (keepLog) { v128.store(lc, l0); v128.store(lc, l1, 16); }
      }
    }
  }
  fresh = keep;
}

function diagAccumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  const ud = <usize>dims;
  const kc = <usize>load<f64>(params), ks = <usize>load<f64>(params, 8);
  const kept = fresh ? work + COLUMN : 0, cross = work + (1 + 2 * ks * <usize>k) * COLUMN;
  fresh = false;
  params += 2 * F64;
  const compBytes = (HEAD + 2 * ud) * F64;
  const statBytes = (STAT_HEAD + 2 * ud + kc) * F64;
  const bytes = <usize>count * F64;
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * compBytes;
    const mean = p + HEAD * F64, iv = mean + ud * F64;
    const s = stats + <usize>j * statBytes;
    const s1 = s + STAT_HEAD * F64, s2 = s1 + ud * F64;
    const r = resp + <usize>j * COLUMN;
    // δ² per point (unless the density loop kept 1 + δ²/ν), then τu into the work column with the scalar sums.
    if (kept == 0) for (let i: usize = 0; i < bytes; i += 16) {
      let q = f64x2.splat(0);
      for (let t: usize = 0; t < ud; t++) {
        const e = f64x2.sub(v128.load(x + t * COLUMN + i), v128.load64_splat(mean + t * F64));
        q = f64x2.add(q, f64x2.mul(f64x2.mul(e, e), v128.load64_splat(iv + t * F64)));
      }
      v128.store(work + i, q);
    }
    scaleSums(work, r, bytes, p, s, kc == 0 ? 0 : cross + <usize>j * COLUMN, kept == 0 ? 0 : kept + <usize>j * COLUMN, <usize>k);
    if (light) continue;
    for (let t: usize = 0; t < ud; t++) {
      const m = v128.load64_splat(mean + t * F64);
      const xa = x + t * COLUMN;
      let t1 = f64x2.splat(0), t2 = t1, u1 = t1, u2 = t1;
      for (let i: usize = 0; i < bytes; i += 32) {
        const e0 = f64x2.sub(v128.load(xa + i), m), e1 = f64x2.sub(v128.load(xa + i, 16), m);
        const we0 = f64x2.mul(v128.load(work + i), e0), we1 = f64x2.mul(v128.load(work + i, 16), e1);
        t1 = f64x2.add(t1, we0); t2 = f64x2.add(t2, f64x2.mul(we0, e0));
        u1 = f64x2.add(u1, we1); u2 = f64x2.add(u2, f64x2.mul(we1, e1));
      }
      addHsum(s1 + t * F64, f64x2.add(t1, u1));
      addHsum(s2 + t * F64, f64x2.add(t2, u2));
    }
  }
  if (kc != 0) crossSums(cross, bytes, k, stats + (STAT_HEAD + 2 * ud) * F64, statBytes);
}

/**
 * From δ² at q (a column) — or, when y ≠ 0, from 1 + δ²/ν at y and its log k columns further — and τ
 * at r: τu into q, the five scalar sums into s (Σ τ, Σ τu, Σ τq, Σ τq², Σ τ(1 − u)²), and τh at v
 * unless v is 0. p: the component's parameters.
 */
function scaleSums(q: usize, r: usize, bytes: usize, p: usize, s: usize, v: usize, kept: usize, k: usize): void {
  const inu = v128.load64_splat(p, 16), b = v128.load64_splat(p, 24), lb = v128.load64_splat(p, 32), C = v128.load64_splat(p, 40);
  const one = f64x2.splat(1.0);
  let sr = f64x2.splat(0), su = sr, sq = sr, sqq = sr, sw = sr;
  if (noLog) {
    // powerPass (ν fixed): 1 + δ²/ν kept without its log; Σ τ, Σ τu and τu as below, the ν-only sums stay 0.
    for (let i: usize = 0; i < bytes; i += 16) {
      const ri = v128.load(r + i), w = f64x2.mul(ri, f64x2.div(b, v128.load(kept + i)));
      v128.store(q + i, w);
      sr = f64x2.add(sr, ri);
      su = f64x2.add(su, w);
    }
    addHsum(s, sr); addHsum(s + F64, su);
    return;
  }
  for (let i: usize = 0; i < bytes; i += 16) {
    let y: v128, ly: v128;
    if (kept != 0) {
      y = v128.load(kept + i);
      ly = v128.load(kept + k * COLUMN + i);
    } else {
      y = f64x2.add(one, f64x2.mul(v128.load(q + i), inu));
      ly = logv(y);
    }
    const u = f64x2.div(b, y);
    const lq = f64x2.sub(f64x2.sub(lb, ly), u); // log u − u
    const ri = v128.load(r + i);
    const rq = f64x2.mul(ri, lq);
    const w = f64x2.sub(one, u);
    v128.store(q + i, f64x2.mul(ri, u));
    if (v != 0) v128.store(v + i, f64x2.add(f64x2.mul(ri, C), rq));
    sr = f64x2.add(sr, ri);
    su = f64x2.add(su, v128.load(q + i));
    sq = f64x2.add(sq, rq);
    sqq = f64x2.add(sqq, f64x2.mul(rq, lq));
    sw = f64x2.add(sw, f64x2.mul(ri, f64x2.mul(w, w)));
  }
  addHsum(s, sr); addHsum(s + F64, su); addHsum(s + 2 * F64, sq); addHsum(s + 3 * F64, sqq); addHsum(s + 4 * F64, sw);
}

/**
 * Σ_i v_j,i v_l,i for l ≤ j into component j's cross sums (at m + j·statBytes + l·8); v: k columns.
 * With sample weights v holds w_i τ h, so each product is divided by w_i once (Σ_i w_i τ h τ h).
 */
function crossSums(v: usize, bytes: usize, k: i32, m: usize, statBytes: usize): void {
  if (blockWeights != 0) {
    for (let j = 0; j < k; j++) {
      const vj = v + <usize>j * COLUMN;
      for (let l = 0; l <= j; l++) {
        const vl = v + <usize>l * COLUMN;
        let d = 0.0;
        // A product is 0 for weight 0 and for the padded points (τ = 0): their weights are not read.
        for (let i: usize = 0; i < bytes; i += 8) {
          const product = load<f64>(vj + i) * load<f64>(vl + i);
          if (product != 0) d += product / load<f64>(blockWeights + i);
        }
        store<f64>(m + <usize>j * statBytes + <usize>l * F64, load<f64>(m + <usize>j * statBytes + <usize>l * F64) + d);
      }
    }
    return;
  }
  scatter(v, v, bytes, <usize>k, m, statBytes); // in register tiles, as the full kernels' scatter
}

export function mvtDiagPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  fresh = false;
  fused = false;
  light = (flags & FLAG_LIGHT) != 0;
  return blockedPass(diagDensity, diagAccumulate, 5 + 2 * dims + <i32>load<f64>(params), x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
}

// ---- 1-D (family t): the diagonal kernel at d = 1 with its statistics loops fused ----
// Same parameters, statistics and work columns as mvtDiagPass at dims = 1, and the same arithmetic
// in the same order (so the same bits); when the density loop kept 1 + δ²/ν (and its log), one loop
// per component computes u, the scalar sums, τh and Σ τu e, Σ τu e² (e = x − m) together, instead
// of scaleSums writing τu to a work column and a second loop reading it back with x. In a fit with
// ν fixed (header kc = 0, ks = 1) nothing reads the three ν statistics (Σ τq, Σ τq², Σ τ(1 − u)²):
// they stay 0, and the density loop keeps 1 + δ²/ν only (no log for the statistics loop).

function tAccumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  if (!fresh) { diagAccumulate(x, aux, count, dims, params, k, resp, stats, work); return; }
  fresh = false;
  const kc = <usize>load<f64>(params), ks = <usize>load<f64>(params, 8);
  const kept = work + COLUMN, cross = work + (1 + 2 * ks * <usize>k) * COLUMN;
  params += 2 * F64;
  const compBytes = (HEAD + 2) * F64;
  const statBytes = (STAT_HEAD + 2 + kc) * F64;
  const bytes = <usize>count * F64;
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * compBytes, s = stats + <usize>j * statBytes;
    const y = kept + <usize>j * COLUMN, r = resp + <usize>j * COLUMN;
    if (kc == 0) fixedSums(x, y, r, bytes, p, s);
    else tSums(x, y, y + <usize>k * COLUMN, r, bytes, p, s, cross + <usize>j * COLUMN);
  }
  if (kc != 0) crossSums(cross, bytes, k, stats + (STAT_HEAD + 2) * F64, statBytes);
}

/**
 * One component's statistics from 1 + δ²/ν at y, its log at ly and τ at r (scaleSums' scalar sums,
 * then Σ τu e and Σ τu e², e = x − m, in two chains as diagAccumulate): τh into v unless v is 0.
 */
// @ts-ignore: decorator
@inline function tSums(x: usize, y: usize, ly: usize, r: usize, bytes: usize, p: usize, s: usize, v: usize): void {
  const b = v128.load64_splat(p, 24), lb = v128.load64_splat(p, 32), C = v128.load64_splat(p, 40);
  const m = v128.load64_splat(p, HEAD * F64);
  const one = f64x2.splat(1.0);
  let sr = f64x2.splat(0), su = sr, sq = sr, sqq = sr, sw = sr, t1 = sr, t2 = sr, u1 = sr, u2 = sr;
  for (let i: usize = 0; i < bytes; i += 32) {
    const ua = f64x2.div(b, v128.load(y + i)), ub = f64x2.div(b, v128.load(y + i, 16));
    const qa = f64x2.sub(f64x2.sub(lb, v128.load(ly + i)), ua); // log u − u
    const qb = f64x2.sub(f64x2.sub(lb, v128.load(ly + i, 16)), ub);
    const ra = v128.load(r + i), rb = v128.load(r + i, 16);
    const rqa = f64x2.mul(ra, qa), rqb = f64x2.mul(rb, qb);
    const wa = f64x2.sub(one, ua), wb = f64x2.sub(one, ub);
    const rua = f64x2.mul(ra, ua), rub = f64x2.mul(rb, ub);
    if (v != 0) {
      v128.store(v + i, f64x2.add(f64x2.mul(ra, C), rqa));
      v128.store(v + i, f64x2.add(f64x2.mul(rb, C), rqb), 16);
    }
    sr = f64x2.add(f64x2.add(sr, ra), rb);
    su = f64x2.add(f64x2.add(su, rua), rub);
    sq = f64x2.add(f64x2.add(sq, rqa), rqb);
    sqq = f64x2.add(f64x2.add(sqq, f64x2.mul(rqa, qa)), f64x2.mul(rqb, qb));
    sw = f64x2.add(f64x2.add(sw, f64x2.mul(ra, f64x2.mul(wa, wa))), f64x2.mul(rb, f64x2.mul(wb, wb)));
    const ea = f64x2.sub(v128.load(x + i), m), eb = f64x2.sub(v128.load(x + i, 16), m);
    const wea = f64x2.mul(rua, ea), web = f64x2.mul(rub, eb);
    t1 = f64x2.add(t1, wea); t2 = f64x2.add(t2, f64x2.mul(wea, ea));
    u1 = f64x2.add(u1, web); u2 = f64x2.add(u2, f64x2.mul(web, eb));
  }
  addHsum(s, sr); addHsum(s + F64, su); addHsum(s + 2 * F64, sq); addHsum(s + 3 * F64, sqq); addHsum(s + 4 * F64, sw);
  addHsum(s + STAT_HEAD * F64, f64x2.add(t1, u1));
  addHsum(s + (STAT_HEAD + 1) * F64, f64x2.add(t2, u2));
}

/**
 * ν fixed: only what CM-step 1 reads — Σ τ, Σ τu, Σ τu e, Σ τu e² (as tSums computes them, so the
 * same bits); the three sums that only the ν steps read (Σ τq, Σ τq², Σ τ(1 − u)²) stay 0.
 */
// @ts-ignore: decorator
@inline function fixedSums(x: usize, y: usize, r: usize, bytes: usize, p: usize, s: usize): void {
  const b = v128.load64_splat(p, 24), m = v128.load64_splat(p, HEAD * F64);
  let sr = f64x2.splat(0), su = sr, t1 = sr, t2 = sr, u1 = sr, u2 = sr;
  for (let i: usize = 0; i < bytes; i += 32) {
    const ra = v128.load(r + i), rb = v128.load(r + i, 16);
    const rua = f64x2.mul(ra, f64x2.div(b, v128.load(y + i))), rub = f64x2.mul(rb, f64x2.div(b, v128.load(y + i, 16)));
    sr = f64x2.add(f64x2.add(sr, ra), rb);
    su = f64x2.add(f64x2.add(su, rua), rub);
    const ea = f64x2.sub(v128.load(x + i), m), eb = f64x2.sub(v128.load(x + i, 16), m);
    const wea = f64x2.mul(rua, ea), web = f64x2.mul(rub, eb);
    t1 = f64x2.add(t1, wea); t2 = f64x2.add(t2, f64x2.mul(wea, ea));
    u1 = f64x2.add(u1, web); u2 = f64x2.add(u2, f64x2.mul(web, eb));
  }
  addHsum(s, sr); addHsum(s + F64, su);
  addHsum(s + STAT_HEAD * F64, f64x2.add(t1, u1));
  addHsum(s + (STAT_HEAD + 1) * F64, f64x2.add(t2, u2));
}

/** Family t: mvtDiagPass at dims = 1, fused (above); with ν fixed at an integer, powerPass (below). */
export function tPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  fused = true;
  light = false; // its location sums cost little beside the ν statistics: always made
  return studentPass(x, aux, n, 1, params, k, stats, scratch, respOut, labels, flags, false);
}

// ---- full Σ (also tied) ----
// The triangular product is mvn_full.ts's (kernel files export only their pass, so that loop is
// repeated here); the statistics loops are shared (assembly/scatter.ts).

/** Z[a][i] = x_ai − mean_a for the block. */
function centre(x: usize, bytes: usize, ud: usize, mean: usize, work: usize): void {
  for (let a: usize = 0; a < ud; a++) {
    const m = v128.load64_splat(mean + a * F64);
    const xa = x + a * COLUMN, za = work + a * COLUMN;
    for (let i: usize = 0; i < bytes; i += 16) v128.store(za + i, f64x2.sub(v128.load(xa + i), m));
  }
}

/** q[i] = ‖P z_i‖² for the centred block Z (eight points per step, two columns of P at a time). */
function mahalanobis(work: usize, P: usize, bytes: usize, ud: usize, q: usize): void {
  for (let i: usize = 0; i < bytes; i += 64) {
    let q0 = f64x2.splat(0), q1 = q0, q2 = q0, q3 = q0;
    for (let a: usize = 0; a < ud; a++) {
      const row = P + a * ud * F64;
      let z0 = f64x2.splat(0), z1 = z0, z2 = z0, z3 = z0;
      let b: usize = 0;
      for (; b < a; b += 2) {
        const pb = v128.load64_splat(row + b * F64), pc = v128.load64_splat(row + b * F64, 8);
        const zb = work + b * COLUMN + i;
        z0 = f64x2.add(z0, f64x2.add(f64x2.mul(pb, v128.load(zb)), f64x2.mul(pc, v128.load(zb, COLUMN))));
        z1 = f64x2.add(z1, f64x2.add(f64x2.mul(pb, v128.load(zb, 16)), f64x2.mul(pc, v128.load(zb, COLUMN + 16))));
        z2 = f64x2.add(z2, f64x2.add(f64x2.mul(pb, v128.load(zb, 32)), f64x2.mul(pc, v128.load(zb, COLUMN + 32))));
        z3 = f64x2.add(z3, f64x2.add(f64x2.mul(pb, v128.load(zb, 48)), f64x2.mul(pc, v128.load(zb, COLUMN + 48))));
      }
      if (b == a) {
        const pb = v128.load64_splat(row + b * F64);
        const zb = work + b * COLUMN + i;
        z0 = f64x2.add(z0, f64x2.mul(pb, v128.load(zb)));
        z1 = f64x2.add(z1, f64x2.mul(pb, v128.load(zb, 16)));
        z2 = f64x2.add(z2, f64x2.mul(pb, v128.load(zb, 32)));
        z3 = f64x2.add(z3, f64x2.mul(pb, v128.load(zb, 48)));
      }
      q0 = f64x2.add(q0, f64x2.mul(z0, z0));
      q1 = f64x2.add(q1, f64x2.mul(z1, z1));
      q2 = f64x2.add(q2, f64x2.mul(z2, z2));
      q3 = f64x2.add(q3, f64x2.mul(z3, z3));
    }
    v128.store(q + i, q0);
    v128.store(q + i, q1, 16);
    v128.store(q + i, q2, 32);
    v128.store(q + i, q3, 48);
  }
}

function fullDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  const ud = <usize>dims;
  const keep = load<f64>(params, 8) != 0;
  params += 2 * F64; // the header
  const compBytes = (HEAD + ud + ud * ud) * F64;
  const bytes = <usize>count * F64;
  const q = work + 2 * ud * COLUMN;
  const one = f64x2.splat(1.0);
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * compBytes;
    const c = v128.load64_splat(p), a = v128.load64_splat(p, 8), inu = v128.load64_splat(p, 16);
    centre(x, bytes, ud, p + HEAD * F64, work);
    mahalanobis(work, p + (HEAD + ud) * F64, bytes, ud, q);
    const o = out + <usize>j * COLUMN;
    const yc = q + COLUMN + <usize>j * COLUMN, lc = yc + <usize>k * COLUMN;
    for (let i: usize = 0; i < bytes; i += 16) {
      const y = f64x2.add(one, f64x2.mul(v128.load(q + i), inu)), l = logv(y);
      v128.store(o + i, f64x2.sub(c, f64x2.mul(a, l)));
      if (keep) { v128.store(yc + i, y); v128.store(lc + i, l); }
    }
  }
  fresh = keep;
}

function fullAccumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  const ud = <usize>dims;
  const kc = <usize>load<f64>(params), ks = <usize>load<f64>(params, 8);
  params += 2 * F64;
  const weighted = work + ud * COLUMN, q = weighted + ud * COLUMN;
  const kept = fresh ? q + COLUMN : 0, v = q + (1 + 2 * ks * <usize>k) * COLUMN;
  fresh = false;
  const compBytes = (HEAD + ud + ud * ud) * F64;
  const statBytes = (STAT_HEAD + ud + ud * ud + kc) * F64;
  const bytes = <usize>count * F64;
  for (let j = 0; j < k; j++) {
    const p = params + <usize>j * compBytes;
    const s = stats + <usize>j * statBytes;
    const s1 = s + STAT_HEAD * F64, s2 = s1 + ud * F64;
    const r = resp + <usize>j * COLUMN;
    const mean = p + HEAD * F64;
    if (kept == 0) { // the density loop did not keep 1 + δ²/ν
      centre(x, bytes, ud, mean, work);
      mahalanobis(work, p + (HEAD + ud) * F64, bytes, ud, q);
    }
    scaleSums(q, r, bytes, p, s, kc == 0 ? 0 : v + <usize>j * COLUMN, kept == 0 ? 0 : kept + <usize>j * COLUMN, <usize>k);
    if (light) continue;
    // Z = x − m and W = τu·Z (τu in q), with S1_a = Σ W_a on the way, four coordinates per sweep.
    let c: usize = 0;
    for (; c + 4 <= ud; c += 4) centreWeigh(x, q, mean, work, weighted, c, bytes, 0, s1, 4, false);
    for (; c < ud; c++) centreWeigh(x, q, mean, work, weighted, c, bytes, 0, s1, 1, false);
    scatter(weighted, work, bytes, ud, s2, ud * F64); // S2[a][b] += Σ_i W_ai Z_bi for b ≤ a
  }
  if (kc != 0) crossSums(v, bytes, k, stats + (STAT_HEAD + ud + ud * ud) * F64, statBytes);
}

/** Family mvt, full and tied scales; with ν fixed at an integer, powerPass (below). */
export function mvtFullPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  fused = false;
  light = (flags & FLAG_LIGHT) != 0;
  return studentPass(x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags, true);
}

/**
 * tPass (full false: diagDensity, tAccumulate) or mvtFullPass (full: fullDensity, fullAccumulate):
 * the power path for plain soft passes where `powers` allows it (whole groups of 8 points, then the
 * rest the general way), blockedPass otherwise.
 */
function studentPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32, full: bool): f64 {
  fresh = false;
  const density: LogDensityFn = full ? fullDensity : diagDensity, accumulate: AccumulateFn = full ? fullAccumulate : tAccumulate;
  const statsPer = 5 + (full ? dims + dims * dims : 2) + <i32>load<f64>(params);
  const whole = n & ~(GROUP - 1);
  const cmax = labels == 0 && respOut == 0 && (flags & FLAG_HARD) == 0 && plainPass() ? powers(params, k, dims, full, whole) : NaN;
  if (isNaN(cmax)) return blockedPass(density, accumulate, statsPer, x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
  let ll = powerPass(x, whole, dims, params, k, stats, scratch, flags, statsPer, full, cmax, density, accumulate);
  if (whole < n) ll += blockedPass(density, accumulate, statsPer, x + <usize>whole * <usize>dims * F64, aux, n - whole, dims, params, k, stats, scratch, 0, 0, flags | FLAG_KEEP_STATS);
  return ll;
}

// ---- the densities as powers (families t and mvt with full or tied scales) ----
// w_j t(x | θ_j) = e^{c_j} y^{−a_j}, y = 1 + δ²/ν_j. With a_j = (ν_j + p)/2 a multiple of ½ (ν_j an
// integer), y^{−a_j} = 1 / (y^⌊a_j⌋ · √y^{2a_j mod 2}) takes multiplications, a square root at most and
// one division; any other a_j, and every component under ECME, takes the tables below. So a point's
// p_j = e^{c_j − c*} y^{−a_j} (c* = max_j c_j; every p_j ≤ 1), its responsibilities p_j / Σ_l p_l
// and its log-likelihood term c* + log Σ_l p_l, without the log of y and the exp of each
// log-density that the general pass takes. A block where some point's sum is
// below 2^−900 (an outlier far in every tail: its p_j may underflow) goes the general way instead.
// Only plain soft passes (1 + δ²/ν kept for the statistics) with every a ≤ A_LIMIT take this path, over
// whole groups of 8 points, and with tables (ν not an integer, or ECME) only calls on enough points to
// pay for them (TABLE_POINTS); everything else goes through blockedPass.

/** 2^−900: a sum below it sends its block the general way. */
const TINY: f64 = 1.1830521861667747e-271;

/**
 * a above it: y^⌊a⌋ (or y^w) by squaring carries about a/2 ulps, beside the few of the general pass's
 * exp(−a log y) — 7e-12 of the log-likelihood at ν = 10⁷, 1e-9 at 10⁹, 1e-12 at 6.67·10⁵ (a ≈ 2^18.3);
 * below 2^16 (ν up to ≈ 1.3·10⁵) within 5e-14 (test/student-power.test.ts).
 */
const A_LIMIT: f64 = 65536;
/**
 * Points a call needs before the tables pay: they cost ≈ 3.2 µs per component (192 exp, 128 log; 3.8
 * under ECME), a point·component saves ≈ 3.8 ns against the general pass with ν fixed, 2.3 ns under
 * ECME (its log y too): break-even ≈ 830 and 1650 points (tPass alone, K = 8 and 2, against the
 * general pass; docs/performance.md).
 */
const TABLE_POINTS: i32 = 1024, TABLE_POINTS_ECME: i32 = 1536;

/**
 * max_j c_j if the power path pays for these `points` (whole groups) and is exact to rounding: every
 * a = (ν + p)/2 in [½, A_LIMIT], y kept (ks = 1), finite c, and enough points when some component (every
 * one under ECME) takes the tables; else NaN.
 */
function powers(params: usize, k: i32, dims: i32, full: bool, points: i32): f64 {
  if (load<f64>(params, 8) != 1) return NaN;
  const ecme = load<f64>(params) != 0;
  let tabled = ecme;
  const compBytes = (HEAD + (full ? <usize>dims + <usize>dims * <usize>dims : 2 * <usize>dims)) * F64;
  let cmax = -Infinity;
  for (let j = 0; j < k; j++) {
    const p = params + 2 * F64 + <usize>j * compBytes, a = load<f64>(p, 8);
    if (!(a >= 0.5 && a <= A_LIMIT)) return NaN;
    if (2 * a != Math.floor(2 * a)) tabled = true;
    cmax = max(cmax, load<f64>(p));
  }
  if (tabled && (ecme ? TABLE_POINTS_ECME : TABLE_POINTS) > points) return NaN;
  return isFinite(cmax) ? cmax : NaN;
}

// ---- a = (ν + p)/2 not a multiple of ½: y^−a from tables ----
// y = 2^e · m (m ∈ [1, 2)), m = c_i (1 + r) with c_i the centre of m's 1/128-wide interval i (the
// mantissa's top 7 bits) and |r| ≤ 2^−8, so with a = a' + w (w = 0 for a ≤ A_MAX, else the whole
// number that leaves a' ∈ (A_MAX − 1, A_MAX])
//   g · y^−a = (g · 2^−a'·e) · c_i^−a' · (1 + r)^−a' / y^w,
// the first two factors from per-component tables (E[e] for e < 64, A[i] beside 1/c_i), the third
// its binomial series Σ_n C(−a', n) r^n to r^8 (remainder < |C(−a', 9)| 2^−72 / (1 − 2^−4) < 2^−54),
// y^w by squaring. A point with y ≥ 2^64 (beyond 2^32 scales from the mean) takes g · exp(−a log y).

const A_MAX: f64 = 12.5;
/** Bytes of one component's tables: 128 pairs (1/c_i, c_i^−a'), E[0..63], the series' C(−a', 1..8). */
const TABLE_BYTES: usize = 2 * COLUMN;
const E_AT: usize = 128 * 16, B_AT: usize = E_AT + 64 * F64;

/** The whole part w taken out of a before the tables (see above). */
// @ts-ignore: decorator
@inline function wholePart(a: f64): f64 { return a <= A_MAX ? 0 : Math.ceil(a - A_MAX); }

/** Component tables at t for a' (≤ A_MAX) and g = exp(gl) (gl ≤ 0). */
function powerTables(t: usize, a: f64, gl: f64): void {
  for (let i = 0; i < 128; i++) {
    const c = 1 + (<f64>i + 0.5) / 128;
    store<f64>(t + <usize>i * 16, 1 / c);
    store<f64>(t + <usize>i * 16, Math.exp(-a * Math.log(c)), 8);
  }
  // 2^−a'·e with a'·e = hi + lo exactly (a' split after 26 bits; e < 64), hi = n + d, |d| ≤ ½, n ≤ 800.
  const ah = reinterpret<f64>(reinterpret<u64>(a) & 0xfffffffff8000000), al = a - ah;
  for (let e = 0; e < 64; e++) {
    const hi = ah * <f64>e, n = Math.round(hi), d = (hi - n) + al * <f64>e;
    store<f64>(t + E_AT + <usize>e * F64, Math.exp(gl - d * Math.LN2) * reinterpret<f64>(<u64>(1023 - <i64>n) << 52));
  }
  let b = 1.0;
  for (let m = 1; m <= 8; m++) {
    b *= (-a - <f64>(m - 1)) / <f64>m;
    store<f64>(t + B_AT + <usize>(m - 1) * F64, b);
  }
}

/** log(1 + r) = r + r² (L0 + L1 r + (L2 + L3 r) r² + (L4 + L5 r) r⁴), L_n = (−1)^(n+1)/(n + 2), each in both lanes. */
const LOG1P = memory.data<f64>([-0.5, -0.5, 1.0 / 3, 1.0 / 3, -0.25, -0.25, 0.2, 0.2, -1.0 / 6, -1.0 / 6, 1.0 / 7, 1.0 / 7], 16);
const MANTISSA = memory.data<u64>([0x000fffffffffffff, 0x000fffffffffffff], 16);
const TOP7 = memory.data<u64>([0x000fe00000000000, 0x000fe00000000000], 16);
/** 1 + 2^−8: ones' bits with the half-interval bit. */
const CENTRE_BITS = memory.data<u64>([0x3ff0100000000000, 0x3ff0100000000000], 16);

/** p = g · y^−a (g = exp(gl)) for the block's y (bytes/8 values at y) into o, from the component's tables at t (see above). */
function tablePowers(y: usize, bytes: usize, t: usize, o: usize, a: f64, gl: f64, ly: usize, logc: usize): void {
  const b1 = v128.load64_splat(t + B_AT), b2 = v128.load64_splat(t + B_AT, 8), b3 = v128.load64_splat(t + B_AT, 16), b4 = v128.load64_splat(t + B_AT, 24);
  const b5 = v128.load64_splat(t + B_AT, 32), b6 = v128.load64_splat(t + B_AT, 40), b7 = v128.load64_splat(t + B_AT, 48), b8 = v128.load64_splat(t + B_AT, 56);
  const one = f64x2.splat(1.0), w = <i32>wholePart(a);
  const mant = v128.load(MANTISSA), ones = v128.load(ONE), top = v128.load(TOP7), centre = v128.load(CENTRE_BITS);
  const et = t + E_AT;
  for (let i: usize = 0; i < bytes; i += 16) {
    const v = v128.load(y + i);
    const ix = i64x2.shr_u(v, 45); // the biased exponent, then the interval
    const i0 = <usize>i64x2.extract_lane(ix, 0), i1 = <usize>i64x2.extract_lane(ix, 1);
    const e0 = (i0 >> 7) - 1023, e1 = (i1 >> 7) - 1023;
    const p0 = v128.load(t + ((i0 & 127) << 4)), p1 = v128.load(t + ((i1 & 127) << 4));
    const inv = v128.shuffle<f64>(p0, p1, 0, 2), A = v128.shuffle<f64>(p0, p1, 1, 3);
    const r = f64x2.mul(f64x2.sub(v128.or(v128.and(v, mant), ones), v128.or(v128.and(v, top), centre)), inv); // m/c_i − 1
    const r2 = f64x2.mul(r, r), r4 = f64x2.mul(r2, r2);
    const q01 = f64x2.add(f64x2.mul(b1, r), one), q23 = f64x2.add(f64x2.mul(b3, r), b2);
    const q45 = f64x2.add(f64x2.mul(b5, r), b4), q67 = f64x2.add(f64x2.mul(b7, r), b6);
    const q03 = f64x2.add(f64x2.mul(q23, r2), q01), q47 = f64x2.add(f64x2.mul(q67, r2), q45);
    const s = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(b8, r4), q47), r4), q03);
    const E = v128.load64_lane(et + (min(e1, 63) << 3), v128.load64_zero(et + (min(e0, 63) << 3)), 1);
    let p = f64x2.mul(f64x2.mul(E, A), s);
    if (ly != 0) { // ECME: log y = e ln 2 + log c_i + log(1 + r), the last to r^7 (remainder < 2^−67)
      const lc = v128.load64_lane(logc + ((i1 & 127) << 3), v128.load64_zero(logc + ((i0 & 127) << 3)), 1);
      const ev = f64x2.convert_low_i32x4_s(i32x4.replace_lane(i32x4.splat(<i32>e0), 1, <i32>e1));
      const l01 = f64x2.add(f64x2.mul(v128.load(LOG1P + 16), r), v128.load(LOG1P)); // 1/2 − r/3 … as pairs: ½ r² (…)
      const l23 = f64x2.add(f64x2.mul(v128.load(LOG1P + 48), r), v128.load(LOG1P + 32));
      const l45 = f64x2.add(f64x2.mul(v128.load(LOG1P + 80), r), v128.load(LOG1P + 64));
      const lr = f64x2.add(r, f64x2.mul(r2, f64x2.add(f64x2.add(l01, f64x2.mul(l23, r2)), f64x2.mul(l45, r4))));
      v128.store(ly + i, f64x2.add(f64x2.add(f64x2.mul(ev, v128.load(LN2_HI_2)), lc), f64x2.add(f64x2.mul(ev, v128.load(LN2_LO_2)), lr)));
    }
    if (w != 0) { // ÷ y^w, by squaring
      let u = one, b = v;
      for (let h = w; h != 0; h >>= 1) {
        if (h & 1) u = f64x2.mul(u, b);
        if (h > 1) b = f64x2.mul(b, b);
      }
      p = f64x2.div(p, u);
    }
    if ((e0 | e1) > 63) { // y ≥ 2^64 in some lane
      if (e0 > 63) p = f64x2.replace_lane(p, 0, Math.exp(gl - a * Math.log(f64x2.extract_lane(v, 0))));
      if (e1 > 63) p = f64x2.replace_lane(p, 1, Math.exp(gl - a * Math.log(f64x2.extract_lane(v, 1))));
    }
    v128.store(o + i, p);
  }
}

/**
 * n points (a multiple of GROUP) at x, dims values each (row-major): the statistics of tPass (dims = 1,
 * full false) or mvtFullPass (full), statsPer per component; returns their log-likelihood term.
 * Scratch as blockedPass lays it out.
 */
function powerPass(x: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, flags: i32, statsPer: i32, full: bool,
  cmax: f64, density: LogDensityFn, accumulate: AccumulateFn): f64 {
  const doStats = (flags & FLAG_ACCUMULATE) != 0;
  if (doStats && (flags & FLAG_KEEP_STATS) == 0) memory.fill(stats, 0, <usize>k * <usize>statsPer * F64);
  const ud = <usize>dims;
  const xCopy = scratch + <usize>k * COLUMN, work = xCopy + (ud + 4) * COLUMN;
  const comps = params + 2 * F64;
  const compBytes = (HEAD + (full ? ud + ud * ud : 2)) * F64;
  const q = work + 2 * ud * COLUMN; // full: δ² (fullDensity's work column)
  const kept = full ? q + COLUMN : work + COLUMN; // 1 + δ²/ν per component, for the statistics
  const one = f64x2.splat(1.0), tiny = f64x2.splat(TINY);
  // Σ log of the sums, per lane: their product, renormalised at every point, and its binary exponent.
  let prod = one, exponent = i64x2.splat(0);
  let total = 0.0, points = 0;
  // ν estimated (ECME: cross sums, kc = k): the statistics read log y too, so every component takes the tables.
  const kc = <usize>load<f64>(params), ecme = kc != 0;
  // Components with a not a multiple of ½ (every one under ECME): their tables, after the kept and
  // cross columns, then (ECME) log c_i for the 128 intervals.
  const tables = kept + (2 * <usize>k + kc) * COLUMN, logc = tables + <usize>k * TABLE_BYTES;
  for (let j = 0; j < k; j++) {
    const p = comps + <usize>j * compBytes, a = load<f64>(p, 8);
    if (ecme || 2 * a != Math.floor(2 * a)) powerTables(tables + <usize>j * TABLE_BYTES, a - wholePart(a), load<f64>(p) - cmax);
  }
  if (ecme) for (let i = 0; i < 128; i++) store<f64>(logc + <usize>i * F64, Math.log(1 + (<f64>i + 0.5) / 128));
  for (let start = 0; start < n; start += BLOCK) {
    const count = min(BLOCK, n - start), bytes = <usize>count * F64;
    let xb = x + <usize>start * ud * F64;
    if (ud > 1) {
      toColumns(xb, dims, count, count, xCopy);
      xb = xCopy;
    }
    // p_j into the k columns of scratch, y into the kept columns.
    for (let j = 0; j < k; j++) {
      const p = comps + <usize>j * compBytes;
      const a = load<f64>(p, 8), gl = load<f64>(p) - cmax;
      const inu = v128.load64_splat(p, 16);
      const h = <i32>(2 * a), half = (h & 1) != 0, whole = h >> 1;
      const o = scratch + <usize>j * COLUMN, yc = kept + <usize>j * COLUMN;
      if (full) {
        centre(xb, bytes, ud, p + HEAD * F64, work);
        mahalanobis(work, p + (HEAD + ud) * F64, bytes, ud, q);
      }
      const m = v128.load64_splat(p, HEAD * F64), v = v128.load64_splat(p, (HEAD + 1) * F64);
      const tabled = ecme || 2 * a != <f64>h; // y here, its power (and log) from the tables below
      const g = f64x2.splat(Math.exp(gl));
      if (tabled) {
        for (let i: usize = 0; i < bytes; i += 16) {
          let y: v128;
          if (full) y = f64x2.add(one, f64x2.mul(v128.load(q + i), inu)); // as below
          else {
            const e = f64x2.sub(v128.load(xb + i), m);
            y = f64x2.add(one, f64x2.mul(f64x2.mul(f64x2.mul(e, e), v), inu));
          }
          v128.store(yc + i, y);
        }
        tablePowers(yc, bytes, tables + <usize>j * TABLE_BYTES, o, a, gl, ecme ? yc + <usize>k * COLUMN : 0, logc);
        continue;
      }
      for (let i: usize = 0; i < bytes; i += 16) {
        let y: v128;
        if (full) y = f64x2.add(one, f64x2.mul(v128.load(q + i), inu)); // as fullDensity
        else {
          const e = f64x2.sub(v128.load(xb + i), m);
          y = f64x2.add(one, f64x2.mul(f64x2.mul(f64x2.mul(e, e), v), inu)); // diagDensity's y at d = 1
        }
        v128.store(yc + i, y);
        // y^⌊a⌋ by squaring, times √y when a is not whole.
        let r = half ? f64x2.sqrt(y) : one, b = y;
        for (let w = whole; w != 0; w >>= 1) {
          if (w & 1) r = f64x2.mul(r, b);
          if (w > 1) b = f64x2.mul(b, b);
        }
        v128.store(o + i, f64x2.div(g, r));
      }
    }
    // Sums, responsibilities and the running product of the sums (as normalize's, renormalised at every point).
    const last = scratch + <usize>(k - 1) * COLUMN;
    let ok = true;
    let pr = prod, ex = exponent;
    for (let i: usize = 0; i < bytes; i += 16) {
      let s = v128.load(scratch + i);
      for (let c = scratch + COLUMN + i; c <= last + i; c += COLUMN) s = f64x2.add(s, v128.load(c));
      if (!i64x2.all_true(f64x2.ge(s, tiny))) { ok = false; break; }
      const inv = f64x2.div(one, s);
      for (let c = scratch + i; c <= last + i; c += COLUMN) v128.store(c, f64x2.mul(v128.load(c), inv));
      pr = f64x2.mul(pr, s);
      ex = i64x2.add(ex, i64x2.sub(i64x2.shr_u(pr, 52), i64x2.splat(1023)));
      pr = v128.or(v128.and(pr, i64x2.splat(0x000fffffffffffff)), i64x2.splat(0x3ff0000000000000));
    }
    if (ok) {
      prod = pr; exponent = ex;
      points += count;
    } else {
      // Some point far in every tail: this block the general way (its columns are rewritten).
      density(xb, 0, count, dims, params, k, scratch, work);
      total += normalize(scratch, count, k, false);
    }
    fresh = true;
    noLog = ok && !ecme; // (fullAccumulate's scaleSums) a block gone the general way, or under ECME, has its logs
    if (doStats) accumulate(xb, 0, count, dims, params, k, scratch, stats, work);
    noLog = false;
  }
  // Σ log s = log(product) + exponent·ln 2 per lane (ln 2 in two parts: e·LN2_HI is exact), plus c* per point.
  const e = <f64>(i64x2.extract_lane(exponent, 0) + i64x2.extract_lane(exponent, 1));
  const logProd = Math.log(f64x2.extract_lane(prod, 0)) + Math.log(f64x2.extract_lane(prod, 1));
  return total + (<f64>points * cmax + (logProd + (e * LN2_HI + e * LN2_LO)));
}
