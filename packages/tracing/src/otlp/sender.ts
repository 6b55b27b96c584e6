import { context, SpanKind, SpanStatusCode, TraceFlags, type HrTime, type Link, type SpanContext } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { Attributes, LogRecord, SpanKind as RecordKind, SpanRecord, OtlpSenderStats } from '@debugpanel/model';

/**
 * Sends SpanRecords over OTLP/HTTP with the official OpenTelemetry exporters (which bring retry
 * with backoff, timeouts and a concurrency limit). In front of them: a bounded queue, flushed in
 * batches on an unref'd timer, that drops and counts rather than grow when the far side is slow.
 * The exporters (and the OTLP serializer, protobufjs and the SDK packages they bring: ~1.9 MiB of
 * live heap) are imported when a sender is created, not when this module is: a panel that exports
 * nothing never loads them. Items pushed meanwhile wait in the queue as usual.
 */
export interface OtlpSenderOptions {
  /** Full URL of the traces endpoint, e.g. `http://collector:4318/v1/traces` */
  url: string;
  /** Extra request headers (auth) */
  headers?: Record<string, string>;
  /** `protobuf` (default) or `json` */
  protocol?: 'protobuf' | 'json';
  /** Spans waiting to be sent before new ones are dropped (default 10,000) */
  maxQueue?: number;
  /** Spans per request (default 512) */
  batchSize?: number;
  /** Flush interval in ms (default 1,000) */
  intervalMs?: number;
  /** Request timeout in ms (default 10,000) */
  timeoutMs?: number;
}

// The counters are the `sendTo` and `exportTo` sections of `GET {path}/api/stats`: declared in @debugpanel/model.
export type { OtlpSenderStats };

export interface OtlpSender<T = SpanRecord> {
  push(item: T): void;
  flush(): Promise<void>;
  stats(): OtlpSenderStats;
  shutdown(): Promise<void>;
}

const KIND: Record<RecordKind, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};
const STATUS = { unset: SpanStatusCode.UNSET, ok: SpanStatusCode.OK, error: SpanStatusCode.ERROR } as const;
const SCOPE = { name: 'debugpanel' };
const MAX_RESOURCES = 256;

