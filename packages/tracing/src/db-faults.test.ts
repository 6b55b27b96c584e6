/**
 * Chaos statement faults on pg and mysql2 against the real servers (test-servers): error and
 * timeout never send the statement and fail the caller with the driver's own kind of error,
 * latency hands the real result over later, in order; the span carries the rule and its event;
 * a statement the rule does not match, and one with no injector, run untouched.
 */
import mysqlPromise from 'mysql2/promise';
import mysql from 'mysql2';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { CHAOS_EVENT, CHAOS_RULE_ATTRIBUTE, type FaultDecision, type FaultInjector, type FaultKind, type SpanRecord, type StatementCall } from '@debugpanel/model';
import { startMariaDb, startPostgres, type MariaDbServer, type PostgresServer } from '@debugpanel/test-servers';
import { fingerprint } from '@debugpanel/queries';
import { setupTracing, type PanelTracing } from './setup.js';

/** One decision for every statement containing `needle`; remembers what it was asked. */
class StatementInjector implements FaultInjector {
  headerScoped = false;
  asked: StatementCall[] = [];
  constructor(protected readonly decisionFor: FaultDecision, private readonly needle: string) {}
  incoming(): undefined {
    return undefined;
  }
  outgoing(): undefined {
    return undefined;
  }
  statement(call: StatementCall): FaultDecision | undefined {
    this.asked.push(call);
    return call.text.includes(this.needle) ? this.decisionFor : undefined;
  }
}

/** One decision for every statement of one fingerprint. */
class FingerprintInjector extends StatementInjector {
  readonly fingerprintScoped = true;
  constructor(d: FaultDecision, private readonly id: string) {
    super(d, '');
  }
  override statement(call: StatementCall): FaultDecision | undefined {
    this.asked.push(call);
    return call.fingerprint === this.id ? this.decisionFor : undefined;
  }
}

const decision = (kind: FaultKind, ms = 0): FaultDecision => ({ ruleId: 'c0123456789ab', ruleName: 'test rule', kind, ms, status: 0, message: `injected ${kind}` });

const spans: SpanRecord[] = [];
const tracer = trace.getTracer('test');
let tracing: PanelTracing;

/** Runs `fn` inside a request span; the db spans of that trace once it ended. */
async function traced<T>(system: string, fn: () => Promise<T>): Promise<{ value: T | undefined; error: (Error & Record<string, unknown>) | undefined; ms: number; db: SpanRecord[] }> {
  const t0 = performance.now();
  const { id, value, error } = await tracer.startActiveSpan('request', async (span) => {
    try {
      return { id: span.spanContext().traceId, value: await fn(), error: undefined };
    } catch (err) {
      return { id: span.spanContext().traceId, value: undefined, error: err as Error & Record<string, unknown> };
    } finally {
      span.end();
    }
  });
  const ms = performance.now() - t0;
  return { value, error, ms, db: spans.filter((s) => s.traceId === id && s.attributes['db.system.name'] === system) };
}

function expectMarked(s: SpanRecord | undefined, kind: FaultKind): void {
  expect(s?.attributes[CHAOS_RULE_ATTRIBUTE]).toBe('c0123456789ab');
  expect(s?.events.find((e) => e.name === CHAOS_EVENT)?.attributes).toMatchObject({ 'debugpanel.chaos.kind': kind });
}

beforeAll(() => {
  tracing = setupTracing({ service: 'db-faults', onSpan: (s) => spans.push(s) });
});
afterAll(async () => {
  await tracing?.shutdown();
});
afterEach(() => tracing.setFaultInjector(undefined));

