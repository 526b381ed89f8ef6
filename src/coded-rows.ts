// Seeding points given as codes (Points.oneHot): categorical's rows (every column one-hot over its
// levels) and independent's (a numeric column one value, a categorical column one-hot). Seeding
// reads one code per column and never makes the one-hot rows; the dense rows are made only when
// asked for (Points.points, Points.rows: init "hc", a thread's own shard). Imported by the families
// that have such rows only, so a bundle of other families does not carry it.
import type { OneHotCodes, Points, SeedRowOps } from "./family.js";
import type { Arena, Region } from "./wasm.js";
import { rowKey } from "./seeding.js";

/**
 * Seeding's operations on rows of codes: c = offsets.length columns, column a a value at dim
 * offsets[a] where values[a] is 1, else a code (its 1 at dim offsets[a] + code; the levels up to the
 * next column's offset, the last up to d). The squared distance to seed s is the dense one's, in
 * the same order: value columns add (x − seed)²; a one-hot block of a seed that is one-hot in every
 * block (a row's) adds nothing when the codes agree, else its two terms 1 one after the other (the
 * row's level and the seed's: the same bits as the dense sum, which adds 1 + 1 with its zeros
 * between). A seed of fractions (partial labels' class means): the dense sum over all d dims where
 * the one-hot blocks have at most 32 levels a column, else the value columns' terms plus
 * ‖seed_codes‖² − 2 Σ_a seed[offsets_a + code_a] + (code columns), which rounds otherwise than the
 * dense sum (10⁵ rows × 5,000 levels with labels: 0.14 s by it, 7.5 s by the dense sum).
 */
export function codedOps(offsets: Int32Array, d: number, values: Uint8Array = new Uint8Array(offsets.length)): SeedRowOps {
  const c = offsets.length, end = (a: number) => (a + 1 < c ? offsets[a + 1] : d);
  let codeCols = 0, codeDims = 0;
  for (let a = 0; a < c; a++) if (!values[a]) { codeCols++; codeDims += end(a) - offsets[a]; }
  // Per seed: the code of its 1 in each one-hot block (a row's seed: mode 0), or ‖seed_codes‖² and mode 1 (dense sum) or 2 (the formula).
  const codeOf: Int32Array[] = [], norms: number[] = [], mode: number[] = [];
  return {
    dist2(x, o, seeds, s) {
      const row = o * c, base = s * d, m = mode[s], at = codeOf[s];
      let sum = 0, dot = 0;
      for (let a = 0; a < c; a++) {
        const v = x[row + a], off = offsets[a];
        if (values[a]) { const t = v - seeds[base + off]; sum += t * t; }
        else if (m === 0) { if (v !== at[a]) sum = sum + 1 + 1; }
        else if (m === 2) dot += seeds[base + off + v];
        else for (let b = off, e = end(a); b < e; b++) { const t = (b - off === v ? 1 : 0) - seeds[base + b]; sum += t * t; }
      }
      return m === 2 ? sum + (norms[s] - 2 * dot + codeCols) : sum;
    },
    key: (x, o) => rowKey(x, o, c),
    put(x, o, seeds, s) {
      seeds.fill(0, s * d, (s + 1) * d);
      for (let a = 0; a < c; a++) { const v = x[o * c + a]; if (values[a]) seeds[s * d + offsets[a]] = v; else seeds[s * d + offsets[a] + v] = 1; }
    },
    add(x, o, w, seeds, j) {
      for (let a = 0; a < c; a++) { const v = x[o * c + a]; if (values[a]) seeds[j * d + offsets[a]] += w * v; else seeds[j * d + offsets[a] + v] += w; }
    },
    seeded(seeds, s) {
      const at = (codeOf[s] ??= new Int32Array(c));
      let q = 0, ints = true, hot = true;
      for (let a = 0; a < c; a++) {
        if (values[a]) continue;
        let one = -1;
        for (let b = offsets[a], e = end(a); b < e; b++) {
          const v = seeds[s * d + b];
          q += v * v;
          ints &&= Number.isInteger(v);
          if (v === 1 && one < 0) one = b - offsets[a];
          else if (v !== 0) hot = false;
        }
        at[a] = one;
        hot &&= one >= 0;
      }
      norms[s] = q;
      // Integers that are not one-hot (none arise) and big blocks: the formula, exact for integers.
      mode[s] = hot ? 0 : ints || codeDims > 32 * codeCols ? 2 : 1;
    },
  };
}

/**
 * Seeding points of n rows of `dims` dims given as codes (`codes`, c = offsets.length a row; see
 * codedOps): seeding reads the codes; `points` (n × dims, in `mem`) and `rows` make the dense rows
 * when asked for. `codes` may allocate from WebAssembly memory (independent loads its columns).
 */
export function codedPoints(mem: Arena, n: number, dims: number, offsets: Int32Array, codes: (from: number, count: number) => Float64Array, values?: Uint8Array): Points {
  const hot: OneHotCodes = { offsets, codes, ops: () => codedOps(offsets, dims, values) };
  let all: Region | undefined, block: Float64Array | undefined;
  /** Rows [from, from + m) dense into out() (re-read after the codes: making them may grow memory). */
  const dense = (out: () => Float64Array, from: number, m: number) => {
    const x = codes(from, m), o = out(), ops = hot.ops();
    for (let i = 0; i < m; i++) ops.put(x, i, o, i);
    return o;
  };
  return {
    get points() {
      if (!all) { all = mem.alloc(n * dims); dense(() => all!.array, 0, n); }
      return all.array;
    },
    rows(from, m) {
      if (all) return all.array.subarray(from * dims, (from + m) * dims);
      if (!block || block.length < m * dims) block = new Float64Array(m * dims);
      return dense(() => block!.subarray(0, m * dims), from, m);
    },
    dims,
    count: n,
    oneHot: hot,
  };
}
