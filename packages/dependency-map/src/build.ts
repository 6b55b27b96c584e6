import type { SpanRecord } from '@debugpanel/model';
import { MapAggregator } from './aggregate.js';
import { ExactRecorder } from './histogram.js';
import type { DependencyMap, DependencyMapOptions } from './types.js';

/** Groups spans by trace, keeping the order in which traces first appear. */
export function groupByTrace(spans: ReadonlyArray<SpanRecord>): Map<string, SpanRecord[]> {
  const traces = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const list = traces.get(s.traceId);
    if (list === undefined) traces.set(s.traceId, [s]);
    else list.push(s);
  }
  return traces;
}

/**
 * The service dependency map of a set of spans (any number of traces), as Tempo's service graphs
 * pair them: a client (or producer) span and the server (or consumer) span whose parent it is make
 * one call from the client's service to the server's. A client span no server span answers calls
 * a virtual node (a database, an uninstrumented `peer.service`, an external host: see `peerOf`).
 * A server span with no caller among the spans is a call from `user`. A server span whose parent
 * is a non-client span of another service (context passed by an uninstrumented HTTP client) is a
 * call between the two services. Parent and child spans within one service make no edge.
 *
 * Every node and edge carries requests, errors and exact latency p50/p95/p99 (ms); each edge
 * carries its failure impact (see `MapEdge.failures`) and a few trace ids.
 *
 * @throws TypeError for a bad option, naming it ("did you mean ...?")
 * @example
 * const { nodes, edges } = buildDependencyMap(spans);
 * // edges: [{ id: 'svc:gateway->svc:orders', requests: 120, errors: 3, latency: { p50, p95, p99 }, impact: 'hard', ... }]
 */
export function buildDependencyMap(spans: ReadonlyArray<SpanRecord>, options: DependencyMapOptions = {}): DependencyMap {
  const agg = new MapAggregator(() => new ExactRecorder(), options);
  // Every server span's address first, so a trace whose callee's half is missing still names it.
  agg.learnHosts(spans);
  for (const trace of groupByTrace(spans).values()) agg.addTrace(trace);
  return agg.result();
}
