// The mixem demo page: data in, fits in Web Workers with live progress and cancel, k chosen by an
// information criterion (one fitInWorker per k, scored here), pictures, a parameter table and downloads out.
import type { DataReply, DataRequest, ParsedTable } from "./data-worker.js";
import { fitInWorker, init, MixemError, plotFit, plotSelection, type Criterion, type IterationInfo, type MixtureModel, type ModelData, type Selection, type SelectionEntry , type EvalOptions } from "mixem";
import faithfulCsv from "../faithful.csv";
import irisCsv from "../iris.csv";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const value = (id: string) => $<HTMLInputElement>(id).value.trim();

// ---- data ---------------------------------------------------------------------------------------

interface Table extends ParsedTable { source: string }
let table: Table | null = null;

const isNumber = (s: string | undefined) => s !== undefined && s.trim() !== "" && Number.isFinite(Number(s));

// CSV parsing and the labels CSV run in a worker of their own (data-worker.ts): the page stays responsive.
const dataWorker = new Worker(new URL("./data-worker.js", import.meta.url), { type: "module" });
let requests = 0;
const waiting = new Map<number, (reply: DataReply) => void>();
dataWorker.onmessage = ({ data }: MessageEvent<DataReply>) => { waiting.get(data.id)?.(data); waiting.delete(data.id); };
function ask(request: DataRequest, transfer: Transferable[] = []): Promise<DataReply> {
  return new Promise((resolve) => { waiting.set(request.id, resolve); dataWorker.postMessage(request, transfer); });
}

/** The newest load wins: a slower parse of older text does not overwrite it. */
let loading = 0;
/** The load in progress (Fit and Auto K wait for it: a sample clicked just before still counts). */
let pendingLoad: Promise<void> = Promise.resolve();
function load(text: string, source: string): Promise<void> {
  pendingLoad = parseAndShow(text, source);
  return pendingLoad;
}
async function parseAndShow(text: string, source: string) {
  const mine = ++loading;
  status(`${source}: reading…`);
  const reply = await ask({ kind: "parse", id: ++requests, text });
  if (mine !== loading) return;
  if (reply.kind === "error") { status(`${source}: ${reply.message}`, true); return; }
  if (reply.kind !== "parsed" || !reply.table) {
    table = null;
    showPreview();
    status(text.trim() === "" ? "No data: choose a file, paste CSV or use a sample." : `${source}: no rows found`);
    return;
  }
  const { names, numeric, rows } = reply.table;
  table = { source, ...reply.table };
  showPreview();
  const texts = names.filter((_, i) => !numeric[i]);
  status(`${source}: ${rows} rows; numeric columns ${names.filter((_, i) => numeric[i]).join(", ") || "none"}${texts.length ? `; text columns ${texts.join(", ")} (categorical fits take them)` : ""}. Choose the model, then Fit or Auto K.`);
}

function showPreview() {
  if (!table) { $("preview").innerHTML = "No data yet."; return; }
  const { names, rows, numeric, source, warnings, preview: shown } = table;
  const head = `<tr><th>#</th>${names.map((n, i) => `<th>${esc(n).replace(/[_.-]/g, "$&<wbr>")}<br><span class="hint">${numeric[i] ? "number" : "text"}</span></th>`).join("")}</tr>`;
  const body = shown.map((r, i) => `<tr><td>${i + 1}</td>${names.map((_, c) => `<td class="${numeric[c] ? "" : "text"}">${esc(r[c] ?? "")}</td>`).join("")}</tr>`).join("");
  $("preview").innerHTML =
    `<div><b>${esc(source)}</b>: ${rows.toLocaleString("en")} rows × ${names.length} columns (${numeric.filter(Boolean).length} numeric)` +
    `${rows > shown.length ? `; the first ${shown.length} rows:` : ":"}</div>` +
    `<div class="scroll"><table class="grid" id="preview-table">${head}${body}</table></div>` +
    (warnings.length ? `<div class="hint">CSV warnings: ${warnings.map(esc).join("; ")}</div>` : "");
}

// ---- the fit's inputs ---------------------------------------------------------------------------

