import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import type { SpanRecord } from '@debugpanel/model';
import { setupTracing, type PanelTracing } from './setup.js';
import { describeSql, instrumentBetterSqlite3 } from './sqlite.js';

describe('describeSql', () => {
  it.each([
    ['SELECT * FROM orders WHERE id = ?', 'SELECT orders', 'SELECT', 'orders'],
    ['  insert into "items" (a) values (?)', 'INSERT items', 'INSERT', 'items'],
    ['UPDATE stock SET n = n - 1', 'UPDATE stock', 'UPDATE', 'stock'],
    ['-- comment\nDELETE FROM t', 'DELETE t', 'DELETE', 't'],
    ['CREATE TABLE IF NOT EXISTS kv (k, v)', 'CREATE kv', 'CREATE', 'kv'],
    ['PRAGMA journal_mode', 'PRAGMA', 'PRAGMA', undefined],
    ['', 'sqlite', undefined, undefined],
  ])('%j -> %s', (sql, name, op, table) => {
    const info = describeSql(sql, '/var/data/shop.db');
    expect(info.name).toBe(name);
    expect(info.attributes['db.operation.name']).toBe(op);
    expect(info.attributes['db.collection.name']).toBe(table);
    expect(info.attributes['db.namespace']).toBe('shop.db');
    expect(info.attributes['db.query.text']).toBe(sql);
  });

  it('keeps :memory: as the namespace', () => {
    expect(describeSql('SELECT 1', ':memory:').attributes['db.namespace']).toBe(':memory:');
  });
});

describe('better-sqlite3 instrumentation', () => {
  const spans: SpanRecord[] = [];
  let tracing: PanelTracing;
  let db: Database.Database;
  let dir: string;

  beforeAll(() => {
    // setupTracing instruments the better-sqlite3 that process.cwd() resolves, with no call here.
    tracing = setupTracing({ service: 'db-app', onSpan: (s) => spans.push(s) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-sqlite-'));
    db = new Database(path.join(dir, 'shop.db'));
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  });
  afterAll(async () => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await tracing.shutdown();
  });

  function inTrace<T>(fn: () => T): { result: T; traceId: string; spanId: string } {
    const parent = tracing.tracer.startSpan('request');
    const result = context.with(trace.setSpan(context.active(), parent), fn);
    parent.end();
    return { result, ...parent.spanContext() };
  }
  const dbSpans = (traceId: string) => spans.filter((s) => s.traceId === traceId && s.kind === 'client');

  it('makes no spans outside a trace (start-up work)', () => {
    expect(spans).toEqual([]);
  });

  it('traces run/get/all/iterate of prepared statements with db attributes', () => {
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    const select = db.prepare('SELECT id, name FROM items WHERE name = ?');
    const all = db.prepare('SELECT * FROM items ORDER BY id');
    const t = inTrace(() => {
      insert.run('apple');
      insert.run('pear');
      const one = select.get('pear') as { name: string };
      const rows = all.all();
      const names = [...all.iterate()].map((r) => (r as { name: string }).name);
      return { one, rows, names };
    });
    expect(t.result.one.name).toBe('pear');
    expect(t.result.rows).toHaveLength(2);
    expect(t.result.names).toEqual(['apple', 'pear']);
    const got = dbSpans(t.traceId);
    expect(got.map((s) => s.name)).toEqual(['INSERT items', 'INSERT items', 'SELECT items', 'SELECT items', 'SELECT items']);
    for (const s of got) {
      expect(s.parentSpanId).toBe(t.spanId);
      expect(s.status.code).toBe('unset');
      expect(s.attributes).toMatchObject({
        'db.system.name': 'sqlite',
        'db.system': 'sqlite',
        'db.namespace': 'shop.db',
      });
    }
    expect(got[0]?.attributes['db.query.text']).toBe('INSERT INTO items (name) VALUES (?)');
    expect(got[0]?.attributes['db.operation.name']).toBe('INSERT');
  });

  it('ends an iterate() span when iteration stops early', () => {
    const t = inTrace(() => {
      for (const row of db.prepare('SELECT name FROM items').iterate()) {
        return row;
      }
      return undefined;
    });
    expect(t.result).toEqual({ name: 'apple' });
    expect(dbSpans(t.traceId)).toHaveLength(1);
  });

  it('marks a failing statement as error and rethrows', () => {
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    const t = inTrace(() => {
      try {
        insert.run('apple');
        return undefined;
      } catch (err) {
        return err;
      }
    });
    expect((t.result as { code?: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    const [span] = dbSpans(t.traceId);
    expect(span?.status.code).toBe('error');
    expect(span?.events[0]?.attributes['exception.type']).toBe('SqliteError');
    expect(span?.attributes['error.type']).toBe('SqliteError');
  });

  it('traces Database#exec', () => {
    const t = inTrace(() => db.exec('DELETE FROM items WHERE id < 0'));
    expect(dbSpans(t.traceId).map((s) => s.name)).toEqual(['DELETE items']);
  });

  it('instrumentBetterSqlite3 on an instance is idempotent and rejects anything else', () => {
    instrumentBetterSqlite3(db);
    instrumentBetterSqlite3(Database);
    const t = inTrace(() => db.prepare('SELECT 1').get());
    expect(dbSpans(t.traceId)).toHaveLength(1);
    expect(() => instrumentBetterSqlite3({})).toThrow(/Database class or a Database instance/);
  });

  it('restores the prototypes when the last handle shuts down', async () => {
    const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { run: unknown };
    const patchedRun = proto.run;
    await tracing.shutdown();
    expect(proto.run).not.toBe(patchedRun);
    const before = spans.length;
    inTrace(() => db.prepare('SELECT 1').get());
    expect(spans.length).toBe(before);
  });
});
