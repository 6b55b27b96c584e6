import type { TraceState } from '@opentelemetry/api';

/**
 * W3C Trace Context `tracestate`, as the current specification words it (the grammar the
 * w3c/trace-context test suite checks):
 *
 * ```abnf
 * list        = list-member 0*31( OWS "," OWS list-member )
 * list-member = (key "=" value) / OWS
 * key         = ( lcalpha / DIGIT ) 0*255 ( keychar )
 * keychar     = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
 * value       = 0*255(chr) nblk-chr
 * nblk-chr    = %x21-2B / %x2D-3C / %x3E-7E
 * chr         = %x20 / nblk-chr
 * ```
 *
 * `@` may appear anywhere after the first character of a key, any number of times: the older
 * `tenant@system` form with its own tenant (241) and system (14) lengths is gone from the
 * grammar, and the only length left is the key's 256. Empty and whitespace-only members are
 * allowed (they are what joining an empty header with another leaves).
 *
 * Where `@opentelemetry/core`'s `TraceState` follows the older grammar and drops bad members one
 * by one, a header here is taken whole or not at all: one invalid member (a bad key or value, a key
 * or value over 256 characters, a member without `=`), or more than 32 members, and the whole
 * header is discarded, as the test suite expects. A key repeated later in the header keeps its
 * first value (the spec allows dropping duplicates).
 *
 * What is passed on is at most {@link MAX_PROPAGATED_LENGTH} characters; a longer list loses whole
 * entries, those longer than 128 characters first, then from the right, as the spec asks.
 */

/** Members a list may hold. */
export const MAX_MEMBERS = 32;
/** Characters of a key, and of a value. */
const MAX_KEY_LENGTH = 256;
const MAX_VALUE_LENGTH = 256;
/** The spec's "SHOULD propagate at least 512 characters"; longer lists are cut by whole entries. */
export const MAX_PROPAGATED_LENGTH = 512;
/** Entries this long are the first to go when a list is cut. */
const LONG_ENTRY = 128;

const SP = 0x20;
const HTAB = 0x09;

/** a-z, 0-9 */
function isKeyStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

/** a-z, 0-9, `_`, `-`, `*`, `/`, `@` */
function isKeyChar(c: number): boolean {
  return isKeyStart(c) || c === 0x5f || c === 0x2d || c === 0x2a || c === 0x2f || c === 0x40;
}

/** text[from, to) is a key */
function isKeyAt(text: string, from: number, to: number): boolean {
  const length = to - from;
  if (length < 1 || length > MAX_KEY_LENGTH || !isKeyStart(text.charCodeAt(from))) return false;
  for (let i = from + 1; i < to; i++) if (!isKeyChar(text.charCodeAt(i))) return false;
  return true;
}

/** text[from, to) is a value: printable ASCII but `,` and `=`, not ending in a space */
function isValueAt(text: string, from: number, to: number): boolean {
  const length = to - from;
  if (length < 1 || length > MAX_VALUE_LENGTH || text.charCodeAt(to - 1) === SP) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return true;
}

/** True when `key` is a valid tracestate key. */
export function isTracestateKey(key: unknown): key is string {
  return typeof key === 'string' && isKeyAt(key, 0, key.length);
}

/** True when `value` is a valid tracestate value. */
export function isTracestateValue(value: unknown): value is string {
  return typeof value === 'string' && isValueAt(value, 0, value.length);
}

/**
 * An immutable tracestate list (the OTel API's `TraceState` interface), left-most member first.
 * Made by {@link parseTracestate} or by `set`/`unset` on one.
 */
export class W3CTraceState implements TraceState {
  /** Serialized form, made on first use (or the header itself when it was already canonical). */
  private text: string | undefined;

  private constructor(
    private readonly keys: ReadonlyArray<string>,
    private readonly values: ReadonlyArray<string>,
    text: string | undefined,
  ) {
    this.text = text;
  }

  /** @internal Members already validated, deduplicated and within the limits. */
  static of(keys: ReadonlyArray<string>, values: ReadonlyArray<string>, text?: string): W3CTraceState {
    return new W3CTraceState(keys, values, text);
  }

  /** Number of members. */
  get size(): number {
    return this.keys.length;
  }

