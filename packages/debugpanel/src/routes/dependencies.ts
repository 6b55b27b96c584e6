/** `GET {path}/api/dependencies?since=...`: the service dependency map of a time window. */
import { DEPENDENCIES_PARAMS, type DependenciesResponse, type DependencyMap, type FailureReach } from '@debugpanel/model';
import { buildDependencyMap, whatFailsWith } from '@debugpanel/dependency-map';
import { sendError, sendJson } from '../http.js';
import { collectTraces, MAX_ANALYSIS_SPANS, readParams } from './analysis-params.js';
import type { PanelContext, PanelFeature, PanelRoute } from './registry.js';

export const DEFAULT_DEPENDENCY_TRACES = 2000;
export const MAX_DEPENDENCY_TRACES = 10_000;
export const dependencies: PanelFeature = (ctx) => dependencyRoutes(ctx, MAX_ANALYSIS_SPANS);

/**
 * The route, with the span bound as a parameter for tests. With the panel's incremental map
 * (`ctx.dependencyMap`) it counts every span of the window, from one-minute buckets; without
 * one (a bare route over a store) it folds the newest stored traces, at most `limit`.
 */
export const dependencyRoutes = ({ store, dependencyMap }: PanelContext, maxSpans: number): PanelRoute[] => [
  {
    method: 'GET',
    path: '/api/dependencies',
    handle({ res, query }) {
      const p = readParams(query, DEPENDENCIES_PARAMS, { def: DEFAULT_DEPENDENCY_TRACES, max: MAX_DEPENDENCY_TRACES });
      if ('error' in p) return sendError(res, 400, p.error);
      let map: DependencyMap;
      let head: Pick<DependenciesResponse, 'traces' | 'truncated' | 'spans' | 'from' | 'to'>;
      if (dependencyMap !== undefined) {
        const w = dependencyMap.window({ since: p.since, until: p.until });
        const { nodes, edges, traces, spans, truncated } = w;
        // The map counts sampled-out traces too: its example links name only traces the store holds.
        for (const e of edges) e.traceIds = e.traceIds.filter((id) => store.has(id));
        map = { nodes, edges };
        head = { traces, spans, truncated };
        if (w.from !== undefined) head.from = w.from;
        if (w.to !== undefined) head.to = w.to;
      } else {
        const found = collectTraces(store, { since: p.since, until: p.until }, p.limit, maxSpans);
        const spans = found.traces.flat();
        map = buildDependencyMap(spans);
        head = { traces: found.traces.length, spans: spans.length, truncated: found.truncated };
      }
      const failsWith: Record<string, FailureReach> = {};
      for (const n of map.nodes) failsWith[n.id] = whatFailsWith(map, n.id);
      const body: DependenciesResponse = { ...map, ...head, failsWith };
      if (p.since !== undefined) body.since = p.since;
      if (p.until !== undefined) body.until = p.until;
      sendJson<DependenciesResponse>(res, 200, body);
    },
  },
];
