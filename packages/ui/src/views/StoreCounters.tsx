import type { StatsResponse } from '@debugpanel/model';
import { useJson } from '../hooks.js';
import { formatBytes, formatCount } from '../lib/format.js';
import { reachSummary, retentionLines } from '../lib/retention.js';

/** The span store's fill and what it evicted, so a user knows when old traces are gone. */
export function StoreCounters() {
  const s = useJson<StatsResponse>('api/stats', 5000).data?.store;
  if (!s) return null;
  const pct = s.maxSpans ? Math.round((s.spans / s.maxSpans) * 100) : undefined;
  // Once the store thins, how far back each kind of trace reaches.
  const reach = s.evictedTraces > 0 ? reachSummary(retentionLines(s), Date.now()) : '';
  return (
    <p class="counters muted" data-testid="store-counters" aria-label="Span store">
      <span>
        stored <b>{formatCount(s.traces)}</b> traces · <b>{formatCount(s.spans)}</b> spans
        {pct !== undefined ? ` (${pct}%)` : ''}
        {` · ${formatBytes(s.bytes)}`}
      </span>
      <span class={s.evictedTraces > 0 ? 'warn' : ''}>
        evicted <b>{formatCount(s.evictedTraces)}</b> traces
      </span>
      {reach && <span data-testid="store-reach">{reach}</span>}
      {s.refusedSpans > 0 && (
        <span class="warn">
          refused <b>{formatCount(s.refusedSpans)}</b> spans
        </span>
      )}
    </p>
  );
}
