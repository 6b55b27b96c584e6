/**
 * The per-request part: the only panel code on the app's hot path. For a request outside the
 * panel's path it starts a server span, ends it when the response closes, and runs the rest of the
 * app inside the span's context. No per-request closures, URL parsing or regexes: one prefix check,
 * one symbol property, one shared `close` listener.
 *
 * Errors are captured without an extra line from the user by wrapping, once, the router Layer's
 * error dispatch (`handleError` in Express 5, `handle_error` in Express 4): every error passed to
 * `next(err)`, thrown, or rejected passes through it on its way to the next error handler. An error
 * that reaches Express's final handler with no layer after it is read at the end from the set that
 * router >= 2.3 keeps on the request; on older routers such a request still ends as a 5xx error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from '@debugpanel/model';
import type { PanelTracing, ServerSpan } from '@debugpanel/tracing';
import { applyIncomingFault } from './chaos.js';

/**
 * Each request's ServerSpan while it runs (deleted as it ends, so the table holds only the
 * requests in flight instead of growing until the next GC clears dead keys), process-wide under a `Symbol.for` key so that
 * two copies of debugpanel see each other. A WeakMap rather than a property on the request:
 * requests reach the middleware with many hidden classes (Express swaps their prototype, the
 * parser and earlier middleware add fields), so every `req[symbol]` site went megamorphic, and a
 * megamorphic miss (the "not traced yet" check) or a property-adding store runs in the V8 runtime
 * on every request: ~2.5 µs per request in the profile of `/hello` (bench/results/lean-span-path.md).
 * A WeakMap lookup costs the same whatever the request's shape.
 */
const SPANS_KEY = Symbol.for('debugpanel.serverSpans.v1');
const serverSpans: WeakMap<object, ServerSpan | null> = ((globalThis as { [SPANS_KEY]?: WeakMap<object, ServerSpan | null> })[SPANS_KEY] ??= new WeakMap());

/** The request's server span while it runs; undefined once it ended or when the panel did not trace it. */
export function serverSpanOf(req: object): ServerSpan | null | undefined {
  return serverSpans.get(req);
}
const PATCHED = Symbol.for('debugpanel.layerPatched');
/** router >= 2.3 remembers every error that went through `next(err)` on the request under this key. */
const ROUTER_ERRORS = Symbol.for('router.tracing.publishedErrors');

