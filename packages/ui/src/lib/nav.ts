/**
 * The one navigation: every view, grouped by what the user is doing, in the order the topbar shows
 * them. Pure, so the grouping and the "current" mark are tested without a DOM.
 */
import type { ViewName } from './route.js';

export interface NavItem {
  view: ViewName;
  label: string;
  /** Shown only to the debugger role */
  debuggerOnly?: boolean;
}

export interface NavGroup {
  label: string;
  items: readonly NavItem[];
}

export const NAV_GROUPS: readonly NavGroup[] = [
  // What happened: one request, its records, what failed, what the database did.
  { label: 'Investigate', items: [{ view: 'traces', label: 'Traces' }, { view: 'logs', label: 'Logs' }, { view: 'errors', label: 'Errors' }, { view: 'queries', label: 'Queries' }] },
  // How it behaves over time and across services.
  { label: 'Analyse', items: [{ view: 'metrics', label: 'Metrics' }, { view: 'insights', label: 'Insights' }, { view: 'map', label: 'Map' }, { view: 'flame', label: 'Flame' }, { view: 'compare', label: 'Compare' }] },
  // Changing the running process: capture locals, inject faults.
  { label: 'Act', items: [{ view: 'breakpoints', label: 'Breakpoints' }, { view: 'chaos', label: 'Chaos' }] },
  // The panel itself.
  { label: 'Panel', items: [{ view: 'stats', label: 'Stats' }, { view: 'audit', label: 'Audit', debuggerOnly: true }] },
];

/** The groups a role sees (the audit log is the debugger's only). Empty groups are left out. */
export function navGroups(role: string | undefined): NavGroup[] {
  return NAV_GROUPS.map((g) => ({ ...g, items: g.items.filter((i) => !i.debuggerOnly || role === 'debugger') })).filter((g) => g.items.length > 0);
}

/** The nav entry marked current for a view: a single trace belongs to Traces. */
export function activeNav(view: ViewName): ViewName {
  return view === 'trace' ? 'traces' : view;
}

/** The view's name as the nav spells it ("Trace" for a single trace). */
export function viewLabel(view: ViewName): string {
  if (view === 'trace') return 'Trace';
  for (const g of NAV_GROUPS) for (const i of g.items) if (i.view === view) return i.label;
  return view;
}
