// Plain-TypeScript reference for the categorical family (latent class analysis), independent of
// src/: θ_j = the probability vectors of every column, concatenated (column a's L_a levels).
import type { RefFamily } from "./em.js";

const FLOOR = 1e-12;

/**
 * levels[a] = L_a; alpha[a] = the Dirichlet concentration of column a (1: none). M-step: the
 * (posterior-mode) level proportions, a level with no mass held at the 1e-12 floor.
 */
export function categoricalRef(levels: number[], alpha: number[] = levels.map(() => 1)): RefFamily<number[]> {
  const offsets = levels.map((_, a) => levels.slice(0, a).reduce((s, c) => s + c, 0));
  return {
    logDensity: (x, _aux, i, th) => x[i].reduce((s, v, a) => s + Math.log(th[offsets[a] + v]), 0),
    maximize(x, _aux, r) {
      const th: number[] = [];
      levels.forEach((L, a) => {
        const z = new Array<number>(L).fill(alpha[a] - 1);
        x.forEach((row, i) => { z[row[a]] += r[i]; });
        const total = z.reduce((s, v) => s + v, 0);
        const floored = z.filter((v) => !(v > FLOOR * total)).length;
        const kept = z.filter((v) => v > FLOOR * total).reduce((s, v) => s + v, 0);
        for (const v of z) th.push(v > FLOOR * total ? (v * (1 - floored * FLOOR)) / kept : FLOOR);
      });
      return th;
    },
  };
}
