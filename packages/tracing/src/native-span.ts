import {
  context as contextApi,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  SamplingDecision,
  SpanKind as OtelSpanKind,
  SpanStatusCode,
  trace,
  type Attributes as OtelAttributes,
  type AttributeValue as OtelAttributeValue,
  type Context,
  type Exception,
  type Link,
  type Sampler,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
  type TracerProvider,
  type TraceState,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { AttributeValue, Attributes, Redactor, SpanEvent, SpanKind, SpanLink, SpanRecord } from '@debugpanel/model';
import { epochOf, monotonicNow, timeInputToEpoch } from './clock.js';
import { KINDS, newRecord, NO_EVENTS, STATUS_OBJECTS } from './convert.js';
import { newSpanId, newTraceId } from './ids.js';
import { OWNER_KEY, type Sink } from './processor.js';
import { RANDOM_FLAG } from './traceparent.js';

/**
 * Record-first spans: when the process's tracer provider is the panel's own, every span (server,
 * client, database, the app's own through `@opentelemetry/api`, those of OTel instrumentations)
 * is a `NativeSpan`. It implements the API's `Span` directly over the fields of the `SpanRecord`
 * it will hand to the panel: one clock read at start, ids from `ids.ts`, attributes written once
 * into the record (redacted and cut as they are set, within a count limit), events and links in
 * the record's own form. Ending it hands that very record over: no second span object model, no
 * conversion.
 *
 * The OTel SDK's span semantics are kept where the API leaves them open: `setStatus` ignores
 * UNSET and nothing changes an OK; `recordException` makes the SDK's `exception` event; numbers
 * up to `performance.now()` passed as times are `performance.now()` readings; operations on an
 * ended span do nothing; the oldest event or link makes room for a new one past the limit.
 */

/** What a native span needs from the process-wide state (TracingState has it). */
export interface SpanHome {
  /** Receivers of spans started outside any request. */
  readonly sinks: ReadonlySet<Sink>;
  /** Union of every sink's redaction keys: for spans no request owns. */
  readonly redactor: Redactor;
  /** Counters of what the limits dropped, for `stats()`. */
  readonly limited: LimitCounters;
}

export interface LimitCounters {
  attributes: number;
  events: number;
  links: number;
}

/** Limits per span, the OTel SDK's defaults (string values are cut by the redactor). */
export const ATTRIBUTE_COUNT_LIMIT = 128;
export const EVENT_COUNT_LIMIT = 128;
export const LINK_COUNT_LIMIT = 128;

/** Resource attributes of the panel's own spans (shared by all of them). */
export const NATIVE_RESOURCE: Attributes = Object.freeze({
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.name': '@debugpanel/tracing',
  'telemetry.sdk.version': '0.1.0',
}) as Attributes;

const EMPTY_ATTRIBUTES: OtelAttributes = Object.freeze({});
const EMPTY_LINKS: Link[] = Object.freeze([]) as unknown as Link[];
const hasOwn = Object.prototype.hasOwnProperty;

/** A valid attribute value: a primitive, or an array of one primitive type (nulls allowed). */
function isAttributeValue(value: unknown): value is OtelAttributeValue {
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  if (!Array.isArray(value)) return false;
  let kind: string | undefined;
  for (const v of value) {
    if (v === null || v === undefined) continue;
    const t = typeof v;
    if (kind === undefined) {
      if (t !== 'string' && t !== 'number' && t !== 'boolean') return false;
      kind = t;
    } else if (t !== kind) return false;
  }
  return true;
}

/**
 * A span name or status message as the redactor would leave it on delivery (the model's
 * `Redactor.span`): cut at its length bound and cleared of secret shapes.
 */
function redactText(redactor: Redactor, text: string): string {
  return redactor.string(text.length > redactor.maxLength ? text.slice(0, redactor.maxLength) : text);
}

/** Attributes checked, redacted, cut and counted into a new object (events, links). */
function cleanAttributes(input: OtelAttributes | undefined, redactor: Redactor, limited: LimitCounters): Attributes {
  const out: Attributes = {};
  if (input === null || typeof input !== 'object') return out;
  let count = 0;
  for (const key in input) {
    if (!hasOwn.call(input, key) || key === '') continue;
    const value = input[key];
    if (value === null || value === undefined || !isAttributeValue(value)) continue;
    if (count >= ATTRIBUTE_COUNT_LIMIT) {
      limited.attributes++;
      continue;
    }
    out[key] = redactor.attribute(key, Array.isArray(value) ? (value.slice() as AttributeValue) : (value as AttributeValue));
    count++;
  }
  return out;
}

function toLink(link: Link, redactor: Redactor, limited: LimitCounters): SpanLink | undefined {
  const ctx = link?.context;
  if (ctx === undefined || ctx === null || typeof ctx.traceId !== 'string' || typeof ctx.spanId !== 'string') return undefined;
  const out: SpanLink = { traceId: ctx.traceId, spanId: ctx.spanId };
  if (link.attributes) {
    const attributes = cleanAttributes(link.attributes, redactor, limited);
    for (const _ in attributes) {
      out.attributes = attributes;
      break;
    }
  }
  return out;
}

/**
 * The attributes of the SDK's `recordException` (which the API's callers expect): type from
 * `code` or `name`, message, stack.
 */
function exceptionEventAttributes(exception: Exception): OtelAttributes | undefined {
  const attributes: OtelAttributes = {};
  if (typeof exception === 'string') attributes['exception.message'] = exception;
  else if (exception) {
    const e = exception as { code?: unknown; name?: unknown; message?: unknown; stack?: unknown };
    if (e.code) attributes['exception.type'] = String(e.code);
    else if (e.name) attributes['exception.type'] = e.name as string;
    if (e.message) attributes['exception.message'] = e.message as string;
    if (e.stack) attributes['exception.stacktrace'] = e.stack as string;
  }
  return attributes['exception.type'] || attributes['exception.message'] ? attributes : undefined;
}

export class NativeSpan implements Span {
  /** The record this span fills; handed over as it is when the span ends. */
  readonly record: SpanRecord;
  readonly traceFlags: number;
  readonly traceState: TraceState | undefined;
  private spanCtx: SpanContext | undefined = undefined;
  /** `performance.now()` at start; NaN when the caller gave the start time (then ends use the wall clock). */
  private readonly perfStart: number;
  private ended = false;
  private attributeCount: number;

  constructor(
    record: SpanRecord,
    traceFlags: number,
    traceState: TraceState | undefined,
    perfStart: number,
    attributeCount: number,
    private readonly home: SpanHome,
    /** The sink of the request this span belongs to, or undefined (every sink gets it). */
    private readonly owner: Sink | undefined,
    private readonly redactor: Redactor,
  ) {
    this.record = record;
    this.traceFlags = traceFlags;
    this.traceState = traceState;
    this.perfStart = perfStart;
    this.attributeCount = attributeCount;
  }

  spanContext(): SpanContext {
    return (this.spanCtx ??= {
      traceId: this.record.traceId,
      spanId: this.record.spanId,
      traceFlags: this.traceFlags,
      traceState: this.traceState,
    });
  }

  isRecording(): boolean {
    return !this.ended;
  }

  setAttribute(key: string, value: OtelAttributeValue): this {
    if (this.ended || value === null || value === undefined || typeof key !== 'string' || key === '' || !isAttributeValue(value)) {
      return this;
    }
    const attributes = this.record.attributes;
    if (!hasOwn.call(attributes, key)) {
      if (this.attributeCount >= ATTRIBUTE_COUNT_LIMIT) {
        this.home.limited.attributes++;
        return this;
      }
      this.attributeCount++;
    }
    // Arrays are copied: the caller may change theirs later.
    attributes[key] = this.redactor.attribute(key, Array.isArray(value) ? (value.slice() as AttributeValue) : (value as AttributeValue));
    return this;
  }

  setAttributes(attributes: OtelAttributes): this {
    if (attributes === null || typeof attributes !== 'object') return this;
    for (const key in attributes) {
      if (hasOwn.call(attributes, key)) this.setAttribute(key, attributes[key]!);
    }
    return this;
  }

  /**
   * Sets an attribute the panel itself computed (a known, valid key and value that needs no
   * redaction): the server and client spans' own attributes.
   */
  setOwnAttribute(key: string, value: AttributeValue): void {
    if (this.ended) return;
    const attributes = this.record.attributes;
    if (!hasOwn.call(attributes, key)) {
      if (this.attributeCount >= ATTRIBUTE_COUNT_LIMIT) {
        this.home.limited.attributes++;
        return;
      }
      this.attributeCount++;
    }
    attributes[key] = value;
  }

  addEvent(name: string, attributesOrStartTime?: OtelAttributes | TimeInput, startTime?: TimeInput): this {
    if (this.ended) return this;
    let attributes: OtelAttributes | undefined;
    let time = startTime;
    if (typeof attributesOrStartTime === 'number' || attributesOrStartTime instanceof Date || Array.isArray(attributesOrStartTime)) {
      if (time === undefined) time = attributesOrStartTime as TimeInput;
    } else {
      attributes = attributesOrStartTime;
    }
    const record = this.record;
    const event: SpanEvent = {
      name: redactText(this.redactor, String(name)),
      time: (time === undefined ? undefined : timeInputToEpoch(time)) ?? this.now(),
      attributes: cleanAttributes(attributes, this.redactor, this.home.limited),
    };
    if (record.events === NO_EVENTS) record.events = [event];
    else {
      if (record.events.length >= EVENT_COUNT_LIMIT) {
        record.events.shift();
        this.home.limited.events++;
      }
      record.events.push(event);
    }
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    const out = toLink(link, this.redactor, this.home.limited);
    if (out === undefined) return this;
    const record = this.record;
    if (record.links === undefined) record.links = [out];
    else {
      if (record.links.length >= LINK_COUNT_LIMIT) {
        record.links.shift();
        this.home.limited.links++;
      }
      record.links.push(out);
    }
    return this;
  }

  addLinks(links: Link[]): this {
    if (Array.isArray(links)) for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended || status === null || typeof status !== 'object') return this;
    const code = status.code;
    if (code === SpanStatusCode.UNSET || this.record.status.code === 'ok') return this;
    if (code === SpanStatusCode.OK) this.record.status = STATUS_OBJECTS[1]!;
    else if (code === SpanStatusCode.ERROR) {
      this.record.status =
        typeof status.message === 'string' && status.message !== ''
          ? { code: 'error', message: redactText(this.redactor, status.message) }
          : STATUS_OBJECTS[2]!;
    }
    return this;
  }

  updateName(name: string): this {
    if (!this.ended && typeof name === 'string') this.record.name = redactText(this.redactor, name);
    return this;
  }

  /** Renames the span with a name the panel made (a route's `GET /orders/:id`): no redaction needed. */
  setOwnName(name: string): void {
    if (!this.ended) this.record.name = name;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes = exceptionEventAttributes(exception);
    if (attributes !== undefined) this.addEvent('exception', attributes, time);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const record = this.record;
    const given = endTime === undefined ? undefined : timeInputToEpoch(endTime);
    if (given === undefined && this.perfStart === this.perfStart) record.duration = monotonicNow() - this.perfStart;
    else {
      const duration = (given ?? Date.now()) - record.startTime;
      record.duration = duration > 0 ? duration : 0;
    }
    deliver(this.home, this.owner, record);
  }

  /** Now, on the span's own clock: its start plus the monotonic time since (wall clock when the start was given). */
  private now(): number {
    return this.perfStart === this.perfStart ? this.record.startTime + (monotonicNow() - this.perfStart) : Date.now();
  }
}

