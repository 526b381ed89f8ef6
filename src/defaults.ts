// Every default of the fit options, in one place (the docs' option table lists the same values).
import type { FamilyName } from "./families/index.js";
import { DEFAULT_FAMILY } from "./families/default.js";

/** The family a fit uses when its options name none (`mixem/<family>`: that family). */
export type DefaultFamily = typeof DEFAULT_FAMILY;

/** Defaults of the fit options (regCovar: gaussian and mvgaussian). */
export const DEFAULTS = Object.freeze({
  family: DEFAULT_FAMILY satisfies FamilyName as DefaultFamily,
  mode: "soft" as const,
  fixWeights: false,
  maxIter: 500,
  tol: 1e-8,
  /** What tol is compared with: the objective's change per point (see FitOptions.stop). */
  stop: "perPoint" as "perPoint" | "relative",
  nInit: 1,
  /** With nInit left to its default: restarts added while the run so far is degenerate (see MixtureModel.warnings). */
  extraRestarts: 2,
  seed: 0,
  init: "kmeans++" as const,
  regCovar: 1e-6,
  /** fit: plain EM steps; selectK and the CLI default to "squarem" for soft EM. */
  accelerate: "none" as "none" | "squarem",
});
