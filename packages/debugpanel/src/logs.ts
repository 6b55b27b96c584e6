/**
 * The panel's logs: the bounded log store and the one way records enter it, for captured lines of
 * this process and for OTLP logs from others alike (redacted, stored, streamed as one `log` event
 * per batch). Errors that log calls carried are handed to `errorListeners` (the errors engine hooks in there).
 */
import type { LogRecord, Redactor } from '@debugpanel/model';
import { LogStore } from '@debugpanel/logs';
import type { SpanStore } from '@debugpanel/span-store';
import type { ResolvedOptions } from './options.js';
import type { SseHub } from './sse.js';

export interface PanelLogs {
  readonly store: LogStore;
  /** Redacts each record's body and attributes (in place), stores the batch and streams what was stored. */
  ingest(records: LogRecord[]): void;
  /**
   * Hook for error grouping: each listener gets every `Error` object a captured log call carried
   * (`console.error(err)`, `logger.error(err)`), with the record it was logged in.
   */
  readonly errorListeners: Set<(error: Error, record: LogRecord) => void>;
  /** Records received over OTLP (hub), for stats */
  received: number;
}

export function createPanelLogs(
  options: NonNullable<ResolvedOptions['logs']>,
  spans: SpanStore,
  sse: SseHub,
  redactor: Redactor,
): PanelLogs {
  const store = new LogStore({
    ...(options.maxRecords !== undefined ? { maxRecords: options.maxRecords } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    // The span store holds exactly the traces the tail sampler kept.
    isKept: (traceId) => spans.has(traceId),
  });
  return {
    store,
    errorListeners: new Set(),
    received: 0,
    ingest(records) {
      const stored: LogRecord[] = [];
      for (const r of records) {
        r.body = redactor.string(r.body);
        r.attributes = redactor.attributes(r.attributes);
        if (store.add(r)) stored.push(r);
      }
      if (stored.length > 0 && sse.size > 0) sse.publish('log', stored);
    },
  };
}
