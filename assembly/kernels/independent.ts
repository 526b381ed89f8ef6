// Independent columns (mixed-type rows): column a of each row follows its own 1-D family, the
// columns independent given the component, so log w_j + log p(x | θ_j) = log w_j + Σ_a (column a's
// term). Each column's parameters are packed by that family's own `pack` (with log w = 0) and laid
// out as its own kernel lays them out; this kernel adds the columns' terms by the layout's kind:
//   GAUSSIAN  (gaussianPass)    [mean, a, c]          c + (a·(x − mean))·(x − mean)
//   LOGLINEAR (loglinearPass)   [c, β]                c + x·β             (poisson; bernoulli at d = 1)
//   BINOMIAL  (binomialPass)    header [n]; [logit p, log(1 − p), log w]   log w + (x·logit p + n·log(1 − p))
//                               (n = 0 in the header: the row's trials, from aux, as binomialPass)
//   CATEGORICAL (categoricalPass) header [L, 0]; [c, log p (L)]  c + log p_x
// Parameters: header [d, per column a: kind, header offset (of the column's own header, within
// this header), parameter offset and statistics offset (within a component's block), then the
// columns' own headers], then per component j: [log w_j, column 0's block, column 1's block, …].
// Statistics per component: [Σ r, column 0's statistics, column 1's, …], each column's as its own
// kernel's (each starting with its own Σ r), so each family's M-step reads its own layout.
// No work columns.
import { addColumnSum, addHsum, blockedPass, COLUMN, F64 } from "../pass";

const GAUSSIAN: i32 = 0, LOGLINEAR: i32 = 1, BINOMIAL: i32 = 2, CATEGORICAL: i32 = 3;
const PER_COLUMN: usize = 4;

// @ts-ignore: decorator
@inline function field(params: usize, a: i32, f: usize): usize {
  return <usize>load<f64>(params + (<usize>1 + <usize>a * PER_COLUMN + f) * F64);
}

/** Values per component block (1 + Σ the columns' blocks) and where the blocks start. */
// @ts-ignore: decorator
@inline function layout(params: usize, dims: i32): usize {
  return <usize>load<f64>(params + (<usize>1 + <usize>dims * PER_COLUMN) * F64);
}

function logDensity(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, out: usize, work: usize): void {
  const bytes = <usize>count * F64;
  const headerSize = layout(params, dims), compSize = <usize>load<f64>(params + (<usize>2 + <usize>dims * PER_COLUMN) * F64);
  const comps = params + headerSize * F64;
  for (let j = 0; j < k; j++) {
    const comp = comps + <usize>j * compSize * F64;
    const o = out + <usize>j * COLUMN;
    const logW = v128.load64_splat(comp);
    for (let i: usize = 0; i < bytes; i += 16) v128.store(o + i, logW);
    for (let a = 0; a < dims; a++) {
      const kind = <i32>field(params, a, 0), hdr = params + field(params, a, 1) * F64, p = comp + field(params, a, 2) * F64;
      const xa = x + <usize>a * COLUMN;
      if (kind == GAUSSIAN) {
        const mean = v128.load64_splat(p), q = v128.load64_splat(p, 8), c = v128.load64_splat(p, 16);
        for (let i: usize = 0; i < bytes; i += 16) {
          const e = f64x2.sub(v128.load(xa + i), mean);
          v128.store(o + i, f64x2.add(v128.load(o + i), f64x2.add(c, f64x2.mul(f64x2.mul(q, e), e))));
        }
      } else if (kind == LOGLINEAR) {
        const c = v128.load64_splat(p), beta = v128.load64_splat(p, 8);
        for (let i: usize = 0; i < bytes; i += 16) v128.store(o + i, f64x2.add(v128.load(o + i), f64x2.add(c, f64x2.mul(v128.load(xa + i), beta))));
      } else if (kind == BINOMIAL) {
        const n = v128.load64_splat(hdr), logit = v128.load64_splat(p), log1m = v128.load64_splat(p, 8), lw = v128.load64_splat(p, 16);
        if (load<f64>(hdr) == 0) { // each row's trials (aux): the same arithmetic, one loop per case
          for (let i: usize = 0; i < bytes; i += 16) {
            const t = f64x2.add(f64x2.mul(v128.load(xa + i), logit), f64x2.mul(v128.load(aux + i), log1m));
            v128.store(o + i, f64x2.add(v128.load(o + i), f64x2.add(lw, t)));
          }
        } else {
          for (let i: usize = 0; i < bytes; i += 16) {
            const t = f64x2.add(f64x2.mul(v128.load(xa + i), logit), f64x2.mul(n, log1m));
            v128.store(o + i, f64x2.add(v128.load(o + i), f64x2.add(lw, t)));
          }
        }
      } else {
        const c = load<f64>(p);
        for (let i: usize = 0; i < bytes; i += 8) store<f64>(o + i, load<f64>(o + i) + (c + load<f64>(p + ((<usize>load<f64>(xa + i) + 1) << 3))));
      }
    }
  }
}

