import { checkKeys, isErrorSpan, learnHosts, must, type Check, type SpanRecord } from '@debugpanel/model';
import { quantiles, type LatencyRecorder } from './histogram.js';
import { peerOf, serviceNodeId, USER_NODE_ID, type PeerNode } from './peers.js';
import type { DependencyMap, DependencyMapOptions, MapEdge, MapNode } from './types.js';

interface NodeAcc {
  node: Omit<MapNode, 'latency'>;
  latency: LatencyRecorder;
}
interface EdgeAcc {
  edge: Omit<MapEdge, 'latency' | 'impact'>;
  latency: LatencyRecorder;
}

export interface AggregatorLimits {
  /** Nodes beyond this are not created; their calls count in `dropped`. */
  maxNodes: number;
  maxEdges: number;
}

/** The options `buildDependencyMap` and `DependencyMapBuilder` share. */
export const MAP_OPTIONS = {
  hardThreshold: must((t) => typeof t === 'number' && t > 0 && t <= 1, 'a number in (0, 1]'),
  maxTraceIdsPerEdge: must((m) => Number.isInteger(m) && (m as number) >= 0 && (m as number) <= 100, 'an integer from 0 to 100'),
} satisfies Record<keyof DependencyMapOptions, Check>;

const isCallerKind = (s: SpanRecord): boolean => s.kind === 'client' || s.kind === 'producer';
const isCalleeKind = (s: SpanRecord): boolean => s.kind === 'server' || s.kind === 'consumer';

/**
 * Accumulates nodes and edges trace by trace. Shared by `buildDependencyMap` (exact quantiles)
 * and `DependencyMapBuilder` (bounded histograms), so the two always agree on what an edge is.
 */
/** Most host:port -> service pairs a map remembers. */
export const MAX_KNOWN_HOSTS = 1024;

export class MapAggregator {
  private readonly nodes = new Map<string, NodeAcc>();
  private readonly edges = new Map<string, EdgeAcc>();
  private readonly hardThreshold: number;
  private readonly maxTraceIds: number;
  /** Calls not counted because a node or edge limit was reached */
  dropped = 0;
  /**
   * @param hosts host:port -> service, from the spans seen (model's `learnHosts`): a client span
   * whose server half arrives late or never is then a call to that service (model's `calleeOf`
   * with known hosts), not to an external host named after its address. Bounded; past the bound
   * the oldest host is forgotten. `DependencyMapBuilder` hands every aggregator it makes (one per
   * time bucket, one per window answer) the same map, so what one bucket learned names the calls
   * of the next.
   */
  constructor(
    private readonly newRecorder: () => LatencyRecorder,
    options: DependencyMapOptions = {},
    private readonly limits: AggregatorLimits = { maxNodes: Infinity, maxEdges: Infinity },
    private readonly hosts: Map<string, string> = new Map(),
  ) {
    checkKeys(options, MAP_OPTIONS, 'buildDependencyMap');
    const t = options.hardThreshold ?? 0.5;
    const m = options.maxTraceIdsPerEdge ?? 5;
    this.hardThreshold = t;
    this.maxTraceIds = m;
  }

  /** Adds the spans of one trace (all with the same traceId). */
  addTrace(spans: ReadonlyArray<SpanRecord>): void {
    const byId = new Map<string, SpanRecord>();
    const calleeByParent = new Map<string, SpanRecord>();
    for (const s of spans) {
      if (byId.has(s.spanId)) continue;
      byId.set(s.spanId, s);
      if (isCalleeKind(s) && s.parentSpanId !== undefined && !calleeByParent.has(s.parentSpanId)) {
        calleeByParent.set(s.parentSpanId, s);
      }
    }
    this.learnHosts(spans);
    for (const s of byId.values()) {
      if (isCalleeKind(s)) this.addCallee(s, byId, calleeByParent);
      else if (isCallerKind(s)) this.addCaller(s, byId, calleeByParent);
    }
  }

