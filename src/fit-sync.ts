// fitSync: one in-memory data set, fitted on the calling thread. Its own module so that the
// worker bundle (src/worker-entry.ts) carries neither fit's threaded path nor the worker loader.
import type { ExactFitOptions, FamilyOfOptions, FitOptions, ModelData } from "./types.js";
import type { MixtureModel } from "./model.js";
import type { Dataset } from "./family.js";
import { buildModel, configureFit, resolveFit } from "./resolve.js";
import { loadDataset, withDataset } from "./dataset.js";
import { runEM } from "./em.js";
import { withBinary } from "./wasm.js";
import { optionError } from "./errors.js";
import { ownOptions } from "./options.js";
import { hcStart, type HcStarts } from "./start.js";

/** As `fit`, without awaiting (Node, Workers, or after `await init()` in a browser); always on the calling thread. */
export function fitSync<const O extends FitOptions>(data: ModelData, options: ExactFitOptions<O>): MixtureModel<FamilyOfOptions<O>>;
export function fitSync(data: ModelData, options: FitOptions): MixtureModel {
  return fitSyncWith(data, options);
}

/**
 * fitSync, with init "hc" partitions already made (selectK makes them once for every k and model)
 * and, optionally, `data` already loaded with these options (`loaded`: selectK loads each column's
 * data once for every k; the caller frees it).
 */
export function fitSyncWith(data: ModelData, options: FitOptions, starts?: HcStarts, loaded?: Dataset): MixtureModel {
  withBinary(); // the WebAssembly core, compiled on first use (src/wasm.ts getCore)
  const o = ownOptions(options);
  if (o.threads !== undefined && o.threads !== 1) throw optionError("options.threads", "needs the asynchronous fit() (fitSync runs on the calling thread)");
  const r = resolveFit(o as unknown as FitOptions);
  const run = (ds: Dataset) => {
    const fit = configureFit(r, ds), { spec, settings } = fit;
    if (r.hc) {
      settings.init = hcStart(r.family, r.options, data, spec, ds, r.k, settings.prior?.weights ?? 1, starts);
      // fixWeights keeps the weights where every start leaves them, equal (mclust's equalPro): the partition sets θ only.
      if (settings.fixWeights) settings.init.weights!.fill(1 / r.k);
    }
    return buildModel(r, spec, runEM(spec, ds, settings), ds.totalWeight ?? ds.n, ds.settings, fit, ds.missing?.values);
  };
  return loaded ? run(loaded) : withDataset(loadDataset(r.family, data, r.options, "data"), run);
}
