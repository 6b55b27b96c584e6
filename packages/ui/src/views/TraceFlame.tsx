import { useMemo, useState } from 'preact/hooks';
import type { SpanRecord } from '@debugpanel/model';
import { useJson, type Fetched } from '../hooks.js';
import type { CriticalPathResponse, TraceFlameResponse } from '@debugpanel/model';
import { criticalPathPath, traceFlamePath } from '../lib/analysis-api.js';
import { unflattenFlame, type FlameLike } from '../lib/flame-layout.js';
import { formatDuration } from '../lib/format.js';
import { spanMatches } from '../lib/search.js';
import { FlameCanvas } from './FlameCanvas.js';

/** What the trace view hands the flame graph tab. */
export interface TraceFlameProps {
  traceId: string;
  spans: ReadonlyArray<SpanRecord>;
  /** The span selected in the waterfall / detail panel */
  selectedSpanId: string | undefined;
  /** Selects a span (opens its details, shared with the waterfall) */
  onSelectSpan: (spanId: string) => void;
  /** The trace search box's text, for highlighting */
  search: string;
  /** The critical path when the trace view already fetched it (else fetched here) */
  criticalPath?: Fetched<CriticalPathResponse>;
  /** Dim spans off the critical path; when given, the trace view's toolbar owns the toggle */
  showPath?: boolean;
}

/**
 * The flame graph of one trace, with its critical path: spans off the path are dimmed (toggle),
 * the path's biggest contributors are listed, and the trace search highlights matching spans
 * (the same matching as the waterfall's).
 */
export function TraceFlame(p: TraceFlameProps) {
  const flame = useJson<TraceFlameResponse>(traceFlamePath(p.traceId));
  const ownPath = useJson<CriticalPathResponse>(p.criticalPath ? undefined : criticalPathPath(p.traceId));
  const path = p.criticalPath ?? ownPath;
  const [ownShowPath, setShowPath] = useState(true);
  const showPath = p.showPath ?? ownShowPath;

  const matches = useMemo(() => {
    const ids = new Set<string>();
    if (p.search.trim()) for (const s of p.spans) if (spanMatches(s, p.search)) ids.add(s.spanId);
    return ids;
  }, [p.spans, p.search]);
  const isMatch = useMemo(() => (n: FlameLike) => n.spanId !== undefined && matches.has(n.spanId), [matches]);
  const onPath = useMemo(() => (path.data ? new Map(Object.entries(path.data.bySpan)) : undefined), [path.data]);
  const top = useMemo(() => {
    if (!path.data) return [];
    const names = new Map(p.spans.map((s) => [s.spanId, s]));
    return Object.entries(path.data.bySpan)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([id, ms]) => ({ id, ms, name: names.get(id)?.name ?? id }));
  }, [path.data, p.spans]);

  const tree = useMemo(() => {
    try {
      return { root: flame.data ? unflattenFlame(flame.data.flame) : undefined };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }, [flame.data]);

  const error = flame.error ?? path.error ?? tree.error;
  if (error) return <div class="error" data-testid="trace-flame">{error}</div>;
  if (!tree.root) return <div class="empty" data-testid="trace-flame">Loading flame graph…</div>;
  return (
    <div data-testid="trace-flame" style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0, padding: '0 12px' }}>
      <div style={{ display: 'flex', gap: '12px', alignItems: 'center', flexWrap: 'wrap', padding: '6px 0' }}>
        {p.showPath === undefined && (
          <label>
            <input type="checkbox" checked={showPath} onChange={(e) => setShowPath((e.currentTarget as HTMLInputElement).checked)} data-testid="critical-path-toggle" />{' '}
            Highlight the critical path
          </label>
        )}
        {top.length > 0 && (
          <span class="muted" data-testid="critical-path-top">
            Most time on the path:{' '}
            {top.map((t, i) => (
              <span key={t.id}>
                {i > 0 && ', '}
                <a href="#" onClick={(e) => { e.preventDefault(); p.onSelectSpan(t.id); }}>{t.name}</a> {formatDuration(t.ms)}
              </span>
            ))}
          </span>
        )}
        {matches.size > 0 && <span class="muted">{matches.size} matching spans</span>}
      </div>
      <FlameCanvas
        root={tree.root}
        testId="trace-flame-graph"
        label={`Flame graph of trace ${p.traceId}`}
        isMatch={isMatch}
        searching={p.search.trim() !== ''}
        onPath={onPath}
        showPath={showPath}
        selectedSpanId={p.selectedSpanId}
        onSelect={(n) => n.spanId && p.onSelectSpan(n.spanId)}
      />
    </div>
  );
}