  get(key: string): string | undefined {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  /**
   * A list with `key` set to `value`, moved to the left as the spec asks for a changed member; a
   * 33rd member pushes out the right-most. An invalid key or value leaves the list as it is.
   */
  set(key: string, value: string): W3CTraceState {
    if (!isTracestateKey(key) || !isTracestateValue(value)) return this;
    const keys = [key];
    const values = [value];
    for (let i = 0; i < this.keys.length && keys.length < MAX_MEMBERS; i++) {
      if (this.keys[i] === key) continue;
      keys.push(this.keys[i]!);
      values.push(this.values[i]!);
    }
    return fit(keys, values);
  }

  /** A list without `key` (this list when it has none). */
  unset(key: string): W3CTraceState {
    const i = this.keys.indexOf(key);
    if (i < 0) return this;
    const keys = this.keys.slice();
    const values = this.values.slice();
    keys.splice(i, 1);
    values.splice(i, 1);
    return new W3CTraceState(keys, values, undefined);
  }

  /** `key=value` members joined by `,` (empty for an empty list: send no header then). */
  serialize(): string {
    if (this.text === undefined) {
      let text = '';
      for (let i = 0; i < this.keys.length; i++) text += (i === 0 ? '' : ',') + this.keys[i] + '=' + this.values[i];
      this.text = text;
    }
    return this.text;
  }
}

/** Drops whole entries until the serialized list fits {@link MAX_PROPAGATED_LENGTH}. */
function fit(keys: string[], values: string[], text?: string): W3CTraceState {
  let length = keys.length - 1;
  for (let i = 0; i < keys.length; i++) length += keys[i]!.length + 1 + values[i]!.length;
  if (length <= MAX_PROPAGATED_LENGTH) return W3CTraceState.of(keys, values, text);
  // Long entries go first, right-most first; then entries from the right.
  for (let i = keys.length - 1; i >= 0 && length > MAX_PROPAGATED_LENGTH; i--) {
    const entry = keys[i]!.length + 1 + values[i]!.length;
    if (entry <= LONG_ENTRY) continue;
    keys.splice(i, 1);
    values.splice(i, 1);
    length -= entry + (keys.length > 0 ? 1 : 0);
  }
  while (length > MAX_PROPAGATED_LENGTH && keys.length > 0) {
    const i = keys.length - 1;
    length -= keys[i]!.length + 1 + values[i]!.length + (i > 0 ? 1 : 0);
    keys.pop();
    values.pop();
  }
  return W3CTraceState.of(keys, values);
}

/**
 * Parses a `tracestate` header (several headers: joined by `,` first, or given as an array).
 * Returns undefined when there is nothing to pass on: no header, only empty members, or a header
 * that is invalid and so discarded whole (see the file comment).
 *
 * @example
 * parseTracestate('rojo=00f067aa0ba902b7, congo=t61rcWkgMzE')?.get('congo'); // 't61rcWkgMzE'
 * parseTracestate('rojo=1,Bad=2');                                          // undefined
 */
export function parseTracestate(header: string | ReadonlyArray<string> | undefined): W3CTraceState | undefined {
  if (header === undefined) return undefined;
  const text = typeof header === 'string' ? header : header.join(',');
  if (typeof text !== 'string' || text.length === 0) return undefined;
  const keys: string[] = [];
  const values: string[] = [];
  let members = 0;
  // Canonical: no whitespace around members, no empty members, no duplicates; the header is then
  // its own serialization.
  let canonical = true;
  let start = 0;
  const end = text.length;
  while (start <= end) {
    let stop = text.indexOf(',', start);
    if (stop < 0) stop = end;
    let from = start;
    let to = stop;
    while (from < to && (text.charCodeAt(from) === SP || text.charCodeAt(from) === HTAB)) from++;
    while (to > from && (text.charCodeAt(to - 1) === SP || text.charCodeAt(to - 1) === HTAB)) to--;
    if (from !== start || to !== stop) canonical = false;
    if (from === to) {
      canonical = false; // an empty member
    } else {
      if (++members > MAX_MEMBERS) return undefined;
      const eq = text.indexOf('=', from);
      if (eq < 0 || eq >= to || !isKeyAt(text, from, eq) || !isValueAt(text, eq + 1, to)) return undefined;
      const key = text.slice(from, eq);
      if (keys.includes(key)) canonical = false;
      else {
        keys.push(key);
        values.push(text.slice(eq + 1, to));
      }
    }
    start = stop + 1;
  }
  if (keys.length === 0) return undefined;
  return fit(keys, values, canonical ? text : undefined);
}
