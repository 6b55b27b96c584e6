/**
 * Chaos experiments: `GET/POST {path}/api/chaos/rules`, `DELETE {path}/api/chaos/rules[/:id]`,
 * `GET/POST {path}/api/chaos/experiments`, `GET {path}/api/chaos/experiments/:id`, and on a hub
 * `GET {path}/api/chaos/pull?service=` (what services that send to it pull).
 * Mutations are POST/DELETE, so the panel's same-origin check applies; every start and stop is an
 * entry of the panel's audit log (`chaos rule.created`, ...), with the request's role and token id.
 * The POST and DELETE routes need the debugger role: the panel's default for every mutation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  ChaosDeleteResponse,
  ChaosExperiment,
  ChaosExperimentsResponse,
  ChaosPullResponse,
  ChaosRule,
  ChaosRulesResponse,
  ChaosValidationError,
} from '@debugpanel/model';
import { readBody, sendError, sendJson } from '../http.js';
import type { Identity } from '../access.js';
import type { ChaosActor } from '../chaos.js';
import type { PanelFeature, PanelRoute } from './registry.js';

const MAX_BODY = 16 * 1024;
const SERVICE = /^[\w.:@/-]{1,100}$/;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req, MAX_BODY);
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error('the body must be JSON, e.g. {"target":"incoming","fault":{"kind":"latency","ms":200}}'), { status: 400 });
  }
}

function refused(res: ServerResponse, r: { issues: ChaosValidationError['issues']; limit?: boolean }): void {
  const error = r.issues.length === 1 ? r.issues[0]!.message : `${r.issues.length} problems: ${r.issues.map((i) => i.message).join('; ')}`;
  sendJson<ChaosValidationError>(res, r.limit ? 409 : 400, { error, issues: r.issues });
}

/** Who made a change, for the engine's own trail. */
function actor(req: IncomingMessage): string {
  return `debugger@${req.socket.remoteAddress ?? 'unknown'}`;
}

/** ... and for the panel's audit log. */
function who(req: IncomingMessage, identity: Identity | undefined): ChaosActor | undefined {
  return identity && { role: identity.role, tokenId: identity.tokenId, via: identity.via, ip: req.socket.remoteAddress ?? '' };
}

export const chaos: PanelFeature = (ctx) => {
  const c = ctx.chaos;
  const off = (res: ServerResponse) => sendError(res, 403, c?.reason ?? 'chaos is off; start the panel with debugPanel({ chaos: true })');
  const routes: PanelRoute[] = [
    {
      method: 'GET',
      path: '/api/chaos/rules',
      handle({ res }) {
        const rules: ChaosRule[] = c?.engine?.list() ?? [];
        const body: ChaosRulesResponse = { enabled: c?.enabled ?? false, service: ctx.options.service, rules };
        if (!c?.enabled) body.reason = c?.reason ?? 'chaos is off';
        sendJson<ChaosRulesResponse>(res, 200, body);
      },
    },
    {
      method: 'POST',
      path: '/api/chaos/rules',
      async handle({ req, res, identity }) {
        const engine = c?.engine;
        if (!engine) return off(res);
        const body = await readJson(req);
        const r = c!.as(who(req, identity), () => engine.add(body, actor(req)));
        if ('rule' in r) return sendJson<ChaosRule>(res, 201, r.rule);
        refused(res, r);
      },
    },
    {
      method: 'DELETE',
      path: '/api/chaos/rules',
      handle({ req, res, identity }) {
        const engine = c?.engine;
        if (!engine) return off(res);
        sendJson<ChaosDeleteResponse>(res, 200, { deleted: c!.as(who(req, identity), () => engine.clear(actor(req))) });
      },
    },
    {
      method: 'DELETE',
      path: '/api/chaos/rules/:id',
      handle({ req, res, params, identity }) {
        const engine = c?.engine;
        if (!engine) return off(res);
        if (!c!.as(who(req, identity), () => engine.remove(params.id!, actor(req)))) return sendError(res, 404, `no active rule "${params.id!.slice(0, 60)}" (it may have expired)`);
        sendJson<ChaosDeleteResponse>(res, 200, { deleted: 1 });
      },
    },
    {
      method: 'GET',
      path: '/api/chaos/experiments',
      handle({ res }) {
        sendJson<ChaosExperimentsResponse>(res, 200, { experiments: c?.experiments?.list() ?? [] });
      },
    },
    {
      method: 'POST',
      path: '/api/chaos/experiments',
      async handle({ req, res, identity }) {
        const experiments = c?.experiments;
        if (!experiments) return off(res);
        const body = await readJson(req);
        const r = c!.as(who(req, identity), () => experiments.start(body, actor(req)));
        if ('experiment' in r) return sendJson<ChaosExperiment>(res, 201, r.experiment);
        refused(res, r);
      },
    },
    {
      method: 'GET',
      path: '/api/chaos/experiments/:id',
      handle({ res, params }) {
        const e = c?.experiments?.get(params.id!);
        if (!e) return sendError(res, 404, `no experiment "${params.id!.slice(0, 60)}"`);
        sendJson<ChaosExperiment>(res, 200, e);
      },
    },
    {
      method: 'GET',
      path: '/api/chaos/pull',
      handle({ res, query }) {
        if (!c?.engine || !ctx.options.hub) return sendError(res, 404, 'this panel holds no chaos rules for other services (it needs hub: true and chaos: true)');
        const service = query.get('service') ?? '';
        if (!SERVICE.test(service)) return sendError(res, 400, 'service must be the name of the service pulling its rules, e.g. ?service=inventory');
        sendJson<ChaosPullResponse>(res, 200, { service, rules: c.engine.list(service), pollMs: ctx.options.chaos.pullMs });
      },
    },
  ];
  return routes;
};
