import type { Attributes, SpanRecord } from '@debugpanel/model';

let next = 1;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

/** A small builder of SpanRecords for the detector tests (times in ms from 1,700,000,000,000). */
export function makeTrace(traceNo = next++) {
  const traceId = hex(traceNo, 32);
  const spans: SpanRecord[] = [];
  let id = 1;
  const T0 = 1_700_000_000_000 + traceNo * 10_000;
  const span = (p: { name: string; kind?: SpanRecord['kind']; parent?: SpanRecord; start: number; duration: number; attributes?: Attributes; service?: string; error?: boolean }): SpanRecord => {
    const s: SpanRecord = {
      traceId,
      spanId: hex(traceNo * 1000 + id++, 16),
      name: p.name,
      kind: p.kind ?? 'internal',
      service: p.service ?? p.parent?.service ?? 'shop',
      startTime: T0 + p.start,
      duration: p.duration,
      status: { code: p.error ? 'error' : 'unset' },
      attributes: p.attributes ?? {},
      events: [],
    };
    if (p.parent) s.parentSpanId = p.parent.spanId;
    spans.push(s);
    return s;
  };
  const root = (name: string, duration: number) => span({ name, kind: 'server', start: 0, duration, attributes: { 'http.route': name.split(' ')[1] ?? '/' } });
  const query = (parent: SpanRecord, sql: string, start: number, duration: number, extra: Attributes = {}) =>
    span({ name: sql.split(' ')[0]!, kind: 'client', parent, start, duration, attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'shop', 'db.query.text': sql, ...extra } });
  const get = (parent: SpanRecord, url: string, start: number, duration: number) =>
    span({ name: 'GET', kind: 'client', parent, start, duration, attributes: { 'http.request.method': 'GET', 'url.full': url, 'server.address': new URL(url).hostname, 'server.port': Number(new URL(url).port || 80) } });
  return { traceId, spans, span, root, query, get };
}

/** `count` sequential queries of `ms` each under `parent`, from `start`; returns the end time. */
export function loop(t: ReturnType<typeof makeTrace>, parent: SpanRecord, sql: (i: number) => string, count: number, ms: number, start = 1, extra: Attributes = {}): number {
  let at = start;
  for (let i = 0; i < count; i++) {
    t.query(parent, sql(i), at, ms, extra);
    at += ms + 0.05;
  }
  return at;
}
