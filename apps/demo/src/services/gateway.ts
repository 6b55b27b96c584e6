/**
 * gateway (port 3000): the shop's public API. Checks the caller, then forwards to orders over
 * fetch. It is also the hub whose panel shows the whole three-service traces.
 */
import { trace } from '@opentelemetry/api';
import type { Request } from 'express';
import { readServiceConfig } from '../config.js';
import { fetchJson, unwrap } from '../http-client.js';
import { createServiceApp, finishApp, route, serve } from '../service-kit.js';
import { parseId } from '../validate.js';

const config = readServiceConfig('gateway');
const { app } = createServiceApp(config);
const tracer = trace.getTracer('demo-gateway');
const orders = (path: string) => `${config.ordersUrl}${path}`;

/** A stand-in for a real auth check: a user span with the caller's id, no secrets. */
function authenticate(req: Request): string {
  return tracer.startActiveSpan('auth.verify', (span) => {
    const user = req.get('x-demo-user') ?? 'guest';
    span.setAttribute('enduser.id', user);
    span.end();
    return user;
  });
}

app.use('/api', (req, _res, next) => {
  authenticate(req);
  next();
});

app.get('/api/products', route(async (_req, res) => {
  res.json(unwrap('orders', await fetchJson(orders('/products'))));
}));

app.get('/api/products/:id', route(async (req, res) => {
  res.json(unwrap('orders', await fetchJson(orders(`/products/${parseId(req.params.id, 'product id')}`))));
}));

app.post('/api/orders', route(async (req, res) => {
  console.info(`checkout for ${String((req.body as { customer?: unknown } | undefined)?.customer ?? 'someone')}`);
  res.status(201).json(unwrap('orders', await fetchJson(orders('/orders'), { method: 'POST', body: req.body ?? {} })));
}));

app.get('/api/orders', route(async (req, res) => {
  const limit = typeof req.query.limit === 'string' ? req.query.limit : '20';
  res.json(unwrap('orders', await fetchJson(orders(`/orders?limit=${encodeURIComponent(limit)}`))));
}));

app.get('/api/orders/:id', route(async (req, res) => {
  res.json(unwrap('orders', await fetchJson(orders(`/orders/${parseId(req.params.id, 'order id')}`))));
}));

/** The slow endpoint: a heavy SQL report in orders. */
app.get('/api/reports/top-customers', route(async (_req, res) => {
  res.json(unwrap('orders', await fetchJson(orders('/reports/top-customers'), { timeoutMs: 15_000 })));
}));

finishApp(app);
serve(app, config);