const ROWS = new Set(["mvgaussian", "bernoulli", "mvt", "categorical"]);
/** The families with a covariance option the page offers (mvt takes the first four only). */
const WITH_COVARIANCE = new Set(["mvgaussian", "mvt"]);

interface Job {
  family: string;
  names: string[];
  data: ModelData;
  /** Every fit option but k, signal and onProgress. */
  options: Record<string, unknown>;
  /** What predictProba needs again (binomial: trials). */
  evalOptions: Record<string, unknown> | undefined;
  nInit: number;
}

function integerField(id: string, what: string, min: number): number {
  const v = Number(value(id));
  if (value(id) === "" || !Number.isInteger(v) || v < min) throw new Error(`${what} must be a whole number ≥ ${min}`);
  return v;
}

function job(): Job {
  if (!table) throw new Error("load data first (a file, pasted CSV or a sample)");
  const t = table;
  const column = (name: string) => {
    const i = t.names.indexOf(name);
    if (i < 0) throw new Error(`no column "${name}" (columns: ${t.names.join(", ")})`);
    return i;
  };
  let family = $<HTMLSelectElement>("family").value;
  // binomial: trials is a number or the name of a column (which is then not data).
  const trialsText = value("trials");
  let trials: number | Float64Array | undefined, trialsColumn = -1;
  if (family === "binomial") {
    if (trialsText === "") throw new Error("binomial needs trials: a number, or the name of a column of trials per row");
    if (isNumber(trialsText)) trials = Number(trialsText);
    else { trialsColumn = column(trialsText); trials = t.columns[trialsColumn]; }
  }
  // categorical takes text columns too: their cells are level names.
  const usable = (i: number) => t.numeric[i] || family === "categorical";
  const textNames = t.names.filter((_, i) => !t.numeric[i]);
  const wanted = value("columns").split(",").map((s) => s.trim()).filter(Boolean);
  const idx = wanted.length ? wanted.map(column) : t.names.map((_, i) => i).filter((i) => usable(i) && i !== trialsColumn);
  if (idx.length === 0) throw new Error(`no numeric column to fit${textNames.length ? ` (text columns ${textNames.join(", ")}: the categorical family takes them)` : ""}`);
  idx.forEach((i) => { if (!usable(i)) throw new Error(`column "${t.names[i]}" is not numeric (text columns: the categorical family takes them)`); });
  if (family === "auto") family = idx.length === 1 ? "gaussian" : "mvgaussian";
  const names = idx.map((i) => t.names[i]);
  let data: ModelData;
  let dims: number | undefined;
  let levels: (number | string[])[] | undefined;
  if (idx.some((i) => !t.numeric[i])) {
    // Categorical with level names: text columns come as codes among their names (data worker),
    // given as options.levels; a numeric column's levels are its codes, the largest + 1.
    levels = idx.map((c) => t.levels[c] ?? t.columns[c].reduce((a, v) => Math.max(a, Math.floor(v) + 1), 1));
  }
  if (ROWS.has(family)) {
    // Rows as one flat array, d values per row (options.dims).
    const flat = new Float64Array(t.rows * idx.length);
    idx.forEach((c, a) => { const col = t.columns[c]; for (let r = 0; r < t.rows; r++) flat[r * idx.length + a] = col[r]; });
    data = flat;
    dims = idx.length;
  } else if (idx.length !== 1) throw new Error(`${family} fits one column, but ${idx.length} are chosen (${names.join(", ")}): name one under Columns`);
  else data = t.columns[idx[0]];
  const nInit = integerField("ninit", "Restarts", 1);
  const options: Record<string, unknown> = { family, nInit, seed: integerField("seed", "Seed", 0), maxIter: integerField("maxiter", "Max iterations", 1) };
  if (dims !== undefined) options.dims = dims;
  if (levels !== undefined) options.levels = levels;
  if (WITH_COVARIANCE.has(family)) options.covariance = $<HTMLSelectElement>("covariance").value;
  if (trials !== undefined) options.trials = trials;
  if ($<HTMLInputElement>("prior").checked) options.prior = true;
  return { family, names, data, options, evalOptions: trials === undefined ? undefined : { trials }, nInit };
}

// ---- running: one worker at a time ----------------------------------------------------------------

let controller: AbortController | null = null;

