// SVG pictures of a fit, as strings (no DOM needed: the CLI writes them, the demo page shows them).
//   plotFit: as the family's `plot` says — "density": histogram of the data, the mixture density and
//            each weighted component; "counts": bars of the counts' proportions with the
//            probabilities; "scatter" (mvgaussian): points coloured by predicted component (a
//            density of the points beyond a few thousand), each Gaussian's 1σ and 2σ ellipse, and
//            for d > 2 a pairs plot of the 2-D projections; "heatmap" (categorical): a grid of each
//            component's probability of every level of every column, beside the data's shares.
//   plotSelection: the criterion against k, the best k marked.
// Data of any size: read in place in a few passes (plot/data.ts), binned, so the stack is constant,
// memory bounded by the bins and the SVG below 500 KB. Every option is validated and every string
// escaped (plot/svg.ts). Components are numbered as the CLI's table numbers them: component j + 1
// is model.components[j].
import type { MixtureModel } from "./model.js";
import type { ModelData } from "./types.js";
import type { Selection, SelectionEntry } from "./select.js";
import type { HeatmapTable, PlotDensity, Rule } from "./family.js";
import { familyOf } from "./families/index.js";
import { checkOptions, integer, ownOptions } from "./options.js";
import { arrowColumnsRule, arrowKind, arrowModelRows } from "./arrow.js";
import { dataError, MixemError, optionError } from "./errors.js";
import { describe } from "./data.js";
import { symmetricEigen } from "./linalg.js";
import { withCoreOrEngineMath } from "./math.js";
import { bin1, bin2, checkWeights, extent, robustRange, rowsOf, sizeOf, valuesOf, weighted as withWeights, type Grid2, type Table, type Weights } from "./plot/data.js";
import { colour, esc, PALETTE, legend, legendSize, num, panel, path, px, svgDocument, wrapRows, type Box, type LegendRow } from "./plot/svg.js";

export interface PlotOptions {
  /** Width in pixels, 100–4000 (default 640; a pairs plot: 170 per dimension + 90, at most 900). */
  width?: number;
  /**
   * Height in pixels, 100–4000 (default 400; a pairs plot: as its width). 2-D: where the legend
   * would cover more than 1 % of the picture in every corner, it goes under it and the default
   * height grows by the legend's; a height given here is kept (the legend in the emptiest corner).
   */
  height?: number;
  /** A title above the picture (at most 200 characters). */
  title?: string;
  /** Binomial: trials of the data (defaults to the model's constant trials). */
  trials?: number;
  /** Axis titles: x and y (2-D: the two columns' names; a pairs plot also takes one name per dimension). */
  labels?: string[];
  /** Arrow data (a Table or RecordBatch): the columns drawn, as fitted (default: every column; one Vector: itself). */
  columns?: string[];
  /**
   * One weight ≥ 0 per point, as the fit's `sampleWeights`: point i counts w_i times in every bar,
   * cell and share (a weight of 0 as if the point were removed, integer weights as duplicated points).
   */
  sampleWeights?: ArrayLike<number>;
}

// ---- options and arguments ----------------------------------------------------------------

const pixels: Rule = (v, p) => {
  if (typeof v !== "number" || !Number.isFinite(v)) throw optionError(p, `must be a finite number of pixels, got ${describe(v)}`);
  if (v < 100 || v > 4000) throw optionError(p, `must be between 100 and 4000 pixels, got ${v}`);
};
const text = (max: number): Rule => (v, p) => {
  if (typeof v !== "string") throw optionError(p, `must be a string, got ${describe(v)}`);
  if (v.length > max) throw optionError(p, `must be at most ${max} characters, got ${v.length}`);
};
const labelList: Rule = (v, p) => {
  if (!Array.isArray(v) || v.length < 2 || v.length > 64) throw optionError(p, `must be a pair of strings [x, y]${v !== undefined && Array.isArray(v) ? `, got ${v.length} values` : `, got ${describe(v)}`}`);
  v.forEach((s, i) => text(100)(s, `${p}[${i}]`));
};
const COMMON = { width: pixels, height: pixels, title: /* @__PURE__ */ text(200), labels: labelList };
/** A heat map's labels: one name per column of the data. */
const nameList: Rule = (v, p) => {
  if (!Array.isArray(v) || v.length < 1 || v.length > 4096) throw optionError(p, `must be an array of column names, got ${describe(v)}`);
  v.forEach((s, i) => text(100)(s, `${p}[${i}]`));
};

interface Checked { width?: number; height?: number; title?: string; labels?: string[]; trials?: number }

/** The options, checked; labels must be a pair unless `labelCount` (a pairs plot's dimension count) is also allowed. */
function checked(options: unknown, rules: Record<string, Rule>): Checked {
  return checkOptions(options ?? {}, rules) as Checked;
}
function pairOrDims(labels: string[] | undefined, dims: number): void {
  if (labels && labels.length !== 2 && labels.length !== dims)
    throw optionError("options.labels", `must be a pair of strings [x, y]${dims > 2 ? ` or one per dimension (${dims})` : ""}, got ${labels.length} values`);
}

/** A fitted model (fit, fitSync, loadModel), checked by what the pictures use: a MixemError otherwise. */
function checkModel(model: unknown): MixtureModel {
  const m = model as Partial<MixtureModel> | null;
  const ok = typeof m === "object" && m !== null && familyOf(m.family) !== undefined && Number.isInteger(m.k) && Number.isInteger(m.dims) &&
    Array.isArray(m.weights) && m.weights.length === m.k && Array.isArray(m.components) && m.components.length === m.k &&
    m.theta instanceof Float64Array && typeof m.spec === "object" && m.spec !== null && typeof m.predict === "function";
  if (!ok) throw new MixemError("INVALID_MODEL", `must be a fitted model (from fit, fitSync or loadModel), got ${describe(model)}`, "model");
  return m as MixtureModel;
}

// ---- plotFit ------------------------------------------------------------------------------

/** A picture of the fitted model over its data (how, the family says: see Family.plot). */
export function plotFit(model: MixtureModel, data: ModelData, options: PlotOptions = {}): string {
  // A picture needs no bit-exact logarithm: without the WebAssembly core, the engine's Math.
  return withCoreOrEngineMath(() => drawFit(model, data, options));
}

/**
 * Arrow data: the chosen columns (`options.columns`, else every column) read once into a flat
 * array, row-major, and `columns` taken out of the options; other data as given (then `columns`
 * is an error: it names columns of an Arrow table).
 */
function fromArrow(model: MixtureModel, data: ModelData, options: PlotOptions): { data: ModelData; options: PlotOptions; sampleWeights: unknown } {
  const o = ownOptions(options ?? {}, "options") as PlotOptions;
  const { columns, sampleWeights, ...rest } = o;
  if (!arrowKind(data)) {
    if (columns !== undefined) throw optionError("options.columns", "names columns of an Arrow table; the data is not one");
    return { data, options: rest, sampleWeights };
  }
  if (columns !== undefined) arrowColumnsRule(columns, "options.columns");
  // Text columns as the model's level codes; a null a missing value when the model was fitted around them.
  return { data: arrowModelRows(familyOf(model.family)!, model.settings, data, columns, "data", model.settings.missing === "marginalize"), options: rest, sampleWeights };
}

