// FitOptions.stop: what tol is compared with — the change per point (default) or mclust's relative
// change |ΔQ| / (1 + |Q|) (its EM's `err = abs(hold-hood)/(one+abs(hood))`, going on while err > tol).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitSync, initSync, MixemError, type IterationInfo } from "../src/index.js";

initSync();
const rows = readFileSync(new URL("../examples/faithful.csv", import.meta.url), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
const n = rows.length;

/** Each iteration's log-likelihood and its change, as onIteration reports them (delta = ΔQ / n). */
function trace(options: Record<string, unknown>) {
  const seen: { ll: number; change: number }[] = [];
  const m = fitSync(rows, { family: "mvgaussian", k: 3, covariance: "VVV", seed: 1, maxIter: 2000, ...options, onIteration: (i: IterationInfo) => { seen.push({ ll: i.logLikelihood, change: i.delta * n }); } } as never);
  return { m, seen };
}

describe("stop", () => {
  it("tol 0 never stops early, under either rule (also past an exactly repeated log-likelihood)", () => {
    const x = Array.from({ length: 400 }, (_, i) => (i % 2) * 12 + Math.sin(i));
    for (const stop of ["perPoint", "relative"] as const) {
      const changes: number[] = [];
      const m = fitSync(x, { k: 2, seed: 1, stop, tol: 0, maxIter: 200, onIteration: (i) => { changes.push(i.delta); } });
      expect(m.iterations, stop).toBe(200);
      expect(m.stopReason).toBe("maxIter");
      expect(changes.some((d) => d === 0), stop).toBe(true); // where mclust's `<=` would have stopped
    }
  });
  it('"relative": stops at the first iteration with |ΔL| / (1 + |L|) ≤ tol, as mclust', () => {
    for (const tol of [1e-3, 1e-5, 1e-7]) {
      const { m, seen } = trace({ stop: "relative", tol });
      const err = seen.map((s) => Math.abs(s.change) / (1 + Math.abs(s.ll)));
      expect(m.stopReason).toBe("converged");
      expect(err.at(-1)!).toBeLessThanOrEqual(tol * (1 + 1e-9));
      for (const e of err.slice(0, -1)) expect(e).toBeGreaterThan(tol * (1 - 1e-9));
    }
  });
  it('"perPoint" (the default): |ΔL| / n < tol; a relative tol stops earlier on the same path', () => {
    const a = trace({}), b = trace({ stop: "perPoint" }), c = trace({ stop: "relative", tol: 1e-5 });
    expect(b.m.logLikelihood).toBe(a.m.logLikelihood);
    expect(Math.abs(a.seen.at(-1)!.change / n)).toBeLessThan(1e-8);
    expect(c.m.iterations).toBeLessThan(a.m.iterations);
    expect(a.m.history[c.m.iterations - 1]).toBe(c.m.logLikelihood); // the same iterations, stopped sooner
  });
  it("a value that is not a rule is a MixemError naming options.stop", () => {
    const e = (() => { try { fitSync(rows, { family: "mvgaussian", k: 2, stop: "mclust" } as never); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(MixemError);
    expect((e as MixemError).path).toBe("options.stop");
  });
});
