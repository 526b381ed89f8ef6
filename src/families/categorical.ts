// Categorical (latent class analysis, as R's poLCA): rows of d categorical values, independent
// given the component; θ_j = per column a, a probability vector p_ja over its L_a levels.
// Kernel: assembly/kernels/categorical.ts. Values are integer codes 0 … L_a − 1, or strings (level
// names), which `levels` (given, or derived from the data: sorted) maps to codes; the model keeps
// the levels in its settings, so predict maps new strings the same way.
import { dictionaryLevels } from "./arrow-text.js";
import type { DataParts, DatasetParts, Family, Spec } from "../family.js";
import type { Arena } from "../wasm.js";
import { checkVector, copyMatrixIn, describe } from "../data.js";
import { integer, numberList } from "../options.js";
import { dataError, MixemError, optionError } from "../errors.js";
import { componentObject, forActive, needData, noOptions, NONE, PROB_FLOOR } from "./shared.js";
import type { DimsOption, PriorOption } from "./shared.js";
import { DEFAULT_SHRINKAGE, dirichletAlpha, priorNumber, priorObject, priorRule } from "../prior.js";
import { logGamma } from "../special.js";
import * as M from "../math.js";
import { hcVVV } from "../hc.js";
import { codedPoints } from "../coded-rows.js";

export interface CategoricalComponent {
  /** Per column, the probability of each of its levels (in the order of `levels`). */
  p: number[][];
}

/**
 * Dirichlet(α_a, …, α_a) prior on each column's probability vector (`alpha`: a number, or one per
 * column, each ≥ 1) — the standard fix for zero cells. Default: κ = shrinkage (0.01)
 * pseudo-observations spread evenly over the L_a levels, α_a = 1 + κ / L_a, so the MAP probability
 * is (Σ r·1{x_a = l} + κ/L_a) / (Σ r + κ): never 0, even for a level a class never shows.
 */
export interface CategoricalPrior { weights: number; alpha: number[] }

/** One column's levels: a count (codes 0 … L − 1) or the level names (codes are their indices). */
export type CategoricalLevels = number | string[];

export interface CategoricalOptions extends DimsOption, PriorOption {
  /**
   * categorical: the levels of each column — one count for every column, or per column a count or
   * the list of its level names (string data; a string's code is its index in the list). Default:
   * from the data (codes: the largest code + 1; strings: the distinct strings, sorted).
   */
  levels?: number | readonly (number | readonly string[])[];
}

const MAX_LEVELS = 1 << 16;
/** Pseudo-counts (a share of the component's mass, spread evenly over the levels) added to the M-step after seeding. */
const SEED_SMOOTHING = 1;

/** A count of levels, or a list of distinct level names. */
function checkColumnLevels(v: unknown, path: string): void {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 1 || v > MAX_LEVELS) throw optionError(path, `must be a number of levels (an integer from 1 to ${MAX_LEVELS}), got ${v}`);
    return;
  }
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_LEVELS) throw optionError(path, `must be a number of levels or a non-empty array of level names, got ${describe(v)}`);
  const seen = new Set<string>();
  v.forEach((name, l) => {
    if (typeof name !== "string") throw optionError(`${path}[${l}]`, `must be a level name (a string), got ${describe(name)}`);
    if (seen.has(name)) throw optionError(`${path}[${l}]`, `repeats the level ${JSON.stringify(name)}`);
    seen.add(name);
  });
}

export const levelsRule = (v: unknown, path: string) => {
  if (typeof v === "number") return checkColumnLevels(v, path);
  if (!Array.isArray(v) || v.length === 0) throw optionError(path, `must be a number of levels or an array with one entry per column, got ${describe(v)}`);
  v.forEach((c, a) => checkColumnLevels(c, `${path}[${a}]`));
};

