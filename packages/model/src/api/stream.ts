/**
 * `GET {path}/api/stream`: Server-Sent Events. Each event's `data` is JSON of the type named here,
 * so a client parses `event.data` as `StreamEvents[event.type]`.
 */
import type { LogRecord } from '../logs.js';
import type { TraceSummary } from '../query.js';

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
  /** Log records stored since the last `log` event (one event per captured batch), oldest first. */
  log: LogRecord[];
}

export type StreamEventName = keyof StreamEvents;
