/**
 * @debugpanel/tracing: the panel's OpenTelemetry wiring. A global TracerProvider of native spans
 * (the API's Span over a SpanRecord), strict W3C Trace Context propagation, server spans for
 * node:http requests, client spans for outgoing http/https/fetch and better-sqlite3, and the
 * SpanRecord converter plus span processor for an app's own SDK provider.
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
export { parseTracestate, W3CTraceState } from './tracestate.js';
export { TraceContextPropagator } from './propagator.js';
export { instrumentBetterSqlite3 } from './sqlite.js';
export { NO_TRACE_HEADER } from './client-span.js';
export { withoutTracing } from './suppress.js';
export { outsideTraces } from './processor.js';
export { exceptionAttributes } from './exception.js';
export { markFault, faultError } from './faults.js';

export { MAX_QUERY_TEXT, CALL_SITE_FIRST, CALL_SITE_EVERY, captureCallSite } from './db-common.js';
export { preloadDatabaseInstrumentation, instrumentPg, instrumentMysql2 } from './db-public.js';
export { instrumentPino, pinoSeverity } from './logs/index.js';
export type { LogCaptureOptions } from './logs/index.js';
