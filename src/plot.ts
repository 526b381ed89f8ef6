// SVG pictures of a fit, as strings (no DOM needed: the CLI writes them, the demo page shows them).
//   plotFit: as the family's `plot` says — "density": histogram of the data, the mixture density and
//            each weighted component; "counts": bars of the counts' proportions with the
//            probabilities; "scatter" (mvgaussian): points coloured by predicted component, each
//            Gaussian's 1σ and 2σ ellipse.
//   plotSelection: the criterion against k, the best k marked.
import type { MixtureModel } from "./model.js";
import type { ModelData } from "./types.js";
import type { Selection } from "./select.js";
import type { PlotDensity } from "./family.js";
import { familyOf } from "./families/index.js";
import { checkOptions, integer } from "./options.js";
import { optionError } from "./errors.js";
import { symmetricEigen } from "./linalg.js";

export interface PlotOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Binomial: trials of the data (defaults to the model's constant trials). */
  trials?: number;
  /** Axis titles (2-D: the two columns' names). */
  labels?: [string, string];
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const colour = (j: number) => PALETTE[j % PALETTE.length];
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const num = (v: number) => (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

/** About `count` round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** A chart frame: maps data coordinates to pixels and draws the axes. */
function frame(o: PlotOptions, x: [number, number], y: [number, number], labels: [string, string]) {
  const width = o.width ?? 640, height = o.height ?? 400, m = { l: 60, r: 20, t: o.title ? 36 : 16, b: 44 };
  const sx = (v: number) => m.l + ((v - x[0]) / (x[1] - x[0] || 1)) * (width - m.l - m.r);
  const sy = (v: number) => height - m.b - ((v - y[0]) / (y[1] - y[0] || 1)) * (height - m.t - m.b);
  const axis = [
    `<line x1="${m.l}" y1="${height - m.b}" x2="${width - m.r}" y2="${height - m.b}" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${height - m.b}" stroke="#333"/>`,
    ...ticks(x[0], x[1]).map((t) => `<line x1="${sx(t)}" y1="${height - m.b}" x2="${sx(t)}" y2="${height - m.b + 5}" stroke="#333"/><text x="${sx(t)}" y="${height - m.b + 18}" text-anchor="middle">${num(t)}</text>`),
    ...ticks(y[0], y[1], 5).map((t) => `<line x1="${m.l - 5}" y1="${sy(t)}" x2="${m.l}" y2="${sy(t)}" stroke="#333"/><text x="${m.l - 8}" y="${sy(t) + 4}" text-anchor="end">${num(t)}</text>`),
    `<text x="${(m.l + width - m.r) / 2}" y="${height - 8}" text-anchor="middle">${esc(labels[0])}</text>`,
    `<text transform="translate(14 ${(m.t + height - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(labels[1])}</text>`,
    o.title ? `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>` : "",
  ];
  const svg = (body: string[]) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">` +
    `<rect width="${width}" height="${height}" fill="white"/>${body.join("")}${axis.join("")}</svg>\n`;
  return { sx, sy, svg };
}

const path = (pts: [number, number][]) => pts.map(([a, b], i) => `${i ? "L" : "M"}${a.toFixed(2)},${b.toFixed(2)}`).join("");

/** A picture of the fitted model over its data (how, the family says: see Family.plot). */
export function plotFit(model: MixtureModel, data: ModelData, options: PlotOptions = {}): string {
  const plot = familyOf(model.family)!.plot;
  if (plot.kind === "none") throw optionError("model.family", plot.why);
  if (plot.kind === "scatter") return scatter(model, data as ArrayLike<ArrayLike<number>> | ArrayLike<number>, options);
  const { trials } = checkOptions({ trials: options.trials }, { trials: integer(1) });
  const merged: Record<string, unknown> = { ...model.settings };
  if (trials !== undefined) merged.trials = trials;
  const density = model.spec.plotDensity!(merged);
  const x = Array.from(data as ArrayLike<number>);
  return plot.kind === "density" ? histogram(model, density, x, options) : counts(model, density, plot.axis, x, options);
}

/** The mixture's and each weighted component's density at v. */
const mixture = (model: MixtureModel, density: PlotDensity, v: number) =>
  model.weights.map((w, j) => w * Math.exp(density.logDensity(model.theta, j, v)));

function histogram(model: MixtureModel, density: PlotDensity, x: number[], o: PlotOptions): string {
  const lo = Math.min(...x), hi = Math.max(...x), n = x.length;
  const bins = Math.max(5, Math.min(60, Math.ceil(Math.sqrt(n))));
  const width = (hi - lo) / bins || 1;
  const height = new Array<number>(bins).fill(0);
  for (const v of x) height[Math.min(bins - 1, Math.floor((v - lo) / width))] += 1 / (n * width);
  const pad = 0.05 * (hi - lo || 1);
  const grid = Array.from({ length: 301 }, (_, i) => lo - pad + (i / 300) * (hi - lo + 2 * pad));
  const parts = grid.map((v) => mixture(model, density, v));
  const mix = parts.map((p) => p.reduce((s, v) => s + v, 0));
  const top = Math.max(...height, ...mix) * 1.08;
  const f = frame(o, [lo - pad, hi + pad], [0, top], o.labels ?? ["value", "density"]);
  return f.svg([
    ...height.map((h, b) => `<rect x="${f.sx(lo + b * width)}" y="${f.sy(h)}" width="${Math.max(0, f.sx(lo + (b + 1) * width) - f.sx(lo + b * width) - 1)}" height="${f.sy(0) - f.sy(h)}" fill="#ccc"/>`),
    ...model.weights.map((_, j) => `<path d="${path(grid.map((v, i) => [f.sx(v), f.sy(parts[i][j])]))}" fill="none" stroke="${colour(j)}" stroke-width="1.5" stroke-dasharray="5,3"/>`),
    `<path d="${path(grid.map((v, i) => [f.sx(v), f.sy(mix[i])]))}" fill="none" stroke="#000" stroke-width="2"/>`,
  ]);
}

function counts(model: MixtureModel, density: PlotDensity, axis: string, x: number[], o: PlotOptions): string {
  const hi = Math.max(...x, density.upTo!(model.theta, model.k));
  const n = x.length, freq = new Array<number>(hi + 1).fill(0);
  for (const v of x) if (v <= hi) freq[v] += 1 / n;
  const values = Array.from({ length: hi + 1 }, (_, v) => v);
  const parts = values.map((v) => mixture(model, density, v));
  const mix = parts.map((p) => p.reduce((s, v) => s + v, 0));
  const top = Math.max(...freq, ...mix) * 1.08;
  const f = frame(o, [-0.5, hi + 0.5], [0, top], [axis, "proportion"]);
  const bar = Math.max(1, f.sx(0.5) - f.sx(-0.3));
  return f.svg([
    ...freq.map((p, v) => `<rect x="${f.sx(v) - bar / 2}" y="${f.sy(p)}" width="${bar}" height="${f.sy(0) - f.sy(p)}" fill="#ccc"/>`),
    ...model.weights.map((_, j) => `<path d="${path(values.map((v, i) => [f.sx(v), f.sy(parts[i][j])]))}" fill="none" stroke="${colour(j)}" stroke-width="1.5" stroke-dasharray="5,3"/>`),
    `<path d="${path(values.map((v, i) => [f.sx(v), f.sy(mix[i])]))}" fill="none" stroke="#000" stroke-width="2"/>`,
    ...values.map((v, i) => `<circle cx="${f.sx(v)}" cy="${f.sy(mix[i])}" r="2.5" fill="#000"/>`),
  ]);
}

function scatter(model: MixtureModel, data: ArrayLike<ArrayLike<number>> | ArrayLike<number>, o: PlotOptions): string {
  const d = model.dims;
  if (d < 2) throw optionError("model.dims", "a scatter plot needs at least 2 dimensions");
  const flat = typeof (data as ArrayLike<unknown>)[0] === "number";
  const n = flat ? (data as ArrayLike<number>).length / d : (data as ArrayLike<ArrayLike<number>>).length;
  const at = (i: number, a: number) => (flat ? (data as ArrayLike<number>)[i * d + a] : (data as ArrayLike<ArrayLike<number>>)[i][a]);
  const xs = Array.from({ length: n }, (_, i) => at(i, 0)), ys = Array.from({ length: n }, (_, i) => at(i, 1));
  const labels = model.predict(data as never);
  const comps = model.components as { mean: number[]; covariance: number[][] }[];
  // Ellipse of a 2 × 2 covariance at r standard deviations: the eigenvectors scaled by r·√λ.
  const ellipse = (c: { mean: number[]; covariance: number[][] }, r: number): [number, number][] => {
    const { values, vectors } = symmetricEigen([c.covariance[0][0], c.covariance[0][1], c.covariance[1][0], c.covariance[1][1]], 2);
    return Array.from({ length: 73 }, (_, i) => {
      const t = (i / 72) * 2 * Math.PI, u = r * Math.sqrt(Math.max(values[0], 0)) * Math.cos(t), v = r * Math.sqrt(Math.max(values[1], 0)) * Math.sin(t);
      return [c.mean[0] + vectors[0] * u + vectors[1] * v, c.mean[1] + vectors[2] * u + vectors[3] * v];
    });
  };
  const shapes = comps.flatMap((c) => [ellipse(c, 1), ellipse(c, 2)]);
  const all = [...xs, ...shapes.flat().map((p) => p[0])], allY = [...ys, ...shapes.flat().map((p) => p[1])];
  const [x0, x1, y0, y1] = [Math.min(...all), Math.max(...all), Math.min(...allY), Math.max(...allY)];
  const px = 0.03 * (x1 - x0 || 1), py = 0.03 * (y1 - y0 || 1);
  const f = frame(o, [x0 - px, x1 + px], [y0 - py, y1 + py], o.labels ?? ["dimension 1", "dimension 2"]);
  return f.svg([
    ...xs.map((v, i) => `<circle cx="${f.sx(v).toFixed(1)}" cy="${f.sy(ys[i]).toFixed(1)}" r="2.5" fill="${colour(labels[i])}" fill-opacity="0.6"/>`),
    ...comps.flatMap((c, j) => [1, 2].map((r) => `<path d="${path(ellipse(c, r).map(([a, b]) => [f.sx(a), f.sy(b)]))}Z" fill="none" stroke="${colour(j)}" stroke-width="${r === 1 ? 2 : 1.2}"${r === 2 ? ' stroke-dasharray="5,3"' : ""}/>`)),
    ...comps.map((c, j) => `<text x="${f.sx(c.mean[0]) + 6}" y="${f.sy(c.mean[1]) - 6}" fill="${colour(j)}" font-weight="bold">${j + 1}</text>`),
  ]);
}

/** The criterion against k, the chosen k marked. */
export function plotSelection(selection: Selection, options: PlotOptions = {}): string {
  const pts = selection.scores.map((e) => [e.k, e[selection.criterion]] as [number, number]);
  const ys = pts.map((p) => p[1]);
  const lo = Math.min(...ys), hi = Math.max(...ys), pad = 0.08 * (hi - lo || 1);
  const k0 = pts[0][0], k1 = pts[pts.length - 1][0];
  const f = frame(options, [k0 - 0.5, k1 + 0.5], [lo - pad, hi + pad], ["k (components)", `${selection.criterion.toUpperCase()} (lower is better)`]);
  return f.svg([
    `<path d="${path(pts.map(([k, v]) => [f.sx(k), f.sy(v)]))}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    ...pts.map(([k, v]) => `<circle cx="${f.sx(k)}" cy="${f.sy(v)}" r="${k === selection.k ? 6 : 3.5}" fill="${k === selection.k ? "#d62728" : "#1f77b4"}"/>`),
  ]);
}
