/**
 * A trace as a tree of spans, built once per opened trace. Everything here is iterative, not
 * recursive: a 10,000-span trace can be a 10,000-deep chain and must not overflow the stack.
 */
import type { SpanRecord } from '@debugpanel/model';

/** Runs of at least this many consecutive siblings with the same name and service fold into one row. */
export const FOLD_MIN = 4;

const UNSEEN = -1;
const NO_GROUPS: ChildGroup[] = [];
const NO_CHILDREN: SpanNode[] = [];

export interface SpanNode {
  span: SpanRecord;
  depth: number;
  parent: SpanNode | undefined;
  /** Sorted by start time */
  children: SpanNode[];
  /** `children` cut into runs: a group of one is a plain child, a longer group is a fold */
  groups: ChildGroup[];
  /** Key of the fold group that holds this node, when it sits in one */
  foldKey: string | undefined;
  /** Number of spans below this one */
  descendants: number;
}

export interface ChildGroup {
  /** Unique within the tree; stable across reloads of the same trace */
  key: string;
  nodes: SpanNode[];
}

export interface SpanTree {
  roots: SpanNode[];
  rootGroups: ChildGroup[];
  byId: Map<string, SpanNode>;
  /** Every node in depth-first pre-order (the order of a fully expanded waterfall) */
  order: SpanNode[];
  /** ms since epoch of the earliest start and the latest end */
  start: number;
  end: number;
}

/**
 * Builds the span tree. Spans whose parent is missing (not yet arrived, or sampled away) become
 * roots; parent cycles in bad data are broken by promoting the first unreached span to a root.
 */
export function buildSpanTree(spans: ReadonlyArray<SpanRecord>): SpanTree {
  // Stable sort: siblings started in the same millisecond keep the server's order (their end
  // order), which keeps runs of repeated spans together for folding.
  const sorted = [...spans].sort((a, b) => a.startTime - b.startTime);
  const byId = new Map<string, SpanNode>();
  for (const span of sorted) {
    if (byId.has(span.spanId)) continue; // duplicate ids: keep the first, the rest cannot be addressed
    byId.set(span.spanId, { span, depth: UNSEEN, parent: undefined, children: NO_CHILDREN, groups: NO_GROUPS, foldKey: undefined, descendants: 0 });
  }
  const roots: SpanNode[] = [];
  let start = Infinity;
  let end = -Infinity;
  for (const node of byId.values()) {
    const { span } = node;
    start = Math.min(start, span.startTime);
    end = Math.max(end, span.startTime + span.duration);
    const parent = span.parentSpanId !== undefined && span.parentSpanId !== span.spanId ? byId.get(span.parentSpanId) : undefined;
    if (parent) {
      node.parent = parent;
      // In start order, since byId was filled in start order. Leaves share one empty array: on a
      // 10,000-span trace most spans are leaves, and the allocations show in the first render.
      if (parent.children === NO_CHILDREN) parent.children = [node];
      else parent.children.push(node);
    } else roots.push(node);
  }
  const order: SpanNode[] = [];
  // depth === UNSEEN marks a node the walk has not reached (cheaper than a Set on 10,000 spans).
  const walk = (root: SpanNode) => {
    const stack: SpanNode[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.depth !== UNSEEN) continue;
      node.depth = node === root || !node.parent ? 0 : node.parent.depth + 1;
      order.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  };
  for (const root of roots) walk(root);
  if (order.length < byId.size) {
    for (const node of byId.values()) {
      if (node.depth !== UNSEEN) continue;
      // Part of a parent cycle: cut it here.
      if (node.parent) node.parent.children.splice(node.parent.children.indexOf(node), 1);
      node.parent = undefined;
      roots.push(node);
      walk(node);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    if (node.parent) node.parent.descendants += node.descendants + 1;
  }
  for (const node of order) if (node.children.length > 0) node.groups = groupChildren(node.children, node.span.spanId);
  if (!Number.isFinite(start)) start = end = 0;
  return { roots, rootGroups: groupChildren(roots, 'root'), byId, order, start, end };
}

/** Cuts siblings into runs of the same name and service; runs of FOLD_MIN or more become folds. */
export function groupChildren(children: ReadonlyArray<SpanNode>, parentKey: string): ChildGroup[] {
  const groups: ChildGroup[] = [];
  let i = 0;
  while (i < children.length) {
    const first = children[i]!;
    let j = i + 1;
    while (j < children.length && children[j]!.span.name === first.span.name && children[j]!.span.service === first.span.service) j++;
    if (j - i >= FOLD_MIN) {
      const key = `${parentKey}/${first.span.spanId}`;
      const nodes = children.slice(i, j);
      for (const n of nodes) n.foldKey = key;
      groups.push({ key, nodes });
    } else {
      for (let k = i; k < j; k++) groups.push({ key: children[k]!.span.spanId, nodes: [children[k]!] });
    }
    i = j;
  }
  return groups;
}
