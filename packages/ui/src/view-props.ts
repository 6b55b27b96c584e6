import type { Context } from './lib/context.js';
import type { Route } from './lib/route.js';

/** What the shell hands every view. Views own their `?params` in the hash. */
export interface ViewProps {
  route: Route;
  /** Goes to a hash (`#/traces?...`); `replace` keeps the back button clean for small changes */
  navigate: (hash: string, options?: { replace?: boolean }) => void;
  /**
   * The shared context (the filter bar's): the hash's for views that carry it, else the one the
   * shell kept (the Map applies its service and window from here)
   */
  ctx?: Context;
}
