import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Attributes, SpanEvent, SpanKind, SpanLink, SpanRecord, StatusCode } from '@debugpanel/model';
import { SERVICE_NAME } from './semconv.js';

/** Index = `@opentelemetry/api` SpanKind (INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4). */
export const KINDS: ReadonlyArray<SpanKind> = ['internal', 'server', 'client', 'producer', 'consumer'];
/** Index = SpanStatusCode (UNSET 0, OK 1, ERROR 2). */
export const STATUS: ReadonlyArray<StatusCode> = ['unset', 'ok', 'error'];

/** An OTel HrTime ([seconds, nanoseconds]) as float milliseconds. */
export function hrTimeToMs(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

interface ResourceInfo {
  service: string | undefined;
  attributes: Attributes | undefined;
}

/**
 * Resources are shared by every span of a provider, so their conversion is cached. A WeakMap
 * keyed by the resource object cannot grow past the number of live providers.
 */
const resourceCache = new WeakMap<object, ResourceInfo>();

function resourceInfo(resource: ReadableSpan['resource'] | undefined): ResourceInfo {
  if (resource == null) return { service: undefined, attributes: undefined };
  const cached = resourceCache.get(resource);
  if (cached !== undefined) return cached;
  // A resource with detectors still running would log on access and lose attributes: do not
  // cache it, its next span will see the settled attributes.
  const pending = (resource as { asyncAttributesPending?: boolean }).asyncAttributesPending === true;
  const raw = pending ? {} : resource.attributes;
  let service: string | undefined;
  let attributes: Attributes | undefined;
  for (const key in raw) {
    const value = raw[key];
    if (value === undefined) continue;
    if (key === SERVICE_NAME) {
      // `unknown_service:...` is the SDK's placeholder, not a name someone chose.
      if (typeof value === 'string' && value.length > 0 && !value.startsWith('unknown_service')) service = value;
      continue;
    }
    (attributes ??= {})[key] = value as Attributes[string];
  }
  const info = { service, attributes };
  if (!pending) resourceCache.set(resource, info);
  return info;
}

/*
 * Shared, frozen parts of records: most spans have an unset or ok status without a message and
 * no events, and one object each for them saves ~64 bytes per stored span (measured). Frozen so
 * a consumer that tried to change one for a single span fails loudly instead of changing all.
 */
export const STATUS_OBJECTS: ReadonlyArray<SpanRecord['status']> = STATUS.map((code) => Object.freeze({ code }));
export const NO_EVENTS = Object.freeze([]) as unknown as SpanEvent[];

/**
 * A SpanRecord with its keys in one order: one object literal per combination of the optional
 * keys, so V8 gives every record every property in-object. Adding a key to a finished object
 * moves it into a separate property array, ~40 more bytes per span (measured). Native spans make
 * their record with it at start, `toSpanRecord` at the end.
 */
export function newRecord(
  traceId: string,
  spanId: string,
  parentSpanId: string | undefined,
  name: string,
  kind: SpanKind,
  service: string,
  startTime: number,
  duration: number,
  status: SpanRecord['status'],
  attributes: Attributes,
  events: SpanEvent[],
  resource: Attributes | undefined,
): SpanRecord {
  if (parentSpanId) {
    return resource === undefined
      ? { traceId, spanId, parentSpanId, name, kind, service, startTime, duration, status, attributes, events }
      : { traceId, spanId, parentSpanId, name, kind, service, startTime, duration, status, attributes, events, resource };
  }
  return resource === undefined
    ? { traceId, spanId, name, kind, service, startTime, duration, status, attributes, events }
    : { traceId, spanId, name, kind, service, startTime, duration, status, attributes, events, resource };
}

/**
 * Converts an ended OTel span into the panel's SpanRecord: times in float ms, kind and status as
 * strings, the parent id from `parentSpanContext` (SDK 2.x; `parentSpanId` on 1.x), the service
 * from the resource's `service.name` (else `fallbackService`) and the other resource attributes
 * in `resource`. Attributes are shared, not copied: the SDK never changes them after `end()`.
 * A status without a message and an empty `events` array are shared frozen objects.
 *
 * @example
 * const processor = { onEnd(span: ReadableSpan) { store.add(toSpanRecord(span, 'orders')); } };
 */
export function toSpanRecord(span: ReadableSpan, fallbackService: string): SpanRecord {
  const ctx = span.spanContext();
  const resource = resourceInfo(span.resource);
  const traceId = ctx.traceId;
  const spanId = ctx.spanId;
  const name = span.name;
  const kind = KINDS[span.kind] ?? 'internal';
  const service = resource.service ?? fallbackService;
  const sdkStart = hrTimeToMs(span.startTime);
  const shift = subMillisecondShift(span, sdkStart);
  const startTime = sdkStart + shift;
  const duration = span.ended ? hrTimeToMs(span.duration) : Math.max(0, hrTimeToMs(span.endTime) - sdkStart);
  const status = convertStatus(span.status);
  const attributes = span.attributes as Attributes;
  const events = span.events.length === 0 ? NO_EVENTS : convertEvents(span.events, shift);
  const parentSpanId =
    span.parentSpanContext?.spanId ?? (span as unknown as { parentSpanId?: string }).parentSpanId;
  const record = newRecord(traceId, spanId, parentSpanId, name, kind, service, startTime, duration, status, attributes, events, resource.attributes);
  // Links are rare: their records take the slower added-key shape.
  if (span.links.length > 0) record.links = convertLinks(span.links);
  return record;
}

function convertStatus(status: ReadableSpan['status']): SpanRecord['status'] {
  if (status.message) return { code: STATUS[status.code] ?? 'unset', message: status.message };
  return STATUS_OBJECTS[status.code] ?? STATUS_OBJECTS[0]!;
}

/**
 * The SDK stamps a span's start with `Date.now()`, whole milliseconds, and measures its duration
 * with `performance.now()`. Sibling spans started within one millisecond then share a start and
 * seem to overlap (sequential SQL statements did, which broke the critical path). The SDK span also
 * keeps the `performance.now()` of its start; where that clock agrees with the stamp (within the
 * millisecond the stamp truncated, give or take a millisecond of drift), the start is taken from it,
 * so spans of a process are ordered by one monotonic clock. Otherwise (more drift), or for spans
 * that are not the SDK's (hub, other SDKs), nothing changes.
 */
function subMillisecondShift(span: ReadableSpan, startMs: number): number {
  const perfStart = (span as unknown as { _performanceStartTime?: unknown })._performanceStartTime;
  if (typeof perfStart !== 'number' || (span as unknown as { _startTimeProvided?: unknown })._startTimeProvided === true) return 0;
  const shift = performance.timeOrigin + perfStart - startMs;
  return shift > -1 && shift < 2 ? shift : 0;
}

function convertEvents(events: ReadableSpan['events'], shift: number): SpanEvent[] {
  const out: SpanEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    out[i] = { name: e.name, time: hrTimeToMs(e.time) + shift, attributes: (e.attributes ?? {}) as Attributes };
  }
  return out;
}

function convertLinks(links: ReadableSpan['links']): SpanLink[] {
  return links.map((l) => {
    const link: SpanLink = { traceId: l.context.traceId, spanId: l.context.spanId };
    if (l.attributes && Object.keys(l.attributes).length > 0) link.attributes = l.attributes as Attributes;
    return link;
  });
}
