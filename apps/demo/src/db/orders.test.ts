import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createOrdersDb, type OrdersDb } from './orders.js';

describe('orders db', () => {
  let db: OrdersDb;
  beforeEach(() => {
    db = createOrdersDb(new Database(':memory:'));
  });

  it('places an order with its items and reads it back', async () => {
    const placed = await db.placeOrder('ada', 7, 5378, [{ productId: 1, name: 'Espresso beans 1 kg', quantity: 2, unitPriceCents: 2490 }]);
    expect(placed).toMatchObject({ customer: 'ada', status: 'placed', totalCents: 5378, reservationId: 7 });
    expect(await db.getOrder(placed.id)).toEqual(placed);
    expect(await db.getOrder(999_999)).toBeUndefined();
  });

  it('lists the latest orders first, each with its items', async () => {
    const placed = await db.placeOrder('grace', 1, 100, [{ productId: 2, name: 'x', quantity: 1, unitPriceCents: 100 }]);
    const recent = await db.recentOrders(5);
    expect(recent.map((o) => o.id)).toEqual([placed.id, placed.id - 1, placed.id - 2, placed.id - 3, placed.id - 4]);
    expect(recent[0]!.items).toHaveLength(1);
    expect(recent.every((o) => o.items.length > 0)).toBe(true);
  });

  it('reports the top ten customers by lifetime value', async () => {
    const top = await db.topCustomers();
    expect(top).toHaveLength(10);
    const values = top.map((c) => c.lifetimeCents);
    expect([...values].sort((a, b) => b - a)).toEqual(values);
  });
});
