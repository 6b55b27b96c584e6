import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import type { LogRecord } from '@debugpanel/model';
import { setupTracing, type PanelTracing } from '../setup.js';
import { startServer } from '../test-helpers.js';
import { captureState, MAX_PENDING } from './capture.js';

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
// What the console printed: the originals are replaced by recorders before the panel wraps them.
const printed: Array<{ method: string; self: unknown; args: unknown[] }> = [];
const saved = new Map<string, unknown>();
const records: LogRecord[] = [];
const loggedErrors: Error[] = [];
let tracing: PanelTracing;

beforeAll(() => {
  for (const m of METHODS) {
    saved.set(m, console[m]);
    console[m] = function (this: unknown, ...args: unknown[]) {
      printed.push({ method: m, self: this, args });
    };
  }
  tracing = setupTracing({
    service: 'console-test',
    onSpan: () => {},
    logs: { onLogs: (batch) => records.push(...batch), onLoggedError: (e) => loggedErrors.push(e) },
  });
});

afterAll(async () => {
  await tracing.shutdown();
  for (const m of METHODS) console[m] = saved.get(m) as never;
});

function take(): LogRecord[] {
  tracing.flushLogs();
  return records.splice(0);
}

describe('console capture', () => {
  it('captures the five methods with the OTel severities and leaves the output unchanged', () => {
    printed.length = 0;
    console.log('hello %s', 'world', 42);
    console.info('info');
    console.warn('careful');
    console.error('broken');
    console.debug('details');
    expect(printed.map((p) => [p.method, p.args])).toEqual([
      ['log', ['hello %s', 'world', 42]],
      ['info', ['info']],
      ['warn', ['careful']],
      ['error', ['broken']],
      ['debug', ['details']],
    ]);
    expect(printed.every((p) => p.self === console)).toBe(true);
    const got = take();
    expect(got.map((r) => [r.body, r.severityNumber, r.severityText, r.source, r.service])).toEqual([
      ['hello world 42', 9, 'info', 'console', 'console-test'],
      ['info', 9, 'info', 'console', 'console-test'],
      ['careful', 13, 'warn', 'console', 'console-test'],
      ['broken', 17, 'error', 'console', 'console-test'],
      ['details', 5, 'debug', 'console', 'console-test'],
    ]);
    expect(got[0]!.traceId).toBeUndefined();
    expect(got[0]!.time).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a line inside an active span carries its trace and span ids', () => {
    let ids: { traceId: string; spanId: string } | undefined;
    trace.getTracer('t').startActiveSpan('work', (span) => {
      ids = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
      console.log('inside');
      span.end();
    });
    console.log('outside');
    const [inside, outside] = take();
    expect(inside).toMatchObject({ body: 'inside', ...ids });
    expect(outside!.traceId).toBeUndefined();
    expect(outside!.spanId).toBeUndefined();
  });

  it('an object argument is formatted when logged (later changes do not show); an Error becomes exception attributes and reaches the errors hook', () => {
    const order = { id: 7, items: ['a'] };
    console.log('order', order);
    order.id = 8;
    const err = new TypeError('card declined');
    console.error('payment failed:', err);
    const [first, second] = take();
    expect(first!.body).toBe("order { id: 7, items: [ 'a' ] }");
    expect(second!.body).toMatch(/^payment failed: TypeError: card declined/);
    expect(second!.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'card declined' });
    expect(String(second!.attributes['exception.stacktrace'])).toContain('console.test');
    expect(loggedErrors.splice(0)).toEqual([err]);
  });

  it('cuts bodies at 8 KB', () => {
    console.log('x'.repeat(20_000));
    const [r] = take();
    expect(r!.body.length).toBe(8192);
    expect(r!.body.endsWith('…')).toBe(true);
    expect(tracing.logStats()!.truncated).toBeGreaterThan(0);
  });

  it('delivers lines in batches on the next setImmediate without an explicit flush', async () => {
    console.log('one');
    console.log('two');
    expect(records).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(records.splice(0).map((r) => r.body)).toEqual(['one', 'two']);
  });

  it('drops and counts what exceeds the pending bound', () => {
    const before = tracing.logStats()!.dropped;
    for (let i = 0; i < MAX_PENDING + 5; i++) console.debug('flood');
    expect(tracing.logStats()!.dropped - before).toBe(5);
    expect(take()).toHaveLength(MAX_PENDING);
  });

  it('does not loop on output made while delivering (re-entrancy guard)', () => {
    const loud = setupTracing({
      service: 'loud',
      onSpan: () => {},
      logs: {
        onLogs: (batch) => {
          for (const r of batch) console.log('got', r.body); // the panel printing what it received
        },
      },
    });
    console.log('ping');
    loud.flushLogs();
    const bodies = records.splice(0).map((r) => r.body);
    // Each handle got the one line; the output made inside delivery was printed, not captured.
    expect(bodies).toEqual(['ping']);
    expect(printed.at(-1)!.args).toEqual(['got', 'ping']);
    expect(captureState().pending).toHaveLength(0);
    void loud.shutdown();
  });

  it("a request's lines go to the handle that owns it", async () => {
    const other: LogRecord[] = [];
    const second = setupTracing({ service: 'second', onSpan: () => {}, logs: { onLogs: (b) => other.push(...b) } });
    const server = await startServer((req, res) => {
      const s = tracing.startServerSpan(req);
      res.on('finish', () => s.end(res.statusCode));
      s.run(() => {
        console.log('in request');
        res.end('ok');
      });
    });
    await (await fetch(server.url + '/x')).text();
    await server.close();
    tracing.flushLogs();
    expect(records.splice(0).map((r) => r.body)).toContain('in request');
    expect(other.map((r) => r.body)).not.toContain('in request');
    await second.shutdown();
  });

  it('stats name the active capture and count per source', () => {
    const stats = tracing.logStats()!;
    expect(stats.active).toContain('console');
    expect(stats.console).toBeGreaterThan(10);
  });

  it('the last handle out restores the original methods', async () => {
    const wrapped = console.log;
    await tracing.shutdown();
    expect(console.log).not.toBe(wrapped);
    printed.length = 0;
    console.log('after');
    expect(printed).toHaveLength(1);
    expect(captureState().pending).toHaveLength(0);
    tracing = setupTracing({ service: 'console-test', onSpan: () => {}, logs: { onLogs: (b) => records.push(...b) } });
  });
});
