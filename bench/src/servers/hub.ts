/**
 * The hub the ingest rows load: `debugPanel({ hub: true })` with nothing else. Its rate limit is
 * raised when the option takes one, so the row measures what the hub can ingest, not its default
 * guard (the note says which set-up ran).
 */
import express from 'express';
import * as panel from 'debugpanel';
import { serveApp } from './app.js';

const debugPanel = (panel as Record<string, unknown>).debugPanel as ((opts?: object) => express.RequestHandler) | undefined;
if (typeof debugPanel !== 'function') throw new Error('debugpanel does not export debugPanel() yet');

let setup = 'hub: { maxSpansPerSecond: 10,000,000 }';
let mw: express.RequestHandler;
try {
  mw = debugPanel({ service: 'hub', auth: 'loopback', dataDir: false, hub: { maxSpansPerSecond: 10_000_000 } });
} catch {
  setup = 'hub: true (default limits)';
  mw = debugPanel({ service: 'hub', auth: 'loopback', dataDir: false, hub: true }); // throws "unknown option" until the hub lands
}
const app = express();
app.use(mw);

serveApp(app, async (port) => {
  const res = await fetch(`http://127.0.0.1:${port}/_debug/api/stats`);
  return { setup, stats: res.ok ? await res.json() : { status: res.status } };
});
