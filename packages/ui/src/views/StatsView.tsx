import type { SamplingResponse, StatsResponse } from '@debugpanel/model';
import { useJson } from '../hooks.js';
import { formatStat, statsSections } from '../lib/stats.js';
import { formatCount } from '../lib/format.js';
import { formatBackTo, retentionLines } from '../lib/retention.js';
import type { ViewProps } from '../view-props.js';

/** The panel's own counters, rendered from whatever `api/stats` returns. */
export function StatsView(_props: ViewProps) {
  const { data, error } = useJson<StatsResponse>('api/stats', 2000);
  // The sampling policies in force (the counters are in api/stats); a panel without the route
  // (older server) answers 404, and then the card is simply absent.
  const policies = useJson<SamplingResponse>('api/sampling', 10_000).data;
  // The store's per-class counters are the retention card's: not repeated as 24 dotted rows.
  const sections = data ? statsSections({ ...data, store: withoutRetention(data.store) }) : [];
  if (policies) sections.push(...statsSections({ 'sampling policies': { head: policies.head, ...policies.tail } }, formatPolicy));
  return (
    <section class="stats-view" aria-labelledby="stats-h" data-testid="view-stats">
      <h1 id="stats-h">Panel stats</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {!data && !error && <p class="muted">Loading…</p>}
      <div class="stats-grid">
        {data && <RetentionCard store={data.store} />}
        {data &&
          sections.map((s) => (
            <section class="card" key={s.title} aria-label={s.title} data-testid={`stats-${s.title}`}>
              <h2>{s.title}</h2>
              <table class="kv-table">
                <tbody>
                  {s.rows.map(([k, v]) => (
                    <tr key={k}>
                      <th scope="row">{k}</th>
                      <td class="mono num">{v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
      </div>
    </section>
  );
}

/**
 * How far back each retention class of the span store reaches ("errors back to 13:02"), what it
 * holds and what it evicted: a full store thins normal traces first, pinned ones last.
 */
function RetentionCard({ store }: { store: StatsResponse['store'] }) {
  const lines = retentionLines(store);
  if (lines.length === 0) return null;
  const now = Date.now();
  return (
    <section class="card retention-card" aria-label="store retention" data-testid="stats-retention">
      <h2>store retention: how far back</h2>
      <table class="kv-table">
        <thead>
          <tr>
            <th scope="col">kept</th>
            <th scope="col">back to</th>
            <th scope="col">traces</th>
            <th scope="col">evicted</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.cls} data-testid={`retention-${l.cls}`}>
              <th scope="row">{l.label}</th>
              <td class="mono num">{l.oldest !== undefined ? formatBackTo(l.oldest, now) : '–'}</td>
              <td class="mono num">{formatCount(l.traces)}</td>
              <td class="mono num">{formatCount(l.evicted)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">A full store evicts normal traces first, then route exemplars, slow traces and errors, linked ones, pinned ones last.</p>
    </section>
  );
}

function withoutRetention(store: StatsResponse['store']): Omit<StatsResponse['store'], 'retention'> {
  const { retention: _shown, ...rest } = store;
  return rest;
}

/** Policy lists (drop rules, attribute matches) are arrays of objects: shown as compact JSON. */
function formatPolicy(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  return formatStat(key, value);
}