  private addCallee(s: SpanRecord, byId: Map<string, SpanRecord>, calleeByParent: Map<string, SpanRecord>): void {
    const target = this.serviceNode(s.service, true);
    if (target === undefined) return;
    const failed = isErrorSpan(s);
    target.node.requests++;
    if (failed) target.node.errors++;
    target.latency.record(s.duration);
    const parent = s.parentSpanId === undefined ? undefined : byId.get(s.parentSpanId);
    // The first server span under a client span is counted with the client span; more of them
    // (a message consumed by several consumers) are calls of their own.
    if (parent !== undefined && isCallerKind(parent) && calleeByParent.get(parent.spanId) === s) return;
    if (parent !== undefined) {
      // Context crossed services without a client span (an uninstrumented HTTP client): still a call.
      if (parent.service === s.service) return;
      const source = this.serviceNode(parent.service, true);
      if (source === undefined) return;
      this.count(source.node.id, target.node.id, s.traceId, s.duration, failed, failed ? entryOf(parent, byId) : undefined);
      return;
    }
    // No caller among the spans: a root server span, or its caller never reported. Either way
    // the request came from outside what we can see.
    const user = this.node({ id: USER_NODE_ID, name: USER_NODE_ID, kind: 'user' }, false);
    if (user === undefined) return;
    user.node.requests++;
    if (failed) user.node.errors++;
    user.latency.record(s.duration);
    this.count(USER_NODE_ID, target.node.id, s.traceId, s.duration, failed, undefined);
    // A parent id with no parent span: the caller's spans have not arrived (or never will). Still
    // drawn from `user` (nothing else is known of the caller), but counted, so that the map can
    // say why a "user -> inventory" edge appears next to "orders -> inventory".
    if (s.parentSpanId !== undefined) {
      const e = this.edges.get(`${USER_NODE_ID}->${target.node.id}`);
      if (e !== undefined) e.edge.callerNotSeen = (e.edge.callerNotSeen ?? 0) + 1;
    }
  }

  private addCaller(c: SpanRecord, byId: Map<string, SpanRecord>, calleeByParent: Map<string, SpanRecord>): void {
    const source = this.serviceNode(c.service, true);
    if (source === undefined) return;
    const server = calleeByParent.get(c.spanId);
    const failed = isErrorSpan(c) || (server !== undefined && isErrorSpan(server));
    const entry = failed ? entryOf(c, byId) : undefined;
    if (server !== undefined) {
      const target = this.serviceNode(server.service, true);
      if (target === undefined) return;
      this.count(source.node.id, target.node.id, c.traceId, c.duration, failed, entry);
      return;
    }
    const peer = peerOf(c, this.hosts);
    const target = peer.kind === 'service' ? this.serviceNode(peer.name, false) : this.node(peer, false);
    if (target === undefined) return;
    // A virtual node has no spans of its own: what it handled is what was sent to it.
    target.node.requests++;
    if (failed) target.node.errors++;
    target.latency.record(c.duration);
    this.count(source.node.id, target.node.id, c.traceId, c.duration, failed, entry);
  }

  /** Learns where services were reached (see `hosts`; model's `learnHosts`). */
  learnHosts(spans: ReadonlyArray<SpanRecord>): void {
    learnHosts(spans, this.hosts, MAX_KNOWN_HOSTS);
  }

  private serviceNode(name: string, instrumented: boolean): NodeAcc | undefined {
    const n = this.node({ id: serviceNodeId(name), name, kind: 'service' }, instrumented);
    if (n !== undefined && instrumented) n.node.instrumented = true;
    return n;
  }

  private node(p: PeerNode, instrumented: boolean): NodeAcc | undefined {
    let n = this.nodes.get(p.id);
    if (n !== undefined) return n;
    if (this.nodes.size >= this.limits.maxNodes) {
      this.dropped++;
      return undefined;
    }
    const node: Omit<MapNode, 'latency'> = { id: p.id, name: p.name, kind: p.kind, instrumented, requests: 0, errors: 0 };
    if (p.system !== undefined) node.system = p.system;
    n = { node, latency: this.newRecorder() };
    this.nodes.set(p.id, n);
    return n;
  }

