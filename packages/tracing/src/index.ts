/**
 * @debugpanel/tracing: the panel's OpenTelemetry wiring. A global TracerProvider with the panel's
 * span processor, W3C propagation, server spans for node:http requests, client spans for
 * outgoing http/https/fetch and better-sqlite3, and the SpanRecord converter.
 *
 * @example
 * import { setupTracing } from '@debugpanel/tracing';
 * const tracing = setupTracing({ service: 'orders', onSpan: (span) => console.log(span.name) });
 */
export {
  setupTracing,
  debugPanelSpanProcessor,
  type PanelTracing,
  type PanelTracingOptions,
  type PanelTracingStats,
} from './setup.js';
export type { ServerSpan } from './server-span.js';
export { toSpanRecord, hrTimeToMs } from './convert.js';
export { parseTraceparent, type ParsedTraceparent } from './traceparent.js';
export { instrumentBetterSqlite3 } from './sqlite.js';
export { NO_TRACE_HEADER } from './client-span.js';
export { withoutTracing } from './suppress.js';
export { exceptionAttributes } from './exception.js';
