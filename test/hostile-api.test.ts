// A hostile caller, second pass: data that cannot be read at the first look (a throwing length or
// first row, a revoked Proxy) on every entry point, plots reading the caller's data in place, and
// selectK's signal. Each case was a raw Error / TypeError (or an ignored signal) before its fix.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  accumulate, fit, fitInWorker, fitSync, initSync, loadModel, MixemError, plotFit, selectK, selectKAsync,
} from "../src/index.js";
import { getCore } from "../src/wasm.js";

initSync();
const core = getCore();
const xs = Array.from({ length: 120 }, (_, i) => (i % 2) * 5 + Math.sin(i));
const rows = xs.map((v, i) => [v, Math.cos(i)]);

async function mixemError(f: () => unknown): Promise<MixemError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof MixemError) return e;
    throw new Error(`expected a MixemError, got ${(e as Error)?.stack ?? String(e)}`);
  }
  throw new Error("expected a MixemError, nothing was thrown");
}
const throwingLength = <T extends object>(a: T) => new Proxy(a, { get: (t, p) => { if (p === "length") throw new Error("length trap"); return Reflect.get(t, p); } });
const throwingFirst = <T extends object>(a: T) => new Proxy(a, { get: (t, p) => { if (p === "0") throw new Error("first trap"); return Reflect.get(t, p); } });
const revoked = () => { const { proxy, revoke } = Proxy.revocable([] as number[], {}); revoke(); return proxy; };

describe("data that cannot be read at the first look", () => {
  it("a length that throws: fit (which reads it to choose threads) as fitSync, a MixemError naming data", async () => {
    const live = core.liveRegions;
    const sync = await mixemError(() => fitSync(throwingLength(xs), { k: 2 }));
    const e = await mixemError(() => fit(throwingLength(xs), { k: 2 }));
    expect(e.path).toBe("data");
    expect(e.message).toBe(sync.message);
    expect(e.message).toMatch(/cannot be read \(length trap\)/);
    expect(core.liveRegions).toBe(live);
  });

  it("a revoked Proxy as data, sample weights or labels is a MixemError on every entry point", async () => {
    const m = fitSync(xs, { k: 2 });
    const calls: [string, () => unknown, string][] = [
      ["fitSync", () => fitSync(revoked(), { k: 2 }), "data"],
      ["fit", () => fit(revoked(), { k: 2 }), "data"],
      ["fit threads", () => fit(revoked(), { k: 2, threads: 2 }), "data"],
      ["fitInWorker", () => fitInWorker(revoked(), { k: 2 }), "data"],
      ["selectK", () => selectK(revoked(), { kRange: [1, 2] }), "data"],
      ["selectKAsync", () => selectKAsync(revoked(), { kRange: [1, 2] }), "data"],
      ["predict", () => m.predict(revoked()), "data"],
      ["accumulate", () => accumulate(m, revoked()), "data"],
      ["plotFit", () => plotFit(m, revoked()), "data"],
      ["sampleWeights", () => fitSync(xs, { k: 2, sampleWeights: revoked() }), "options.sampleWeights"],
      ["labels", () => fitSync(xs, { k: 2, labels: revoked() }), "options.labels"],
    ];
    for (const [name, call, path] of calls) expect((await mixemError(call)).path, name).toBe(path);
  });

  it("selectK and selectKAsync: a first row (or its length) that throws is fitSync's MixemError", async () => {
    const cases: [string, unknown, Record<string, unknown>][] = [
      ["values, [0] throws", throwingFirst(xs), {}],
      ["rows, [0] throws", throwingFirst(rows), { family: "mvgaussian" }],
      ["rows, [0].length throws", rows.map((r, i) => (i === 0 ? throwingLength(r) : r)), { family: "mvgaussian" }],
      ["values, length throws", throwingLength(xs), {}],
    ];
    for (const [name, data, options] of cases) {
      const sync = await mixemError(() => fitSync(data as never, { ...options, k: 1 } as never));
      for (const select of [selectK, selectKAsync] as ((data: unknown, options: unknown) => unknown)[]) {
        const e = await mixemError(() => select(data, { ...options, kRange: [1, 2] }));
        expect(e.message, `${select.name}: ${name}`).toBe(sync.message);
      }
      const list = await mixemError(() => selectKAsync(data as never, { family: ["mvgaussian", "mvt"], kRange: [1, 2] }));
      expect(list.code, name).toBe("INVALID_DATA");
    }
  });
});

