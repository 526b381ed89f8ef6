import { optionError } from "../errors.js";
import { describe } from "../data.js";

/** Checks that c is an object with exactly these finite-number keys. */
export function componentObject<K extends string>(c: unknown, keys: readonly K[], path: string): Record<K, number> {
  if (typeof c !== "object" || c === null || Array.isArray(c)) throw optionError(path, `must be an object with ${keys.join(", ")}, got ${describe(c)}`);
  const o = c as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!keys.includes(key as K)) throw optionError(`${path}.${key}`, `is not a parameter of this family (expected ${keys.join(", ")})`);
  for (const key of keys) {
    const v = o[key];
    if (typeof v !== "number" || !Number.isFinite(v)) throw optionError(`${path}.${key}`, `must be a finite number, got ${describe(v)}`);
  }
  return o as Record<K, number>;
}

/** Probabilities stay in [PROB_FLOOR, 1 − PROB_FLOOR] so every log-density is finite. */
export const PROB_FLOOR = 1e-12;
export const clampProbability = (p: number) => Math.min(1 - PROB_FLOOR, Math.max(PROB_FLOOR, p));
/** Poisson rates stay at or above RATE_FLOOR (log 0 would make 0·log λ undefined). */
export const RATE_FLOOR = 1e-12;
