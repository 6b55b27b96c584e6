import { isErrorSpan, type SpanRecord } from '@debugpanel/model';
import { spanTree, type SpanTree } from './span-tree.js';
import type { FlameNode } from './types.js';

/** Name of the root `buildTraceFlame` adds when a trace has several roots or orphans. */
export const SYNTHETIC_ROOT_NAME = '(trace)';

/**
 * Length of the union of intervals, each clipped to [lo, hi]. `iv` must be sorted by start.
 * Children of one span may overlap (parallel calls); counting the overlap once keeps self >= 0.
 */
export function coveredLength(iv: ReadonlyArray<readonly [number, number]>, lo: number, hi: number): number {
  let covered = 0;
  let curS = 0;
  let curE = -Infinity;
  for (const [s0, e0] of iv) {
    const s = s0 < lo ? lo : s0;
    const e = e0 > hi ? hi : e0;
    if (e <= s) continue;
    if (s > curE) {
      if (curE > curS) covered += curE - curS;
      curS = s;
      curE = e;
    } else if (e > curE) {
      curE = e;
    }
  }
  if (curE > curS) covered += curE - curS;
  return covered;
}

/**
 * Self time of every span of the tree: its duration minus the union of its children's intervals
 * clipped to it. No recursion: a trace can nest thousands of spans deep (recursion, retries).
 */
export function selfTimes(tree: SpanTree): Float64Array {
  const { spans, first, kids } = tree;
  const self = new Float64Array(spans.length);
  for (let i = 0; i < spans.length; i++) {
    const lo = spans[i]!.startTime;
    const hi = lo + duration(spans[i]!);
    // Kids are sorted by start: sweep the union of their intervals.
    let covered = 0;
    let curS = 0;
    let curE = -Infinity;
    for (let k = first[i]!; k < first[i + 1]!; k++) {
      const c = spans[kids[k]!]!;
      const ks = c.startTime < lo ? lo : c.startTime;
      const ke0 = c.startTime + duration(c);
      const ke = ke0 > hi ? hi : ke0;
      if (ke <= ks) continue;
      if (ks > curE) {
        if (curE > curS) covered += curE - curS;
        curS = ks;
        curE = ke;
      } else if (ke > curE) {
        curE = ke;
      }
    }
    if (curE > curS) covered += curE - curS;
    self[i] = hi - lo - covered;
  }
  return self;
}

/** A span's duration in ms; negative and non-finite durations (bad clocks, bad data) count as 0. */
export function duration(s: SpanRecord): number {
  return Number.isFinite(s.duration) && s.duration > 0 ? s.duration : 0;
}

/**
 * One trace as a flame tree: each span a node with its total and self time, children in order of
 * start. When the trace has exactly one root and no orphans, that root is the tree's root;
 * otherwise a synthetic root (`synthetic: true`, name `(trace)`) spanning the whole trace holds
 * every root and every orphan (span whose parent is not among `spans`).
 *
 * Self time is the span's duration minus the union of its children's intervals clipped to the
 * span, so parallel children are not subtracted twice and a child that outlives its parent
 * (clock skew, fire-and-forget work) only counts while the parent runs.
 *
 * @example
 * const root = buildTraceFlame(traceResponse.spans);
 * console.log(root.name, root.total, root.children.map((c) => c.name));
 */
export function buildTraceFlame(spans: ReadonlyArray<SpanRecord>): FlameNode {
  const tree = spanTree(spans);
  const n = tree.spans.length;
  if (n === 0) {
    return { name: SYNTHETIC_ROOT_NAME, service: '', total: 0, self: 0, start: 0, synthetic: true, children: [] };
  }
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const s of tree.spans) {
    if (s.startTime < t0) t0 = s.startTime;
    const e = s.startTime + duration(s);
    if (e > t1) t1 = e;
  }
  const nodes: FlameNode[] = new Array<FlameNode>(n);
  for (let i = 0; i < n; i++) {
    const s = tree.spans[i]!;
    const node: FlameNode = {
      name: s.name,
      service: s.service,
      total: duration(s),
      self: 0,
      start: s.startTime - t0,
      spanId: s.spanId,
      children: [],
    };
    if (isErrorSpan(s)) node.error = true;
    nodes[i] = node;
  }
  const self = selfTimes(tree);
  const { first, kids } = tree;
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    node.self = self[i]!;
    for (let k = first[i]!; k < first[i + 1]!; k++) node.children.push(nodes[kids[k]!]!);
  }
  const roots = tree.roots;
  const only = tree.spans[roots[0]!]!;
  if (roots.length === 1 && only.parentSpanId === undefined) return nodes[roots[0]!]!;
  const iv: Array<[number, number]> = [];
  for (const r of roots) {
    const s = tree.spans[r]!;
    iv.push([s.startTime, s.startTime + duration(s)]);
  }
  const total = t1 - t0;
  return {
    name: SYNTHETIC_ROOT_NAME,
    service: '',
    total,
    self: total - coveredLength(iv, t0, t1),
    start: 0,
    synthetic: true,
    children: roots.map((r) => nodes[r]!),
  };
}
