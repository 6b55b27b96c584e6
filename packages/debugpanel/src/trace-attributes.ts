/**
 * Attributes that belong to a whole trace, as this process sees it: the user `setUser()` named
 * for the request, and the OTel baggage entries chosen with `context: { baggage: [...] }`. They are
 * copied onto every span of the trace this process records (that has not set them itself) and
 * onto its log records, so the trace list and the Logs view filter by `user.id` or `region`.
 *
 * Process-wide (one map however many panels), bounded: past MAX_TRACES the oldest trace's entry
 * goes (counted). An entry lives as long as its trace is recent, not as long as its request.
 */
import type { IncomingMessage } from 'node:http';
import { context, propagation } from '@opentelemetry/api';
import type { AttributePrimitive, Attributes } from '@debugpanel/model';
import type { ServerSpan } from '@debugpanel/tracing';
import { serverSpanOf } from './middleware.js';

export const MAX_TRACES = 10_000;

export interface TraceAttributesState {
  readonly byTrace: Map<string, Attributes>;
  /** Entries dropped because the map was full */
  dropped: number;
}

const KEY = Symbol.for('debugpanel.traceAttributes.v1');

export function traceAttributes(): TraceAttributesState {
  const g = globalThis as { [KEY]?: TraceAttributesState };
  return (g[KEY] ??= { byTrace: new Map(), dropped: 0 });
}

/** Adds attributes to a trace's entry (earlier keys keep their value unless given again). */
export function addTraceAttributes(traceId: string, attributes: Attributes): void {
  const state = traceAttributes();
  const known = state.byTrace.get(traceId);
  if (known !== undefined) {
    Object.assign(known, attributes);
    return;
  }
  if (state.byTrace.size >= MAX_TRACES) {
    // Map order is insertion order: the first key is the oldest trace.
    state.byTrace.delete(state.byTrace.keys().next().value!);
    state.dropped++;
  }
  state.byTrace.set(traceId, { ...attributes });
}

/** Copies a trace's attributes onto `target` where it has none of that key. Returns `target`. */
export function applyTraceAttributes(traceId: string | undefined, target: Attributes, redact: (key: string, value: AttributePrimitive) => unknown): Attributes {
  if (traceId === undefined) return target;
  const state = traceAttributes();
  if (state.byTrace.size === 0) return target;
  const attrs = state.byTrace.get(traceId);
  if (attrs === undefined) return target;
  for (const key in attrs) if (!Object.hasOwn(target, key)) target[key] = redact(key, attrs[key] as AttributePrimitive) as AttributePrimitive;
  return target;
}

/** What `setUser` takes: an `id` and any other primitive fields (`email`, `name`, `roles`...). */
export interface UserContext {
  id: string | number;
  [field: string]: string | number | boolean | string[] | undefined;
}

/**
 * Names the user of the current request: `user.id` (the OTel semantic convention) and
 * `user.<field>` for every other field go on the request's server span, on every span of the
 * trace this process records after it, and on the request's log records; the trace list, the
 * errors and the Logs view then filter by them (`attr=user.id=u-42`). Values that look like secrets
 * are redacted as everywhere. Returns false when the request is not traced (the panel is off, or
 * the response already ended).
 *
 * @example
 * import { setUser } from 'debugpanel';
 * app.use((req, res, next) => {
 *   if (req.user) setUser(req, { id: req.user.id, email: req.user.email, roles: req.user.roles });
 *   next();
 * });
 */
export function setUser(req: IncomingMessage, user: UserContext): boolean {
  if (user === null || typeof user !== 'object' || (typeof user.id !== 'string' && typeof user.id !== 'number') || user.id === '') {
    throw new TypeError('setUser(req, user): user must be an object with a non-empty string or number id, like { id: "u-42", email: "a@b.c" }');
  }
  const span = req !== null && typeof req === 'object' ? serverSpanOf(req) : undefined;
  if (!span) return false;
  const attributes: Attributes = { 'user.id': String(user.id) };
  for (const [field, value] of Object.entries(user)) {
    if (field === 'id' || value === undefined || field.length > 64) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes[`user.${field}`] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) attributes[`user.${field}`] = value.slice(0, 32);
  }
  for (const [key, value] of Object.entries(attributes)) span.span.setAttribute(key, value as string);
  addTraceAttributes(span.span.spanContext().traceId, attributes);
  return true;
}

/** The chosen baggage entries of a request's context as attributes (undefined when it has none of them). */
export function baggageAttributes(span: ServerSpan, keys: ReadonlyArray<string>): Attributes | undefined {
  const baggage = span.run(() => propagation.getBaggage(context.active()));
  if (baggage === undefined) return undefined;
  let out: Attributes | undefined;
  for (const key of keys) {
    const entry = baggage.getEntry(key);
    if (entry === undefined) continue;
    (out ??= {})[key] = entry.value.slice(0, 256);
  }
  return out;
}
