/** `GET {path}/api/traces` and `GET {path}/api/traces/:traceId`. */
import {
  isValidTraceId,
  parseTraceQuery,
  type TraceResponse,
  type TracesResponse,
} from '@debugpanel/model';
import { sendError, sendJson } from '../http.js';
import type { PanelFeature } from './registry.js';

export const traces: PanelFeature = ({ store, queries }) => [
  {
    method: 'GET',
    path: '/api/traces',
    handle({ res, query }) {
      const parsed = parseTraceQuery(query);
      if ('error' in parsed) return sendError(res, 400, parsed.error);
      let result: TracesResponse;
      try {
        result = store.query(parsed.query);
      } catch (err) {
        // The store refuses what it cannot answer (e.g. a cursor from another process): the
        // client's input, not a server fault.
        return sendError(res, 400, err instanceof Error ? err.message : String(err));
      }
      sendJson<TracesResponse>(res, 200, result);
    },
  },
  {
    method: 'GET',
    path: '/api/traces/:traceId',
    handle({ res, params }) {
      const id: string = params.traceId!;
      if (!isValidTraceId(id)) return sendError(res, 400, `malformed trace id "${String(id).slice(0, 64)}": expected 32 lower-case hex characters`);
      const spans = store.getTrace(id);
      if (!spans) return sendError(res, 404, `trace ${id} not found (never seen, or evicted)`);
      const body: TraceResponse = { traceId: id, spans };
      const summary = store.getSummary(id);
      if (summary) body.summary = summary;
      // The detectors run on this one trace now: a trace's own findings need no stored state.
      const findings = queries?.insights.traceFindings(spans);
      if (findings && findings.length > 0) body.findings = findings;
      sendJson<TraceResponse>(res, 200, body);
    },
  },
];
