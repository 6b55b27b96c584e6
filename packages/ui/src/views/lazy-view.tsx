import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import type { ViewProps } from '../view-props.js';

/**
 * A view (or a part of one, such as the trace's Flame tab) whose code, and heavy libraries (uPlot,
 * dagre), loads on its first visit, so the trace list opens without them. One promise per view and
 * page: later visits render at once; a failed chunk load (e.g. after a redeploy) is shown and may
 * be retried.
 */
export function lazyView<P extends object = ViewProps>(load: () => Promise<ComponentType<P>>, testId: string, label: string): ComponentType<P> {
  let loading: Promise<ComponentType<P>> | undefined;
  return function LazyView(props: P) {
    const [Panel, setPanel] = useState<ComponentType<P>>();
    const [error, setError] = useState<string>();
    useEffect(() => {
      let live = true;
      (loading ??= load()).then(
        (p) => live && setPanel(() => p),
        (err: unknown) => {
          loading = undefined;
          if (live) setError(String((err as Error).message ?? err));
        },
      );
      return () => {
        live = false;
      };
    }, []);
    if (Panel) return <Panel {...props} />;
    return (
      <section data-testid={testId} aria-busy={error ? undefined : 'true'}>
        {error ? <p class="error" role="alert">Could not load the {label} view: {error}</p> : <p class="muted pad">Loading…</p>}
      </section>
    );
  };
}
