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
const LN2_HI_2 = memory.data<f64>([LN2_HI, LN2_HI], 16);
const LN2_LO_2 = memory.data<f64>([LN2_LO, LN2_LO], 16);
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
const ONE = memory.data<f64>([1.0, 1.0], 16);

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

/** logv over n values in place (n even; every value ≥ 1): for the accuracy test. */
export function logInPlace(p: usize, n: i32): void {
  for (let i = 0; i < n; i += 2) {
    const a = p + (<usize>i << 3);
    v128.store(a, logv(v128.load(a)));
  }
}

// log x for x ≥ 1 in both lanes (1 + δ²/ν in the Student-t kernel; a point's Σ_j exp(lp_j − max)
// under sample weights), without a division (musl's log.c, table-driven, in f64x2): x = 2^k · z
// with z in [0.6875, 1.375) cut into 128 subintervals by its top mantissa bits; for the one z is in,
// c its centre (1 for [1, 1 + 2^−7), so that log stays relatively accurate near 1), invc ≈ 1/c and
// log c from a table, r = (z − c)·invc (z − c exact: Sterbenz) with |r| < 0.008, and
// log x = k ln 2 + log c + log1p(r), log1p by its Taylor polynomial to r⁸ (truncation < 1e−20)
// in Estrin's scheme. Error ≤ 1 ulp-ish (test/simd-log.test.ts); 16 % faster than fdlibm's
// division-based form that it replaced. The table is filled when the module is instantiated, from
// the core's own log, so it is the same in every engine.
const LOG_N = 128;
const LOG_OFF: u64 = 0x3fe6000000000000;
const LOG_TABLE = memory.data(LOG_N * 16, 16); // entry i: 1/c, log c
for (let i = 0; i < LOG_N; i++) {
  const c = i == 80 ? 1.0 : reinterpret<f64>(LOG_OFF + ((<u64>i << 45) | (<u64>1 << 44)));
  store<f64>(LOG_TABLE + (<usize>i << 4), 1.0 / c);
  store<f64>(LOG_TABLE + (<usize>i << 4) + 8, Math.log(c));
}
/** 2^52 + 2^51: (its bits + k) as f64, minus it, is k (a small signed integer). */
const INT_MAGIC = memory.data<f64>([6755399441055744.0, 6755399441055744.0], 16);
// Bit patterns, read from memory (V8 builds an inline v128 constant from three instructions).
const L_OFF = memory.data<u64>([LOG_OFF, LOG_OFF], 16);
const L_MAGIC = memory.data<u64>([0x4338000000000000, 0x4338000000000000], 16);
const L_EXP = memory.data<u64>([0xfff0000000000000, 0xfff0000000000000], 16);
const L_INDEX = memory.data<u64>([0x7f0, 0x7f0], 16);
const L_ONE_AT = memory.data<u64>([80 << 4, 80 << 4], 16);
const L_TOP = memory.data<u64>([0xffffe00000000000, 0xffffe00000000000], 16);
const L_MID = memory.data<u64>([1 << 44, 1 << 44], 16);
const C3 = memory.data<f64>([1.0 / 3.0, 1.0 / 3.0], 16);
const C4 = memory.data<f64>([-0.25, -0.25], 16);
const C5 = memory.data<f64>([0.2, 0.2], 16);
const C6 = memory.data<f64>([-1.0 / 6.0, -1.0 / 6.0], 16);
const C7 = memory.data<f64>([1.0 / 7.0, 1.0 / 7.0], 16);
const C8 = memory.data<f64>([-0.125, -0.125], 16);
const MHALF = memory.data<f64>([-0.5, -0.5], 16); // log1p(r) = r + r²·(−½ + r/3 − r²/4 + … − r⁶/8)
// @ts-ignore: decorator
@inline export function logv(x: v128): v128 {
  const tmp = i64x2.sub(x, v128.load(L_OFF));
  const k = f64x2.sub(i64x2.add(i64x2.shr_s(tmp, 52), v128.load(L_MAGIC)), v128.load(INT_MAGIC));
  const z = i64x2.sub(x, v128.and(tmp, v128.load(L_EXP)));
  const at = v128.and(i64x2.shr_u(tmp, 41), v128.load(L_INDEX));
  const a = v128.load(LOG_TABLE + <usize>i64x2.extract_lane(at, 0)), b = v128.load(LOG_TABLE + <usize>i64x2.extract_lane(at, 1));
  const invc = v128.shuffle<u64>(a, b, 0, 2), logc = v128.shuffle<u64>(a, b, 1, 3);
  // c: the subinterval's centre (z's bits above bit 45, then bit 44 set), or 1 for [1, 1 + 2^−7);
  // z − c is exact (Sterbenz), so r carries a relative error of 2 roundings only.
  const first = i64x2.eq(at, v128.load(L_ONE_AT));
  const c = v128.bitselect(v128.load(ONE), v128.or(v128.and(z, v128.load(L_TOP)), v128.load(L_MID)), first);
  const r = f64x2.mul(f64x2.sub(z, c), invc);
  const r2 = f64x2.mul(r, r), r4 = f64x2.mul(r2, r2);
  const p01 = f64x2.add(v128.load(MHALF), f64x2.mul(r, v128.load(C3)));
  const p23 = f64x2.add(v128.load(C4), f64x2.mul(r, v128.load(C5)));
  const p45 = f64x2.add(v128.load(C6), f64x2.mul(r, v128.load(C7)));
  const p456 = f64x2.add(p45, f64x2.mul(r2, v128.load(C8)));
  const q = f64x2.add(f64x2.add(p01, f64x2.mul(r2, p23)), f64x2.mul(r4, p456));
  const hi = f64x2.add(f64x2.mul(k, v128.load(LN2_HI_2)), logc);
  return f64x2.add(hi, f64x2.add(r, f64x2.add(f64x2.mul(r2, q), f64x2.mul(k, v128.load(LN2_LO_2)))));
}