function setRunning(running: boolean) {
  $<HTMLButtonElement>("fit").disabled = running;
  $<HTMLButtonElement>("auto").disabled = running;
  $<HTMLButtonElement>("cancel").disabled = !running;
  $("bar").hidden = !running;
  if (!running) controller = null;
}

function status(text: string, error = false) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", error);
}

const isAbort = (e: unknown) => (e as Error)?.name === "AbortError";
/** k above the data's distinct points (a worker's MixemError keeps its code and reason). */
const tooFewDistinct = (e: unknown) => e instanceof MixemError && e.reason === "TOO_FEW_DISTINCT";

interface Fitted { model: MixtureModel; restarts: number[][]; ms: number }

/**
 * One fit in a worker, the chart and status following its progress (redrawn once per frame).
 * `stage` says where it stands in a selection: [index, count].
 */
async function fitOne(j: Job, k: number, signal: AbortSignal, stage?: { index: number; count: number; label: string }): Promise<Fitted> {
  const restarts: number[][] = [];
  let last: IterationInfo | null = null, queued = false;
  const draw = () => {
    queued = false;
    if (!last || signal.aborted) return;
    $("progress").innerHTML = llChart(restarts.map((h, r) => ({ values: h, current: r === last!.restart })), `log-likelihood, k = ${k}: restart ${last.restart + 1} of ${j.nInit}`);
    const where = stage ? `${stage.label}: k = ${k} (${stage.index + 1} of ${stage.count}), ` : `fitting k = ${k}: `;
    status(`${where}restart ${last.restart + 1} of ${j.nInit}, iteration ${last.iteration}, log-likelihood ${last.logLikelihood.toFixed(4)}`);
    const done = ((stage?.index ?? 0) + last.restart / j.nInit) / (stage?.count ?? 1);
    $<HTMLProgressElement>("bar").value = Math.min(1, done);
  };
  const started = performance.now();
  let finished = false;
  try {
    const model = await fitInWorker(j.data, {
      ...j.options, k, signal,
      ...(stage ? { accelerate: "squarem" } : {}), // Auto K fits as selectK does: with SQUAREM
      onProgress: (info: IterationInfo) => {
        if (finished) return;
        (restarts[info.restart] ??= []).push(info.logLikelihood);
        last = info;
        if (!queued) { queued = true; requestAnimationFrame(draw); }
      },
    } as never);
    return { model, restarts, ms: performance.now() - started };
  } finally {
    finished = true;
    last = null; // a frame still queued draws nothing over what follows
  }
}

function clearResult() {
  for (const id of ["picture", "progress", "selection", "selection-table"]) $(id).innerHTML = "";
  $("result").innerHTML = "";
  $("result").className = "";
  $<HTMLAnchorElement>("download").hidden = true;
  $("download-csv").hidden = true;
  $<HTMLProgressElement>("bar").value = 0;
}

let current: { model: MixtureModel; job: Job } | null = null;

async function run(auto: boolean) {
  if (controller) return; // one run at a time (the buttons are disabled too)
  controller = new AbortController();
  const signal = controller.signal;
  setRunning(true);
  await pendingLoad; // a sample or file chosen just before: its data first
  let j: Job;
  try {
    if (signal.aborted) throw new DOMException("cancelled", "AbortError");
    j = job();
  } catch (e) {
    setRunning(false);
    if (isAbort(e)) status("cancelled: the worker was stopped", false);
    else status(`error: ${(e as Error).message}`, true);
    return;
  }
  clearResult();
  current = null;
  status("starting a worker…");
  if (window.innerWidth < 1000) $("status").scrollIntoView({ block: "nearest" }); // one column: the controls are above
  try {
    await init(); // the page scores and draws with the library too (predictProba, plotFit)
    let fitted: Fitted;
    if (auto) {
      const { selection, best } = await select(j, signal);
      fitted = best;
      showSelection(selection, true);
    } else {
      fitted = await fitOne(j, integerField("k", "K", 1), signal);
    }
    showResult(j, fitted);
  } catch (e) {
    if (isAbort(e)) status("cancelled: the worker was stopped", false);
    else status(`error: ${inRows((e as Error).message, j.names)}`, true);
    if (!current) $("result").innerHTML = `<div class="hint">No result: ${isAbort(e) ? "cancelled" : "the run stopped with the error above"}.</div>`;
  } finally {
    setRunning(false);
  }
}

