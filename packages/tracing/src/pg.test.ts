import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import type { SpanRecord } from '@debugpanel/model';
import { startPostgres, type PostgresServer } from '@debugpanel/test-servers';
import { setupTracing, type PanelTracing } from './setup.js';

const here = fileURLToPath(import.meta.url);

describe('pg instrumentation (real PostgreSQL)', () => {
  let server: PostgresServer;
  let tracing: PanelTracing;
  let client: pg.Client;
  let pool: pg.Pool;
  const spans: SpanRecord[] = [];
  const tracer = trace.getTracer('test');
  /** Runs `fn` inside a request span; returns the spans of that trace once it ended. */
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
    return { root: mine.find((s) => s.name === 'request')!, db: mine.filter((s) => s.attributes['db.system.name'] === 'postgresql') };
  }

  beforeAll(async () => {
    server = await startPostgres();
    tracing = setupTracing({ service: 'pg-app', onSpan: (s) => spans.push(s) });
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('CREATE TABLE stock (sku text PRIMARY KEY, quantity int NOT NULL)');
    await client.query("INSERT INTO stock VALUES ('a1', 3), ('b2', 5), ('c3', 0)");
    pool = new pg.Pool({ connectionString: server.url, max: 2 });
    // the server's shutdown at the end reaches clients still closing: not the test's subject
    pool.on('error', () => undefined);
    client.on('error', () => undefined);
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await pool?.end();
    await tracing?.shutdown();
    await server?.stop();
  });

  it('makes a client span per query with the semantic-convention attributes, literals masked', async () => {
    const { root, db } = await traced(() => client.query("SELECT sku, quantity FROM stock WHERE sku <> 'zz' ORDER BY sku"));
    expect(db).toHaveLength(1);
    const [s] = db;
    expect(s).toMatchObject({ name: 'SELECT stock', kind: 'client', parentSpanId: root.spanId });
    expect(s!.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.namespace': 'test',
      'db.operation.name': 'SELECT',
      'db.collection.name': 'stock',
      'db.query.text': 'SELECT sku, quantity FROM stock WHERE sku <> ? ORDER BY sku',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'db.response.returned_rows': 3,
    });
  });

  it('records the call site: this file, not pg or the panel', async () => {
    const { db } = await traced(() => client.query('SELECT 1'));
    expect(db[0]!.attributes['code.file.path']).toBe(here);
    expect(db[0]!.attributes['code.line.number']).toBeGreaterThan(0);
  });

  it('covers the callback form and parameterised statements', async () => {
    const { db } = await traced(
      () =>
        new Promise<void>((resolve, reject) =>
          client.query('UPDATE stock SET quantity = quantity + $1 WHERE sku = $2', [1, 'a1'], (err) => (err ? reject(err) : resolve())),
        ),
    );
    expect(db).toHaveLength(1);
    expect(db[0]!.attributes['db.query.text']).toBe('UPDATE stock SET quantity = quantity + $1 WHERE sku = $2');
    expect(db[0]!.attributes['db.response.returned_rows']).toBeUndefined();
  });

  it('keeps pooled queries under the request that asked, also when they waited for a client (Promise.all)', async () => {
    const { root, db } = await traced(() => Promise.all(['a1', 'b2', 'c3', 'a1', 'b2', 'c3'].map((sku) => pool.query('SELECT quantity FROM stock WHERE sku = $1', [sku]))));
    expect(db).toHaveLength(6);
    for (const s of db) expect(s.parentSpanId).toBe(root.spanId);
  });

  it("gives a pooled query the app's call site, not the pool's callback (Pool#query)", async () => {
    // texts of their own, so the call-site sample starts at their first call; the pooled ones and
    // the direct one are issued from one line, so they must have one site
    const { db } = await traced(() => Promise.all([...[1, 2, 3].map((n) => pool.query('SELECT $1::int AS pooled_site', [n])), client.query('SELECT 0 AS direct_site')]));
    expect(db).toHaveLength(4);
    const direct = db.find((s) => String(s.attributes['db.query.text']).includes('direct_site'))!;
    expect(direct.attributes['code.file.path']).toBe(here);
    for (const s of db) expect(s.attributes).toMatchObject({ 'code.file.path': here, 'code.line.number': direct.attributes['code.line.number'] });
    // the site is taken by its own query only: a query made later in that context samples its own
    const { db: next } = await traced(() => pool.query('SELECT 1 AS pooled_next').then(() => client.query('SELECT 2 AS direct_after_pool')));
    expect(next.map((s) => s.attributes['code.file.path'])).toEqual([here, here]);
  });

  it('records a failed query with error.type from the SQLSTATE', async () => {
    const { db } = await traced(() => client.query('SELECT * FROM missing_table').catch(() => undefined));
    expect(db).toHaveLength(1);
    expect(db[0]!.status.code).toBe('error');
    expect(db[0]!.attributes['error.type']).toBe('42P01');
  });

  it('makes no span outside a trace', async () => {
    const before = spans.length;
    await client.query('SELECT 2');
    expect(spans.length).toBe(before);
  });

  it('works under node --import debugpanel/register with the driver imported first (child process)', () => {
    const out = execFileSync(process.execPath, ['--import', 'debugpanel/register', path.join(here, '../../fixtures/db-order.mjs'), 'pg', 'register', server.url], { encoding: 'utf8', timeout: 30_000 });
    const db = JSON.parse(out) as SpanRecord[];
    expect(db.map((s) => s.attributes['db.query.text'])).toContain('SELECT ? AS one WHERE ? = ?');
  });

  it.each(['import', 'require'])('is not loaded by the panel, and patched when the app loads it after set-up (%s, child process)', (mode) => {
    const out = execFileSync(process.execPath, [path.join(here, '../../fixtures/lazy-load.mjs'), 'pg', mode, server.url], { encoding: 'utf8', timeout: 30_000 });
    const r = JSON.parse(out) as { loadedAtSetup: boolean; traceId: string; db: SpanRecord[] };
    expect(r.loadedAtSetup).toBe(false);
    expect(r.db.map((s) => s.attributes['db.query.text'])).toContain('SELECT ? AS one WHERE ? = ?');
    expect(r.db.every((s) => s.traceId === r.traceId && s.attributes['db.system.name'] === 'postgresql')).toBe(true);
  });

  it.each(['before', 'after'])('works when pg is imported %s the panel (child process)', (order) => {
    const out = execFileSync(process.execPath, [path.join(here, '../../fixtures/db-order.mjs'), 'pg', order, server.url], { encoding: 'utf8', timeout: 30_000 });
    const db = JSON.parse(out) as SpanRecord[];
    expect(db.map((s) => s.attributes['db.query.text'])).toContain('SELECT ? AS one WHERE ? = ?');
    expect(db.every((s) => s.service === `order-${order}`)).toBe(true);
  });
});
