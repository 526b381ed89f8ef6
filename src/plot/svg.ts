// SVG building blocks for the pictures: escaping, number formats, ticks, panels (axes that map data
// to pixels), legends and the document. Every string from outside (titles, axis titles) goes
// through `esc`; every number written is finite (the callers check their data and options).

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
export const colour = (j: number) => PALETTE[j % PALETTE.length];

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
/** Text or attribute content: markup characters escaped, characters XML 1.0 forbids dropped. */
// eslint-disable-next-line no-control-regex
export const esc = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "").replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** A number for a label: 4 significant digits, exponent form when very large or small. */
export const num = (v: number) => (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2).replace(/\.?0+e/, "e") : String(Number(v.toPrecision(4))));
/** A pixel coordinate (1 decimal: enough for the eye, short in the file). */
export const px = (v: number) => String(Math.round(v * 10) / 10);

/** About `count` round tick values covering [lo, hi] (at most 2·count + 2, whatever the range's magnitude). */
export function ticks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const first = Math.ceil(lo / step), out: number[] = [];
  for (let i = 0; i <= 2 * count + 1; i++) {
    const t = Number(((first + i) * step).toPrecision(12));
    if (t > hi + step * 1e-9) break;
    if (out.length === 0 || t > out[out.length - 1]) out.push(t);
  }
  return out;
}

export interface Box { x: number; y: number; w: number; h: number }

export interface AxisText {
  /** Axis titles, or "" for none. */
  x: string;
  y: string;
  xTicks?: number;
  yTicks?: number;
  /** Smaller tick labels for small panels. */
  small?: boolean;
  /** Tick marks without their numbers (inner panels of a pairs plot). */
  bareX?: boolean;
  bareY?: boolean;
  /** Whole numbers only on the x axis (counts). */
  integerX?: boolean;
}

/** A panel: maps data coordinates in xr × yr to the pixel box and draws its axes. */
export function panel(box: Box, xr: [number, number], yr: [number, number], t: AxisText) {
  const sx = (v: number) => box.x + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * box.w;
  const sy = (v: number) => box.y + box.h - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * box.h;
  const bottom = box.y + box.h, fs = t.small ? ' font-size="10"' : "";
  const inside = (p: number, a: number, b: number) => p >= a - 0.5 && p <= b + 0.5;
  const axes = [
    `<path d="M${px(box.x)},${px(box.y)}V${px(bottom)}H${px(box.x + box.w)}" fill="none" stroke="#333"/>`,
    ...ticks(xr[0], xr[1], t.xTicks ?? 6).filter((v) => inside(sx(v), box.x, box.x + box.w) && (!t.integerX || Number.isInteger(v))).map((v) =>
      `<path d="M${px(sx(v))},${px(bottom)}v5" stroke="#333"/>` + (t.bareX ? "" : `<text x="${px(sx(v))}" y="${px(bottom + 17)}" text-anchor="middle"${fs}>${num(v)}</text>`)),
    ...ticks(yr[0], yr[1], t.yTicks ?? 5).filter((v) => inside(sy(v), box.y, bottom)).map((v) =>
      `<path d="M${px(box.x - 5)},${px(sy(v))}h5" stroke="#333"/>` + (t.bareY ? "" : `<text x="${px(box.x - 8)}" y="${px(sy(v) + 4)}" text-anchor="end"${fs}>${num(v)}</text>`)),
    t.x ? `<text x="${px(box.x + box.w / 2)}" y="${px(bottom + (t.small ? 30 : 34))}" text-anchor="middle">${esc(t.x)}</text>` : "",
    t.y ? `<text transform="translate(${px(box.x - (t.small ? 38 : 46))} ${px(box.y + box.h / 2)}) rotate(-90)" text-anchor="middle">${esc(t.y)}</text>` : "",
  ];
  return { sx, sy, axes: axes.join(""), box };
}

export const path = (pts: [number, number][]) => pts.map(([a, b], i) => `${i ? "L" : "M"}${px(a)},${px(b)}`).join("");

/** One legend row: a swatch (drawn by the caller at x, y-centre) and a line of text. */
export interface LegendRow {
  swatch: (x: number, y: number) => string;
  text: string;
  colour?: string;
}

/** Approximate width of `s` at the legend's 11 px sans-serif. */
const textWidth = (s: string) => s.length * 6.2;

/** The legend's size for these rows. */
export function legendSize(rows: LegendRow[]) {
  return { w: Math.max(...rows.map((r) => textWidth(r.text)), 40) + 36, h: rows.length * 16 + 8 };
}

/**
 * The rows with every text wider than a legend of width `maxW` allows broken at spaces into
 * continuation rows (no swatch, the same colour); a single word wider than that stays whole.
 */
export function wrapRows(rows: LegendRow[], maxW: number): LegendRow[] {
  const room = maxW - 36; // legendSize: the text's width + 36
  const out: LegendRow[] = [];
  for (const r of rows) {
    if (textWidth(r.text) <= room) { out.push(r); continue; }
    const lines: string[] = [];
    let line = "";
    for (const word of r.text.split(" ")) {
      const next = line ? `${line} ${word}` : word;
      if (line && textWidth(next) > room) { lines.push(line); line = word; } else line = next;
    }
    lines.push(line);
    lines.forEach((text, i) => out.push({ swatch: i === 0 ? r.swatch : () => "", text, ...(r.colour ? { colour: r.colour } : {}) }));
  }
  return out;
}

/** A legend box with its top-left corner at (x, y), on a translucent white ground. */
export function legend(rows: LegendRow[], x: number, y: number): string {
  const { w, h } = legendSize(rows);
  return `<g font-size="11"><rect x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${px(h)}" fill="white" fill-opacity="0.88" stroke="#bbb"/>` +
    rows.map((r, i) => {
      const cy = y + 12 + i * 16;
      return r.swatch(x + 6, cy) + `<text x="${px(x + 30)}" y="${px(cy + 4)}"${r.colour ? ` fill="${r.colour}"` : ""}>${esc(r.text)}</text>`;
    }).join("") + "</g>";
}

/** The whole document: white ground, the title, the body. */
export function svgDocument(width: number, height: number, title: string | undefined, body: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" font-family="sans-serif" font-size="12">` +
    `<rect width="${px(width)}" height="${px(height)}" fill="white"/>` +
    (title ? `<text x="${px(width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>` : "") +
    body.join("") + "</svg>\n";
}
