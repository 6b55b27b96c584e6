/** `GET {path}/api/dependencies?since=...`: the service dependency map of stored traces. */
import type { SpanRecord, TraceQuery } from '@debugpanel/model';
import { buildDependencyMap, whatFailsWith, type DependencyMap, type FailureReach } from '@debugpanel/dependency-map';
import { sendError, sendJson } from '../http.js';
import { readParams } from './analysis-params.js';
import type { PanelFeature } from './registry.js';

/** `GET {path}/api/dependencies` */
export interface DependenciesResponse extends DependencyMap {
  /** Traces the map was built from (newest first) */
  traces: number;
  /** True when more traces matched than `limit`: the oldest were left out */
  truncated: boolean;
  /** Per node id: what fails with it (`whatFailsWith`), so a client can show it on selection */
  failsWith: Record<string, FailureReach>;
  since?: number;
  until?: number;
}

export const DEFAULT_DEPENDENCY_TRACES = 2000;
export const MAX_DEPENDENCY_TRACES = 10_000;
const PAGE = 1000;

export const dependencies: PanelFeature = ({ store }) => [
  {
    method: 'GET',
    path: '/api/dependencies',
    handle({ res, query }) {
      const p = readParams(query, ['since', 'until', 'limit'], { def: DEFAULT_DEPENDENCY_TRACES, max: MAX_DEPENDENCY_TRACES });
      if ('error' in p) return sendError(res, 400, p.error);
      // Page through the store, newest first, so the cost is bounded by `limit` traces.
      const spans: SpanRecord[] = [];
      let traces = 0;
      let truncated = false;
      const q: TraceQuery = { since: p.since, until: p.until, limit: Math.min(PAGE, p.limit) };
      for (;;) {
        const page = store.query(q);
        for (const t of page.traces) {
          if (traces === p.limit) {
            truncated = true;
            break;
          }
          const s = store.getTrace(t.traceId);
          if (s === undefined) continue;
          traces++;
          for (const span of s) spans.push(span);
        }
        if (truncated || page.nextCursor === undefined) break;
        if (traces === p.limit) {
          truncated = true;
          break;
        }
        q.cursor = page.nextCursor;
      }
      const map = buildDependencyMap(spans);
      const failsWith: Record<string, FailureReach> = {};
      for (const n of map.nodes) failsWith[n.id] = whatFailsWith(map, n.id);
      const body: DependenciesResponse = { ...map, traces, truncated, failsWith };
      if (p.since !== undefined) body.since = p.since;
      if (p.until !== undefined) body.until = p.until;
      sendJson(res, 200, body);
    },
  },
];
