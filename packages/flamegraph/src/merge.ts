import type { SpanRecord } from '@debugpanel/model';
import { buildTraceFlame } from './trace-flame.js';
import type { FlameNode, MergedFlameNode } from './types.js';

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
  kids: Map<string, Acc>;
}

function acc(name: string, service: string): Acc {
  return { name, service, count: 0, traces: 0, lastTrace: -1, total: 0, self: 0, durations: [], kids: new Map() };
}

/** Nearest-rank percentile of unsorted values (sorts in place). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * values.length);
  return values[Math.min(values.length, Math.max(1, rank)) - 1]!;
}

function add(into: Acc, n: FlameNode, trace: number): void {
  into.count++;
  if (into.lastTrace !== trace) {
    into.lastTrace = trace;
    into.traces++;
  }
  into.total += n.total;
  into.self += n.self;
  into.durations.push(n.total);
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
  const stack: Array<[Acc, FlameNode]> = [];
  for (let t = 0; t < traces.length; t++) {
    const spans = traces[t]!;
    if (spans.length === 0) continue;
    const flame = buildTraceFlame(spans);
    add(root, flame, t);
    // `all` owns only the time no top-level span covers: none when the trace has one root.
    if (!flame.synthetic) root.self -= flame.self;
    const tops = flame.synthetic ? flame.children : [flame];
    for (const top of tops) stack.push([root, top]);
    while (stack.length > 0) {
      const [parent, node] = stack.pop()!;
      const key = node.service + '\u0000' + node.name;
      let a = parent.kids.get(key);
      if (a === undefined) {
        a = acc(node.name, node.service);
        parent.kids.set(key, a);
      }
      add(a, node, t);
      for (const c of node.children) stack.push([a, c]);
    }
  }
  return finish(root);
}

function finish(root: Acc): MergedFlameNode {
  const out = toNode(root);
  const stack: Array<[Acc, MergedFlameNode]> = [[root, out]];
  while (stack.length > 0) {
    const [a, n] = stack.pop()!;
    for (const k of a.kids.values()) {
      const kn = toNode(k);
      n.children.push(kn);
      stack.push([k, kn]);
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
