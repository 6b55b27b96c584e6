/**
 * The panel's keyboard shortcuts, listed once: the `?` help dialog shows this table, and the
 * README's Keys section says the same.
 */
export interface KeyHelp {
  keys: string;
  where: string;
  does: string;
}

export const KEY_HELP: readonly KeyHelp[] = [
  { keys: '?', where: 'anywhere', does: 'show or hide this help' },
  { keys: '/', where: 'anywhere', does: "focus the view's search field" },
  { keys: 'j / k (or ↓ / ↑)', where: 'trace list, waterfall', does: 'move the cursor (in the waterfall it also selects the span)' },
  { keys: 'Enter', where: 'trace list', does: 'open the trace' },
  { keys: 'Enter', where: 'waterfall', does: 'open a fold, or expand/collapse the span' },
  { keys: '← / →', where: 'waterfall', does: 'collapse / expand the span' },
  { keys: 'n / Shift+n', where: 'trace', does: 'next / previous search match' },
  { keys: 'Esc', where: 'a field', does: 'leave the field' },
  { keys: 'Esc', where: 'trace', does: 'close the span details, then back to the list' },
  { keys: '↑ / ↓, j / k, PgUp / PgDn, Home / End', where: 'breakpoints code', does: 'select a line' },
  { keys: 'Enter / b', where: 'breakpoints code', does: 'set a breakpoint on the selected line' },
];
