import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { findBinary, freePort, runAs, runToEnd, startServer, stopServer, tempDir } from './process.js';

/** A running MariaDB (MySQL protocol): connect with `url`, or the parts. */
export interface MariaDbServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** `mysql://user:password@127.0.0.1:port/database` */
  readonly url: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

function mariaBin(name: string, also: readonly string[] = []): string {
  const found = findBinary([`/usr/sbin/${name}`, `/usr/bin/${name}`, ...also], name);
  if (!found) {
    throw new Error(`test-servers: MariaDB's ${name} was not found; install Debian's "mariadb-server" package (.ci/run does it)`);
  }
  return found;
}

/**
 * Starts a throw-away MariaDB: `mariadb-install-db` into a temporary directory as the `mysql`
 * account (when root) or the current user, a server on a free 127.0.0.1 port with its socket in
 * that directory, and a user with a password that owns a database `test` (created through the
 * socket as root, which has no password in this private instance). Durability is relaxed.
 *
 * @example
 * const db = await startMariaDb();
 * const conn = await mysql.createConnection(db.url);
 * // ...
 * await db.stop();
 */
export async function startMariaDb(options: { database?: string } = {}): Promise<MariaDbServer> {
  const user = runAs('mysql');
  const { dir, remove } = tempDir('dp-maria-', user);
  const database = options.database ?? 'test';
  const password = randomBytes(12).toString('hex');
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  try {
    runToEnd(
      mariaBin('mariadb-install-db', ['/usr/bin/mysql_install_db']),
      ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'],
      user,
      dir,
      120_000,
    );
    const port = await freePort();
    const child = await startServer(
      mariaBin('mariadbd', ['/usr/sbin/mysqld']),
      [
        '--no-defaults', `--datadir=${datadir}`, `--socket=${socket}`, `--port=${port}`, '--bind-address=127.0.0.1',
        `--pid-file=${join(dir, 'mariadb.pid')}`, '--skip-name-resolve', '--skip-log-bin', '--innodb-buffer-pool-size=32M',
        '--innodb-flush-log-at-trx-commit=0', '--innodb-log-file-size=8M', '--max-connections=40', '--performance-schema=OFF',
      ],
      user,
      dir,
      /ready for connections/,
      120_000,
    );
    try {
      const sql = [
        `CREATE DATABASE \`${database}\``,
        `CREATE USER 'test'@'127.0.0.1' IDENTIFIED BY '${password}'`,
        `GRANT ALL PRIVILEGES ON *.* TO 'test'@'127.0.0.1'`,
      ].join('; ');
      runToEnd(mariaBin('mariadb', ['/usr/bin/mysql']), ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', sql], user, dir);
    } catch (err) {
      await stopServer(child, 'SIGTERM', remove);
      throw err;
    }
    return {
      host: '127.0.0.1',
      port,
      user: 'test',
      password,
      database,
      url: `mysql://test:${password}@127.0.0.1:${port}/${database}`,
      stop: () => stopServer(child, 'SIGTERM', remove, 30_000),
    };
  } catch (err) {
    remove();
    throw err;
  }
}
