import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import type { SpanRecord } from '@debugpanel/model';
import { startMariaDb, type MariaDbServer } from '@debugpanel/test-servers';
import { setupTracing, type PanelTracing } from './setup.js';

const here = fileURLToPath(import.meta.url);

describe('mysql2 instrumentation (real MariaDB)', () => {
  let server: MariaDbServer;
  let tracing: PanelTracing;
  let conn: mysqlPromise.Connection;
  let pool: mysqlPromise.Pool;
  const spans: SpanRecord[] = [];
  const tracer = trace.getTracer('test');
  async function traced(fn: () => Promise<unknown>): Promise<{ root: SpanRecord; db: SpanRecord[] }> {
    const id = await tracer.startActiveSpan('request', async (span) => {
      try {
        await fn();
      } finally {
        span.end();
      }
      return span.spanContext().traceId;
    });
    const mine = spans.filter((s) => s.traceId === id);
    return { root: mine.find((s) => s.name === 'request')!, db: mine.filter((s) => s.attributes['db.system.name'] === 'mysql') };
  }

  beforeAll(async () => {
    server = await startMariaDb();
    tracing = setupTracing({ service: 'mysql-app', onSpan: (s) => spans.push(s) });
    conn = await mysqlPromise.createConnection(server.url);
    await conn.query('CREATE TABLE stock (sku VARCHAR(10) PRIMARY KEY, quantity INT NOT NULL)');
    await conn.query("INSERT INTO stock VALUES ('a1', 3), ('b2', 5), ('c3', 0)");
    pool = mysqlPromise.createPool({ uri: server.url, connectionLimit: 2 });
  }, 120_000);
  afterAll(async () => {
    await conn?.end();
    await pool?.end();
    await tracing?.shutdown();
    await server?.stop();
  });

  it('makes a client span per query (promise API) with the semantic-convention attributes, literals masked', async () => {
    const { root, db } = await traced(() => conn.query("SELECT sku, quantity FROM stock WHERE sku <> 'zz' ORDER BY sku"));
    expect(db).toHaveLength(1);
    expect(db[0]).toMatchObject({ name: 'SELECT stock', kind: 'client', parentSpanId: root.spanId });
    expect(db[0]!.attributes).toMatchObject({
      'db.system.name': 'mysql',
      'db.namespace': 'test',
      'db.operation.name': 'SELECT',
      'db.collection.name': 'stock',
      'db.query.text': 'SELECT sku, quantity FROM stock WHERE sku <> ? ORDER BY sku',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'db.response.returned_rows': 3,
      'code.file.path': here,
    });
  });

  it('masks values the driver formats into query text, and covers execute (prepared)', async () => {
    const { db } = await traced(async () => {
      await conn.query('SELECT quantity FROM stock WHERE sku = ?', ['a1']);
      await conn.execute('SELECT quantity FROM stock WHERE sku = ?', ['b2']);
    });
    expect(db.map((s) => s.attributes['db.query.text'])).toEqual(['SELECT quantity FROM stock WHERE sku = ?', 'SELECT quantity FROM stock WHERE sku = ?']);
    expect(db.map((s) => s.attributes['db.response.returned_rows'])).toEqual([1, 1]);
  });

  it('covers the callback API', async () => {
    const cb = mysql.createConnection(server.url);
    try {
      const { root, db } = await traced(() => new Promise<void>((resolve, reject) => cb.query('SELECT 1 AS one', (err) => (err ? reject(err) : resolve()))));
      expect(db).toHaveLength(1);
      expect(db[0]!.parentSpanId).toBe(root.spanId);
    } finally {
      await new Promise((r) => cb.end(r));
    }
  });

  it('keeps pooled queries under the request that asked, also when they waited (Promise.all)', async () => {
    const { root, db } = await traced(() => Promise.all(['a1', 'b2', 'c3', 'a1', 'b2', 'c3'].map((sku) => pool.query('SELECT quantity FROM stock WHERE sku = ?', [sku]))));
    expect(db).toHaveLength(6);
    for (const s of db) expect(s.parentSpanId).toBe(root.spanId);
  });

  it('records a failed query with error.type from the driver code', async () => {
    const { db } = await traced(() => conn.query('SELECT * FROM missing_table').catch(() => undefined));
    expect(db).toHaveLength(1);
    expect(db[0]!.status.code).toBe('error');
    expect(db[0]!.attributes['error.type']).toBe('ER_NO_SUCH_TABLE');
  });

  it('makes no span outside a trace', async () => {
    const before = spans.length;
    await conn.query('SELECT 2');
    expect(spans.length).toBe(before);
  });

  it('works under node --import debugpanel/register with the driver imported first (child process)', () => {
    const out = execFileSync(process.execPath, ['--import', 'debugpanel/register', path.join(here, '../../fixtures/db-order.mjs'), 'mysql2', 'register', server.url], { encoding: 'utf8', timeout: 30_000 });
    const db = JSON.parse(out) as SpanRecord[];
    expect(db.map((s) => s.attributes['db.query.text'])).toContain('SELECT ? AS one WHERE ? = ?');
  });

  it.each(['import', 'require'])('is not loaded by the panel, and patched when the app loads it after set-up (%s, child process)', (mode) => {
    const out = execFileSync(process.execPath, [path.join(here, '../../fixtures/lazy-load.mjs'), 'mysql2', mode, server.url], { encoding: 'utf8', timeout: 30_000 });
    const r = JSON.parse(out) as { loadedAtSetup: boolean; traceId: string; db: SpanRecord[] };
    expect(r.loadedAtSetup).toBe(false);
    expect(r.db.map((s) => s.attributes['db.query.text'])).toContain('SELECT ? AS one WHERE ? = ?');
    expect(r.db.every((s) => s.traceId === r.traceId && s.attributes['db.system.name'] === 'mysql')).toBe(true);
  });

  it.each(['before', 'after'])('works when mysql2 is imported %s the panel (child process)', (order) => {
    const out = execFileSync(process.execPath, [path.join(here, '../../fixtures/db-order.mjs'), 'mysql2', order, server.url], { encoding: 'utf8', timeout: 30_000 });
    const db = JSON.parse(out) as SpanRecord[];
    expect(db.map((s) => s.attributes['db.query.text'])).toContain('SELECT ? AS one WHERE ? = ?');
  });
});