/**
 * A model fitted with missing values (NaN): the rows without one, as a flat array, and their
 * weights — a row with a missing value has no place in the picture (its histogram bar or its point).
 */
function completeRows(data: ModelData, dims: number, w: Weights | undefined): { data: ModelData; w: Weights | undefined } {
  const t = dims === 1 ? valuesOf(data) : rowsOf(data, dims);
  const complete = (i: number) => { for (let a = 0; a < dims; a++) if (Number.isNaN(t.at(i, a))) return false; return true; };
  let kept = 0;
  for (let i = 0; i < t.n; i++) if (complete(i)) kept++;
  if (kept === t.n) return { data, w };
  if (kept === 0) throw dataError("data", "has no row without a missing value to draw");
  const out = new Float64Array(kept * dims), ow = w ? new Float64Array(kept) : undefined;
  for (let i = 0, o = 0; i < t.n; i++) if (complete(i)) { if (ow) ow[o / dims] = w!.w[i]; for (let a = 0; a < dims; a++) out[o++] = t.at(i, a); }
  if (!ow) return { data: out, w };
  try {
    const c = checkWeights(ow, kept); // of w's weights as scaled: the unit carries over
    return { data: out, w: { ...c, unit: c.unit * w!.unit } };
  } catch (e) {
    throw e instanceof MixemError && e.path === "options.sampleWeights" ? optionError(e.path, "are all 0 on the rows without a missing value; at least one of them must be positive") : e;
  }
}

/** What the 1-D pictures and the heat map read of a model (a column of an independent model is drawn as one). */
type Drawn = Pick<MixtureModel, "k" | "weights" | "theta" | "components" | "spec" | "settings">;

function drawFit(model: MixtureModel, data: ModelData, options: PlotOptions): string {
  model = checkModel(model);
  let given: unknown;
  ({ data, options, sampleWeights: given } = fromArrow(model, data, options));
  const plot = familyOf(model.family)!.plot;
  // Sample weights: one per row of the data as given (rows with a missing value too, as fit takes them).
  let w = given === undefined || given === null ? undefined : checkWeights(given, (model.dims === 1 && plot.kind !== "heatmap" ? valuesOf(data) : rowsOf(data, model.dims)).n);
  if (model.settings.missing === "marginalize") ({ data, w } = completeRows(data, model.dims, w));
  if (plot.kind === "none") throw optionError("model.family", plot.why);
  if (plot.kind === "columns") return columns(model, data, w, checked(options, { ...COMMON, labels: nameList }));
  if (plot.kind === "heatmap") {
    const o = checked(options, { ...COMMON, labels: nameList });
    return heatmap(model, model.spec.heatmap!(model.theta, model.k, data, o.labels, w?.w), o);
  }
  if (plot.kind === "scatter") {
    const o = checked(options, COMMON);
    if (model.dims < 2) throw optionError("model.dims", "a scatter plot needs at least 2 dimensions");
    pairOrDims(o.labels, model.dims);
    return scatter(model, data, withWeights(rowsOf(data, model.dims), w), o);
  }
  const o = checked(options, { ...COMMON, trials: integer(1) });
  pairOrDims(o.labels, 2);
  return oneD(model, plot, withWeights(valuesOf(data), w), o);
}

/** A density or counts picture of 1-D data. */
function oneD(model: Drawn, plot: { kind: "density" } | { kind: "counts"; axis: string }, t: Table, o: Checked): string {
  const merged: Record<string, unknown> = { ...model.settings };
  if (o.trials !== undefined) merged.trials = o.trials;
  const density = model.spec.plotDensity!(merged);
  return plot.kind === "density" ? histogram(model, density, t, o) : counts(model, density, plot.axis, t, o);
}

/**
 * Mixed columns (family independent): one panel per column, each that column's marginal mixture
 * as its own family draws it (density, counts, heat map; a list of the parameters where the
 * family has no picture), two panels a row. Labels name the columns.
 */
function columns(model: MixtureModel, data: ModelData, w: Weights | undefined, o: Checked): string {
  const parts = model.spec.columnPictures!(model.theta, model.k);
  const d = parts.length;
  if (o.labels && o.labels.length !== d) throw optionError("options.labels", `must name the ${d} columns, got ${o.labels.length} names`);
  const across = Math.min(2, d), down = Math.ceil(d / across);
  const top = o.title ? 30 : 0;
  const width = o.width ?? 480 * across, height = o.height ?? Math.min(4000, top + 300 * down);
  const pw = Math.max(100, Math.floor(width / across)), ph = Math.max(100, Math.floor((height - top) / down));
  const t = rowsOf(data, d);
  const n = t.n;
  const body = parts.map((part, a) => {
    const drawn: Drawn = {
      k: model.k, weights: model.weights, theta: part.theta, spec: part.spec, settings: part.settings as Drawn["settings"],
      components: Array.from({ length: model.k }, (_, j) => part.spec.component(part.theta, j)) as Drawn["components"],
    };
    const name = o.labels?.[a] ?? `column ${a + 1}`;
    const po: Checked = { width: pw, height: ph, title: `${name} (${part.family})` };
    let svg: string;
    if (part.plot.kind === "heatmap") {
      const values = Array.from({ length: n }, (_, i) => t.at(i, a)); // level codes or names
      svg = heatmap(drawn, part.spec.heatmap!(part.theta, model.k, values, [name], w?.w), po);
    } else if (part.plot.kind === "density" || part.plot.kind === "counts") {
      const column: Table = { n, dims: 1, at: (i) => t.at(i, a), where: (i) => t.where(i, a), ...(w ? { w } : {}) };
      svg = oneD(drawn, part.plot, column, { ...po, labels: [name, part.plot.kind === "density" ? "density" : "proportion"] });
    } else {
      const lines = drawn.components.map((c, j) => `component ${j + 1} (w ${num(model.weights[j])}): ${Object.entries(c as unknown as Record<string, unknown>).map(([key, v]) => `${key} ${Array.isArray(v) ? v.map((x) => num(Number(x))).join(" ") : num(Number(v))}`).join(", ")}`);
      svg = svgDocument(pw, ph, po.title, lines.map((t, j) => `<text x="16" y="${60 + j * 18}" fill="${colour(j)}">${esc(t)}</text>`));
    }
    const x = (a % across) * pw, y = top + Math.floor(a / across) * ph;
    return svg.replace('<svg xmlns="http://www.w3.org/2000/svg" ', `<svg x="${x}" y="${y}" `);
  });
  return svgDocument(width, height, o.title, body);
}

/** w_j p(v | θ_j), 0 where the density is −∞ or undefined. */
const weighted = (model: Drawn, density: PlotDensity, j: number, v: number) => {
  const p = model.weights[j] * Math.exp(density.logDensity(model.theta, j, v));
  return p > 0 && Number.isFinite(p) ? p : 0;
};

