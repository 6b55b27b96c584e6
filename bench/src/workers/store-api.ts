/**
 * The parts of @debugpanel/span-store the benchmark drives, typed here and checked at run time, so
 * the benchmark builds (and says "not available yet") while the store is still being written.
 */
import type { SpanRecord, TraceQuery, TraceQueryResult } from '@debugpanel/model';
import { tryImport } from '../context.js';

export interface StoreStats {
  spans: number;
  traces: number;
  bytes: number;
  evictedSpans: number;
  evictedBytes: number;
}

export interface StoreLike {
  add(span: SpanRecord): boolean;
  query(q: TraceQuery): TraceQueryResult;
  stats(): StoreStats;
}

export interface StoreApi {
  SpanStore: new (opts: { maxSpans?: number; maxBytes?: number; maxSpansPerTrace?: number }) => StoreLike;
}

export async function loadStore(): Promise<StoreApi> {
  const mod = await tryImport('@debugpanel/span-store');
  if (!mod || typeof mod.SpanStore !== 'function') throw new Error('@debugpanel/span-store does not export SpanStore yet');
  return mod as unknown as StoreApi;
}

/** Whether the store has landed, without throwing. */
export async function storeAvailable(): Promise<boolean> {
  const mod = await tryImport('@debugpanel/span-store');
  return !!mod && typeof mod.SpanStore === 'function';
}
