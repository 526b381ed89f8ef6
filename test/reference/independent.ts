// Plain-TypeScript reference for the independent family, independent of src/: rows whose columns
// follow their own reference families; θ_j = the columns' θ_j concatenated, the log-density the
// sum of the columns', the M-step each column's own.
import type { RefFamily } from "./em.js";

/** cols[a]: column a's reference family, the length of its θ, and its per-point aux (binomial trials) or null. */
export function independentRef(cols: { family: RefFamily<number>; size: number; aux?: number[] | null }[]): RefFamily<number[]> {
  const offsets = cols.map((_, a) => cols.slice(0, a).reduce((s, c) => s + c.size, 0));
  const column = (x: number[][], a: number) => x.map((row) => row[a]);
  const cache = new WeakMap<number[][], number[][]>();
  const columns = (x: number[][]) => {
    let c = cache.get(x);
    if (!c) { c = cols.map((_, a) => column(x, a)); cache.set(x, c); }
    return c;
  };
  return {
    logDensity: (x, _aux, i, th) => cols.reduce((s, c, a) => s + c.family.logDensity(columns(x)[a], c.aux ?? null, i, th.slice(offsets[a], offsets[a] + c.size)), 0),
    maximize: (x, _aux, r, nk, previous) =>
      cols.flatMap((c, a) => c.family.maximize(columns(x)[a], c.aux ?? null, r, nk, previous.slice(offsets[a], offsets[a] + c.size))),
  };
}

/** A categorical column (one value per row) as a reference family of numbers. */
export function columnOfRows(f: RefFamily<number[]>): RefFamily<number> {
  const rows = new WeakMap<number[], number[][]>();
  const asRows = (x: number[]) => { let r = rows.get(x); if (!r) { r = x.map((v) => [v]); rows.set(x, r); } return r; };
  return {
    logDensity: (x, aux, i, th) => f.logDensity(asRows(x), aux, i, th),
    maximize: (x, aux, r, nk, previous) => f.maximize(asRows(x), aux, r, nk, previous),
  };
}
