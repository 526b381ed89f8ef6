import type { Family, FamilyName } from "../family.js";
import { gaussian } from "./gaussian.js";
import { poisson } from "./poisson.js";
import { binomial } from "./binomial.js";

export const FAMILIES: Readonly<Record<FamilyName, Family<any, any>>> = { gaussian, poisson, binomial };
