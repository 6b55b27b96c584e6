/**
 * Option checking with "did you mean": the signatures of `checkKeys`/`closest` in
 * `@debugpanel/model`'s options.ts, kept here only until that module is on main (then this file
 * goes and options.ts imports the model's).
 */
export type Check = (value: unknown, name: string) => string | undefined;
export type Schema = Readonly<Record<string, Check>>;

export function checkKeys(obj: object, schema: Schema, where: string, prefix = '', ErrorClass: new (m: string) => Error = TypeError): void {
  for (const key of Object.keys(obj)) {
    const check = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (check === undefined) {
      const known = Object.keys(schema);
      const guess = closest(key, known);
      const hint = guess !== undefined ? `did you mean "${prefix}${guess}"?` : `known options: ${known.map((k) => prefix + k).join(', ')}`;
      throw new ErrorClass(`${where}: unknown option "${prefix}${key}"; ${hint}`);
    }
    const value = (obj as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const problem = check(value, prefix + key);
    if (problem !== undefined) throw new ErrorClass(`${where}: ${problem}`);
  }
}

/** The known name within a few edits of `key` (case-insensitive), if any. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