/** As selectK (same fits, same scores), but one fitInWorker per k: BIC, AIC and ICL computed here. */
async function select(j: Job, signal: AbortSignal): Promise<{ selection: Selection; best: Fitted }> {
  const k0 = integerField("kmin", "k from", 1), k1 = integerField("kmax", "k to", 1);
  if (k1 < k0) throw new Error(`the k range is empty (from ${k0} to ${k1})`);
  const criterion = $<HTMLSelectElement>("criterion").value as Criterion;
  const scores: SelectionEntry[] = [];
  const fits = new Map<number, Fitted>();
  for (let k = k0; k <= k1; k++) {
    let f: Fitted;
    try {
      f = await fitOne(j, k, signal, { index: k - k0, count: k1 - k0 + 1, label: `choosing k by ${criterion.toUpperCase()}` });
    } catch (e) {
      if (k > k0 && tooFewDistinct(e)) break; // no larger k can be fitted either (selectK stops there too)
      throw e;
    }
    const m = f.model, n = m.nObservations, p = m.nParameters;
    const bic = -2 * m.logLikelihood + p * Math.log(n);
    // ICL = BIC − 2 Σ_i log max_j p(j | x_i) (selectK's, as mclust's).
    const proba = m.predictProba(j.data, j.evalOptions as EvalOptions | undefined);
    let entropy = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 0; c < k; c++) best = Math.max(best, proba[i * k + c]);
      entropy += Math.log(best);
    }
    // A degenerate fit (model.warnings) stays in the table but is never chosen, as in selectK.
    scores.push({ k, family: m.family, bic, aic: -2 * m.logLikelihood + 2 * p, icl: bic - 2 * entropy, logLikelihood: m.logLikelihood, nParameters: p, model: m, ...(m.warnings.length ? { error: "DEGENERATE" as const } : {}) });
    fits.set(k, f);
    showSelection(partial(scores, criterion), false);
  }
  const selection = partial(scores, criterion);
  return { selection, best: fits.get(selection.k)! };
}

/** The library names values by their place in the data ("data[4][1]"); the page says row and column. */
function inRows(message: string, names: string[]): string {
  return message.replace(/^data\[(\d+)\](?:\[(\d+)\])?/, (_, i: string, c: string | undefined) =>
    `row ${Number(i) + 1}${c !== undefined ? `, column ${names[Number(c)] ?? Number(c) + 1}` : names.length === 1 ? ` of ${names[0]}` : ""}`);
}

function partial(scores: SelectionEntry[], criterion: Criterion): Selection {
  const sound = scores.filter((e) => !e.error);
  const pool = sound.length ? sound : scores;
  const best = pool.reduce((a, b) => (b[criterion] < a[criterion] ? b : a));
  return { criterion, best: best.model!, k: best.k, family: best.family, scores: [...scores], degenerate: sound.length === 0 };
}

// ---- results ------------------------------------------------------------------------------------

function showSelection(s: Selection, final: boolean) {
  const name = s.criterion.toUpperCase();
  $("selection").innerHTML = plotSelection(s, { width: 420, height: 300, title: `${name} against k${final ? "" : " (so far)"}` });
  const rows = s.scores.map((e) =>
    `<tr class="${final && e.k === s.k ? "best" : ""}"><td>${e.k}${final && e.k === s.k ? " ← best" : ""}</td><td>${fixed(e.logLikelihood)}</td><td>${e.nParameters}</td><td>${fixed(e.bic)}</td><td>${fixed(e.aic)}</td><td>${fixed(e.icl)}</td></tr>`).join("");
  $("selection-table").innerHTML = `<h2>Auto K: every k tried (lower ${name} is better)</h2><div class="scroll"><table class="grid"><tr><th>k</th><th>log-likelihood</th><th>parameters</th><th>BIC</th><th>AIC</th><th>ICL</th></tr>${rows}</table></div>`;
}

