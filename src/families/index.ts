import type { Family, FamilyName } from "../family.js";
import { gaussian } from "./gaussian.js";
import { poisson } from "./poisson.js";
import { binomial } from "./binomial.js";
import { mvgaussian } from "./mvgaussian.js";
import { bernoulli } from "./bernoulli.js";

export const FAMILIES: Readonly<Record<FamilyName, Family>> = { gaussian, poisson, binomial, mvgaussian, bernoulli };
