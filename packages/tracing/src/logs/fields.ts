/**
 * Structured log fields (pino's merged object, winston's meta, OTel attributes) as span-style
 * attributes: primitives as they are, arrays of primitives kept, nested objects flattened with
 * dots (`user.id`) down to MAX_DEPTH, anything deeper or odd as JSON text. At most
 * MAX_LOG_ATTRIBUTES keys.
 */
import { MAX_LOG_ATTRIBUTES, type AttributePrimitive, type Attributes } from '@debugpanel/model';
import { exceptionAttributes } from '../exception.js';

const MAX_DEPTH = 3;

/** Adds the fields of `obj` (except `skip` keys at the top level) to `out`, flattened. */
export function flattenInto(out: Attributes, obj: Record<string, unknown>, skip?: ReadonlySet<string>, prefix = '', depth = 0): void {
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (depth === 0 && skip?.has(key)) continue;
    if (Object.keys(out).length >= MAX_LOG_ATTRIBUTES) return;
    const value = obj[key];
    const name = prefix + key;
    if (value === null || value === undefined) continue;
    const t = typeof value;
    if (t === 'string' || t === 'number' || t === 'boolean') out[name] = value as AttributePrimitive;
    else if (t === 'bigint') out[name] = String(value);
    else if (value instanceof Error) Object.assign(out, exceptionAttributes(value));
    else if (value instanceof Date) out[name] = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    else if (Array.isArray(value)) {
      out[name] = value.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))
        ? (value as AttributePrimitive[])
        : safeJson(value);
    } else if (t === 'object' && depth < MAX_DEPTH) flattenInto(out, value as Record<string, unknown>, undefined, name + '.', depth + 1);
    else if (t === 'object') out[name] = safeJson(value);
  }
}

/** JSON text of a value, or a placeholder for what JSON cannot hold (cycles, BigInt). */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[unserializable]';
  }
}

/** True for an Error (also one from another realm). */
export function isError(value: unknown): value is Error {
  return value instanceof Error || (typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Error]');
}
