/**
 * The inventory service's data on SQLite (the default; inventory-pg.ts is the same on PostgreSQL):
 * products and their stock per warehouse. Two flaws are on purpose, for the panel to reveal:
 * `listProducts` runs one stock query per product (N+1), and one product has no price, which
 * breaks the pricing code in orders.
 */
import type Database from 'better-sqlite3';

export interface Price {
  cents: number;
  currency: 'EUR';
}

export interface Product {
  id: number;
  sku: string;
  name: string;
  category: string;
  /** null for a product nobody priced yet (the seeded "Mystery box", id 13) */
  price: Price | null;
  inStock: number;
}

export interface ReservationLine {
  productId: number;
  quantity: number;
}

export type ReserveResult =
  | { ok: true; reservationId: number; lines: Array<ReservationLine & { name: string; price: Price | null }> }
  | { ok: false; status: 404 | 409; error: string };

export const CATALOG: Array<[name: string, category: string, priceCents: number | null]> = [
  ['Espresso beans 1 kg', 'coffee', 2490],
  ['Filter beans 500 g', 'coffee', 1290],
  ['Decaf beans 500 g', 'coffee', 1390],
  ['Hand grinder', 'gear', 5900],
  ['Burr grinder', 'gear', 18900],
  ['Pour-over dripper', 'gear', 2400],
  ['Paper filters x100', 'gear', 590],
  ['Gooseneck kettle', 'gear', 6900],
  ['Milk jug 350 ml', 'gear', 1990],
  ['Scale 0.1 g', 'gear', 3490],
  ['Tamper 58 mm', 'gear', 2990],
  ['Cleaning tablets', 'care', 990],
  ['Mystery box', 'coffee', null],
  ['Descaler', 'care', 1190],
  ['Travel mug', 'cups', 2290],
  ['Cappuccino cup', 'cups', 1490],
  ['Espresso cup x2', 'cups', 1890],
  ['Cold brew jar', 'gear', 2790],
  ['Gift card 25', 'gift', 2500],
  ['Barista course', 'gift', 9900],
];
export const WAREHOUSES = ['north', 'south'];
/** The seeded quantity of a product (1-based id) in the j-th warehouse. */
export const seedQuantity = (id: number, j: number) => 10 + ((id * 7 + j * 13) % 30);
/** `SKU-0001` */
export const skuOf = (id: number) => `SKU-${String(id).padStart(4, '0')}`;
/** Restock tops a shelf up to this when it runs low, so the load never drains the shop for good. */
export const RESTOCK_LEVEL = 40;

export type Row = { id: number; sku: string; name: string; category: string; price_cents: number | null };

/** What the inventory service asks of its database, whichever it is (SQLite or PostgreSQL). */
export interface InventoryDb {
  /** Deliberate N+1: one stock query per product instead of a JOIN with GROUP BY. */
  listProducts(): Promise<Product[]>;
  getProduct(id: number): Promise<Product | undefined>;
  /** Takes the lines from the shelves in one transaction, or nothing (404 unknown, 409 short). */
  reserve(lines: ReservationLine[]): Promise<ReserveResult>;
  /** Tops up low shelves; returns how many shelves it refilled. */
  restock(): Promise<number>;
}

export function toProduct(row: Row, inStock: number): Product {
  const price: Price | null = row.price_cents === null ? null : { cents: row.price_cents, currency: 'EUR' };
  return { id: row.id, sku: row.sku, name: row.name, category: row.category, price, inStock };
}

/** Thrown inside a reservation's transaction to roll it back; answered as a 409. */
export class OutOfStock extends Error {}

/** Creates and seeds the schema, and prepares every statement once. */
export function createInventoryDb(db: Database.Database): InventoryDb {
  db.exec(`
    CREATE TABLE products (
      id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
      category TEXT NOT NULL, price_cents INTEGER
    );
    CREATE TABLE stock (
      product_id INTEGER NOT NULL REFERENCES products(id), warehouse TEXT NOT NULL,
      quantity INTEGER NOT NULL CHECK (quantity >= 0), PRIMARY KEY (product_id, warehouse)
    );
    CREATE TABLE reservations (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, lines TEXT NOT NULL);
  `);
  const insertProduct = db.prepare('INSERT INTO products (id, sku, name, category, price_cents) VALUES (?, ?, ?, ?, ?)');
  const insertStock = db.prepare('INSERT INTO stock (product_id, warehouse, quantity) VALUES (?, ?, ?)');
  db.transaction(() => {
    CATALOG.forEach(([name, category, price], i) => {
      const id = i + 1;
      insertProduct.run(id, skuOf(id), name, category, price);
      WAREHOUSES.forEach((w, j) => insertStock.run(id, w, seedQuantity(id, j)));
    });
  })();

  const allProducts = db.prepare<[], Row>('SELECT id, sku, name, category, price_cents FROM products ORDER BY id');
  const productById = db.prepare<[number], Row>('SELECT id, sku, name, category, price_cents FROM products WHERE id = ?');
  const stockOf = db.prepare<[number], { total: number | null }>('SELECT SUM(quantity) AS total FROM stock WHERE product_id = ?');
  const shelvesOf = db.prepare<[number], { warehouse: string; quantity: number }>(
    'SELECT warehouse, quantity FROM stock WHERE product_id = ? AND quantity > 0 ORDER BY quantity DESC',
  );
  const takeFromShelf = db.prepare('UPDATE stock SET quantity = quantity - ? WHERE product_id = ? AND warehouse = ?');
  const insertReservation = db.prepare('INSERT INTO reservations (created_at, lines) VALUES (?, ?)');
  const restock = db.prepare('UPDATE stock SET quantity = ? WHERE quantity < 10');

  const reserve = db.transaction((lines: ReservationLine[]): ReserveResult => {
    const out: Array<ReservationLine & { name: string; price: Price | null }> = [];
    for (const line of lines) {
      const row = productById.get(line.productId);
      if (!row) return { ok: false, status: 404, error: `unknown product ${line.productId}` };
      let missing = line.quantity;
      for (const shelf of shelvesOf.all(line.productId)) {
        const take = Math.min(missing, shelf.quantity);
        takeFromShelf.run(take, line.productId, shelf.warehouse);
        missing -= take;
        if (missing === 0) break;
      }
      // Throwing rolls the whole transaction back, so earlier lines are not left half-reserved.
      if (missing > 0) throw new OutOfStock(`only ${line.quantity - missing} of product ${line.productId} (${row.name}) in stock, ${line.quantity} wanted`);
      out.push({ ...line, name: row.name, price: toProduct(row, 0).price });
    }
    const id = Number(insertReservation.run(Date.now(), JSON.stringify(lines)).lastInsertRowid);
    return { ok: true, reservationId: id, lines: out };
  });

  // better-sqlite3 is synchronous: the methods are async only to share the interface with PostgreSQL.
  return {
    async listProducts() {
      return allProducts.all().map((row) => toProduct(row, stockOf.get(row.id)?.total ?? 0));
    },
    async getProduct(id) {
      const row = productById.get(id);
      return row && toProduct(row, stockOf.get(id)?.total ?? 0);
    },
    async reserve(lines) {
      try {
        return reserve(lines);
      } catch (err) {
        if (err instanceof OutOfStock) return { ok: false, status: 409, error: err.message };
        throw err;
      }
    },
    async restock() {
      return restock.run(RESTOCK_LEVEL).changes;
    },
  };
}
