// Independent columns (mixed-type rows, as pomegranate's IndependentComponents or R's clustMD /
// VarSelLCM): column a of every row follows its own 1-D family, the columns independent given the
// component. Nothing of a column's family is re-implemented here: each column is that family's own
// Spec (configured at one dimension), asked for what it alone knows — loading and validating its
// values, its prior, seeding, explicit init, packing its kernel parameters, its M-step from its own
// statistics, its prior density, components, sampling, logJoint. This module only lays the
// columns side by side: θ_j = the columns' θ_j concatenated; kernel parameters and statistics as
// assembly/kernels/independent.ts describes (each column's block as its own kernel lays it out).
import { dictionaryLevels } from "./arrow-text.js";
import { differingToNull, mergeDataSettings, type DatasetParts, type DataScale, type Family, type FreezeKey, type PlotKind, type Sampler, type Spec } from "../family.js";
import { getCore, type Arena, type Region } from "../wasm.js";
import { checkVector, columnScales, describe } from "../data.js";
import { checkOptions, integer, ownOptions } from "../options.js";
import { MixemError, optionError } from "../errors.js";
import { componentObject, NONE, scaleRule } from "./shared.js";
import { priorRule } from "../prior.js";
import { gaussian } from "./gaussian.js";
import { poisson } from "./poisson.js";
import { binomial } from "./binomial.js";
import { bernoulli } from "./bernoulli.js";
import { categorical, checkLevels, type CategoricalLevels } from "./categorical.js";
import { hcVVV } from "../hc.js";
import { freezeRule } from "../freeze.js";
import { codedPoints } from "../coded-rows.js";

/** The families a column may follow (one value per row), and how the composite kernel reads each one's parameters. */
const COLUMN_FAMILIES: Readonly<Record<string, Family>> = { gaussian, poisson, binomial, bernoulli, categorical } as Record<string, Family>;
const KINDS: Readonly<Record<string, number>> = { gaussianPass: 0, loglinearPass: 1, binomialPass: 2, categoricalPass: 3 };
const PER_COLUMN = 4;
/** Rows per family load when the seed points are made (see load). */
const SEED_ROWS = 1 << 16;

/** f with an arena of its own, freed after. */
function withArena<T>(f: (mem: Arena) => T): T {
  const mem = getCore().arena();
  try {
    return f(mem);
  } finally {
    mem.free();
  }
}

/** One column: its family and that family's own options (categorical `levels`, binomial `trials`, gaussian `regCovar`…). */
export interface IndependentColumn {
  family: "gaussian" | "poisson" | "binomial" | "bernoulli" | "categorical";
  [option: string]: unknown;
}

export interface IndependentComponent {
  /** Column a's parameters, as its family's component ({ mean, variance }, { lambda }, { p: [[…]] }, …). */
  columns: Record<string, unknown>[];
}

/**
 * `prior: true` gives every column its family's default prior; an object may set `weights` (the
 * Dirichlet concentration of the mixing weights) and `columns`: per column `true` or that family's
 * prior object.
 */
export interface IndependentPrior { weights: number; columns: Record<string, unknown>[] }

export interface IndependentOptions {
  /** independent: one entry per column of the rows, `{ family, …that family's options }`. Required. */
  columns?: readonly IndependentColumn[];
  /**
   * independent: trials for the binomial columns given without `trials` of their own — one number,
   * or one per row (as the binomial family's `trials`).
   */
  trials?: number | ArrayLike<number>;
  /** independent: MAP-EM with each column's conjugate prior (see IndependentPrior). */
  prior?: boolean | Record<string, unknown>;
}

/** The `columns` option: an array of { family, …options } with a 1-D family and its own valid options. */
const columnsRule = (v: unknown, path: string) => {
  if (!Array.isArray(v) || v.length === 0) throw optionError(path, `must be an array with one { family, … } per column, got ${describe(v)}`);
  if (v.length > 1 << 12) throw optionError(path, `has ${v.length} columns; at most ${1 << 12}`);
  v.forEach((c, a) => columnOf(c, `${path}[${a}]`));
};

