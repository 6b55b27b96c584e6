import type { SpanRecord } from '@debugpanel/model';
import { spanTree } from './span-tree.js';
import { coveredLength, duration, selfTimes } from './trace-flame.js';
import type { MergedFlameNode } from './types.js';

/** Name of the root of `mergeFlames`: it stands for every merged trace. */
export const MERGED_ROOT_NAME = 'all';

interface Acc {
  name: string;
  service: string;
  count: number;
  traces: number;
  lastTrace: number;
  total: number;
  self: number;
  durations: number[];
  /** service -> name -> child: two lookups instead of building a key string per span */
  kids: Map<string, Map<string, Acc>>;
}

function acc(name: string, service: string): Acc {
  return { name, service, count: 0, traces: 0, lastTrace: -1, total: 0, self: 0, durations: [], kids: new Map() };
}

function childOf(parent: Acc, service: string, name: string): Acc {
  let byName = parent.kids.get(service);
  if (byName === undefined) {
    byName = new Map();
    parent.kids.set(service, byName);
  }
  let a = byName.get(name);
  if (a === undefined) {
    a = acc(name, service);
    byName.set(name, a);
  }
  return a;
}

/** Nearest-rank percentile of unsorted values (sorts in place). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * values.length);
  return values[Math.min(values.length, Math.max(1, rank)) - 1]!;
}

function add(into: Acc, total: number, self: number, trace: number): void {
  into.count++;
  if (into.lastTrace !== trace) {
    into.lastTrace = trace;
    into.traces++;
  }
  into.total += total;
  into.self += self;
  into.durations.push(total);
}

/**
 * Many traces of one route merged into one tree by the path of span names and services from the
 * root: the typical shape of an endpoint. Spans with the same name and service under the same path
 * merge into one node even within one trace (ten queries in a loop are one node with count 10).
 * The root (`all`) stands for every trace: its total is the sum of the trace durations and its
 * p95 their 95th percentile. Traces with several roots or orphans contribute each root under `all`.
 * Children are sorted by total, largest first.
 *
 * @example
 * const merged = mergeFlames(traces.map((t) => t.spans));
 * const slowest = merged.children[0]; // e.g. { name: 'GET /orders/:id', count: 1000, mean: 12.5, p95: 31 }
 */
export function mergeFlames(traces: ReadonlyArray<ReadonlyArray<SpanRecord>>): MergedFlameNode {
  const root = acc(MERGED_ROOT_NAME, '');
  const stackIndex: number[] = [];
  const stackAcc: Acc[] = [];
  for (let t = 0; t < traces.length; t++) {
    const input = traces[t]!;
    if (input.length === 0) continue;
    // Straight from the span tree: no FlameNode objects for spans that only feed sums.
    const tree = spanTree(input);
    const { spans, first, kids, roots } = tree;
    const self = selfTimes(tree);
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const s of spans) {
      if (s.startTime < t0) t0 = s.startTime;
      const e = s.startTime + duration(s);
      if (e > t1) t1 = e;
    }
    const traceTotal = t1 - t0;
    // `all` owns only the time no top-level span covers: none when the trace has one root.
    let uncovered = 0;
    if (roots.length !== 1 || spans[roots[0]!]!.parentSpanId !== undefined) {
      const iv: Array<[number, number]> = roots.map((r) => [spans[r]!.startTime, spans[r]!.startTime + duration(spans[r]!)]);
      uncovered = traceTotal - coveredLength(iv, t0, t1);
    }
    add(root, traceTotal, uncovered, t);
    for (const r of roots) {
      stackIndex.push(r);
      stackAcc.push(root);
    }
    while (stackIndex.length > 0) {
      const i = stackIndex.pop()!;
      const parent = stackAcc.pop()!;
      const s = spans[i]!;
      const a = childOf(parent, s.service, s.name);
      add(a, duration(s), self[i]!, t);
      for (let k = first[i]!; k < first[i + 1]!; k++) {
        stackIndex.push(kids[k]!);
        stackAcc.push(a);
      }
    }
  }
  return finish(root);
}

function finish(root: Acc): MergedFlameNode {
  const out = toNode(root);
  const stack: Array<[Acc, MergedFlameNode]> = [[root, out]];
  while (stack.length > 0) {
    const [a, n] = stack.pop()!;
    for (const byName of a.kids.values()) {
      for (const k of byName.values()) {
        const kn = toNode(k);
        n.children.push(kn);
        stack.push([k, kn]);
      }
    }
    n.children.sort((x, y) => y.total - x.total);
  }
  return out;
}

function toNode(a: Acc): MergedFlameNode {
  return {
    name: a.name,
    service: a.service,
    count: a.count,
    traces: a.traces,
    total: a.total,
    self: a.self,
    mean: a.count === 0 ? 0 : a.total / a.count,
    p95: percentile(a.durations, 95),
    children: [],
  };
}
