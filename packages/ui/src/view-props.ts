import type { Route } from './lib/route.js';

/** What the shell hands every view. Views own their `?params` in the hash. */
export interface ViewProps {
  route: Route;
  /** Goes to a hash (`#/traces?...`); `replace` keeps the back button clean for small changes */
  navigate: (hash: string, options?: { replace?: boolean }) => void;
}
