/**
 * The JSON form of a span that every debugpanel package, the JSON API and the UI share.
 * Times are milliseconds: `startTime` since the Unix epoch, `duration` as a float.
 */
export type SpanKind = 'server' | 'client' | 'internal' | 'producer' | 'consumer';

export type StatusCode = 'unset' | 'ok' | 'error';

export type AttributePrimitive = string | number | boolean;
export type AttributeValue = AttributePrimitive | ReadonlyArray<AttributePrimitive | null>;
export type Attributes = Record<string, AttributeValue>;

export interface SpanStatus {
  code: StatusCode;
  message?: string;
}

export interface SpanEvent {
  name: string;
  /** ms since epoch */
  time: number;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes?: Attributes;
}

export interface SpanRecord {
  /** 32 lower-case hex characters, not all zero */
  traceId: string;
  /** 16 lower-case hex characters, not all zero */
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  /** `service.name` of the process that recorded the span */
  service: string;
  /** ms since epoch, float */
  startTime: number;
  /** ms, float */
  duration: number;
  status: SpanStatus;
  attributes: Attributes;
  events: SpanEvent[];
  links?: SpanLink[];
  /** Resource attributes other than `service.name` (instance id, SDK name/version), when known. */
  resource?: Attributes;
}

/** End time of a span in ms since epoch. */
export function spanEnd(span: Pick<SpanRecord, 'startTime' | 'duration'>): number {
  return span.startTime + span.duration;
}
