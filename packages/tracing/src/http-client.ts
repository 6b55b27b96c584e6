import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { Context, TextMapSetter } from '@opentelemetry/api';
import { isIgnored, NO_TRACE_HEADER, startClientSpan, tracedContext, type ClientSpan, type OutgoingTarget } from './client-span.js';
import { applyHttpFault, markFault, outgoingFault } from './faults.js';
import type { TracingState } from './state.js';

/**
 * Client spans for `http.request`/`http.get`/`https.request`/`https.get` without a preload flag.
 *
 * Node 20's `http.client.request.start` diagnostics channel fires after the headers are written,
 * too late to add `traceparent`, so the four functions are replaced on the module objects (which
 * `require('node:http')` returns) and `syncBuiltinESMExports()` makes ESM named imports see the
 * replacement. Code that captured `http.request` before `setupTracing()` ran keeps the original.
 */

type RequestFn = (...args: unknown[]) => ClientRequest;
type Patched = RequestFn & { [ORIGINAL]?: RequestFn };

const ORIGINAL = Symbol.for('debugpanel.tracing.original');

const REQUEST_SETTER: TextMapSetter<ClientRequest> = {
  set(carrier, key, value) {
    carrier.setHeader(key, value);
  },
};

export function patchHttp(state: TracingState): void {
  if ((http.request as Patched)[ORIGINAL] !== undefined) return;
  const httpRequest = wrapRequest(state, http.request as RequestFn, 'http:');
  const httpsRequest = wrapRequest(state, https.request as RequestFn, 'https:');
  assign(http, 'request', httpRequest);
  assign(http, 'get', wrapGet(httpRequest, http.get as RequestFn));
  assign(https, 'request', httpsRequest);
  assign(https, 'get', wrapGet(httpsRequest, https.get as RequestFn));
  syncBuiltinESMExports();
}

export function unpatchHttp(): void {
  for (const mod of [http, https] as const) {
    for (const name of ['request', 'get'] as const) {
      const original = (mod[name] as Patched)[ORIGINAL];
      if (original !== undefined) assign(mod, name, original);
    }
  }
  syncBuiltinESMExports();
}

function assign(mod: typeof http | typeof https, name: 'request' | 'get', fn: RequestFn): void {
  (mod as unknown as Record<string, unknown>)[name] = fn;
}

function wrapRequest(state: TracingState, original: RequestFn, defaultProtocol: string): Patched {
  const request: Patched = function request(this: unknown, ...args: unknown[]): ClientRequest {
    const ctx = tracedContext(state);
    const req = original.apply(this, args);
    let client: ClientSpan | undefined;
    if (ctx !== undefined) {
      try {
        client = instrument(state, ctx, req, defaultProtocol);
      } catch {
        state.outgoingErrors++;
      }
    }
    // Chaos: one check while no fault rule is active.
    if (state.faults !== undefined) {
      try {
        if (req.getHeader(NO_TRACE_HEADER) === undefined) {
          const target = targetOf(req, defaultProtocol);
          const decision = isIgnored(state, target) ? undefined : outgoingFault(state, target);
          if (decision !== undefined) {
            markFault(client?.span, decision);
            applyHttpFault(req, decision);
          }
        }
      } catch {
        state.outgoingErrors++;
      }
    }
    return req;
  };
  request[ORIGINAL] = original;
  return request;
}

/** Node's own `get` calls its module-local `request` and `end()`s at once, too soon to inject. */
function wrapGet(request: RequestFn, original: RequestFn): Patched {
  const get: Patched = function get(this: unknown, ...args: unknown[]): ClientRequest {
    const req = request.apply(this, args);
    req.end();
    return req;
  };
  get[ORIGINAL] = original;
  return get;
}

function targetOf(req: ClientRequest, defaultProtocol: string): OutgoingTarget {
  const protocol = req.protocol || defaultProtocol;
  let host = req.host || 'localhost';
  if (host.charCodeAt(0) === 91 /* [ */) host = host.slice(1, -1);
  return {
    method: req.method,
    protocol,
    host,
    port: portFromHostHeader(req.getHeader('host')) ?? (protocol === 'https:' ? 443 : 80),
    path: req.path,
  };
}

function instrument(state: TracingState, ctx: Context, req: ClientRequest, defaultProtocol: string): ClientSpan | undefined {
  if (req.getHeader(NO_TRACE_HEADER) !== undefined) return undefined;
  const target = targetOf(req, defaultProtocol);
  // Headers are already written when they were given as an array or with `Expect`; a
  // traceparent the caller set themselves is kept.
  const canInject = !req.headersSent && req.getHeader('traceparent') === undefined;
  const client = startClientSpan(state, ctx, target, canInject ? req : undefined, REQUEST_SETTER);
  if (client !== undefined) observe(req, client);
  return client;
}

/** The port in a Host header value (`localhost:3001`, `[::1]:3001`), if any. */
function portFromHostHeader(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const colon = value.lastIndexOf(':');
  if (colon < 0 || colon < value.lastIndexOf(']')) return undefined;
  const port = Number(value.slice(colon + 1));
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * Follows the request through its own `emit` rather than by adding listeners: a 'response'
 * listener would stop Node from discarding an unread response, and an 'error' listener would
 * swallow an error the app does not handle, both changes to the app's behaviour.
 */
function observe(req: ClientRequest, client: ClientSpan): void {
  const emit = req.emit;
  req.emit = function (this: ClientRequest, event: string | symbol, arg?: unknown): boolean {
    try {
      if (event === 'response') onResponse(client, arg as IncomingMessage);
      else if (event === 'error') {
        client.error(arg);
        client.end();
      } else if (event === 'close') client.end();
    } catch {
      // never let the panel's bookkeeping break the request
    }
    // eslint-disable-next-line prefer-rest-params
    return emit.apply(this, arguments as unknown as Parameters<typeof emit>);
  } as typeof emit;
}

function onResponse(client: ClientSpan, res: IncomingMessage): void {
  client.response(res.statusCode ?? 0);
  const end = (): void => client.end();
  res.once('end', end);
  res.once('close', end);
}
