/**
 * Starts the demo services as child processes (`node dist/services/<name>.js`), each with its own
 * panel, and stops them. Used by run.ts and by the acceptance test, so both start the shop the
 * same way.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVICES, type ServiceName } from './config.js';
import type { ServiceMessage } from './service-kit.js';

/** Both src/ (under vitest) and dist/ sit one level below the app folder. */
const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function serviceEntry(name: ServiceName): string {
  return path.join(APP_DIR, 'dist', 'services', `${name}.js`);
}

export interface RunningService {
  name: ServiceName;
  port: number;
  /** e.g. http://127.0.0.1:3001 */
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines the process printed, for error messages. */
  output: string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Called with every line the child prints. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** ms to wait for the service to listen */
  timeoutMs?: number;
}

const KEEP_LINES = 50;

/**
 * Forks one service and resolves when it listens, with its real port (pass `<NAME>_PORT=0` for a
 * free one). Rejects with the child's own message when it cannot listen or exits early.
 * @example const inventory = await startService('inventory', { env: { INVENTORY_PORT: '0' } });
 */
export function startService(name: ServiceName, options: StartOptions = {}): Promise<RunningService> {
  const { env = {}, onLine, timeoutMs = 20_000 } = options;
  const child = fork(serviceEntry(name), [], {
    // Stack traces in the panel then point at the TypeScript sources.
    execArgv: ['--enable-source-maps'],
    env: { ...process.env, ...env },
    // The panel's tracing finds better-sqlite3 by resolving it from the working directory.
    cwd: APP_DIR,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    createInterface({ input: child[stream]! }).on('line', (line) => {
      output.push(line);
      if (output.length > KEEP_LINES) output.shift();
      onLine?.(line, stream);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  async function stop(graceMs = 4000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  return new Promise<RunningService>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(500);
      fail(new Error(`${name} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: ServiceMessage) => {
      if (message?.type === 'ready') {
        cleanup();
        resolve({ name, port: message.port, url: message.url, child, exited, output, stop });
      } else if (message?.type === 'listen-error') {
        fail(new Error(message.message));
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      // A caller that printed the lines as they came does not need them twice.
      const last = onLine ? '' : output.slice(-10).join('\n');
      fail(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})${last ? `:\n${last}` : ''}`));
    };
    const onError = (err: Error) => fail(new Error(`${name} could not be started: ${err.message}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
    function cleanup(): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    function fail(err: Error): void {
      cleanup();
      void stop(500);
      reject(err);
    }
  });
}

export interface ShopOptions {
  /** Port per service; 0 for a free one. */
  ports: Record<ServiceName, number>;
  host?: string;
  /** SQLite files go here; without it the databases live in memory. */
  dataDir?: string;
  /**
   * The panels' token, the same for the three services, so the hub takes the others' spans and one
   * login URL pattern opens each panel. Default: `DEBUGPANEL_TOKEN`, else a random one per run.
   */
  token?: string;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  onLine?: (service: ServiceName, line: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * Starts the three services side by side (each one's start-up is mostly module loading, so in
 * parallel it takes a third of the time), each told where the others listen. A port of 0 is
 * replaced by a free one first. If one fails, the others are stopped and the error is rethrown.
 * @example const shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 } });
 */
/** The demo's panel token: `DEBUGPANEL_TOKEN` when set, else 192 random bits for this run. */
export function demoToken(env: Record<string, string | undefined> = process.env): string {
  return env.DEBUGPANEL_TOKEN || randomBytes(24).toString('hex');
}

/** `http://127.0.0.1:3000/_debug/login?token=...`: one click, then the token is in a cookie. */
export function loginUrl(service: Pick<RunningService, 'url'>, token: string): string {
  return `${service.url}/_debug/login?token=${encodeURIComponent(token)}`;
}

export async function startShop(options: ShopOptions): Promise<Record<ServiceName, RunningService>> {
  const host = options.host ?? '127.0.0.1';
  const ports = { ...options.ports };
  for (const name of SERVICES) if (ports[name] === 0) ports[name] = await freePort(host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const common: Record<string, string> = {
    DEMO_HOST: host,
    GATEWAY_URL: `http://${urlHost}:${ports.gateway}`,
    ORDERS_URL: `http://${urlHost}:${ports.orders}`,
    INVENTORY_URL: `http://${urlHost}:${ports.inventory}`,
    DEBUGPANEL_TOKEN: options.token ?? demoToken(),
    ...options.env,
  };
  if (options.dataDir) common.DEMO_DATA_DIR = options.dataDir;
  const results = await Promise.allSettled(
    SERVICES.map((name) =>
      startService(name, {
        env: { ...common, [`${name.toUpperCase()}_PORT`]: String(ports[name]) },
        onLine: options.onLine && ((line, stream) => options.onLine!(name, line, stream)),
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  const [gateway, orders, inventory] = results.map((r) => (r as PromiseFulfilledResult<RunningService>).value);
  return { gateway: gateway!, orders: orders!, inventory: inventory! };
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when nothing listens on host:port (checked by binding it briefly). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