/** Hands an ended span's record to its owner, or to every sink (each with its own service). */
function deliver(home: SpanHome, owner: Sink | undefined, record: SpanRecord): void {
  if (owner !== undefined) {
    if (!owner.closed) owner.deliverRecord(record);
    return;
  }
  const sinks = home.sinks;
  if (sinks.size === 1) {
    for (const sink of sinks) {
      record.service = sink.service;
      sink.deliverRecord(record);
    }
    return;
  }
  // Copies first: a receiver may keep (and so own) the record it got.
  const copies: Array<[Sink, SpanRecord]> = [];
  let first = true;
  for (const sink of sinks) {
    copies.push([sink, first ? record : { ...record, service: sink.service }]);
    first = false;
  }
  for (const [sink, copy] of copies) {
    copy.service = sink.service;
    sink.deliverRecord(copy);
  }
}

const NON_RECORDING_INVALID = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * The tracer of the panel's provider. One instance serves every instrumentation scope: the
 * panel's records do not carry the scope.
 */
export class NativeTracer implements Tracer {
  constructor(
    private readonly home: SpanHome,
    private readonly sampler: Sampler,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx: Context = contextApi.active()): Span {
    if (options?.root) ctx = trace.deleteSpan(ctx);
    const given = options?.attributes;
    const startTime = options?.startTime === undefined ? undefined : timeInputToEpoch(options.startTime);
    return this.open(
      typeof name === 'string' ? name : String(name),
      true,
      options?.kind ?? OtelSpanKind.INTERNAL,
      given ?? EMPTY_ATTRIBUTES,
      options?.links ?? EMPTY_LINKS,
      {},
      0,
      given,
      startTime,
      ctx,
      ctx.getValue(OWNER_KEY) as Sink | undefined,
    );
  }

