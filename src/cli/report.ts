// The CLI's output: a model as a table of its components and its fit summary.
import type { MixtureModel } from "../index.js";
import { familyOf } from "../families/index.js";
import { aic, bic } from "../criteria.js";

const fmt = (v: number) => (Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : v.toFixed(4));

const fmtList = (v: number[]) => `[${v.map(fmt).join(", ")}]`;

/** A number, a list, a list of lists, or an object of them, on one line. */
const show = (v: unknown): string =>
  typeof v === "number" ? fmt(v)
    : Array.isArray(v) ? (typeof v[0] === "number" ? fmtList(v as number[]) : `[${v.map(show).join(", ")}]`)
    : typeof v === "object" && v !== null ? Object.entries(v).map(([k, x]) => `${k} ${show(x)}`).join(", ")
    : String(v);

export function table(model: MixtureModel, where: string): string {
  if (familyOf(model.family)!.shape === "rows") return multiTable(model, where);
  // One row per component, a column per parameter (and the sd or scale beside a variance); rows in increasing
  // order of the first parameter (the mean, the rate, the probability), numbered as the model's
  // components, from 1.
  const names = Object.keys(model.components[0]);
  // √variance: the sd, or for a Student t (a dof beside it) the scale.
  const extra = names.includes("variance") ? [names.includes("dof") ? "scale" : "sd"] : [];
  const header = ["component", "weight", ...names, ...extra];
  const rows = model.components.map((c, j) => {
    const values = c as unknown as Record<string, number>;
    const vals = names.map((n) => fmt(values[n]));
    if (extra.length) vals.push(fmt(Math.sqrt(values.variance)));
    return { at: values[names[0]], cells: [String(j + 1), fmt(model.weights[j]), ...vals] };
  }).sort((a, b) => a.at - b.at).map((r) => r.cells);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [
    `mixem: ${model.family} mixture, k = ${model.k}, ${model.nObservations} values${model.nMissing ? ` (${model.nMissing} missing left out)` : ""} (${where})`,
    "",
    line(header),
    ...rows.map(line),
    "",
    ...summary(model),
  ].join("\n");
}

/** BIC and AIC from the fit's own log-likelihood (at the returned parameters) and size. */
export function criteria(model: MixtureModel) {
  return { bic: bic(model.logLikelihood, model.nParameters, model.nObservations), aic: aic(model.logLikelihood, model.nParameters) };
}

function summary(model: MixtureModel): string[] {
  const { bic, aic } = criteria(model);
  const lines = [
    `log-likelihood  ${model.logLikelihood.toFixed(4)}`,
    ...(model.logPosterior === undefined ? [] : [`log-posterior   ${model.logPosterior.toFixed(4)}`]),
    ...(model.objective === model.logLikelihood ? [] : [`objective       ${model.objective.toFixed(4)} (labelled rows at their component)`]),
    `BIC             ${bic.toFixed(4)}`,
    `AIC             ${aic.toFixed(4)}`,
    `iterations      ${model.iterations} (${model.converged ? "converged" : `not converged: ${model.stopReason}`}), ${model.passes} passes over the data`,
    // model.warnings, with the table's component numbers (1 …; the API's are 0 …).
    ...model.warnings.map((w) => `warning         ${w.code}, component ${w.component + 1}: ${w.message.replace(/^component \d+: /, "")}`),
  ];
  return lines;
}

/** A fitted model's level names per column (its `levels`, or each column's in an independent model), or undefined when it has none. */
export function storedLevelNames(model: MixtureModel): (string[] | undefined)[] | undefined {
  const s = model.settings as Record<string, unknown>;
  const per = Array.isArray(s.levels) ? (s.levels as unknown[]) : Array.isArray(s.columnData) ? (s.columnData as Record<string, unknown>[]).map((c) => (Array.isArray(c?.levels) && c.levels.length === 1 ? c.levels[0] : undefined)) : undefined;
  if (!per) return undefined;
  const names = per.map((l) => (Array.isArray(l) && l.every((v) => typeof v === "string") ? (l as string[]) : undefined));
  return names.some(Boolean) ? names : undefined;
}