function hrTime(ms: number): HrTime {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

/**
 * A SpanRecord as the SDK's ReadableSpan, the shape the official exporters serialize.
 * Resources are shared per service and resource attributes (the serializer groups by identity).
 */
export function toReadableSpan(span: SpanRecord, resources: Map<string, Resource>) {
  const resKey = span.resource ? `${span.service}\0${JSON.stringify(span.resource)}` : span.service;
  let resource = resources.get(resKey);
  if (!resource) {
    resource = resourceFromAttributes({ ...(span.resource as Attributes | undefined), 'service.name': span.service });
    if (resources.size >= MAX_RESOURCES) resources.clear(); // a cache: rebuilding costs little
    resources.set(resKey, resource);
  }
  const ctx: SpanContext = { traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED };
  const links: Link[] = (span.links ?? []).map((l) => ({
    context: { traceId: l.traceId, spanId: l.spanId, traceFlags: TraceFlags.SAMPLED },
    attributes: (l.attributes ?? {}) as Record<string, never>,
  }));
  return {
    name: span.name,
    kind: KIND[span.kind],
    spanContext: () => ctx,
    parentSpanContext: span.parentSpanId
      ? { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: false }
      : undefined,
    startTime: hrTime(span.startTime),
    endTime: hrTime(span.startTime + span.duration),
    duration: hrTime(span.duration),
    status: span.status.message ? { code: STATUS[span.status.code], message: span.status.message } : { code: STATUS[span.status.code] },
    attributes: span.attributes as Record<string, never>,
    links,
    events: span.events.map((e) => ({ name: e.name, time: hrTime(e.time), attributes: e.attributes as Record<string, never> })),
    ended: true,
    resource,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** A LogRecord as the logs SDK's ReadableLogRecord, the shape the official log exporters serialize. */
export function toReadableLogRecord(r: LogRecord, resources: Map<string, Resource>) {
  let resource = resources.get(r.service);
  if (!resource) {
    resource = resourceFromAttributes({ 'service.name': r.service });
    if (resources.size >= MAX_RESOURCES) resources.clear();
    resources.set(r.service, resource);
  }
  const time = hrTime(r.time);
  return {
    hrTime: time,
    hrTimeObserved: time,
    spanContext: r.traceId ? { traceId: r.traceId, spanId: r.spanId ?? '0000000000000000', traceFlags: TraceFlags.SAMPLED } : undefined,
    severityText: r.severityText,
    severityNumber: r.severityNumber,
    body: r.body,
    resource,
    instrumentationScope: { name: `debugpanel/${r.source}` },
    attributes: r.attributes as Record<string, never>,
    droppedAttributesCount: 0,
  };
}

interface AnyExporter {
  export(items: never, done: (result: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

/**
 * Creates a sender of spans. `push` never blocks or throws; `shutdown` flushes what is queued.
 *
 * @example
 * const sender = createOtlpSender({ url: 'http://localhost:4318/v1/traces' });
 * onSpan = (span) => sender.push(span);
 */
export function createOtlpSender(options: OtlpSenderOptions): OtlpSender {
  const config = exporterConfig(options);
  const exporter =
    options.protocol === 'json'
      ? import('@opentelemetry/exporter-trace-otlp-http').then((m) => new m.OTLPTraceExporter(config))
      : import('@opentelemetry/exporter-trace-otlp-proto').then((m) => new m.OTLPTraceExporter(config));
  return queueSender<SpanRecord>(options, config.url, exporter as Promise<unknown> as Promise<AnyExporter>, toReadableSpan);
}

/**
 * Creates a sender of log records, with the official OTLP log exporters (`url` is the logs
 * endpoint, e.g. `http://collector:4318/v1/logs`). The same queue, batches and counters as spans.
 *
 * @example
 * const logs = createOtlpLogSender({ url: 'http://localhost:4318/v1/logs' });
 * logs.push(record);
 */
export function createOtlpLogSender(options: OtlpSenderOptions): OtlpSender<LogRecord> {
  const config = exporterConfig(options);
  const exporter =
    options.protocol === 'json'
      ? import('@opentelemetry/exporter-logs-otlp-http').then((m) => new m.OTLPLogExporter(config))
      : import('@opentelemetry/exporter-logs-otlp-proto').then((m) => new m.OTLPLogExporter(config));
  return queueSender<LogRecord>(options, config.url, exporter as Promise<unknown> as Promise<AnyExporter>, toReadableLogRecord);
}

function exporterConfig(options: OtlpSenderOptions) {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError(`OTLP url "${options.url}" is not a valid URL (expected e.g. http://collector:4318/v1/traces)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`OTLP url "${options.url}" must be http: or https:`);
  }
  return { url: url.href, headers: options.headers ?? {}, timeoutMillis: options.timeoutMs ?? 10_000, concurrencyLimit: 4 };
}

/** The bounded queue in front of an official exporter, flushed in batches on an unref'd timer. */
function queueSender<T>(
  options: OtlpSenderOptions,
  url: string,
  loading: Promise<AnyExporter>,
  toReadable: (item: T, resources: Map<string, Resource>) => unknown,
): OtlpSender<T> {
  const maxQueue = options.maxQueue ?? 10_000;
  const batchSize = options.batchSize ?? 512;
  const resources = new Map<string, Resource>();
  let queue: T[] = [];
  const s: OtlpSenderStats = { url, queued: 0, sent: 0, dropped: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();

  // An exporter that failed to load (a broken install) fails each batch, counted, as a failed send would.
  let loadError: Error | undefined;
  const ready = loading.then(
    (e) => e,
    (err: Error) => {
      loadError = err;
      return undefined;
    },
  );

  function exportBatch(batch: T[]): Promise<void> {
    const p = ready.then((exporter) => new Promise<void>((resolve) => {
      if (exporter === undefined) {
        s.failed += batch.length;
        s.lastError = `OTLP exporter did not load: ${loadError?.message ?? 'unknown error'}`;
        return resolve();
      }
      // The exporter's own HTTP requests must not become client spans of the app.
      context.with(suppressTracing(context.active()), () => {
        try {
          exporter.export(
            batch.map((r) => toReadable(r, resources)) as never,
            (result) => {
              if (result.code === ExportResultCode.SUCCESS) s.sent += batch.length;
              else {
                s.failed += batch.length;
                s.lastError = result.error?.message ?? 'export failed';
              }
              resolve();
            },
          );
        } catch (err) {
          s.failed += batch.length;
          s.lastError = (err as Error).message;
          resolve();
        }
      });
    }));
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
    return p;
  }

  function drain(): Promise<void> {
    const sends: Promise<void>[] = [];
    while (queue.length > 0) {
      const batch = queue.length <= batchSize ? queue : queue.slice(0, batchSize);
      queue = queue.length <= batchSize ? [] : queue.slice(batchSize);
      sends.push(exportBatch(batch));
    }
    return Promise.all(sends).then(() => undefined);
  }

  const timer = setInterval(() => void drain(), options.intervalMs ?? 1000);
  timer.unref();

  return {
    push(item) {
      if (queue.length >= maxQueue) {
        s.dropped++;
        return;
      }
      queue.push(item);
      if (queue.length >= batchSize && inFlight.size < 4) void drain();
    },
    async flush() {
      await drain();
      await Promise.all([...inFlight]);
    },
    stats: () => ({ ...s, queued: queue.length }),
    async shutdown() {
      clearInterval(timer);
      await this.flush();
      await (await ready)?.shutdown();
    },
  };
}