function showResult(j: Job, { model, restarts, ms }: Fitted) {
  current = { model, job: j };
  status(`${model.family} mixture, k = ${model.k}: log-likelihood ${model.logLikelihood.toFixed(4)}, ${model.iterations} iterations, ${model.converged ? "converged" : model.stopReason} (${ms.toFixed(0)} ms)`);
  // The chart: the returned model's own history, the other restarts faint behind it.
  const chosen = restarts.findIndex((h) => h.length === model.history.length && h[h.length - 1] === model.logLikelihood);
  const others = restarts.filter((_, r) => r !== chosen).map((values) => ({ values, current: false }));
  $("progress").innerHTML = llChart([...others, { values: [...model.history], current: true }],
    `log-likelihood of the returned model${restarts.length > 1 && chosen >= 0 ? ` (restart ${chosen + 1} of ${restarts.length})` : ""}`);
  const n = model.nObservations, p = model.nParameters;
  const bic = -2 * model.logLikelihood + p * Math.log(n), aic = -2 * model.logLikelihood + 2 * p;
  const detail = model.settings.covariance ? `, ${model.settings.covariance} covariance` : "";
  $("result").innerHTML =
    `<div class="facts"><b>${model.family}${detail}, k = ${model.k}</b> on ${n.toLocaleString("en")} ${model.dims > 1 ? `rows × ${model.dims} (${j.names.map(esc).join(", ")})` : `values (${esc(j.names[0])})`}: ` +
    `log-likelihood ${fixed(model.logLikelihood)}${model.logPosterior === undefined ? "" : `, log-posterior ${fixed(model.logPosterior)}`}, ${p} parameters, BIC ${fixed(bic)}, AIC ${fixed(aic)}; ` +
    `${model.iterations} iterations, ${model.converged ? "converged" : `not converged (${model.stopReason})`}.</div>` + parameterTables(model, j.names);
  try {
    const labels = model.family === "binomial" ? undefined : ROWS.has(model.family) ? j.names : [j.names[0], "density"];
    const trials = typeof j.options.trials === "number" ? j.options.trials : undefined;
    const opts = model.dims > 2 ? { labels, title: `${model.family}, k = ${model.k}` } : { width: 560, height: 380, labels, trials, title: `${model.family}, k = ${model.k}` };
    $("picture").innerHTML = plotFit(model, j.data, opts);
  } catch (e) {
    $("picture").innerHTML = `<div class="note">No picture: ${esc((e as Error).message)}</div>`;
  }
  const link = $<HTMLAnchorElement>("download");
  if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([JSON.stringify(model.toJSON(), null, 2)], { type: "application/json" }));
  link.hidden = false;
  $("download-csv").hidden = false;
}

