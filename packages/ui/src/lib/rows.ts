/**
 * The rows the waterfall shows, given which subtrees are collapsed and which folds are open
 * (after jaeger-ui's generateRowStates). Recomputed on every toggle: O(visible spans), no recursion.
 */
import type { ChildGroup, SpanNode, SpanTree } from './tree.js';

export interface SpanRow {
  kind: 'span';
  node: SpanNode;
  depth: number;
}

/** A run of same-name siblings shown as one row: "×200 SELECT orders" */
export interface FoldRow {
  kind: 'fold';
  key: string;
  nodes: SpanNode[];
  depth: number;
  /** ms since epoch: earliest start and latest end of the run */
  start: number;
  end: number;
  /** Sum of the run's durations, ms */
  total: number;
  errors: number;
}

export type Row = SpanRow | FoldRow;

export function generateRows(tree: SpanTree, collapsed: ReadonlySet<string>, openFolds: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  const stack: Array<SpanNode | ChildGroup> = [];
  const pushGroups = (groups: ChildGroup[]) => {
    for (let i = groups.length - 1; i >= 0; i--) stack.push(groups[i]!);
  };
  pushGroups(tree.rootGroups);
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('span' in item) {
      rows.push({ kind: 'span', node: item, depth: item.depth });
      if (!collapsed.has(item.span.spanId)) pushGroups(item.groups);
      continue;
    }
    if (item.nodes.length > 1 && !openFolds.has(item.key)) {
      rows.push(foldRow(item));
      continue;
    }
    for (let i = item.nodes.length - 1; i >= 0; i--) stack.push(item.nodes[i]!);
  }
  return rows;
}

function foldRow(group: ChildGroup): FoldRow {
  let start = Infinity;
  let end = -Infinity;
  let total = 0;
  let errors = 0;
  for (const n of group.nodes) {
    start = Math.min(start, n.span.startTime);
    end = Math.max(end, n.span.startTime + n.span.duration);
    total += n.span.duration;
    if (n.span.status.code === 'error') errors++;
  }
  return { kind: 'fold', key: group.key, nodes: group.nodes, depth: group.nodes[0]!.depth, start, end, total, errors };
}

/**
 * The smallest change to `collapsed`/`openFolds` that makes `spanId` a visible row: its ancestors
 * expanded and every fold on its path opened. Returns the same sets when nothing needs to change.
 */
export function revealSpan(
  tree: SpanTree,
  spanId: string,
  collapsed: ReadonlySet<string>,
  openFolds: ReadonlySet<string>,
): { collapsed: ReadonlySet<string>; openFolds: ReadonlySet<string> } {
  const node = tree.byId.get(spanId);
  if (!node) return { collapsed, openFolds };
  let c: Set<string> | undefined;
  let f: Set<string> | undefined;
  for (let n: SpanNode | undefined = node; n; n = n.parent) {
    if (n !== node && collapsed.has(n.span.spanId)) (c ??= new Set(collapsed)).delete(n.span.spanId);
    if (n.foldKey !== undefined && !openFolds.has(n.foldKey)) (f ??= new Set(openFolds)).add(n.foldKey);
  }
  return { collapsed: c ?? collapsed, openFolds: f ?? openFolds };
}

/** Index of the row showing `spanId` (or the closed fold holding it), -1 when hidden. */
export function rowIndexOf(rows: ReadonlyArray<Row>, spanId: string): number {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.kind === 'span' ? row.node.span.spanId === spanId : row.nodes.some((n) => n.span.spanId === spanId)) return i;
  }
  return -1;
}

/** Ids of every span with children: collapsing them all leaves only the roots. */
export function allParents(tree: SpanTree): Set<string> {
  const out = new Set<string>();
  for (const n of tree.order) if (n.children.length > 0) out.add(n.span.spanId);
  return out;
}
