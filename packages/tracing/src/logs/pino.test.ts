import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import type { LogRecord } from '@debugpanel/model';
import { setupTracing, type PanelTracing } from '../setup.js';

// The real pino, loaded the way an app loads it (CommonJS), before the panel starts.
const pino = createRequire(import.meta.url)('pino') as typeof import('pino').default;

const lines: string[] = [];
const sink = { write: (s: string) => void lines.push(s) };
const before = pino({ level: 'trace' }, sink);
const records: LogRecord[] = [];
const loggedErrors: Error[] = [];
let tracing: PanelTracing;

beforeAll(() => {
  tracing = setupTracing({
    service: 'pino-test',
    onSpan: () => {},
    logs: { console: false, onLogs: (b) => records.push(...b), onLoggedError: (e) => loggedErrors.push(e) },
  });
});
afterAll(() => tracing.shutdown());

function take(): LogRecord[] {
  tracing.flushLogs();
  return records.splice(0);
}

describe('pino capture', () => {
  it('maps the six levels to OTel severities, for a logger made before the panel', () => {
    before.trace('t');
    before.debug('d');
    before.info('i');
    before.warn('w');
    before.error('e');
    before.fatal('f');
    expect(take().map((r) => [r.body, r.severityNumber, r.severityText, r.source])).toEqual([
      ['t', 1, 'trace', 'pino'],
      ['d', 5, 'debug', 'pino'],
      ['i', 9, 'info', 'pino'],
      ['w', 13, 'warn', 'pino'],
      ['e', 17, 'error', 'pino'],
      ['f', 21, 'fatal', 'pino'],
    ]);
  });

  it('gives each line its own span ids when calls of two spans and of no span interleave (the ids and end caches)', () => {
    const tracer = trace.getTracer('t');
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    const ctxA = trace.setSpan(context.active(), a);
    const ctxB = trace.setSpan(context.active(), b);
    lines.length = 0;
    for (const ctx of [ctxA, ctxA, ctxB, ctxA, undefined, ctxB]) {
      if (ctx === undefined) before.info('none');
      else context.with(ctx, () => before.info('in span'));
    }
    a.end();
    b.end();
    const ids = (s: typeof a) => s.spanContext().spanId;
    expect(lines.map((l) => (JSON.parse(l) as { span_id?: string }).span_id)).toEqual([ids(a), ids(a), ids(b), ids(a), undefined, ids(b)]);
    expect(take().map((r) => r.spanId)).toEqual([ids(a), ids(a), ids(b), ids(a), undefined, ids(b)]);
  });

  it('injects trace_id, span_id and trace_flags into the line written inside a span, for loggers made after too', () => {
    const after = pino({}, sink).child({ module: 'orders' });
    lines.length = 0;
    let ctx: { traceId: string; spanId: string } | undefined;
    trace.getTracer('t').startActiveSpan('work', (span) => {
      ctx = span.spanContext();
      after.info({ orderId: 7, user: { id: 'u1', tier: 'gold' } }, 'order %d paid', 7);
      before.info('old logger');
      span.end();
    });
    after.info('outside');
    const written = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written[0]).toMatchObject({ msg: 'order 7 paid', orderId: 7, module: 'orders', trace_id: ctx!.traceId, span_id: ctx!.spanId, trace_flags: '01' });
    expect(written[1]).toMatchObject({ msg: 'old logger', trace_id: ctx!.traceId });
    expect(written[2]!.trace_id).toBeUndefined();
    const [paid, old, outside] = take();
    expect(paid).toMatchObject({ body: 'order 7 paid', traceId: ctx!.traceId, spanId: ctx!.spanId, service: 'pino-test' });
    expect(paid!.attributes).toEqual({ orderId: 7, module: 'orders', 'user.id': 'u1', 'user.tier': 'gold' });
    expect(old!.traceId).toBe(ctx!.traceId);
    expect(outside!.traceId).toBeUndefined();
  });

  it('a logged Error becomes exception attributes and reaches the errors hook', () => {
    const err = new RangeError('stock below zero');
    before.error(err);
    before.error({ err, sku: 'A1' }, 'reserve failed');
    const [a, b] = take();
    expect(a).toMatchObject({ body: 'stock below zero', severityNumber: 17 });
    expect(a!.attributes).toMatchObject({ 'exception.type': 'RangeError', 'exception.message': 'stock below zero' });
    expect(b!.attributes).toMatchObject({ sku: 'A1', 'exception.type': 'RangeError' });
    expect(loggedErrors.splice(0)).toEqual([err, err]);
  });

  it('respects a custom message key and custom levels', () => {
    const custom = pino({ messageKey: 'message', customLevels: { notice: 35 }, level: 'trace' }, sink);
    custom.notice('custom level');
    custom.info({ a: 1 }, 'with key');
    const [n, k] = take();
    expect(n).toMatchObject({ body: 'custom level', severityNumber: 9, severityText: 'notice' });
    expect(k).toMatchObject({ body: 'with key', attributes: { a: 1 } });
  });

  it('disabled levels cost nothing and capture nothing', () => {
    const quiet = pino({ level: 'warn' }, sink);
    quiet.info('not logged');
    expect(take()).toEqual([]);
  });

  it('stats name pino active; shutdown restores the serializer', async () => {
    expect(tracing.logStats()!.active).toContain('pino');
    await tracing.shutdown();
    lines.length = 0;
    trace.getTracer('t').startActiveSpan('work', (span) => {
      before.info('after shutdown');
      span.end();
    });
    expect(JSON.parse(lines[0]!).trace_id).toBeUndefined();
    tracing = setupTracing({ service: 'pino-test', onSpan: () => {}, logs: { console: false, onLogs: (b) => records.push(...b) } });
  });
});