/** The components: 1-D families one row per component; rows families one column per component. */
function parameterTables(model: MixtureModel, names: string[]): string {
  const k = model.k, comps = model.components as unknown as Record<string, unknown>[];
  const w = (j: number) => model.weights[j].toFixed(3);
  if (!ROWS.has(model.family)) {
    const keys = Object.keys(comps[0]);
    // √variance: the sd, or a Student t's scale (its variance is scale² ν/(ν − 2)).
    const extra = keys.includes("variance") ? [keys.includes("dof") ? "scale" : "sd"] : [];
    const head = ["component", "weight", ...keys, ...extra].map((h) => `<th>${h}</th>`).join("");
    const rows = comps.map((c, j) => `<tr><td>${j + 1}</td><td>${w(j)}</td>${keys.map((key) => `<td>${fmt(c[key] as number)}</td>`).join("")}${extra.length ? `<td>${fmt(Math.sqrt(c.variance as number))}</td>` : ""}</tr>`).join("");
    return `<div class="scroll"><table class="grid" id="params">${`<tr>${head}</tr>`}${rows}</table></div>`;
  }
  const head = `<tr><th></th>${comps.map((_, j) => `<th>component ${j + 1}</th>`).join("")}</tr>`;
  const section = (title: string) => `<tr class="section"><td colspan="${k + 1}">${title}</td></tr>`;
  const perDim = (get: (c: Record<string, unknown>, a: number) => number, digits = 4) =>
    names.map((nm, a) => `<tr><td>${esc(nm)}</td>${comps.map((c) => `<td>${fmt(get(c, a), digits)}</td>`).join("")}</tr>`).join("");
  let body = `<tr><td>weight</td>${comps.map((_, j) => `<td>${w(j)}</td>`).join("")}</tr>`;
  let note = "";
  if (model.family === "bernoulli") {
    body += section("p (probability of a 1)") + perDim((c, a) => (c.p as number[])[a], 3);
  } else if (model.family === "categorical") {
    // One row per level of each column: its probability in each component.
    names.forEach((nm, a) => {
      body += section(`${esc(nm)}: probability of each level`);
      const levels = (model.settings.levels as (number | string[])[] | undefined)?.[a];
      (comps[0].p as number[][])[a].forEach((_, l) => {
        const level = Array.isArray(levels) ? (levels[l] === "" ? "(empty)" : esc(levels[l])) : `level ${l}`;
        body += `<tr><td>${level}</td>${comps.map((c) => `<td>${fmt((c.p as number[][])[a][l], 3)}</td>`).join("")}</tr>`;
      });
    });
  } else {
    const cov = (c: Record<string, unknown>) => c.covariance as number[][];
    body += section("mean") + perDim((c, a) => (c.mean as number[])[a]) + section(typeof comps[0].dof === "number" ? "scale (√ of the scale matrix's diagonal)" : "sd") + perDim((c, a) => Math.sqrt(cov(c)[a][a]));
    if (typeof comps[0].dof === "number") body += `<tr><td>dof (ν)</td>${comps.map((c) => `<td>${fmt(c.dof as number, 3)}</td>`).join("")}</tr>`;
    const type = String(model.settings.covariance);
    const correlated = comps.some((c) => cov(c).some((row, a) => row.some((v, b) => a !== b && v !== 0)));
    if (model.dims > 1 && correlated) {
      // One row per pair of columns, one column per component (tied: the same in each).
      body += section(`correlation${type === "tied" || type === "EEE" ? " (tied: shared by every component)" : ""}`);
      for (let a = 0; a < model.dims; a++)
        for (let b = a + 1; b < model.dims; b++)
          body += `<tr><td>${esc(names[a])} · ${esc(names[b])}</td>${comps.map((c) => { const S = cov(c); return `<td>${(S[a][b] / Math.sqrt(S[a][a] * S[b][b])).toFixed(2)}</td>`; }).join("")}</tr>`;
    } else if (model.dims > 1) {
      note = `<div class="hint">${type} covariance: no correlations (the columns are independent within a component).</div>`;
    }
  }
  return `<div class="scroll"><table class="grid" id="params">${head}${body}</table></div>${note}`;
}

/** Each row's most likely component and posteriors, numbered from 1 as the CLI's `mixem predict` (written in the data worker). */
async function downloadCsv() {
  if (!current) return;
  const { model, job: j } = current;
  const proba = model.predictProba(j.data, j.evalOptions as EvalOptions | undefined);
  const reply = await ask({ kind: "labels", id: ++requests, proba, k: model.k }, [proba.buffer]);
  if (reply.kind === "error") throw new Error(reply.message);
  if (reply.kind !== "labels") return;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(reply.csv);
  a.download = "mixem-labels.csv";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ---- formatting and the log-likelihood chart ------------------------------------------------------

function esc(s: string) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
/** `digits` significant digits; exponent form only for very large or small values. */
function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(Math.max(digits, Math.floor(Math.log10(a)) + 1))));
}
const fixed = (v: number) => (Math.abs(v) >= 1e7 ? v.toExponential(4) : v.toFixed(2));

