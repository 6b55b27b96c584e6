/**
 * The orders service's data. Deliberate flaws for the panel to reveal: `recentOrders` loads the
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
const SEED_ORDERS = 1000;
const REPORT_WINDOW = 800;

type OrderRow = { id: number; customer: string; status: string; total_cents: number; reservation_id: number | null; created_at: number };
type ItemRow = { product_id: number; name: string; quantity: number; unit_price_cents: number };

/** Creates and seeds the schema, and prepares every statement once. */
export function createOrdersDb(db: Database.Database) {
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
  const now = Date.now();
  db.transaction(() => {
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
      const id = Number(insertOrder.run(CUSTOMERS[i % CUSTOMERS.length], 'delivered', total, null, now - (SEED_ORDERS - i) * 60_000).lastInsertRowid);
      for (const it of items) insertItem.run(id, it.product_id, it.name, it.quantity, it.unit_price_cents);
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

  const toOrder = (row: OrderRow, items: ItemRow[]): Order => ({
    id: row.id,
    customer: row.customer,
    status: row.status,
    totalCents: row.total_cents,
    reservationId: row.reservation_id,
    createdAt: new Date(row.created_at).toISOString(),
    items: items.map((i) => ({ productId: i.product_id, name: i.name, quantity: i.quantity, unitPriceCents: i.unit_price_cents })),
  });

  const place = db.transaction((customer: string, reservationId: number, totalCents: number, items: OrderItem[]): Order => {
    const id = Number(insertOrder.run(customer, 'placed', totalCents, reservationId, Date.now()).lastInsertRowid);
    for (const it of items) insertItem.run(id, it.productId, it.name, it.quantity, it.unitPriceCents);
    return toOrder(orderById.get(id)!, itemsOf.all(id));
  });

  return {
    getOrder(id: number): Order | undefined {
      const row = orderById.get(id);
      return row && toOrder(row, itemsOf.all(id));
    },
    /** Deliberate N+1: the items of each order come from their own query. */
    recentOrders(limit: number): Order[] {
      return latest.all(limit).map((row) => toOrder(row, itemsOf.all(row.id)));
    },
    placeOrder(customer: string, reservationId: number, totalCents: number, items: OrderItem[]): Order {
      return place(customer, reservationId, totalCents, items);
    },
    /** Deliberately slow report (see the file comment). */
    topCustomers(): Array<{ customer: string; lifetimeCents: number }> {
      return report.all(REPORT_WINDOW).map((r) => ({ customer: r.customer, lifetimeCents: r.lifetime_cents }));
    },
  };
}

export type OrdersDb = ReturnType<typeof createOrdersDb>;
