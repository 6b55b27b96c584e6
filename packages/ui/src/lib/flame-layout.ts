/**
 * Flame graph geometry, kept apart from the canvas so it can be tested: which rectangle each node
 * gets for a zoom, which one is under the pointer, what a node's tooltip says.
 * Widths are fractions of the canvas (0..1); depth 0 is the top row.
 */
import type { Flat, FlameNode, MergedFlameNode } from '@debugpanel/model';

/**
 * A node of any flame tree of the API (trace flames, CPU profiles: `FlameNode`; merged flames:
 * `MergedFlameNode`, whose statistics are then present), so one canvas draws them all.
 */
export type FlameLike = Omit<FlameNode, 'children'> &
  Partial<Pick<MergedFlameNode, 'count' | 'traces' | 'mean' | 'p95'>> & { children: FlameLike[] };

/** A flame node as the API sends it: flat, depth-first, with its parent's index (-1 for the root). */
export type FlatFlameNode = Flat<FlameLike>;

/**
 * Rebuilds the tree from the API's flat list (JSON cannot nest a trace thousands of spans deep).
 * A node whose parent index does not come before it is refused, so bad input cannot make a cycle.
 */
export function unflattenFlame(flat: ReadonlyArray<FlatFlameNode>): FlameLike | undefined {
  const nodes: FlameLike[] = [];
  for (let i = 0; i < flat.length; i++) {
    const { parent, ...rest } = flat[i]!;
    const node: FlameLike = { ...rest, children: [] };
    nodes.push(node);
    if (i === 0) continue;
    if (!(parent >= 0 && parent < i)) throw new Error(`flame node ${i} names parent ${parent}, which does not come before it`);
    nodes[parent]!.children.push(node);
  }
  return nodes[0];
}

export interface FlameRect {
  node: FlameLike;
  depth: number;
  x: number;
  w: number;
  /** Index of the parent rectangle, -1 for the top */
  parent: number;
  /** Index among the parent node's children (for the zoom path); -1 for a group of small nodes */
  childIndex: number;
  /** Above the zoomed node: drawn full width, click zooms out to it */
  ancestor: boolean;
}

export interface FlameLayout {
  rects: FlameRect[];
  /** Rectangle indices per depth, in order of x */
  rows: number[][];
  /** The zoomed node (the root when not zoomed) */
  focus: FlameLike;
  /** The zoom path actually applied (a stale path is cut where it stops matching) */
  path: number[];
}

/**
 * Lays out `root` zoomed on the node at `path` (child indices from the root): the zoomed node
 * spans the full width, its ancestors sit above it at full width, its descendants are packed
 * left to right in their order, each as wide as its share of time. Children that add up to more
 * than their parent (parallel spans) are scaled down together so they never overflow it.
 * Nodes narrower than `minWidth` (a fraction; about half a pixel) are left out with their subtree;
 * a run of them side by side that together is wide enough shows as one grey group node
 * ("N more"), so a span with 10,000 tiny children does not look childless.
 */
export function layoutFlame(root: FlameLike, path: ReadonlyArray<number>, minWidth = 0): FlameLayout {
  const rects: FlameRect[] = [];
  const rows: number[][] = [];
  const put = (r: FlameRect): number => {
    const i = rects.length;
    rects.push(r);
    (rows[r.depth] ??= []).push(i);
    return i;
  };
  let focus = root;
  let parent = -1;
  let childIndex = 0;
  const applied: number[] = [];
  for (const step of path) {
    const next = focus.children[step];
    if (next === undefined) break;
    parent = put({ node: focus, depth: applied.length, x: 0, w: 1, parent, childIndex, ancestor: true });
    applied.push(step);
    childIndex = step;
    focus = next;
  }
  const stack: number[] = [put({ node: focus, depth: applied.length, x: 0, w: 1, parent, childIndex, ancestor: false })];
  while (stack.length > 0) {
    const pi = stack.pop()!;
    const p = rects[pi]!;
    const kids = p.node.children;
    if (kids.length === 0 || p.node.total <= 0) continue;
    let sum = 0;
    for (const k of kids) sum += Math.max(0, k.total);
    const scale = (p.w / p.node.total) * (sum > p.node.total ? p.node.total / sum : 1);
    let x = p.x;
    // A run of children too narrow to draw: [start x, width, count, total ms]
    let run: [number, number, number, number] | undefined;
    const flush = (): void => {
      if (run !== undefined && run[1] >= minWidth) {
        const group: FlameLike = { name: `${run[2]} more`, service: '', total: run[3], self: 0, synthetic: true, children: [] };
        put({ node: group, depth: p.depth + 1, x: run[0], w: run[1], parent: pi, childIndex: -1, ancestor: false });
      }
      run = undefined;
    };
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      const w = Math.max(0, k.total) * scale;
      if (w >= minWidth && w > 0) {
        flush();
        stack.push(put({ node: k, depth: p.depth + 1, x, w, parent: pi, childIndex: i, ancestor: false }));
      } else if (w > 0) {
        if (run === undefined) run = [x, 0, 0, 0];
        run[1] += w;
        run[2]++;
        run[3] += k.total;
      }
      x += w;
    }
    flush();
  }
  for (const row of rows) row?.sort((a, b) => rects[a]!.x - rects[b]!.x);
  return { rects, rows: Array.from(rows, (r) => r ?? []), focus, path: applied };
}

