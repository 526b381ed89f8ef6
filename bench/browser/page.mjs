// The browser benchmark's page script, bundled by bench/browser.mjs with esbuild exactly as an app
// bundles "mixem" (no loader configuration). Exposes the workloads' timings to the driver.
import { fitInWorker, fitSync, init } from "mixem";
import { kernelWorkloads, timeIterations, workerData } from "./workloads.mjs";

let cache = null;
window.bench = {
  ready: init().then(() => true),
  names(scale) { cache ??= kernelWorkloads(scale); return cache.map((w) => w.name); },
  /** One repetition of workload i: per-iteration ms and the final log-likelihood. */
  iterations(i, iterations) { return timeIterations(fitSync, cache[i], iterations); },
  /** The 10⁶-point fit on the page's main thread and through fitInWorker: wall ms each. */
  async worker() {
    const { x, options } = workerData();
    let t = performance.now();
    const a = fitSync(x, options);
    const main = performance.now() - t;
    t = performance.now();
    const b = await fitInWorker(x, options);
    const worker = performance.now() - t;
    return { main, worker, same: a.logLikelihood === b.logLikelihood, iterations: b.iterations };
  },
};
