import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import path from 'node:path';

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