/** The levels of d columns, each a count or names, from the option (checked against d). */
function perColumn(levels: unknown, d: number, path: string): CategoricalLevels[] {
  levelsRule(levels, path);
  if (typeof levels === "number") return new Array<number>(d).fill(levels);
  const list = levels as CategoricalLevels[];
  if (list.length !== d) throw optionError(path, `has ${list.length} entries; the data has ${d} columns`);
  return list.map((c) => (typeof c === "number" ? c : [...c]));
}

const countOf = (c: CategoricalLevels) => (typeof c === "number" ? c : c.length);
const isRow = (r: unknown) => Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView));

/** What is wrong with v as a code of a column of L levels (L undefined: not known yet), or null. */
function codeProblem(v: number, L: number | undefined): string | null {
  if (!(Number.isInteger(v) && v >= 0)) return `${v} is not a level code (an integer 0, 1, …)`;
  if (L !== undefined && v >= L) return `code ${v} is outside 0…${L - 1} (this column has ${L} levels)`;
  return null;
}

/**
 * Reads n × d rows of codes or level names into a region of codes; returns the levels of each
 * column (given, or derived from the data). Errors name data[i][a] (flat data: data[i·d + a]).
 */
function readRows(mem: Arena, data: unknown, given: unknown, dimsHint: number | undefined, path: string, trusted: boolean) {
  const stringRows = Array.isArray(data) && data.length > 0 && isRow(data[0]) && !ArrayBuffer.isView(data[0]);
  if (!stringRows) {
    // Numbers only (flat with dims, typed-array rows): codes.
    const { region, n, dims: d } = copyMatrixIn(mem, data, dimsHint, path, (v) => codeProblem(v, undefined), trusted, 1 << 16);
    const levels: CategoricalLevels[] = given === undefined ? new Array<number>(d).fill(0) : perColumn(given, d, "options.levels");
    const x = region.array, flat = !(Array.isArray(data) && isRow(data[0]));
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) {
      const v = x[i * d + a];
      if (given === undefined) { if (v + 1 > (levels[a] as number)) levels[a] = v + 1; continue; }
      if (!trusted && v >= countOf(levels[a])) throw dataError(flat ? `${path}[${i * d + a}]` : `${path}[${i}][${a}]`, codeProblem(v, countOf(levels[a]))!);
    }
    return { region, n, d, levels };
  }
  // Rows that may hold strings: read cell by cell.
  const rows = data as ArrayLike<unknown>[];
  const n = rows.length, d = rows[0].length;
  if (d === 0) throw dataError(`${path}[0]`, "is an empty row; every row needs at least one value");
  if (dimsHint !== undefined && d !== dimsHint) throw dataError(`${path}[0]`, `has ${d} values; this model has ${dimsHint} columns`);
  const levels: (CategoricalLevels | undefined)[] = given === undefined ? new Array(d).fill(undefined) : perColumn(given, d, "options.levels");
  const index = levels.map((c) => (Array.isArray(c) ? new Map(c.map((name, l) => [name, l])) : undefined));
  const derived = levels.map((c) => (c === undefined ? { max: -1, names: new Set<string>() } : undefined));
  const region = mem.alloc(n * d);
  const x = region.array;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (!isRow(row)) throw dataError(`${path}[${i}]`, `is not a row of values (${describe(row)})`);
    if (row.length !== d) throw dataError(`${path}[${i}]`, `has ${row.length} values; every row must have ${d} (as ${path}[0])`);
    for (let a = 0; a < d; a++) {
      const v = row[a], where = `${path}[${i}][${a}]`;
      const dv = derived[a];
      if (typeof v === "string") {
        if (dv) { dv.names.add(v); x[i * d + a] = NaN; continue; } // coded below, once the names are known
        const code = index[a]?.get(v);
        if (code === undefined)
          throw dataError(where, index[a] ? `${JSON.stringify(v)} is not a level of this column (its levels: ${(levels[a] as string[]).map((s) => JSON.stringify(s)).join(", ")})`
            : `is the string ${JSON.stringify(v)}, but this column has level codes (${levels[a]} levels); give options.levels names to use strings`);
        x[i * d + a] = code;
        continue;
      }
      if (typeof v !== "number") throw dataError(where, v === undefined ? "is missing" : `is not a level code or name (${describe(v)})`);
      if (!trusted) {
        const problem = Number.isFinite(v) ? codeProblem(v, dv ? undefined : countOf(levels[a]!)) : `is ${v}; every value must be finite`;
        if (problem) throw dataError(where, problem);
      }
      if (dv && v > dv.max) dv.max = v;
      x[i * d + a] = v;
    }
  }
  derived.forEach((dv, a) => {
    if (!dv) return;
    if (dv.names.size === 0) { levels[a] = dv.max + 1; return; }
    const names = [...dv.names].sort();
    if (dv.max >= 0) {
      for (let i = 0; i < n; i++) if (!Number.isNaN(x[i * d + a])) throw dataError(`${path}[${i}][${a}]`, `is a number, but this column holds level names (strings); use one or the other, or give options.levels`);
    }
    const code = new Map(names.map((s, l) => [s, l]));
    for (let i = 0; i < n; i++) x[i * d + a] = code.get(rows[i][a] as string)!;
    levels[a] = names;
  });
  return { region, n, d, levels: levels as CategoricalLevels[] };
}

