/**
 * Span store worker: ingest rate (into an empty store, and into a full one that evicts as it
 * goes) and query latency over 100,000 stored spans for the filters the trace list offers.
 */
import type { TraceQuery } from '@debugpanel/model';
import { makeRecords } from '../fixtures.js';
import { serveIpc } from '../ipc.js';
import { loadStore } from './store-api.js';

const N = 100_000;
const SHAPE = { spans: 10 };
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

const QUERIES: Record<string, TraceQuery> = {
  'latest page (no filter)': { limit: 50 },
  'service=inventory': { service: 'inventory', limit: 50 },
  'route=/checkout': { route: '/checkout', limit: 50 },
  'status=error': { status: 'error', limit: 50 },
  'minDuration=500 (slowest 1%)': { minDuration: 500, limit: 50 },
  'attribute user.id=u42': { attributes: { 'user.id': 'u42' }, limit: 50 },
  'text "sku-4242"': { text: 'sku-4242', limit: 50 },
  'service+status+minDuration': { service: 'orders', status: 'error', minDuration: 20, limit: 50 },
};

async function ingest(reps: number): Promise<Record<string, number[]>> {
  const { SpanStore } = await loadStore();
  const spans = makeRecords(7, (2 * N) / SHAPE.spans, SHAPE);
  const first = spans.slice(0, N);
  const second = spans.slice(N);
  const empty: number[] = [];
  const evicting: number[] = [];
  for (let r = 0; r < reps; r++) {
    const store = new SpanStore({ maxSpans: N, maxBytes: 2 ** 31 });
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < first.length; i++) store.add(first[i]!);
    empty.push(first.length / (ms(t0) / 1000));
    // The store is full now: every further trace evicts the oldest one.
    t0 = process.hrtime.bigint();
    for (let i = 0; i < second.length; i++) store.add(second[i]!);
    evicting.push(second.length / (ms(t0) / 1000));
    if (store.stats().evictedSpans === 0) throw new Error('ingest: the full store evicted nothing');
  }
  return { empty, evicting };
}

async function queries(reps: number): Promise<Record<string, unknown>> {
  const { SpanStore } = await loadStore();
  const store = new SpanStore({ maxSpans: N, maxBytes: 2 ** 31 });
  for (const s of makeRecords(11, N / SHAPE.spans, SHAPE)) store.add(s);
  const out: Record<string, { times: number[]; found: number }> = {};
  for (const [label, q] of Object.entries(QUERIES)) {
    const times: number[] = [];
    let found = 0;
    store.query(q); // first call pays for lazy work (if any) once; it is timed below anyway
    for (let r = 0; r < reps; r++) {
      const t0 = process.hrtime.bigint();
      found = store.query(q).traces.length;
      times.push(ms(t0));
    }
    out[label] = { times, found };
  }
  return { results: out, spans: store.stats().spans };
}

serveIpc(async (msg) => {
  if (msg.mode === 'ingest') return ingest(Number(msg.reps));
  if (msg.mode === 'query') return queries(Number(msg.reps));
  throw new Error(`unknown mode ${String(msg.mode)}`);
});
