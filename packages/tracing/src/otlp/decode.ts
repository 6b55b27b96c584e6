import type { Attributes, AttributeValue, SpanEvent, SpanKind, SpanLink, SpanRecord, StatusCode, OtlpExportResponse } from '@debugpanel/model';
import { ExportTraceServiceRequest, ExportTraceServiceResponse } from './proto.js';

/**
 * OTLP/HTTP trace ingest: ExportTraceServiceRequest (protobuf or JSON) -> SpanRecords.
 *
 * Protobuf is decoded by protobufjs with static code generated at build time from the official
 * opentelemetry-proto schema (see proto.ts), never by hand. Both encodings then go through one
 * validating walk that treats every field as untrusted: wrong types are refused with a message,
 * ids are checked span by span (a bad span is rejected, not the batch), strings, attribute
 * counts and nesting are bounded.
 */

export interface OtlpDecodeLimits {
  /** spans in one request (default 20,000) */
  maxSpans?: number;
  /** attributes per span, resource or event (default 128) */
  maxAttributes?: number;
  /** characters per string value; longer ones are cut (default 4,096) */
  maxStringLength?: number;
  /** events and links per span (default 128) */
  maxEvents?: number;
  /** nesting of array/kvlist values (default 4) */
  maxDepth?: number;
}

export interface OtlpDecodeResult {
  spans: SpanRecord[];
  /** spans refused one by one (bad ids, wrong types) */
  rejectedSpans: number;
  /** why, for the `partialSuccess.errorMessage` (the first few reasons) */
  errorMessage?: string;
}

