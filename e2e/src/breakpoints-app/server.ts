/**
 * A tiny Express app for the breakpoints e2e test, run as its own Node process from its compiled
 * JavaScript (with source maps), so V8 sees real scripts mapped back to `pricing.ts`. The panel's
 * source root is the process's working directory. Prints `listening <port>` once it serves.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { debugPanel } from 'debugpanel';
import { quote } from './pricing.js';

const app = express();
app.use(debugPanel({ service: 'pricing', sampling: { graceMs: 200 } }));
app.get('/api/quote', (req, res) => {
  const customer = String(req.query.customer ?? 'anonymous');
  res.json(quote(customer, [
    { sku: 'A-1', qty: 3, unit: 20 },
    { sku: 'B-2', qty: 2, unit: 25 },
  ]));
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