export const categorical: Family<CategoricalComponent, { p: number[][][] }, CategoricalOptions, "p"> = {
  summary: "rows of d categorical values (level codes 0…L−1 or names); each component a probability vector per column (latent class analysis)",
  shape: "rows",
  options: { levels: levelsRule, dims: integer(1, 1 << 16), prior: priorRule },
  evalOptions: NONE,
  dataSettings: { levels: (v, path) => { if (v !== undefined) levelsRule(v, path); } },
  // The first part's levels configure the fit; each later part's must fit them (checkLevels; pack checks data loaded alone too).
  mergeDataSettings(first, next, _options, parts) {
    checkLevels(next.levels as CategoricalLevels[] | undefined, first.levels as CategoricalLevels[] | undefined, "options.levels", parts);
    return { ...first };
  },
  hierarchical: hcVVV,
  arrowText: dictionaryLevels, // Arrow text columns as level names
  kernels: ["categoricalPass"],
  plot: { kind: "heatmap" },

  load(mem, data, options, path, dims, trusted) {
    const { region, n, d, levels } = readRows(mem, data, options.levels, dims ?? (options.dims as number | undefined), path, trusted ?? false);
    const counts = levels.map(countOf);
    const t = counts.reduce((s, c) => s + c, 0);
    // Seeding locations: each row one-hot (n × T): k-means++ on them is D² sampling by Hamming
    // distance (‖e_x − e_y‖² = 2 × the columns where rows x, y differ). Seeding reads the codes
    // themselves (src/coded-rows.ts): nothing n × T is made unless `points` is asked for.
    const offsets = Int32Array.from(counts, (_, a) => counts.slice(0, a).reduce((s, c) => s + c, 0));
    const seedPoints = codedPoints(mem, n, t, offsets, (from, m) => region.array.subarray(from * d, (from + m) * d));
    return { n, dims: d, x: region, aux: null, logConstant: 0, scale: new Float64Array(d).fill(1), seedPoints, settings: { levels } };
  },

  resolvePrior(raw, ds, _k, options, path): CategoricalPrior & Record<string, unknown> {
    const o = priorObject(raw, ["shrinkage", "alpha"], path);
    const kappa = priorNumber(o, "shrinkage", () => DEFAULT_SHRINKAGE, 0, false, path);
    const levels = (ds?.settings.levels ?? options.levels) as unknown;
    const d = ds?.dims ?? (options.dims as number | undefined) ?? (Array.isArray(levels) ? levels.length : 1);
    let alpha: unknown = o.alpha;
    if (alpha === undefined) {
      needData(ds, `${path}.alpha`);
      alpha = perColumn(levels, d, "options.levels").map((c) => 1 + kappa / countOf(c));
    } else if (typeof alpha === "number") alpha = new Array<number>(d).fill(alpha);
    if (!Array.isArray(alpha) || alpha.length !== d) throw optionError(`${path}.alpha`, `must be a number or ${d} numbers (one per column), got ${describe(alpha)}`);
    alpha.forEach((v, a) => { if (typeof v !== "number" || !(v >= 1) || !Number.isFinite(v)) throw optionError(`${path}.alpha[${a}]`, `must be a finite number ≥ 1, got ${describe(v)}`); });
    return { weights: dirichletAlpha(o, path), alpha: alpha as number[] };
  },

  configure(options, d): Spec<CategoricalComponent> {
    if (options.levels === undefined) throw optionError("options.levels", "is required to rebuild a categorical model (the levels of each column)");
    const levels = perColumn(options.levels, d, "options.levels");
    const L = levels.map(countOf);
    const off: number[] = [];
    let t = 0;
    for (const c of L) { off.push(t); t += c; }
    const prior = options.prior as CategoricalPrior | undefined;
    let smoothNext = false;
    const settings: Record<string, unknown> = { dims: d, levels };
    if (prior) settings.prior = prior;
    return {
      kernel: "categoricalPass",
      workColumns: Math.ceil(d / 2),
      dims: d,
      thetaSize: t,
      headerSize: 1 + d,
      paramsSize: 1 + t,
      statsSize: 1 + t,
      initKeys: ["p"],
      // freeze: each component's level probabilities have an M-step of their own (src/freeze.ts).
      freeze: { p: { slots: (j) => Array.from({ length: t }, (_, a) => j * t + a), parameters: (c) => c * (t - d) } },
      settings,
      componentParameters: (k) => k * (t - d),

      // Seeds are one-hot rows (see load): each column's seed level gets weight 2 of L + 1.
      seed(seeds, _ds, theta) {
        smoothNext = true;
        for (let i = 0; i < seeds.length; i++) {
          const a = columnOf(i % t);
          theta[i] = (seeds[i] + 1) / (L[a] + 1);
        }
      },

      fromInit(init, k, theta, path) {
        const p = init.p;
        if (!Array.isArray(p) || p.length !== k) throw optionError(`${path}.p`, `must be an array of ${k} components (each ${d} probability vectors)`);
        p.forEach((comp, j) => writeComponent(comp, theta, j, `${path}.p[${j}]`, 1e-6, false));
      },

      // Header [T, off_a]; per component [log w_j, log p_j (T)].
      pack(theta, logWeights, ds, params) {
        const dl = (ds as Partial<DatasetParts>).settings?.levels as CategoricalLevels[] | undefined;
        checkLevels(dl, levels, "options.levels", { first: "the fit", next: "this data" }); // data loaded with levels of its own
        params[0] = t;
        for (let a = 0; a < d; a++) params[1 + a] = off[a];
        for (let j = 0; j < logWeights.length; j++) {
          const at = 1 + d + j * (1 + t);
          params[at] = logWeights[j];
          for (let l = 0; l < t; l++) params[at + 1 + l] = M.log(theta[j * t + l]);
        }
      },

      // p_jal = (n_jal + α_a − 1) / Σ_l (n_jal + α_a − 1), n_jal = Σ_i r_ij 1{x_ia = l} (α = 1: no
      // prior). A level with no mass (≤ 1e-12 of the column's) is held at 1e-12 and the others
      // scaled by 1 − m·1e-12: the maximiser under p ≥ 1e-12, so every log p stays finite and EM
      // stays monotone.
      // The M-step right after seeding (from the nearest-seed partition) starts from the partition's
      // proportions halfway to uniform: a hard partition leaves zero cells, which EM can never leave.
      maximize(stats, theta, k) {
        const smooth = smoothNext;
        smoothNext = false;
        forActive(stats, 1 + t, k, (j, s) => {
          for (let a = 0; a < d; a++) {
            const extra = (prior ? prior.alpha[a] - 1 : 0) + (smooth ? (SEED_SMOOTHING * stats[s]) / L[a] : 0);
            let total = 0;
            for (let l = 0; l < L[a]; l++) total += stats[s + 1 + off[a] + l] + extra;
            let kept = 0, floored = 0;
            for (let l = 0; l < L[a]; l++) {
              const z = stats[s + 1 + off[a] + l] + extra;
              if (z > PROB_FLOOR * total) kept += z; else floored++;
            }
            const scale = (1 - floored * PROB_FLOOR) / kept;
            for (let l = 0; l < L[a]; l++) {
              const z = stats[s + 1 + off[a] + l] + extra;
              theta[j * t + off[a] + l] = z > PROB_FLOOR * total ? z * scale : PROB_FLOOR;
            }
          }
        });
      },

      // log Dir(p_ja; α_a) = log Γ(L α) − L log Γ(α) + (α − 1) Σ_l log p_l.
      logPrior(theta, k) {
        if (!prior) return 0;
        let s = 0;
        for (let j = 0; j < k; j++) for (let a = 0; a < d; a++) {
          const al = prior.alpha[a];
          s += logGamma(L[a] * al) - L[a] * logGamma(al);
          if (al !== 1) for (let l = 0; l < L[a]; l++) s += (al - 1) * M.log(theta[j * t + off[a] + l]);
        }
        return s;
      },

      component: (theta, j): CategoricalComponent => ({ p: L.map((c, a) => Array.from(theta.subarray(j * t + off[a], j * t + off[a] + c))) }),
      fromComponent(c, theta, j, path) {
        writeComponent(componentObject(c, ["p"], path).p, theta, j, `${path}.p`, 1e-9, true);
      },

      // log w_j + Σ_a log p_{j, a, x_a}, summed in the kernel's order.
      logJoint(params, j, x, offset) {
        const at = 1 + d + j * (1 + t);
        let q = params[at];
        for (let a = 0; a < d; a++) q += params[at + 1 + off[a] + x[offset + a]];
        return q;
      },

      // Each component's p of every level of every column, and the data's share of each level
      // (weighted: Σ w_i over the rows at that level / Σ w_i).
      heatmap(theta, k, data, names, weights) {
        if (names && names.length !== d) throw optionError("options.labels", `must name the ${d} columns, got ${names.length} names`);
        const counts = new Float64Array(t);
        let n = countLevels(data, d, levels, weights ? (a, code, i) => { counts[off[a] + code] += weights[i]; } : (a, code) => { counts[off[a] + code]++; });
        if (weights) { n = 0; for (let i = 0; i < weights.length; i++) n += weights[i]; }
        return {
          groups: levels.map((c, a) => ({
            name: names?.[a] ?? `column ${a + 1}`,
            rows: Array.from({ length: L[a] }, (_, l) => ({
              name: typeof c === "number" ? String(l) : c[l],
              values: Array.from({ length: k }, (_, j) => theta[j * t + off[a] + l]),
              observed: counts[off[a] + l] / n,
            })),
          })),
        };
      },

      // Each column's level by inversion of its cumulative probabilities (the last level takes the rest).
      sampler: noOptions(() => (theta, j, rng, out, offset) => {
        for (let a = 0; a < d; a++) {
          let u = rng.uniform(), l = 0;
          const p = j * t + off[a];
          while (l < L[a] - 1 && u >= theta[p + l]) { u -= theta[p + l]; l++; }
          out[offset + a] = l;
        }
      }),
    };

    function columnOf(i: number): number {
      let a = 0;
      while (a + 1 < d && off[a + 1] <= i) a++;
      return a;
    }

    /** Writes component j's probability vectors (validated: each in [0, 1], summing to 1 within `tol`). */
    function writeComponent(v: unknown, theta: Float64Array, j: number, path: string, tol: number, stored: boolean): void {
      if (!Array.isArray(v) || v.length !== d) throw optionError(path, `must be an array of ${d} probability vectors (one per column), got ${describe(v)}`);
      v.forEach((row, a) => {
        const p = numberListOf(row, L[a], `${path}[${a}]`);
        let sum = 0;
        p.forEach((x, l) => {
          if (!(stored ? x > 0 && x <= 1 : x >= 0 && x <= 1)) throw optionError(`${path}[${a}][${l}]`, `must be a probability in ${stored ? "(0, 1]" : "[0, 1]"}, got ${x}`);
          sum += x;
        });
        if (!(Math.abs(sum - 1) <= tol)) throw optionError(`${path}[${a}]`, `must sum to 1, got ${sum}`);
        // Explicit init: floored and renormalised (log 0 is not a kernel parameter); stored: as given.
        p.forEach((x, l) => { theta[j * t + off[a] + l] = stored ? x : Math.max(x, PROB_FLOOR) / sum; });
      });
    }
  },
};

