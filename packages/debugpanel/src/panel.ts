/**
 * Assembles a panel: options -> store, SSE hub, pipeline, tracing, routes, middleware.
 * Everything is prepared here, once; the middleware only does per-request work.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Redactor, type Role, type SpanRecord } from '@debugpanel/model';
import { criticalPath } from '@debugpanel/flamegraph';
import { InsightsEngine, WebhookQueue } from '@debugpanel/insights';
import { GoldenSignals } from '@debugpanel/metrics';
import { parentBased, recordAll, traceIdRatio } from '@debugpanel/sampler';
import type { LogStore } from '@debugpanel/logs';
import { SpanStore } from '@debugpanel/span-store';
import { setupTracing, type PanelTracing } from '@debugpanel/tracing';
// The senders alone: the OTLP protobuf codec (`@debugpanel/tracing/otlp`) loads only with the hub.
import { createOtlpLogSender, createOtlpSender, type OtlpSender } from '@debugpanel/tracing/otlp-sender';
import { ErrorCapture, type ErrorRecorder, type LoggedErrorContext } from './error-capture.js';
import { sendError, setSecurityHeaders } from './http.js';
import { createPanelChaos, incidentsFrom, type PanelChaos } from './chaos.js';
import { incidentTraceIds } from './links.js';
import { createDependencyFeed } from './dependency-feed.js';
import { createPanelLogs } from './logs.js';
import { addTraceAttributes, applyTraceAttributes, baggageAttributes, traceAttributes } from './trace-attributes.js';
import { createTracingMiddleware } from './middleware.js';
import { resolveOptions, type DebugPanelOptions, type ResolvedOptions } from './options.js';
import { createPipeline, type PipelineCounters } from './pipeline.js';
import { FEATURES, RouteTable, type PanelContext, type PanelCounters } from './routes/index.js';
import { AccessControl, type Identity } from './access.js';
import { announceLogin, type Announcer } from './announce.js';
import { AuditLog } from './audit.js';
import { isSameOrigin } from './security.js';
import { SessionStore } from './sessions.js';
import { fileSafeName } from './state-files.js';
import { FailureThrottle } from './throttle.js';
import { resolveToken, tokenId, type TokenSource } from './tokens.js';
import { SseHub } from './sse.js';
import { createQueryFeed } from './query-feed.js';
import { insightsEvidence } from './insights-evidence.js';

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
  /** Counters of the span pipeline (also the `ingest` section of `/api/stats`) */
  readonly pipeline: Readonly<PipelineCounters>;
  /**
   * Puts an exception seen outside spans into the error groups (log capture calls it for logged
   * `Error`s): `panel.errors.record(err, { traceId, spanId })`. Queued, never throws; a no-op when
   * the panel or its error groups are off.
   */
  readonly errors: ErrorRecorder;
  /**
   * Resolves once every span that has ended so far went through the pipeline (the store, the
   * sampler, the metrics): spans are handed on in batches off the request path. For tests.
   */
  whenIdle(): Promise<void>;
  /**
   * Anomalies, incidents and their ranked suspects (undefined when insights or metrics are off).
   * `insights.incidentsSince(t)` answers "did an incident fire, and what is its first suspect?".
   */
  readonly insights: InsightsEngine | undefined;
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
  const counters: PanelCounters = { requests: 0, routeErrors: 0, internalErrors: 0, forbidden: 0 };
  let closed = false;

  if (!opts.enabled) {
    const pipeline = createPipeline(store, sse);
    // Off costs nothing: no tracing, no routes; `{path}` is left to the app (a 404 as if absent).
    const off = (_req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void) => next();
    const handle: DebugPanelHandle = { enabled: false, options: opts, store, logs: undefined, pipeline: pipeline.counters, errors: NO_ERRORS, whenIdle: pipeline.whenIdle, insights: undefined, close: async () => {} };
    return Object.assign(off, { panel: handle });
  }

  const metrics = opts.metrics ? new GoldenSignals({ ...opts.metrics }) : undefined;
  // One redactor for everything that enters this panel: local spans (in tracing), OTLP (ingest), logged errors.
  const redactor = new Redactor(opts.redact);
  const startedAt = Date.now();
  const errors = opts.errors
    ? new ErrorCapture({ service: opts.service, redactor, startedAt, root: process.cwd(), ...opts.errors })
    : undefined;
  // Alerts leave the box only when a webhook is configured.
  const webhook = opts.alerts.webhook
    ? new WebhookQueue({ url: opts.alerts.webhook, ...(opts.alerts.format ? { format: opts.alerts.format } : {}), ...(opts.alerts.headers ? { headers: opts.alerts.headers } : {}) })
    : undefined;
  // Query insights read kept requests back from the store, off the request path.
  const queries = opts.queries ? createQueryFeed(store, opts.queries) : undefined;
  // Insights read the golden signals (all series at once) and digest the kept traces, in their
  // own unref'd 1 s tick: nothing on the request path.
  const insights = metrics && opts.insights
    ? new InsightsEngine({
        ...opts.insights,
        criticalPath,
        // Evidence from the other analyses: query fingerprints, error groups, N+1 findings.
        ...insightsEvidence(errors, queries),
        service: opts.service,
        source: { fine: (seconds) => metrics.queryAll(seconds), coarse: (seconds) => metrics.queryAll(seconds ?? opts.metrics?.coarseWindow ?? 21_600) },
        ...(opts.alerts.pendingMs !== undefined ? { pendingMs: opts.alerts.pendingMs } : {}),
        ...(opts.alerts.maxPerMinute !== undefined ? { maxNotificationsPerMinute: opts.alerts.maxPerMinute } : {}),
        onIncident: (incident) => {
          // Its evidence traces are kept longest (retention class `linked`).
          store.link(incidentTraceIds(incident));
          if (sse.size > 0) sse.publish('insight', incident);
        },
        onAlert: (n) => {
          if (sse.size > 0) sse.publish('alert', n);
          webhook?.push(n);
        },
      })
    : undefined;
  // exportTo: spans the panel keeps, to a Collector / Jaeger / Tempo.
  const exporter: OtlpSender | undefined = opts.exportTo && createOtlpSender(opts.exportTo);
  // The service map counts every span it is handed, in one-minute buckets (not the newest stored traces).
  const dependencyFeed = createDependencyFeed();
  const pipeline = createPipeline(store, sse, {
    consumers: [dependencyFeed],
    metrics,
    onLocalRoot: queries && ((root) => queries.onLocalRoot(root)),
    onKept: exporter && ((span) => exporter.push(span)),
    // One kept batch to insights (digests) and query insights (which traces hold queries).
    onKeptBatch: insights && queries
      ? (spans) => {
          queries.onKeptSpans(spans);
          insights.addSpans(spans);
        }
      : insights ? (spans) => insights.addSpans(spans) : queries && ((spans) => queries.onKeptSpans(spans)),
    sampling: opts.sampling,
    errors,
  });
  // The head decision sets the sampled flag sent downstream and seen by exporters; recordAll makes
  // sure the panel still records every span (tail sampling and golden signals need them all).
  const head = opts.sampling.head;
  const headSampler = recordAll(typeof head === 'number' ? parentBased({ root: traceIdRatio(head) }) : head);
  // sendTo: this process's own spans (not those it receives as a hub) to a hub panel.
  const sender: OtlpSender | undefined = opts.sendTo && createOtlpSender(opts.sendTo);
  const toPipeline = sender
    ? (span: SpanRecord) => {
        pipeline.onSpan(span);
        sender.push(span);
      }
    : pipeline.onSpan;
  // The user (setUser) and the chosen baggage entries of a trace go on each of its local spans.
  const onLocalSpan = (span: SpanRecord): void => {
    if (traceAttributes().byTrace.size > 0) {
      if (Object.isFrozen(span.attributes)) span.attributes = { ...span.attributes };
      applyTraceAttributes(span.traceId, span.attributes, (k, v) => redactor.attribute(k, v));
    }
    toPipeline(span);
  };
  metrics?.start();
  // Logs go where spans go: sendTo (this process's own lines) and exportTo (every stored record),
  // at the target's /v1/logs.
  const logsUrl = (url: string) => url.replace(/\/v1\/traces$/, '/v1/logs');
  const logSender = opts.logs && opts.sendTo ? createOtlpLogSender({ ...opts.sendTo, url: logsUrl(opts.sendTo.url) }) : undefined;
  const logExporter = opts.logs && opts.exportTo ? createOtlpLogSender({ ...opts.exportTo, url: logsUrl(opts.exportTo.url) }) : undefined;
  const logs = opts.logs && createPanelLogs(opts.logs, store, sse, redactor, logExporter && ((r) => logExporter.push(r)));
  // Errors carried by captured log calls (`console.error(err)`, `logger.error({ err })`) join the groups.
  if (logs && errors) {
    logs.errorListeners.add((error, record) => {
      const context: LoggedErrorContext = { service: record.service, time: record.time };
      if (record.traceId !== undefined) context.traceId = record.traceId;
      if (record.spanId !== undefined) context.spanId = record.spanId;
      errors.record(error, context);
    });
  }
  insights?.start();

  const tracing: PanelTracing = setupTracing({
    service: opts.service,
    onSpan: onLocalSpan,
    // Without sendTo, onSpan is one push into the pipeline's queue, whose drain is scheduled outside the trace.
    onSpanIsQueue: sender === undefined,
    sampler: headSampler,
    redactor,
    sqlText: opts.sqlText,
    // Traffic to a panel (e.g. a hub receiving spans) is not part of the app's traces.
    ignoreOutgoing: (url) => url.pathname === opts.path || url.pathname.startsWith(opts.path + '/'),
    ...(logs && {
      logs: {
        console: opts.logs!.console,
        pino: opts.logs!.pino,
        winston: opts.logs!.winston,
        otel: opts.logs!.otel,
        onLogs: (records) => {
          logs.ingest(records);
          // Redacted by ingest (in place) before they leave the process.
          if (logSender) for (const r of records) logSender.push(r);
        },
        onLoggedError: (error, record) => {
          for (const listener of logs.errorListeners) listener(error, record);
        },
      },
    }),
  });
  // A token always guards the panel: the configured one, else one kept in {dataDir}/token. Only
  // the explicit `auth: 'loopback'` opt-in runs without one.
  const loopback = opts.auth === 'loopback';
  const resolved = loopback && opts.token === undefined ? undefined : resolveToken(opts.token, opts.dataDir, (m) => console.warn(m));
  const tokenSource: TokenSource | 'none' = resolved?.source ?? 'none';
  const stateName = fileSafeName(opts.service);
  const stateFile = (folder: string, ext: string) => (opts.dataDir === undefined ? undefined : path.join(opts.dataDir, folder, stateName + ext));
  const validTokenIds = new Set([resolved?.token, opts.viewerToken].filter((t): t is string => t !== undefined).map(tokenId));
  const sessions = new SessionStore({ file: stateFile('sessions', '.json'), validTokenIds });
  const access = new AccessControl({ token: resolved?.token, viewerToken: opts.viewerToken, loopback, sessions, throttle: new FailureThrottle() });
  const audit = new AuditLog({ file: stateFile('audit', '.jsonl') });
  const chaos = createPanelChaos(opts, tracing, store, metrics, insights && incidentsFrom(insights), audit);
  const ctx: PanelContext = {
    options: opts, store, tracing, sse, access, audit, startedAt, version: VERSION, counters, metrics, errors, insights,
    sampling: { head: headSampler.toString(), tail: pipeline.tail },
    redactor,
    logs,
    ingest: (spans) => {
      // Other processes' spans are redacted here, as local ones are in tracing: nothing they
      // sent reaches the sampler, the store, the stream or exportTo unredacted.
      for (const span of spans) pipeline.onSpan(redactor.span(span));
    },
    stats: {},
    queries,
    chaos,
    onClose: [],
    dependencyMap: dependencyFeed.builder,
  };
  ctx.stats.dependencies = () => dependencyFeed.builder.stats();
  ctx.stats.chaos = () => chaos.stats();
  if (sender) ctx.stats.sendTo = () => sender.stats();
  if (exporter) ctx.stats.exportTo = () => exporter.stats();
  if (logSender) ctx.stats.sendToLogs = () => logSender.stats();
  if (logExporter) ctx.stats.exportToLogs = () => logExporter.stats();
  if (metrics) ctx.stats.metrics = () => metrics.stats();
  if (errors) ctx.stats.errors = () => errors.stats();
  ctx.stats.ingest = () => ({ ...pipeline.counters });
  if (insights) ctx.stats.insights = () => ({ ...insights.stats(), ...(webhook ? { webhook: webhook.stats() } : {}) });
  ctx.stats.sampling = () => pipeline.tail.stats();
  ctx.stats.redaction = () => redactor.stats();
  ctx.stats.context = () => ({ traces: traceAttributes().byTrace.size, dropped: traceAttributes().dropped, baggage: [...opts.context.baggage] });
  ctx.stats.auth = () => ({
    mode: opts.auth,
    tokenSource,
    viewerToken: opts.viewerToken !== undefined,
    sessions: sessions.size,
    maxSessions: sessions.max,
    sessionsCreated: sessions.created,
    sessionsExpired: sessions.expired,
    sessionsDropped: sessions.dropped,
    failedLogins: access.failedLogins,
    failedBearer: access.failedBearer,
    throttled: access.throttle.throttled,
    clients: access.throttle.clients,
    maxClients: access.throttle.maxClients,
    clientsDropped: access.throttle.dropped,
    forbidden: counters.forbidden,
    audit: { entries: audit.size, capacity: audit.capacity, dropped: audit.droppedSinceStart, written: audit.written, writeErrors: audit.writeErrors, rotations: audit.rotations },
    writeErrors: sessions.writeErrors,
  });
  if (logs) {
    ctx.stats.logs = () => {
      const capture = tracing.logStats()!;
      return { store: logs.store.stats(), capture: { ...capture, otlp: logs.received } };
    };
  }
  if (queries) ctx.stats.queries = () => queries.stats();
  const table = new RouteTable(FEATURES.flatMap((feature) => feature(ctx)));
  // Every panel route first drains the span queue, so it reads every span that has ended.
  const handlePanel = createPanelHandler(ctx, table, pipeline.flush);

  const middleware = createTracingMiddleware({
    path: opts.path,
    tracing,
    counters,
    handlePanel,
    isClosed: () => closed,
    ...(opts.context.baggage.length > 0 && {
      onServerSpan: (span) => {
        const found = baggageAttributes(span, opts.context.baggage);
        if (found === undefined) return;
        for (const [key, value] of Object.entries(found)) span.span.setAttribute(key, value as string);
        addTraceAttributes(span.span.spanContext().traceId, found);
      },
    }),
    faults: chaos.faults,
  });
  // A token the user did not configure is only useful if they see it: one line with the URL.
  let announcer: Announcer | undefined;
  if (resolved && resolved.source !== 'option') {
    const note = resolved.source === 'memory' ? ' (a token for this run only: no dataDir to keep it in)' : '';
    announcer = announceLogin({ path: opts.path, token: resolved.token, middleware, print: (line) => console.log(line), note });
  }
  const handle: DebugPanelHandle = {
    enabled: true,
    options: opts,
    store,
    logs: logs?.store,
    pipeline: pipeline.counters,
    errors: errors ?? NO_ERRORS,
    whenIdle: pipeline.whenIdle,
    insights,
    chaos,
    async close() {
      if (closed) return;
      closed = true;
      chaos.close();
      for (const fn of ctx.onClose ?? []) {
        try {
          fn();
        } catch (err) {
          console.error('debugpanel: closing a feature failed:', err);
        }
      }
      announcer?.stop();
      sse.close();
      insights?.stop();
      webhook?.close();
      metrics?.stop();
      pipeline.close();
      errors?.close();
      queries?.close();
      await tracing.shutdown();
      await Promise.all([sender?.shutdown(), exporter?.shutdown(), logSender?.shutdown(), logExporter?.shutdown(), sessions.flush(), audit.flush()]);
    },
  };
  return Object.assign(middleware, { panel: handle });
}