/** A body that cannot be read as an ExportTraceServiceRequest at all: a 400. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

const KIND: Record<number, SpanKind> = { 0: 'internal', 1: 'internal', 2: 'server', 3: 'client', 4: 'producer', 5: 'consumer' };
const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4, SPAN_KIND_CONSUMER: 5,
};
const STATUS: Record<number, StatusCode> = { 0: 'unset', 1: 'ok', 2: 'error' };
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

const HEX32 = /^[0-9a-fA-F]{32}$/;
const HEX16 = /^[0-9a-fA-F]{16}$/;

type Obj = Record<string, unknown>;

export class Walker {
  readonly maxSpans: number;
  readonly maxAttributes: number;
  readonly maxString: number;
  readonly maxEvents: number;
  readonly maxDepth: number;
  readonly json: boolean;
  rejected = 0;
  reasons: string[] = [];

  constructor(limits: OtlpDecodeLimits, json: boolean) {
    this.maxSpans = limits.maxSpans ?? 20_000;
    this.maxAttributes = limits.maxAttributes ?? 128;
    this.maxString = limits.maxStringLength ?? 4096;
    this.maxEvents = limits.maxEvents ?? 128;
    this.maxDepth = limits.maxDepth ?? 4;
    this.json = json;
  }

  reject(reason: string): void {
    this.rejected++;
    if (this.reasons.length < 5 && !this.reasons.includes(reason)) this.reasons.push(reason);
  }

  str(v: unknown): string {
    if (typeof v !== 'string') return '';
    return v.length > this.maxString ? v.slice(0, this.maxString) : v;
  }

  /** A trace or span id: bytes in protobuf, case-insensitive hex in JSON. '' when absent. */
  id(v: unknown, hex: RegExp): string | undefined {
    if (v === undefined || v === null || v === '') return '';
    if (typeof v === 'string') return this.json && hex.test(v) ? v.toLowerCase() : undefined;
    if (v instanceof Uint8Array) {
      if (v.length === 0) return '';
      const s = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
      return hex.test(s) ? s : undefined;
    }
    return undefined;
  }

  /** fixed64 nanoseconds -> ms. protobufjs gives a Long (or number); JSON a decimal string or number. */
  nanosToMs(v: unknown): number | undefined {
    if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v / 1e6 : undefined;
    if (typeof v === 'string') {
      if (!/^\d{1,20}$/.test(v)) return undefined;
      return Number(v) / 1e6;
    }
    if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
      const l = v as { low: number; high: number };
      return ((l.high >>> 0) * 4294967296 + (l.low >>> 0)) / 1e6;
    }
    if (v === undefined || v === null) return 0;
    return undefined;
  }

  int(v: unknown): number | undefined {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return Number(v);
    if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
      const l = v as { low: number; high: number };
      return l.high * 4294967296 + (l.low >>> 0);
    }
    return undefined;
  }

  enumValue(v: unknown, names: Record<string, number>): number | undefined {
    if (v === undefined || v === null) return 0;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && v in names) return names[v];
    return undefined;
  }

  anyValue(v: unknown, depth: number): AttributeValue | undefined {
    if (!v || typeof v !== 'object') return undefined;
    const a = v as Obj;
    // Own properties only: decoded protobuf messages keep oneof defaults on their prototype.
    const has = (k: string) => Object.prototype.hasOwnProperty.call(a, k) && a[k] !== null && a[k] !== undefined;
    if (has('stringValue')) return typeof a.stringValue === 'string' ? this.str(a.stringValue) : undefined;
    if (has('boolValue')) return typeof a.boolValue === 'boolean' ? a.boolValue : undefined;
    if (has('intValue')) return this.int(a.intValue);
    if (has('doubleValue')) return typeof a.doubleValue === 'number' ? a.doubleValue : undefined;
    if (has('bytesValue')) {
      const b = a.bytesValue;
      if (b instanceof Uint8Array) return Buffer.from(b).toString('base64').slice(0, this.maxString);
      return typeof b === 'string' ? this.str(b) : undefined;
    }
    if (has('arrayValue') && typeof a.arrayValue === 'object') {
      const values = (a.arrayValue as Obj).values;
      if (values === undefined) return [];
      if (!Array.isArray(values)) return undefined;
      if (depth >= this.maxDepth) return '[nested too deep]';
      const out: Array<string | number | boolean | null> = [];
      for (const item of values.slice(0, this.maxAttributes)) {
        const x = this.anyValue(item, depth + 1);
        // Our attribute arrays are flat: nested arrays and maps become their JSON text.
        out.push(x === undefined ? null : Array.isArray(x) ? JSON.stringify(x) : (x as string | number | boolean));
      }
      return out;
    }
    if (has('kvlistValue') && typeof a.kvlistValue === 'object') {
      if (depth >= this.maxDepth) return '[nested too deep]';
      const attrs = this.attributes((a.kvlistValue as Obj).values, depth + 1);
      return attrs === undefined ? undefined : this.str(JSON.stringify(attrs));
    }
    return undefined; // an empty AnyValue: the attribute is dropped
  }

  /** KeyValue[] -> Attributes; undefined when the field has the wrong type. */
  attributes(list: unknown, depth = 0): Attributes | undefined {
    const out: Attributes = {};
    if (list === undefined || list === null) return out;
    if (!Array.isArray(list)) return undefined;
    let n = 0;
    for (const kv of list) {
      if (!kv || typeof kv !== 'object') return undefined;
      const key = (kv as Obj).key;
      if (typeof key !== 'string') return undefined;
      if (++n > this.maxAttributes) break;
      const value = this.anyValue((kv as Obj).value, depth);
      if (value !== undefined) out[key.slice(0, 256)] = value;
    }
    return out;
  }

  span(s: unknown, service: string, resource: Attributes | undefined, scope: Obj | undefined): SpanRecord | undefined {
    if (!s || typeof s !== 'object') return this.reject('a span is not an object'), undefined;
    const o = s as Obj;
    const traceId = this.id(o.traceId, HEX32);
    const spanId = this.id(o.spanId, HEX16);
    const parent = this.id(o.parentSpanId, HEX16);
    if (!traceId || /^0+$/.test(traceId)) return this.reject('invalid traceId'), undefined;
    if (!spanId || /^0+$/.test(spanId)) return this.reject('invalid spanId'), undefined;
    if (parent === undefined) return this.reject('invalid parentSpanId'), undefined;
    const start = this.nanosToMs(o.startTimeUnixNano);
    const end = this.nanosToMs(o.endTimeUnixNano);
    if (start === undefined || end === undefined) return this.reject('invalid start or end time'), undefined;
    const kind = KIND[this.enumValue(o.kind, KIND_NAMES) ?? -1];
    if (!kind) return this.reject('invalid span kind'), undefined;
    const attributes = this.attributes(o.attributes);
    if (!attributes) return this.reject('invalid span attributes'), undefined;
    const st = (o.status ?? {}) as Obj;
    const statusCode = STATUS[this.enumValue(st.code, STATUS_NAMES) ?? -1];
    if (!statusCode) return this.reject('invalid status code'), undefined;

    const events: SpanEvent[] = [];
    if (o.events !== undefined && o.events !== null) {
      if (!Array.isArray(o.events)) return this.reject('invalid events'), undefined;
      for (const e of o.events.slice(0, this.maxEvents)) {
        const eo = (e ?? {}) as Obj;
        const time = this.nanosToMs(eo.timeUnixNano);
        const ea = this.attributes(eo.attributes);
        if (time === undefined || !ea) return this.reject('invalid event'), undefined;
        events.push({ name: this.str(eo.name), time, attributes: ea });
      }
    }
    let links: SpanLink[] | undefined;
    if (Array.isArray(o.links) && o.links.length > 0) {
      links = [];
      for (const l of o.links.slice(0, this.maxEvents)) {
        const lo = (l ?? {}) as Obj;
        const lt = this.id(lo.traceId, HEX32);
        const ls = this.id(lo.spanId, HEX16);
        if (!lt || !ls) continue; // a bad link is dropped, the span stays
        const la = this.attributes(lo.attributes);
        links.push(la && Object.keys(la).length ? { traceId: lt, spanId: ls, attributes: la } : { traceId: lt, spanId: ls });
      }
    }
    if (scope) {
      const name = this.str(scope.name);
      if (name) attributes['otel.scope.name'] = name;
      const version = this.str(scope.version);
      if (version) attributes['otel.scope.version'] = version;
    }
    const rec: SpanRecord = {
      traceId,
      spanId,
      name: this.str(o.name) || '(unnamed)',
      kind,
      service,
      startTime: start,
      duration: Math.max(0, end - start),
      status: statusCode === 'error' && st.message ? { code: statusCode, message: this.str(st.message) } : { code: statusCode },
      attributes,
      events,
    };
    if (parent) rec.parentSpanId = parent;
    if (links && links.length) rec.links = links;
    if (resource && Object.keys(resource).length) rec.resource = resource;
    return rec;
  }

  /** One item of `resourceSpans` / `resourceLogs`: its resource attributes and `service.name`. */
  resource(r: unknown, list: string): { attributes: Attributes; service: string } {
    if (!r || typeof r !== 'object') throw new OtlpDecodeError(`each ${list} item must be an object`);
    const attributes = this.attributes(((r as Obj).resource as Obj | undefined)?.attributes);
    if (!attributes) throw new OtlpDecodeError('resource.attributes must be an array of {key, value}');
    const name = attributes['service.name'];
    return { attributes, service: typeof name === 'string' && name ? name : 'unknown_service' };
  }

  request(req: unknown): SpanRecord[] {
    if (!req || typeof req !== 'object' || Array.isArray(req)) throw new OtlpDecodeError('body is not an ExportTraceServiceRequest object');
    const rs = (req as Obj).resourceSpans;
    if (rs === undefined || rs === null) return [];
    if (!Array.isArray(rs)) throw new OtlpDecodeError('resourceSpans must be an array');
    const out: SpanRecord[] = [];
    for (const r of rs) {
      const { attributes: resAttrs, service } = this.resource(r, 'resourceSpans');
      delete resAttrs['service.name'];
      const scopeSpans = (r as Obj).scopeSpans;
      if (scopeSpans === undefined || scopeSpans === null) continue;
      if (!Array.isArray(scopeSpans)) throw new OtlpDecodeError('scopeSpans must be an array');
      for (const ss of scopeSpans) {
        if (!ss || typeof ss !== 'object') throw new OtlpDecodeError('each scopeSpans item must be an object');
        const spans = (ss as Obj).spans;
        if (spans === undefined || spans === null) continue;
        if (!Array.isArray(spans)) throw new OtlpDecodeError('spans must be an array');
        const scope = (ss as Obj).scope as Obj | undefined;
        for (const s of spans) {
          if (out.length + this.rejected >= this.maxSpans) {
            throw new OtlpDecodeError(`more than ${this.maxSpans} spans in one request; send smaller batches`);
          }
          const rec = this.span(s, service, resAttrs, scope && typeof scope === 'object' ? scope : undefined);
          if (rec) out.push(rec);
        }
      }
    }
    return out;
  }
}

