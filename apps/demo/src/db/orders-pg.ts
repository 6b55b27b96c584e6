/**
 * The orders service's data on PostgreSQL (`DEMO_DB=postgres`): the same tables, seed, answers
 * and deliberate flaws as orders.ts on SQLite: `recentOrders` loads the items of each order with
 * its own query (N+1), and `topCustomers` is the same report with a correlated subquery over a
 * materialised CTE (no index can help it), slow on PostgreSQL too.
 */
import { rows } from './inventory-pg.js';
import { REPORT_WINDOW, seedOrders, toOrder, type ItemRow, type OrderRow, type OrdersDb } from './orders.js';
import { inTransaction, openPostgres } from './postgres.js';

const DDL = `
  CREATE TABLE orders (
    id serial PRIMARY KEY, customer text NOT NULL, status text NOT NULL,
    total_cents integer NOT NULL, reservation_id integer, created_at bigint NOT NULL
  );
  CREATE TABLE order_items (
    id serial PRIMARY KEY, order_id integer NOT NULL REFERENCES orders(id),
    product_id integer NOT NULL, name text NOT NULL, quantity integer NOT NULL,
    unit_price_cents integer NOT NULL
  );
  CREATE INDEX order_items_by_order ON order_items(order_id);
`;

const ITEMS_OF = 'SELECT product_id, name, quantity, unit_price_cents FROM order_items WHERE order_id = $1 ORDER BY id';

/** Creates the service's schema, seeds it (a few multi-row INSERTs), and answers like the SQLite one. */
export async function createOrdersPg(env: Record<string, string | undefined> = process.env): Promise<OrdersDb & { close(): Promise<void> }> {
  const db = await openPostgres('orders', DDL, env);
  const seed = seedOrders(Date.now());
  const orderParams: unknown[] = [];
  const itemParams: unknown[] = [];
  seed.forEach((o, i) => {
    orderParams.push(i + 1, o.customer, 'delivered', o.totalCents, o.createdAt);
    for (const it of o.items) itemParams.push(i + 1, it.product_id, it.name, it.quantity, it.unit_price_cents);
  });
  await db.query(`INSERT INTO orders (id, customer, status, total_cents, created_at) VALUES ${rows(seed.length, 5)}`, orderParams);
  await db.query(`SELECT setval('orders_id_seq', $1)`, [seed.length]);
  // in chunks: a statement takes at most 65,535 parameters
  for (let from = 0; from < itemParams.length; from += 5 * 5000) {
    const chunk = itemParams.slice(from, from + 5 * 5000);
    await db.query(`INSERT INTO order_items (order_id, product_id, name, quantity, unit_price_cents) VALUES ${rows(chunk.length / 5, 5)}`, chunk);
  }

  const itemsOf = async (id: number) => (await db.query<ItemRow>(ITEMS_OF, [id])).rows;

  return {
    async getOrder(id) {
      const { rows: r } = await db.query<OrderRow>('SELECT * FROM orders WHERE id = $1', [id]);
      return r[0] && toOrder(r[0], await itemsOf(id));
    },
    async recentOrders(limit) {
      const { rows: latest } = await db.query<OrderRow>('SELECT * FROM orders ORDER BY id DESC LIMIT $1', [limit]);
      const out = [];
      for (const row of latest) out.push(toOrder(row, await itemsOf(row.id)));
      return out;
    },
    placeOrder(customer, reservationId, totalCents, items) {
      return inTransaction(db, async (client) => {
        const { rows: ins } = await client.query<OrderRow>(
          'INSERT INTO orders (customer, status, total_cents, reservation_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
          [customer, 'placed', totalCents, reservationId, Date.now()],
        );
        const order = ins[0]!;
        for (const it of items) {
          await client.query('INSERT INTO order_items (order_id, product_id, name, quantity, unit_price_cents) VALUES ($1, $2, $3, $4, $5)', [
            order.id, it.productId, it.name, it.quantity, it.unitPriceCents,
          ]);
        }
        return toOrder(order, (await client.query<ItemRow>(ITEMS_OF, [order.id])).rows);
      });
    },
    async topCustomers() {
      const { rows: r } = await db.query<{ customer: string; lifetime_cents: string }>(
        `
    WITH recent AS MATERIALIZED (
      SELECT customer, total_cents, created_at FROM orders ORDER BY id DESC LIMIT $1
    )
    SELECT r.customer,
           MAX((SELECT SUM(r2.total_cents) FROM recent r2
                WHERE r2.customer = r.customer AND r2.created_at <= r.created_at)) AS lifetime_cents
    FROM recent r GROUP BY r.customer ORDER BY lifetime_cents DESC LIMIT 10`,
        [REPORT_WINDOW],
      );
      return r.map((x) => ({ customer: x.customer, lifetimeCents: Number(x.lifetime_cents) }));
    },
    close: () => db.end(),
  };
}
