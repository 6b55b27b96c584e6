/**
 * The orders service's data on SQLite (the default; orders-pg.ts is the same on PostgreSQL). Deliberate flaws for the panel to reveal: `recentOrders` loads the
 * items of each order with its own query (N+1), and `topCustomers` is a report whose correlated
 * subquery scans its input once per row (about 100 ms; bounded to the latest 800 orders so it does
 * not grow with the load).
 */
import type Database from 'better-sqlite3';

export interface OrderItem {
  productId: number;
  name: string;
  quantity: number;
  unitPriceCents: number;
}

export interface Order {
  id: number;
  customer: string;
  status: string;
  totalCents: number;
  reservationId: number | null;
  createdAt: string;
  items: OrderItem[];
}

export const CUSTOMERS = ['ada', 'grace', 'linus', 'margaret', 'ken', 'barbara', 'edsger', 'frances', 'donald', 'radia'];
export const SEED_ORDERS = 1000;
export const REPORT_WINDOW = 800;

export type OrderRow = { id: number; customer: string; status: string; total_cents: number; reservation_id: number | null; created_at: number };
export type ItemRow = { product_id: number; name: string; quantity: number; unit_price_cents: number };

/** What the orders service asks of its database, whichever it is (SQLite or PostgreSQL). */
export interface OrdersDb {
  getOrder(id: number): Promise<Order | undefined>;
  /** Deliberate N+1: the items of each order come from their own query. */
  recentOrders(limit: number): Promise<Order[]>;
  placeOrder(customer: string, reservationId: number, totalCents: number, items: OrderItem[]): Promise<Order>;
  /** Deliberately slow report (see the file comment). */
  topCustomers(): Promise<Array<{ customer: string; lifetimeCents: number }>>;
}

/** The seeded orders, oldest first, each with its items (the same on both databases). */
export function seedOrders(now: number): Array<{ customer: string; totalCents: number; createdAt: number; items: ItemRow[] }> {
  const out = [];
  for (let i = 0; i < SEED_ORDERS; i++) {
    const lines = 1 + (i % 3);
    let total = 0;
    const items: ItemRow[] = [];
    for (let j = 0; j < lines; j++) {
      const raw = 1 + ((i * 7 + j * 3) % 20);
      const productId = raw === 13 ? 14 : raw; // the unpriced product was never sold
      const item = { product_id: productId, name: `product ${productId}`, quantity: 1 + ((i + j) % 3), unit_price_cents: 500 + ((productId * 379) % 9000) };
      total += item.quantity * item.unit_price_cents;
      items.push(item);
    }
    out.push({ customer: CUSTOMERS[i % CUSTOMERS.length]!, totalCents: total, createdAt: now - (SEED_ORDERS - i) * 60_000, items });
  }
  return out;
}

export const toOrder = (row: OrderRow, items: ItemRow[]): Order => ({
  id: row.id,
  customer: row.customer,
  status: row.status,
  totalCents: row.total_cents,
  reservationId: row.reservation_id,
  createdAt: new Date(Number(row.created_at)).toISOString(),
  items: items.map((i) => ({ productId: i.product_id, name: i.name, quantity: i.quantity, unitPriceCents: i.unit_price_cents })),
});

/** Creates and seeds the schema, and prepares every statement once. */
export function createOrdersDb(db: Database.Database): OrdersDb {
  db.exec(`
    CREATE TABLE orders (
      id INTEGER PRIMARY KEY, customer TEXT NOT NULL, status TEXT NOT NULL,
      total_cents INTEGER NOT NULL, reservation_id INTEGER, created_at INTEGER NOT NULL
    );
    CREATE TABLE order_items (
      id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
      product_id INTEGER NOT NULL, name TEXT NOT NULL, quantity INTEGER NOT NULL,
      unit_price_cents INTEGER NOT NULL
    );
    CREATE INDEX order_items_by_order ON order_items(order_id);
  `);
  const insertOrder = db.prepare(
    'INSERT INTO orders (customer, status, total_cents, reservation_id, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const insertItem = db.prepare(
    'INSERT INTO order_items (order_id, product_id, name, quantity, unit_price_cents) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const o of seedOrders(Date.now())) {
      const id = Number(insertOrder.run(o.customer, 'delivered', o.totalCents, null, o.createdAt).lastInsertRowid);
      for (const it of o.items) insertItem.run(id, it.product_id, it.name, it.quantity, it.unit_price_cents);
    }
  })();

  const orderById = db.prepare<[number], OrderRow>('SELECT * FROM orders WHERE id = ?');
  const itemsOf = db.prepare<[number], ItemRow>(
    'SELECT product_id, name, quantity, unit_price_cents FROM order_items WHERE order_id = ? ORDER BY id',
  );
  const latest = db.prepare<[number], OrderRow>('SELECT * FROM orders ORDER BY id DESC LIMIT ?');
  const report = db.prepare<[number], { customer: string; lifetime_cents: number }>(`
    WITH recent AS MATERIALIZED (
      SELECT customer, total_cents, created_at FROM orders ORDER BY id DESC LIMIT ?
    )
    SELECT r.customer,
           MAX((SELECT SUM(r2.total_cents) FROM recent r2
                WHERE r2.customer = r.customer AND r2.created_at <= r.created_at)) AS lifetime_cents
    FROM recent r GROUP BY r.customer ORDER BY lifetime_cents DESC LIMIT 10`);

  const place = db.transaction((customer: string, reservationId: number, totalCents: number, items: OrderItem[]): Order => {
    const id = Number(insertOrder.run(customer, 'placed', totalCents, reservationId, Date.now()).lastInsertRowid);
    for (const it of items) insertItem.run(id, it.productId, it.name, it.quantity, it.unitPriceCents);
    return toOrder(orderById.get(id)!, itemsOf.all(id));
  });

  // better-sqlite3 is synchronous: the methods are async only to share the interface with PostgreSQL.
  return {
    async getOrder(id) {
      const row = orderById.get(id);
      return row && toOrder(row, itemsOf.all(id));
    },
    async recentOrders(limit) {
      return latest.all(limit).map((row) => toOrder(row, itemsOf.all(row.id)));
    },
    async placeOrder(customer, reservationId, totalCents, items) {
      return place(customer, reservationId, totalCents, items);
    },
    async topCustomers() {
      return report.all(REPORT_WINDOW).map((r) => ({ customer: r.customer, lifetimeCents: r.lifetime_cents }));
    },
  };
}
