/**
 * `GET {path}/api/session`: the caller's own login (role, token id, expiry), for the UI's header.
 * `GET {path}/api/audit[?after=seq&limit=n]`: the audit log (debugger role).
 */
import type { AuditResponse, SessionResponse } from '@debugpanel/model';
import { sendError, sendJson } from '../http.js';
import type { PanelFeature } from './registry.js';

export const session: PanelFeature = (ctx) => [
  {
    method: 'GET',
    path: '/api/session',
    handle({ res, identity }) {
      if (!identity) return sendError(res, 401, 'not logged in');
      sendJson<SessionResponse>(res, 200, {
        role: identity.role,
        tokenId: identity.tokenId,
        via: identity.via,
        expiresAt: identity.session?.expiresAt ?? null,
      });
    },
  },
  {
    method: 'GET',
    path: '/api/audit',
    role: 'debugger',
    handle({ res, query }) {
      for (const k of query.keys()) if (k !== 'after' && k !== 'limit') return sendError(res, 400, `unknown query parameter "${k.slice(0, 40)}" (known: after, limit)`);
      const int = (name: string, min: number, max: number, fallback: number): number | string => {
        const v = query.get(name);
        if (v === null || v === '') return fallback;
        const n = Number(v);
        return Number.isInteger(n) && n >= min && n <= max ? n : `${name} must be an integer from ${min} to ${max}, got "${v.slice(0, 40)}"`;
      };
      const after = int('after', 0, Number.MAX_SAFE_INTEGER, 0);
      const limit = int('limit', 1, ctx.audit.capacity, 200);
      if (typeof after === 'string') return sendError(res, 400, after);
      if (typeof limit === 'string') return sendError(res, 400, limit);
      sendJson<AuditResponse>(res, 200, { entries: ctx.audit.list(after, limit), dropped: ctx.audit.droppedSinceStart });
    },
  },
];