/** About `count` round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw)), r = raw / mag;
  const step = (r >= 5 ? 10 : r >= 2 ? 5 : r >= 1.5 ? 2 : 1) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}
const tickLabel = (v: number) => (Math.abs(v) >= 1e6 ? v.toExponential(2) : v.toLocaleString("en", { maximumFractionDigits: 6 }));

/** Log-likelihood per iteration with axes: the current (or returned) series in blue, others grey. */
function llChart(series: { values: number[]; current: boolean }[], title: string): string {
  const W = 440, H = 280, L = 78, R = 14, T = 34, B = 44;
  const all = series.flatMap((s) => s.values);
  if (all.length === 0) return "";
  let lo = Math.min(...all), hi = Math.max(...all);
  if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) { const pad = Math.max(1e-6, Math.abs(hi) * 1e-6); lo -= pad; hi += pad; }
  const pad = 0.05 * (hi - lo);
  lo -= pad; hi += pad;
  const nMax = Math.max(2, ...series.map((s) => s.values.length));
  const sx = (i: number) => L + ((i - 1) / (nMax - 1)) * (W - L - R);
  const sy = (v: number) => T + ((hi - v) / (hi - lo)) * (H - T - B);
  const xt = ticks(1, nMax, 6).filter((v) => Number.isInteger(v) && v >= 1);
  const yt = ticks(lo, hi, 5);
  const grid = yt.map((v) => `<line x1="${L}" x2="${W - R}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="#eee"/><text x="${L - 6}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${tickLabel(v)}</text>`).join("") +
    xt.map((v) => `<line x1="${sx(v).toFixed(1)}" x2="${sx(v).toFixed(1)}" y1="${H - B}" y2="${H - B + 5}" stroke="#333"/><text x="${sx(v).toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${v}</text>`).join("");
  const line = (s: { values: number[]; current: boolean }) => s.values.length === 0 ? "" :
    `<path d="${s.values.map((v, i) => `${i ? "L" : "M"}${sx(i + 1).toFixed(1)},${sy(v).toFixed(1)}`).join("")}" fill="none" stroke="${s.current ? "#1f77b4" : "#bbb"}" stroke-width="${s.current ? 2 : 1.2}"/>` +
    (s.current && s.values.length === 1 ? `<circle cx="${sx(1).toFixed(1)}" cy="${sy(s.values[0]).toFixed(1)}" r="3" fill="#1f77b4"/>` : "");
  const lastValue = series.filter((s) => s.current).map((s) => s.values[s.values.length - 1])[0];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11"><rect width="${W}" height="${H}" fill="white"/>` +
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>` + grid +
    series.filter((s) => !s.current).map(line).join("") + series.filter((s) => s.current).map(line).join("") +
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>` +
    `<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">iteration</text>` +
    `<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">log-likelihood</text>` +
    (lastValue === undefined ? "" : `<text x="${W - R}" y="${T - 4}" text-anchor="end" fill="#1f77b4">${lastValue.toFixed(4)}</text>`) + "</svg>";
}

// ---- wiring ---------------------------------------------------------------------------------------

function familyChanged() {
  const f = $<HTMLSelectElement>("family").value;
  $("trials-label").hidden = f !== "binomial";
  $("covariance-label").hidden = !(WITH_COVARIANCE.has(f) || f === "auto");
}

let pasteTimer: ReturnType<typeof setTimeout> | undefined;
/** A sample or a file replaces pasted text: the box is emptied (and a paste still pending dropped), so it never shows other data than the preview. */
const notPasted = () => { clearTimeout(pasteTimer); $<HTMLTextAreaElement>("paste").value = ""; };
$("faithful").addEventListener("click", () => { notPasted(); void load(faithfulCsv, "Old Faithful (R's faithful)"); });
$("iris").addEventListener("click", () => { notPasted(); void load(irisCsv, "Iris (Fisher's)"); });
$("file").addEventListener("change", async (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) { notPasted(); void load(await f.text(), f.name); }
});
$("paste").addEventListener("input", (e) => {
  $<HTMLInputElement>("file").value = ""; // pasted data replaces a chosen file
  clearTimeout(pasteTimer);
  const text = (e.target as HTMLTextAreaElement).value;
  pasteTimer = setTimeout(() => load(text, "pasted data"), 250);
});
$("family").addEventListener("change", familyChanged);
$("fit").addEventListener("click", () => void run($<HTMLSelectElement>("k").value === "auto"));
$("auto").addEventListener("click", () => void run(true));
$("cancel").addEventListener("click", () => controller?.abort(new DOMException("cancelled", "AbortError")));
$("download-csv").addEventListener("click", () => {
  downloadCsv().catch((e) => status(`error: ${(e as Error).message}`, true));
});
familyChanged();
(window as unknown as { mixemReady: boolean }).mixemReady = true;
