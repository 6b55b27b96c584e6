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
  const root = pickRoot(tree.spans, tree.roots);
  if (root < 0) return [];
  const { first, kids } = tree;
  const all = tree.spans;
  const n = all.length;
  // Per span: interval clipped to its parent's clipped interval, parent on the path tree, and its
  // kept children (pathKids[kidFrom[i] .. kidTo[i]], latest end first). Typed arrays, no objects.
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const up = new Int32Array(n).fill(-1);
  const kidFrom = new Int32Array(n);
  const kidTo = new Int32Array(n);
  const pathKids = new Int32Array(n);
  let kept = 0;
  start[root] = all[root]!.startTime;
  end[root] = start[root]! + Math.max(0, all[root]!.duration);
  // Top-down (breadth-first) so every child is clipped to its parent's already clipped interval.
  const queue = new Int32Array(n);
  let qn = 0;
  queue[qn++] = root;
  const byEnd = (a: number, b: number): number => end[b]! - end[a]! || start[a]! - start[b]!;
  for (let qi = 0; qi < qn; qi++) {
    const i = queue[qi]!;
    const ps = start[i]!;
    const pe = end[i]!;
    kidFrom[i] = kept;
    for (let j = first[i]!; j < first[i + 1]!; j++) {
      const k = kids[j]!;
      const span = all[k]!;
      if (isFollowsFrom(span, all[i]!)) continue;
      const ks = span.startTime;
      const ke = ks + Math.max(0, span.duration);
      if (ks > pe || ke < ps) continue; // entirely outside the parent
      start[k] = ks < ps ? ps : ks;
      end[k] = ke > pe ? pe : ke;
      up[k] = i;
      pathKids[kept++] = k;
      queue[qn++] = k;
    }
    kidTo[i] = kept;
    // Latest end first; on a tie the earlier start first, the one the parent waited on longer.
    if (kept - kidFrom[i]! > 1) pathKids.subarray(kidFrom[i]!, kept).sort(byEnd);
  }

  const out: CriticalPathSegment[] = [];
  const push = (i: number, from: number, to: number): void => {
    if (to > from) {
      const span = all[i]!;
      out.push({ spanId: span.spanId, name: span.name, service: span.service, start: from, end: to, duration: to - from });
    }
  };
  // `limit` is the time up to which `cur` is on the path. It only decreases for a given span, so a
  // kid skipped once (it ended after the limit) is never needed again: kidFrom works as a cursor.
  let cur = root;
  let limit = end[root]!;
  for (;;) {
    let next = -1;
    while (kidFrom[cur]! < kidTo[cur]!) {
      const k = pathKids[kidFrom[cur]!++]!;
      if (end[k]! <= limit) {
        next = k;
        break;
      }
    }
    if (next >= 0) {
      push(cur, end[next]!, limit);
      cur = next;
      limit = end[next]!;
      continue;
    }
    push(cur, start[cur]!, limit);
    if (up[cur] === -1) break;
    limit = start[cur]!;
    cur = up[cur]!;
  }
  return out.reverse();
}
