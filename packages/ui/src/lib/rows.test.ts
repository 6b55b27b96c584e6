import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './tree.js';
import { allParents, generateRows, revealSpan, rowIndexOf, type Row } from './rows.js';
import { sid, span } from './test-spans.js';

const ids = (rows: Row[]) => rows.map((r) => (r.kind === 'span' ? r.node.span.name : `fold×${r.nodes.length}`));
const none = new Set<string>();

// root(1) -> a(2) -> a1(3); root -> 5 x "SELECT" (4..8) each with a child; root -> z(9)
const spans = [
  span('1', undefined, 0, 100, { name: 'root' }),
  span('2', '1', 1, 10, { name: 'a' }),
  span('3', '2', 2, 5, { name: 'a1' }),
  ...[4, 5, 6, 7, 8].map((n) => span(String(n), '1', 10 + n, 2, { name: 'SELECT', status: { code: n === 6 ? 'error' : 'unset' } })),
  span('10', '6', 16.5, 1, { name: 'inner' }),
  span('9', '1', 50, 10, { name: 'z' }),
];
const tree = buildSpanTree(spans);

describe('generateRows', () => {
  it('shows every span depth-first, with a closed fold for the repeated siblings', () => {
    const rows = generateRows(tree, none, none);
    expect(ids(rows)).toEqual(['root', 'a', 'a1', 'fold×5', 'z']);
    const fold = rows[3]!;
    expect(fold).toMatchObject({ kind: 'fold', depth: 1, start: 1014, end: 1020, total: 10, errors: 1 });
  });
  it('hides the subtree of a collapsed span', () => {
    expect(ids(generateRows(tree, new Set([sid('2')]), none))).toEqual(['root', 'a', 'fold×5', 'z']);
    expect(ids(generateRows(tree, new Set([sid('1')]), none))).toEqual(['root']);
  });
  it('opens a fold into its spans and their subtrees', () => {
    const key = tree.byId.get(sid('4'))!.foldKey!;
    expect(ids(generateRows(tree, none, new Set([key])))).toEqual(['root', 'a', 'a1', 'SELECT', 'SELECT', 'SELECT', 'inner', 'SELECT', 'SELECT', 'z']);
  });
  it('collapse all leaves the roots only; expand all restores everything', () => {
    expect(generateRows(tree, allParents(tree), none)).toHaveLength(1);
    expect(generateRows(tree, none, none)).toHaveLength(5);
  });
  it('produces 10,000 rows for a flat 10,000-span trace quickly', () => {
    const flat = buildSpanTree([span('1', undefined, 0, 1e4), ...Array.from({ length: 9999 }, (_, i) => span(String(i + 2), '1', i, 1, { name: `n${i % 3}` }))]);
    const t0 = performance.now();
    const rows = generateRows(flat, none, none);
    expect(rows).toHaveLength(10_000);
    expect(performance.now() - t0).toBeLessThan(200); // generous: it takes a few ms
  });
});

describe('revealSpan', () => {
  it('opens the fold and expands the ancestors of a hidden span', () => {
    const r = revealSpan(tree, sid('10'), new Set([sid('1'), sid('6')]), none);
    const rows = generateRows(tree, r.collapsed, r.openFolds);
    expect(rowIndexOf(rows, sid('10'))).toBeGreaterThan(0);
    expect(r.collapsed.has(sid('1'))).toBe(false);
  });
  it('leaves the span itself collapsed and returns the same sets when nothing changes', () => {
    const collapsed = new Set([sid('2')]);
    const r = revealSpan(tree, sid('2'), collapsed, none);
    expect(r.collapsed).toBe(collapsed);
    expect(r.openFolds).toBe(none);
  });
  it('ignores unknown span ids', () => {
    expect(revealSpan(tree, 'nope', none, none).collapsed).toBe(none);
  });
});

describe('rowIndexOf', () => {
  it('finds a span inside a closed fold at the fold row', () => {
    const rows = generateRows(tree, none, none);
    expect(rowIndexOf(rows, sid('7'))).toBe(3);
    expect(rowIndexOf(rows, sid('10'))).toBe(-1);
  });
});
