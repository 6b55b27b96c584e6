import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { RESTOCK_LEVEL, createInventoryDb, type InventoryDb } from './inventory.js';

describe('inventory db', () => {
  let sqlite: Database.Database;
  let db: InventoryDb;
  beforeEach(() => {
    sqlite = new Database(':memory:');
    db = createInventoryDb(sqlite);
  });

  it('lists the 20 seeded products with their stock summed over warehouses', async () => {
    const products = await db.listProducts();
    expect(products).toHaveLength(20);
    const total = (sqlite.prepare('SELECT SUM(quantity) AS t FROM stock WHERE product_id = 1').get() as { t: number }).t;
    expect(products[0]).toMatchObject({ id: 1, sku: 'SKU-0001', price: { cents: 2490, currency: 'EUR' }, inStock: total });
  });

  it('has one product without a price (the deliberate data bug)', async () => {
    expect(await db.getProduct(13)).toMatchObject({ name: 'Mystery box', price: null });
    expect(await db.getProduct(999)).toBeUndefined();
  });

  it('reserves across warehouses and lowers the stock', async () => {
    const before = (await db.getProduct(2))!.inStock;
    const r = await db.reserve([{ productId: 2, quantity: before - 1 }]);
    expect(r).toMatchObject({ ok: true, lines: [{ productId: 2, quantity: before - 1, name: 'Filter beans 500 g' }] });
    expect((await db.getProduct(2))!.inStock).toBe(1);
  });

  it('refuses an order beyond stock with 409 and leaves earlier lines untouched', async () => {
    const before = [(await db.getProduct(1))!.inStock, (await db.getProduct(2))!.inStock];
    const r = await db.reserve([
      { productId: 1, quantity: 1 },
      { productId: 2, quantity: 10_000 },
    ]);
    expect(r).toMatchObject({ ok: false, status: 409 });
    expect([(await db.getProduct(1))!.inStock, (await db.getProduct(2))!.inStock]).toEqual(before);
  });

  it('answers 404 for an unknown product', async () => {
    expect(await db.reserve([{ productId: 404, quantity: 1 }])).toMatchObject({ ok: false, status: 404 });
  });

  it('restocks only the low shelves', async () => {
    await db.reserve([{ productId: 3, quantity: (await db.getProduct(3))!.inStock }]);
    expect(await db.restock()).toBe(2);
    expect((await db.getProduct(3))!.inStock).toBe(2 * RESTOCK_LEVEL);
  });
});
