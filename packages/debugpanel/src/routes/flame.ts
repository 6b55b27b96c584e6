/**
 * Flame graphs and critical paths of stored traces:
 * `GET {path}/api/traces/:traceId/flame`, `GET {path}/api/traces/:traceId/critical-path`, and
 * `GET {path}/api/flame?route=...` (the merged flame of a route's recent traces).
 */
import { isValidTraceId, MAX_QUERY_LIMIT, type SpanRecord } from '@debugpanel/model';
import {
  buildTraceFlame,
  criticalPath,
  flattenFlame,
  mergeFlames,
  type CriticalPathSegment,
  type Flat,
  type FlameNode,
  type MergedFlameNode,
} from '@debugpanel/flamegraph';
import { sendError, sendJson } from '../http.js';
import { collectTraces, MAX_ANALYSIS_SPANS, readParams } from './analysis-params.js';
import type { PanelContext, PanelFeature, PanelRoute } from './registry.js';

/**
 * `GET {path}/api/traces/:traceId/flame`. Flame trees travel as flat lists (`flattenFlame`:
 * depth-first, each node with its parent's index), since JSON cannot nest a deep trace.
 */
export interface TraceFlameResponse {
  traceId: string;
  flame: Array<Flat<FlameNode>>;
}

/** `GET {path}/api/traces/:traceId/critical-path` */
export interface CriticalPathResponse {
  traceId: string;
  /** In time order; durations add up to the root span's duration */
  segments: CriticalPathSegment[];
  /** ms on the path per span id */
  bySpan: Record<string, number>;
}

/** `GET {path}/api/flame?route=...` */
export interface MergedFlameResponse {
  route: string;
  service?: string;
  /** Traces merged (newest first, at most `limit`) */
  traces: number;
  /** True when matching traces were left out (by `limit`, or beyond 200,000 spans in all) */
  truncated: boolean;
  flame: Array<Flat<MergedFlameNode>>;
}

/** Traces merged by default; `limit` may ask for up to MAX_QUERY_LIMIT. */
export const DEFAULT_FLAME_TRACES = 200;
const FLAME_PARAMS = ['route', 'service', 'limit', 'since', 'until'];

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
        const body: TraceFlameResponse = { traceId: id, flame: flattenFlame(buildTraceFlame(spans)) };
        sendJson(res, 200, body);
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
        const body: CriticalPathResponse = { traceId: id, segments, bySpan };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/api/flame',
      handle({ res, query }) {
        const p = readParams(query, FLAME_PARAMS, { def: DEFAULT_FLAME_TRACES, max: MAX_QUERY_LIMIT });
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
        sendJson(res, 200, body);
      },
    },
  ];
};