/**
 * Legend text of a 1-D component: its number, weight, mean and other parameters (a variance as its
 * sd; a Student t's `variance` is its scale², so it is shown as the scale: the t's sd is
 * scale·√(ν/(ν − 2)), infinite for ν ≤ 2).
 */
function describe1(model: Drawn, j: number, mean: number | undefined): string {
  const c = model.components[j] as unknown as Record<string, unknown>;
  const parts = [`w ${num(model.weights[j])}`];
  if (mean !== undefined) parts.push(`mean ${num(mean)}`);
  for (const [name, v] of Object.entries(c)) {
    if (typeof v !== "number" || name === "mean") continue;
    parts.push(name === "variance" ? `${"dof" in c ? "scale" : "sd"} ${num(Math.sqrt(v))}` : `${name} ${num(v)}`);
  }
  return `component ${j + 1} (${parts.join(", ")})`;
}

/** Each component's mean: its `mean` parameter, or Σ v p(v) over the points given when they hold ≥ 99.9 % of its mass. */
function means1(model: Drawn, values: number[], pdf: number[][]): (number | undefined)[] {
  return model.weights.map((w, j) => {
    const mean = (model.components[j] as unknown as Record<string, unknown>).mean;
    if (typeof mean === "number") return mean;
    let mass = 0, first = 0;
    values.forEach((v, i) => { mass += pdf[i][j] / w; first += (v * pdf[i][j]) / w; });
    return mass > 0.999 && mass < 1.001 ? first / mass : undefined;
  });
}

/** The y-range's top so that a legend of height `lh` in the panel's top corner leaves the drawn content uncovered (up to doubling it). */
function headroom(top: number, contentTop: number, panelH: number, lh: number): number {
  const free = (panelH - lh - 26) / panelH; // share of the panel under the legend (and a peak label)
  return contentTop <= top * free ? top : Math.min(2 * top, contentTop / free);
}

/** Which top corner covers less of the drawn content: the highest value under each corner's x-span. */
function corner(xs: number[], ys: number[], boxX: number, boxW: number, lw: number): { right: boolean; contentTop: number } {
  let left = 0, right = 0;
  xs.forEach((x, i) => {
    if (x <= boxX + lw + 6) left = Math.max(left, ys[i]);
    if (x >= boxX + boxW - lw - 6) right = Math.max(right, ys[i]);
  });
  return right <= left ? { right: true, contentTop: right } : { right: false, contentTop: left };
}

/** A count with thousands separators. */
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ",");

const MARGIN = { l: 64, r: 16, b: 48 };
const swatchFill = (c: string) => (x: number, y: number) => `<rect x="${px(x)}" y="${px(y - 5)}" width="18" height="10" fill="${c}" fill-opacity="0.25" stroke="${c}" stroke-width="1.5"/>`;
const swatchLine = (c: string, w = 2.2) => (x: number, y: number) => `<path d="M${px(x)},${px(y)}h18" stroke="${c}" stroke-width="${w}"/>`;
const swatchBar = (x: number, y: number) => `<rect x="${px(x)}" y="${px(y - 5)}" width="18" height="10" fill="#c8c8c8"/>`;
const noSwatch = () => "";

/** A sum of weights: an integer with separators, else 4 significant digits. */
const amount = (v: number) => (Number.isInteger(v) && v < 1e15 ? count(v) : num(v));
/** How many `noun`s the data holds: "n values", or weighted "n values (Σ w W)" (n: those of weight > 0). */
const sizeText = (t: Table, noun: string) => (t.w ? `${count(t.w.rows)} ${noun} (Σ w ${amount(t.w.total / t.w.unit)})` : `${count(t.n)} ${noun}`);

/** The note for values left out of the picture (with weights: `weight` is their Σ f·w), or nothing. */
function outsideNote(t: Table, outside: number, weight: number, min: number, max: number): LegendRow[] {
  const sum = t.w ? ` (Σ w ${amount(weight / t.w.f / t.w.unit)})` : "";
  return outside > 0 ? [{ swatch: noSwatch, text: `${count(outside)} value${outside > 1 ? "s" : ""}${sum} beyond the axis not drawn (data from ${num(min)} to ${num(max)})` }] : [];
}

/**
 * Histogram (density scale: a bar's Σ w over Σ w · width; unweighted, count over n · width) of the
 * data, each weighted component (dashed, shaded) and the mixture.
 */
function histogram(model: Drawn, density: PlotDensity, t: Table, o: Checked): string {
  const { min, max } = extent(t);
  const r = robustRange(t, 0, min[0], max[0]);
  const n = sizeOf(t), bins = Math.max(5, Math.min(60, Math.ceil(Math.sqrt(n))));
  const { counts: hist, outside, outsideWeight } = bin1(t, 0, r.lo, r.hi, bins);
  const bw = (r.hi - r.lo) / bins || 1, lo = r.hi > r.lo ? r.lo : r.lo - 0.5, hi = r.hi > r.lo ? r.hi : r.hi + 0.5;
  const height = Array.from(hist, (c) => c / (n * bw));
  const pad = 0.05 * (hi - lo);
  const grid = Array.from({ length: 301 }, (_, i) => lo - pad + (i / 300) * (hi - lo + 2 * pad));
  const parts = grid.map((v) => model.weights.map((_, j) => weighted(model, density, j, v)));
  const mix = parts.map((p) => p.reduce((s, v) => s + v, 0));
  const means = means1(model, grid.map((v) => v), parts.map((p) => p.map((v) => v * ((hi - lo + 2 * pad) / 300))));
  const order = model.weights.map((_, j) => j).sort((a, b) => (means[a] ?? Infinity) - (means[b] ?? Infinity) || a - b);
  const rows: LegendRow[] = [
    ...order.map((j) => ({ swatch: swatchFill(colour(j)), text: describe1(model, j, means[j]), colour: colour(j) })),
    { swatch: swatchLine("#000"), text: "mixture density" },
    { swatch: swatchBar, text: `data: ${sizeText(t, "values")}, ${bins} bins` },
    ...outsideNote(t, outside, outsideWeight, min[0], max[0]),
  ];
  return picture1(o, rows, [lo - pad, hi + pad], o.labels ?? ["value", "density"], (yr, f) => {
    const bars = height.map((h, b) => {
      const x0 = f.sx(lo + b * bw), x1 = f.sx(lo + (b + 1) * bw);
      return h > 0 ? `<rect x="${px(x0)}" y="${px(f.sy(h))}" width="${px(Math.max(0, x1 - x0 - 1))}" height="${px(f.sy(0) - f.sy(h))}"/>` : "";
    }).join("");
    return [
      `<g fill="#c8c8c8">${bars}</g>`,
      ...curves(model, grid, parts, mix, f, yr),
    ];
  }, Math.max(...height, ...mix), (f) => ({ xs: grid.map((v) => f.sx(v)), ys: mix.map((v, i) => Math.max(v, height[Math.floor((grid[i] - lo) / bw)] ?? 0)) }));
}

