// The family registry: the single source of which families exist. FamilyName, the `family` option's
// allowed values, the public Component / ExplicitInit / FitOptions types and the CLI's family help
// all derive from FAMILIES; test/conformance.test.ts runs every entry through the same checks.
import type { Family } from "../family.js";
import { gaussian } from "./gaussian.js";
import { poisson } from "./poisson.js";
import { binomial } from "./binomial.js";
import { mvgaussian } from "./mvgaussian/index.js";
import { bernoulli } from "./bernoulli.js";
import { categorical } from "./categorical.js";
import { independent } from "./independent.js";
import { t } from "./t.js";
import { mvt } from "./mvt.js";
import { exponential } from "./exponential.js";
import { gamma } from "./gamma.js";
import { lognormal } from "./lognormal.js";
import { negbinomial } from "./negbinomial.js";

export const FAMILIES = { gaussian, poisson, binomial, mvgaussian, bernoulli, exponential, gamma, lognormal, negbinomial, t, mvt, categorical, independent } as const;

export type FamilyName = keyof typeof FAMILIES;
export const FAMILY_NAMES = Object.keys(FAMILIES) as FamilyName[];

type TypesOf<F extends FamilyName> = NonNullable<(typeof FAMILIES)[F]["types"]>;
/** The component type of family F (gaussian: { mean, variance }, …). */
export type ComponentOf<F extends FamilyName> = TypesOf<F>["component"];
/** The explicit-init entries of family F besides `weights`. */
export type InitOf<F extends FamilyName> = TypesOf<F>["init"];
/** The parameters family F can freeze besides the weights (named as its explicit-init entries; none unless the family declares them). */
export type FreezeKeysOf<F extends FamilyName> = string extends TypesOf<F>["freeze"] ? never : TypesOf<F>["freeze"];
/** Family F's own fit options. */
export type OptionsOf<F extends FamilyName> = TypesOf<F>["options"];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** Every family's own options, each optional (the loose shape internal code passes around; the public FitOptions is discriminated by family). */
export type AllFamilyOptions = Partial<UnionToIntersection<OptionsOf<FamilyName>>>;

/** The family of that name (an own property of FAMILIES), or undefined. */
export function familyOf(name: unknown): Family | undefined {
  return typeof name === "string" && Object.hasOwn(FAMILIES, name) ? (FAMILIES[name as FamilyName] as Family) : undefined;
}
