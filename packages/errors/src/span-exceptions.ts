/**
 * Exceptions recorded on spans (`exception` events, OTel semantic conventions: `exception.type`,
 * `exception.message`, `exception.stacktrace`) and what a span tells about where they happened.
 */
import type { AttributeValue, SpanRecord } from '@debugpanel/model';
import type { ExceptionInfo } from './fingerprint.js';
import type { RootContext } from './groups.js';

/** True when the span has at least one `exception` event (cheap: no allocation). */
export function hasException(span: Pick<SpanRecord, 'events'>): boolean {
  const events = span.events;
  for (let i = 0; i < events.length; i++) if (events[i]!.name === 'exception') return true;
  return false;
}

/**
 * The span's `exception` events as exceptions, with their times. An event with neither type nor
 * message is skipped (the conventions require one of them).
 *
 * @example
 * spanExceptions(span)[0]; // { time: 1700000000123, exception: { type: 'TypeError', message: '...', stack: '...' } }
 */
export function spanExceptions(span: Pick<SpanRecord, 'events'>): Array<{ time: number; exception: ExceptionInfo }> {
  const out: Array<{ time: number; exception: ExceptionInfo }> = [];
  for (const event of span.events) {
    if (event.name !== 'exception') continue;
    const a = event.attributes;
    const type = text(a['exception.type']);
    const message = text(a['exception.message']);
    if (type === undefined && message === undefined) continue;
    const exception: ExceptionInfo = { type: type ?? 'Error', message: message ?? '' };
    const stack = text(a['exception.stacktrace']);
    if (stack !== undefined) exception.stack = stack;
    out.push({ time: event.time, exception });
  }
  return out;
}

/**
 * Route (`http.route`), user (`user.id`, older `enduser.id`) and release (resource
 * `service.version`) of a span, where it has them.
 */
export function spanContext(span: Pick<SpanRecord, 'attributes' | 'resource'>): RootContext {
  const out: RootContext = {};
  const route = text(span.attributes['http.route']);
  const user = text(span.attributes['user.id']) ?? text(span.attributes['enduser.id']);
  const release = span.resource === undefined ? undefined : text(span.resource['service.version']);
  if (route !== undefined) out.route = route;
  if (user !== undefined) out.user = user;
  if (release !== undefined) out.release = release;
  return out;
}

function text(v: AttributeValue | undefined): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
