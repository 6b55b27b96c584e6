/**
 * What the three demo services share: the Express app with the panel mounted first (chaos
 * experiments on), health, JSON errors, and a listen/shutdown cycle that reports to the launcher over IPC.
 */
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Server } from 'node:http';
import { trace } from '@opentelemetry/api';
import { debugPanel, type DebugPanelOptions } from 'debugpanel';
import type { ServiceConfig } from './config.js';

/** An error with the HTTP status the client should get. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Wraps a route handler so that a client error (an `HttpError` below 500: bad input, unknown id,
 * out of stock) is answered right here. Only server errors reach Express's error path, where the
 * panel records them as exceptions: a 404 is the caller's mistake, not a failure of the service.
 * @example app.get('/orders/:id', route((req, res) => { res.json(find(parseId(req.params.id))); }));
 */
export function route(handler: (req: Request, res: Response) => unknown): RequestHandler {
  return async (req, res, next) => {
    try {
      await handler(req, res);
    } catch (err) {
      if (err instanceof HttpError && err.status < 500) {
        res.status(err.status).json({ error: err.message });
        return;
      }
      next(err);
    }
  };
}

/**
 * Ends the service with one line when it cannot start (its database is unreachable, say): the
 * launcher shows the line, and a stack trace would only bury it.
 * @example const { db } = await openOrders(config).catch(failStart);
 */
export function failStart(err: unknown): never {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}

/** Messages a service sends to the launcher (run.ts, the acceptance test) over the IPC channel. */
export type ServiceMessage =
  | { type: 'ready'; service: string; port: number; url: string }
  | { type: 'listen-error'; service: string; port: number; code: string; message: string };

/**
 * The panel's options for one service. With the hub on (the default), the gateway's panel receives
 * the spans of orders and inventory over OTLP, so it shows whole three-service traces and the full
 * dependency map, while each service keeps its own panel too.
 * @example panelOptions(readServiceConfig('orders')) // { service: 'orders', sendTo: 'http://127.0.0.1:3000/_debug' }
 */
export function panelOptions(config: ServiceConfig, env: Record<string, string | undefined> = process.env): DebugPanelOptions {
  return { ...basePanelOptions(config, env), ...extraPanelOptions(env.DEMO_PANEL) };
}

function basePanelOptions(config: ServiceConfig, env: Record<string, string | undefined>): DebugPanelOptions {
  // Chaos experiments on in every service (the demo's faults are made with them); the others pull
  // the rules their hub holds for them every second.
  // DEMO_FAST_INSIGHTS=1: a warm-up of seconds instead of minutes and a 5 s detection window, so a
  // test sees an experiment caught within a minute of the start. Not for watching the demo: it alarms easily.
  const fast = ['1', 'true', 'on', 'yes'].includes((env.DEMO_FAST_INSIGHTS ?? '').trim().toLowerCase());
  const insights = fast ? { insights: { warmupMs: 5000, warmupRequests: 20, windowSeconds: 5 } } : {};
  if (!config.hub) return { service: config.name, chaos: true, ...insights };
  if (config.name === 'gateway') return { service: config.name, hub: true, chaos: true, ...insights };
  // The hub's panel wants the token like every panel: the launcher gives the three services one.
  const token = env.DEBUGPANEL_TOKEN;
  const url = `${config.gatewayUrl}/_debug`;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const interval = config.sendIntervalMs === undefined ? {} : { intervalMs: config.sendIntervalMs };
  return { service: config.name, sendTo: { url, headers, ...interval }, chaos: { pullMs: 1000 }, ...insights };
}

/**
 * `DEMO_PANEL`: more panel options as JSON, for every service (the insights test and eval use it
 * to shorten warm-up and windows: `{"insights":{"warmupMs":15000},"metrics":{"coarseResolution":2}}`).
 * The panel checks them like any options, so a typo stops the service with a hint.
 * @example extraPanelOptions('{"insights":{"windowSeconds":5}}') // { insights: { windowSeconds: 5 } }
 */