/** A list of exactly L probabilities (a column's levels). */
function numberListOf(v: unknown, L: number, path: string): number[] {
  try {
    return numberList(v, L, path);
  } catch (e) {
    if (e instanceof MixemError && e.path === path && Array.isArray(v)) throw optionError(path, `must have ${L} values (one per level of the column), got ${v.length}`);
    throw e;
  }
}

/**
 * A part of the data (a stream's chunk, a shard) whose levels do not fit the first part's: an error
 * naming `path` (options.levels, or an independent model's options.columns[a].levels) and both parts.
 */
export function checkLevels(next: CategoricalLevels[] | undefined, first: CategoricalLevels[] | undefined, path: string, parts: DataParts = { first: "the first part", next: "this part" }): void {
  if (!next || !first) return;
  next.forEach((c, a) => {
    const m = first[a];
    const ok = typeof c === "number" ? c <= countOf(m) : Array.isArray(m) && c.length === m.length && c.every((s, l) => s === m[l]);
    const col = first.length > 1 ? `column ${a} of ` : "", say = (l: CategoricalLevels) => (typeof l === "number" ? `${l} level codes` : `levels ${JSON.stringify(l)}`);
    if (!ok) throw dataError(path, `${col}${parts.next} has ${say(c)}; ${col}${parts.first} has ${say(m)}; give ${path} (every level, the same for every part)`);
  });
}

