/**
 * Cohort comparison: two sets of traces (the slowest vs typical ones, before vs after, errors vs
 * successes, or two single traces) aligned by path, each node a (service, operation, position
 * among same-named siblings) under its parent's path, with per-trace means of span count, self
 * time and critical-path time in each cohort, subtrees only one cohort has, and the attribute
 * values over-represented in b.
 */
import type { AttributeLift, CompareNode, CompareResponse, SpanRecord } from '@debugpanel/model';
import { collectAttrs, routeOf, type CriticalPathFn } from './digest.js';

const MAX_NODES = 2000;
const MAX_ATTRIBUTES = 50;

interface Acc {
  path: string;
  parent: string | undefined;
  depth: number;
  service: string;
  operation: string;
  count: [number, number];
  self: [number, number];
  critical: [number, number];
}

function opName(s: SpanRecord): string {
  return s.kind === 'server' ? routeOf(s) : s.name;
}

/** Self time: the span's duration minus the union of its children's intervals within it. */
function selfTimes(spans: ReadonlyArray<SpanRecord>, kids: Map<string, SpanRecord[]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of spans) {
    const start = s.startTime;
    const end = s.startTime + Math.max(0, s.duration);
    const iv = (kids.get(s.spanId) ?? [])
      .map((c) => [Math.max(start, c.startTime), Math.min(end, c.startTime + Math.max(0, c.duration))] as [number, number])
      .filter(([a, b]) => b > a)
      .sort((x, y) => x[0] - y[0]);
    let covered = 0;
    let curA = -Infinity;
    let curB = -Infinity;
    for (const [a, b] of iv) {
      if (a > curB) {
        if (curB > curA) covered += curB - curA;
        curA = a;
        curB = b;
      } else if (b > curB) curB = b;
    }
    if (curB > curA) covered += curB - curA;
    out.set(s.spanId, Math.max(0, end - start - covered));
  }
  return out;
}

/**
 * Compares cohort `a` with cohort `b`, each a list of traces (the spans of each trace).
 *
 * @example
 * const diff = compareCohorts(typical, slowest, criticalPath);
 * diff.nodes.filter((n) => n.criticalB - n.criticalA > 50); // where the slow ones spend it
 */
export function compareCohorts(
  a: ReadonlyArray<ReadonlyArray<SpanRecord>>,
  b: ReadonlyArray<ReadonlyArray<SpanRecord>>,
  criticalPath: CriticalPathFn,
): CompareResponse {
  const nodes = new Map<string, Acc>();
  const attrCounts = [new Map<string, number>(), new Map<string, number>()];
  const cohorts = [a, b] as const;
  const meta = cohorts.map((c) => ({ traces: c.length, traceIds: c.map((t) => t[0]?.traceId ?? '').filter(Boolean), meanDuration: 0 }));
  for (const side of [0, 1] as const) {
    let durations = 0;
    for (const spans of cohorts[side]) {
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const kids = new Map<string, SpanRecord[]>();
      const roots: SpanRecord[] = [];
      for (const s of spans) {
        if (s.parentSpanId !== undefined && byId.has(s.parentSpanId)) {
          let k = kids.get(s.parentSpanId);
          if (!k) kids.set(s.parentSpanId, (k = []));
          k.push(s);
        } else roots.push(s);
      }
      const self = selfTimes(spans, kids);
      const crit = new Map<string, number>();
      for (const seg of criticalPath(spans)) crit.set(seg.spanId, (crit.get(seg.spanId) ?? 0) + seg.duration);
      durations += roots.reduce((m, r) => Math.max(m, r.duration), 0);
      const attrs = new Set<string>();
      const walk = (list: SpanRecord[], parentPath: string | undefined, depth: number): void => {
        const seen = new Map<string, number>();
        for (const s of [...list].sort((x, y) => x.startTime - y.startTime)) {
          const op = opName(s);
          const id = `${s.service}:${op}`;
          const pos = seen.get(id) ?? 0;
          seen.set(id, pos + 1);
          const path = `${parentPath === undefined ? '' : `${parentPath} > `}${id}/${pos}`;
          let n = nodes.get(path);
          if (!n) {
            if (nodes.size >= MAX_NODES) {
              continue;
            }
            n = { path, parent: parentPath, depth, service: s.service, operation: op, count: [0, 0], self: [0, 0], critical: [0, 0] };
            nodes.set(path, n);
          }
          n.count[side]++;
          n.self[side] += self.get(s.spanId) ?? 0;
          n.critical[side] += crit.get(s.spanId) ?? 0;
          if (attrs.size < 48) collectAttrs(s, attrs);
          const k = kids.get(s.spanId);
          if (k && depth < 64) walk(k, path, depth + 1);
        }
      };
      walk(roots, undefined, 0);
      for (const v of attrs) attrCounts[side]!.set(v, (attrCounts[side]!.get(v) ?? 0) + 1);
    }
    meta[side]!.meanDuration = cohorts[side].length ? durations / cohorts[side].length : 0;
  }
  const per = (n: number, side: 0 | 1): number => (meta[side]!.traces ? n / meta[side]!.traces : 0);
  const children = new Map<string | undefined, Acc[]>();
  for (const n of nodes.values()) {
    let c = children.get(n.parent);
    if (!c) children.set(n.parent, (c = []));
    c.push(n);
  }
  const out: CompareNode[] = [];
  const emit = (parent: string | undefined): void => {
    const list = children.get(parent) ?? [];
    list.sort((x, y) => Math.abs(per(y.critical[1], 1) - per(y.critical[0], 0)) - Math.abs(per(x.critical[1], 1) - per(x.critical[0], 0)));
    for (const n of list) {
      out.push({
        path: n.path,
        depth: n.depth,
        service: n.service,
        operation: n.operation,
        status: n.count[0] === 0 ? 'added' : n.count[1] === 0 ? 'removed' : 'both',
        countA: per(n.count[0], 0),
        countB: per(n.count[1], 1),
        selfA: per(n.self[0], 0),
        selfB: per(n.self[1], 1),
        criticalA: per(n.critical[0], 0),
        criticalB: per(n.critical[1], 1),
      });
      emit(n.path);
    }
  };
  emit(undefined);
  const nA = meta[0]!.traces;
  const nB = meta[1]!.traces;
  const attributes: AttributeLift[] = [];
  const keys = new Set([...attrCounts[0]!.keys(), ...attrCounts[1]!.keys()]);
  const minSupport = Math.max(1, Math.ceil(0.2 * nB));
  for (const k of keys) {
    const cb = attrCounts[1]!.get(k) ?? 0;
    if (cb < minSupport) continue;
    const shareA = nA ? (attrCounts[0]!.get(k) ?? 0) / nA : 0;
    const shareB = nB ? cb / nB : 0;
    const lift = shareB / Math.max(shareA, 1 / (nA + 1));
    if (lift <= 1) continue;
    attributes.push({ attribute: k, shareA, shareB, lift });
  }
  attributes.sort((x, y) => y.lift - x.lift || y.shareB - x.shareB);
  return { a: meta[0]!, b: meta[1]!, nodes: out, attributes: attributes.slice(0, MAX_ATTRIBUTES) };
}
