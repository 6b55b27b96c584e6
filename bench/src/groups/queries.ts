/**
 * Query insights rows: fingerprints per second on cache misses, the cost of a call-site capture
 * (raw and amortised at the instrumentation's sampling), and a pg query loop against a local
 * PostgreSQL: no instrumentation, the panel's own pg patch, and the official
 * @opentelemetry/instrumentation-pg registered against the panel's provider, rounds alternating.
 */
import { runWorker } from '../child.js';
import { tryImport, type Context, type Group } from '../context.js';
import { measuredRow, missingRow, type Row } from '../report.js';
import { ratioSummary, rotate, summarize } from '../stats.js';

interface Samples {
  samples?: number[];
  missing?: string;
}

async function run(ctx: Context): Promise<Row[]> {
  const group = 'queries';
  const rows: Row[] = [];
  const reps = ctx.quick ? 3 : 10;
  const res = await runWorker<{ fingerprints: Samples; callSites: { raw?: number[]; every?: number; first?: number; missing?: string } }>('queries', 'workers/queries.js', { reps });
  const fpName = 'fingerprint typical statements, cache misses';
  const fpAim = { on: 'median' as const, op: '>=' as const, value: 200, text: '≥ 200 k/s' };
  rows.push(res.fingerprints.samples
    ? measuredRow({ group, name: fpName, unit: 'k stmt/s', value: summarize(res.fingerprints.samples), aim: fpAim, note: '100,000 distinct texts of 5 typical shapes (SELECT by id, IN list, INSERT VALUES, UPDATE), uncached computeFingerprint' })
    : missingRow(group, fpName, 'k stmt/s', fpAim, res.fingerprints.missing ?? 'no result'));
  const cs = res.callSites;
  const csAim = { on: 'median' as const, op: '<=' as const, value: 5, text: '≤ 5 µs' };
  if (cs.raw && cs.every) {
    rows.push(measuredRow({ group, name: 'call-site capture, one stack walk', unit: 'µs', value: summarize(cs.raw), note: 'structured V8 frames, 8 app frames deep, first non-node_modules frame' }));
    rows.push(measuredRow({ group, name: 'call-site capture, amortised per query', unit: 'µs', value: summarize(cs.raw.map((x) => x / cs.every!)), aim: csAim, note: `captured for the first ${cs.first} calls of a fingerprint, then 1 in ${cs.every}` }));
  } else rows.push(missingRow(group, 'call-site capture, amortised per query', 'µs', csAim, cs.missing ?? 'no result'));

  // pg loop against a real server
  const servers = await tryImport('@debugpanel/test-servers');
  const startPostgres = servers?.startPostgres as (() => Promise<{ url: string; stop(): Promise<void> }>) | undefined;
  const pgName = (m: string) => `pg query loop: ${m}`;
  if (!startPostgres) {
    for (const m of ['plain', 'debugpanel', 'instrumentation-pg']) rows.push(missingRow(group, pgName(m), 'µs/query', undefined, '@debugpanel/test-servers is not built'));
    return rows;
  }
  let db: { url: string; stop(): Promise<void> } | undefined;
  try {
    db = await startPostgres();
    const modes = ['plain', 'panel', 'otel-pg'];
    const by: Record<string, number[]> = { plain: [], panel: [], 'otel-pg': [] };
    const cpu: Record<string, number[]> = { plain: [], panel: [], 'otel-pg': [] };
    const spans: Record<string, number> = {};
    const rounds = ctx.quick ? 2 : 6;
    for (let r = 0; r < rounds; r++) {
      for (const mode of rotate(modes, r)) {
        const out = await runWorker<{ samples: number[]; cpu: number[]; spans: number }>(`pg-${mode}`, 'workers/queries.js', { task: 'pg', mode, url: db.url, reps: 3 });
        by[mode]!.push(Math.min(...out.samples));
        cpu[mode]!.push(Math.min(...out.cpu));
        spans[mode] = out.spans;
      }
    }
    rows.push(measuredRow({ group, name: pgName('plain'), unit: 'µs/query', value: summarize(by.plain!), note: "`SELECT $1::int` x 2,000 in a loop, one client, local PostgreSQL; best of 3 loops per process" }));
    rows.push(measuredRow({ group, name: pgName('debugpanel'), unit: 'µs/query', value: summarize(by.panel!), ratio: { summary: ratioSummary(by.panel!, by.plain!), to: 'plain' }, note: `the panel's own pg patch, a span per query inside a request span (${spans.panel} pg spans in the last process)` }));
    rows.push(measuredRow({ group, name: pgName('instrumentation-pg'), unit: 'µs/query', value: summarize(by['otel-pg']!), ratio: { summary: ratioSummary(by['otel-pg']!, by.plain!), to: 'plain' }, note: `@opentelemetry/instrumentation-pg 0.76 (the last on @opentelemetry/instrumentation 0.223; 0.77 needs an API with logs, > 1.9) on the panel's provider (${spans['otel-pg']} pg spans in the last process)` }));
    rows.push(measuredRow({
      group,
      name: 'pg query loop: debugpanel vs instrumentation-pg',
      unit: 'x',
      value: summarize(by.panel!.map((p, i) => p / by['otel-pg']![i]!)),
      ratio: { summary: ratioSummary(by.panel!, by['otel-pg']!), to: 'instrumentation-pg' },
      aim: { on: 'ratio', op: '<=', value: 1, text: '≤ 1x instrumentation-pg' },
      note: 'time per query, same round',
    }));
    // The same loops in CPU time of the client process (user + system), less exposed to the load
    // of a shared machine than wall time.
    const cpuName = (m: string) => `pg query loop CPU: ${m}`;
    rows.push(measuredRow({ group, name: cpuName('plain'), unit: 'µs/query', value: summarize(cpu.plain!), note: 'client process CPU (user + system) per query, best of 3 loops per process' }));
    rows.push(measuredRow({ group, name: cpuName('debugpanel'), unit: 'µs/query', value: summarize(cpu.panel!), ratio: { summary: ratioSummary(cpu.panel!, cpu.plain!), to: 'plain' }, note: 'the panel\'s pg patch; its added CPU is the span, the context and the panel\'s span pipeline' }));
    rows.push(measuredRow({ group, name: cpuName('instrumentation-pg'), unit: 'µs/query', value: summarize(cpu['otel-pg']!), ratio: { summary: ratioSummary(cpu['otel-pg']!, cpu.plain!), to: 'plain' }, note: '@opentelemetry/instrumentation-pg 0.76 on the panel\'s provider' }));
    rows.push(measuredRow({
      group,
      name: 'pg query loop CPU: debugpanel vs instrumentation-pg',
      unit: 'x',
      value: summarize(cpu.panel!.map((p, i) => p / cpu['otel-pg']![i]!)),
      ratio: { summary: ratioSummary(cpu.panel!, cpu['otel-pg']!), to: 'instrumentation-pg' },
      aim: { on: 'ratio', op: '<=', value: 1, text: '≤ 1x instrumentation-pg' },
      // (a ratio of the CPU each adds over plain would divide by near-zero differences on this machine)
      note: 'client CPU per query, same round',
    }));
  } catch (err) {
    rows.push(missingRow(group, pgName('all'), 'µs/query', undefined, String((err as Error).message ?? err).slice(0, 200), 'failed'));
  } finally {
    await db?.stop();
  }
  return rows;
}

export const queriesGroup: Group = {
  name: 'queries',
  about: 'fingerprints per second, call-site capture, pg query loop with and without the panel and vs instrumentation-pg',
  run,
};