describe('pg statement faults (real PostgreSQL)', () => {
  let server: PostgresServer;
  let client: pg.Client;
  let pool: pg.Pool;
  const count = async () => Number((await client.query('SELECT count(*) AS n FROM stock')).rows[0].n);

  beforeAll(async () => {
    server = await startPostgres();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('CREATE TABLE stock (sku text PRIMARY KEY, quantity int NOT NULL)');
    await client.query("INSERT INTO stock VALUES ('a1', 3), ('b2', 5)");
    pool = new pg.Pool({ connectionString: server.url, max: 2 });
    pool.on('error', () => undefined);
    client.on('error', () => undefined);
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await pool?.end();
    await server?.stop();
  });

  it('error: the statement is never sent; the promise rejects with a DatabaseError XX000; the span is marked and failed', async () => {
    const inj = new StatementInjector(decision('error'), 'INSERT INTO stock');
    tracing.setFaultInjector(inj);
    const r = await traced('postgresql', () => client.query("INSERT INTO stock VALUES ('c3', 1)"));
    expect(r.error).toMatchObject({ name: 'DatabaseError', code: 'XX000', message: 'injected error', severity: 'ERROR' });
    expect(r.db).toHaveLength(1);
    expectMarked(r.db[0], 'error');
    expect(r.db[0]!.status.code).toBe('error');
    expect(inj.asked.map((c) => c.system)).toEqual(['postgresql']);
    tracing.setFaultInjector(undefined);
    expect(await count()).toBe(2);
  });

  it('timeout: the pool query fails with 57014 after ms; the connection still works after', async () => {
    tracing.setFaultInjector(new StatementInjector(decision('timeout', 150), 'FROM stock WHERE sku'));
    const r = await traced('postgresql', () => pool.query('SELECT quantity FROM stock WHERE sku = $1', ['a1']));
    expect(r.error).toMatchObject({ code: '57014', message: 'injected timeout' });
    expect(r.ms).toBeGreaterThanOrEqual(145);
    expectMarked(r.db[0], 'timeout');
    expect(r.db[0]!.duration).toBeGreaterThanOrEqual(145);
    // another statement on the same pool, not matched, runs
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('latency: the real rows, ms later, in order with the next statement on the connection (promise and callback forms)', async () => {
    tracing.setFaultInjector(new StatementInjector(decision('latency', 120), 'quantity FROM stock'));
    const r = await traced('postgresql', async () => {
      const order: string[] = [];
      const slow = client.query('SELECT quantity FROM stock ORDER BY sku').then((res) => (order.push('slow'), res.rows));
      const viaCallback = new Promise<unknown[]>((resolve, reject) =>
        client.query('SELECT sku, quantity FROM stock ORDER BY sku', [], (err: Error | null, res: pg.QueryResult) => (err ? reject(err) : (order.push('callback'), resolve(res.rows)))),
      );
      const fast = client.query('SELECT 2 AS two').then((res) => (order.push('fast'), res.rows));
      return { rows: await Promise.all([slow, viaCallback, fast]), order };
    });
    expect(r.error).toBeUndefined();
    expect(r.value!.rows[0]).toEqual([{ quantity: 3 }, { quantity: 5 }]);
    expect(r.value!.rows[1]).toEqual([{ sku: 'a1', quantity: 3 }, { sku: 'b2', quantity: 5 }]);
    // the fast one ran after the slow ones on the wire, but its answer was not held back
    expect(r.value!.order).toEqual(['fast', 'slow', 'callback']);
    expect(r.ms).toBeGreaterThanOrEqual(115);
    const marked = r.db.filter((s) => s.attributes[CHAOS_RULE_ATTRIBUTE] !== undefined);
    expect(marked).toHaveLength(2);
    for (const s of marked) expect(s.duration).toBeGreaterThanOrEqual(115);
    expect(r.db.find((s) => s.attributes['db.query.text'] === 'SELECT ? AS two')!.attributes[CHAOS_RULE_ATTRIBUTE]).toBeUndefined();
  });

  it('by fingerprint: every text of one query (other literals, other placeholders), computed only when a rule needs it', async () => {
    const id = fingerprint('SELECT quantity FROM stock WHERE sku = $1').id;
    const inj = new FingerprintInjector(decision('error'), id);
    tracing.setFaultInjector(inj);
    await expect(client.query("SELECT quantity FROM stock WHERE sku = 'a1'")).rejects.toMatchObject({ code: 'XX000' });
    await expect(pool.query('select quantity from stock where sku=$1', ['b2'])).rejects.toMatchObject({ code: 'XX000' });
    expect((await client.query('SELECT sku FROM stock WHERE sku = $1', ['a1'])).rows).toEqual([{ sku: 'a1' }]);
    expect(inj.asked.every((c) => c.fingerprint !== undefined)).toBe(true);
    const plain = new StatementInjector(decision('error'), 'nothing');
    tracing.setFaultInjector(plain);
    await client.query('SELECT 1');
    expect(plain.asked[0]!.fingerprint).toBeUndefined();
  });

  it('hits statements outside a trace too (no span to mark)', async () => {
    tracing.setFaultInjector(new StatementInjector(decision('error'), 'DELETE FROM stock'));
    await expect(client.query('DELETE FROM stock')).rejects.toMatchObject({ code: 'XX000' });
    tracing.setFaultInjector(undefined);
    expect(await count()).toBe(2);
  });
});

describe('mysql2 statement faults (real MariaDB)', () => {
  let server: MariaDbServer;
  let conn: mysqlPromise.Connection;
  let pool: mysqlPromise.Pool;
  const count = async () => Number(((await conn.query('SELECT count(*) AS n FROM stock')) as unknown as [Array<{ n: number }>])[0][0]!.n);

  beforeAll(async () => {
    server = await startMariaDb();
    conn = await mysqlPromise.createConnection(server.url);
    await conn.query('CREATE TABLE stock (sku VARCHAR(10) PRIMARY KEY, quantity INT NOT NULL)');
    await conn.query("INSERT INTO stock VALUES ('a1', 3), ('b2', 5)");
    pool = mysqlPromise.createPool({ uri: server.url, connectionLimit: 2 });
  }, 120_000);
  afterAll(async () => {
    await conn?.end();
    await pool?.end();
    await server?.stop();
  });

  it('error: the statement is never sent; query() rejects with ER_UNKNOWN_ERROR; the span is marked and failed', async () => {
    const inj = new StatementInjector(decision('error'), 'INSERT INTO stock');
    tracing.setFaultInjector(inj);
    const r = await traced('mysql', () => conn.query("INSERT INTO stock VALUES ('c3', 1)"));
    expect(r.error).toMatchObject({ code: 'ER_UNKNOWN_ERROR', errno: 1105, sqlState: 'HY000', message: 'injected error' });
    expect(r.db).toHaveLength(1);
    expectMarked(r.db[0], 'error');
    expect(r.db[0]!.status.code).toBe('error');
    expect(inj.asked.map((c) => c.system)).toEqual(['mysql']);
    tracing.setFaultInjector(undefined);
    expect(await count()).toBe(2);
  });

  it('timeout: a prepared statement (execute) through the pool fails after ms; the pool still works after', async () => {
    tracing.setFaultInjector(new StatementInjector(decision('timeout', 150), 'FROM stock WHERE sku'));
    const r = await traced('mysql', () => pool.execute('SELECT quantity FROM stock WHERE sku = ?', ['a1']));
    expect(r.error).toMatchObject({ code: 'PROTOCOL_SEQUENCE_TIMEOUT', message: 'injected timeout' });
    expect(r.ms).toBeGreaterThanOrEqual(145);
    expectMarked(r.db[0], 'timeout');
    expect(r.db[0]!.duration).toBeGreaterThanOrEqual(145);
    expect(((await pool.execute('SELECT quantity FROM stock WHERE quantity > ?', [4])) as unknown as [unknown[]])[0]).toEqual([{ quantity: 5 }]);
  });

  it('latency: the real rows, ms later (promise API and the callback API\'s event form)', async () => {
    tracing.setFaultInjector(new StatementInjector(decision('latency', 120), 'quantity FROM stock'));
    const r = await traced('mysql', () => conn.query('SELECT quantity FROM stock ORDER BY sku'));
    expect(r.error).toBeUndefined();
    expect((r.value as unknown as [unknown[]])[0]).toEqual([{ quantity: 3 }, { quantity: 5 }]);
    expect(r.ms).toBeGreaterThanOrEqual(115);
    expectMarked(r.db[0], 'latency');
    expect(r.db[0]!.duration).toBeGreaterThanOrEqual(115);
    // the event form of the callback API: rows and end come later too
    const raw = mysql.createConnection(server.url);
    try {
      const t0 = performance.now();
      const rows = await new Promise<unknown[]>((resolve, reject) => {
        const got: unknown[] = [];
        raw.query('SELECT quantity FROM stock ORDER BY sku').on('result', (row) => got.push(row)).on('error', reject).on('end', () => resolve(got));
      });
      expect(rows).toEqual([{ quantity: 3 }, { quantity: 5 }]);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
    } finally {
      await new Promise((r) => raw.end(r));
    }
  });

  it('leaves statements the rule does not match, and all of them without an injector, alone', async () => {
    tracing.setFaultInjector(new StatementInjector(decision('error'), 'nothing like this'));
    const r = await traced('mysql', () => conn.query('SELECT sku FROM stock ORDER BY sku'));
    expect(r.error).toBeUndefined();
    expect(r.db[0]!.attributes[CHAOS_RULE_ATTRIBUTE]).toBeUndefined();
    tracing.setFaultInjector(undefined);
    expect(await count()).toBe(2);
  });
});
