import type { SamplingResponse, StatsResponse } from '@debugpanel/model';
import { useJson } from '../hooks.js';
import { formatStat, statsSections } from '../lib/stats.js';
import type { ViewProps } from '../view-props.js';

/** The panel's own counters, rendered from whatever `api/stats` returns. */
export function StatsView(_props: ViewProps) {
  const { data, error } = useJson<StatsResponse>('api/stats', 2000);
  // The sampling policies in force (the counters are in api/stats); a panel without the route
  // (older server) answers 404, and then the card is simply absent.
  const policies = useJson<SamplingResponse>('api/sampling', 10_000).data;
  const sections = data ? statsSections({ ...data }) : [];
  if (policies) sections.push(...statsSections({ 'sampling policies': { head: policies.head, ...policies.tail } }, formatPolicy));
  return (
    <section class="stats-view" aria-labelledby="stats-h" data-testid="view-stats">
      <h1 id="stats-h">Panel stats</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {!data && !error && <p class="muted">Loading…</p>}
      <div class="stats-grid">
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

/** Policy lists (drop rules, attribute matches) are arrays of objects: shown as compact JSON. */
function formatPolicy(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  return formatStat(key, value);
}
