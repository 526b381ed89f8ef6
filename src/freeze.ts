// Frozen parameters (`freeze`): parameters that keep their initial values while EM fits the rest.
// Each family names what can be frozen (Spec.freeze, keyed as its explicit-init entries); the
// driver keeps a frozen component's entries of θ at their start after every M-step, and makes the
// M-step the conditional one — the maximum over the free parameters with the frozen ones fixed:
//   - a frozen mean: its shift statistics Σ r (x − m) are set to 0 before the M-step (the
//     statistics are about the current mean m, which is the frozen one), so the mean stays and the
//     variance or covariance step uses the scatter about it, Σ r (x − m)(x − m)ᵀ;
//   - frozen weights of some components: the free ones share the remaining mass in proportion to
//     their Σ r (+ α − 1 under a Dirichlet prior), the maximum of Σ_j (Σr_j + α − 1) log π_j with
//     the frozen π fixed;
//   - every other freezable parameter's M-step does not involve the ones it may be frozen with
//     (a Gaussian mean's step ignores the variance; a Poisson rate is its own), so keeping it is the
//     conditional step.
import type { Spec } from "./family.js";
import type { Rule } from "./family.js";
import { optionError } from "./errors.js";
import { describe } from "./data.js";
import { ownOptions } from "./options.js";

/** `freeze` checked as far as it can be before the family's spec is known: an object of `true` or index lists. */
export const freezeRule: Rule = (v, path) => {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw optionError(path, `must be an object of true or component-index lists, got ${describe(v)}`);
};

/** The frozen components per key, as a model keeps them (settings.freeze): key → sorted component indices. */
export type FreezeSettings = Record<string, number[]>;

/** What the M-step needs of `freeze` during a fit (see maximizeStep). */
export interface Frozen {
  /** Per component 1 where its weight is frozen (null: no weight frozen, or all by fixWeights). */
  readonly weights: Uint8Array | null;
  /** The frozen weights' values, and their sum. */
  readonly weightValues: Float64Array;
  readonly frozenMass: number;
  /** Indices into θ that stay, and their values; `held` marks them (k × thetaSize, for Spec.maximize and refine). */
  readonly at: Int32Array;
  readonly held: Uint8Array;
  readonly values: Float64Array;
  /** Indices into the statistics set to 0 before the M-step (conditional steps), and the copy they are zeroed in. */
  readonly zero: Int32Array;
  readonly stats: Float64Array;
}

/**
 * `freeze` read against the family's spec: each key one of `weights` and the spec's freezable
 * parameters, each value `true` or a list of distinct component indices. Returns the settings a
 * model keeps (all weights frozen → `allWeights`, kept as fixWeights).
 */
export function readFreeze(raw: unknown, spec: Spec, k: number, family: string, path = "options.freeze"): { settings: FreezeSettings; allWeights: boolean } {
  freezeRule(raw, path);
  const o = ownOptions(raw, path); // own properties, each read once (a throwing getter: an error naming it)
  const keys = spec.freeze ?? {};
  const settings: FreezeSettings = {};
  let allWeights = false;
  // Each entry: its key in the settings, its value, the path an error names.
  const entries: [string, unknown, string][] = [];
  for (const key of Object.keys(o)) {
    if (key === "columns" && spec.freezeColumns) entries.push(...spec.freezeColumns(o[key], `${path}.columns`));
    else entries.push([key, o[key], `${path}.${key}`]);
  }
  for (const [key, v, at] of entries) {
    if (v === undefined || v === false) continue;
    if (key !== "weights" && !Object.hasOwn(keys, key))
      throw optionError(at, `is not a parameter family "${family}" can freeze (it can freeze: ${["weights", ...Object.keys(keys).filter((q) => !q.includes(".")), ...(spec.freezeColumns ? ["columns"] : [])].join(", ")})`);
    let list: number[];
    if (v === true) list = Array.from({ length: k }, (_, j) => j);
    else if (Array.isArray(v)) {
      list = [];
      v.forEach((j, i) => {
        if (typeof j !== "number" || !Number.isInteger(j) || j < 0 || j >= k)
          throw optionError(`${at}[${i}]`, `must be a component index 0 … ${k - 1} (options.k is ${k}), got ${describe(j)}`);
        if (list.includes(j)) throw optionError(`${at}[${i}]`, `repeats component ${j}`);
        list.push(j);
      });
      list.sort((a, b) => a - b);
    } else throw optionError(at, `must be true or a list of component indices, got ${describe(v)}`);
    if (key !== "weights" && keys[key].refused) throw optionError(at, `cannot be frozen ${keys[key].refused}`);
    if (list.length === 0) continue;
    if (key === "weights" && list.length === k) { allWeights = true; continue; }
    if (key !== "weights" && keys[key].shared && list.length !== k)
      throw optionError(at, `must be true: ${keys[key].shared} (frozen for all or none)`);
    settings[key] = list;
  }
  return { settings, allWeights };
}

