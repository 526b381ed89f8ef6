// Two-lane (f64x2) helpers for the kernels: a vectorised exp and a horizontal sum.
//
// expv(x) = 2^q · e^s with q = round(x / ln 2), s = x − q·ln 2 (Cody–Waite: ln 2 in two parts, the
// first with 32 significant bits so q·LN2_HI is exact for |q| < 2^21), |s| ≤ ½ ln 2, and
// e^s = 1 + s + s²·u(s) with u the degree-10 minimax polynomial of SLEEF's xexp (Shibata & Petrogalli,
// 2020), evaluated with Estrin's scheme (the Horner chain made the loops latency-bound).
// 2^q is applied as 2^q1 · 2^(q − q1), q1 = round(q/2), so that results in the subnormal range and q = 1024 need no
// branch. x is clamped to [−1080, 710] first: below −745.14 the result rounds to 0, above 709.79 to ∞.
// Error against Math.exp: at most 1 ulp on [−745, 709.78] (test/simd-exp.test.ts measures it on a
// dense grid and at the extremes); exp(0) = 1 exactly; NaN → NaN; −∞ → 0; +∞ → ∞.
//
// Constants sit in memory as lane pairs: a v128.load is one instruction where V8 builds a v128.const
// from three.

/** ln 2 = LN2_HI + LN2_LO, LN2_HI with 32 significant bits (so q·LN2_HI is exact for |q| < 2^21). */
export const LN2_HI: f64 = 6.93147180369123816490e-01;
export const LN2_LO: f64 = 1.90821492927058770002e-10;

// Each constant in both lanes, 16-byte aligned.
const X_MIN = memory.data<f64>([-1080.0, -1080.0], 16);
const X_MAX = memory.data<f64>([710.0, 710.0], 16);
const INV_LN2 = memory.data<f64>([1.44269504088896338700e+00, 1.44269504088896338700e+00], 16);
/** 1.5·2^52: x + it rounds x to an integer held in the low bits. */
const ROUND_MAGIC = memory.data<f64>([6755399441055744.0, 6755399441055744.0], 16);
/** LN2_HI, LN2_LO and 1 in both lanes (also for the Student-t kernel's log y). */
export const LN2_HI_2 = memory.data<f64>([LN2_HI, LN2_HI], 16);
export const LN2_LO_2 = memory.data<f64>([LN2_LO, LN2_LO], 16);
// u(s) = U10·s^10 + … + U0.
const U10 = memory.data<f64>([2.08860621107283687536341e-09, 2.08860621107283687536341e-09], 16);
const U9 = memory.data<f64>([2.51112930892876518610661e-08, 2.51112930892876518610661e-08], 16);
const U8 = memory.data<f64>([2.75573911234900471893338e-07, 2.75573911234900471893338e-07], 16);
const U7 = memory.data<f64>([2.75572362911928827629423e-06, 2.75572362911928827629423e-06], 16);
const U6 = memory.data<f64>([2.4801587159235472998791e-05, 2.4801587159235472998791e-05], 16);
const U5 = memory.data<f64>([0.000198412698960509205564975, 0.000198412698960509205564975], 16);
const U4 = memory.data<f64>([0.00138888888889774492207962, 0.00138888888889774492207962], 16);
const U3 = memory.data<f64>([0.00833333333331652721664984, 0.00833333333331652721664984], 16);
const U2 = memory.data<f64>([0.0416666666666665047591422, 0.0416666666666665047591422], 16);
const U1 = memory.data<f64>([0.166666666666666851703837, 0.166666666666666851703837], 16);
const HALF = memory.data<f64>([0.5, 0.5], 16); // also U0
export const ONE = memory.data<f64>([1.0, 1.0], 16);

/** e^x in both lanes (see above). */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  const xc = f64x2.pmin(f64x2.pmax(x, v128.load(X_MIN)), v128.load(X_MAX));
  const magic = v128.load(ROUND_MAGIC);
  const q = f64x2.sub(f64x2.add(f64x2.mul(xc, v128.load(INV_LN2)), magic), magic);
  const s = f64x2.sub(f64x2.sub(xc, f64x2.mul(q, v128.load(LN2_HI_2))), f64x2.mul(q, v128.load(LN2_LO_2)));
  const s2 = f64x2.mul(s, s), s4 = f64x2.mul(s2, s2), s8 = f64x2.mul(s4, s4);
  const p01 = f64x2.add(f64x2.mul(v128.load(U1), s), v128.load(HALF));
  const p23 = f64x2.add(f64x2.mul(v128.load(U3), s), v128.load(U2));
  const p45 = f64x2.add(f64x2.mul(v128.load(U5), s), v128.load(U4));
  const p67 = f64x2.add(f64x2.mul(v128.load(U7), s), v128.load(U6));
  const p89 = f64x2.add(f64x2.mul(v128.load(U9), s), v128.load(U8));
  const p03 = f64x2.add(f64x2.mul(p23, s2), p01);
  const p47 = f64x2.add(f64x2.mul(p67, s2), p45);
  const p810 = f64x2.add(f64x2.mul(v128.load(U10), s2), p89);
  const u = f64x2.add(f64x2.mul(p810, s8), f64x2.add(f64x2.mul(p47, s4), p03));
  const es = f64x2.add(f64x2.add(f64x2.mul(s2, u), s), v128.load(ONE));
  // q = q1 + q2 with q1 = round(q/2): each 2^qi is a normal number for every clamped x.
  const t1 = f64x2.add(f64x2.mul(q, v128.load(HALF)), magic);
  const t2 = f64x2.add(f64x2.sub(q, f64x2.sub(t1, magic)), magic);
  const bias = i64x2.splat(1023 - 0x4338000000000000); // the magic's bits out, the exponent bias in
  const p1 = i64x2.shl(i64x2.add(t1, bias), 52);
  const p2 = i64x2.shl(i64x2.add(t2, bias), 52);
  return f64x2.mul(f64x2.mul(es, p1), p2);
}

