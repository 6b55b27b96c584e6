import {
  context,
  isSpanContextValid,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed, W3CBaggagePropagator } from '@opentelemetry/core';
import { isHttpErrorStatus } from '@debugpanel/model';
import { recordException } from './exception.js';
import { injectSpanContext } from './propagator.js';
import { ERROR_TYPE, HTTP_REQUEST_METHOD_ORIGINAL, HTTP_RESPONSE_STATUS_CODE, KNOWN_HTTP_METHODS } from './semconv.js';
import type { TracingState } from './state.js';

/**
 * Header a request can carry to opt out of client spans (the panel's own hub export uses it).
 * It is sent on the wire; `withoutTracing()` is the alternative that is not.
 */
export const NO_TRACE_HEADER = 'x-debugpanel-no-trace';

const baggagePropagator = new W3CBaggagePropagator();

/**
 * The active context when an outgoing call should get a client span, else undefined. Client
 * spans are made only inside a trace (a server span or a user span is active) so that a process's
 * background polling does not flood the panel, and never under `suppressTracing` (OTel
 * exporters send their batches that way).
 */
export function tracedContext(state: TracingState): Context | undefined {
  if (state.sinks.size === 0 && state.externalProcessors === 0) return undefined;
  const ctx = context.active();
  const parent = trace.getSpanContext(ctx);
  if (parent === undefined || !isSpanContextValid(parent) || isTracingSuppressed(ctx)) return undefined;
  return ctx;
}

export interface OutgoingTarget {
  method: string;
  protocol: string; // 'http:' | 'https:'
  host: string; // without port; IPv6 without brackets
  port: number;
  /** Path and query as sent. */
  path: string;
}

/** True when a sink's `ignoreOutgoing` wants no span for this URL; a throwing callback is ignored. */
export function isIgnored(state: TracingState, target: OutgoingTarget): boolean {
  if (state.ignoreOutgoing.length === 0) return false;
  let url: URL;
  try {
    url = new URL(`${target.protocol}//${hostPort(target)}${target.path}`);
  } catch {
    return false;
  }
  for (const ignore of state.ignoreOutgoing) {
    try {
      if (ignore(url)) return true;
    } catch {
      state.outgoingErrors++;
    }
  }
  return false;
}

function hostPort(t: OutgoingTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const defaultPort = t.protocol === 'https:' ? 443 : 80;
  return t.port === defaultPort ? host : `${host}:${t.port}`;
}

/**
 * A client span that ends once: the first of response end, error or close wins. `end()` may be
 * reached from several events of one request.
 */
export class ClientSpan {
  private ended = false;
  constructor(readonly span: Span) {}

  response(statusCode: number): void {
    if (this.ended) return;
    this.span.setAttribute(HTTP_RESPONSE_STATUS_CODE, statusCode);
    // HTTP semantic conventions: a client span is an error for any 4xx or 5xx.
    if (isHttpErrorStatus('client', statusCode)) {
      this.span.setAttribute(ERROR_TYPE, String(statusCode));
      this.span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  error(err: unknown): void {
    if (this.ended) return;
    recordException(this.span, err);
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string') this.span.setAttribute(ERROR_TYPE, code);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.span.end();
  }
}

/**
 * Starts a client span for `target` under `ctx` and writes the propagation headers through
 * `setter` into `carrier`. Returns undefined when the URL is ignored.
 */
export function startClientSpan<C>(
  state: TracingState,
  ctx: Context,
  target: OutgoingTarget,
  carrier: C | undefined,
  setter: TextMapSetter<C>,
): ClientSpan | undefined {
  if (isIgnored(state, target)) return undefined;
  const known = KNOWN_HTTP_METHODS.has(target.method);
  const q = target.path.indexOf('?');
  const path = q < 0 ? target.path : `${target.path.slice(0, q)}?${state.redactor.query(target.path.slice(q + 1))}`;
  const attributes: Attributes = {
    'http.request.method': known ? target.method : '_OTHER',
    'url.full': `${target.protocol}//${hostPort(target)}${path}`,
    'server.address': target.host,
    'server.port': target.port,
  };
  if (!known) attributes[HTTP_REQUEST_METHOD_ORIGINAL] = target.method;
  // Semantic conventions name client spans by method alone (there is no low-cardinality URL
  // template on the client side); url.full and server.address carry the target.
  const span = state.tracer.startSpan(known ? target.method : 'HTTP', { kind: SpanKind.CLIENT, attributes }, ctx);
  if (carrier !== undefined) inject(state, ctx, span, carrier, setter);
  return new ClientSpan(span);
}

/**
 * Propagation headers for a client span. With the panel's own propagator registered, traceparent
 * and tracestate are written directly (and baggage only when the context has some); an app's own
 * propagator (B3, Jaeger, ...) is used through the API.
 */
function inject<C>(state: TracingState, ctx: Context, span: Span, carrier: C, setter: TextMapSetter<C>): void {
  const spanCtx = trace.setSpan(ctx, span);
  if (!state.ownPropagator) {
    propagation.inject(spanCtx, carrier, setter);
    return;
  }
  const sc = span.spanContext();
  if (isSpanContextValid(sc)) injectSpanContext(sc, carrier, setter);
  if (propagation.getBaggage(spanCtx) !== undefined) baggagePropagator.inject(spanCtx, carrier, setter);
}
