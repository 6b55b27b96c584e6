/**
 * The inventory service's data on PostgreSQL (`DEMO_DB=postgres`): the same tables, seed, answers
 * and deliberate flaws as inventory.ts on SQLite. `listProducts` runs one stock query per product
 * (N+1), awaited one after another as the SQLite one runs them.
 */
import {
  CATALOG,
  OutOfStock,
  RESTOCK_LEVEL,
  WAREHOUSES,
  seedQuantity,
  skuOf,
  toProduct,
  type InventoryDb,
  type Price,
  type ReservationLine,
  type Row,
} from './inventory.js';
import { inTransaction, openPostgres } from './postgres.js';

const DDL = `
  CREATE TABLE products (
    id integer PRIMARY KEY, sku text NOT NULL UNIQUE, name text NOT NULL,
    category text NOT NULL, price_cents integer
  );
  CREATE TABLE stock (
    product_id integer NOT NULL REFERENCES products(id), warehouse text NOT NULL,
    quantity integer NOT NULL CHECK (quantity >= 0), PRIMARY KEY (product_id, warehouse)
  );
  CREATE TABLE reservations (id serial PRIMARY KEY, created_at bigint NOT NULL, lines text NOT NULL);
`;

class UnknownProduct extends Error {}

/** Creates the service's schema, seeds it (two statements), and answers like the SQLite one. */
export async function createInventoryPg(env: Record<string, string | undefined> = process.env): Promise<InventoryDb & { close(): Promise<void> }> {
  const db = await openPostgres('inventory', DDL, env);
  const products: unknown[] = [];
  const stock: unknown[] = [];
  CATALOG.forEach(([name, category, price], i) => {
    const id = i + 1;
    products.push(id, skuOf(id), name, category, price);
    WAREHOUSES.forEach((w, j) => stock.push(id, w, seedQuantity(id, j)));
  });
  await db.query(`INSERT INTO products (id, sku, name, category, price_cents) VALUES ${rows(CATALOG.length, 5)}`, products);
  await db.query(`INSERT INTO stock (product_id, warehouse, quantity) VALUES ${rows(stock.length / 3, 3)}`, stock);

  const stockOf = async (id: number): Promise<number> => {
    const { rows: r } = await db.query<{ total: string | null }>('SELECT SUM(quantity) AS total FROM stock WHERE product_id = $1', [id]);
    // SUM of integers is a bigint, which node-postgres hands over as a string
    return Number(r[0]?.total ?? 0);
  };

  return {
    async listProducts() {
      const { rows: all } = await db.query<Row>('SELECT id, sku, name, category, price_cents FROM products ORDER BY id');
      const out = [];
      for (const row of all) out.push(toProduct(row, await stockOf(row.id)));
      return out;
    },
    async getProduct(id) {
      const { rows: r } = await db.query<Row>('SELECT id, sku, name, category, price_cents FROM products WHERE id = $1', [id]);
      return r[0] && toProduct(r[0], await stockOf(id));
    },
    async reserve(lines) {
      try {
        return await inTransaction(db, async (client) => {
          const out: Array<ReservationLine & { name: string; price: Price | null }> = [];
          for (const line of lines) {
            const { rows: found } = await client.query<Row>('SELECT id, sku, name, category, price_cents FROM products WHERE id = $1', [line.productId]);
            const row = found[0];
            if (!row) throw new UnknownProduct(`unknown product ${line.productId}`);
            let missing = line.quantity;
            // FOR UPDATE: two reservations of one product wait for each other instead of both taking the last item
            const { rows: shelves } = await client.query<{ warehouse: string; quantity: number }>(
              'SELECT warehouse, quantity FROM stock WHERE product_id = $1 AND quantity > 0 ORDER BY quantity DESC FOR UPDATE',
              [line.productId],
            );
            for (const shelf of shelves) {
              const take = Math.min(missing, shelf.quantity);
              await client.query('UPDATE stock SET quantity = quantity - $1 WHERE product_id = $2 AND warehouse = $3', [take, line.productId, shelf.warehouse]);
              missing -= take;
              if (missing === 0) break;
            }
            if (missing > 0) throw new OutOfStock(`only ${line.quantity - missing} of product ${line.productId} (${row.name}) in stock, ${line.quantity} wanted`);
            out.push({ ...line, name: row.name, price: toProduct(row, 0).price });
          }
          const { rows: ins } = await client.query<{ id: number }>('INSERT INTO reservations (created_at, lines) VALUES ($1, $2) RETURNING id', [Date.now(), JSON.stringify(lines)]);
          return { ok: true as const, reservationId: ins[0]!.id, lines: out };
        });
      } catch (err) {
        if (err instanceof OutOfStock) return { ok: false, status: 409, error: err.message };
        if (err instanceof UnknownProduct) return { ok: false, status: 404, error: err.message };
        throw err;
      }
    },
    async restock() {
      return (await db.query('UPDATE stock SET quantity = $1 WHERE quantity < 10', [RESTOCK_LEVEL])).rowCount ?? 0;
    },
    close: () => db.end(),
  };
}

/** `($1, $2), ($3, $4)` for `count` rows of `width` parameters. */
export function rows(count: number, width: number): string {
  const out: string[] = [];
  for (let r = 0; r < count; r++) {
    const ps: string[] = [];
    for (let c = 1; c <= width; c++) ps.push(`$${r * width + c}`);
    out.push(`(${ps.join(', ')})`);
  }
  return out.join(', ');
}