/** One 1-D picture: the frame, the body, the legend in the emptier top corner (with headroom). */
function picture1(
  o: Checked, rows: LegendRow[], xr: [number, number], labels: string[],
  body: (yr: [number, number], f: ReturnType<typeof panel>) => string[], top0: number, contentAt?: (f: ReturnType<typeof panel>) => { xs: number[]; ys: number[] },
  integerX = false,
): string {
  const width = o.width ?? 640, height = o.height ?? 400;
  const box: Box = { x: MARGIN.l, y: o.title ? 38 : 14, w: width - MARGIN.l - MARGIN.r, h: 0 };
  box.h = height - box.y - MARGIN.b;
  const ls = legendSize(rows);
  let top = (top0 > 0 ? top0 : 1) * 1.06;
  // Where the drawn content reaches, in the legend's x-span: choose a corner, make room under it.
  const probe = panel(box, xr, [0, top], { x: "", y: "" });
  const pts = contentAt ? contentAt(probe) : { xs: [], ys: [] };
  const c = corner(pts.xs, pts.ys, box.x, box.w, ls.w);
  top = headroom(top, c.contentTop, box.h, ls.h);
  const f = panel(box, xr, [0, top], { x: labels[0], y: labels[1], integerX });
  const lx = c.right ? box.x + box.w - ls.w - 4 : box.x + 8;
  return svgDocument(width, height, o.title, [...body([0, top], f), f.axes, legend(rows, lx, box.y + 4)]);
}

/** Each weighted component as a shaded area under a dashed curve, its number at its peak; the mixture on top. */
function curves(model: Drawn, xs: number[], parts: number[][], mix: number[], f: ReturnType<typeof panel>, yr: [number, number], dots = false): string[] {
  const clip = (v: number) => Math.min(v, yr[1]);
  const out: string[] = [];
  model.weights.forEach((_, j) => {
    const line = xs.map((v, i) => [f.sx(v), f.sy(clip(parts[i][j]))] as [number, number]);
    const base = f.sy(0);
    out.push(`<path d="${path(line)}L${px(line[line.length - 1][0])},${px(base)}L${px(line[0][0])},${px(base)}Z" fill="${colour(j)}" fill-opacity="0.12" stroke="none"/>`);
    out.push(`<path d="${path(line)}" fill="none" stroke="${colour(j)}" stroke-width="2" stroke-dasharray="6,3"/>`);
  });
  out.push(`<path d="${path(xs.map((v, i) => [f.sx(v), f.sy(clip(mix[i]))]))}" fill="none" stroke="#000" stroke-width="2.2"/>`);
  if (dots) out.push(`<path d="${xs.map((v, i) => `M${px(f.sx(v))},${px(f.sy(clip(mix[i])))}h0`).join("")}" stroke="#000" stroke-width="5" stroke-linecap="round"/>`);
  model.weights.forEach((_, j) => {
    let best = 0;
    xs.forEach((_, i) => { if (parts[i][j] > parts[best][j]) best = i; });
    if (parts[best][j] > 0) out.push(`<text x="${px(f.sx(xs[best]))}" y="${px(f.sy(clip(parts[best][j])) - 6)}" text-anchor="middle" font-weight="bold" fill="${colour(j)}" stroke="white" stroke-width="3" paint-order="stroke">${j + 1}</text>`);
  });
  return out;
}

/** Counts: bars of the proportions (grouped when the range is wide), the weighted pmfs and the mixture's. */
function counts(model: Drawn, density: PlotDensity, axis: string, t: Table, o: Checked): string {
  const { min, max } = extent(t, true);
  const r = robustRange(t, 0, min[0], max[0]);
  const upTo = density.upTo ? density.upTo(model.theta, model.k) : r.hi;
  // The model's tail beyond the data is drawn, up to half the data's span (not out to an outlier's component).
  const hi = Math.max(r.hi, Math.min(Number.isFinite(upTo) ? Math.ceil(upTo) : r.hi, r.hi + Math.max(5, Math.ceil(0.5 * (r.hi - r.lo)))));
  const lo = r.lo <= hi - r.lo ? 0 : r.lo; // from 0 unless the counts sit far from it
  const nvals = hi - lo + 1, group = Math.ceil(nvals / 200), bins = Math.ceil(nvals / group);
  // Bin b holds the integers lo + b·group … lo + (b + 1)·group − 1.
  const { counts: freq, outside, outsideWeight } = bin1(t, 0, lo - 0.5, lo - 0.5 + bins * group, bins);
  const n = sizeOf(t); // weighted: a bar's proportion is its Σ w over Σ w
  const values: number[] = [];
  if (nvals <= 20000) for (let v = lo; v <= hi; v++) values.push(v);
  else for (let i = 0; i <= 800; i++) { const v = Math.round(lo + (i / 800) * (hi - lo)); if (v !== values[values.length - 1]) values.push(v); }
  const parts = values.map((v) => model.weights.map((_, j) => weighted(model, density, j, v)));
  const mix = parts.map((p) => p.reduce((s, v) => s + v, 0));
  // Means: over the whole support when it is short, else over the picture's values (each standing for its spacing).
  const support = Number.isFinite(upTo) && upTo <= 100000 ? Array.from({ length: Math.ceil(upTo) + 1 }, (_, v) => v) : values;
  const step = support === values && values.length > 1 ? (values[values.length - 1] - values[0]) / (values.length - 1) : 1;
  const means = means1(model, support, support.map((v, i) => support === values ? parts[i].map((p) => p * step) : model.weights.map((_, j) => weighted(model, density, j, v))));
  const order = model.weights.map((_, j) => j).sort((a, b) => (means[a] ?? Infinity) - (means[b] ?? Infinity) || a - b);
  const prop = Array.from(freq, (c) => c / (n * group));
  const rows: LegendRow[] = [
    ...order.map((j) => ({ swatch: swatchFill(colour(j)), text: describe1(model, j, means[j]), colour: colour(j) })),
    { swatch: swatchLine("#000"), text: group > 1 ? "mixture probability (per value)" : "mixture probability" },
    { swatch: swatchBar, text: group > 1 ? `data: ${sizeText(t, "counts")}, in groups of ${group} values` : `data: ${sizeText(t, "counts")}` },
    ...outsideNote(t, outside, outsideWeight, min[0], max[0]),
  ];
  const labels = o.labels ?? [axis, group > 1 ? "proportion per value" : "proportion"];
  return picture1(o, rows, [lo - 0.5 * group, lo + bins * group - 0.5 * group], labels, (yr, f) => {
    const bars = prop.map((p, b) => {
      if (!(p > 0)) return "";
      const a = lo + b * group, z = a + group - 1;
      const x0 = group > 1 ? f.sx(a - 0.5) : f.sx(a - 0.4), x1 = group > 1 ? f.sx(z + 0.5) - 1 : f.sx(a + 0.4);
      const y = f.sy(Math.min(p, yr[1]));
      return `<rect x="${px(x0)}" y="${px(y)}" width="${px(Math.max(1, x1 - x0))}" height="${px(f.sy(0) - y)}"/>`;
    }).join("");
    return [`<g fill="#c8c8c8">${bars}</g>`, ...curves(model, values, parts, mix, f, yr, group === 1 && values.length <= 200)];
  }, Math.max(...prop, ...mix), (f) => ({ xs: values.map((v) => f.sx(v)), ys: mix.map((v, i) => Math.max(v, prop[Math.floor((values[i] - lo) / group)] ?? 0)) }), true);
}

