/**
 * Query insights worker: fingerprinting on cache misses (every statement a new text), the
 * call-site capture of the database instrumentations, and a pg query loop against a local
 * PostgreSQL in one of three modes (plain, the panel's own patch, the official
 * @opentelemetry/instrumentation-pg on the panel's provider). One mode per process.
 */
import { createRequire } from 'node:module';
import { tryImport } from '../context.js';
import { serveIpc } from '../ipc.js';

const require = createRequire(import.meta.url);
const TYPICAL = [
  'SELECT id, sku, name, category, price_cents FROM products WHERE id = 17',
  'SELECT product_id, name, quantity, unit_price_cents FROM order_items WHERE order_id = 12345 ORDER BY id',
  "INSERT INTO orders (customer, status, total_cents, reservation_id, created_at) VALUES ('ada', 'placed', 2490, 5, 1700000000000)",
  "UPDATE stock SET quantity = quantity - 2 WHERE product_id = 4 AND warehouse = 'north'",
  "SELECT * FROM users WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8) AND status = 'active' LIMIT 50",
];

async function fingerprints(reps: number) {
  const q = await tryImport('@debugpanel/queries');
  const compute = q?.computeFingerprint as ((sql: string) => unknown) | undefined;
  if (!compute) return { missing: '@debugpanel/queries is not built' };
  const N = 100_000;
  const stmts = Array.from({ length: N }, (_, i) => TYPICAL[i % TYPICAL.length]!.replace(/\d+/, String(i)));
  for (let i = 0; i < 20_000; i++) compute(stmts[i]!);
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (const s of stmts) compute(s);
    samples.push(N / (Number(process.hrtime.bigint() - t0) / 1e9) / 1000);
  }
  return { samples };
}

async function callSites(reps: number) {
  const t = await tryImport('@debugpanel/tracing');
  const capture = t?.captureCallSite as (() => unknown) | undefined;
  const first = t?.CALL_SITE_FIRST as number | undefined;
  const every = t?.CALL_SITE_EVERY as number | undefined;
  if (!capture || !first || !every) return { missing: '@debugpanel/tracing has no captureCallSite' };
  // a few frames of app code above the capture, as a query call has
  const deep = (n: number): unknown => (n === 0 ? capture() : deep(n - 1));
  const N = 20_000;
  const raw: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) deep(8);
    raw.push(Number(process.hrtime.bigint() - t0) / 1e3 / N);
  }
  return { raw, every, first };
}

async function pgLoop(mode: string, url: string, reps: number) {
  let spans = 0;
  let tracer: { startActiveSpan: (name: string, fn: (s: { end(): void }) => Promise<void>) => Promise<void> } | undefined;
  if (mode !== 'plain') {
    const { setupTracing } = (await import('@debugpanel/tracing')) as typeof import('@debugpanel/tracing');
    setupTracing({ service: 'bench', onSpan: (s) => {
      if (s.attributes['db.system.name'] === 'postgresql' || s.attributes['db.system'] === 'postgresql') spans++;
    }, instrument: mode === 'panel' });
    if (mode === 'otel-pg') {
      const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as { PgInstrumentation: new () => { enable(): void } };
      new PgInstrumentation().enable();
    }
    const api = (await import('@opentelemetry/api')) as typeof import('@opentelemetry/api');
    tracer = api.trace.getTracer('bench') as unknown as typeof tracer;
  }
  const pg = require('pg') as typeof import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const N = 2_000;
  const loop = async () => {
    for (let i = 0; i < N; i++) await client.query('SELECT $1::int AS n', [i]);
  };
  await loop();
  const samples: number[] = [];
  // CPU time of this process per query: the steadier figure on a shared machine (the server's
  // time and the machine's other load stay out of it)
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    if (tracer) await tracer.startActiveSpan('request', async (s) => (await loop(), s.end()));
    else await loop();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / N);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / N);
  }
  await client.end();
  return { samples, cpu, spans };
}

serveIpc(async (msg) => {
  const reps = Number(msg.reps);
  if (msg.task === 'pg') return pgLoop(String(msg.mode), String(msg.url), reps);
  return { fingerprints: await fingerprints(reps), callSites: await callSites(reps) };
});
