// A small seeded PRNG (xoshiro128**, seeded through splitmix32) and the exact samplers
// mixem needs. Same seed → same stream, on every platform (only 32-bit integer ops).
import * as M from "./math.js";

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 expands one seed into four non-zero state words.
    let s = (seed >>> 0) ^ Math.floor(seed / 4294967296);
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next(); this.b = next(); this.c = next(); this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next 32 random bits (xoshiro128**). */
  uint32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    return ((this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6)) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Marsaglia's polar method). */
  normal(): number {
    for (;;) {
      const u = 2 * this.uniform() - 1, v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) return u * Math.sqrt((-2 * M.log(s)) / s);
    }
  }

  /** Gamma(shape, 1) — Marsaglia & Tsang (2000); shape < 1 by the boost u^(1/shape). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * M.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do { x = this.normal(); v = 1 + c * x; } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x || M.log(u) < 0.5 * x * x + d * (1 - v + M.log(v))) return d * v;
    }
  }

  /** Binomial(n, p), exact: Knuth's beta-splitting (TAOCP 3.4.1) down to n ≤ 32, then Bernoulli trials. */
  binomial(n: number, p: number): number {
    let count = 0;
    while (n > 32) {
      const a = 1 + Math.floor(n / 2), b = n + 1 - a;
      const ga = this.gamma(a), x = ga / (ga + this.gamma(b)); // x ~ Beta(a, b): the a-th smallest of n uniforms
      if (x >= p) { n = a - 1; p /= x; } else { count += a; n = b - 1; p = (p - x) / (1 - x); }
    }
    for (let i = 0; i < n; i++) if (this.uniform() < p) count++;
    return count;
  }

  /** Poisson(λ), exact: Ahrens & Dieter (1974) gamma splitting down to λ < 16, then Knuth's product method. */
  poisson(lambda: number): number {
    let count = 0;
    while (lambda >= 16) {
      const m = Math.floor(0.875 * lambda);
      const x = this.gamma(m); // the m-th arrival time of a unit-rate Poisson process
      if (x > lambda) return count + this.binomial(m - 1, lambda / x);
      count += m;
      lambda -= x;
    }
    const limit = M.exp(-lambda);
    let prod = this.uniform();
    while (prod > limit) { count++; prod *= this.uniform(); }
    return count;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
