/**
 * Assembles a panel: options -> store, SSE hub, pipeline, tracing, routes, middleware.
 * Everything is prepared here, once; the middleware only does per-request work.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Redactor, type SpanRecord } from '@debugpanel/model';
import { GoldenSignals } from '@debugpanel/metrics';
import { parentBased, recordAll, traceIdRatio } from '@debugpanel/sampler';
import type { LogStore } from '@debugpanel/logs';
import { SpanStore } from '@debugpanel/span-store';
import { setupTracing, type PanelTracing } from '@debugpanel/tracing';
import { createOtlpSender, type OtlpSender } from '@debugpanel/tracing/otlp';
import { sendError, setSecurityHeaders } from './http.js';
import { createPanelChaos, type PanelChaos } from './chaos.js';
import { createPanelLogs } from './logs.js';
import { createTracingMiddleware } from './middleware.js';
import { resolveOptions, type DebugPanelOptions, type ResolvedOptions } from './options.js';
import { createPipeline, type PipelineCounters } from './pipeline.js';
import { FEATURES, RouteTable, type PanelContext, type PanelCounters } from './routes/index.js';
import { AccessControl, isSameOrigin } from './security.js';
import { SseHub } from './sse.js';

/** What `debugPanel()` returns besides being a middleware: the running panel. */
export interface DebugPanelHandle {
  /** False when the panel is off (production without a token, or `enabled: false`) */
  readonly enabled: boolean;
  /** The options after defaults */
  readonly options: Readonly<ResolvedOptions>;
  /** The span store (empty and unused when the panel is off) */
  readonly store: SpanStore;
  /** The log store (undefined with `logs: false` or when the panel is off) */
  readonly logs: LogStore | undefined;
  /** Counters of the span pipeline */
  readonly pipeline: Readonly<PipelineCounters>;
  /** Chaos rules and experiments (`enabled: false` unless `chaos: true`); undefined when the panel is off */
  readonly chaos?: PanelChaos;
  /** Stops tracing, ends SSE streams; the middleware then only calls `next()`. */
  close(): Promise<void>;
}

