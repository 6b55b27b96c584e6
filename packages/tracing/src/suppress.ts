import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/**
 * Runs `fn` with tracing suppressed (OTel's own mechanism, which its exporters use): outgoing
 * calls made inside get no client span and no traceparent. For the panel's own traffic.
 *
 * @example
 * await withoutTracing(() => fetch(hubUrl, { method: 'POST', body }));
 */
export function withoutTracing<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}
