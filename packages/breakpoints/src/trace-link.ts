import { isSpanContextValid, trace, type Span } from '@opentelemetry/api';

/**
 * The request's span, if any. The pause handler runs inside the paused code's async context
 * (AsyncLocalStorage, hence OTel's context manager, sees the request's store there), so the OTel
 * API answers directly.
 */
export function activeSpan(): { traceId?: string; spanId?: string; span?: Span } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId, span } : {};
}
