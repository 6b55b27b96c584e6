/**
 * `DEMO_DB=postgres`: each service keeps its tables in a PostgreSQL schema of its own
 * (`demo_inventory`, `demo_orders`) in the database that `DATABASE_URL` names, or, without it, the
 * one the standard PG* variables name (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, read by
 * node-postgres itself). The schema is dropped and created again at every start, like the SQLite
 * files: the demo touches nothing else in that database.
 */
import type { Pool, PoolClient } from 'pg';

export type { Pool, PoolClient };

/** The schema a service's tables live in. */
export function schemaOf(service: string): string {
  return `demo_${service}`;
}

/**
 * Opens a pool on the service's own schema and creates that schema afresh (`ddl` runs in it).
 * pg is imported here, after `debugPanel()`, only when the demo runs on PostgreSQL.
 * @example const pool = await openPostgres('orders', 'CREATE TABLE orders (...)');
 */
export async function openPostgres(service: string, ddl: string, env: Record<string, string | undefined> = process.env): Promise<Pool> {
  const { default: pg } = await import('pg');
  const schema = schemaOf(service);
  const pool = new pg.Pool({
    ...(env.DATABASE_URL ? { connectionString: env.DATABASE_URL } : {}),
    // every connection of the pool reads and writes the service's schema only
    options: `-c search_path=${schema}`,
    max: 8,
    application_name: `debugpanel-demo-${service}`,
  });
  // An idle client losing its connection (the server restarts) must not end the service.
  pool.on('error', (err) => console.warn(`postgres (${service}): ${err.message}`));
  try {
    const client = await pool.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(ddl);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    const where = env.DATABASE_URL ? 'DATABASE_URL' : `PGHOST=${env.PGHOST ?? '(default)'} PGPORT=${env.PGPORT ?? '(default)'} PGDATABASE=${env.PGDATABASE ?? '(default)'}`;
    throw new Error(`DEMO_DB=postgres: cannot prepare schema ${schema} (${where}): ${(err as Error).message}`);
  }
  return pool;
}

/**
 * Runs `fn` in a transaction on one client of the pool: COMMIT when it resolves, ROLLBACK when it
 * throws (and the error goes on).
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