export type DebugPanelMiddleware = ((req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void) & {
  readonly panel: DebugPanelHandle;
};

const VERSION = readVersion();

/**
 * Creates the debug panel middleware. Use it as the app's first middleware; the panel then
 * answers under `path` (default `/_debug`) and every other request becomes a trace.
 * Options are checked here: a typo or a wrong type throws at start-up with a hint.
 *
 * @example
 * import express from 'express';
 * import { debugPanel } from 'debugpanel';
 *
 * const app = express();
 * app.use(debugPanel());                      // open http://localhost:3000/_debug
 * // or: app.use(debugPanel({ token: process.env.DEBUGPANEL_TOKEN, redact: ['ssn'] }));
 */
export function debugPanel(options?: DebugPanelOptions): DebugPanelMiddleware {
  const opts = resolveOptions(options);
  const store = new SpanStore(opts.store);
  const sse = new SseHub();
  const counters: PanelCounters = { requests: 0, routeErrors: 0, internalErrors: 0 };
  let closed = false;

  if (!opts.enabled) {
    const pipeline = createPipeline(store, sse);
    // Off costs nothing: no tracing, no routes; `{path}` is left to the app (a 404 as if absent).
    const off = (_req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void) => next();
    const handle: DebugPanelHandle = { enabled: false, options: opts, store, logs: undefined, pipeline: pipeline.counters, close: async () => {} };
    return Object.assign(off, { panel: handle });
  }

  const metrics = opts.metrics ? new GoldenSignals({ ...opts.metrics }) : undefined;
  // exportTo: spans the panel keeps, to a Collector / Jaeger / Tempo.
  const exporter: OtlpSender | undefined = opts.exportTo && createOtlpSender(opts.exportTo);
  const pipeline = createPipeline(store, sse, {
    metrics,
    onKept: exporter && ((span) => exporter.push(span)),
    sampling: opts.sampling,
  });
  // The head decision sets the sampled flag sent downstream and seen by exporters; recordAll makes
  // sure the panel still records every span (tail sampling and golden signals need them all).
  const head = opts.sampling.head;
  const headSampler = recordAll(typeof head === 'number' ? parentBased({ root: traceIdRatio(head) }) : head);
  // sendTo: this process's own spans (not those it receives as a hub) to a hub panel.
  const sender: OtlpSender | undefined = opts.sendTo && createOtlpSender(opts.sendTo);
  const onLocalSpan = sender
    ? (span: SpanRecord) => {
        pipeline.onSpan(span);
        sender.push(span);
      }
    : pipeline.onSpan;
  metrics?.start();
  // One redactor for everything that enters this panel: local spans (in tracing), OTLP (ingest).
  const redactor = new Redactor(opts.redact);
  const logs = opts.logs && createPanelLogs(opts.logs, store, sse, redactor);

  const tracing: PanelTracing = setupTracing({
    service: opts.service,
    onSpan: onLocalSpan,
    sampler: headSampler,
    redactor,
    // Traffic to a panel (e.g. a hub receiving spans) is not part of the app's traces.
    ignoreOutgoing: (url) => url.pathname === opts.path || url.pathname.startsWith(opts.path + '/'),
    ...(logs && {
      logs: {
        console: opts.logs!.console,
        pino: opts.logs!.pino,
        onLogs: (records) => logs.ingest(records),
        onLoggedError: (error, record) => {
          for (const listener of logs.errorListeners) listener(error, record);
        },
      },
    }),
  });
  const access = new AccessControl(opts.token);
  const chaos = createPanelChaos(opts, tracing, store, metrics);
  const ctx: PanelContext = {
    options: opts, store, tracing, sse, access, startedAt: Date.now(), version: VERSION, counters, metrics,
    sampling: { head: headSampler.toString(), tail: pipeline.tail },
    redactor,
    logs,
    ingest: (spans) => {
      // Other processes' spans are redacted here, as local ones are in tracing: nothing they
      // sent reaches the sampler, the store, the stream or exportTo unredacted.
      for (const span of spans) pipeline.onSpan(redactor.span(span));
    },
    stats: {},
    chaos,
  };
  ctx.stats.chaos = () => chaos.stats();
  if (sender) ctx.stats.sendTo = () => sender.stats();
  if (exporter) ctx.stats.exportTo = () => exporter.stats();
  if (metrics) ctx.stats.metrics = () => metrics.stats();
  ctx.stats.sampling = () => pipeline.tail.stats();
  ctx.stats.redaction = () => redactor.stats();
  if (logs) {
    ctx.stats.logs = () => {
      const capture = tracing.logStats()!;
      return { store: logs.store.stats(), capture: { ...capture, otlp: logs.received } };
    };
  }
  const table = new RouteTable(FEATURES.flatMap((feature) => feature(ctx)));
  const handlePanel = createPanelHandler(ctx, table);

  const middleware = createTracingMiddleware({
    path: opts.path,
    tracing,
    counters,
    handlePanel,
    isClosed: () => closed,
    faults: chaos.faults,
  });
  const handle: DebugPanelHandle = {
    enabled: true,
    options: opts,
    store,
    logs: logs?.store,
    pipeline: pipeline.counters,
    chaos,
    async close() {
      if (closed) return;
      closed = true;
      chaos.close();
      sse.close();
      metrics?.stop();
      pipeline.close();
      await tracing.shutdown();
      await Promise.all([sender?.shutdown(), exporter?.shutdown()]);
    },
  };
  return Object.assign(middleware, { panel: handle });
}

/** Answers every request under the panel's path; never calls the app's `next`. */
function createPanelHandler(ctx: PanelContext, table: RouteTable) {
  const { options, access, counters } = ctx;
  const plen = options.path.length;
  const lastSegment = options.path.slice(options.path.lastIndexOf('/') + 1);

  return function handlePanel(req: IncomingMessage, res: ServerResponse): void {
    counters.requests++;
    setSecurityHeaders(res);
    const url = req.url!;
    const q = url.indexOf('?');
    const sub = (q < 0 ? url : url.slice(0, q)).slice(plen);
    const search = q < 0 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';
    const match = sub === '' ? undefined : table.match(method, sub);
    const route = match && 'route' in match ? match : undefined;

    // Public routes (the login page) are public only when there is a token to log in with.
    if (!(route?.route.public && access.hasToken)) {
      const decision = access.check(req);
      if (!decision.ok) {
        if (decision.status === 401 && access.hasToken && method === 'GET' && wantsHtml(req)) {
          return redirect(res, `${baseUrl(req)}${options.path}/login`);
        }
        if (decision.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="debugpanel"');
        return sendError(res, decision.status, decision.reason);
      }
    }
    // `/_debug` -> `/_debug/`, so the UI's relative asset URLs resolve under the panel.
    if (sub === '') return redirect(res, `${lastSegment}/${q < 0 ? '' : url.slice(q)}`);
    if (!match) return sendError(res, 404, `no panel route ${method} ${options.path}${sub.slice(0, 200)}`);
    if (!route) {
      res.setHeader('Allow', (match as { allowed: string[] }).allowed.join(', '));
      return sendError(res, 405, `${method} is not allowed here`);
    }
    if (method !== 'GET' && method !== 'HEAD' && !isSameOrigin(req)) {
      return sendError(res, 403, 'cross-site request refused (Origin / Sec-Fetch-Site do not match this host)');
    }
    let result: void | Promise<void>;
    try {
      result = route.route.handle({ req, res, params: route.params, query: new URLSearchParams(search) });
    } catch (err) {
      return routeFailed(ctx, res, err);
    }
    if (result) result.catch((err: unknown) => routeFailed(ctx, res, err));
  };
}

function routeFailed(ctx: PanelContext, res: ServerResponse, err: unknown): void {
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (!res.headersSent) sendError(res, status, err instanceof Error ? err.message : String(err));
    return;
  }
  ctx.counters.routeErrors++;
  console.error('debugpanel: a panel route failed:', err);
  if (!res.headersSent) sendError(res, 500, 'internal panel error (see the server log)');
  else res.destroy();
}

function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.end();
}

function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function baseUrl(req: IncomingMessage): string {
  return (req as { baseUrl?: string }).baseUrl ?? '';
}

function readVersion(): string {
  try {
    return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
