/**
 * Option checking for every debugpanel entry point: options are validated once, when a panel,
 * store or sampler is created, and a mistake throws a message that says what to write instead
 * ("unknown option "tokn"; did you mean "token"?"), never a failure on a later request.
 */

/** Checks one value: returns what is wrong with it (a sentence starting with `name`), or undefined. */
export type Check = (value: unknown, name: string) => string | undefined;

/** The options an entry point accepts, each with its check. */
export type Schema = Readonly<Record<string, Check>>;

/** The error class an entry point throws for bad options (TypeError, RangeError or its own). */
export type OptionsErrorClass = new (message: string) => Error;

/**
 * Throws `ErrorClass` (default TypeError) for the first key of `obj` that `schema` does not know,
 * naming the closest known key when it looks like a typo, else listing the known keys; then for
 * the first value (not undefined) whose check fails. `prefix` names where nested options sit
 * (`"store."`), `where` the entry point (`"debugPanel(options)"`).
 *
 * @example
 * const STORE: Schema = { maxSpans: isPositiveInt, maxBytes: isPositiveInt };
 * checkKeys({ maxSpan: 5 }, STORE, 'debugPanel(options)', 'store.');
 * // TypeError: debugPanel(options): unknown option "store.maxSpan"; did you mean "store.maxSpans"?
 */
export function checkKeys(
  obj: object,
  schema: Schema,
  where: string,
  prefix = '',
  ErrorClass: OptionsErrorClass = TypeError,
): void {
  for (const key of Object.keys(obj)) {
    // Own keys only: `toString` or `constructor` must not find Object.prototype's.
    const check = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (check === undefined) throw new ErrorClass(`${where}: ${unknownOption(key, Object.keys(schema), prefix)}`);
    const value = (obj as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const problem = check(value, prefix + key);
    if (problem !== undefined) throw new ErrorClass(`${where}: ${problem}`);
  }
}

/**
 * `unknown option "<prefix><key>"; did you mean "<prefix><closest>"?`, or with no close name,
 * `...; known options: a, b, c`.
 */
export function unknownOption(key: string, known: readonly string[], prefix = ''): string {
  const guess = closest(key, known);
  const hint = guess !== undefined ? `did you mean "${prefix}${guess}"?` : `known options: ${known.map((k) => prefix + k).join(', ')}`;
  return `unknown option "${prefix}${key}"; ${hint}`;
}

/**
 * The known name closest to `key` (case-insensitively) by edit distance, if it is close enough
 * to be a typo: at most 2 edits, or a third of the key's length for long keys.
 *
 * @example
 * closest('maxspan', ['maxSpans', 'maxBytes']); // 'maxSpans'
 * closest('qq', ['maxSpans']);                  // undefined
 */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = key.toLowerCase();
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Levenshtein distance (insertions, deletions, substitutions); option names are short, so the
 * O(n*m) table, one row at a time, is fine.
 *
 * @example
 * editDistance('kitten', 'sitting'); // 3
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** A value as a message shows it: `number 0`, `the string "yes"`, `an array`, `null`, `undefined`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string "${v.length > 40 ? v.slice(0, 40) + '...' : v}"`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${String(v)}`;
}

/** An object literal (or `Object.create(null)`): not an array, a class instance or null. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export const isString: Check = (v, n) => (typeof v === 'string' ? undefined : `${n} must be a string, got ${describeValue(v)}`);

export const isNonEmptyString: Check = (v, n) =>
  typeof v === 'string' && v.trim() !== '' ? undefined : `${n} must be a non-empty string, got ${describeValue(v)}`;

export const isBoolean: Check = (v, n) => (typeof v === 'boolean' ? undefined : `${n} must be true or false, got ${describeValue(v)}`);

export const isFunction: Check = (v, n) => (typeof v === 'function' ? undefined : `${n} must be a function, got ${describeValue(v)}`);

export const isPositiveInt: Check = (v, n) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? undefined : `${n} must be a positive integer, got ${describeValue(v)}`;

export const isStringArray: Check = (v, n) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : `${n} must be an array of strings, got ${describeValue(v)}`;

/**
 * A finite number of at least `min` (more than `min` when `exclusive`).
 *
 * @example
 * checkKeys({ graceMs: -1 }, { graceMs: isNumberAtLeast(0) }, 'TailSampler');
 * // TailSampler: graceMs must be a number >= 0, got number -1
 */
export function isNumberAtLeast(min: number, exclusive = false): Check {
  return (v, n) =>
    typeof v === 'number' && Number.isFinite(v) && (exclusive ? v > min : v >= min)
      ? undefined
      : `${n} must be a number ${exclusive ? '>' : '>='} ${min}, got ${describeValue(v)}`;
}

/** A check with its own message, for the few options whose rule a generic sentence would blur. */
export function must(test: (v: unknown) => boolean, what: string): Check {
  return (v, n) => (test(v) ? undefined : `${n} must be ${what}, got ${describeValue(v)}`);
}

/**
 * Runs one check and throws `ErrorClass` with `where: <problem>` when it fails: for a required
 * option, or one whose value was resolved (a default filled in) before it is checked.
 */
export function checkValue(
  value: unknown,
  check: Check,
  name: string,
  where: string,
  ErrorClass: OptionsErrorClass = TypeError,
): void {
  const problem = check(value, name);
  if (problem !== undefined) throw new ErrorClass(`${where}: ${problem}`);
}
