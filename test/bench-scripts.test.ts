// The benchmark scripts' data generators and start exporter (bench/wholejob.mjs, bench/browser/):
// cheap checks that they build what the whole-job and browser rows hand to every system. No timing.
import { describe, expect, it } from "vitest";
import { fitSync, initSync } from "../src/index.js";
// @ts-expect-error plain ES modules without types
import { blobs, convergeCases, convergedData, faithful, kmeansppStart, startBytes } from "../bench/wholejob.mjs";
// @ts-expect-error plain ES modules without types
import { kernelWorkloads, workerData } from "../bench/browser/workloads.mjs";

describe("whole-job bench: start exporter", () => {
  const x: Float64Array = faithful(), n = 272, d = 2;
  const start = kmeansppStart(x, n, d, 3, 11);

  it("seeds are distinct data points, the covariance is the data's, weights equal", () => {
    const rows = Array.from({ length: n }, (_, i) => [x[2 * i], x[2 * i + 1]]);
    for (const m of start.means) expect(rows.some((r) => r[0] === m[0] && r[1] === m[1])).toBe(true);
    expect(new Set(start.means.map((m: number[]) => m.join())).size).toBe(3);
    const mean = [0, 1].map((a) => rows.reduce((s, r) => s + r[a], 0) / n);
    const cov = [0, 1].map((a) => [0, 1].map((b) => rows.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / n));
    for (const c of start.covariances) for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) expect(c[a][b]).toBeCloseTo(cov[a][b], 8);
    expect(start.weights).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(kmeansppStart(x, n, d, 3, 11)).toEqual(start); // seeded: the same start every run
  });

  it("the flat file the peers read holds weights, means, covariances in that order", () => {
    const f = new Float64Array(new Uint8Array(startBytes(start)).buffer);
    expect(f.length).toBe(3 + 3 * 2 + 3 * 4);
    expect(Array.from(f.subarray(0, 3))).toEqual(start.weights);
    expect(Array.from(f.subarray(3, 9))).toEqual(start.means.flat());
    expect(Array.from(f.subarray(9))).toEqual(start.covariances.flat(2));
  });

  it("every case's options are a valid mixem fit (two iterations, small data where the case allows)", () => {
    initSync();
    const [a] = convergeCases("a");
    expect(fitSync(a.x, { ...a.options, maxIter: 2 }).components).toHaveLength(3);
    const { gaussian, poisson } = convergedData(2000);
    expect(gaussian.x).toHaveLength(2000);
    expect(fitSync(gaussian.x, { k: 8, init: { weights: gaussian.start.weights, means: gaussian.start.means.flat(), variances: gaussian.start.covariances.flat(2) }, maxIter: 2, ridge: 1e-6, regCovar: 0 }).components).toHaveLength(8);
    expect(fitSync(poisson.x, { family: "poisson", k: 4, init: poisson.start, maxIter: 2 }).components).toHaveLength(4);
    const y = blobs(500, 10, 8, 4, 3);
    expect(fitSync(y, { family: "mvgaussian", dims: 10, covariance: "full", k: 8, init: kmeansppStart(y, 500, 10, 8, 12), maxIter: 2 }).components).toHaveLength(8);
  });
});

describe("browser bench: workloads", () => {
  it("Node and the page draw the same data (seeded), and every workload fits", () => {
    initSync();
    const a = kernelWorkloads(0.002), b = kernelWorkloads(0.002);
    expect(a.map((w: { name: string }) => w.name)).toEqual(b.map((w: { name: string }) => w.name));
    expect(a).toHaveLength(8);
    for (let i = 0; i < a.length; i++) {
      expect(a[i].x).toEqual(b[i].x);
      expect(fitSync(a[i].x, { ...a[i].options, maxIter: 2, tol: 0 }).iterations).toBe(2);
    }
    expect(workerData(1000).x).toHaveLength(1000);
  });
});
