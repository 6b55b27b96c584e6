/**
 * @debugpanel/logs: `LogStore`, the bounded in-memory store of log records beside the span store:
 * a count and a byte budget (oldest evicted first, the logs of kept traces last), an index by
 * trace id, and paged queries by trace, span, service, severity, text, attribute and time.
 *
 * @example
 * import { LogStore } from '@debugpanel/logs';
 * const logs = new LogStore({ maxRecords: 50_000, isKept: (traceId) => spans.has(traceId) });
 * logs.add(record);
 * logs.query({ traceId, severity: 13 }).logs; // newest first
 */
export { LogStore, estimateLogBytes } from './log-store.js';
export type { LogStoreOptions } from './log-store.js';
