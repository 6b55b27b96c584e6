/**
 * Flame graphs and critical paths of stored traces:
 * `GET {path}/api/traces/:traceId/flame`, `GET {path}/api/traces/:traceId/critical-path`, and
 * `GET {path}/api/flame?route=...` (the merged flame of a route's recent traces).
 */
import {
  isValidTraceId,
  MAX_QUERY_LIMIT,
  MERGED_FLAME_PARAMS,
  type CriticalPathResponse,
  type MergedFlameResponse,
  type SpanRecord,
  type TraceFlameResponse,
} from '@debugpanel/model';
import { buildTraceFlame, criticalPath, flattenFlame, mergeFlames } from '@debugpanel/flamegraph';
import { sendError, sendJson } from '../http.js';
import { collectTraces, MAX_ANALYSIS_SPANS, readParams } from './analysis-params.js';
import type { PanelContext, PanelFeature, PanelRoute } from './registry.js';

/** Traces merged by default; `limit` may ask for up to MAX_QUERY_LIMIT. */
export const DEFAULT_FLAME_TRACES = 200;

function badTraceId(id: string): string {
  return `malformed trace id "${id.slice(0, 64)}": expected 32 lower-case hex characters`;
}

export const flame: PanelFeature = (ctx) => flameRoutes(ctx, MAX_ANALYSIS_SPANS);

/** The routes, with the span bound as a parameter for tests. */
export const flameRoutes = ({ store }: PanelContext, maxSpans: number): PanelRoute[] => {
  const traceOr404 = (id: string, send: (status: number, msg: string) => void): SpanRecord[] | undefined => {
    if (!isValidTraceId(id)) {
      send(400, badTraceId(id));
      return undefined;
    }
    const spans = store.getTrace(id);
    if (spans === undefined) send(404, `trace ${id} not found (never seen, or evicted)`);
    return spans;
  };
  return [
    {
      method: 'GET',
      path: '/api/traces/:traceId/flame',
      handle({ res, params }) {
        const id = params.traceId!;
        const spans = traceOr404(id, (s, m) => sendError(res, s, m));
        if (spans === undefined) return;
        sendJson<TraceFlameResponse>(res, 200, { traceId: id, flame: flattenFlame(buildTraceFlame(spans)) });
      },
    },
    {
      method: 'GET',
      path: '/api/traces/:traceId/critical-path',
      handle({ res, params }) {
        const id = params.traceId!;
        const spans = traceOr404(id, (s, m) => sendError(res, s, m));
        if (spans === undefined) return;
        const segments = criticalPath(spans);
        const bySpan: Record<string, number> = {};
        for (const s of segments) bySpan[s.spanId] = (bySpan[s.spanId] ?? 0) + s.duration;
        sendJson<CriticalPathResponse>(res, 200, { traceId: id, segments, bySpan });
      },
    },
    {
      method: 'GET',
      path: '/api/flame',
      handle({ res, query }) {
        const p = readParams(query, MERGED_FLAME_PARAMS, { def: DEFAULT_FLAME_TRACES, max: MAX_QUERY_LIMIT });
        if ('error' in p) return sendError(res, 400, p.error);
        const route = p.text.route;
        if (route === undefined) return sendError(res, 400, 'route is required, e.g. /api/flame?route=/orders/:id');
        const service = p.text.service;
        const found = collectTraces(store, { route, service, since: p.since, until: p.until }, p.limit, maxSpans);
        const body: MergedFlameResponse = {
          route,
          traces: found.traces.length,
          truncated: found.truncated,
          flame: flattenFlame(mergeFlames(found.traces)),
        };
        if (service !== undefined) body.service = service;
        sendJson<MergedFlameResponse>(res, 200, body);
      },
    },
  ];
};
