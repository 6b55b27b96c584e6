import type { ViewProps } from '../view-props.js';
import { needsDebugger, useSession } from '../session.js';
import { lazyView } from './lazy-view.js';

/** Live breakpoints, snapshots and logpoints, loaded as a chunk of its own: see breakpoints/BreakpointsPanel.tsx. */
const BreakpointsPanel = lazyView(
  () => import('./breakpoints/BreakpointsPanel.js').then((m) => m.BreakpointsPanel),
  'view-breakpoints',
  'breakpoints',
);

/** A viewer login gets the reason instead of forms whose every request the server would refuse. */
export function BreakpointsView(props: ViewProps) {
  const why = needsDebugger(useSession(), 'Breakpoints, snapshots, logpoints and source files');
  if (!why) return <BreakpointsPanel {...props} />;
  return (
    <section data-testid="view-breakpoints" aria-labelledby="bp-off-h" class="pad">
      <h1 id="bp-off-h">Breakpoints</h1>
      <p class="notice" role="note" data-testid="bp-viewer">{why}</p>
      <button type="button" class="btn primary" disabled aria-disabled="true" title={why}>Set breakpoint</button>
    </section>
  );
}
