import { isErrorSpan, type SpanRecord } from '@debugpanel/model';
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

/** The spans of a trace arranged as a tree: first span per id wins, cycles are broken. */
export interface SpanTree {
  byId: Map<string, SpanRecord>;
  children: Map<string, SpanRecord[]>;
  /** Spans without a parent in the set (true roots and orphans), in order of start */
  roots: SpanRecord[];
}

/**
 * Indexes spans by id and parent. A span whose parent is missing is a root (an orphan); spans
 * caught in a parent cycle (bad data) are cut loose at one span so that every span is reachable.
 */
export function spanTree(spans: ReadonlyArray<SpanRecord>): SpanTree {
  const byId = new Map<string, SpanRecord>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  for (const s of byId.values()) {
    const p = s.parentSpanId === undefined ? undefined : byId.get(s.parentSpanId);
    if (p === undefined || p === s) {
      roots.push(s);
      continue;
    }
    const list = children.get(p.spanId);
    if (list === undefined) children.set(p.spanId, [s]);
    else list.push(s);
  }
  // Spans not reachable from a root sit on a cycle or below one.
  if (countReachable(roots, children) < byId.size) {
    const seen = new Set<string>();
    const mark = (from: SpanRecord): void => {
      const stack = [from];
      while (stack.length > 0) {
        const s = stack.pop()!;
        if (seen.has(s.spanId)) continue;
        seen.add(s.spanId);
        const kids = children.get(s.spanId);
        if (kids !== undefined) for (const k of kids) stack.push(k);
      }
    };
    for (const r of roots) mark(r);
    for (const s of byId.values()) {
      if (seen.has(s.spanId)) continue;
      // Detach s from its parent: it becomes a root, and its cycle is broken.
      const siblings = children.get(s.parentSpanId!);
      if (siblings !== undefined) siblings.splice(siblings.indexOf(s), 1);
      roots.push(s);
      mark(s);
    }
  }
  const byStart = (a: SpanRecord, b: SpanRecord): number => a.startTime - b.startTime;
  roots.sort(byStart);
  for (const list of children.values()) if (list.length > 1) list.sort(byStart);
  return { byId, children, roots };
}

function countReachable(roots: ReadonlyArray<SpanRecord>, children: Map<string, SpanRecord[]>): number {
  let n = 0;
  const stack = [...roots];
  while (stack.length > 0) {
    const s = stack.pop()!;
    n++;
    const kids = children.get(s.spanId);
    if (kids !== undefined) for (const k of kids) stack.push(k);
  }
  return n;
}

function duration(s: SpanRecord): number {
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
  if (tree.roots.length === 0) {
    return { name: SYNTHETIC_ROOT_NAME, service: '', total: 0, self: 0, start: 0, synthetic: true, children: [] };
  }
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const s of tree.byId.values()) {
    if (s.startTime < t0) t0 = s.startTime;
    const e = s.startTime + duration(s);
    if (e > t1) t1 = e;
  }
  const make = (s: SpanRecord): FlameNode => {
    const n: FlameNode = {
      name: s.name,
      service: s.service,
      total: duration(s),
      self: 0,
      start: s.startTime - t0,
      spanId: s.spanId,
      children: [],
    };
    if (isErrorSpan(s)) n.error = true;
    return n;
  };
  // Iterative: a trace can nest thousands of spans deep (recursion, retries) and must not blow the stack.
  const stack: SpanRecord[] = [];
  const nodeStack: FlameNode[] = [];
  const tops: FlameNode[] = [];
  for (const r of tree.roots) {
    const n = make(r);
    tops.push(n);
    stack.push(r);
    nodeStack.push(n);
  }
  while (stack.length > 0) {
    const s = stack.pop()!;
    const node = nodeStack.pop()!;
    const kids = tree.children.get(s.spanId);
    if (kids === undefined) {
      node.self = node.total;
      continue;
    }
    // Kids are sorted by start: sweep the union of their intervals clipped to this span.
    const lo = s.startTime;
    const hi = lo + node.total;
    let covered = 0;
    let curS = 0;
    let curE = -Infinity;
    for (const k of kids) {
      const kn = make(k);
      node.children.push(kn);
      stack.push(k);
      nodeStack.push(kn);
      const ks = k.startTime < lo ? lo : k.startTime;
      const ke0 = k.startTime + kn.total;
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
    node.self = node.total - covered;
  }
  const iv: Array<[number, number]> = [];
  const rootSpan = tree.roots[0]!;
  if (tree.roots.length === 1 && rootSpan.parentSpanId === undefined) return tops[0]!;
  const children = tops;
  const total = t1 - t0;
  for (const r of tree.roots) iv.push([r.startTime, r.startTime + duration(r)]);
  return {
    name: SYNTHETIC_ROOT_NAME,
    service: '',
    total,
    self: total - coveredLength(iv, t0, t1),
    start: 0,
    synthetic: true,
    children,
  };
}