const NO_ERRORS: ErrorRecorder = Object.freeze({ record() {} });

/** Answers every request under the panel's path; never calls the app's `next`. */
function createPanelHandler(ctx: PanelContext, table: RouteTable, flushSpans: () => void) {
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

    let identity: Identity | undefined;
    // Public routes (the login page) are public only when there is a token to log in with.
    if (!(route?.route.public && access.hasToken)) {
      const decision = access.check(req);
      if (!decision.ok) {
        if (decision.status === 401 && method === 'GET' && wantsHtml(req)) {
          return redirect(res, `${baseUrl(req)}${options.path}/login`);
        }
        if (decision.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="debugpanel"');
        if (decision.retryAfter !== undefined) res.setHeader('Retry-After', String(decision.retryAfter));
        return sendError(res, decision.status, decision.reason);
      }
      identity = decision;
    }
    // `/_debug` -> `/_debug/`, so the UI's relative asset URLs resolve under the panel.
    if (sub === '') return redirect(res, `${lastSegment}/${q < 0 ? '' : url.slice(q)}`);
    if (!match) return sendError(res, 404, `no panel route ${method} ${options.path}${sub.slice(0, 200)}`);
    if (!route) {
      res.setHeader('Allow', (match as { allowed: string[] }).allowed.join(', '));
      return sendError(res, 405, `${method} is not allowed here`);
    }
    const mutation = method !== 'GET' && method !== 'HEAD';
    if (mutation && !isSameOrigin(req)) {
      return sendError(res, 403, 'cross-site request refused (Origin / Sec-Fetch-Site do not match this host)');
    }
    if (identity) {
      // Roles, in this one place: a route names the role it needs, or takes the default.
      const needs: Role = route.route.role ?? (mutation ? 'debugger' : 'viewer');
      if (needs === 'debugger' && identity.role !== 'debugger') {
        counters.forbidden++;
        return sendError(res, 403, `${method} ${route.route.path} needs the debugger role; this login has the viewer role (log in with the debugger token)`);
      }
      if (route.route.audit ?? (mutation || needs === 'debugger')) auditWhenDone(ctx, req, res, `${method} ${route.route.path}`, sub, identity);
    }
    let result: void | Promise<void>;
    try {
      flushSpans();
      result = route.route.handle({ req, res, params: route.params, query: new URLSearchParams(search), ...(identity ? { identity } : {}) });
    } catch (err) {
      return routeFailed(ctx, res, err);
    }
    if (result) result.catch((err: unknown) => routeFailed(ctx, res, err));
  };
}

/** Records the request in the audit log once it is answered (with its status), or cut off (0). */
function auditWhenDone(ctx: PanelContext, req: IncomingMessage, res: ServerResponse, action: string, target: string, who: Identity): void {
  let done = false;
  const record = () => {
    if (done) return;
    done = true;
    try {
      ctx.audit.record({ action, target, role: who.role, tokenId: who.tokenId, via: who.via, ip: req.socket?.remoteAddress ?? '', status: res.writableFinished ? res.statusCode : 0 });
    } catch (err) {
      ctx.counters.internalErrors++;
      console.error('debugpanel: the audit log failed:', err);
    }
  };
  res.once('finish', record);
  res.once('close', record);
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
