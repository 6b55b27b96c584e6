import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import type { LogRecord } from '@debugpanel/model';
import { setupTracing, type PanelTracing } from '../setup.js';

const winston = createRequire(import.meta.url)('winston') as typeof import('winston');
const written: Array<Record<string, unknown>> = [];
const stream = new Writable({
  objectMode: true,
  write(chunk: Record<string, unknown>, _enc, cb) {
    written.push(JSON.parse(chunk[Symbol.for('message') as unknown as string] as string) as Record<string, unknown>);
    cb();
  },
});
// Made before the panel.
const before = winston.createLogger({ level: 'silly', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
const records: LogRecord[] = [];
const loggedErrors: Error[] = [];
let tracing: PanelTracing;

beforeAll(() => {
  tracing = setupTracing({
    service: 'wo-test',
    onSpan: () => {},
    logs: { console: false, pino: false, onLogs: (b) => records.push(...b), onLoggedError: (e) => loggedErrors.push(e) },
  });
});
afterAll(() => tracing.shutdown());

function take(): LogRecord[] {
  tracing.flushLogs();
  return records.splice(0);
}

describe('winston capture', () => {
  it('maps npm levels to OTel severities and keeps meta as attributes', () => {
    before.error('e');
    before.warn('w', { sku: 'A1' });
    before.info('i');
    before.http('h');
    before.verbose('v');
    before.debug('d');
    before.silly('s');
    expect(take().map((r) => [r.body, r.severityNumber, r.severityText, r.source])).toEqual([
      ['e', 17, 'error', 'winston'],
      ['w', 13, 'warn', 'winston'],
      ['i', 9, 'info', 'winston'],
      ['h', 7, 'http', 'winston'],
      ['v', 6, 'verbose', 'winston'],
      ['d', 5, 'debug', 'winston'],
      ['s', 1, 'silly', 'winston'],
    ]);
  });

  it('injects trace_id, span_id, trace_flags into what transports write, for loggers made after too and children', async () => {
    const after = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] }).child({ module: 'orders' });
    written.length = 0;
    let ctx: { traceId: string; spanId: string } | undefined;
    trace.getTracer('t').startActiveSpan('work', (span) => {
      ctx = span.spanContext();
      after.info('order paid', { orderId: 7, user: { id: 'u1' } });
      before.info('old logger');
      span.end();
    });
    after.info('outside');
    await new Promise((r) => setImmediate(r));
    expect(written[0]).toMatchObject({ message: 'order paid', orderId: 7, module: 'orders', trace_id: ctx!.traceId, span_id: ctx!.spanId, trace_flags: '01' });
    expect(written[1]).toMatchObject({ message: 'old logger', trace_id: ctx!.traceId });
    expect(written[2]!.trace_id).toBeUndefined();
    const [paid, old, outside] = take();
    expect(paid).toMatchObject({ body: 'order paid', traceId: ctx!.traceId, spanId: ctx!.spanId, attributes: { orderId: 7, module: 'orders', 'user.id': 'u1' } });
    expect(old!.traceId).toBe(ctx!.traceId);
    expect(outside!.traceId).toBeUndefined();
  });

  it('a disabled level is not captured; a logged Error reaches the errors hook', () => {
    const quiet = winston.createLogger({ level: 'warn', transports: [new winston.transports.Stream({ stream })] });
    quiet.info('not logged');
    expect(take()).toEqual([]);
    const err = new TypeError('bad cart');
    // winston merges an Error given as meta into the info (message and stack), the Error itself is gone
    quiet.error('checkout failed', err);
    const [merged] = take();
    expect(merged!.body).toBe('checkout failed bad cart');
    expect(merged!.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'checkout failed bad cart' });
    expect(String(merged!.attributes['exception.stacktrace'])).toContain('TypeError: bad cart');
    // logged alone, the info is the Error: it reaches the errors hook
    quiet.error(err);
    const [alone] = take();
    expect(alone!.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad cart' });
    expect(loggedErrors.splice(0)).toEqual([err]);
  });
});

describe('OTel Logs API', () => {
  it('the panel registered the global LoggerProvider: emitted records arrive with the active or given context', () => {
    const logger = logs.getLogger('billing', '1.0.0');
    expect(logger.enabled()).toBe(true);
    let ids: { traceId: string; spanId: string } | undefined;
    trace.getTracer('t').startActiveSpan('bill', (span) => {
      const sc = span.spanContext();
      ids = { traceId: sc.traceId, spanId: sc.spanId };
      logger.emit({ severityNumber: SeverityNumber.WARN2, body: 'invoice late', attributes: { 'invoice.id': 'i-9', lines: { count: 3 } } });
      span.end();
    });
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'E', body: { code: 42 }, timestamp: 1_700_000_000_123, eventName: 'billing.failed' });
    const [late, failed] = take();
    expect(late).toMatchObject({ source: 'otel', body: 'invoice late', severityNumber: 14, severityText: 'WARN2', ...ids });
    expect(late!.attributes).toEqual({ 'invoice.id': 'i-9', 'lines.count': 3, 'otel.scope.name': 'billing' });
    expect(failed).toMatchObject({ body: '{"code":42}', severityNumber: 17, severityText: 'E', time: 1_700_000_000_123 });
    expect(failed!.attributes['event.name']).toBe('billing.failed');
    expect(failed!.traceId).toBeUndefined();
  });

  it('stats list every active source; shutdown unpatches winston and releases the provider', async () => {
    expect(tracing.logStats()!.active).toEqual(expect.arrayContaining(['otel', 'winston']));
    await tracing.shutdown();
    written.length = 0;
    trace.getTracer('t').startActiveSpan('w', (span) => {
      before.info('after shutdown');
      span.end();
    });
    await new Promise((r) => setImmediate(r));
    expect(written[0]!.trace_id).toBeUndefined();
    expect(logs.getLogger('x').enabled?.()).not.toBe(true);
    tracing = setupTracing({ service: 'wo-test', onSpan: () => {}, logs: { console: false, onLogs: (b) => records.push(...b) } });
  });
});
