import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { ServiceConfig } from '../config.js';
import { createInventoryDb, type InventoryDb } from './inventory.js';
import { createOrdersDb, type OrdersDb } from './orders.js';

/**
 * Opens the service's SQLite database: a fresh file in `dataDir` (WAL, as a real service would run
 * it) or, without a folder, an in-memory one. The demo reseeds on every start, so an old file is
 * removed first.
 */
export function openDatabase(service: string, dataDir: string | undefined): Database.Database {
  if (!dataDir) return new Database(':memory:');
  const file = path.join(dataDir, `${service}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** A service's data and how to close it when the service stops. */
export interface Opened<T> {
  db: T;
  close(): Promise<void>;
}

/**
 * The inventory data on the database the config names (`DEMO_DB`): SQLite by default, PostgreSQL
 * with `DEMO_DB=postgres` (loaded only then).
 */
export async function openInventory(config: ServiceConfig): Promise<Opened<InventoryDb>> {
  if (config.db === 'postgres') {
    const { createInventoryPg } = await import('./inventory-pg.js');
    const db = await createInventoryPg();
    return { db, close: db.close };
  }
  const sqlite = openDatabase('inventory', config.dataDir);
  return { db: createInventoryDb(sqlite), close: async () => void sqlite.close() };
}

/** The orders data on the database the config names (see `openInventory`). */
export async function openOrders(config: ServiceConfig): Promise<Opened<OrdersDb>> {
  if (config.db === 'postgres') {
    const { createOrdersPg } = await import('./orders-pg.js');
    const db = await createOrdersPg();
    return { db, close: db.close };
  }
  const sqlite = openDatabase('orders', config.dataDir);
  return { db: createOrdersDb(sqlite), close: async () => void sqlite.close() };
}
