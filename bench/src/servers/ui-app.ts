/**
 * The app the UI rows open in Chromium: `debugPanel()` and one route, `/big`, whose trace has
 * 10,000 spans (the store's default per-trace cap): batches of 200 repeated child spans, like a
 * handler that loops over queries.
 */
import express from 'express';
import { trace } from '@opentelemetry/api';
import * as panel from 'debugpanel';
import { serveApp } from './app.js';

export const BIG_TRACE_SPANS = 10_000;

const debugPanel = (panel as Record<string, unknown>).debugPanel as ((opts?: object) => express.RequestHandler) | undefined;
if (typeof debugPanel !== 'function') throw new Error('debugpanel does not export debugPanel() yet');

const app = express();
// A loopback-only bench: the explicit token-less opt-in, nothing written to disk.
app.use(debugPanel({ service: 'bench-ui', auth: 'loopback', dataDir: false }));
const tracer = trace.getTracer('bench-ui');

app.get('/big', (_req, res) => {
  let made = 1; // the server span
  tracer.startActiveSpan('process items', (root) => {
    made++;
    for (let b = 0; made < BIG_TRACE_SPANS; b++) {
      tracer.startActiveSpan(`batch ${b}`, { attributes: { 'batch.index': b } }, (batch) => {
        made++;
        for (let i = 0; i < 199 && made < BIG_TRACE_SPANS; i++, made++) {
          tracer.startSpan(i % 50 === 49 ? 'flush' : 'SELECT item', { attributes: { 'item.index': b * 1000 + i, 'db.system': 'sqlite' } }).end();
        }
        batch.end();
      });
    }
    root.end();
  });
  res.json({ spans: made });
});

serveApp(app);
