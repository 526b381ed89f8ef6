// Information criteria, computed in one place (the model's methods, selectK and the CLI use these).
import * as M from "./math.js";

/** Bayesian information criterion −2 log L + p log n (lower is better; mclust reports its negative). */
export const bic = (logLikelihood: number, nParameters: number, n: number) => -2 * logLikelihood + nParameters * M.log(n);

/** Akaike information criterion −2 log L + 2p (lower is better). */
export const aic = (logLikelihood: number, nParameters: number) => -2 * logLikelihood + 2 * nParameters;