// ---- 2-D and pairs plots --------------------------------------------------------------------

/** Points drawn one by one up to this many (points × panels); beyond, a 2-D histogram. */
const POINTS_MAX = 3000;
/** Cells of the 2-D histograms, all panels together (the SVG stays far below 500 KB). */
const CELLS = 6000;
/** Dimensions a pairs plot shows at most. */
const PAIRS_MAX = 6;

interface Gauss { mean: number[]; covariance: number[][] }

/** The 2-D marginal of component c on dimensions (a, b): mean, covariance and what its density needs. */
function marginal(c: Gauss, a: number, b: number) {
  const s = [c.covariance[a][a], c.covariance[a][b], c.covariance[b][a], c.covariance[b][b]];
  const det = Math.max(s[0] * s[3] - s[1] * s[2], 1e-300);
  return { m: [c.mean[a], c.mean[b]], s, inv: [s[3] / det, -s[1] / det, -s[2] / det, s[0] / det], logDet: Math.log(det) };
}
type Marginal = ReturnType<typeof marginal>;

/** The r-σ ellipse of a 2-D marginal (the projection of the d-dimensional ellipsoid): its eigenvectors scaled by r·√λ. */
function ellipse(g: Marginal, r: number): [number, number][] {
  const { values, vectors } = symmetricEigen(g.s, 2);
  return Array.from({ length: 73 }, (_, i) => {
    const t = (i / 72) * 2 * Math.PI, u = r * Math.sqrt(Math.max(values[0], 0)) * Math.cos(t), v = r * Math.sqrt(Math.max(values[1], 0)) * Math.sin(t);
    return [g.m[0] + vectors[0] * u + vectors[1] * v, g.m[1] + vectors[2] * u + vectors[3] * v];
  });
}

/** The component most probable at (x, y) under the projected mixture. */
function dominant(logW: number[], gs: Marginal[], x: number, y: number): number {
  let best = 0, top = -Infinity;
  gs.forEach((g, j) => {
    const dx = x - g.m[0], dy = y - g.m[1];
    const l = logW[j] - 0.5 * (g.logDet + dx * (g.inv[0] * dx + g.inv[1] * dy) + dy * (g.inv[2] * dx + g.inv[3] * dy));
    if (l > top) { top = l; best = j; }
  });
  return best;
}

/** The colour at 45 % brightness: ellipses over cells of their own colour. */
const dark = (c: string) => "#" + [1, 3, 5].map((i) => Math.round(parseInt(c.slice(i, i + 2), 16) * 0.45).toString(16).padStart(2, "0")).join("");

const vector = (v: number[]) => `(${v.slice(0, PAIRS_MAX).map(num).join(", ")}${v.length > PAIRS_MAX ? ", …" : ""})`;