/** lane 0 + lane 1. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** e^x for n values in place (n even, or one readable value past the end). For the error tests. */
export function expInPlace(p: usize, n: i32): void {
  for (let i = 0; i < n; i += 2) {
    const a = p + (<usize>i << 3);
    v128.store(a, expv(v128.load(a)));
  }
}

// log x for x ≥ 1 in both lanes: fdlibm's e_log.c (x = 2^e · m, √½ < m ≤ √2, f = m − 1,
// s = f/(2 + f), log(1 + f) = f − f²/2 + s(f²/2 + R(s²)), R its degree-14 minimax polynomial;
// error < 1 ulp), with 2^e split off through the bits. For x ≥ 1 only (1 + δ²/ν in the Student-t
// kernel; a point's Σ_j exp(lp_j − max) under sample weights).
const SQRT2 = memory.data<f64>([1.4142135623730951, 1.4142135623730951], 16);
const LG1 = memory.data<f64>([6.666666666666735130e-01, 6.666666666666735130e-01], 16);
const LG2 = memory.data<f64>([3.999999999940941908e-01, 3.999999999940941908e-01], 16);
const LG3 = memory.data<f64>([2.857142874366239149e-01, 2.857142874366239149e-01], 16);
const LG4 = memory.data<f64>([2.222219843214978396e-01, 2.222219843214978396e-01], 16);
const LG5 = memory.data<f64>([1.818357216161805012e-01, 1.818357216161805012e-01], 16);
const LG6 = memory.data<f64>([1.531383769920937332e-01, 1.531383769920937332e-01], 16);
const LG7 = memory.data<f64>([1.479819860511658591e-01, 1.479819860511658591e-01], 16);
/** 2^52 + 1023: (2^52 + biased exponent) − it = the exponent. */
const EXP_BIAS = memory.data<f64>([4503599627371519.0, 4503599627371519.0], 16);

/** Bits of √½ (rounded) plus one ulp: y − it, in the bits, splits y = 2^e · z with z ∈ (√½, √2]. */
const LOG_OFF = memory.data<u64>([0x3fe6a09e667f3bce, 0x3fe6a09e667f3bce], 16);
const EXP_FIELD = memory.data<u64>([0xfff0000000000000, 0xfff0000000000000], 16);
/** 2^52: (its bits | e) − 2^52 = e for 0 ≤ e < 2^52. */
const TWO52 = memory.data<f64>([4503599627370496.0, 4503599627370496.0], 16);
const TWO = memory.data<f64>([2.0, 2.0], 16);

// The split (musl's): t = bits(x) − bits(√½ + ulp); e = t >> 52; z = bits(x) − (t's exponent field),
// the same e and z as fdlibm's (m ∈ [1, 2), halved with e + 1 when m > √2) in integer operations.
// Every constant is read from memory (one instruction; V8 builds a v128 constant from three).
// @ts-ignore: decorator
@inline export function logv(x: v128): v128 {
  const t = i64x2.sub(x, v128.load(LOG_OFF));
  const e = f64x2.sub(v128.or(i64x2.shr_u(t, 52), v128.load(TWO52)), v128.load(TWO52));
  const z = i64x2.sub(x, v128.and(t, v128.load(EXP_FIELD)));
  const f = f64x2.sub(z, v128.load(ONE));
  const s = f64x2.div(f, f64x2.add(v128.load(TWO), f));
  const zz = f64x2.mul(s, s), w = f64x2.mul(zz, zz);
  const t1 = f64x2.mul(w, f64x2.add(v128.load(LG2), f64x2.mul(w, f64x2.add(v128.load(LG4), f64x2.mul(w, v128.load(LG6))))));
  const t2 = f64x2.mul(zz, f64x2.add(v128.load(LG1), f64x2.mul(w, f64x2.add(v128.load(LG3), f64x2.mul(w, f64x2.add(v128.load(LG5), f64x2.mul(w, v128.load(LG7))))))));
  const R = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(v128.load(HALF), f64x2.mul(f, f));
  const lo = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(e, v128.load(LN2_LO_2)));
  return f64x2.sub(f64x2.mul(e, v128.load(LN2_HI_2)), f64x2.sub(f64x2.sub(hfsq, lo), f));
}

/** log x for n values ≥ 1 in place (n even, or one readable value past the end). For the error tests. */
export function logInPlace(p: usize, n: i32): void {
  for (let i = 0; i < n; i += 2) {
    const a = p + (<usize>i << 3);
    v128.store(a, logv(v128.load(a)));
  }
}
