/**
 * Logs worker. `store`: 100,000 records in a LogStore, then the queries the Logs view makes (by
 * trace id, by text, ...). `capture`: what a pino `info` call and a `console.log` cost inside a
 * request span with the panel's capture on, against the same calls with it off, in alternating
 * rounds in this one process. pino writes to a null stream and the console's stdout writes go
 * nowhere, so the figures are the logging work itself. Each round makes its calls in bursts of
 * 100 with a `setImmediate` between them, so the deferred half of capture (formatting, redacting
 * and storing the batch) is inside the timed span too, as it is in a real app.
 */
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import type { LogQuery, LogRecord } from '@debugpanel/model';
import { serveIpc } from '../ipc.js';

const require = createRequire(import.meta.url);
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

const N = 100_000;
const SERVICES = ['gateway', 'orders', 'inventory', 'payments'];
const WORDS = ['order', 'paid', 'stock', 'reserved', 'cache', 'miss', 'retry', 'declined', 'user', 'cart'];

function makeLogs(n: number): LogRecord[] {
  const out: LogRecord[] = [];
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const trace = Math.floor(i / 5); // 5 records per trace
    const words = Array.from({ length: 8 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
    out.push({
      traceId: hex(trace + 1, 32),
      spanId: hex(i + 1, 16),
      service: SERVICES[i % SERVICES.length]!,
      time: 1_700_000_000_000 + i,
      severityNumber: [9, 9, 9, 13, 17][i % 5]!,
      severityText: 'info',
      body: `${words} sku-${i % 10_000} took ${Math.floor(rand() * 500)} ms`,
      attributes: { 'user.id': `u${i % 1000}`, 'http.route': '/checkout', attempt: i % 3 },
      source: 'pino',
    });
  }
  return out;
}

const QUERIES: Record<string, (ids: { traceId: string }) => LogQuery> = {
  'traceId (a trace of 5)': ({ traceId }) => ({ traceId }),
  'text "sku-4242"': () => ({ text: 'sku-4242' }),
  'text with no match': () => ({ text: 'no-such-words' }),
  'severity>=error': () => ({ severity: 17 }),
  'attribute user.id=u42': () => ({ attributes: { 'user.id': 'u42' } }),
  'latest page (no filter)': () => ({}),
};

async function store(reps: number): Promise<Record<string, unknown>> {
  const { LogStore } = (await import('@debugpanel/logs')) as typeof import('@debugpanel/logs');
  const records = makeLogs(N);
  const ingest: number[] = [];
  let s = new LogStore({ maxRecords: N, maxBytes: 2 ** 31 });
  for (let r = 0; r < Math.min(reps, 5); r++) {
    s = new LogStore({ maxRecords: N, maxBytes: 2 ** 31 });
    const t0 = process.hrtime.bigint();
    for (const rec of records) s.add(rec);
    ingest.push(N / (ms(t0) / 1000));
  }
  const traceId = records[N / 2]!.traceId!;
  const out: Record<string, { times: number[]; found: number }> = {};
  for (const [label, make] of Object.entries(QUERIES)) {
    const q = make({ traceId });
    const times: number[] = [];
    let found = 0;
    s.query(q);
    for (let r = 0; r < reps; r++) {
      const t0 = process.hrtime.bigint();
      found = s.query(q).logs.length;
      times.push(ms(t0));
    }
    out[label] = { times, found };
  }
  return { ingest, results: out, records: s.stats().records, bytes: s.stats().bytes };
}

const TOKEN = 'bench-token-0123456789abcdef';

async function capture(rounds: number, bursts: number): Promise<Record<string, unknown>> {
  const { debugPanel } = (await import('debugpanel')) as typeof import('debugpanel');
  const pino = require('pino') as typeof import('pino').default;
  const logger = pino({}, { write() {} });
  // The console's own stdout writes go nowhere: what is left is formatting and capture.
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const tracer = trace.getTracer('bench');
  const next = () => new Promise((r) => setImmediate(r));

  /** ns per call: `sync` the calls themselves, `total` with the batch work done after them (and the tick boundary, on both sides alike). */
  async function timed(call: (i: number) => void): Promise<{ sync: number; total: number }> {
    let sync = 0;
    const t0 = process.hrtime.bigint();
    for (let b = 0; b < bursts; b++) {
      // One request span per burst, as a handler logs inside its request.
      const s0 = process.hrtime.bigint();
      tracer.startActiveSpan('GET /checkout', (span) => {
        for (let i = 0; i < 100; i++) call(i);
        span.end();
      });
      sync += ms(s0);
      await next();
    }
    const n = bursts * 100;
    return { sync: (sync * 1e6) / n, total: (ms(t0) * 1e6) / n };
  }
  const pinoCall = (i: number) => logger.info({ orderId: i, user: 'u1' }, 'order paid');
  const consoleCall = (i: number) => console.log('order %d paid by %s', i, 'u1');

  const result = {
    pinoOff: [] as number[], pinoOn: [] as number[], consoleOff: [] as number[], consoleOn: [] as number[],
    pinoOffTotal: [] as number[], pinoOnTotal: [] as number[], consoleOffTotal: [] as number[], consoleOnTotal: [] as number[],
    stored: 0,
  };
  // Warm-up of both paths.
  for (const on of [false, true]) {
    const panel = on ? debugPanel({ service: 'bench', token: TOKEN, metrics: false }) : undefined;
    await timed(pinoCall);
    await timed(consoleCall);
    await panel?.panel.close();
  }
  for (let r = 0; r < rounds; r++) {
    for (const on of r % 2 === 0 ? [false, true] : [true, false]) {
      // A panel made per "on" round and closed after: closing removes the capture (console and pino unpatched).
      const panel = on ? debugPanel({ service: 'bench', token: TOKEN, metrics: false }) : undefined;
      const p = await timed(pinoCall);
      const c = await timed(consoleCall);
      (on ? result.pinoOn : result.pinoOff).push(p.sync);
      (on ? result.pinoOnTotal : result.pinoOffTotal).push(p.total);
      (on ? result.consoleOn : result.consoleOff).push(c.sync);
      (on ? result.consoleOnTotal : result.consoleOffTotal).push(c.total);
      if (panel) {
        result.stored = panel.panel.logs!.stats().records;
        await panel.panel.close();
      }
    }
  }
  return result;
}

serveIpc(async (msg) => {
  if (msg.mode === 'store') return store(Number(msg.reps));
  if (msg.mode === 'capture') return capture(Number(msg.rounds), Number(msg.bursts));
  throw new Error(`unknown mode ${String(msg.mode)}`);
});
