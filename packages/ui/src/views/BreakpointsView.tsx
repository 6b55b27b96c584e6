import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import type { ViewProps } from '../view-props.js';

// The breakpoints view loads on the first visit to #/breakpoints, so the trace list opens without
// it. One promise per page: later visits render at once.
let loading: Promise<ComponentType<ViewProps>> | undefined;
const load = () => (loading ??= import('./breakpoints/BreakpointsPanel.js').then((m) => m.BreakpointsPanel));

/** Live breakpoints, snapshots and logpoints (issue 6): see breakpoints/BreakpointsPanel.tsx. */
export function BreakpointsView(props: ViewProps) {
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
    <section class="bp-view" data-testid="view-breakpoints">
      {error ? <p class="error" role="alert">Could not load the breakpoints view: {error}</p> : <p class="muted pad">Loading…</p>}
    </section>
  );
}
