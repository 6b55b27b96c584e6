/**
 * Contender: `app.use(debugPanel())` as its README shows. The parent starts it twice: with dev
 * defaults (NODE_ENV=development: every request recorded and kept) and as in production
 * (NODE_ENV=production with DEBUGPANEL_TOKEN set, so the panel is on, with production sampling).
 * Variants add options through BENCH_PANEL_OPTIONS: `sendTo` a bare OTLP sink, `metrics: false`.
 * With BENCH_OWN_SDK=1 the app registers its own OTel SDK provider first, with the panel's
 * processor, as its README shows: the panel then takes the SDK path (SDK spans converted on end)
 * instead of its own native spans.
 * `info` reads the panel's own stats and sampling API, so the table can show what it really kept.
 */
import express from 'express';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as panel from 'debugpanel';
import { addRoutes, serveApp } from './app.js';

// Typed loosely on purpose: the benchmark must build while `debugpanel` is still being written.
const debugPanel = (panel as Record<string, unknown>).debugPanel as ((opts?: object) => express.RequestHandler) | undefined;
if (typeof debugPanel !== 'function') throw new Error('debugpanel does not export debugPanel() yet');

if (process.env.BENCH_OWN_SDK === '1') {
  const processor = (panel as Record<string, unknown>).debugPanelSpanProcessor as (() => SpanProcessor) | undefined;
  if (typeof processor !== 'function') throw new Error('debugpanel does not export debugPanelSpanProcessor() yet');
  new NodeTracerProvider({ spanProcessors: [processor()] }).register();
}

const app = express();
// Variants pass options as JSON (sendTo a sink, metrics off); an unknown option throws here,
// before listening, and the row says the feature has not landed.
const mw = debugPanel(JSON.parse(process.env.BENCH_PANEL_OPTIONS ?? '{}') as object);
app.use(mw);
addRoutes(app);

async function getJson(port: number, path: string): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (process.env.DEBUGPANEL_TOKEN) headers.authorization = `Bearer ${process.env.DEBUGPANEL_TOKEN}`;
  const res = await fetch(`http://127.0.0.1:${port}/_debug/api/${path}`, { headers });
  if (!res.ok) return { status: res.status };
  return res.json();
}

serveApp(app, async (port) => {
  return { stats: await getJson(port, 'stats'), sampling: await getJson(port, 'sampling') };
});