describe("plotFit reads the caller's data in place", () => {
  const m = fitSync(xs, { k: 2 });
  const mv = fitSync(rows, { family: "mvgaussian", k: 2 });
  it("a value, a row or a length that throws is a MixemError naming it", async () => {
    const getter = [...xs];
    Object.defineProperty(getter, 7, { get() { throw new Error("getter"); } });
    expect((await mixemError(() => plotFit(m, getter))).path).toBe("data[7]");
    expect((await mixemError(() => plotFit(m, throwingFirst(xs)))).path).toBe("data[0]");
    expect((await mixemError(() => plotFit(mv, rows.map((r, i) => (i === 3 ? throwingFirst(r) : r))))).path).toBe("data[3][0]");
    expect((await mixemError(() => plotFit(mv, rows.map((r, i) => (i === 3 ? throwingLength(r) : r))))).path).toBe("data[3]");
  });
  it("an array with a `where` method is data like any other (it was taken for an internal table)", () => {
    const tagged = Object.assign([...xs], { where: () => "x" });
    expect(plotFit(m, tagged)).toBe(plotFit(m, xs));
  });
});

describe("selectK's signal", () => {
  it("is validated, read before the first cell and after each (an abort from onModel stops the selection)", async () => {
    expect((await mixemError(() => selectK(xs, { kRange: [1, 3], signal: "stop" as never }))).path).toBe("options.signal");
    expect(() => selectK(xs, { kRange: [1, 3], signal: AbortSignal.abort(new Error("before")) })).toThrow("before");
    const c = new AbortController();
    let cells = 0;
    expect(() => selectK(xs, { kRange: [1, 5], signal: c.signal, onModel: () => { cells++; c.abort(new Error("from onModel")); } })).toThrow("from onModel");
    expect(cells).toBe(1);
  });
  it("selectKAsync takes what fit takes: an object with a boolean `aborted` (no throwIfAborted: it was a TypeError)", async () => {
    const plain = selectK(xs, { kRange: [1, 3] });
    const fake = await selectKAsync(xs, { kRange: [1, 3], signal: { aborted: false } as AbortSignal });
    expect(fake.scores.map((e) => e.bic)).toEqual(plain.scores.map((e) => e.bic));
    await expect(selectKAsync(xs, { kRange: [1, 3], signal: { aborted: true, reason: new Error("fake abort") } as AbortSignal })).rejects.toThrow("fake abort");
  });
  it("a signal whose `aborted` getter throws is a MixemError naming options.signal (fit, fitInWorker, selectKAsync)", async () => {
    const evil = { get aborted(): boolean { throw new Error("aborted getter"); }, addEventListener() {}, removeEventListener() {} } as unknown as AbortSignal;
    expect((await mixemError(() => fitSync(xs, { k: 2, signal: evil }))).path).toBe("options.signal");
    expect((await mixemError(() => fitInWorker(xs, { k: 2, signal: evil }))).path).toBe("options.signal");
    expect((await mixemError(() => selectKAsync(xs, { kRange: [1, 2], signal: evil }))).path).toBe("options.signal");
  });
});

