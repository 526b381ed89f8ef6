// Option validators: options are declared as tables of these rules (resolve.ts: the common ones;
// each family: its own).
import { optionError, MixemError, readFailure } from "./errors.js";
import { describe } from "./data.js";
import type { Rule } from "./family.js";

export const oneOf = (...allowed: string[]): Rule => (v, path) => {
  if (typeof v !== "string" || !allowed.includes(v))
    throw optionError(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describe(v)}`);
};
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Rule => (v, path) => {
  if (typeof v !== "number" || !Number.isInteger(v)) throw optionError(path, `must be an integer, got ${describe(v)}`);
  if (v < min || v > max) throw optionError(path, `must be between ${min} and ${max}, got ${v}`);
};
export const finiteAtLeast = (min: number): Rule => (v, path) => {
  if (typeof v !== "number" || !Number.isFinite(v)) throw optionError(path, `must be a finite number, got ${describe(v)}`);
  if (v < min) throw optionError(path, `must be at least ${min}, got ${v}`);
};
export const boolean: Rule = (v, path) => {
  if (typeof v !== "boolean") throw optionError(path, `must be true or false, got ${describe(v)}`);
};
export const func: Rule = (v, path) => {
  if (typeof v !== "function") throw optionError(path, `must be a function, got ${describe(v)}`);
};
export const abortSignal: Rule = (v, path) => {
  let aborted: unknown;
  try {
    aborted = typeof v === "object" && v !== null ? (v as AbortSignal).aborted : undefined;
  } catch (e) {
    throw readFailure(e, "INVALID_OPTION", path);
  }
  if (typeof aborted !== "boolean") throw optionError(path, `must be an AbortSignal, got ${describe(v)}`);
};
/** An array or a typed array (not a DataView); a revoked Proxy (Array.isArray throws) is a MixemError naming path. */
function isList(v: unknown, path: string, typed = true): boolean {
  try {
    return Array.isArray(v) || (typed && ArrayBuffer.isView(v) && !(v instanceof DataView));
  } catch (e) {
    throw readFailure(e, "INVALID_OPTION", path);
  }
}
/** Sample weights: an array or typed array of numbers (checked in full with the data: dataset.ts). */
export const sampleWeightsRule: Rule = (v, path) => {
  if (v === undefined || v === null) return;
  if (isList(v, path)) return;
  throw optionError(path, `must be an array of non-negative numbers, one per point, got ${describe(v)}`);
};

/** Partial labels: an array or typed array of integers, one per point (checked in full with the data: dataset.ts). */
export const labelsRule: Rule = (v, path) => {
  if (v === undefined || v === null) return;
  if (isList(v, path)) return;
  throw optionError(path, `must be an array of integers, one per point, got ${describe(v)}`);
};

/** "kmeans++", "random", "hc", or an object of initial parameters (checked against the family later). */
export const initRule: Rule = (v, path) => {
  if (v === "kmeans++" || v === "random" || v === "hc") return;
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return; // contents: checked against the family
  throw optionError(path, `must be "kmeans++", "random", "hc" or an object of initial parameters, got ${describe(v)}`);
};

/**
 * A snapshot of an options object: its own enumerable properties, each read once, in an object
 * without a prototype — so inherited or polluted properties, getters that change value and Proxies
 * cannot reach the code that uses the options. Throws on a non-object or a property that cannot be read.
 */
export function ownOptions(options: unknown, path = "options"): Record<string, unknown> {
  if (typeof options !== "object" || options === null || isList(options, path, false))
    throw optionError(path, `must be an object, got ${describe(options)}`);
  const out: Record<string, unknown> = Object.create(null);
  let keys: string[];
  try {
    keys = Object.keys(options);
  } catch (e) {
    throw readFailure(e, "INVALID_OPTION", path);
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = (options as Record<string, unknown>)[key];
    } catch (e) {
      throw readFailure(e, "INVALID_OPTION", `${path}.${key}`);
    }
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Throws on a non-object, an unknown name or a value a rule rejects; returns the snapshot of the
 * options (see ownOptions) that was checked — use it, not the caller's object.
 */
export function checkOptions(options: unknown, rules: Readonly<Record<string, Rule>>, path = "options"): Record<string, unknown> {
  const o = ownOptions(options, path);
  for (const key of Object.keys(o)) {
    if (o[key] === undefined) continue; // { seed: undefined } means "not given"
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (!rule) {
      const known = Object.keys(rules);
      const guess = nearest(key, known);
      throw optionError(`${path}.${key}`, `is not an option here; ${known.length ? `known options: ${known.join(", ")}` : "none are taken"}${guess ? ` (did you mean ${guess}?)` : ""}`);
    }
    try {
      rule(o[key], `${path}.${key}`);
    } catch (e) {
      // A rule throws MixemErrors; anything else came from reading the value (a revoked Proxy, a throwing getter).
      throw e instanceof MixemError ? e : readFailure(e, "INVALID_OPTION", `${path}.${key}`);
    }
  }
  return o;
}

/** Peers' option names whose nearest spelling is not the option meant (reg_covar is an absolute ridge, not regCovar). */
const PEER_NAMES: Record<string, string> = {
  reg_covar: "ridge", n_components: "k", covariance_type: "covariance", modelNames: "covariance", G: "kRange",
  random_state: "seed", init_params: "init", means_init: "init", weights_init: "init", warm_start: "init",
};

/**
 * The known name a mistyped one most likely meant (a peer's name for it first): the same up to case, `_` and `-` (n_init →
 * nInit), one a prefix of the other (maxIterations → maxIter), or at most 2 edits away (Levenshtein
 * distance, for names of 5+ letters: maxIters → maxIter); undefined when none is that close.
 */
export function nearest(name: string, known: readonly string[]): string | undefined {
  const peer = PEER_NAMES[name]; // scikit-learn's and mclust's names for mixem's options
  if (peer !== undefined && Object.hasOwn(PEER_NAMES, name) && known.includes(peer)) return peer;
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, "");
  const a = norm(name);
  let best: string | undefined, bestD = Infinity;
  for (const k of known) {
    const b = norm(k);
    let d: number;
    if (a === b) d = 0;
    else if (Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a))) d = 1;
    else if (Math.min(a.length, b.length) >= 5) {
      // Levenshtein distance, one row at a time.
      let row = Array.from({ length: b.length + 1 }, (_, j) => j);
      for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        row = next;
      }
      d = row[b.length] <= 2 ? row[b.length] : Infinity;
    } else d = Infinity;
    if (d < bestD) { bestD = d; best = k; }
  }
  return best;
}

/** A finite number array of exactly `length` values, e.g. an explicit init. */
export function numberList(v: unknown, length: number, path: string): number[] {
  if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView)))
    throw optionError(path, `must be an array of ${length} numbers, got ${describe(v)}`);
  const a = v as ArrayLike<unknown>;
  if (a.length !== length) throw optionError(path, `must have ${length} values (one per component), got ${a.length}`);
  const out: number[] = [];
  for (let i = 0; i < length; i++) {
    const x = a[i];
    if (typeof x !== "number" || !Number.isFinite(x)) throw optionError(`${path}[${i}]`, `must be a finite number, got ${describe(x)}`);
    out.push(x);
  }
  return out;
}

/**
 * Mixing weights: k positive numbers summing to 1. Initial weights (options) may be off by 1e-6
 * and are renormalised; a stored model's (INVALID_MODEL) must sum to 1 within 1e-9 and are kept
 * exactly as given (`asGiven`; also a warm start from a model's JSON), so a model survives a JSON round trip bit for bit.
 */
export function weightList(v: unknown, k: number, path: string, code: "INVALID_OPTION" | "INVALID_MODEL" = "INVALID_OPTION", asGiven = code === "INVALID_MODEL"): Float64Array {
  try {
    const w = numberList(v, k, path);
    let sum = 0;
    w.forEach((x, i) => {
      if (!(x > 0)) throw optionError(`${path}[${i}]`, `must be a positive weight, got ${x}`);
      sum += x;
    });
    if (Math.abs(sum - 1) > (code === "INVALID_MODEL" ? 1e-9 : 1e-6)) throw optionError(path, `must sum to 1, got ${sum}`);
    return asGiven ? Float64Array.from(w) : Float64Array.from(w, (x) => x / sum);
  } catch (e) {
    if (code === "INVALID_MODEL" && e instanceof MixemError) throw new MixemError(code, e.message);
    throw e;
  }
}
