import { describe, expect, it } from 'vitest';
import { VIEWS } from './route.js';
import { NAV_GROUPS, activeNav, navGroups, viewLabel } from './nav.js';

describe('nav', () => {
  it('lists every view once (a single trace belongs to Traces)', () => {
    const listed = NAV_GROUPS.flatMap((g) => g.items.map((i) => i.view));
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed, 'trace'].sort()).toEqual([...VIEWS].sort());
  });
  it('shows the audit log to the debugger role only', () => {
    const views = (role?: string) => navGroups(role).flatMap((g) => g.items.map((i) => i.view));
    expect(views('viewer')).not.toContain('audit');
    expect(views(undefined)).not.toContain('audit');
    expect(views('debugger')).toContain('audit');
    expect(navGroups('viewer').map((g) => g.label)).toEqual(['Investigate', 'Analyse', 'Act', 'Panel']);
  });
  it('marks Traces current on a trace, and names views', () => {
    expect(activeNav('trace')).toBe('traces');
    expect(activeNav('logs')).toBe('logs');
    expect(viewLabel('queries')).toBe('Queries');
    expect(viewLabel('trace')).toBe('Trace');
  });
});
