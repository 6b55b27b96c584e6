/**
 * `GET {path}/api/stream`: Server-Sent Events. Each event's `data` is JSON of the type named here,
 * so a client parses `event.data` as `StreamEvents[event.type]`.
 */
import type { LogRecord } from '../logs.js';
import type { TraceSummary } from '../query.js';
import type { AlertNotification, IncidentSummary } from './insights.js';

/** `event: hello`, once on connecting: who is talking. */
export interface StreamHello {
  service: string;
  version: string;
}

/** Event name -> the JSON its `data` carries. */
export interface StreamEvents {
  hello: StreamHello;
  /** A trace was kept (or grew): its current summary. One trace may come several times. */
  trace: TraceSummary;
  /** An incident opened, changed state or got a new ranking */
  insight: IncidentSummary;
  /** A notification: an incident started firing or resolved (deduplicated, rate-limited) */
  alert: AlertNotification;
  /** Log records stored since the last `log` event (one event per captured batch), oldest first. */
  log: LogRecord[];
}

export type StreamEventName = keyof StreamEvents;