  /**
   * A span whose attributes the panel built itself (valid, redacted and within the limits
   * already): server spans. `attributes` becomes the record's own object.
   */
  startOwnSpan(name: string, kind: OtelSpanKind, attributes: Attributes, attributeCount: number, ctx: Context, owner: Sink | undefined): Span {
    return this.open(name, false, kind, attributes as OtelAttributes, EMPTY_LINKS, attributes, attributeCount, undefined, undefined, ctx, owner);
  }

  /**
   * Parent, ids, flags, the head sampler's decision, then the span: a NativeSpan, or a
   * non-recording span that only carries the context on.
   */
  private open(
    name: string,
    /** The caller's name (redacted once the span records), not one the panel made. */
    foreignName: boolean,
    kind: OtelSpanKind,
    samplerAttributes: OtelAttributes,
    links: Link[],
    attributes: Attributes,
    attributeCount: number,
    /** The caller's attributes, to check, redact and set (the sampler's then override them). */
    toSet: OtelAttributes | undefined,
    startTime: number | undefined,
    ctx: Context,
    owner: Sink | undefined,
  ): Span {
    if (isTracingSuppressed(ctx)) return NON_RECORDING_INVALID;
    const parentSpan = trace.getSpan(ctx);
    let traceId: string;
    let parentSpanId: string | undefined;
    let random: number;
    let traceState: TraceState | undefined;
    if (parentSpan instanceof NativeSpan) {
      // A local parent of ours: valid by construction, no span context to build or check.
      traceId = parentSpan.record.traceId;
      parentSpanId = parentSpan.record.spanId;
      random = parentSpan.traceFlags & RANDOM_FLAG;
      traceState = parentSpan.traceState;
    } else {
      const parent = parentSpan?.spanContext();
      if (parent !== undefined && isSpanContextValid(parent)) {
        traceId = parent.traceId;
        parentSpanId = parent.spanId;
        // The random flag describes the trace id, which the child keeps.
        random = parent.traceFlags & RANDOM_FLAG;
        traceState = parent.traceState;
      } else {
        traceId = newTraceId();
        parentSpanId = undefined;
        random = RANDOM_FLAG;
        traceState = undefined;
      }
    }
    const result = this.sampler.shouldSample(ctx, traceId, name, kind, samplerAttributes, links);
    const decision = result.decision;
    const traceFlags = (decision === SamplingDecision.RECORD_AND_SAMPLED ? 1 : 0) | random;
    if (result.traceState !== undefined) traceState = result.traceState;
    const spanId = newSpanId();
    if (decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext({ traceId, spanId, traceFlags, traceState });
    const perfStart = startTime === undefined ? monotonicNow() : NaN;
    const redactor = owner?.redactor ?? this.home.redactor;
    const record = newRecord(
      traceId,
      spanId,
      parentSpanId,
      foreignName ? redactText(redactor, name) : name,
      (KINDS[kind] ?? 'internal') as SpanKind,
      owner?.service ?? '',
      startTime ?? epochOf(perfStart),
      0,
      STATUS_OBJECTS[0]!,
      attributes,
      NO_EVENTS,
      NATIVE_RESOURCE,
    );
    const span = new NativeSpan(record, traceFlags, traceState, perfStart, attributeCount, this.home, owner, redactor);
    if (toSet !== undefined) span.setAttributes(toSet);
    if (result.attributes !== undefined) span.setAttributes(result.attributes);
    if (links.length > 0) span.addLinks(links);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    a?: SpanOptions | F,
    b?: Context | F,
    c?: F,
  ): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F;
    if (arguments.length < 2) return undefined;
    if (arguments.length === 2) fn = a as F;
    else if (arguments.length === 3) {
      options = a as SpanOptions;
      fn = b as F;
    } else {
      options = a as SpanOptions;
      ctx = b as Context;
      fn = c as F;
    }
    const parent = ctx ?? contextApi.active();
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/**
 * The panel's TracerProvider: native spans for every scope, one head sampler. It has no span
 * processors: ended spans go to the panel's sinks (see `deliver`).
 */
export class NativeTracerProvider implements TracerProvider {
  readonly tracer: NativeTracer;

  constructor(home: SpanHome, readonly sampler: Sampler) {
    this.tracer = new NativeTracer(home, sampler);
  }

  getTracer(_name?: string, _version?: string, _options?: unknown): Tracer {
    return this.tracer;
  }

  /** Nothing is buffered: spans are delivered as they end. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