describe("a stored independent model's columnData", () => {
  const data = Array.from({ length: 60 }, (_, i) => [(i % 2) * 3 + Math.sin(i), (i % 5) + (i % 2) * 3, i % 3]);
  const m = fitSync(data, { family: "independent", k: 2, trials: 9, columns: [{ family: "gaussian" }, { family: "binomial" }, { family: "categorical" }] });
  const json = () => structuredClone(m.toJSON()) as unknown as { settings: { columnData: Record<string, unknown>[] } };
  it("is checked per column by that column family's rules (NaN trials gave NaN probabilities)", async () => {
    const bad: [string, (j: ReturnType<typeof json>) => void, string][] = [
      ["NaN trials", (j) => { j.settings.columnData[1].trials = NaN; }, "model.settings.columnData[1].trials"],
      ["trials 0.5", (j) => { j.settings.columnData[1].trials = 0.5; }, "model.settings.columnData[1].trials"],
      ["levels on a gaussian column", (j) => { j.settings.columnData[0].levels = 3; }, "model.settings.columnData[0].levels"],
      ["an option of the column's family", (j) => { j.settings.columnData[0].regCovar = -5; }, "model.settings.columnData[0].regCovar"],
      ["one entry short", (j) => { j.settings.columnData.pop(); }, "model.settings.columnData"],
    ];
    for (const [name, edit, path] of bad) {
      const j = json();
      edit(j);
      const e = await mixemError(() => loadModel(j as never));
      expect(e.code, name).toBe("INVALID_MODEL");
      expect(e.path, name).toBe(path);
    }
    const same = loadModel(json() as never);
    expect(same.predictProba(data)).toEqual(m.predictProba(data));
  });
});

describe("options, init, prior, freeze and model JSON that cannot be read", () => {
  const m = fitSync(xs, { k: 2 });
  const revokedObject = () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; };
  const throwingGet = <T extends object>(o: T) => new Proxy(o, { get: () => { throw new Error("get trap"); } });
  const withThrowingGetter = (o: Record<string, unknown>, key: string) => Object.defineProperty({ ...o }, key, { enumerable: true, get() { throw new Error("getter"); } });
  const json = () => JSON.parse(JSON.stringify(m.toJSON()));
  it("a revoked Proxy as options (any call), init, prior, freeze or model JSON names what it is", async () => {
    const calls: [string, () => unknown, string][] = [
      ["fitSync options", () => fitSync(xs, revokedObject() as never), "options"],
      ["selectK options", () => selectK(xs, revokedObject() as never), "options"],
      ["predictProba options", () => m.predictProba(xs, revokedObject() as never), "options"],
      ["sample options", () => m.sample(3, revokedObject() as never), "options"],
      ["init", () => fitSync(xs, { k: 2, init: revokedObject() as never }), "options.init"],
      ["prior", () => fitSync(xs, { k: 2, prior: revokedObject() as never }), "options.prior"],
      ["freeze", () => fitSync(xs, { k: 2, init: { means: [0, 5], variances: [1, 1] }, freeze: revokedObject() as never }), "options.freeze"],
      ["model", () => loadModel(revokedObject()), "model"],
      ["model.settings", () => loadModel({ ...json(), settings: revokedObject() }), "model.settings"],
    ];
    for (const [name, call, path] of calls) expect((await mixemError(call)).path, name).toBe(path);
  });
  it("an explicit init or a model's JSON (a warm start, loadModel) whose reads throw", async () => {
    const init = { means: [0, 5], variances: [1, 1] };
    expect((await mixemError(() => fitSync(xs, { k: 2, init: throwingGet(init) }))).path).toBe("options.init");
    expect((await mixemError(() => fitSync(xs, { k: 2, init: throwingGet(json()) }))).path).toBe("options.init");
    expect((await mixemError(() => fitSync(xs, { k: 2, init: withThrowingGetter(json(), "format") as never }))).path).toBe("options.init");
    const warm = json();
    warm.components[1] = withThrowingGetter(warm.components[1], "mean");
    expect((await mixemError(() => fitSync(xs, { k: 2, init: warm }))).path).toBe("options.init.components[1]");
    for (const component of [withThrowingGetter(json().components[0], "variance"), throwingGet(json().components[0]), new Proxy(json().components[0], { ownKeys: () => { throw new Error("keys"); } })]) {
      const j = json();
      j.components[0] = component;
      const e = await mixemError(() => loadModel(j));
      expect(e.code).toBe("INVALID_MODEL");
      expect(e.path).toBe("model.components[0]");
    }
  });
});