/** A column's family and its options (checked), from { family, …options }. */
function columnOf(c: unknown, path: string): { family: Family; name: string; options: Record<string, unknown> } {
  const o = ownOptions(c, path);
  const name = o.family;
  if (typeof name !== "string" || !Object.hasOwn(COLUMN_FAMILIES, name))
    throw optionError(`${path}.family`, `must be a family of one value per row (${Object.keys(COLUMN_FAMILIES).map((s) => JSON.stringify(s)).join(", ")}), got ${describe(name)}${name === "mvgaussian" || name === "independent" ? ": it is not a 1-D family" : ""}`);
  const family = COLUMN_FAMILIES[name];
  const { family: _f, ...rest } = o;
  const { prior: _p, dims: _d, ...rules } = family.options; // a column's prior comes through options.prior; it has one value per row
  const options = checkOptions(rest, rules, path);
  if (family.perPoint && typeof options[family.perPoint] !== "number" && options[family.perPoint] !== undefined)
    throw optionError(`${path}.${family.perPoint}`, `must be one number for a column (for one per row, leave it out and give options.${family.perPoint}), got ${describe(options[family.perPoint])}`);
  return { family, name, options };
}

/**
 * What a model keeps of each column's data (`settings.columnData`, one object per column): only the
 * keys that column's family keeps (binomial trials, categorical levels; its scale is the composite's),
 * each checked by that family's rule — a stored model's entries are spread into the column's options.
 */
function columnDataOf(v: unknown, cols: { family: Family }[], path = "model.settings.columnData"): Record<string, unknown>[] {
  if (v === undefined || v === null) return cols.map(() => ({}));
  if (!Array.isArray(v) || v.length !== cols.length) throw optionError(path, `must be an array of ${cols.length} objects (one per column), got ${describe(v)}`);
  return v.map((c, a) => {
    const { scale: _s, ...rules } = cols[a].family.dataSettings;
    return checkOptions(c, rules, `${path}[${a}]`);
  });
}

/** A column's MixemError under the composite's names: data[i] → data[i][a], options.x → options.columns[a].x. */
function renamed(e: unknown, path: string, a: number, flatDims: number | undefined): unknown {
  if (!(e instanceof MixemError) || e.path === undefined) return e;
  const message = e.message.slice(e.path.length + 2);
  const m = new RegExp(`^${path.replace(/[.[\]]/g, "\\$&")}\\[(\\d+)\\](?:\\[0\\])?(.*)$`).exec(e.path);
  let where = e.path;
  if (m) where = flatDims === undefined ? `${path}[${m[1]}][${a}]${m[2]}` : `${path}[${Number(m[1]) * flatDims + a}]${m[2]}`;
  else if (e.path.startsWith("options.")) where = `options.columns[${a}].${e.path.slice("options.".length)}`;
  return new MixemError(e.code, message, where, e.reason);
}

const isRow = (r: unknown) => Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView));
/** A flat numeric typed array (every value a number: no names, no holes). */
const isFlatTyped = (v: unknown) => ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);

/** Column a of the data: rows (arrays or typed arrays) or one flat array of d values per row. */
function columnValues(data: unknown, d: number, a: number, path: string): unknown[] {
  if (Array.isArray(data) && data.length > 0 && isRow(data[0])) {
    const rows = data as ArrayLike<unknown>[];
    const out = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!isRow(row)) throw new MixemError("INVALID_DATA", `is not a row of values (${describe(row)})`, `${path}[${i}]`);
      if (row.length !== d) throw new MixemError("INVALID_DATA", `has ${row.length} values; every row must have ${d} (one per entry of options.columns)`, `${path}[${i}]`);
      out[i] = row[a];
    }
    return out;
  }
  const total = checkVector(data, path);
  if (total % d !== 0) throw new MixemError("INVALID_DATA", `has ${total} values, not a multiple of the ${d} columns`, path);
  const flat = data as ArrayLike<unknown>;
  return Array.from({ length: total / d }, (_, i) => flat[i * d + a]);
}

/** The `trials` option: one positive integer, or an array with one per row (each checked when the data is loaded). */
const trialsRule = (v: unknown, path: string) => {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 1) throw optionError(path, `must be a positive integer (up to 2^53) or one per row, got ${v}`);
    return;
  }
  checkVector(v, path);
};

/**
 * Which columns take options.trials: the binomial columns without `trials` of their own (given,
 * or kept by a fitted model as a number). options.trials must be there for them, and only for them.
 */
