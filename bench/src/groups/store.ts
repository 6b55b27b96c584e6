/** Span store: ingest rate and query latency over 100,000 stored spans, in a worker process. */
import { runWorker } from '../child.js';
import type { Context, Group } from '../context.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { summarize } from '../stats.js';
import { storeAvailable } from '../workers/store-api.js';

const INGEST_AIM: Aim = { on: 'median', op: '>=', value: 1_000_000, text: '≥ 1,000,000 spans/s' };
const EVICTING_AIM: Aim = { on: 'median', op: '>=', value: 1_500_000, text: '≥ 1,500,000 spans/s' };
const QUERY_AIM: Aim = { on: 'median', op: '<', value: 5, text: '< 5 ms' };
const QUERY_LABELS = [
  'latest page (no filter)',
  'service=inventory',
  'route=/checkout',
  'status=error',
  'minDuration=500 (slowest 1%)',
  'attribute user.id=u42',
  'text "sku-4242"',
  'service+status+minDuration',
];

async function run(ctx: Context): Promise<Row[]> {
  const group = 'store';
  const ingestNames = ['ingest into an empty store', 'ingest into a full store (evicting)'];
  if (!(await storeAvailable())) {
    const why = '@debugpanel/span-store does not export SpanStore yet';
    return [
      missingRow(group, ingestNames[0]!, 'spans/s', INGEST_AIM, why),
      missingRow(group, ingestNames[1]!, 'spans/s', EVICTING_AIM, why),
      ...QUERY_LABELS.map((l) => missingRow(group, `query over 100,000 spans: ${l}`, 'ms', QUERY_AIM, why)),
    ];
  }
  const rows: Row[] = [];
  const ingest = await runWorker<{ empty: number[]; evicting: number[] }>('store ingest', 'workers/store.js', { mode: 'ingest', reps: ctx.quick ? 3 : 10 });
  rows.push(measuredRow({ group, name: ingestNames[0]!, unit: 'spans/s', value: summarize(ingest.empty), aim: INGEST_AIM, note: '100,000 spans, traces of 10, one core' }));
  rows.push(measuredRow({ group, name: ingestNames[1]!, unit: 'spans/s', value: summarize(ingest.evicting), aim: EVICTING_AIM, note: '100,000 more spans into a store at its 100,000-span budget' }));
  ctx.log(`store: ingest ${Math.round(summarize(ingest.empty).median)} spans/s`);

  const q = await runWorker<{ results: Record<string, { times: number[]; found: number }>; spans: number }>('store query', 'workers/store.js', { mode: 'query', reps: ctx.quick ? 10 : 50 });
  for (const label of QUERY_LABELS) {
    const r = q.results[label];
    if (!r) throw new Error(`store worker returned no result for ${label}`);
    rows.push(measuredRow({ group, name: `query over 100,000 spans: ${label}`, unit: 'ms', value: summarize(r.times), aim: QUERY_AIM, note: `${r.found} traces on the page (limit 50)` }));
  }
  return rows;
}

export const storeGroup: Group = {
  name: 'store',
  about: 'SpanStore ingest rate and query latency over 100,000 spans',
  run,
};
