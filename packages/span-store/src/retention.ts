/**
 * The store's eviction order by retention class (model `retentionClassOf`): one FIFO queue per
 * class, so choosing what to evict next costs O(classes), never a scan of the store.
 *
 * A trace whose class changes (its root arrived with a route, an error span, the sampler's reason,
 * a pin, an incident's link) joins the queue of its new class and leaves a stale reference in the
 * old one; stale references are skipped when they reach a queue's front, and a queue whose stale
 * references outnumber its live ones (plus SLACK) is compacted in one pass before it grows: so
 * every queue stays within twice its live traces, and each reference is dropped once (amortized
 * O(1) per change). `TraceEntry.queued` has a bit per queue holding the entry, so an entry that
 * returns to a class it left takes back its old place instead of being queued twice.
 */
import {
  RETENTION_CLASSES,
  RETENTION_TIER,
  RingBuffer,
  retentionClassIndex,
  type RetentionClass,
  type RetentionClassStats,
} from '@debugpanel/model';
import type { TraceEntry } from './trace-entry.js';

const CLASSES = RETENTION_CLASSES.length;
/** Class name -> its index in RETENTION_CLASSES (model's `retentionClassIndex` numbers them so) */
const INDEX = Object.fromEntries(RETENTION_CLASSES.map((c, i) => [c, i])) as Record<RetentionClass, number>;
/** Class indexes of each tier, lowest tier (evicted first) first */
const TIERS: number[][] = (() => {
  const tiers: number[][] = [];
  RETENTION_CLASSES.forEach((c, i) => (tiers[RETENTION_TIER[c]] ??= []).push(i));
  return tiers.filter((t) => t !== undefined);
})();
/** Stale references a queue may hold beyond its live ones before it is compacted */
const SLACK = 64;
/** Oldest live traces of a class read for `oldestStartAt` (a class queue is in order of joining, nearly start order) */
const OLDEST_PROBE = 32;

export const classIndex = (c: RetentionClass): number => INDEX[c];

export class RetentionQueues {
  readonly #queues: RingBuffer<TraceEntry>[] = [];
  readonly #stale: number[] = new Array<number>(CLASSES).fill(0);
  /** Traces, spans held and traces evicted, per class index */
  readonly traces: number[] = new Array<number>(CLASSES).fill(0);
  readonly spans: number[] = new Array<number>(CLASSES).fill(0);
  readonly evicted: number[] = new Array<number>(CLASSES).fill(0);

  constructor(maxTraces: number) {
    // Live references <= maxTraces, stale <= live + SLACK when a queue grows (see #join).
    for (let i = 0; i < CLASSES; i++) this.#queues.push(new RingBuffer<TraceEntry>(2 * maxTraces + 2 * SLACK + 2));
  }

  /** Queues a new entry in its class. */
  add(e: TraceEntry): void {
    const c = retentionClassIndex(e);
    e.cls = c;
    this.#join(e, c);
  }

  /** Re-reads an entry's class after one of its facts changed; moves it when it changed. */
  update(e: TraceEntry): void {
    const c = retentionClassIndex(e);
    const old = e.cls;
    if (c === old) return;
    this.traces[old]!--;
    this.spans[old]! -= e.count;
    this.#stale[old]!++;
    e.cls = c;
    this.#join(e, c);
  }

  #join(e: TraceEntry, c: number): void {
    this.traces[c]!++;
    this.spans[c]! += e.count;
    const bit = 1 << c;
    if ((e.queued & bit) !== 0) {
      this.#stale[c]!--; // back in a class it left: its old place is live again
      return;
    }
    if (this.#stale[c]! > this.traces[c]! + SLACK) this.#compact(c);
    this.#queues[c]!.push(e);
    e.queued |= bit;
  }

  #compact(c: number): void {
    const bit = 1 << c;
    this.#queues[c]!.retain((h) => {
      if (!h.dead && h.cls === c) return true;
      h.queued &= ~bit;
      return false;
    });
    this.#stale[c] = 0;
  }

  /** The oldest live entry of class `c`, dropping stale references at the front. */
  head(c: number): TraceEntry | undefined {
    const q = this.#queues[c]!;
    const bit = 1 << c;
    for (let h = q.peek(); h !== undefined; h = q.peek()) {
      if (!h.dead && h.cls === c) return h;
      q.shift();
      h.queued &= ~bit;
      this.#stale[c]!--;
    }
    return undefined;
  }

  /**
   * Takes the entry to evict next out of its class (counted there): the oldest of the lowest
   * non-empty tier (of its classes, the one whose head arrived first). Undefined when empty.
   */
  takeNext(): TraceEntry | undefined {
    for (let t = 0; t < TIERS.length; t++) {
      const tier = TIERS[t]!;
      let best: TraceEntry | undefined;
      for (let i = 0; i < tier.length; i++) {
        const h = this.head(tier[i]!);
        if (h !== undefined && (best === undefined || h.seq < best.seq)) best = h;
      }
      if (best !== undefined) {
        const c = best.cls;
        this.#queues[c]!.shift(); // best is that queue's live head
        best.queued &= ~(1 << c);
        this.traces[c]!--;
        this.spans[c]! -= best.count;
        this.evicted[c]!++;
        return best;
      }
    }
    return undefined;
  }

  /** Per class: held, evicted and how far back it reaches. */
  stats(): Record<RetentionClass, RetentionClassStats> {
    const out = {} as Record<RetentionClass, RetentionClassStats>;
    for (let c = 0; c < CLASSES; c++) {
      const s: RetentionClassStats = { traces: this.traces[c]!, spans: this.spans[c]!, evicted: this.evicted[c]! };
      const q = this.#queues[c]!;
      let oldest = Infinity;
      for (let i = 0, seen = 0, n = Math.min(q.size, 8 * OLDEST_PROBE); i < n && seen < OLDEST_PROBE; i++) {
        const e = q.at(i)!;
        if (e.dead || e.cls !== c) continue;
        seen++;
        if (e.startTime < oldest) oldest = e.startTime;
      }
      if (oldest !== Infinity) s.oldestStartAt = oldest;
      out[RETENTION_CLASSES[c]!] = s;
    }
    return out;
  }

  /** References held by all queues together, live and stale (for the bound's tests). */
  get references(): number {
    let n = 0;
    for (const q of this.#queues) n += q.size;
    return n;
  }

  /** Forgets every entry; the evicted counters stay. */
  clear(): void {
    for (const q of this.#queues) q.clear();
    this.#stale.fill(0);
    this.traces.fill(0);
    this.spans.fill(0);
  }
}
