import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startMariaDb } from './mariadb.js';
import { startPostgres } from './postgres.js';

// The servers are checked with their own command-line clients over TCP with the password, as a
// driver would connect; the driver tests (pg, mysql2) live with the instrumentation.
describe('startPostgres', () => {
  it('starts a server that takes a password over TCP, and removes it on stop', async () => {
    const db = await startPostgres();
    try {
      const ok = spawnSync('psql', [db.url, '-tAc', 'select 40 + 2'], { encoding: 'utf8' });
      expect(ok.stdout.trim()).toBe('42');
      const wrong = spawnSync('psql', [db.url.replace(db.password, 'wrong'), '-tAc', 'select 1'], { encoding: 'utf8' });
      expect(wrong.status).not.toBe(0);
    } finally {
      await db.stop();
    }
    const after = spawnSync('psql', [db.url, '-tAc', 'select 1'], { encoding: 'utf8' });
    expect(after.status).not.toBe(0);
  });
});

describe('startMariaDb', () => {
  it('starts a server with a password user and a database, and removes it on stop', async () => {
    const db = await startMariaDb();
    const args = ['-h', db.host, '-P', String(db.port), '-u', db.user, db.database, '-N', '-e', 'select 40 + 2'];
    try {
      const ok = spawnSync('mariadb', ['--no-defaults', `-p${db.password}`, ...args], { encoding: 'utf8' });
      expect(ok.stdout.trim()).toBe('42');
      const wrong = spawnSync('mariadb', ['--no-defaults', '-pwrong', ...args], { encoding: 'utf8' });
      expect(wrong.status).not.toBe(0);
    } finally {
      await db.stop();
    }
    const after = spawnSync('mariadb', ['--no-defaults', `-p${db.password}`, ...args], { encoding: 'utf8' });
    expect(after.status).not.toBe(0);
  });
});