/** A column's levels in the table: past this many, the most probable and a sum of the others. */
const TABLE_LEVELS = 20;

/**
 * One column's level probabilities, each beside its level's name when the column has names; past
 * TABLE_LEVELS levels (named or coded), the TABLE_LEVELS − 1 most probable and the others' sum.
 */
const showLevels = (p: unknown, names: string[] | undefined) => {
  if (!Array.isArray(p) || (names && p.length !== names.length)) return show(p);
  if (p.length > TABLE_LEVELS) {
    const top = Array.from(p.keys()).sort((a, b) => (p[b] as number) - (p[a] as number) || a - b).slice(0, TABLE_LEVELS - 1);
    const rest = p.reduce((s: number, v: number, l: number) => (top.includes(l) ? s : s + v), 0);
    return `${top.map((l) => `${names ? names[l] : l} ${fmt(p[l] as number)}`).join(", ")}, … ${(p.length - top.length).toLocaleString("en-US")} more levels (Σ ${fmt(rest)})`;
  }
  return names ? names.map((n, l) => `${n} ${fmt(p[l] as number)}`).join(", ") : show(p);
};

/** Per column, its number of levels when the model stores one (categorical columns of codes), else undefined. */
function storedLevelCounts(model: MixtureModel): (number | undefined)[] {
  const s = model.settings as Record<string, unknown>;
  const per = Array.isArray(s.levels) ? (s.levels as unknown[]) : Array.isArray(s.columnData) ? (s.columnData as Record<string, unknown>[]).map((c) => (Array.isArray(c?.levels) && c.levels.length === 1 ? c.levels[0] : undefined)) : [];
  return per.map((l) => (typeof l === "number" ? l : Array.isArray(l) ? l.length : undefined));
}

function multiTable(model: MixtureModel, where: string): string {
  const levels = storedLevelNames(model), counts = storedLevelCounts(model);
  const detail = (settings: MixtureModel["settings"]) => (settings.covariance ? `, ${settings.covariance} covariance` : "");
  const out = [`mixem: ${model.family} mixture${detail(model.settings)}, k = ${model.k}, ${model.nObservations} rows × ${model.dims}${model.nMissing ? `, ${model.nMissing} missing values` : ""} (${where})`, ""];
  // Each parameter of each component: a vector on its line, a matrix over several.
  model.components.forEach((c, j) => {
    out.push(`component ${j + 1}  weight ${fmt(model.weights[j])}`);
    for (const [name, value] of Object.entries(c as unknown as Record<string, unknown>)) {
      if (typeof value === "number") { out.push(`  ${name.padEnd(12)}${fmt(value)}`); continue; } // a scalar parameter (mvt: dof)
      // A list of objects (a component made of parts, one per column): one part per line.
      const list = value as unknown[];
      const rows = Array.isArray(list[0]) || typeof list[0] === "object" ? list : [list];
      // Level probabilities (a column's list, or a column's { p: [list] } in a model of columns) by name.
      const isLevels = (p: unknown, a: number) => Array.isArray(p) && counts[a] !== undefined && p.length === counts[a]; // a column's p
      const line = (row: unknown, a: number) =>
        !levels?.[a] && !isLevels(row, a) && !(typeof row === "object" && row !== null && !Array.isArray(row) && isLevels((row as { p?: unknown[] }).p?.[0], a)) ? show(row)
          : Array.isArray(row) ? showLevels(row, levels?.[a])
          : Object.entries(row as Record<string, unknown>).map(([k, x]) => `${k} ${Array.isArray(x) && x.length === 1 ? `[${showLevels(x[0], levels?.[a])}]` : show(x)}`).join(", ");
      rows.forEach((row, a) => out.push(`  ${a === 0 ? name.padEnd(12) : " ".repeat(12)}${line(row, a)}`));
    }
  });
  return [...out, "", ...summary(model)].join("\n");
}

