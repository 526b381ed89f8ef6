// Arrow text columns (Dictionary vectors of strings) as categorical columns: loaded only with the
// categorical and independent families (Family.arrowText), so the other families' bundles lack it.
import { dataError, optionError } from "../errors.js";
import { guard, isDictionary, isValid, reader, type ArrowTypeLike, type Column } from "../arrow.js";

/**
 * A Dictionary column of strings as categorical codes (col.codes: per chunk, row → code): its
 * levels `given`, or the strings its non-null rows use, sorted (as rows of strings); returns them.
 */
function encode(col: Column, given: readonly string[] | undefined, path: string): string[] {
  const used = guard(path, () => col.chunks.map((chunk) => {
    const index = reader({ ...chunk, type: (chunk.type as { indices?: ArrowTypeLike }).indices ?? chunk.type }, col.name, path), seen = new Map<number, unknown>();
    for (let i = 0; i < chunk.length; i++) if (isValid(chunk, i)) { const j = index(i); if (!seen.has(j)) seen.set(j, (chunk as { dictionary?: { get(j: number): unknown } }).dictionary?.get(j)); }
    return { index, seen };
  }));
  const names = given ? [...given] : [...new Set(used.flatMap((u) => [...u.seen.values()]))].sort() as string[];
  const code = new Map(names.map((s, l) => [s, l]));
  col.codes = used.map(({ index, seen }) => {
    const codes = new Map([...seen].map(([j, s]) => {
      const c = code.get(s as string);
      if (typeof s !== "string" || c === undefined) throw dataError(path, `column "${col.name}" holds ${JSON.stringify(s)}, not ${given ? `one of its levels (${names.join(", ")})` : "a string"}`);
      return [j, c];
    }));
    return (i) => codes.get(index(i)) ?? NaN;
  });
  return (col.levels = names);
}

/**
 * Dictionary columns of strings as categorical level names (encode): independent's categorical
 * columns, their names set in options.columns[a].levels; categorical's, in options.levels (per
 * column). Other columns stay unread: "not numbers".
 */
export function dictionaryLevels(columns: Column[], options: Record<string, unknown>, all: boolean, path: string) {
  const names = (col: Column, v: unknown, where: string) => {
    if (typeof v === "number") throw optionError(where, `is a count of levels; Arrow column "${col.name}" holds strings: give level names`);
    return encode(col, v as string[] | undefined, path);
  };
  if (!all) {
    const given = options.levels;
    if (Array.isArray(given) && given.length !== columns.length) throw optionError("options.levels", `has ${given.length} entries; the data has ${columns.length} columns`);
    options.levels = columns.map((col, a) => {
      const v = Array.isArray(given) ? given[a] : given;
      if (isDictionary(col)) return names(col, v, "options.levels");
      // A column of codes beside: its levels as rows would derive them (the largest code + 1).
      return v ?? guard(path, () => Math.ceil(col.chunks.reduce((m, chunk) => {
        const read = reader(chunk, col.name, path);
        for (let i = 0; i < chunk.length; i++) if (isValid(chunk, i) && read(i) >= m) m = read(i) + 1;
        return m;
      }, 1)));
    });
    return;
  }
  const data = options.columnData as Record<string, unknown>[] | undefined;
  options.columns = (options.columns as Record<string, unknown>[] | undefined)?.map((c, a) => {
    if (!isDictionary(columns[a]) || c?.family !== "categorical") return c;
    const v = c.levels ?? data?.[a]?.levels; // a column's levels: a count, or [its names]
    return { ...c, levels: [names(columns[a], Array.isArray(v) ? v[0] : v, `options.columns[${a}].levels`)] };
  });
}