function sharedTrials(cols: { family: Family; name: string; options: Record<string, unknown> }[], options: Readonly<Record<string, unknown>>): boolean[] {
  const columnData = options.columnData as Record<string, unknown>[] | undefined;
  const given = options.trials !== undefined;
  const shared = cols.map((c, a) => c.family.perPoint === "trials" && c.options.trials === undefined && (given || typeof columnData?.[a]?.trials !== "number"));
  const first = shared.indexOf(true);
  if (first >= 0 && !given) throw optionError("options.trials", `is required: column ${first} is binomial without trials of its own (give options.columns[${first}].trials, one number, or options.trials, one number or one per row)`);
  if (first < 0 && given && !columnData) throw optionError("options.trials", "is taken by binomial columns without trials of their own; every binomial column here has its own (or there is none)");
  return shared;
}

export const independent: Family<IndependentComponent, { columns: Record<string, unknown>[] }, IndependentOptions, "columns"> = {
  summary: "rows of mixed columns, each its own 1-D family (options.columns), independent given the component",
  shape: "rows",
  options: { columns: columnsRule, prior: priorRule, dims: integer(1, 1 << 12), trials: trialsRule },
  evalOptions: { trials: trialsRule },
  perPoint: "trials",
  dataSettings: {
    scale: scaleRule,
    columnData: (v, path) => {
      if (v !== undefined && (!Array.isArray(v) || !v.every((c) => typeof c === "object" && c !== null && !Array.isArray(c))))
        throw optionError(path, `must be an array of objects (what each column's family keeps of its data), got ${describe(v)}`);
    },
  },
  // Per column, by that column's family (categorical keeps the first part's levels; differing trials become null).
  mergeDataSettings(first, next, options, parts) {
    const cols = (options.columns as unknown[]).map((c, a) => columnOf(c, `options.columns[${a}]`));
    const a0 = first.columnData as Record<string, unknown>[] | undefined, a1 = next.columnData as Record<string, unknown>[] | undefined;
    const out = differingToNull(first, next);
    // A categorical column's levels that differ: an error naming options.columns[a].levels (not options.levels).
    if (a0 && a1) cols.forEach((col, a) => { if (col.family === categorical) checkLevels(a1[a]?.levels as CategoricalLevels[] | undefined, a0[a]?.levels as CategoricalLevels[] | undefined, `options.columns[${a}].levels`, parts); });
    if (a0 && a1) out.columnData = a0.map((c, a) => mergeDataSettings(cols[a].family, c, a1[a] ?? {}, cols[a].options, parts));
    return out;
  },
  hierarchical: hcVVV,
  kernels: ["independentPass"],
  plot: { kind: "columns" },
  arrowText: dictionaryLevels, // Arrow text columns as level names

  // Σ_i w_i c_i: the sum over columns of each column family's weighted per-point constants.
  weightedConstant(ds, w, options) {
    const cols = (options.columns as unknown[]).map((c, a) => columnOf(c, `options.columns[${a}]`));
    const columnData = ds.settings.columnData as Record<string, unknown>[] | undefined;
    let c = 0;
    cols.forEach((col, a) => {
      if (col.family.weightedConstant) c += col.family.weightedConstant(columnDataset(ds, a, columnData?.[a]), w, { ...columnData?.[a], ...col.options });
    });
    return c;
  },

  load(mem, data, options, path, dims, trusted) {
    if (options.columns === undefined) throw optionError("options.columns", 'is required for family "independent" (one { family, … } per column)');
    const cols = (options.columns as unknown[]).map((c, a) => columnOf(c, `options.columns[${a}]`));
    const d = cols.length;
    if (dims !== undefined && dims !== d) throw optionError("options.columns", `has ${d} columns; this model has ${dims}`);
    const flat = Array.isArray(data) && data.length > 0 && isRow(data[0]) ? undefined : d;
    const shared = sharedTrials(cols, options);
    const parts: DatasetParts[] = [];
    let n = -1, aux: Region | null = null, region: Region;
    /** Column a's options for its family's load (per-row trials: `trials`). */
    const columnOptions = (a: number, trials: unknown, more?: Readonly<Record<string, unknown>>) => {
      // A fitted model's new data (or a thread's shard) reads each column as the fit did (categorical levels).
      const colData = (options.columnData as Record<string, unknown>[] | undefined)?.[a];
      return { ...colData, ...cols[a].options, ...more, ...(shared[a] ? { trials } : {}), dims: 1 };
    };
    /** Column a's own load (the family's checks, its data settings), errors named as the composite's. */
    const loadColumn = (a: number, input: unknown, trials: unknown) => {
      try {
        return cols[a].family.load(mem, input, columnOptions(a, trials), path, 1, trusted);
      } catch (e) {
        // A problem with options.trials itself (its length, a value) is named as given.
        throw shared[a] && e instanceof MixemError && e.path?.startsWith("options.trials") ? e : renamed(e, path, a, flat);
      }
    };
    /** Rows [from, from + m) of column a of the row-major n × d values into `into`. */
    const columnOut = (a: number, into: Region, from = 0, m = n) => { const x = region.array, v = into.array; for (let i = 0; i < m; i++) v[i] = x[(from + i) * d + a]; };
    if (isFlatTyped(data)) {
      // A flat typed array (the CLI's data, a thread's shard): no copy per row or per column in
      // JavaScript. The values are x as they lie in WebAssembly memory (else one copy of them
      // there); each column is read into one column of scratch, where its family's load reads
      // (and checks) it in place — the same values, so the same checks and the same bits.
      const total = checkVector(data, path);
      if (total % d !== 0) throw new MixemError("INVALID_DATA", `has ${total} values, not a multiple of the ${d} columns`, path);
      n = total / d;
      // Per-row trials lying in WebAssembly memory: their region, taken before anything is
      // allocated (an allocation that grows memory detaches every view of it).
      const trialsAt = mem.borrow(options.trials);
      const lying = mem.borrow(data);
      if (lying) region = lying;
      else {
        region = mem.alloc(total);
        // (A view of WebAssembly memory outside any live region would be detached by a growth here.)
        if ((data as ArrayLike<number>).length !== total) throw new MixemError("INVALID_DATA", "was a view of WebAssembly memory that moved; pass a copy", path);
        region.array.set(data as unknown as ArrayLike<number>);
      }
      // The scratch is freed once every column is loaded (its memory then serves the seeds): the
      // columns' parts are kept for their settings, constants and trials, never their values.
      const scratch = getCore().arena();
      try {
        const column = scratch.alloc(n);
        for (let a = 0; a < d; a++) {
          columnOut(a, column);
          parts.push(loadColumn(a, column.array, trialsAt ? trialsAt.array : options.trials));
          aux ??= parts[a].aux; // per-row trials (every column that has them has the same)
        }
      } finally {
        scratch.free();
      }
    } else {
      // Every column read out before any column is loaded: loading allocates WebAssembly memory, and
      // growing it detaches a Float64Array view of that memory (the CLI's data lies there).
      const columns = cols.map((_, a) => columnValues(data, d, a, path));
      cols.forEach((c, a) => {
        const values = columns[a];
        // A categorical column of level names goes in as rows of one value (the names are read there).
        const input = c.name === "categorical" && values.some((v) => typeof v === "string") ? values.map((v) => [v]) : values;
        parts.push(loadColumn(a, input, options.trials));
        n = parts[a].n;
        aux ??= parts[a].aux;
      });
      region = mem.alloc(n * d);
      const x = region.array;
      parts.forEach((p, a) => { const v = p.x.array; for (let i = 0; i < n; i++) x[i * d + a] = v[i]; });
    }
    const x = region.array;
    const scale = columnScales(x, n, d, path);
    // Seeding locations: the columns' own (one-hot levels, proportions, values), side by side; a
    // column of one value per row in units of its standard deviation, so no column's scale rules
    // k-means++. Seeding reads them as codes (src/coded-rows.ts): a value per numeric column, the
    // code per categorical one (its one-hot levels never made: a distance costs the columns).
    const seedDims = parts.map((p) => p.seedPoints.dims);
    const width = seedDims.reduce((s, v) => s + v, 0);
    /** Column a's family loaded (trusted) on rows [from, from + m) of x, in `into`: its seed points for those rows. */
    const loadRows = (into: Arena, a: number, from: number, m: number) => {
      const column = into.alloc(m);
      columnOut(a, column, from, m);
      // As the whole column was loaded, with what that load found (categorical levels); per-row trials: those rows'.
      return cols[a].family.load(into, column.array, columnOptions(a, aux ? aux.array.subarray(from, from + m) : options.trials, parts[a].settings), path, 1, true);
    };
    // Per column: 2 a categorical one (its code is its value in x), 1 a family that seeds on the values it read (its seed points are its x), 0 another (binomial: proportions).
    const kinds = cols.map((_, a) => parts[a].seedPoints.oneHot ? 2 : withArena((into) => {
      const p = loadRows(into, a, 0, 1), points = p.seedPoints.points, values = p.x.array;
      return +(p.seedPoints.dims === 1 && points.buffer === values.buffer && points.byteOffset === values.byteOffset);
    }));
    // A shard of a threaded fit is given the whole data's scale (options.scale): its seed points are then the whole data's rows.
    const given = options.scale, seedScale = Array.isArray(given) && given.length === d && given.every((v) => typeof v === "number" && v > 0) ? (given as number[]) : scale;
    let block: Float64Array | undefined;
    // Rows [from, from + count) of codes, made again for each block seeding reads (src/seeding.ts
    // reads 2^20 values at a time): no n × d of them is kept. A column load, SEED_ROWS rows at a time.
    const seedPoints = codedPoints(mem, n, width, Int32Array.from(seedDims, (_, a) => seedDims.slice(0, a).reduce((s, v) => s + v, 0)), (from, count) => {
      if (!block || block.length < count * d) block = new Float64Array(count * d);
      const out = block;
      for (let at = 0; at < count; at += SEED_ROWS) {
        const m = Math.min(SEED_ROWS, count - at);
        for (let a = 0; a < d; a++) {
          const sd = cols[a].family.shape === "values" ? Math.sqrt(seedScale[a]) : 1;
          if (kinds[a]) { const x = region.array; for (let i = 0; i < m; i++) out[(at + i) * d + a] = x[(from + at + i) * d + a] / sd; }
          else withArena((into) => { const src = loadRows(into, a, from + at, m).seedPoints.points; for (let i = 0; i < m; i++) out[(at + i) * d + a] = src[i] / sd; });
        }
      }
      return out.subarray(0, count * d);
    }, Uint8Array.from(kinds, (k) => +(k < 2)));
    // What the columns keep of their data (categorical levels, binomial trials), but not their
    // variance: that is this family's `scale`, which a stream computes over all its chunks.
    const columnData = parts.map((p) => { const { scale: _s, ...rest } = p.settings as Record<string, unknown>; return rest; });
    const logConstant = parts.reduce((s, p) => s + p.logConstant, 0);
    return { n, dims: d, x: region, aux, logConstant, scale, seedPoints, settings: { scale: Array.from(scale), columnData } };
  },

  resolvePrior(raw, ds, k, options, path): IndependentPrior & Record<string, unknown> {
    const o = raw === true ? {} : ownOptions(raw, path);
    for (const key of Object.keys(o)) if (key !== "weights" && key !== "columns") throw optionError(`${path}.${key}`, "is not a prior parameter here (expected weights, columns)");
    const cols = (options.columns as unknown[]).map((c, a) => columnOf(c, `options.columns[${a}]`));
    const given = o.columns;
    if (given !== undefined && (!Array.isArray(given) || given.length !== cols.length)) throw optionError(`${path}.columns`, `must be an array of ${cols.length} priors (one per column), got ${describe(given)}`);
    const columnData = (ds?.settings.columnData ?? options.columnData) as Record<string, unknown>[] | undefined;
    const weights = o.weights ?? 1;
    const columns = cols.map((c, a) => {
      const subDs = ds && columnDataset(ds, a, columnData?.[a]);
      const prior = c.family.resolvePrior(given ? (given as unknown[])[a] : true, subDs, k, { ...columnData?.[a], ...c.options, dims: 1 }, `${path}.columns[${a}]`);
      const { weights: _w, ...rest } = prior;
      return rest;
    });
    if (typeof weights !== "number" || !(weights >= 1) || !Number.isFinite(weights)) throw optionError(`${path}.weights`, `must be a finite number ≥ 1, got ${describe(weights)}`);
    return { weights, columns };
  },

  configure(options, d): Spec<IndependentComponent> {
    if (options.columns === undefined) throw optionError("options.columns", 'is required for family "independent" (one { family, … } per column)');
    const cols = (options.columns as unknown[]).map((c, a) => columnOf(c, `options.columns[${a}]`));
    if (cols.length !== d) throw optionError("options.columns", `has ${cols.length} columns; the data has ${d}`);
    const columnData = columnDataOf(options.columnData, cols);
    const prior = options.prior as IndependentPrior | undefined;
    const specs = cols.map((c, a) => {
      const spec = c.family.configure({ ...columnData[a], ...c.options, prior: prior ? { weights: 1, ...prior.columns[a] } : undefined }, 1);
      if (!Object.hasOwn(KINDS, spec.kernel))
        throw optionError(`options.columns[${a}].family`, `"${c.name}" does not run inside an independent model (its kernel ${spec.kernel} is not one of ${Object.keys(KINDS).join(", ")})`);
      return spec;
    });
    // Offsets of each column in θ_j, in a component's kernel block (after log w_j), in its statistics (after Σ r), in the header.
    const tOff: number[] = [], pOff: number[] = [], sOff: number[] = [], hOff: number[] = [];
    let t = 0, p = 1, s = 1, h = 4 + PER_COLUMN * d;
    for (const spec of specs) {
      tOff.push(t); pOff.push(p); sOff.push(s); hOff.push(h);
      t += spec.thetaSize; p += spec.paramsSize; s += spec.statsSize; h += spec.headerSize;
    }
    const headerSize = h, paramsSize = p, statsSize = s;
    // Per-column working copies (θ, statistics, kernel parameters), grown to k once: no allocation per iteration.
    let kk = 0;
    let subTheta: Float64Array[] = [], subStats: Float64Array[] = [], subParams: Float64Array[] = [], subHeld: Uint8Array[] = [], zeros = new Float64Array(0);
    const grow = (k: number) => {
      if (k <= kk) return;
      kk = k;
      subTheta = specs.map((sp) => new Float64Array(k * sp.thetaSize));
      subStats = specs.map((sp) => new Float64Array(k * sp.statsSize));
      subParams = specs.map((sp) => new Float64Array(sp.headerSize + k * sp.paramsSize));
      subHeld = specs.map((sp) => new Uint8Array(k * sp.thetaSize));
      zeros = new Float64Array(k);
    };
    const scales = specs.map(() => ({ scale: new Float64Array(1) }));
    const columnScale = (data: DataScale, a: number): DataScale => { scales[a].scale[0] = data.scale[a] ?? 1; return scales[a]; };
    /** Column a's θ of k components out of θ (gather), or back into it (scatter). */
    const gather = (theta: Float64Array, k: number, a: number) => {
      const ts = specs[a].thetaSize, out = subTheta[a];
      for (let j = 0; j < k; j++) for (let q = 0; q < ts; q++) out[j * ts + q] = theta[j * t + tOff[a] + q];
      return out;
    };
    const scatter = (theta: Float64Array, k: number, a: number) => {
      const ts = specs[a].thetaSize, src = subTheta[a];
      for (let j = 0; j < k; j++) for (let q = 0; q < ts; q++) theta[j * t + tOff[a] + q] = src[j * ts + q];
    };
    const kOf = (theta: Float64Array) => theta.length / t;
    const settings: Record<string, unknown> = { dims: d, columns: cols.map((c) => ({ family: c.name, ...c.options })) };
    if (prior) settings.prior = prior;

    return {
      kernel: "independentPass",
      workColumns: 0,
      dims: d,
      thetaSize: t,
      headerSize,
      paramsSize,
      statsSize,
      initKeys: ["columns"],
      settings,
      componentParameters: (k) => specs.reduce((sum, sp) => sum + sp.componentParameters(k), 0),

      // Seeds: k × (the columns' seed widths), as load laid them out (1-D columns in sd units).
      seed(seeds, data, theta) {
        const k = kOf(theta), width = seeds.length / k;
        grow(k);
        for (let a = 0, at = 0; a < d; a++) {
          const values = cols[a].family.shape === "values", w = values ? 1 : specs[a].thetaSize; // a column's seed width (categorical: its levels, one-hot)
          const sub = new Float64Array(k * w), sd = values ? Math.sqrt(data.scale[a] ?? 1) : 1;
          for (let j = 0; j < k; j++) for (let b = 0; b < w; b++) sub[j * w + b] = seeds[j * width + at + b] * sd;
          specs[a].seed(sub, columnScale(data, a), subTheta[a]);
          scatter(theta, k, a);
          at += w;
        }
      },

      fromInit(init, k, theta, path) {
        const given = init.columns;
        if (!Array.isArray(given) || given.length !== d) throw optionError(`${path}.columns`, `must be an array of ${d} initial parameter objects (one per column), got ${describe(given)}`);
        grow(k);
        given.forEach((g, a) => {
          const where = `${path}.columns[${a}]`, o = ownOptions(g, where);
          for (const key of Object.keys(o)) if (!specs[a].initKeys.includes(key)) throw optionError(`${where}.${key}`, `is not an initial parameter of a ${cols[a].name} column (expected ${specs[a].initKeys.join(", ")})`);
          for (const key of specs[a].initKeys) if (o[key] === undefined) throw optionError(`${where}.${key}`, `is required for a ${cols[a].name} column`);
          specs[a].fromInit(o, k, subTheta[a], where);
          scatter(theta, k, a);
        });
      },

      // Each column packs its own block (with log w = 0); log w_j is added once, first.
      pack(theta, logWeights, ds, params) {
        const k = logWeights.length;
        grow(k);
        params[0] = d;
        params[1 + PER_COLUMN * d] = headerSize;
        params[2 + PER_COLUMN * d] = paramsSize;
        params[3 + PER_COLUMN * d] = statsSize;
        const data = ds.settings?.columnData as Record<string, unknown>[] | undefined;
        for (let a = 0; a < d; a++) {
          const sp = specs[a], sub = subParams[a];
          params[1 + PER_COLUMN * a] = KINDS[sp.kernel];
          params[2 + PER_COLUMN * a] = hOff[a];
          params[3 + PER_COLUMN * a] = pOff[a];
          params[4 + PER_COLUMN * a] = sOff[a];
          sp.pack(gather(theta, k, a), zeros.subarray(0, k), { settings: data?.[a] ?? ds.settings ?? {} } as unknown as DatasetParts, sub);
          for (let q = 0; q < sp.headerSize; q++) params[hOff[a] + q] = sub[q];
          for (let j = 0; j < k; j++) {
            const at = headerSize + j * paramsSize;
            params[at] = logWeights[j];
            for (let q = 0; q < sp.paramsSize; q++) params[at + pOff[a] + q] = sub[sp.headerSize + j * sp.paramsSize + q];
          }
        }
      },

      // Each column's own M-step from its own statistics (frozen entries: the column's part of `held`).
      maximize(stats, theta, k, data, held) {
        grow(k);
        for (let a = 0; a < d; a++) {
          const sp = specs[a], ss = subStats[a];
          for (let j = 0; j < k; j++) for (let q = 0; q < sp.statsSize; q++) ss[j * sp.statsSize + q] = stats[j * statsSize + sOff[a] + q];
          let sub: Uint8Array | undefined;
          if (held) {
            sub = subHeld[a];
            for (let j = 0; j < k; j++) for (let q = 0; q < sp.thetaSize; q++) sub[j * sp.thetaSize + q] = held[j * t + tOff[a] + q];
          }
          sp.maximize(ss, gather(theta, k, a), k, columnScale(data, a), sub);
          scatter(theta, k, a);
        }
      },

      // freeze: `columns` is one freeze object per column (src/freeze.ts), read as the keys
      // "columns.a.key" — each column family's own keys, their θ slots and statistics moved to the
      // column's place; a column's M-step is its own, so its conditional step is its family's.
      freezeColumns(raw, path) {
        if (raw === undefined || raw === false) return [];
        if (!Array.isArray(raw) || raw.length !== d)
          throw optionError(path, `must be an array of ${d} objects (one per column, each of true or component-index lists per parameter), got ${describe(raw)}`);
        return raw.flatMap((c, a) => {
          if (c === undefined || c === null) return [];
          const at = `${path}[${a}]`, own = Object.keys(specs[a].freeze ?? {});
          freezeRule(c, at);
          const o = ownOptions(c, at);
          return Object.keys(o).map((key): [string, unknown, string] => {
            if (!own.includes(key)) throw optionError(`${at}.${key}`, `is not a parameter column ${a} (${cols[a].name}) can freeze (it can freeze: ${own.join(", ")})`);
            return [`columns.${a}.${key}`, o[key], `${at}.${key}`];
          });
        });
      },
      freeze: Object.fromEntries(specs.flatMap((sp, a) => Object.entries(sp.freeze ?? {}).map(([key, f]): [string, FreezeKey] => [`columns.${a}.${key}`, {
        slots: (j, k) => f.slots(j, k).map((q) => j * t + tOff[a] + (q - j * sp.thetaSize)),
        ...(f.zeroStats ? { zeroStats: f.zeroStats.map((q) => sOff[a] + q) } : {}),
        parameters: f.parameters,
        ...(f.shared ? { shared: f.shared } : {}),
        ...(f.refused ? { refused: f.refused } : {}),
      }]))),

      columnPictures(theta, k) {
        grow(k);
        return specs.map((sp, a) => {
          const settings: Record<string, unknown> = { ...columnData[a], ...cols[a].options };
          // A binomial column with per-row trials has no one count axis to draw: its parameters are listed.
          const plot: PlotKind = cols[a].family === binomial && typeof settings.trials !== "number" ? { kind: "none", why: "per-row trials" } : cols[a].family.plot;
          return { family: cols[a].name, plot, spec: sp, theta: gather(theta, k, a).slice(0, k * sp.thetaSize), settings };
        });
      },

      logPrior(theta, k) {
        grow(k);
        let sum = 0;
        for (let a = 0; a < d; a++) sum += specs[a].logPrior(gather(theta, k, a), k);
        return sum;
      },

      component(theta, j) {
        const k = kOf(theta);
        grow(k);
        return { columns: specs.map((sp, a) => sp.component(gather(theta, k, a), j) as Record<string, unknown>) };
      },
      fromComponent(c, theta, j, path) {
        const cs = componentObject(c, ["columns"], path).columns;
        if (!Array.isArray(cs) || cs.length !== d) throw optionError(`${path}.columns`, `must be an array of ${d} column components, got ${describe(cs)}`);
        const k = kOf(theta);
        grow(k);
        cs.forEach((cc, a) => {
          gather(theta, k, a);
          specs[a].fromComponent(cc, subTheta[a], j, `${path}.columns[${a}]`);
          scatter(theta, k, a);
        });
      },

      // Σ_a column a's log-joint (each with log w = 0 and its per-point constant) + log w_j.
      logJoint(params, j, x, offset, aux, i) {
        let q = params[headerSize + j * paramsSize];
        for (let a = 0; a < d; a++) {
          const sp = specs[a];
          const sub = new Float64Array(sp.headerSize + (j + 1) * sp.paramsSize);
          for (let h2 = 0; h2 < sp.headerSize; h2++) sub[h2] = params[hOff[a] + h2];
          for (let r = 0; r < sp.paramsSize; r++) sub[sp.headerSize + j * sp.paramsSize + r] = params[headerSize + j * paramsSize + pOff[a] + r];
          q += sp.logJoint!(sub, j, x, offset + a, (columnData[a] as Record<string, unknown> | undefined)?.trials === null ? aux : null, i);
        }
        return q;
      },

      // Each column drawn by its own family's sampler (its options: the column's settings).
      sampler() {
        const draws: Sampler[] = specs.map((sp, a) => sp.sampler({ ...columnData[a], ...cols[a].options }));
        let last: Float64Array | undefined;
        const sampleTheta: Float64Array[] = [];
        return (theta, j, rng, out, offset) => {
          const k = kOf(theta);
          grow(k);
          if (theta !== last) { last = theta; for (let a = 0; a < d; a++) sampleTheta[a] = Float64Array.from(gather(theta, k, a)); }
          for (let a = 0; a < d; a++) draws[a](sampleTheta[a], j, rng, out, offset + a);
        };
      },
    };
  },
};

/** Column a's part of a dataset, as the column's family's own methods read it (its settings). */
function columnDataset(ds: DatasetParts, a: number, data: Record<string, unknown> | undefined): DatasetParts {
  const x = ds.x.array, d = ds.dims, n = ds.n;
  const column = Float64Array.from({ length: n }, (_, i) => x[i * d + a]);
  const region = { get array() { return column; }, length: n } as unknown as Region;
  // A binomial column of per-row trials (its data's trials null) reads them from the dataset's aux.
  // The rows' sample weights too: the column's prior defaults are then weighted.
  return { n, dims: 1, x: region, aux: data?.trials === null ? ds.aux : null, logConstant: 0, scale: new Float64Array([ds.scale[a]]), seedPoints: { points: column, dims: 1 }, settings: { ...data }, weights: ds.weights };
}