function scatter(model: MixtureModel, data: ModelData, t: Table, o: Checked): string {
  const d = model.dims, D = Math.min(d, PAIRS_MAX);
  const comps = model.components as unknown as Gauss[];
  const { min, max } = extent(t);
  const names = Array.from({ length: D }, (_, a) => o.labels?.[a] ?? (a < 2 && o.labels ? "" : `dimension ${a + 1}`));
  // Each shown dimension's range: the data (robustly) and the components' 2σ, padded.
  const ranges = names.map((_, a): [number, number] => {
    const r = robustRange(t, a, min[a], max[a]);
    let lo = r.lo, hi = r.hi;
    for (const c of comps) {
      const sd = 2 * Math.sqrt(Math.max(c.covariance[a][a], 0));
      lo = Math.min(lo, Math.max(r.limLo, c.mean[a] - sd)); hi = Math.max(hi, Math.min(r.limHi, c.mean[a] + sd));
    }
    const pad = 0.04 * (hi - lo || Math.max(1, Math.abs(hi)));
    return [lo - pad, hi + pad];
  });
  const pairs: [number, number][] = D === 2 ? [[0, 1]] : [];
  if (D > 2) for (let r = 1; r < D; r++) for (let c = 0; c < r; c++) pairs.push([c, r]);
  const width = o.width ?? (D === 2 ? 640 : Math.min(900, 170 * D + 90)), height = o.height ?? (D === 2 ? 400 : width);
  const top = o.title ? 38 : 14, m = D === 2 ? { l: 64, r: 16, b: 48 } : { l: 56, r: 12, b: 44 }, gap = D === 2 ? 0 : 8;
  const cols = Math.max(1, D - 1), cw = (width - m.l - m.r - gap * (cols - 1)) / cols, ch = (height - top - m.b - gap * (cols - 1)) / cols;
  const boxOf = ([c, r]: [number, number]): Box => D === 2 ? { x: m.l, y: top, w: width - m.l - m.r, h: height - top - m.b } : { x: m.l + c * (cw + gap), y: top + (r - 1) * (ch + gap), w: cw, h: ch };
  const pointsMode = (t.w?.rows ?? t.n) * pairs.length <= POINTS_MAX;
  const logW = model.weights.map((w) => Math.log(w));
  const rows: LegendRow[] = comps.map((c, j) => ({ swatch: swatchFill(colour(j)), text: `component ${j + 1} (w ${num(model.weights[j])}, mean ${vector(c.mean)})`, colour: colour(j) }));
  rows.push({ swatch: (x, y) => `<path d="M${px(x)},${px(y)}h18" stroke="#555" stroke-width="2"/>`, text: "1σ (solid) and 2σ (dashed) ellipses" });
  let outside = 0, documentHeight = height;
  const grids: Grid2[] = [];
  if (!pointsMode) {
    const per = CELLS / pairs.length;
    for (const [c, r] of pairs) {
      const b = boxOf([c, r]), size = Math.sqrt((b.w * b.h) / per);
      const nx = Math.max(4, Math.round(b.w / size)), ny = Math.max(4, Math.round(b.h / size));
      grids.push({ x: c, y: r, nx, ny, xr: ranges[c], yr: ranges[r], counts: new Float64Array(nx * ny) });
    }
    outside = bin2(t, grids);
    rows.push({ swatch: swatchBar, text: `${sizeText(t, "points")} in ${grids[0].nx} × ${grids[0].ny} cells: darker = more${t.w ? " weight" : ""} (log scale),` });
    rows.push({ swatch: noSwatch, text: "coloured by the most probable component there" });
  } else {
    rows.push({ swatch: (x, y) => `<path d="M${px(x + 9)},${px(y)}h0" stroke="#777" stroke-width="6" stroke-linecap="round"/>`, text: `${sizeText(t, "points")}, coloured by their most probable component` });
    if (t.w) rows.push({ swatch: noSwatch, text: t.w.f === 1 ? "opacity: a point of weight 2 as 2 points on top of each other" : "opacity: a point of twice the mean weight as 2 on top of each other" });
  }
  if (d > 2) rows.push({ swatch: noSwatch, text: d > D ? `2-D projections of the first ${D} of ${d} dimensions` : `2-D projections of the ${d} dimensions` });
  // Points drawn one by one: those of weight > 0 (all, unweighted), their weights (f·w) and predicted components.
  const drawn: number[] = [], weightOf: number[] = [];
  let labels: ArrayLike<number> = [];
  if (pointsMode) {
    for (let i = 0; i < t.n; i++) {
      const wi = t.w ? t.w.f * t.w.w[i] : 1;
      if (wi > 0) { drawn.push(i); weightOf.push(wi); }
    }
    if (drawn.length === t.n) labels = model.predict(data);
    else { // only the points drawn, as a flat array
      const x = new Float64Array(drawn.length * d);
      drawn.forEach((i, q) => { for (let a = 0; a < d; a++) x[q * d + a] = t.at(i, a); });
      labels = model.predict(x);
    }
    for (const i of drawn) for (const [c, r] of pairs) {
      const [x0, x1] = ranges[c], [y0, y1] = ranges[r], x = t.at(i, c), y = t.at(i, r);
      if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) { outside++; break; }
    }
  }
  if (outside > 0) rows.push({ swatch: noSwatch, text: `${count(outside)} point${outside > 1 ? "s" : ""} beyond the axes not drawn` });

  const body: string[] = [];
  let legendAt: [number, number] | undefined;
  pairs.forEach(([c, r], p) => {
    const b = boxOf([c, r]);
    const f = panel(b, ranges[c], ranges[r], {
      x: D === 2 || r === D - 1 ? names[c] : "", y: D === 2 || c === 0 ? names[r] : "",
      small: D > 2, bareX: D > 2 && r !== D - 1, bareY: D > 2 && c !== 0, xTicks: D > 2 ? 4 : 6, yTicks: D > 2 ? 4 : 5,
    });
    const gs = comps.map((comp) => marginal(comp, c, r));
    const inner: string[] = [];
    const inRange = (i: number) => { const x = t.at(i, c), y = t.at(i, r); return x >= ranges[c][0] && x <= ranges[c][1] && y >= ranges[r][0] && y <= ranges[r][1]; };
    // Inside the panel: an ellipse reaching beyond the axes (only a component fitted to far outliers does) is flattened onto the edge.
    const keep = ([a, q]: [number, number]): [number, number] => [Math.min(b.x + b.w, Math.max(b.x, f.sx(a))), Math.min(b.y + b.h, Math.max(b.y, f.sy(q)))];
    if (pointsMode) {
      const rad = D === 2 ? 2.5 : 2;
      // Opacity 1 − 0.45^w: a point of weight w as w points of opacity 0.55 on top of each other (at least 0.05: a light point stays visible).
      const opacity = (wi: number) => (wi === 1 ? "0.55" : Math.max(0.05, 1 - 0.45 ** wi).toFixed(2));
      model.weights.forEach((_, j) => {
        const dots = new Map<string, string>();
        drawn.forEach((i, q) => {
          if (labels[q] !== j || !inRange(i)) return;
          const key = opacity(weightOf[q]);
          dots.set(key, (dots.get(key) ?? "") + `<circle cx="${px(f.sx(t.at(i, c)))}" cy="${px(f.sy(t.at(i, r)))}" r="${rad}"/>`);
        });
        for (const [alpha, g] of [...dots].sort((a, b) => Number(a[0]) - Number(b[0]))) inner.push(`<g fill="${colour(j)}" fill-opacity="${alpha}">${g}</g>`);
      });
    } else {
      const g = grids[p], cmax = g.counts.reduce((a, v) => Math.max(a, v), 0), L = Math.log1p(cmax);
      const cw2 = (g.xr[1] - g.xr[0]) / g.nx, ch2 = (g.yr[1] - g.yr[0]) / g.ny;
      const buckets = new Map<string, string[]>();
      for (let yi = 0; yi < g.ny; yi++) for (let xi = 0; xi < g.nx; xi++) {
        const cnt = g.counts[yi * g.nx + xi];
        if (!(cnt > 0)) continue;
        const level = Math.max(1, Math.ceil((8 * Math.log1p(cnt)) / L));
        const j = dominant(logW, gs, g.xr[0] + (xi + 0.5) * cw2, g.yr[0] + (yi + 0.5) * ch2);
        const x0 = f.sx(g.xr[0] + xi * cw2), x1 = f.sx(g.xr[0] + (xi + 1) * cw2), y0 = f.sy(g.yr[0] + (yi + 1) * ch2), y1 = f.sy(g.yr[0] + yi * ch2);
        const key = `${j},${level}`;
        if (!buckets.has(key)) buckets.set(key, []);
        buckets.get(key)!.push(`M${px(x0)},${px(y0)}H${px(x1)}V${px(y1)}H${px(x0)}z`);
      }
      for (const [key, cells] of buckets) {
        const [j, level] = key.split(",").map(Number);
        inner.push(`<path d="${cells.join("")}" fill="${colour(j)}" fill-opacity="${(0.1 + (0.85 * level) / 8).toFixed(3)}"/>`);
      }
    }
    gs.forEach((g, j) => {
      for (const rr of [2, 1]) {
        const d2 = `${path(ellipse(g, rr).map(keep))}Z`;
        inner.push(`<path d="${d2}" stroke="white" stroke-width="${rr === 1 ? 4.5 : 3.5}" stroke-opacity="0.8" fill="none"/>`);
        inner.push(`<path d="${d2}" fill="none" stroke="${pointsMode ? colour(j) : dark(colour(j))}" stroke-width="${rr === 1 ? 2.2 : 1.4}"${rr === 2 ? ' stroke-dasharray="6,3"' : ""}/>`);
      }
    });
    gs.forEach((g, j) => {
      const x = f.sx(g.m[0]), y = f.sy(g.m[1]);
      if (!(x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h)) return;
      const ink = pointsMode ? colour(j) : dark(colour(j));
      inner.push(`<path d="M${px(x - 5)},${px(y)}h10M${px(x)},${px(y - 5)}v10" stroke="${ink}" stroke-width="2"/>`);
      inner.push(`<text x="${px(x + 7)}" y="${px(y - 7)}" fill="${ink}" font-weight="bold" stroke="white" stroke-width="3" paint-order="stroke">${j + 1}</text>`);
    });
    body.push(inner.join(""), f.axes);
    if (D === 2) {
      const ls = legendSize(rows);
      // The corner whose legend-sized area covers the fewest points (or cells) and ellipse vertices.
      // A right corner no further left than the picture's edge (a legend wider than a narrow panel: its text was cut at the left).
      const right = Math.max(4, b.x + b.w - ls.w - 4);
      const corners: [number, number][] = [[right, b.y + 4], [b.x + 8, b.y + 4], [right, b.y + b.h - ls.h - 4], [b.x + 8, b.y + b.h - ls.h - 4]];
      let all = 0; // the whole drawn content, in cover's units
      const cover = corners.map(([lx, ly]) => {
        const inBox = (x: number, y: number) => x >= lx && x <= lx + ls.w && y >= ly && y <= ly + ls.h;
        let s = 0;
        all = 0;
        if (pointsMode) for (const i of drawn) { all++; if (inBox(f.sx(t.at(i, c)), f.sy(t.at(i, r)))) s++; }
        else {
          const g = grids[p];
          for (let yi = 0; yi < g.ny; yi++) for (let xi = 0; xi < g.nx; xi++) {
            if (!(g.counts[yi * g.nx + xi] > 0)) continue;
            all += Math.log1p(g.counts[yi * g.nx + xi]);
            if (inBox(f.sx(g.xr[0] + ((xi + 0.5) * (g.xr[1] - g.xr[0])) / g.nx), f.sy(g.yr[0] + ((yi + 0.5) * (g.yr[1] - g.yr[0])) / g.ny))) s += Math.log1p(g.counts[yi * g.nx + xi]);
          }
        }
        for (const g of gs) for (const [a, q] of ellipse(g, 2)) { all += 2; if (inBox(f.sx(a), f.sy(q))) s += 2; }
        return s;
      });
      const least = Math.min(...cover);
      legendAt = corners[cover.indexOf(least)];
      // Every corner covers more than 1 % of what is drawn (a panel filled to its edges): the
      // legend goes under the picture, which grows by its height (unless the caller set the height).
      if (least > 0.01 * all && o.height === undefined) {
        legendAt = [Math.max(4, Math.min(b.x, width - ls.w - 4)), height - 4]; // left as far as it must to fit the width
        documentHeight = height + ls.h + 4;
      }
    }
  });
  // d > 2: the legend goes in the empty upper-right triangle, fitted to its width: a component's
  // row without its mean when that is too wide (the crosses show it), other rows wrapped.
  if (!legendAt) legendAt = [m.l + cw + gap + 4, top];
  const room = width - legendAt[0] - 4;
  const shown = D === 2 ? rows : wrapRows(rows.map((r, j) => j < comps.length && legendSize([r]).w > room ? { ...r, text: `component ${j + 1} (w ${num(model.weights[j])})` } : r), room);
  return svgDocument(width, documentHeight, o.title, [...body, legend(shown, legendAt[0], legendAt[1])]);
}