describe("a model of another copy of mixem (the built package beside these sources: as CommonJS beside ESM, or mixem/gaussian beside mixem)", () => {
  it("is a warm start through its JSON, and elsewhere an error that says how to load it", async () => {
    // @ts-ignore -- the built package (npm test builds it first): another MixtureModel class
    const other = await import("../dist/index.js");
    other.initSync();
    const foreign = other.fitSync(xs, { k: 2, maxIter: 3, tol: 0 });
    const own = fitSync(xs, { k: 2, maxIter: 3, tol: 0 });
    expect(foreign instanceof (own.constructor as new () => unknown)).toBe(false);
    const warm = fitSync(xs, { k: 2, init: foreign as never, maxIter: 4, tol: 0 });
    expect(warm.history).toEqual(fitSync(xs, { k: 2, init: own, maxIter: 4, tol: 0 }).history);
    const e = await mixemError(() => accumulate(foreign as never, xs));
    expect(e.path).toBe("model");
    expect(e.message).toMatch(/another copy of mixem.*loadModel\(model\.toJSON\(\)\)/);
    expect(accumulate(loadModel(foreign.toJSON()), xs).values).toEqual(accumulate(own, xs).values);
  });
});

describe("selectKAsync with a kRange up to its limit (2²⁰)", () => {
  it("makes cells only up to the number of points: 200 MiB of heap is not out of memory (it made 2²⁰ × models cells; fresh process)", () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const script = `
      const mixem = await import(${JSON.stringify(`${root}dist/index.js`)});
      const rows = Array.from({ length: 30 }, (_, i) => [(i % 2) * 3 + Math.sin(i), Math.cos(i * 1.3)]);
      const options = { family: "mvgaussian", covariance: ["full", "diag"], kRange: [1, 2 ** 20], maxIter: 3 };
      const a = await mixem.selectKAsync(rows, { ...options, threads: 1 });
      const s = mixem.selectK(rows, options);
      console.log(JSON.stringify({ async: a.scores.map((e) => [e.k, e.covariance, e.bic]), sync: s.scores.map((e) => [e.k, e.covariance, e.bic]) }));`;
    const r = spawnSync(process.execPath, ["--max-old-space-size=200", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr.slice(0, 400)).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.async.length).toBe(60); // k = 1 … 30, two models
    expect(out.async).toEqual(out.sync);
  }, 120_000);
});

describe("mixem/bullmq's options", () => {
  it("are read once from own properties (a revoked Proxy, a throwing getter: MixemErrors) and timers stay within setTimeout's 2³¹ − 1 ms", async () => {
    const { fitDistributed, startShardWorker } = await import("../src/bullmq.js");
    const revokedObject = () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; };
    const connection = "redis://127.0.0.1:1";
    expect((await mixemError(() => fitDistributed(revokedObject() as never))).path).toBe("options");
    expect((await mixemError(() => startShardWorker(revokedObject() as never))).path).toBe("options");
    const getter = Object.defineProperty({ k: 2, connection }, "shards", { enumerable: true, get() { throw new Error("shards getter"); } });
    expect((await mixemError(() => fitDistributed(getter as never))).path).toBe("options.shards");
    // 2⁴⁰ ms was taken, and Node fired the timer at once: "could not be reached within 1099511627776 ms" after a few ms.
    for (const key of ["redisTimeout", "backoff", "checkInterval"]) {
      expect((await mixemError(() => fitDistributed({ k: 2, connection, shards: ["a"], [key]: 2 ** 40 }))).path, key).toBe(`options.${key}`);
    }
    expect((await mixemError(() => startShardWorker({ connection, load: () => [1], redisTimeout: 2 ** 31 }))).path).toBe("options.redisTimeout");
  });
});
