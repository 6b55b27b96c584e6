import { useJson } from '../hooks.js';
import { formatBytes, formatCount } from '../lib/format.js';

interface StoreStats {
  store?: { spans?: number; traces?: number; bytes?: number; maxSpans?: number; maxBytes?: number; evictedTraces?: number; evictedSpans?: number; refusedSpans?: number };
}

/** The span store's fill and what it evicted, so a user knows when old traces are gone. */
export function StoreCounters() {
  const s = useJson<StoreStats>('api/stats', 5000).data?.store;
  if (!s) return null;
  const pct = s.maxSpans ? Math.round(((s.spans ?? 0) / s.maxSpans) * 100) : undefined;
  return (
    <p class="counters muted" data-testid="store-counters" aria-label="Span store">
      <span>
        stored <b>{formatCount(s.traces ?? 0)}</b> traces · <b>{formatCount(s.spans ?? 0)}</b> spans
        {pct !== undefined ? ` (${pct}%)` : ''}
        {s.bytes !== undefined ? ` · ${formatBytes(s.bytes)}` : ''}
      </span>
      <span class={(s.evictedTraces ?? 0) > 0 ? 'warn' : ''}>
        evicted <b>{formatCount(s.evictedTraces ?? 0)}</b> traces
      </span>
      {(s.refusedSpans ?? 0) > 0 && (
        <span class="warn">
          refused <b>{formatCount(s.refusedSpans ?? 0)}</b> spans
        </span>
      )}
    </p>
  );
}