function result(w: Walker, spans: SpanRecord[]): OtlpDecodeResult {
  const r: OtlpDecodeResult = { spans, rejectedSpans: w.rejected };
  if (w.rejected) r.errorMessage = `${w.rejected} span(s) rejected: ${w.reasons.join('; ')}`;
  return r;
}

/**
 * Decodes an OTLP/HTTP protobuf body (already un-gzipped).
 *
 * @example
 * const { spans, rejectedSpans } = decodeOtlpProtobuf(body);
 */
export function decodeOtlpProtobuf(body: Uint8Array, limits: OtlpDecodeLimits = {}): OtlpDecodeResult {
  let msg: Record<string, unknown>;
  try {
    msg = ExportTraceServiceRequest.decode(body) as unknown as Record<string, unknown>;
  } catch (err) {
    throw new OtlpDecodeError(`malformed protobuf: ${(err as Error).message}`);
  }
  // protobufjs skips unknown fields, so random bytes often "decode" to an empty message. A real
  // exporter never sends a non-empty body without resourceSpans: refuse it rather than answer 200.
  const rs = msg.resourceSpans;
  if (body.length > 0 && (!Array.isArray(rs) || rs.length === 0)) {
    throw new OtlpDecodeError('body holds no resourceSpans: not an ExportTraceServiceRequest');
  }
  const w = new Walker(limits, false);
  return result(w, w.request(msg));
}

