import type { ViewProps } from '../view-props.js';
import { NotEnabled } from './NotEnabled.js';

/** Placeholder until snapshots and logpoints (issue 6) lands; that work replaces this file. */
export function BreakpointsView(_props: ViewProps) {
  return <NotEnabled title="Live breakpoints" testId="view-breakpoints" />;
}
