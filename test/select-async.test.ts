// selectKAsync's workers: kept between calls (warm), several cells in flight each, models sent as
// their parts — every entry selectK's to the bit; an abort ends the workers and the next call
// starts new ones; idle workers never keep a process alive, nor grown WebAssembly memory.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, MixemError, selectK, selectKAsync, type Selection } from "../src/index.js";
import { IDLE_MEMORY_BYTES, idleSelectionWorkers } from "../src/select.js";

initSync();
const root = fileURLToPath(new URL("..", import.meta.url));
const rows = readFileSync(`${root}examples/faithful.csv`, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));

/** Every entry's scores and θ, bit for bit (Object.is: −0 and NaN too), and the choice. */
function expectSameBits(got: Selection, want: Selection): void {
  expect(got.scores.length).toBe(want.scores.length);
  got.scores.forEach((e, i) => {
    const w = want.scores[i];
    for (const key of ["k", "covariance", "bic", "aic", "icl", "logLikelihood", "nParameters", "error", "reason"] as const) expect(Object.is(e[key], w[key]), `${w.k} ${w.covariance} ${key}`).toBe(true);
    expect(e.model === null).toBe(w.model === null);
    if (e.model && w.model) {
      const a = (e.model as unknown as { theta: Float64Array }).theta, b = (w.model as unknown as { theta: Float64Array }).theta;
      expect(a.every((v, j) => Object.is(v, b[j])), `${w.k} ${w.covariance} θ`).toBe(true);
      expect(e.model.toJSON()).toEqual(w.model.toJSON());
    }
  });
  expect([got.k, got.covariance, got.degenerate]).toEqual([want.k, want.covariance, want.degenerate]);
}