/**
 * Decodes an OTLP/HTTP JSON body (already un-gzipped): the protobuf JSON mapping with hex ids,
 * integer enums (names accepted too) and int64 as decimal strings or numbers.
 */
export function decodeOtlpJson(body: string | Uint8Array, limits: OtlpDecodeLimits = {}): OtlpDecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`malformed JSON: ${(err as Error).message}`);
  }
  const w = new Walker(limits, true);
  return result(w, w.request(parsed));
}

/** An ExportTraceServiceResponse in the request's encoding, with partialSuccess when spans were rejected. */
export function encodeOtlpResponse(kind: 'json' | 'protobuf', rejectedSpans = 0, errorMessage = ''): Uint8Array | string {
  const partial = rejectedSpans > 0 ? { rejectedSpans, errorMessage } : undefined;
  if (kind === 'json') {
    const body: OtlpExportResponse = partial ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } } : {};
    return JSON.stringify(body);
  }
  const T = ExportTraceServiceResponse;
  return T.encode(T.fromObject(partial ? { partialSuccess: partial } : {})).finish();
}

/** Decodes an ExportTraceServiceResponse (for tests and clients). */
export function decodeOtlpResponse(body: Uint8Array): { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: string } } {
  return ExportTraceServiceResponse.decode(body) as never;
}

/** Encodes an ExportTraceServiceRequest object (JSON mapping with hex ids) as protobuf: for tests and tools. */
export function encodeOtlpProtobuf(request: Record<string, unknown>): Uint8Array {
  const T = ExportTraceServiceRequest;
  return T.encode(T.fromObject(hexIdsToBytes(request) as Record<string, unknown>)).finish();
}

function hexIdsToBytes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hexIdsToBytes);
  if (!v || typeof v !== 'object') return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) {
    out[k] = (k === 'traceId' || k === 'spanId' || k === 'parentSpanId') && typeof x === 'string' ? Buffer.from(x, 'hex') : hexIdsToBytes(x);
  }
  return out;
}
