/**
 * Structured log fields (pino's merged object, winston's meta, OTel attributes) as span-style
 * attributes: primitives as they are, arrays of primitives kept, nested objects flattened with
 * dots (`user.id`) down to MAX_DEPTH, anything deeper or odd as JSON text. At most
 * MAX_LOG_ATTRIBUTES keys.
 */
import { MAX_LOG_ATTRIBUTES, type AttributePrimitive, type Attributes } from '@debugpanel/model';
import { exceptionAttributes } from '../exception.js';

const MAX_DEPTH = 3;

/**
 * Adds the fields of `obj` to `out`, flattened, skipping top-level keys for which `skip` is true and
 * applying `serializers[key]` (pino's) to top-level values. Returns the number of keys in `out`.
 */
export function flattenInto(
  out: Attributes,
  obj: Record<string, unknown>,
  skip?: (key: string) => boolean,
  serializers?: Record<string, ((v: unknown) => unknown) | undefined>,
  count = 0,
  prefix = '',
  depth = 0,
): number {
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (depth === 0 && skip?.(key)) continue;
    if (count >= MAX_LOG_ATTRIBUTES) return count;
    let value = obj[key];
    if (depth === 0 && serializers !== undefined) {
      const serialize = serializers[key];
      if (typeof serialize === 'function') value = serialize(value);
    }
    const name = prefix + key;
    count++;
    if (value === null || value === undefined || typeof value === 'function') {
      count--;
      continue;
    }
    const t = typeof value;
    if (t === 'string' || t === 'number' || t === 'boolean') out[name] = value as AttributePrimitive;
    else if (t === 'bigint') out[name] = String(value);
    else if (value instanceof Error) {
      Object.assign(out, exceptionAttributes(value));
      count += 2;
    }
    else if (value instanceof Date) out[name] = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    else if (Array.isArray(value)) {
      out[name] = value.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))
        ? (value as AttributePrimitive[])
        : safeJson(value);
    } else if (t === 'object' && depth < MAX_DEPTH) {
      count = flattenInto(out, value as Record<string, unknown>, undefined, undefined, count - 1, name + '.', depth + 1);
    } else if (t === 'object') out[name] = safeJson(value);
  }
  return count;
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