describe("selectKAsync's kept workers", () => {
  it("a second and a third call on the same workers: selectK's entries and models to the bit", async () => {
    const o = { family: "mvgaussian" as const, kRange: [1, 5] as [number, number] };
    const sync = selectK(rows, o);
    for (let call = 0; call < 3; call++) expectSameBits(await selectKAsync(rows, { ...o, threads: 2 }), sync);
    // One worker, and more workers than cells of a k: the same.
    expectSameBits(await selectKAsync(rows, { ...o, threads: 1 }), sync);
    expectSameBits(await selectKAsync(rows, { ...o, threads: 3 }), sync);
  });

  it("with missing values (marginalize): the workers get the rows as given, so selectK's entries", async () => {
    const gaps = rows.map((r, i) => (i % 13 === 0 ? [r[0], NaN] : i % 29 === 0 ? [NaN, r[1]] : r));
    const o = { family: "mvgaussian" as const, kRange: [1, 3] as [number, number], missing: "marginalize" as const };
    const sync = selectK(gaps, o);
    expect(sync.best.nMissing).toBeGreaterThan(0);
    expectSameBits(await selectKAsync(gaps, { ...o, threads: 2 }), sync);
  });

  it("a worker whose WebAssembly memory grew past the bound is not kept; small selections after it still reuse their workers", async () => {
    // The bound lowered to 512 KiB so that a moderate selection crosses it (the default: IDLE_MEMORY_BYTES);
    // a small one stays at the instance's initial 64 KiB.
    const limit = 512 * 2 ** 10;
    idleSelectionWorkers(limit);
    try {
      const small = { family: "gaussian" as const, kRange: [1, 3] as [number, number], threads: 2 };
      const y = rows.map((r) => r[0]);
      await selectKAsync(y, small);
      const warm = idleSelectionWorkers();
      expect(warm.length).toBeGreaterThanOrEqual(2);
      expect(warm.every((w) => w.memoryBytes > 0 && w.memoryBytes <= limit)).toBe(true);
      // 60,000 points: each worker's instance grows to 1 to 2.5 MiB (measured; it never shrinks).
      const big = Float64Array.from({ length: 60_000 }, (_, i) => (i % 3) * 4 + Math.sin(i * 12.9898) * 1.5);
      await selectKAsync(big, { family: "gaussian", kRange: [1, 2], threads: 2 });
      const after = idleSelectionWorkers();
      expect(after.every((w) => w.memoryBytes <= limit)).toBe(true);
      expect(after.length).toBe(warm.length - 2); // the two that ran it were terminated, not kept
      // Small selections after it: the second reuses the first's workers (the pool's fast path), starting none.
      const ids = () => idleSelectionWorkers().map((w) => w.id).sort((a, b) => a - b);
      await selectKAsync(y, small);
      const pool = ids();
      expect(pool.length).toBeGreaterThanOrEqual(2);
      await selectKAsync(y, small);
      expect(ids()).toEqual(pool);
      expect(idleSelectionWorkers().every((w) => w.memoryBytes <= limit)).toBe(true);
    } finally {
      idleSelectionWorkers(IDLE_MEMORY_BYTES);
    }
  });

  it("a kept worker frees the selection's data when the selection ends; the next selection on it gives the same entries", async () => {
    const o = { family: "mvgaussian" as const, kRange: [1, 3] as [number, number], threads: 2 };
    const first = await selectKAsync(rows, o);
    const kept = async () => {
      for (let t = 0; t < 200 && !idleSelectionWorkers().every((w) => w.released); t++) await new Promise((r) => setTimeout(r, 10));
      return idleSelectionWorkers();
    };
    const idleNow = await kept();
    expect(idleNow.length).toBeGreaterThanOrEqual(2);
    expect(idleNow.every((w) => w.released)).toBe(true); // each confirmed it freed its cells and data
    expectSameBits(await selectKAsync(rows, o), first);
    expect((await kept()).every((w) => w.released)).toBe(true);
  });

  it("an abort on warm workers rejects with its reason; the next call starts new workers and gives the same selection", async () => {
    const o = { family: "mvgaussian" as const, kRange: [1, 4] as [number, number] };
    const sync = selectK(rows, o);
    await selectKAsync(rows, { ...o, threads: 2 }); // workers kept
    const stop = new AbortController();
    let seen = 0;
    await expect(selectKAsync(rows, { ...o, threads: 2, signal: stop.signal, onProgress: (done) => { seen = done; if (done === 3) stop.abort(new Error("enough")); } })).rejects.toThrow("enough");
    expect(seen).toBe(3); // nothing after the abort, though cells were queued ahead
    expectSameBits(await selectKAsync(rows, { ...o, threads: 2 }), sync);
  });

  it("an abort just after the call (while the worker code loads, before any listener) rejects: a microtask, setImmediate, a 1 ms timer", async () => {
    const o = { family: "mvgaussian" as const, kRange: [1, 4] as [number, number], threads: 2 };
    for (const later of [(f: () => void) => queueMicrotask(f), (f: () => void) => setImmediate(f), (f: () => void) => setTimeout(f, 1)]) {
      const stop = new AbortController();
      const run = selectKAsync(rows, { ...o, signal: stop.signal });
      later(() => stop.abort(new Error("stopped early")));
      await expect(run).rejects.toThrow("stopped early");
    }
  });

  it("few distinct values and a huge kRange: the cells past them are not run (selectK's entries, in selectK's time order of magnitude)", async () => {
    const y = Array.from({ length: 3000 }, (_, i) => (i % 5) * 2 + (i % 2) * 0.5); // 10 distinct values
    for (const hi of [12, 100_000]) {
      const o = { family: "gaussian" as const, kRange: [1, hi] as [number, number] };
      const t0 = performance.now();
      const got = await selectKAsync(y, { ...o, threads: 2 });
      expect(performance.now() - t0).toBeLessThan(20_000); // was minutes (k = 100,000 fitted first), or an allocation error past 2^20
      expectSameBits(got, selectK(y, o));
      expect(Math.max(...got.scores.map((e) => e.k))).toBeLessThanOrEqual(10);
    }
  });

  it("options behind a Proxy (which postMessage refuses) are read as selectK reads them; a revoked one is a MixemError naming it", async () => {
    const x = rows.map((r) => r[0]), o = { family: "gaussian" as const, kRange: [1, 2] as [number, number] };
    const weights = x.map((_, i) => 1 + (i % 3));
    expectSameBits(await selectKAsync(x, { ...o, threads: 2, sampleWeights: new Proxy(weights, {}) }), selectK(x, { ...o, sampleWeights: weights }));
    const { proxy, revoke } = Proxy.revocable(weights, {});
    revoke();
    const e = await selectKAsync(x, { ...o, threads: 2, sampleWeights: proxy }).catch((v: unknown) => v);
    expect(e).toBeInstanceOf(MixemError);
    expect((e as MixemError).path).toBe("options.sampleWeights");
    expectSameBits(await selectKAsync(x, { ...o, threads: 2 }), selectK(x, o));
  });
  it("sampleWeights behind a Proxy are read once: the workers are sent what was validated", async () => {
    const x = rows.map((r) => r[0]), o = { family: "gaussian" as const, kRange: [1, 2] as [number, number] };
    const weights = x.map((_, i) => 1 + (i % 3)), seen = new Set<string>();
    const changing = new Proxy(weights, { get: (t, p, r) => (typeof p === "string" && /^\d+$/.test(p) && seen.has(p) ? -1 : (seen.add(p as string), Reflect.get(t, p, r))) });
    expectSameBits(await selectKAsync(x, { ...o, threads: 2, sampleWeights: changing }), selectK(x, { ...o, sampleWeights: weights }));
  });
  it("idle workers do not keep the process alive (the built package)", () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", `
      import { selectKAsync } from "mixem";
      import { readFileSync } from "node:fs";
      const rows = readFileSync("examples/faithful.csv", "utf8").trim().split("\\n").slice(1).map((l) => l.split(",").map(Number));
      const a = await selectKAsync(rows, { family: "mvgaussian", kRange: [1, 3], threads: 2 });
      const b = await selectKAsync(rows, { family: "mvgaussian", kRange: [1, 3], threads: 2 });
      console.log(a.covariance, a.k, b.scores.every((e, i) => Object.is(e.bic, a.scores[i].bic)));`], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0); // exited by itself, not by the timeout
    expect(r.stdout.trim()).toMatch(/ \d true$/);
  });
});
