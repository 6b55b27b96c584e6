/**
 * Insights: `GET {path}/api/insights`, `GET {path}/api/insights/:id`, `POST {path}/api/insights/:id/ack`
 * and `GET {path}/api/compare?a=&b=` (two cohorts of stored traces, aligned by path).
 */
import { compareCohorts } from '@debugpanel/insights';
import { criticalPath } from '@debugpanel/flamegraph';
import {
  COMPARE_PARAMS,
  INSIGHTS_PARAMS,
  isValidTraceId,
  parseTraceQuery,
  type AckRequest,
  type AckResponse,
  type CompareResponse,
  type IncidentDetail,
  type InsightsResponse,
  type SpanRecord,
} from '@debugpanel/model';
import { readBody, sendError, sendJson } from '../http.js';
import type { PanelFeature } from './registry.js';

const MAX_COHORT = 200;

function unknownParam(query: URLSearchParams, known: ReadonlyArray<string>): string | undefined {
  for (const k of query.keys()) if (!known.includes(k)) return `unknown query parameter "${k.slice(0, 40)}"; known: ${known.join(', ')}`;
  return undefined;
}

export const insights: PanelFeature = (ctx) => {
  const engine = ctx.insights;
  const off = (res: Parameters<typeof sendError>[0]) =>
    sendError(res, 404, 'insights are off (debugPanel({ insights: false }) or metrics: false)');

  /** A cohort: trace ids, or a trace query in URL form; the spans of each stored trace. */
  function cohort(name: string, v: string | null): SpanRecord[][] | { error: string } {
    if (v === null || v.trim() === '') return { error: `${name} is required: comma-separated trace ids, or a trace query like "route=/checkout&minDuration=300"` };
    let ids: string[];
    if (!v.includes('=')) {
      ids = v.split(',').map((s) => s.trim()).filter(Boolean);
      if (ids.length > MAX_COHORT) return { error: `${name}: at most ${MAX_COHORT} trace ids` };
      const bad = ids.find((id) => !isValidTraceId(id));
      if (bad !== undefined) return { error: `${name}: malformed trace id "${String(bad).slice(0, 64)}": expected 32 lower-case hex characters` };
    } else {
      const parsed = parseTraceQuery(new URLSearchParams(v));
      if ('error' in parsed) return { error: `${name}: ${parsed.error}` };
      try {
        ids = ctx.store.query({ limit: MAX_COHORT, ...parsed.query }).traces.map((t) => t.traceId);
      } catch (err) {
        return { error: `${name}: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
    const out: SpanRecord[][] = [];
    for (const id of ids) {
      const spans = ctx.store.getTrace(id);
      if (spans) out.push(spans);
    }
    if (out.length === 0) return { error: `${name}: none of its traces is stored (never seen, or evicted)` };
    return out;
  }

  return [
    {
      method: 'GET',
      path: '/api/insights',
      handle({ res, query }) {
        if (!engine) return off(res);
        const bad = unknownParam(query, INSIGHTS_PARAMS);
        if (bad) return sendError(res, 400, bad);
        const state = query.get('state');
        if (state !== null && state !== 'open' && state !== 'all') return sendError(res, 400, `state must be "open" or "all", got "${state.slice(0, 40)}"`);
        const limitText = query.get('limit');
        const limit = limitText === null ? 50 : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) return sendError(res, 400, `limit must be an integer from 1 to 500, got "${String(limitText).slice(0, 40)}"`);
        sendJson<InsightsResponse>(res, 200, engine.list({ state: state ?? 'all', limit }));
      },
    },
    {
      method: 'GET',
      path: '/api/insights/:id',
      handle({ res, params }) {
        if (!engine) return off(res);
        const detail = engine.get(params.id!);
        if (!detail) return sendError(res, 404, `no incident "${params.id!.slice(0, 64)}" (never seen, or evicted)`);
        sendJson<IncidentDetail>(res, 200, detail);
      },
    },
    {
      method: 'POST',
      path: '/api/insights/:id/ack',
      async handle({ req, res, params }) {
        if (!engine) return off(res);
        const text = await readBody(req, 4096);
        let body: AckRequest = {};
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text) as AckRequest;
          } catch {
            return sendError(res, 400, 'body must be JSON like { "silenceMinutes": 30 } (or empty)');
          }
          if (typeof body !== 'object' || body === null || Array.isArray(body)) return sendError(res, 400, 'body must be a JSON object like { "silenceMinutes": 30 }');
          for (const k of Object.keys(body)) if (k !== 'silenceMinutes') return sendError(res, 400, `unknown field "${k.slice(0, 40)}"; known: silenceMinutes`);
          const m = body.silenceMinutes;
          if (m !== undefined && !(typeof m === 'number' && Number.isFinite(m) && m >= 0 && m <= 1440)) {
            return sendError(res, 400, 'silenceMinutes must be a number of minutes from 0 to 1440');
          }
        }
        const result = engine.ack(params.id!, body.silenceMinutes ?? 0);
        if (!result) return sendError(res, 404, `no incident "${params.id!.slice(0, 64)}" (never seen, or evicted)`);
        sendJson<AckResponse>(res, 200, result);
      },
    },
    {
      method: 'GET',
      path: '/api/compare',
      handle({ res, query }) {
        const bad = unknownParam(query, COMPARE_PARAMS);
        if (bad) return sendError(res, 400, bad);
        const a = cohort('a', query.get('a'));
        if ('error' in a) return sendError(res, 400, a.error);
        const b = cohort('b', query.get('b'));
        if ('error' in b) return sendError(res, 400, b.error);
        sendJson<CompareResponse>(res, 200, compareCohorts(a, b, criticalPath));
      },
    },
  ];
};
