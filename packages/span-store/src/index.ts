/**
 * @debugpanel/span-store: `SpanStore`, an in-memory trace index with count and byte budgets,
 * incremental trace summaries and paginated queries. (`RingBuffer` now lives in
 * `@debugpanel/model` and is re-exported here for code that imported it from this package.)
 *
 * @example
 * import { SpanStore } from '@debugpanel/span-store';
 * const store = new SpanStore({ maxSpans: 100_000, maxBytes: 64 * 1024 * 1024 });
 * store.addMany(spans);
 * const page = store.query({ status: 'error', limit: 50 });
 */
export { RingBuffer } from '@debugpanel/model';
export { SpanStore } from './span-store.js';
export type { SpanStoreOptions, SpanStoreStats, EvictListener } from './span-store.js';
export { estimateSpanBytes } from './estimate.js';
export { storedSpanBytes } from './compact.js';
