/** `GET {path}/api/dependencies?since=...`: the service dependency map of stored traces. */
import { DEPENDENCIES_PARAMS, type DependenciesResponse, type FailureReach } from '@debugpanel/model';
import { buildDependencyMap, whatFailsWith } from '@debugpanel/dependency-map';
import { sendError, sendJson } from '../http.js';
import { collectTraces, MAX_ANALYSIS_SPANS, readParams } from './analysis-params.js';
import type { PanelContext, PanelFeature, PanelRoute } from './registry.js';

export const DEFAULT_DEPENDENCY_TRACES = 2000;
export const MAX_DEPENDENCY_TRACES = 10_000;
export const dependencies: PanelFeature = (ctx) => dependencyRoutes(ctx, MAX_ANALYSIS_SPANS);

/** The route, with the span bound as a parameter for tests. */
export const dependencyRoutes = ({ store }: PanelContext, maxSpans: number): PanelRoute[] => [
  {
    method: 'GET',
    path: '/api/dependencies',
    handle({ res, query }) {
      const p = readParams(query, DEPENDENCIES_PARAMS, { def: DEFAULT_DEPENDENCY_TRACES, max: MAX_DEPENDENCY_TRACES });
      if ('error' in p) return sendError(res, 400, p.error);
      const found = collectTraces(store, { since: p.since, until: p.until }, p.limit, maxSpans);
      const spans = found.traces.flat();
      const traces = found.traces.length;
      const truncated = found.truncated;
      const map = buildDependencyMap(spans);
      const failsWith: Record<string, FailureReach> = {};
      for (const n of map.nodes) failsWith[n.id] = whatFailsWith(map, n.id);
      const body: DependenciesResponse = { ...map, traces, truncated, failsWith };
      if (p.since !== undefined) body.since = p.since;
      if (p.until !== undefined) body.until = p.until;
      sendJson<DependenciesResponse>(res, 200, body);
    },
  },
];
