import { useJson } from '../hooks.js';
import { statsSections } from '../lib/stats.js';
import type { ViewProps } from '../view-props.js';

/** The panel's own counters, rendered from whatever `api/stats` returns. */
export function StatsView(_props: ViewProps) {
  const { data, error } = useJson<Record<string, unknown>>('api/stats', 2000);
  return (
    <section class="stats-view" aria-labelledby="stats-h" data-testid="view-stats">
      <h1 id="stats-h">Panel stats</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {!data && !error && <p class="muted">Loading…</p>}
      <div class="stats-grid">
        {data &&
          statsSections(data).map((s) => (
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
