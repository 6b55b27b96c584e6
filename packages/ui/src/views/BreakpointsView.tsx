import { lazyView } from './lazy-view.js';

/** Live breakpoints, snapshots and logpoints (issue 6): see breakpoints/BreakpointsPanel.tsx. */
export const BreakpointsView = lazyView(
  () => import('./breakpoints/BreakpointsPanel.js').then((m) => m.BreakpointsPanel),
  'view-breakpoints',
  'breakpoints',
);
