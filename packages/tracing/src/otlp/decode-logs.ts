/**
 * OTLP/HTTP logs ingest: an `ExportLogsServiceRequest` (protobuf or JSON) into LogRecords, with
 * the same limits, 400 rules and partialSuccess as trace ingest (one Walker reads both). A record
 * keeps its trace and span ids when they are valid, its time (`timeUnixNano`, else
 * `observedTimeUnixNano`), severity, body (string, or other AnyValues as JSON text) and attributes.
 */
import { MAX_LOG_BODY, severityName, type LogRecord } from '@debugpanel/model';
import { OtlpDecodeError, Walker, type OtlpDecodeLimits } from './decode.js';
import { ExportLogsServiceRequest, ExportLogsServiceResponse } from './proto.js';

export interface OtlpLogsDecodeResult {
  logs: LogRecord[];
  /** records refused one by one (bad ids, wrong types) */
  rejectedLogRecords: number;
  errorMessage?: string;
}

type Obj = Record<string, unknown>;
const HEX32 = /^[0-9a-fA-F]{32}$/;
const HEX16 = /^[0-9a-fA-F]{16}$/;
const SEVERITY_NAMES: Record<string, number> = Object.fromEntries(
  Array.from({ length: 25 }, (_, n) => [n === 0 ? 'SEVERITY_NUMBER_UNSPECIFIED' : `SEVERITY_NUMBER_${severityName(n)}`, n]),
);

function record(w: Walker, o: unknown, service: string, scope: Obj | undefined): LogRecord | undefined {
  if (!o || typeof o !== 'object') return w.reject('a log record is not an object'), undefined;
  const r = o as Obj;
  const traceId = w.id(r.traceId, HEX32);
  const spanId = w.id(r.spanId, HEX16);
  if (traceId === undefined || spanId === undefined) return w.reject('invalid traceId or spanId'), undefined;
  const time = w.nanosToMs(r.timeUnixNano);
  const observed = w.nanosToMs(r.observedTimeUnixNano);
  if (time === undefined || observed === undefined) return w.reject('invalid timeUnixNano'), undefined;
  const severity = w.enumValue(r.severityNumber, SEVERITY_NAMES);
  if (severity === undefined || severity < 0 || severity > 24) return w.reject('invalid severityNumber'), undefined;
  const attributes = w.attributes(r.attributes);
  if (!attributes) return w.reject('invalid log attributes'), undefined;
  let body = '';
  if (r.body !== undefined && r.body !== null) {
    const v = w.anyValue(r.body, 0);
    body = v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  if (body.length > MAX_LOG_BODY) body = body.slice(0, MAX_LOG_BODY - 1) + '…';
  if (scope) {
    const name = w.str(scope.name);
    if (name) attributes['otel.scope.name'] = name;
  }
  const eventName = w.str(r.eventName);
  if (eventName) attributes['event.name'] = eventName;
  const n = severity === 0 ? 9 : severity;
  const out: LogRecord = {
    service,
    time: time || observed || Date.now(),
    severityNumber: n,
    severityText: w.str(r.severityText) || severityName(n),
    body,
    attributes,
    source: 'otlp',
  };
  if (traceId && !/^0+$/.test(traceId)) {
    out.traceId = traceId;
    if (spanId && !/^0+$/.test(spanId)) out.spanId = spanId;
  }
  return out;
}

function walk(w: Walker, req: unknown): LogRecord[] {
  if (!req || typeof req !== 'object' || Array.isArray(req)) throw new OtlpDecodeError('body is not an ExportLogsServiceRequest object');
  const rl = (req as Obj).resourceLogs;
  if (rl === undefined || rl === null) return [];
  if (!Array.isArray(rl)) throw new OtlpDecodeError('resourceLogs must be an array');
  const out: LogRecord[] = [];
  for (const r of rl) {
    const { service } = w.resource(r, 'resourceLogs');
    const scopeLogs = (r as Obj).scopeLogs;
    if (scopeLogs === undefined || scopeLogs === null) continue;
    if (!Array.isArray(scopeLogs)) throw new OtlpDecodeError('scopeLogs must be an array');
    for (const sl of scopeLogs) {
      if (!sl || typeof sl !== 'object') throw new OtlpDecodeError('each scopeLogs item must be an object');
      const records = (sl as Obj).logRecords;
      if (records === undefined || records === null) continue;
      if (!Array.isArray(records)) throw new OtlpDecodeError('logRecords must be an array');
      const scope = (sl as Obj).scope as Obj | undefined;
      for (const lr of records) {
        if (out.length + w.rejected >= w.maxSpans) throw new OtlpDecodeError(`more than ${w.maxSpans} log records in one request; send smaller batches`);
        const rec = record(w, lr, service, scope && typeof scope === 'object' ? scope : undefined);
        if (rec) out.push(rec);
      }
    }
  }
  return out;
}

function result(w: Walker, logs: LogRecord[]): OtlpLogsDecodeResult {
  const r: OtlpLogsDecodeResult = { logs, rejectedLogRecords: w.rejected };
  if (w.reasons.length) r.errorMessage = `rejected ${w.rejected} log records: ${w.reasons.join('; ')}`;
  return r;
}

/** Decodes a protobuf ExportLogsServiceRequest; throws OtlpDecodeError (a 400) when it is not one. */
export function decodeOtlpLogsProtobuf(body: Uint8Array, limits: OtlpDecodeLimits = {}): OtlpLogsDecodeResult {
  let msg: Obj;
  try {
    msg = ExportLogsServiceRequest.decode(body) as unknown as Obj;
  } catch (err) {
    throw new OtlpDecodeError(`malformed protobuf: ${(err as Error).message}`);
  }
  const rl = msg.resourceLogs;
  if (body.length > 0 && (!Array.isArray(rl) || rl.length === 0)) throw new OtlpDecodeError('body holds no resourceLogs: not an ExportLogsServiceRequest');
  const w = new Walker(limits, false);
  return result(w, walk(w, msg));
}

/** Decodes a JSON ExportLogsServiceRequest (the OTLP JSON mapping: hex ids, int64 as strings). */
export function decodeOtlpLogsJson(body: string | Uint8Array, limits: OtlpDecodeLimits = {}): OtlpLogsDecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`malformed JSON: ${(err as Error).message}`);
  }
  const w = new Walker(limits, true);
  return result(w, walk(w, parsed));
}

/** The ExportLogsServiceResponse in the request's encoding (partialSuccess when records were rejected). */
export function encodeOtlpLogsResponse(kind: 'json' | 'protobuf', rejectedLogRecords = 0, errorMessage = ''): Uint8Array | string {
  const partial = rejectedLogRecords > 0 ? { rejectedLogRecords, errorMessage } : undefined;
  if (kind === 'json') return JSON.stringify(partial ? { partialSuccess: { rejectedLogRecords: String(rejectedLogRecords), errorMessage } } : {});
  const T = ExportLogsServiceResponse;
  return T.encode(T.fromObject(partial ? { partialSuccess: partial } : {})).finish();
}