/**
 * Calls f(column, code) for every value of `data` (rows of codes or level names, or flat codes with
 * d per row), checked against the levels as the model reads data; returns the number of rows.
 * Plain JavaScript (plots need no WebAssembly).
 */
function countLevels(data: unknown, d: number, levels: CategoricalLevels[], f: (a: number, code: number, row: number) => void): number {
  const index = levels.map((c) => (Array.isArray(c) ? new Map(c.map((name, l) => [name, l])) : undefined));
  const code = (v: unknown, a: number, where: string) => {
    if (typeof v === "string") {
      const c = index[a]?.get(v);
      if (c === undefined) throw dataError(where, index[a] ? `${JSON.stringify(v)} is not a level of this column` : `is the string ${JSON.stringify(v)}, but this column has level codes`);
      return c;
    }
    const problem = typeof v !== "number" || !Number.isFinite(v) ? `is not a level code or name (${describe(v)})` : codeProblem(v, countOf(levels[a]));
    if (problem) throw dataError(where, problem);
    return v as number;
  };
  if (Array.isArray(data) && data.length > 0 && isRow(data[0])) {
    const rows = data as ArrayLike<unknown>[];
    rows.forEach((row, i) => {
      if (!isRow(row) || row.length !== d) throw dataError(`data[${i}]`, `must be a row of ${d} values`);
      for (let a = 0; a < d; a++) f(a, code(row[a], a, `data[${i}][${a}]`), i);
    });
    return rows.length;
  }
  const n = checkVector(data, "data");
  if (n % d !== 0) throw dataError("data", `has ${n} values, not a multiple of the ${d} columns`);
  const flat = data as ArrayLike<unknown>;
  for (let i = 0; i < n; i++) f(i % d, code(flat[i], i % d, `data[${i}]`), Math.floor(i / d));
  return n / d;
}
