import { RingBuffer } from '@debugpanel/model';
import type { Decision } from './policy.js';

/**
 * The decisions of recently decided traces, so that their late spans follow them: a Map bounded
 * by a ring of its keys, forgetting the oldest decision first. A forgotten trace's later spans
 * start a new buffered trace.
 *
 * @example
 * const cache = new DecisionCache(10_000);
 * cache.set(traceId, { keep: true, reason: 'error' });
 * cache.get(traceId)?.keep; // true, until 10,000 newer decisions push it out
 */
export class DecisionCache {
  readonly #decisions = new Map<string, Decision>();
  /** The cached trace ids, oldest first (a FIFO Map is slow to read from its start: see TailSampler) */
  readonly #ids: RingBuffer<string>;
  #evicted = 0;

  constructor(readonly capacity: number) {
    this.#ids = new RingBuffer(capacity);
  }

  get size(): number {
    return this.#decisions.size;
  }

  /** Decisions forgotten to keep the cache bounded */
  get evicted(): number {
    return this.#evicted;
  }

  get(traceId: string): Decision | undefined {
    return this.#decisions.get(traceId);
  }

  set(traceId: string, d: Decision): void {
    const old = this.#ids.push(traceId);
    // A trace id can be cached again after its decision was forgotten: forget only its own entry.
    if (old !== undefined && old !== traceId) {
      this.#decisions.delete(old);
      this.#evicted++;
    }
    this.#decisions.set(traceId, d);
  }
}