/** The rectangle at fraction `fx` of the width in row `depth`, or -1. */
export function hitTest(layout: FlameLayout, fx: number, depth: number): number {
  const row = layout.rows[depth];
  if (row === undefined) return -1;
  let lo = 0;
  let hi = row.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = layout.rects[row[mid]!]!;
    if (fx < r.x) hi = mid - 1;
    else if (fx >= r.x + r.w) lo = mid + 1;
    else return row[mid]!;
  }
  return -1;
}

/** The zoom path that focuses rectangle `index`: clicking a node zooms to it, an ancestor zooms out. */
export function pathOf(layout: FlameLayout, index: number): number[] {
  const r = layout.rects[index];
  if (r === undefined) return [];
  if (r.childIndex === -1) return pathOf(layout, r.parent); // a group of small nodes: zoom to their parent
  if (r.ancestor || r.parent === -1 || layout.rects[r.parent]!.ancestor) {
    // Within the fixed part: the applied path cut at this depth.
    return layout.path.slice(0, r.depth);
  }
  const out: number[] = [];
  let i = index;
  while (i >= 0 && !layout.rects[i]!.ancestor && layout.rects[i]!.depth > layout.path.length) {
    out.push(layout.rects[i]!.childIndex);
    i = layout.rects[i]!.parent;
  }
  return [...layout.path, ...out.reverse()];
}

/** Case-insensitive match on name and service, for merged flames and CPU profiles. */
export function flameNodeMatches(node: FlameLike, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return false;
  return node.name.toLowerCase().includes(q) || node.service.toLowerCase().includes(q) || (node.source?.toLowerCase().includes(q) ?? false);
}

/** Lines of the hover tooltip. `rootTotal` gives the share; `onPath` is ms on the critical path. */
export function flameTooltip(node: FlameLike, rootTotal: number, format: (ms: number) => string, onPath?: number): string[] {
  const share = rootTotal > 0 ? ` (${((node.total / rootTotal) * 100).toFixed(1)} %)` : '';
  const lines = [node.name, node.service ? `service: ${node.service}` : ''];
  if (node.count !== undefined) {
    lines.push(`count: ${node.count}${node.traces !== undefined ? ` in ${node.traces} traces` : ''}`);
    lines.push(`total: ${format(node.total)}${share}, self: ${format(node.self)}`);
    if (node.mean !== undefined) lines.push(`mean: ${format(node.mean)}, p95: ${format(node.p95 ?? 0)}`);
  } else {
    lines.push(`total: ${format(node.total)}${share}`, `self: ${format(node.self)}`);
  }
  if (onPath !== undefined && onPath > 0) lines.push(`on the critical path: ${format(onPath)}`);
  if (node.error) lines.push('error');
  if (node.source) lines.push(node.source);
  return lines.filter((l) => l !== '');
}

/** The V8 profile node of samples taken while the thread waited (no JavaScript ran). */
export const IDLE_NODE = '(idle)';

/**
 * The profile tree without its `(idle)` nodes: they hold the samples taken while the thread
 * waited, which on a server are most of them (96% of the width in the demo), squeezing the code
 * that ran into a sliver. Their time leaves every ancestor's total; `idle` says how much went.
 *
 * @example
 * const { root, idle } = withoutIdle(profileRoot); // idle: ms hidden
 */
export function withoutIdle(root: FlameLike): { root: FlameLike; idle: number } {
  let idle = 0;
  // V8 puts (idle) right below (root), and a synthetic root may wrap (root): two levels suffice.
  const strip = (n: FlameLike, depth: number): FlameLike => {
    let gone = 0;
    const children: FlameLike[] = [];
    for (const c of n.children) {
      if (c.name === IDLE_NODE) {
        idle += c.total;
        gone += c.total;
        continue;
      }
      const s = depth < 1 ? strip(c, depth + 1) : c;
      gone += c.total - s.total;
      children.push(s);
    }
    return gone === 0 ? n : { ...n, total: Math.max(0, n.total - gone), children };
  };
  return { root: strip(root, 0), idle };
}
