import {
  isSpanContextValid,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { contextFromHeaders, formatTraceparent } from './traceparent.js';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/**
 * Writes `traceparent` (flags cut to sampled and random) and, when the list is not empty,
 * `tracestate` for `spanContext`. An empty `tracestate` is never sent.
 */
export function injectSpanContext<C>(spanContext: SpanContext, carrier: C, setter: TextMapSetter<C>): void {
  setter.set(carrier, TRACEPARENT, formatTraceparent(spanContext.traceId, spanContext.spanId, spanContext.traceFlags));
  const state = spanContext.traceState?.serialize();
  if (state) setter.set(carrier, TRACESTATE, state);
}

/** Surrounding optional whitespace (SP, HTAB), which is not part of an HTTP field value. */
function trimOws(value: string): string {
  let from = 0;
  let to = value.length;
  while (from < to && (value.charCodeAt(from) === 0x20 || value.charCodeAt(from) === 0x09)) from++;
  while (to > from && (value.charCodeAt(to - 1) === 0x20 || value.charCodeAt(to - 1) === 0x09)) to--;
  return from === 0 && to === value.length ? value : value.slice(from, to);
}

/**
 * The W3C Trace Context propagator the panel registers (with W3C Baggage) when the app has none:
 * `traceparent` parsed strictly and with the level-2 random flag kept, `tracestate` by the current
 * grammar and taken whole or not at all (see tracestate.ts), no empty `tracestate` sent. It
 * replaces `@opentelemetry/core`'s `W3CTraceContextPropagator`, which follows the older key grammar,
 * trims bad members one by one and sends an empty `tracestate` header.
 *
 * @example
 * propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new TraceContextPropagator(), new W3CBaggagePropagator()] }));
 */
export class TraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || isTracingSuppressed(context) || !isSpanContextValid(spanContext)) return;
    injectSpanContext(spanContext, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let traceparent = getter.get(carrier, TRACEPARENT);
    // Carriers that keep repeated headers apart give arrays; two traceparents are invalid.
    if (Array.isArray(traceparent)) traceparent = traceparent.length === 1 ? traceparent[0] : undefined;
    if (typeof traceparent !== 'string') return context;
    const tracestate = getter.get(carrier, TRACESTATE);
    return contextFromHeaders(context, trimOws(traceparent), tracestate);
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}
