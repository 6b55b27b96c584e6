/** `GET {path}/api/queries`, `GET {path}/api/queries/:fingerprint`, `GET {path}/api/findings`. */
import {
  QUERY_SORTS,
  type FindingKind,
  type FindingsResponse,
  type QueriesResponse,
  type QueryDetailResponse,
  type QuerySort,
} from '@debugpanel/model';
import { sendError, sendJson } from '../http.js';
import type { PanelFeature } from './registry.js';

const KINDS: readonly FindingKind[] = ['n+1', 'consecutive', 'slow-query', 'n+1-http'];
const MAX_LIMIT = 1_000;
const OFF = 'query insights are off (debugPanel({ queries: false }))';

export const queries: PanelFeature = ({ queries: feed }) => [
  {
    method: 'GET',
    path: '/api/queries',
    handle({ res, query }) {
      if (!feed) return sendError(res, 404, OFF);
      for (const key of query.keys()) {
        if (key !== 'sort' && key !== 'limit' && key !== 'service') return sendError(res, 400, `unknown parameter "${key.slice(0, 40)}": expected sort, limit or service`);
      }
      const sort = (query.get('sort') ?? 'total') as QuerySort;
      if (!QUERY_SORTS.includes(sort)) return sendError(res, 400, `sort must be one of ${QUERY_SORTS.join(', ')}, got "${String(sort).slice(0, 40)}"`);
      const limitText = query.get('limit');
      const limit = limitText === null ? 100 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return sendError(res, 400, `limit must be an integer from 1 to ${MAX_LIMIT}, got "${String(limitText).slice(0, 40)}"`);
      const service = query.get('service') ?? undefined;
      feed.drain();
      const all = feed.insights.queries({ sort, ...(service !== undefined ? { service } : {}) });
      sendJson<QueriesResponse>(res, 200, { sort, total: feed.insights.fingerprintCount, queries: all.slice(0, limit) });
    },
  },
  {
    method: 'GET',
    path: '/api/queries/:fingerprint',
    handle({ res, params }) {
      if (!feed) return sendError(res, 404, OFF);
      const id = params.fingerprint!;
      if (!/^[0-9a-f]{16}$/.test(id)) return sendError(res, 400, `malformed fingerprint "${id.slice(0, 40)}": expected 16 lower-case hex characters`);
      feed.drain();
      const stats = feed.insights.query(id);
      if (stats.length === 0) return sendError(res, 404, `fingerprint ${id} not seen (or not tracked: see queries.droppedFingerprints in /api/stats)`);
      sendJson<QueryDetailResponse>(res, 200, { fingerprint: id, queries: stats, findings: feed.insights.findings({ fingerprint: id }) });
    },
  },
  {
    method: 'GET',
    path: '/api/findings',
    handle({ res, query }) {
      if (!feed) return sendError(res, 404, OFF);
      for (const key of query.keys()) {
        if (key !== 'kind' && key !== 'service') return sendError(res, 400, `unknown parameter "${key.slice(0, 40)}": expected kind or service`);
      }
      const kind = query.get('kind') ?? undefined;
      if (kind !== undefined && !KINDS.includes(kind as FindingKind)) return sendError(res, 400, `kind must be one of ${KINDS.join(', ')}, got "${kind.slice(0, 40)}"`);
      const service = query.get('service') ?? undefined;
      feed.drain();
      sendJson<FindingsResponse>(res, 200, {
        findings: feed.insights.findings({ ...(kind !== undefined ? { kind: kind as FindingKind } : {}), ...(service !== undefined ? { service } : {}) }),
        thresholds: { ...feed.insights.thresholds },
      });
    },
  },
];