export function extraPanelOptions(json: string | undefined): DebugPanelOptions {
  if (json === undefined || json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new Error(`DEMO_PANEL must be a JSON object of panel options: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('DEMO_PANEL must be a JSON object of panel options, like {"insights":{"warmupMs":15000}}');
  return parsed as DebugPanelOptions;
}

/**
 * Builds the app of one service: `debugPanel()` first (so every later route is traced and
 * outgoing calls carry trace context; faults come from its chaos rules), then /health and JSON
 * bodies. The service adds its routes, then calls `serve()`.
 * @example
 * const { app } = createServiceApp(readServiceConfig('orders'));
 * app.get('/orders/:id', handler);
 * serve(app, config);
 */
export function createServiceApp(config: ServiceConfig): { app: Express } {
  const app = express();
  app.disable('x-powered-by');
  app.use(debugPanel(panelOptions(config)));
  // Lets a caller (the load generator, curl, the acceptance test) find its request in the panel.
  app.use((_req, res, next) => {
    const span = trace.getActiveSpan();
    if (span) res.setHeader('x-trace-id', span.spanContext().traceId);
    next();
  });
  const started = Date.now();
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: config.name, uptimeMs: Date.now() - started });
  });
  app.use(express.json({ limit: '64kb' }));
  return { app };
}

/** 404 for unknown routes and one JSON shape for every error; mount after the routes. */
export function finishApp(app: Express): void {
  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = errorStatus(err);
    // The panel captures this line with the request's trace id (and the Error for grouping).
    if (status >= 500) console.error(`${req.method} ${req.path} failed with ${status}:`, err);
    else console.warn(`${req.method} ${req.path} answered ${status}: ${err instanceof Error ? err.message : String(err)}`);
    if (res.headersSent) return;
    res.status(status).json({ error: err instanceof Error ? err.message : String(err) });
  });
}

function errorStatus(err: unknown): number {
  const s = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 400 && s <= 599 ? s : 500;
}

/**
 * Listens, then tells the launcher (if any) the real port. A busy port ends the process with a
 * message that says how to pick another one. SIGTERM, SIGINT (when run alone) and the launcher
 * going away close the server and then `onClose` (the database).
 */
export function serve(app: Express, config: ServiceConfig, onClose: () => void = () => {}): Server {
  const server = app.listen(config.port, config.host);
  server.on('listening', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    send({ type: 'ready', service: config.name, port, url });
    if (!process.send) console.log(`${config.name} listening on ${url} (panel: ${url}/_debug)`);
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    const message =
      err.code === 'EADDRINUSE'
        ? `port ${config.port} is busy (${config.name}); stop what uses it, or set DEMO_PORT_BASE or ${config.name.toUpperCase()}_PORT`
        : `${config.name} cannot listen on ${config.host}:${config.port}: ${err.message}`;
    send({ type: 'listen-error', service: config.name, port: config.port, code: err.code ?? 'UNKNOWN', message });
    console.error(message);
    process.exitCode = 2;
    close();
  });

  let closing = false;
  function close(): void {
    if (closing) return;
    closing = true;
    // Keep-alive sockets would hold close() open; give in-flight requests a moment, then cut them.
    setTimeout(() => server.closeAllConnections(), 1000).unref();
    setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
    server.close(() => {
      try {
        onClose();
      } finally {
        if (process.connected) process.disconnect();
      }
    });
  }
  if (process.send) {
    // Under the launcher, Ctrl-C reaches the whole process group; the launcher stops the load
    // first and then sends SIGTERM, so in-flight requests are not cut off mid-way.
    process.on('SIGINT', () => {});
  } else {
    process.once('SIGINT', close);
  }
  process.once('SIGTERM', close);
  // The launcher died without stopping us: do not linger on its ports.
  process.once('disconnect', close);
  return server;
}

function send(message: ServiceMessage): void {
  if (process.send && process.connected) process.send(message);
}
