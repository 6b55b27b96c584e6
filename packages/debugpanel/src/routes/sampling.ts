/**
 * `GET {path}/api/sampling`: the policies in force and their counters; and pinning:
 * `POST {path}/api/traces/:traceId/pin` keeps a trace out of eviction (up to `store.maxPinned`),
 * `DELETE` on the same path lets it go again.
 */
import { isValidTraceId, type PinResponse, type SamplingResponse } from '@debugpanel/model';
import { sendError, sendJson } from '../http.js';
import type { PanelFeature, RouteRequest } from './registry.js';

export const sampling: PanelFeature = (ctx) => {
  function pin(pinned: boolean) {
    return ({ res, params }: RouteRequest) => {
      const id: string = params.traceId!;
      if (!isValidTraceId(id)) return sendError(res, 400, `malformed trace id "${String(id).slice(0, 64)}": expected 32 lower-case hex characters`);
      if (!ctx.store.getSummary(id)) return sendError(res, 404, `trace ${id} not found (never seen, or evicted)`);
      if (!ctx.store.setTraceMeta(id, { pinned })) {
        const count = ctx.store.stats().pinned;
        return sendError(res, 409, `${count} traces are pinned already, the most store.maxPinned allows; unpin one first`);
      }
      sendJson<PinResponse>(res, 200, { traceId: id, pinned });
    };
  }
  return [
    {
      method: 'GET',
      path: '/api/sampling',
      handle({ res }) {
        sendJson<SamplingResponse>(res, 200, { head: ctx.sampling.head, tail: ctx.sampling.tail.describe(), stats: ctx.sampling.tail.stats() });
      },
    },
    { method: 'POST', path: '/api/traces/:traceId/pin', role: 'viewer', handle: pin(true) },
    { method: 'DELETE', path: '/api/traces/:traceId/pin', role: 'viewer', handle: pin(false) },
  ];
};
