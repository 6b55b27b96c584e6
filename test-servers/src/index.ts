/**
 * @debugpanel/test-servers: real database servers for the tests (no mocks of a database).
 * Each call starts a private server from Debian's packages (`postgresql`, `mariadb-server`) in a
 * temporary directory on a free loopback port, as an unprivileged account, and `stop()` removes it.
 *
 * @example
 * import { startPostgres } from '@debugpanel/test-servers';
 * let db: Awaited<ReturnType<typeof startPostgres>>;
 * beforeAll(async () => { db = await startPostgres(); });
 * afterAll(() => db.stop());
 */
export { startPostgres, type PostgresServer } from './postgres.js';
export { startMariaDb, type MariaDbServer } from './mariadb.js';
