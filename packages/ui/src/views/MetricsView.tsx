import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import type { ViewProps } from '../view-props.js';

// The charts and uPlot (~20 KB gzip) load on the first visit to #/metrics, so the trace list opens
// without them. One promise per page: later visits render at once.
let loading: Promise<ComponentType<ViewProps>> | undefined;
const load = () => (loading ??= import('./metrics/MetricsPanel.js').then((m) => m.MetricsPanel));

/** Golden signals (latency, traffic, errors, saturation) per service and route: see metrics/MetricsPanel.tsx. */
export function MetricsView(props: ViewProps) {
  const [Panel, setPanel] = useState<ComponentType<ViewProps>>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    load().then(
      (p) => live && setPanel(() => p),
      (err: unknown) => {
        loading = undefined; // a failed chunk load (e.g. after a redeploy) may be retried
        if (live) setError(String((err as Error).message ?? err));
      },
    );
    return () => {
      live = false;
    };
  }, []);
  if (Panel) return <Panel {...props} />;
  return (
    <section class="metrics-view" data-testid="view-metrics">
      {error ? <p class="error" role="alert">Could not load the metrics view: {error}</p> : <p class="muted pad">Loading…</p>}
    </section>
  );
}