/** The Frozen of a fit from its settings and the start (θ, weights) whose values stay. */
export function frozenAt(spec: Spec, settings: FreezeSettings, k: number, theta: Float64Array, weights: Float64Array): Frozen | undefined {
  if (Object.keys(settings).length === 0) return undefined;
  const at: number[] = [], zero: number[] = [];
  let w: Uint8Array | null = null;
  for (const [key, list] of Object.entries(settings)) {
    if (key === "weights") { w = new Uint8Array(k); for (const j of list) w[j] = 1; continue; }
    const f = spec.freeze![key];
    for (const j of list) {
      for (const s of f.slots(j, k)) at.push(s);
      for (const s of f.zeroStats ?? []) zero.push(j * spec.statsSize + s);
    }
  }
  const idx = Int32Array.from(new Set(at));
  let mass = 0;
  const weightValues = Float64Array.from(weights);
  if (w) for (let j = 0; j < k; j++) if (w[j]) mass += weights[j];
  const held = new Uint8Array(k * spec.thetaSize);
  for (const i of idx) held[i] = 1;
  return {
    weights: w, weightValues, frozenMass: mass,
    at: idx, held, values: Float64Array.from(idx, (i) => theta[i]),
    zero: Int32Array.from(zero), stats: new Float64Array(k * spec.statsSize),
  };
}

/** The statistics the M-step reads: with frozen means, a copy with their shift statistics 0. */
export function conditionalStats(f: Frozen | undefined, stats: Float64Array): Float64Array {
  if (!f || f.zero.length === 0) return stats;
  f.stats.set(stats);
  for (let i = 0; i < f.zero.length; i++) f.stats[f.zero[i]] = 0;
  return f.stats;
}

/** Frozen entries of θ back at their start values (bit for bit). */
export function keepFrozen(f: Frozen | undefined, theta: Float64Array): void {
  if (!f) return;
  for (let i = 0; i < f.at.length; i++) theta[f.at[i]] = f.values[i];
}

/**
 * Weights with some frozen: those keep their values, the free ones share 1 − Σ frozen in
 * proportion to their mass — stats[j·stride] + extra (Σr_j + α − 1 + ε, as maximizeStep forms
 * them), or without statistics their current weight (an extrapolated point put back in place).
 */
export function shareWeights(f: Frozen, weights: Float64Array, k: number, stats: Float64Array | null = null, stride = 0, extra = 0): void {
  const w = f.weights!;
  let free = 0;
  for (let j = 0; j < k; j++) if (!w[j]) free += stats ? stats[j * stride] + extra : weights[j];
  for (let j = 0; j < k; j++) weights[j] = w[j] ? f.weightValues[j] : ((1 - f.frozenMass) * (stats ? stats[j * stride] + extra : weights[j])) / free;
}

/** Free parameters the frozen ones take away (nParameters: weights counted by the caller). */
export function frozenParameters(spec: Spec, settings: FreezeSettings | undefined, k: number): number {
  let n = 0;
  for (const [key, list] of Object.entries(settings ?? {})) if (key !== "weights") n += spec.freeze![key].parameters(list.length, k);
  return n;
}

/** Free weights: k − 1, or with m < k of them frozen, k − m − 1 (the rest share the remaining mass); none with all frozen. */
export function freeWeights(k: number, settings: FreezeSettings | undefined, fixWeights: boolean): number {
  if (fixWeights) return 0;
  const m = settings?.weights?.length ?? 0;
  return m === 0 ? k - 1 : Math.max(0, k - m - 1);
}
