/**
 * Memory per stored span against OTel's InMemorySpanExporter holding the same spans, the store's
 * own byte estimate against what it really holds, and RSS under a sustained flood.
 * Each sample is a fresh `node --expose-gc` process; SpanStore and OTel alternate.
 */
import { runWorker } from '../child.js';
import type { Context, Group } from '../context.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { ratioSummary, summarize } from '../stats.js';
import { storeAvailable } from '../workers/store-api.js';

const MB = 1024 * 1024;
const PER_SPAN_AIM: Aim = { on: 'median', op: '<=', value: 250, text: '≤ 250 B' };
const ESTIMATE_AIM: Aim = { on: 'ratio', op: '>=', value: 0.8, text: '≥ 0.8x measured (budget honest)' };
const FLOOD_AIM: Aim = { on: 'ratio', op: '<=', value: 0.25, text: '≤ 0.25x budget (flat)' };
const HELD_AIM: Aim = { on: 'ratio', op: '<=', value: 1.1, text: '≤ 1.1x budget' };
const EXEC = ['--expose-gc'];

async function run(ctx: Context): Promise<Row[]> {
  const group = 'memory';
  const rounds = ctx.quick ? 2 : 5;
  const n = ctx.quick ? 10_000 : 20_000;
  const rows: Row[] = [];
  const hasStore = await storeAvailable();

  const otel: number[] = [];
  const store: number[] = [];
  const estimate: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const doOtel = async (): Promise<void> => {
      otel.push((await runWorker<{ perSpan: number }>('memory otel', 'workers/memory.js', { mode: 'otel', n }, { execArgv: EXEC })).perSpan);
    };
    const doStore = async (): Promise<void> => {
      if (!hasStore) return;
      const res = await runWorker<{ perSpan: number; estimatePerSpan: number }>('memory store', 'workers/memory.js', { mode: 'store', n }, { execArgv: EXEC });
      store.push(res.perSpan);
      estimate.push(res.estimatePerSpan);
    };
    // Alternate which side runs first.
    if (r % 2 === 0) await doStore().then(doOtel);
    else await doOtel().then(doStore);
  }
  ctx.log(`memory: otel ${summarize(otel).median.toFixed(0)} B/span${store.length ? `, store ${summarize(store).median.toFixed(0)} B/span` : ''}`);
  const what = `${n.toLocaleString('en-US')} spans in traces of 10, heap + ArrayBuffer delta after gc`;

  if (hasStore) {
    rows.push(measuredRow({ group, name: 'heap per stored span: SpanStore', unit: 'B', value: summarize(store), ratio: { summary: ratioSummary(store, otel), to: 'OTel' }, aim: PER_SPAN_AIM, note: what }));
  } else {
    rows.push(missingRow(group, 'heap per stored span: SpanStore', 'B', PER_SPAN_AIM, '@debugpanel/span-store does not export SpanStore yet'));
  }
  rows.push(measuredRow({ group, name: 'heap per stored span: OTel InMemorySpanExporter', unit: 'B', value: summarize(otel), note: `${what}; BasicTracerProvider + SimpleSpanProcessor` }));
  if (hasStore) {
    rows.push(measuredRow({ group, name: 'SpanStore byte estimate per span', unit: 'B', value: summarize(estimate), ratio: { summary: ratioSummary(estimate, store), to: 'measured' }, aim: ESTIMATE_AIM, note: 'stats().bytes / spans against the heap really held' }));
  } else {
    rows.push(missingRow(group, 'SpanStore byte estimate per span', 'B', ESTIMATE_AIM, '@debugpanel/span-store does not export SpanStore yet'));
  }

  const floodName = 'RSS growth under a flood, after the byte budget is reached';
  const heldName = 'heap retained by the store after the flood';
  if (!hasStore) {
    rows.push(missingRow(group, floodName, 'MB', FLOOD_AIM, '@debugpanel/span-store does not export SpanStore yet'));
    rows.push(missingRow(group, heldName, 'MB', HELD_AIM, '@debugpanel/span-store does not export SpanStore yet'));
    return rows;
  }
  const budget = (ctx.quick ? 16 : 32) * MB;
  const budgetMb = budget / MB;
  const fills = 30;
  const floods = ctx.quick ? 1 : 3;
  const growth: number[] = [];
  const held: number[] = [];
  const notes: string[] = [];
  for (let i = 0; i < floods; i++) {
    const res = await runWorker<{ rss: number[]; dense: number[]; heapStart: number; heapEnd: number; stats: { evictedSpans: number } }>('memory flood', 'workers/memory.js', { mode: 'flood', budget, fills }, { execArgv: EXEC });
    // RSS saw-tooths with garbage collection, so single samples, peaks and even medians mostly
    // show where collections happened to fall, and V8 keeps raising its heap limit for a while
    // after the budget is full. The floor (lowest RSS, just after a major collection) is what the
    // process really keeps: compare the floor of the last third of the flood with the middle
    // third's. A store that holds its budget shows no growth there; a leak does.
    const third = Math.floor(res.dense.length / 3);
    const floor = (xs: number[]): number => Math.min(...xs);
    growth.push((floor(res.dense.slice(2 * third)) - floor(res.dense.slice(third, 2 * third))) / MB);
    held.push((res.heapEnd - res.heapStart) / MB);
    notes.push(`RSS at each budget's worth ${res.rss.map((x) => (x / MB).toFixed(0)).join(' ')} MB; ${res.stats.evictedSpans.toLocaleString('en-US')} spans evicted`);
  }
  rows.push(
    measuredRow({
      group,
      name: floodName,
      unit: 'MB',
      value: summarize(growth),
      ratio: { summary: summarize(growth.map((g) => g / budgetMb)), to: 'budget' },
      aim: FLOOD_AIM,
      note: `lowest RSS (sampled every 5,000 spans once the budget was full) over the last third of the flood minus over the middle third; budget ${budgetMb} MiB, ${fills}x its worth of spans; ${notes.join(' | ')}`,
    }),
  );
  rows.push(
    measuredRow({
      group,
      name: heldName,
      unit: 'MB',
      value: summarize(held),
      ratio: { summary: summarize(held.map((h) => h / budgetMb)), to: 'budget' },
      aim: HELD_AIM,
      note: 'heap after gc at the end of the flood minus before it',
    }),
  );
  return rows;
}

export const memoryGroup: Group = {
  name: 'memory',
  about: 'heap per stored span (SpanStore vs OTel InMemorySpanExporter), byte estimate honesty, RSS under a flood',
  run,
};
