/**
 * Code the breakpoint rows set breakpoints on. Line numbers matter: the worker finds the marked
 * lines by their comments in the compiled file, so edits here cannot silently move a breakpoint.
 */
export function hot(i: number): number {
  const doubled = i * 2; // BP-HOT
  return doubled + 1;
}

export function unrelated(i: number): number {
  let x = i;
  for (let k = 0; k < 20; k++) x = (x * 31 + k) | 0;
  return x;
}

/** Module scope like a service's: its config, a database handle, a helper. */
const config = { name: 'orders', port: 3001, inventoryUrl: 'http://127.0.0.1:3002', db: 'sqlite', hub: true };
class Db {
  readonly orders = new Map<number, { id: number; customer: string; totalCents: number }>();
  private seq = 0;
  place(customer: string, totalCents: number) {
    const order = { id: ++this.seq, customer, totalCents };
    this.orders.set(order.id, order);
    return order;
  }
}
const db = new Db();

interface Req { body?: { customer?: unknown; items?: Array<{ productId: number; quantity: number }> }; headers: Record<string, unknown> }
interface Res { status(code: number): { json(body: unknown): void } }

/**
 * A handler shaped like the demo's `POST /orders` (apps/demo/src/services/orders.ts): an Express
 * request and response, a parsed body, the reservation an upstream answered, a price.
 */
export function placeOrder(req: Req, res: Res): void {
  const body = req.body ?? {};
  const customer = typeof body.customer === 'string' ? body.customer : 'guest';
  const lines = (body.items ?? []).map((l) => ({ ...l, name: `product ${l.productId}`, price: { cents: 1299, currency: 'EUR' } }));
  const reservation = { ok: true, reservationId: `r-${lines.length}`, lines };
  const price = { totalCents: lines.reduce((n, l) => n + l.price.cents * l.quantity, 0), tax: 0.2, currency: 'EUR' }; // BP-ORDER
  const order = db.place(customer, price.totalCents);
  res.status(201).json({ ...order, price, reservation, service: config.name });
}
