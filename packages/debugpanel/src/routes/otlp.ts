/**
 * `POST {path}/v1/traces` and `POST {path}/v1/logs`: the hub's OTLP/HTTP receivers, answering as the OTLP/HTTP
 * specification says: 200 with an ExportTraceServiceResponse in the request's encoding
 * (partialSuccess when some spans were rejected), 400 for a body that is not an
 * ExportTraceServiceRequest, 413 over the size limit (before and after gunzip), 415 for other
 * content types or encodings, 429 with Retry-After when the hub is saturated.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzip } from 'node:zlib';
import type { HubStats, LogRecord, OtlpErrorResponse, SpanRecord } from '@debugpanel/model';
// The codec (protobufjs and the generated OTLP messages, ~0.5 MiB of live heap) is imported by
// the hub feature only: a panel without `hub` never loads it.
type OtlpCodec = typeof import('@debugpanel/tracing/otlp');
import { BodyError, consumedBody, readBodyBytes } from '../http.js';
import type { PanelFeature, PanelRoute } from './registry.js';

export interface HubOptions {
  /** Largest request body, compressed or not (default 4 MiB) */
  maxBodyBytes: number;
  /** Requests decoded at once before answering 429 (default 4) */
  maxConcurrent: number;
  /** Spans accepted per second before answering 429 (default 50,000) */
  maxSpansPerSecond: number;
}

/** The hub's counters: the `hub` section of `GET {path}/api/stats` (declared in @debugpanel/model). */
export type HubCounters = HubStats;

type Encoding = 'protobuf' | 'json';

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function contentKind(req: IncomingMessage): Encoding | undefined {
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/x-protobuf' || ct === 'application/protobuf') return 'protobuf';
  if (ct === 'application/json') return 'json';
  return undefined;
}

function inflate(body: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxOutputLength stops a gzip bomb at the limit instead of inflating it into memory.
    gunzip(body, { maxOutputLength: limit }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        return reject(new HttpError(413, `gzip body inflates past the hub's limit of ${limit} bytes`));
      }
      reject(new HttpError(400, `malformed gzip body: ${err.message}`));
    });
  });
}

/** google.rpc.Status-shaped error body; JSON for JSON requests, plain JSON otherwise too (readable by any client). */
function sendStatus(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  const body: OtlpErrorResponse = { code: status === 429 ? 8 : 3, message, error: message };
  res.end(JSON.stringify(body));
}

/** One signal's decoding: items accepted, items rejected and the response body. */
type Receive = (codec: OtlpCodec, kind: Encoding, body: Buffer) => { accepted: number; rejected: number; payload: Uint8Array | string };

let codecLoad: Promise<OtlpCodec> | undefined;
/** The OTLP codec, imported on first use (shared by every panel of the process). */
export function loadOtlpCodec(): Promise<OtlpCodec> {
  // a failed load is tried again by the next request, not cached as a rejection for good
  codecLoad ??= import('@debugpanel/tracing/otlp').catch((err: unknown) => {
    codecLoad = undefined;
    throw err;
  });
  return codecLoad;
}

/**
 * The receivers. `ingest` gets the decoded spans of each accepted request (the panel's pipeline:
 * the same sampler and store as local spans); `ingestLogs`, when logs are on, the decoded log
 * records of `/v1/logs` (same limits, 4xx rules and rate budget as spans: one record counts as one span).
 */