// ---- plotSelection --------------------------------------------------------------------------

/**
 * The criterion against k, the chosen k marked. A selection over several covariance models or
 * families draws mclust's BIC plot instead: one line per model over k, in mclust's sign (2 log L −
 * p log n: higher is better), mclust's model names in the legend, failed or degenerate fits left
 * out (mclust's NA), the chosen (model, k) marked.
 */
export function plotSelection(selection: Selection, options: PlotOptions = {}): string {
  const s = selection as Partial<Selection> | null;
  const criterion = s?.criterion;
  if (typeof s !== "object" || s === null || !Array.isArray(s.scores) || s.scores.length === 0 || (criterion !== "bic" && criterion !== "aic" && criterion !== "icl") || !Number.isInteger(s.k))
    throw optionError("selection", `must be the result of selectK, got ${describe(selection)}`);
  s.scores.forEach((e, i) => {
    if (typeof e !== "object" || e === null || !Number.isInteger(e.k) || typeof e[criterion] !== "number" || !(Number.isFinite(e[criterion]) || e.error === "FAILED"))
      throw optionError(`selection.scores[${i}]`, `must have an integer k and a finite ${criterion}`);
  });
  const o = checked(options, COMMON);
  pairOrDims(o.labels, 2);
  const name = (e: SelectionEntry) => e.mclust ?? e.covariance ?? e.family ?? "";
  const series = [...new Set(s.scores.map(name))];
  if (series.length > 1) return plotModels(s as Selection, series, name, criterion, o);
  const pts = s.scores.filter((e) => Number.isFinite(e[criterion])).map((e) => [e.k, e[criterion]] as [number, number]);
  let lo = Infinity, hi = -Infinity;
  for (const [, v] of pts) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const pad = 0.08 * (hi - lo || Math.max(1, Math.abs(hi)));
  let k0 = Infinity, k1 = -Infinity;
  for (const [k] of pts) { k0 = Math.min(k0, k); k1 = Math.max(k1, k); }
  const width = o.width ?? 640, height = o.height ?? 400;
  const box: Box = { x: MARGIN.l + 10, y: o.title ? 38 : 14, w: 0, h: 0 };
  box.w = width - box.x - MARGIN.r; box.h = height - box.y - MARGIN.b;
  const [xl, yl] = o.labels ?? ["k (components)", `${criterion.toUpperCase()} (lower is better)`];
  const f = panel(box, [k0 - 0.5, k1 + 0.5], [lo - pad, hi + pad], { x: xl, y: yl, integerX: true });
  return svgDocument(width, height, o.title, [
    f.axes,
    `<path d="${path(pts.map(([k, v]) => [f.sx(k), f.sy(v)]))}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    ...pts.map(([k, v]) => `<circle cx="${px(f.sx(k))}" cy="${px(f.sy(v))}" r="${k === s.k ? 6 : 3.5}" fill="${k === s.k ? "#d62728" : "#1f77b4"}"/>`),
    ...pts.filter(([k]) => k === s.k).map(([k, v]) => `<text x="${px(f.sx(k) + 9)}" y="${px(f.sy(v) - 10)}" font-weight="bold">best: k = ${k}</text>`),
  ]);
}

// ---- heat map ------------------------------------------------------------------------------

/** White (0) to dark blue (1): the cell colour of a probability. */
function shade(p: number): string {
  const v = Math.max(0, Math.min(1, p)), c = (a: number, b: number) => Math.round(a + (b - a) * Math.sqrt(v)).toString(16).padStart(2, "0");
  return `#${c(255, 8)}${c(255, 48)}${c(255, 107)}`;
}

/** A column's rows in the heat map: at most this many levels, then one row for the rest. */
const HEATMAP_LEVELS = 40;

/**
 * A column of more than `most` levels (HEATMAP_LEVELS, fewer in a set height): the levels most probable in some component or in
 * the data (the largest of a row's values and share), in their order, then one row summing the rest.
 */
