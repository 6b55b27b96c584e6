import { useMemo, useState } from 'preact/hooks';
import type { TracesResponse } from '@debugpanel/model';
import { tracesPath } from '../api.js';
import { useJson } from '../hooks.js';
import { mergedFlamePath, routesOf, type MergedFlameResponse } from '../lib/analysis-api.js';
import { flameNodeMatches, type FlameLike } from '../lib/flame-layout.js';
import { formatCount, formatDuration } from '../lib/format.js';
import { formatHash, withParam } from '../lib/route.js';
import type { ViewProps } from '../view-props.js';
import { FlameCanvas } from './FlameCanvas.js';

const LIMITS = [50, 200, 1000];

/**
 * The merged flame graph of a route: its recent traces merged by the path of span names, each
 * node with count, mean and p95, the typical shape of the endpoint. `#/flame?route=...&limit=...`
 */
export function FlameView({ route, navigate }: ViewProps) {
  const chosen = route.params.get('route') ?? '';
  const limit = Number(route.params.get('limit')) || 200;
  const [search, setSearch] = useState('');
  const recent = useJson<TracesResponse>(tracesPath({ limit: 1000 }));
  const routes = useMemo(() => routesOf(recent.data?.traces ?? []), [recent.data]);
  const merged = useJson<MergedFlameResponse>(chosen ? mergedFlamePath(chosen, limit) : undefined);
  const isMatch = useMemo(() => (n: FlameLike) => flameNodeMatches(n, search), [search]);
  const set = (key: string, value: string | undefined) =>
    navigate(formatHash({ view: 'flame', params: withParam(route.params, key, value) }), { replace: true });

  return (
    <section class="view" data-testid="view-flame" style={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1, padding: '8px 12px' }}>
      <h1 style={{ margin: '4px 0 8px' }}>Flame graph of a route</h1>
      <div style={{ display: 'flex', gap: '8px', alignItems: 'center', flexWrap: 'wrap' }}>
        <label>
          Route{' '}
          <select value={chosen} onChange={(e) => set('route', (e.currentTarget as HTMLSelectElement).value)} data-testid="flame-route">
            <option value="">{routes.length ? 'choose a route…' : 'no routes seen yet'}</option>
            {chosen && !routes.includes(chosen) && <option value={chosen}>{chosen}</option>}
            {routes.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <label>
          Traces{' '}
          <select value={String(limit)} onChange={(e) => set('limit', (e.currentTarget as HTMLSelectElement).value)}>
            {LIMITS.map((l) => <option key={l} value={String(l)}>last {l}</option>)}
          </select>
        </label>
        <input type="search" placeholder="Highlight…" value={search} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} aria-label="Highlight nodes" />
        {merged.data && (
          <span class="muted" data-testid="flame-summary">
            {formatCount(merged.data.traces)} traces · mean {formatDuration(merged.data.root.mean ?? 0)} · p95 {formatDuration(merged.data.root.p95 ?? 0)}
          </span>
        )}
      </div>
      {recent.error && <div class="error">{recent.error}</div>}
      {merged.error && <div class="error">{merged.error}</div>}
      {!chosen && <p class="empty">Choose a route to see where its time goes across its recent traces.</p>}
      {merged.data && merged.data.traces === 0 && <p class="empty">No stored traces of {chosen}.</p>}
      {merged.data && merged.data.traces > 0 && (
        <FlameCanvas
          root={merged.data.root}
          testId="merged-flame"
          label={`Merged flame graph of ${chosen}`}
          isMatch={isMatch}
          searching={search.trim() !== ''}
        />
      )}
      <p class="muted" style={{ marginTop: '6px' }}>Width is total time over the merged traces; hover a node for its count, mean and p95, click to zoom.</p>
    </section>
  );
}