export function otlpRoutes(
  opts: HubOptions,
  counters: HubCounters,
  ingest: (spans: SpanRecord[]) => void,
  ingestLogs?: (logs: LogRecord[]) => void,
): PanelRoute[] {
  let active = 0;
  let windowStart = 0;
  let windowSpans = 0;

  const traces: Receive = ({ decodeOtlpProtobuf, decodeOtlpJson, encodeOtlpResponse }, kind, body) => {
    const decoded = kind === 'protobuf' ? decodeOtlpProtobuf(body) : decodeOtlpJson(body);
    counters.acceptedSpans += decoded.spans.length;
    counters.rejectedSpans += decoded.rejectedSpans;
    if (decoded.spans.length > 0) ingest(decoded.spans);
    return { accepted: decoded.spans.length, rejected: decoded.rejectedSpans, payload: encodeOtlpResponse(kind, decoded.rejectedSpans, decoded.errorMessage ?? '') };
  };
  const logs: Receive = ({ decodeOtlpLogsProtobuf, decodeOtlpLogsJson, encodeOtlpLogsResponse }, kind, body) => {
    const decoded = kind === 'protobuf' ? decodeOtlpLogsProtobuf(body) : decodeOtlpLogsJson(body);
    counters.acceptedLogRecords += decoded.logs.length;
    counters.rejectedLogRecords += decoded.rejectedLogRecords;
    if (decoded.logs.length > 0) ingestLogs!(decoded.logs);
    return { accepted: decoded.logs.length, rejected: decoded.rejectedLogRecords, payload: encodeOtlpLogsResponse(kind, decoded.rejectedLogRecords, decoded.errorMessage ?? '') };
  };

  const route = (path: string, receive: Receive): PanelRoute => ({
      method: 'POST',
      path,
      // Services send batches every second: not one audit line each.
      audit: false,
      async handle({ req, res }) {
        counters.requests++;
        const kind = contentKind(req);
        if (!kind) {
          counters.badRequests++;
          return sendStatus(res, 415, `unsupported content-type "${req.headers['content-type'] ?? ''}": send application/x-protobuf or application/json`);
        }
        const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
        if (encoding !== 'gzip' && encoding !== 'identity') {
          counters.badRequests++;
          return sendStatus(res, 415, `unsupported content-encoding "${encoding}": send gzip or none`);
        }
        const now = Date.now();
        if (now - windowStart >= 1000) {
          windowStart = now;
          windowSpans = 0;
        }
        if (active >= opts.maxConcurrent || windowSpans >= opts.maxSpansPerSecond) {
          counters.throttled++;
          req.resume();
          return sendStatus(res, 429, 'hub is saturated; retry later', { 'retry-after': '1' });
        }
        active++;
        try {
          // A body parser before the panel (express.raw/json) already inflated what it read.
          const inflated = consumedBody(req) !== undefined;
          let body = await readBodyBytes(req, opts.maxBodyBytes);
          if (encoding === 'gzip' && !inflated) body = await inflate(body, opts.maxBodyBytes);
          const codec = await loadOtlpCodec();
          let received: ReturnType<Receive>;
          try {
            received = receive(codec, kind, body);
          } catch (err) {
            if (err instanceof codec.OtlpDecodeError) throw new HttpError(400, err.message);
            throw err;
          }
          windowSpans += received.accepted;
          const payload = received.payload;
          res.writeHead(200, {
            'content-type': kind === 'json' ? 'application/json' : 'application/x-protobuf',
            'cache-control': 'no-store',
          });
          res.end(payload);
        } catch (err) {
          if (err instanceof HttpError || err instanceof BodyError) {
            counters.badRequests++;
            const closes = err.status === 413 || err.status === 408;
            sendStatus(res, err.status, err instanceof BodyError && err.status === 413 ? `${err.message}; send smaller batches` : err.message, closes ? { connection: 'close' } : {});
            return;
          }
          throw err;
        } finally {
          active--;
        }
      },
  });
  return ingestLogs ? [route('/v1/traces', traces), route('/v1/logs', logs)] : [route('/v1/traces', traces)];
}

/** The hub feature: present only with `debugPanel({ hub: true })`. */
export const hub: PanelFeature = (ctx) => {
  if (!ctx.options.hub) return [];
  // started now, so that the first request finds it loaded; a failure surfaces there (a 500)
  loadOtlpCodec().catch(() => undefined);
  const counters: HubCounters = { requests: 0, acceptedSpans: 0, rejectedSpans: 0, acceptedLogRecords: 0, rejectedLogRecords: 0, badRequests: 0, throttled: 0 };
  ctx.stats.hub = () => ({ ...counters });
  const logs = ctx.logs;
  return otlpRoutes(ctx.options.hub, counters, (spans) => ctx.ingest(spans), logs && ((records) => {
    logs.received += records.length;
    logs.ingest(records);
  }));
};