function accumulate(x: usize, aux: usize, count: i32, dims: i32, params: usize, k: i32, resp: usize, stats: usize, work: usize): void {
  const bytes = <usize>count * F64;
  const headerSize = layout(params, dims), compSize = <usize>load<f64>(params + (<usize>2 + <usize>dims * PER_COLUMN) * F64);
  const statsSize = <usize>load<f64>(params + (<usize>3 + <usize>dims * PER_COLUMN) * F64);
  const comps = params + headerSize * F64;
  for (let j = 0; j < k; j++) {
    const comp = comps + <usize>j * compSize * F64;
    const s = stats + <usize>j * statsSize * F64;
    const r = resp + <usize>j * COLUMN;
    addColumnSum(s, r, bytes);
    for (let a = 0; a < dims; a++) {
      const kind = <i32>field(params, a, 0), hdr = params + field(params, a, 1) * F64, p = comp + field(params, a, 2) * F64;
      const sa = s + field(params, a, 3) * F64;
      const xa = x + <usize>a * COLUMN;
      if (kind == GAUSSIAN) {
        // About the current mean, as the Gaussian kernel: [Σ r, Σ r(x − m), Σ r(x − m)²].
        const mean = v128.load64_splat(p);
        let s0 = f64x2.splat(0), s1 = s0, s2 = s0;
        for (let i: usize = 0; i < bytes; i += 16) {
          const w = v128.load(r + i), e = f64x2.sub(v128.load(xa + i), mean), we = f64x2.mul(w, e);
          s0 = f64x2.add(s0, w); s1 = f64x2.add(s1, we); s2 = f64x2.add(s2, f64x2.mul(we, e));
        }
        addHsum(sa, s0); addHsum(sa + F64, s1); addHsum(sa + 2 * F64, s2);
      } else if (kind == BINOMIAL && load<f64>(hdr) == 0) {
        // [Σ r, Σ r·x, Σ r·n] with each row's trials n (aux), as binomialPass.
        let s0 = f64x2.splat(0), s1 = s0, s2 = s0;
        for (let i: usize = 0; i < bytes; i += 16) {
          const w = v128.load(r + i);
          s0 = f64x2.add(s0, w); s1 = f64x2.add(s1, f64x2.mul(w, v128.load(xa + i))); s2 = f64x2.add(s2, f64x2.mul(w, v128.load(aux + i)));
        }
        addHsum(sa, s0); addHsum(sa + F64, s1); addHsum(sa + 2 * F64, s2);
      } else if (kind == LOGLINEAR || kind == BINOMIAL) {
        // [Σ r, Σ r·x] (binomial also Σ r·n).
        let s0 = f64x2.splat(0), s1 = s0;
        for (let i: usize = 0; i < bytes; i += 16) {
          const w = v128.load(r + i);
          s0 = f64x2.add(s0, w); s1 = f64x2.add(s1, f64x2.mul(w, v128.load(xa + i)));
        }
        addHsum(sa, s0); addHsum(sa + F64, s1);
        if (kind == BINOMIAL) addHsum(sa + 2 * F64, f64x2.mul(s0, v128.load64_splat(hdr)));
      } else {
        // [Σ r, Σ r·1{x = l} (L)].
        addColumnSum(sa, r, bytes);
        for (let i: usize = 0; i < bytes; i += 8) {
          const w = load<f64>(r + i);
          if (w == 0) continue;
          const at = sa + ((<usize>load<f64>(xa + i) + 1) << 3);
          store<f64>(at, load<f64>(at) + w);
        }
      }
    }
  }
}

export function independentPass(x: usize, aux: usize, n: i32, dims: i32, params: usize, k: i32, stats: usize, scratch: usize, respOut: usize, labels: usize, flags: i32): f64 {
  const statsSize = <i32>load<f64>(params + (<usize>3 + <usize>dims * PER_COLUMN) * F64);
  return blockedPass(logDensity, accumulate, statsSize, x, aux, n, dims, params, k, stats, scratch, respOut, labels, flags);
}
