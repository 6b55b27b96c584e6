import type { SpanRecord } from '@debugpanel/model';
import { spanTree } from './span-tree.js';
import type { CriticalPathSegment } from './types.js';

/**
 * True when `child` does not block `parent`, so the critical path ignores it:
 * - it starts at or after the parent's end (fire-and-forget work, a message consumed later),
 * - it is a consumer span under a producer span (a producer never waits for its consumers), or
 * - it carries a link to the parent whose `opentracing.ref_type` attribute is `follows_from`,
 *   which is how Jaeger and the OpenTracing shim carry a FOLLOWS_FROM reference in OTel.
 * OTel has no follows-from parent type, so these observable signs are the definition.
 */
export function isFollowsFrom(child: SpanRecord, parent: SpanRecord): boolean {
  if (child.kind === 'consumer' && parent.kind === 'producer') return true;
  if (child.startTime >= parent.startTime + Math.max(0, parent.duration) && parent.duration > 0) return true;
  if (child.links !== undefined) {
    for (const l of child.links) {
      if (l.spanId === parent.spanId && l.attributes?.['opentracing.ref_type'] === 'follows_from') return true;
    }
  }
  return false;
}

interface PathNode {
  index: number;
  span: SpanRecord;
  /** Interval clipped to the parent's clipped interval */
  start: number;
  end: number;
  parent: PathNode | undefined;
  /** Children sorted by end, latest first */
  kids: PathNode[];
  /** Next kid to consider: kids before it ended too late for the current limit, or were visited */
  cursor: number;
}

/** The root the path starts from: a true root (no parent id) before an orphan, then the longest. */
function pickRoot(spans: ReadonlyArray<SpanRecord>, roots: ReadonlyArray<number>): number {
  let best: SpanRecord | undefined;
  let bestIndex = -1;
  for (const ri of roots) {
    const r = spans[ri]!;
    const rTrue = r.parentSpanId === undefined;
    const better =
      best === undefined ||
      (rTrue !== (best.parentSpanId === undefined) ? rTrue : r.duration > best.duration);
    if (better) {
      best = r;
      bestIndex = ri;
    }
  }
  return bestIndex;
}

/**
 * The critical path of a trace, Jaeger's algorithm: start at the root; the child that finishes
 * last is what the parent waited for at its end, so step into it; when back in the parent, step
 * into the child that finished last before that child started; the parent's own time in between
 * is on the path. Children are first clipped to their parent's interval (clock skew: a child that
 * outlives its parent counts only while the parent runs), children entirely outside it are
 * dropped, and follows-from children (see `isFollowsFrom`) are ignored. With several roots or
 * orphans the path starts from the true root (else the longest span); other roots are off the path.
 *
 * Returns the segments in time order; each `duration` is that span's self time on the path, and
 * they add up to the root's duration.
 *
 * @example
 * const path = criticalPath(spans);
 * const onPath = new Set(path.map((s) => s.spanId)); // highlight these in the waterfall
 */
export function criticalPath(spans: ReadonlyArray<SpanRecord>): CriticalPathSegment[] {
  const tree = spanTree(spans);
  const rootIndex = pickRoot(tree.spans, tree.roots);
  if (rootIndex < 0) return [];
  const rootSpan = tree.spans[rootIndex]!;
  const { first, kids: kidIndex } = tree;
  const mk = (index: number, start: number, end: number, parent: PathNode | undefined): PathNode => ({
    index,
    span: tree.spans[index]!,
    start,
    end,
    parent,
    kids: [],
    cursor: 0,
  });
  const rootStart = rootSpan.startTime;
  const root = mk(rootIndex, rootStart, rootStart + Math.max(0, rootSpan.duration), undefined);
  // Top-down so every child is clipped to its parent's already clipped interval.
  const queue: PathNode[] = [root];
  for (let qi = 0; qi < queue.length; qi++) {
    const node = queue[qi]!;
    for (let j = first[node.index]!; j < first[node.index + 1]!; j++) {
      const ki = kidIndex[j]!;
      const k = tree.spans[ki]!;
      if (isFollowsFrom(k, node.span)) continue;
      const ks = k.startTime;
      const ke = ks + Math.max(0, k.duration);
      if (ks > node.end || ke < node.start) continue; // entirely outside the parent
      const child = mk(ki, ks < node.start ? node.start : ks, ke > node.end ? node.end : ke, node);
      node.kids.push(child);
      queue.push(child);
    }
    // Latest end first; on a tie the earlier start first, the one the parent waited on longer.
    if (node.kids.length > 1) node.kids.sort((a, b) => b.end - a.end || a.start - b.start);
  }

  const out: CriticalPathSegment[] = [];
  const push = (n: PathNode, start: number, end: number): void => {
    if (end > start) {
      out.push({ spanId: n.span.spanId, name: n.span.name, service: n.span.service, start, end, duration: end - start });
    }
  };
  // Iterative walk: `limit` is the time up to which `cur` is on the path. It only decreases for a
  // given node, so a kid skipped once (ended after the limit) is never needed again: O(n log n).
  let cur = root;
  let limit = root.end;
  for (;;) {
    let next: PathNode | undefined;
    while (cur.cursor < cur.kids.length) {
      const k = cur.kids[cur.cursor++]!;
      if (k.end <= limit) {
        next = k;
        break;
      }
    }
    if (next !== undefined) {
      push(cur, next.end, limit);
      cur = next;
      limit = next.end;
      continue;
    }
    push(cur, cur.start, limit);
    if (cur.parent === undefined) break;
    limit = cur.start;
    cur = cur.parent;
  }
  return out.reverse();
}
