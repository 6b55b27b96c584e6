/**
 * Sampler worker (node --expose-gc): the TailSampler's cost per span with the production policies,
 * and the heap it holds while 5,000 traces are in flight at once.
 */
import type { SpanRecord } from '@debugpanel/model';
import { tryImport } from '../context.js';
import { generateSpans, makeRecords, toRecord } from '../fixtures.js';
import { serveIpc } from '../ipc.js';

interface Sampler {
  add(span: SpanRecord): void;
  tick(now?: number): void;
  close(): void;
  stats(): { pending: number; evictedEarly: number; keptTraces: number; droppedTraces: number };
}
type SamplerCtor = new (o: object) => Sampler;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('the sampler worker needs node --expose-gc');
const settle = (): number => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

/** Spans of each 10-span trace in the order they end: children first, the root last. */
function endOrder(spans: SpanRecord[], per: number): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (let i = 0; i < spans.length; i += per) out.push(...spans.slice(i, i + per).reverse());
  return out;
}

async function run(reps: number): Promise<Record<string, unknown>> {
  const mod = await tryImport('@debugpanel/sampler');
  const TailSampler = mod?.TailSampler as SamplerCtor | undefined;
  if (typeof TailSampler !== 'function') return { missing: '@debugpanel/sampler does not export TailSampler yet' };

  const spans = endOrder(makeRecords(31, 10_000, { spans: 10 }), 10);
  const nsPerSpan: number[] = [];
  let last: ReturnType<Sampler['stats']> | undefined;
  for (let r = 0; r < reps + 1; r++) {
    let now = 1_000_000;
    const s = new TailSampler({ production: true, onKeep: () => {}, tickIntervalMs: 0, now: () => now });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < spans.length; i++) {
      s.add(spans[i]!);
      now += 0.05; // 20,000 spans a second
      if ((i & 1023) === 1023) s.tick(now);
    }
    now += 60_000;
    s.tick(now);
    const t = Number(process.hrtime.bigint() - t0) / spans.length;
    if (r > 0) nsPerSpan.push(t); // the first run warms the JIT
    last = s.stats();
    s.close();
  }

  // 5,000 traces in flight: every span but the roots has ended, so no trace can be decided
  // (until the pending bound makes the sampler decide the oldest early).
  const heap: number[] = [];
  let pending = 0;
  let evictedEarly = 0;
  for (let r = 0; r < Math.max(2, reps >> 1); r++) {
    const before = settle();
    const s = new TailSampler({ production: true, onKeep: () => {}, tickIntervalMs: 0, now: () => 1_000_000 });
    // Spans are made after the baseline: the ones the sampler buffers count against it.
    generateSpans(32, 5_000, { spans: 10 }, (x) => {
      if (x.parentSpanId !== undefined) s.add(toRecord(x));
    });
    const after = settle();
    heap.push((after - before) / (1024 * 1024));
    ({ pending, evictedEarly } = s.stats());
    s.close();
  }
  return { nsPerSpan, heap, pending, evictedEarly, kept: last?.keptTraces, dropped: last?.droppedTraces };
}

serveIpc(async (msg) => run(Number(msg.reps)));
