import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary, freePort, runAs, runToEnd, startServer, stopServer, tempDir } from './process.js';

/** A running PostgreSQL: connect with `url`, or the parts. */
export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** `postgres://user:password@127.0.0.1:port/database` */
  readonly url: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Debian keeps the server binaries in /usr/lib/postgresql/<major>/bin: the newest one wins. */
function postgresBin(name: string): string {
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    // not Debian's layout: fall back to PATH
  }
  const found = findBinary(versions.map((v) => `/usr/lib/postgresql/${v}/bin/${name}`), name);
  if (!found) {
    throw new Error(`test-servers: PostgreSQL's ${name} was not found; install Debian's "postgresql" package (.ci/run does it)`);
  }
  return found;
}

/**
 * Starts a throw-away PostgreSQL: `initdb` into a temporary directory as the `postgres` account
 * (when root) or the current user, a server on a free 127.0.0.1 port with its socket in that
 * directory, password (SCRAM) authentication over TCP, and a database `test`. Durability is off
 * (fsync, synchronous_commit): it is for tests.
 *
 * @example
 * const pg = await startPostgres();
 * const client = new pg.Client({ connectionString: server.url });
 * // ...
 * await server.stop();
 */
export async function startPostgres(options: { database?: string } = {}): Promise<PostgresServer> {
  const user = runAs('postgres');
  const { dir, remove } = tempDir('dp-pg-', user);
  const database = options.database ?? 'test';
  const password = randomBytes(12).toString('hex');
  try {
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, password, { mode: 0o600 });
    if (user.uid !== undefined) chownSync(pwfile, user.uid, user.gid!);
    runToEnd(
      postgresBin('initdb'),
      ['-D', join(dir, 'data'), '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      user,
      dir,
    );
    const port = await freePort();
    const child = await startServer(
      postgresBin('postgres'),
      [
        '-D', join(dir, 'data'), '-p', String(port), '-k', dir,
        '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off', '-c', 'shared_buffers=16MB', '-c', 'max_connections=40',
      ],
      user,
      dir,
      /database system is ready to accept connections/,
    );
    try {
      runToEnd(postgresBin('psql'), ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-q', '-c', `CREATE DATABASE "${database}"`], user, dir);
    } catch (err) {
      await stopServer(child, 'SIGINT', remove);
      throw err;
    }
    return {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      database,
      url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
      // SIGINT is PostgreSQL's "fast" shutdown: running transactions are rolled back.
      stop: () => stopServer(child, 'SIGINT', remove),
    };
  } catch (err) {
    remove();
    throw err;
  }
}