function fewestRows(g: HeatmapTable["groups"][number], most = HEATMAP_LEVELS): HeatmapTable["groups"][number] {
  if (g.rows.length <= most) return g;
  const top = (r: (typeof g.rows)[number]) => Math.max(r.observed, ...r.values);
  const kept = new Set(g.rows.map((r, i) => [top(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, most - 1).map(([, i]) => i));
  const rest = g.rows.filter((_, i) => !kept.has(i));
  const other = { name: `(${rest.length.toLocaleString("en-US")} other levels)`, values: g.rows[0].values.map((_, j) => rest.reduce((s, r) => s + r.values[j], 0)), observed: rest.reduce((s, r) => s + r.observed, 0) };
  return { name: g.name, rows: [...g.rows.filter((_, i) => kept.has(i)), other] };
}

/**
 * A grid: one row per level of every column (past HEATMAP_LEVELS, the most probable and one row for the others) (grouped by column, groups separated by dashed
 * lines), one cell column per component (its number and weight above it, in its colour) and a last
 * one for the data's share of each level; each cell shaded by its probability and labelled with it.
 */
function heatmap(model: Drawn, given: HeatmapTable, o: Checked): string {
  // Rows a group may show: HEATMAP_LEVELS, or what a set height holds at 12 px a row (a panel of an independent model).
  const room = o.height === undefined ? Infinity : (o.height - (o.title ? 38 : 14) - 34 - 12 - given.groups.length * 26) / 12 / given.groups.length;
  const table = { groups: given.groups.map((g) => fewestRows(g, Math.max(3, Math.min(HEATMAP_LEVELS, Math.floor(room))))) };
  const k = model.k, rows = table.groups.reduce((s, g) => s + g.rows.length, 0);
  const cell = { w: Math.max(44, Math.min(90, 560 / (k + 1))), h: Math.max(6, Math.min(22, 1800 / Math.max(rows, 1))) };
  const labelW = 12 + 6.4 * Math.min(40, Math.max(8, ...table.groups.flatMap((g) => [g.name.length, ...g.rows.map((r) => r.name.length + 2)])));
  const top = (o.title ? 38 : 14) + 34, gap = 10;
  const width = o.width ?? Math.ceil(labelW + (k + 1) * cell.w + 24);
  const height = o.height ?? Math.ceil(top + rows * cell.h + table.groups.length * (gap + 16) + 12);
  const cw = Math.max(20, (width - labelW - 24) / (k + 1));
  const ch = Math.max(4, (height - top - 12 - table.groups.length * (gap + 16)) / Math.max(rows, 1));
  const fs = ch >= 14 ? 11 : ch >= 10 ? 9 : 0;
  const body: string[] = [];
  const x0 = labelW;
  for (let j = 0; j <= k; j++) {
    const cx = x0 + (j + 0.5) * cw, head = j < k ? `${j + 1}` : "data", sub = j < k ? `w ${num(model.weights[j])}` : "share";
    body.push(`<text x="${px(cx)}" y="${px(top - 20)}" text-anchor="middle" font-weight="bold"${j < k ? ` fill="${colour(j)}"` : ""}>${esc(head)}</text>`,
      `<text x="${px(cx)}" y="${px(top - 6)}" text-anchor="middle" font-size="10" fill="#555">${esc(sub)}</text>`);
  }
  let y = top;
  table.groups.forEach((g, gi) => {
    if (gi > 0) body.push(`<path d="M${px(8)},${px(y + gap / 2)}H${px(x0 + (k + 1) * cw)}" stroke="#999" stroke-dasharray="4 3"/>`);
    y += gi > 0 ? gap : 0;
    body.push(`<text x="8" y="${px(y + 12)}" font-weight="bold">${esc(g.name)}</text>`);
    y += 16;
    for (const r of g.rows) {
      body.push(`<text x="20" y="${px(y + ch / 2 + 4)}" font-size="${fs || 9}">${esc(r.name)}</text>`);
      [...r.values, r.observed].forEach((p, j) => {
        const x = x0 + j * cw;
        body.push(`<rect x="${px(x)}" y="${px(y)}" width="${px(cw - 1)}" height="${px(ch - 1)}" fill="${shade(p)}"><title>${esc(`${g.name} = ${r.name}, ${j < k ? `component ${j + 1}` : "data"}: ${num(p)}`)}</title></rect>`);
        if (fs) body.push(`<text x="${px(x + cw / 2)}" y="${px(y + ch / 2 + fs / 2 - 1)}" text-anchor="middle" font-size="${fs}" fill="${p > 0.45 ? "white" : "#222"}">${num(p)}</text>`);
      });
      y += ch;
    }
  });
  return svgDocument(width, height, o.title, body);
}

/** mclust's plot of a selection over models: one line per model (mclust's sign), a legend, the best marked. */
function plotModels(s: Selection, series: string[], name: (e: SelectionEntry) => string, criterion: "bic" | "aic" | "icl", o: Checked): string {
  const best = s.scores.find((e) => e.model === s.best)!;
  const lines = series.map((m) => s.scores.filter((e) => name(e) === m && !e.error && Number.isFinite(e[criterion])).map((e) => [e.k, -e[criterion]] as [number, number]));
  let lo = Infinity, hi = -Infinity, k0 = Infinity, k1 = -Infinity;
  for (const line of lines) for (const [k, v] of line) { lo = Math.min(lo, v); hi = Math.max(hi, v); k0 = Math.min(k0, k); k1 = Math.max(k1, k); }
  if (!Number.isFinite(lo)) throw optionError("selection", "has no sound fit to draw");
  const pad = 0.08 * (hi - lo || Math.max(1, Math.abs(hi)));
  const width = o.width ?? 640, height = o.height ?? 400;
  // Past the palette's 8 colours (mclust has 14 models) a colour comes back dashed: no two lines alike.
  const dash = (i: number) => (i >= PALETTE.length ? ' stroke-dasharray="5,3"' : "");
  const rows: LegendRow[] = series.map((m, i) => ({ text: m, colour: colour(i), swatch: (x, y) => `<path d="M${px(x)} ${px(y)}h18" stroke="${colour(i)}" stroke-width="2"${dash(i)}/>` }));
  const size = legendSize(rows);
  const box: Box = { x: MARGIN.l + 10, y: o.title ? 38 : 14, w: 0, h: 0 };
  box.w = width - box.x - MARGIN.r - size.w - 8; box.h = height - box.y - MARGIN.b;
  const [xl, yl] = o.labels ?? ["k (components)", `${criterion.toUpperCase()} (mclust's sign: higher is better)`];
  const f = panel(box, [k0 - 0.5, k1 + 0.5], [lo - pad, hi + pad], { x: xl, y: yl, integerX: true });
  return svgDocument(width, height, o.title, [
    f.axes,
    ...lines.flatMap((line, i) => line.length === 0 ? [] : [
      `<path d="${path(line.map(([k, v]) => [f.sx(k), f.sy(v)]))}" fill="none" stroke="${colour(i)}" stroke-width="1.5"${dash(i)}/>`,
      ...line.map(([k, v]) => `<circle cx="${px(f.sx(k))}" cy="${px(f.sy(v))}" r="2.5" fill="${colour(i)}"/>`),
    ]),
    `<circle cx="${px(f.sx(best.k))}" cy="${px(f.sy(-best[criterion]))}" r="6" fill="none" stroke="#d62728" stroke-width="2"/>`,
    `<text x="${px(f.sx(best.k) + 9)}" y="${px(f.sy(-best[criterion]) - 10)}" font-weight="bold">best: ${esc(name(best))}, k = ${best.k}</text>`,
    legend(rows, box.x + box.w + 8, box.y),
  ]);
}
