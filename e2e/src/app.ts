/**
 * The app the browser tests drive: a real Express app with `debugPanel()` and a few routes that
 * make the traces the UI must show well: nested spans, a run of repeated queries (folded in the
 * waterfall), an error with a stack, and a 10,000-span trace.
 *
 * @example
 * import { createE2eApp } from '@debugpanel/e2e/app';
 * const { app, close } = createE2eApp();
 * const server = app.listen(0);
 */
import express, { type ErrorRequestHandler, type Express } from 'express';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { debugPanel } from 'debugpanel';
import { E2E_TOKEN } from './token.js';

/** Spans in the trace of `GET /api/big`: the store's default per-trace limit. */
export const BIG_TRACE_SPANS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createE2eApp(options: { service?: string; panel?: Parameters<typeof debugPanel>[0] } = {}): { app: Express; close: () => Promise<void> } {
  const app = express();
  const panel = debugPanel({ service: options.service ?? 'shop', token: E2E_TOKEN, dataDir: false, ...options.panel });
  app.use(panel);
  const tracer = trace.getTracer('e2e-app');

  const step = <T>(name: string, attrs: Record<string, string | number>, fn: (span: Span) => Promise<T>): Promise<T> =>
    tracer.startActiveSpan(name, { attributes: attrs }, async (span) => {
      try {
        return await fn(span);
      } finally {
        span.end();
      }
    });

  app.get('/api/orders/:id', async (req, res) => {
    const id = req.params.id;
    const order = await step('load order', { 'order.id': id }, async (span) => {
      span.addEvent('cache miss', { 'cache.key': `order:${id}` });
      for (let i = 0; i < 6; i++) {
        await step('SELECT order_items', { 'db.system': 'sqlite', 'db.query.text': 'SELECT * FROM order_items WHERE order_id = ? AND line = ?', 'db.line': i }, () => sleep(1));
      }
      return { id, lines: 6 };
    });
    await step('price order', { 'order.id': id, currency: 'EUR' }, async () => {
      await step('fetch exchange rate', { 'peer.service': 'rates' }, () => sleep(2));
    });
    res.json(order);
  });

  app.get('/api/slow', async (req, res) => {
    const ms = Math.min(200, Number(req.query.ms ?? 20) || 20);
    await step('slow work', { 'work.ms': ms }, () => sleep(ms));
    res.json({ slept: ms });
  });

  app.get('/api/fail', async () => {
    await step('charge card', { 'payment.provider': 'acme' }, async (span) => {
      await sleep(1);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    });
    throw new Error('payment declined');
  });

  // One trace of BIG_TRACE_SPANS spans: batches of repeated child spans, like an N+1 query loop.
  app.get('/api/big', (_req, res) => {
    let made = 1; // the server span
    tracer.startActiveSpan('process items', (root) => {
      made++;
      for (let b = 0; made < BIG_TRACE_SPANS; b++) {
        tracer.startActiveSpan(`batch ${b}`, { attributes: { 'batch.index': b } }, (batch) => {
          made++;
          for (let i = 0; i < 199 && made < BIG_TRACE_SPANS; i++, made++) {
            tracer.startSpan(i % 50 === 49 ? 'flush' : 'SELECT item', { attributes: { 'item.index': b * 1000 + i } }).end();
          }
          batch.end();
        });
      }
      root.end();
    });
    res.json({ spans: made });
  });

  const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => {
    res.status(500).json({ error: err.message });
  };
  app.use(onError);
  return { app, close: () => panel.panel.close() };
}
