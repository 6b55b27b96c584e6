import { autoInstrumentDatabases } from './db-auto.js';
import { instrumentMysql2Pool, subscribeMysql2 } from './mysql2.js';
import { instrumentPg as patchPg } from './pg.js';
import { getState } from './state.js';

/**
 * Instruments node-postgres given its module, for a `pg` that `process.cwd()` does not resolve
 * (setupTracing() finds that one by itself). Clients made before are covered too.
 *
 * @example
 * import pg from 'pg';
 * import { instrumentPg } from '@debugpanel/tracing';
 * instrumentPg(pg);
 */
export function instrumentPg(pg: unknown): void {
  if (!patchPg(getState(), pg)) throw new TypeError("instrumentPg() expects the pg module (import pg from 'pg')");
}

/**
 * Instruments mysql2 (its diagnostics channels, and its Pool given the module).
 *
 * @example
 * import mysql from 'mysql2';
 * import { instrumentMysql2 } from '@debugpanel/tracing';
 * instrumentMysql2(mysql);
 */
export function instrumentMysql2(mysql2?: unknown): void {
  const state = getState();
  state.mysql2Subscription ??= subscribeMysql2(state);
  if (mysql2 !== undefined) instrumentMysql2Pool(state, mysql2);
}

/**
 * What `debugpanel/register` runs before the app's first import: the pg and mysql2 hooks (spans
 * are made once a panel exists). See `db-auto.ts` for what each hook reaches.
 */
export function preloadDatabaseInstrumentation(): void {
  autoInstrumentDatabases(getState());
}
