/**
 * orders (port 3001): prices and places orders, keeps them in SQLite (or PostgreSQL with
 * DEMO_DB=postgres), and asks inventory for
 * products and stock over node:http. Called by the gateway over fetch.
 */
import { readServiceConfig } from '../config.js';
import { openOrders } from '../db/open.js';
import type { OrderItem } from '../db/orders.js';
import type { Product, ReserveResult } from '../db/inventory.js';
import { httpJson, unwrap } from '../http-client.js';
import { quote } from '../pricing.js';
import { HttpError, createServiceApp, failStart, finishApp, route, serve } from '../service-kit.js';
import { parseId, parseLines } from '../validate.js';

const config = readServiceConfig('orders');
const { app } = createServiceApp(config);
const { db, close } = await openOrders(config).catch(failStart);
const inventory = (path: string) => `${config.inventoryUrl}${path}`;

app.get('/products', route(async (_req, res) => {
  const { products } = unwrap<{ products: Product[] }>('inventory', await httpJson('GET', inventory('/products')));
  // Unpriced products are listed without a price; only the detail page trips over them.
  const priced = products.map((p) => ({
    ...p,
    priceWithTaxCents: p.price ? quote('guest', [{ productId: p.id, quantity: 1, price: p.price }]).totalCents : null,
  }));
  res.json({ products: priced });
}));

app.get('/products/:id', route(async (req, res) => {
  const id = parseId(req.params.id, 'product id');
  const product = unwrap<Product>('inventory', await httpJson('GET', inventory(`/products/${id}`)));
  res.json({ ...product, priceWithTaxCents: quote('guest', [{ productId: id, quantity: 1, price: product.price }]).totalCents });
}));

app.post('/orders', route(async (req, res) => {
  const body = (req.body ?? {}) as { customer?: unknown; items?: unknown };
  const customer = typeof body.customer === 'string' && /^[\w.-]{1,40}$/.test(body.customer) ? body.customer : undefined;
  if (!customer) throw new HttpError(400, 'customer must be a name of 1 to 40 letters, digits, ".", "_" or "-"');
  const lines = parseLines(body.items);
  console.info(`order for ${customer}: reserving ${lines.length} lines`);
  const reservation = unwrap<Extract<ReserveResult, { ok: true }>>(
    'inventory',
    await httpJson('POST', inventory('/reservations'), { items: lines }),
  );
  const price = quote(customer, reservation.lines);
  const items: OrderItem[] = reservation.lines.map((l) => ({
    productId: l.productId,
    name: l.name,
    quantity: l.quantity,
    unitPriceCents: l.price!.cents,
  }));
  const order = await db.placeOrder(customer, reservation.reservationId, price.totalCents, items);
  res.status(201).json({ ...order, price });
}));

app.get('/orders', route(async (req, res) => {
  const raw = typeof req.query.limit === 'string' ? req.query.limit : '20';
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, `limit must be an integer from 1 to 100, got "${raw}"`);
  res.json({ orders: await db.recentOrders(limit) });
}));

app.get('/orders/:id', route(async (req, res) => {
  const order = await db.getOrder(parseId(req.params.id, 'order id'));
  if (!order) throw new HttpError(404, `unknown order ${req.params.id}`);
  res.json(order);
}));

app.get('/reports/top-customers', route(async (_req, res) => {
  res.json({ customers: await db.topCustomers() });
}));

finishApp(app);
serve(app, config, () => void close());
