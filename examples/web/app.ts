// The mixem demo page: data in, a fit in a Web Worker with live progress, pictures out.
import Papa from "papaparse";
import { fitInWorker, init, plotFit, plotSelection, selectK, type DistributiveOmit, type FitOptions, type IterationInfo, type MixtureModel } from "mixem";
import faithfulCsv from "../faithful.csv";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let table: { names: string[]; rows: string[][] } | null = null;
let controller: AbortController | null = null;

function load(text: string, source: string) {
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: "greedy" });
  const rows = parsed.data;
  const header = rows[0].some((v) => v.trim() !== "" && !Number.isFinite(Number(v)));
  table = { names: header ? rows[0] : rows[0].map((_, i) => `column ${i + 1}`), rows: header ? rows.slice(1) : rows };
  status(`${source}: ${table.rows.length} rows, columns ${table.names.join(", ")}`);
}

function status(text: string) { $("status").textContent = text; }

/** The chosen numeric columns as rows of numbers. */
function columns(): { names: string[]; rows: number[][] } {
  if (!table) throw new Error("load data first");
  const wanted = $<HTMLInputElement>("columns").value.split(",").map((s) => s.trim()).filter(Boolean);
  const idx = wanted.length
    ? wanted.map((w) => { const i = table!.names.indexOf(w); if (i < 0) throw new Error(`no column "${w}"`); return i; })
    : table.names.map((_, i) => i).filter((i) => table!.rows.every((r) => r[i] !== undefined && r[i].trim() !== "" && Number.isFinite(Number(r[i]))));
  return { names: idx.map((i) => table!.names[i]), rows: table.rows.map((r) => idx.map((i) => Number(r[i]))) };
}

/** A small live chart of the log-likelihood per iteration. */
function progressChart(points: number[]): string {
  const w = 420, h = 220, m = 40;
  if (points.length < 2) return `<svg width="${w}" height="${h}"><text x="20" y="30">log-likelihood per iteration…</text></svg>`;
  const lo = Math.min(...points), hi = Math.max(...points);
  const sx = (i: number) => m + (i / (points.length - 1)) * (w - 2 * m);
  const sy = (v: number) => h - m - ((v - lo) / (hi - lo || 1)) * (h - 2 * m);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12"><rect width="${w}" height="${h}" fill="white"/>` +
    `<text x="${m}" y="20">log-likelihood: ${points[points.length - 1].toFixed(4)} (iteration ${points.length})</text>` +
    `<path d="${points.map((v, i) => `${i ? "L" : "M"}${sx(i).toFixed(1)},${sy(v).toFixed(1)}`).join("")}" fill="none" stroke="#1f77b4" stroke-width="2"/>` +
    `<line x1="${m}" y1="${h - m}" x2="${w - m}" y2="${h - m}" stroke="#333"/><line x1="${m}" y1="${m}" x2="${m}" y2="${h - m}" stroke="#333"/></svg>`;
}

async function run() {
  const { names, rows } = columns();
  const oneD = rows[0].length === 1;
  let family = $<HTMLSelectElement>("family").value;
  if (family === "auto") family = oneD ? "gaussian" : "mvgaussian";
  const data = oneD || family !== "mvgaussian" ? rows.map((r) => r[0]) : rows;
  const base = { family, ...(family === "mvgaussian" ? { covariance: $<HTMLSelectElement>("covariance").value } : {}), nInit: 3 } as DistributiveOmit<FitOptions, "k">; // the family is chosen at run time
  const kChoice = $<HTMLSelectElement>("k").value;
  $("picture").innerHTML = $("selection").innerHTML = $("summary").textContent = "";
  $<HTMLAnchorElement>("download").hidden = true;
  let k = Number(kChoice);
  if (kChoice === "auto") {
    await init();
    status("choosing k by BIC…");
    const selection = selectK(data as never, { ...base, kRange: [1, 6] });
    k = selection.k;
    $("selection").innerHTML = plotSelection(selection, { width: 420, height: 300, title: "BIC against k" });
  }
  const history: number[] = [];
  let shownRestart = -1; // the chart follows the current restart
  controller = new AbortController();
  $<HTMLButtonElement>("cancel").disabled = false;
  const started = performance.now();
  let model: MixtureModel;
  try {
    model = await fitInWorker(data as never, {
      ...base, k, signal: controller.signal,
      onProgress: (info: IterationInfo) => {
        if (info.restart !== shownRestart) { history.length = 0; shownRestart = info.restart; }
        history.push(info.logLikelihood);
        $("progress").innerHTML = progressChart(history);
        status(`fitting k = ${k}: restart ${info.restart + 1}, iteration ${info.iteration}, log-likelihood ${info.logLikelihood.toFixed(4)}`);
      },
    } as never);
  } catch (e) {
    status((e as Error).name === "AbortError" ? "cancelled" : `error: ${(e as Error).message}`);
    return;
  } finally {
    $<HTMLButtonElement>("cancel").disabled = true;
    controller = null;
  }
  const ms = performance.now() - started;
  status(`${model.family} mixture, k = ${model.k}: log-likelihood ${model.logLikelihood.toFixed(4)}, ${model.iterations} iterations, ${model.converged ? "converged" : model.stopReason} (${ms.toFixed(0)} ms)`);
  if (oneD || model.dims >= 2) $("picture").innerHTML = plotFit(model, data as never, { width: 560, height: 380, labels: oneD ? [names[0], "density"] : [names[0], names[1]], title: `${model.family}, k = ${model.k}` });
  $("summary").textContent = JSON.stringify({ weights: model.weights, components: model.components, bic: model.bic(data as never) }, null, 2);
  const link = $<HTMLAnchorElement>("download");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(model.toJSON(), null, 2)], { type: "application/json" }));
  link.hidden = false;
}

$("faithful").addEventListener("click", () => load(faithfulCsv, "Old Faithful (R's faithful)"));
$("file").addEventListener("change", async (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) load(await f.text(), f.name);
});
$("paste").addEventListener("change", (e) => load((e.target as HTMLTextAreaElement).value, "pasted data"));
$("fit").addEventListener("click", () => run().catch((e) => status(`error: ${(e as Error).message}`)));
$("cancel").addEventListener("click", () => controller?.abort(new DOMException("cancelled", "AbortError")));
(window as unknown as { mixemReady: boolean }).mixemReady = true;
