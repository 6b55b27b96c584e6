/**
 * Error groups: `GET {path}/api/errors` (groups, most recently seen first, filtered by service,
 * route, user, release, source, since) and `GET {path}/api/errors/:fingerprint` (a group with its
 * sample's stack and cause chain, series, newest occurrences, and the groups that caused it or that
 * it caused, read from its sample traces in the span store).
 */
import {
  ERRORS_PARAMS,
  type ErrorGroupRelation,
  type ErrorGroupResponse,
  type ErrorsResponse,
  type ErrorSource,
  type SpanRecord,
} from '@debugpanel/model';
import { relate, type RelatedGroup } from '@debugpanel/errors';
import { sendError, sendJson } from '../http.js';
import { readParams } from './analysis-params.js';
import type { PanelFeature } from './registry.js';

const SOURCES: readonly ErrorSource[] = ['span', 'log', 'uncaught', 'rejection'];
const FINGERPRINT = /^[0-9a-f]{16}$/;

export const errors: PanelFeature = (ctx) => {
  const capture = ctx.errors;
  const off = (res: Parameters<typeof sendError>[0]) => sendError(res, 404, 'error groups are off (debugPanel({ errors: false }))');
  return [
    {
      method: 'GET',
      path: '/api/errors',
      handle({ res, query }) {
        if (!capture) return off(res);
        const p = readParams(query, ERRORS_PARAMS, { def: 100, max: 500 });
        if ('error' in p) return sendError(res, 400, p.error);
        const source = p.text.source;
        if (source !== undefined && !SOURCES.includes(source as ErrorSource)) {
          return sendError(res, 400, `source must be one of ${SOURCES.join(', ')}, got "${source}"`);
        }
        // What was queued a moment ago belongs in the answer.
        capture.flush();
        const filter: Parameters<typeof capture.groups.list>[0] = { limit: p.limit };
        for (const key of ['service', 'route', 'user', 'release'] as const) if (p.text[key] !== undefined) filter[key] = p.text[key];
        if (source !== undefined) filter.source = source as ErrorSource;
        if (p.since !== undefined) filter.since = p.since;
        sendJson<ErrorsResponse>(res, 200, capture.groups.list(filter));
      },
    },
    {
      method: 'GET',
      path: '/api/errors/:fingerprint',
      handle({ res, params, query }) {
        if (!capture) return off(res);
        for (const key of query.keys()) return sendError(res, 400, `unknown query parameter "${key}"; this route takes none`);
        const fp = params.fingerprint!;
        if (!FINGERPRINT.test(fp)) return sendError(res, 400, `malformed fingerprint "${fp.slice(0, 64)}": expected 16 lower-case hex characters`);
        capture.flush();
        const found = capture.groups.get(fp);
        if (!found) return sendError(res, 404, `error group ${fp} not found (never seen, or evicted)`);
        const traces: Array<{ traceId: string; spans: SpanRecord[] }> = [];
        for (const traceId of found.group.sampleTraceIds) {
          const spans = ctx.store.getTrace(traceId);
          if (spans !== undefined) traces.push({ traceId, spans });
        }
        const stored = new Set(traces.map((t) => t.traceId));
        const relations = relate(fp, traces, (id) => capture.groups.inTrace(id));
        const describe = (r: RelatedGroup): ErrorGroupRelation | undefined => {
          const brief = capture.groups.brief(r.fingerprint);
          return brief && { fingerprint: r.fingerprint, type: brief.type, title: brief.title, services: brief.services, traces: r.traces, traceId: r.traceId };
        };
        const known = (list: RelatedGroup[]) => list.map(describe).filter((x): x is ErrorGroupRelation => x !== undefined);
        const occurrences = found.occurrences.map((o) =>
          o.traceId === undefined ? o : { ...o, stored: stored.has(o.traceId) || ctx.store.getSummary(o.traceId) !== undefined },
        );
        sendJson<ErrorGroupResponse>(res, 200, {
          group: found.group,
          sample: found.sample,
          seriesEnd: found.seriesEnd,
          seriesStepMs: found.seriesStepMs,
          occurrences,
          causedBy: known(relations.causedBy),
          causes: known(relations.causes),
          tracesExamined: traces.length,
        });
      },
    },
  ];
};
