/**
 * inventory (port 3002): products and stock in SQLite (or PostgreSQL with DEMO_DB=postgres).
 * Called by orders over node:http.
 * Runs a background restock job every 10 s as its own trace.
 */
import { trace } from '@opentelemetry/api';
import { readServiceConfig } from '../config.js';
import { openInventory } from '../db/open.js';
import { HttpError, createServiceApp, failStart, finishApp, route, serve } from '../service-kit.js';
import { parseId, parseLines } from '../validate.js';

const config = readServiceConfig('inventory');
// The panel goes in first so that the database is opened under its instrumentation.
const { app } = createServiceApp(config);
const { db, close } = await openInventory(config).catch(failStart);
const tracer = trace.getTracer('demo-inventory');

app.get('/products', route(async (_req, res) => {
  res.json({ products: await db.listProducts() });
}));

app.get('/products/:id', route(async (req, res) => {
  const product = await db.getProduct(parseId(req.params.id, 'product id'));
  if (!product) throw new HttpError(404, `unknown product ${req.params.id}`);
  res.json(product);
}));

app.post('/reservations', route(async (req, res) => {
  const lines = parseLines((req.body as { items?: unknown } | undefined)?.items);
  console.info(`reserving stock for ${lines.length} lines`);
  const result = await tracer.startActiveSpan('stock.reserve', async (span) => {
    span.setAttribute('stock.lines', lines.length);
    try {
      return await db.reserve(lines);
    } finally {
      span.end();
    }
  });
  if (!result.ok) throw new HttpError(result.status, result.error);
  res.status(201).json(result);
}));

finishApp(app);

// A job outside any request: it shows up as its own trace with its SQL underneath.
const restockTimer = setInterval(() => {
  void tracer.startActiveSpan('inventory.restock', async (span) => {
    try {
      span.setAttribute('stock.shelves_refilled', await db.restock());
    } catch (err) {
      span.recordException(err as Error);
    } finally {
      span.end();
    }
  });
}, 10_000);
restockTimer.unref();

serve(app, config, () => {
  clearInterval(restockTimer);
  void close();
});
