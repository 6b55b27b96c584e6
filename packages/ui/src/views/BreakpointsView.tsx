import { lazyView } from './lazy-view.js';

/** Live breakpoints, snapshots and logpoints, loaded as a chunk of its own: see breakpoints/BreakpointsPanel.tsx. */
export const BreakpointsView = lazyView(
  () => import('./breakpoints/BreakpointsPanel.js').then((m) => m.BreakpointsPanel),
  'view-breakpoints',
  'breakpoints',
);