type Next = (err?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

interface TracedRequest extends IncomingMessage {
  [ROUTER_ERRORS]?: Set<unknown>;
  route?: { path?: unknown };
  baseUrl?: string;
  app?: { _router?: unknown; router?: unknown };
}

export interface MiddlewareCounters {
  internalErrors: number;
}

export interface TracingMiddlewareOptions {
  path: string;
  tracing: PanelTracing;
  counters: MiddlewareCounters;
  /** Answers a request under `path` (never traced) */
  handlePanel(req: IncomingMessage, res: ServerResponse, next: Next): void;
  /** True once the panel was closed: the middleware then only calls `next()` */
  isClosed(): boolean;
  /** Called with each request's server span once it started (the baggage entries to copy) */
  onServerSpan?: ((span: ServerSpan) => void) | undefined;
  /** Chaos: holds an injector only while a fault rule of this service is active */
  faults?: { current: FaultInjector | undefined };
}

export function createTracingMiddleware(o: TracingMiddlewareOptions): Middleware {
  const { path, tracing, counters, handlePanel, isClosed, onServerSpan } = o;
  const faults = o.faults ?? { current: undefined };
  const plen = path.length;
  let patched = false;

  function onClose(this: ServerResponse): void {
    const req = this.req as TracedRequest | undefined;
    if (!req) return;
    const span = serverSpans.get(req);
    if (!span) return;
    serverSpans.delete(req);
    try {
      const template = routeTemplate(req);
      if (template !== undefined) span.setRoute(template);
      // Errors that reach the final handler always end as >= 400; skip the lookup otherwise.
      const status = this.statusCode;
      if (status >= 400) {
        const seen = req[ROUTER_ERRORS];
        if (seen !== undefined) for (const err of seen) recordOnce(span, err);
      }
      span.end(status);
    } catch (err) {
      internalError(counters, err);
    }
  }

  return function debugPanelMiddleware(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const url = req.url!;
    if (url.startsWith(path)) {
      const c = url.charCodeAt(plen);
      // exactly `path`, `path/...` or `path?...`; NaN past the end
      if (c !== c || c === 47 || c === 63) {
        if (isClosed()) return next();
        return handlePanel(req, res, next);
      }
    }
    const r = req as TracedRequest;
    if (serverSpans.has(r) || isClosed()) return next(); // already traced by an outer panel
    if (!patched) {
      patched = true;
      patchRouterLayer(r, counters);
    }
    let span: ServerSpan;
    try {
      span = tracing.startServerSpan(req);
    } catch (err) {
      internalError(counters, err);
      return next();
    }
    serverSpans.set(r, span);
    if (onServerSpan !== undefined) {
      try {
        onServerSpan(span);
      } catch (err) {
        internalError(counters, err);
      }
    }
    res.on('close', onClose);
    // Chaos: one check while no fault rule is active.
    const f = faults.current;
    if (f !== undefined) return applyIncomingFault(f, req, res, span, next);
    span.run(next);
  };
}

/**
 * Templates of routes in mounted routers (`baseUrl + route.path`), made once per route and mount
 * point instead of concatenated per request: every request of the route then hands tracing the
 * same string (whose span-name lookup is a hit, and which stored spans share). Keyed by Express's
 * Route object, so it is bounded by the app's routes.
 */
const mountedTemplates = new WeakMap<object, { base: string; template: string }>();

/** `METHOD` is added by tracing; this is `baseUrl + route.path` once Express matched a string route. */
export function routeTemplate(req: { route?: { path?: unknown }; baseUrl?: string }): string | undefined {
  const route = req.route;
  const path = route?.path;
  if (typeof path !== 'string') return undefined;
  const base = req.baseUrl ?? '';
  if (base === '') return path;
  const known = mountedTemplates.get(route!);
  if (known !== undefined && known.base === base) return known.template;
  const template = path === '/' ? base : base + path;
  mountedTemplates.set(route!, { base, template });
  return template;
}

/** Routing signals (`next('route')`) are not errors; ServerSpan.recordError ignores repeats. */
function recordOnce(span: ServerSpan, err: unknown): void {
  if (err === undefined || err === null || err === 'route' || err === 'router') return;
  span.recordError(err);
}

/** Called by the wrapped Layer error dispatch for every layer an error passes. */
function noteError(err: unknown, req: TracedRequest): void {
  const span = req !== null && typeof req === 'object' ? serverSpans.get(req) : undefined;
  if (span) recordOnce(span, err);
}

/**
 * Wraps the error dispatch of the router's Layer prototype, once per process and router copy.
 * Reached through the app's own router, so it is the copy the app really uses.
 */
export function patchRouterLayer(req: TracedRequest, counters: MiddlewareCounters): boolean {
  try {
    const app = req.app;
    if (!app) return false;
    // Express 4 keeps its router in `_router` (its `router` getter throws); Express 5 in `router`.
    const router = ('_router' in app && app._router ? app._router : app.router) as { stack?: unknown[] } | undefined;
    const layer = router?.stack?.[0];
    if (!layer) return false;
    const proto = Object.getPrototypeOf(layer) as Record<string | symbol, unknown>;
    if (proto[PATCHED]) return true;
    const name = typeof proto.handleError === 'function' ? 'handleError' : typeof proto.handle_error === 'function' ? 'handle_error' : undefined;
    if (!name) return false;
    const original = proto[name] as (this: unknown, err: unknown, req: unknown, res: unknown, next: unknown) => unknown;
    const wrapped = function (this: unknown, err: unknown, req: unknown, res: unknown, next: unknown): unknown {
      try {
        noteError(err, req as TracedRequest);
      } catch (e) {
        internalError(counters, e);
      }
      return original.call(this, err, req, res, next);
    };
    Object.defineProperty(wrapped, 'name', { value: original.name });
    proto[name] = wrapped;
    Object.defineProperty(proto, PATCHED, { value: true });
    return true;
  } catch (err) {
    internalError(counters, err);
    return false;
  }
}

let loggedInternal = false;
function internalError(counters: MiddlewareCounters, err: unknown): void {
  counters.internalErrors++;
  if (!loggedInternal) {
    loggedInternal = true;
    console.error('debugpanel: internal error on a request, ignored (counted in /api/stats; logged once):', err);
  }
}