  /** `entry`: the caller's entry span when the call failed; undefined when unknown or not failed. */
  private count(source: string, target: string, traceId: string, ms: number, failed: boolean, entry: SpanRecord | undefined): void {
    const id = `${source}->${target}`;
    let e = this.edges.get(id);
    if (e === undefined) {
      if (this.edges.size >= this.limits.maxEdges) {
        this.dropped++;
        return;
      }
      e = {
        edge: { id, source, target, requests: 0, errors: 0, failures: { hard: 0, soft: 0 }, traceIds: [] },
        latency: this.newRecorder(),
      };
      this.edges.set(id, e);
    }
    const edge = e.edge;
    edge.requests++;
    e.latency.record(ms);
    if (failed) {
      edge.errors++;
      if (entry !== undefined) {
        if (isErrorSpan(entry)) edge.failures.hard++;
        else edge.failures.soft++;
      }
    }
    if (this.maxTraceIds > 0) {
      const ids = edge.traceIds;
      if (ids[0] !== traceId) {
        const at = ids.indexOf(traceId);
        if (at >= 0) ids.splice(at, 1);
        ids.unshift(traceId);
        if (ids.length > this.maxTraceIds) ids.pop();
      }
    }
  }

  /**
   * Adds another aggregator's nodes and edges (built with mergeable recorders, and newer than
   * this one's: its trace ids go first). For the builder's time buckets; the limits hold.
   */
  mergeFrom(other: MapAggregator): void {
    this.dropped += other.dropped;
    for (const [id, o] of other.nodes) {
      let n = this.nodes.get(id);
      if (n === undefined) {
        if (this.nodes.size >= this.limits.maxNodes) {
          this.dropped++;
          continue;
        }
        n = { node: { ...o.node, requests: 0, errors: 0 }, latency: this.newRecorder() };
        this.nodes.set(id, n);
      }
      n.node.requests += o.node.requests;
      n.node.errors += o.node.errors;
      if (o.node.instrumented) n.node.instrumented = true;
      mergeRecorder(n.latency, o.latency);
    }
    for (const [id, o] of other.edges) {
      let e = this.edges.get(id);
      if (e === undefined) {
        if (this.edges.size >= this.limits.maxEdges) {
          this.dropped++;
          continue;
        }
        e = { edge: { ...o.edge, requests: 0, errors: 0, failures: { hard: 0, soft: 0 }, traceIds: [] }, latency: this.newRecorder() };
        this.edges.set(id, e);
      }
      const edge = e.edge;
      edge.requests += o.edge.requests;
      edge.errors += o.edge.errors;
      edge.failures.hard += o.edge.failures.hard;
      edge.failures.soft += o.edge.failures.soft;
      const ids = [...o.edge.traceIds];
      for (const t of edge.traceIds) if (!ids.includes(t)) ids.push(t);
      edge.traceIds = ids.slice(0, this.maxTraceIds);
      mergeRecorder(e.latency, o.latency);
    }
  }

  result(): DependencyMap {
    const nodes: MapNode[] = [];
    for (const { node, latency } of this.nodes.values()) nodes.push({ ...node, latency: quantiles(latency) });
    const edges: MapEdge[] = [];
    for (const { edge, latency } of this.edges.values()) {
      const { hard, soft } = edge.failures;
      const impact = hard + soft === 0 ? 'unknown' : hard / (hard + soft) >= this.hardThreshold ? 'hard' : 'soft';
      edges.push({ ...edge, failures: { hard, soft }, traceIds: [...edge.traceIds], latency: quantiles(latency), impact });
    }
    nodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    edges.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { nodes, edges };
  }
}

function mergeRecorder(into: LatencyRecorder, from: LatencyRecorder): void {
  if (into.merge === undefined) throw new TypeError('MapAggregator.mergeFrom: its latency recorders cannot merge');
  into.merge(from);
}

/**
 * The span whose outcome tells whether the caller failed: walking up from `s` within its
 * service, the nearest server/consumer span, else the topmost span of the service when the
 * walk leaves the service or reaches the root. Undefined when a parent is missing (unknown).
 */
function entryOf(s: SpanRecord, byId: Map<string, SpanRecord>): SpanRecord | undefined {
  let cur = s;
  // Bounded by the number of spans, so a parent cycle in bad data cannot loop forever.
  for (let steps = 0; steps <= byId.size; steps++) {
    if (isCalleeKind(cur)) return cur;
    if (cur.parentSpanId === undefined) return cur;
    const p = byId.get(cur.parentSpanId);
    if (p === undefined) return undefined;
    if (p.service !== cur.service) return cur;
    cur = p;
  }
  return undefined;
}
