/**
 * Prints the one-click login URL once the app's server is known:
 * `debugpanel: open http://127.0.0.1:3000/_debug/login?token=...`. The panel is created before the
 * server listens, so it listens to Node's diagnostics channels for the first server that starts
 * listening (or answers a request) with this panel among its middleware, then unsubscribes: no
 * cost on requests after that.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';

const LISTEN = 'tracing:net.server.listen:asyncEnd';
const REQUEST = 'http.server.request.start';

type Fn = (...args: never[]) => unknown;

/** True when `fn` (an app, a router, a middleware) is or holds `target`, a few mounts deep. */
function holds(fn: unknown, target: Fn, depth: number): boolean {
  if (fn === target) return true;
  if (depth > 4 || (typeof fn !== 'function' && typeof fn !== 'object') || fn === null) return false;
  let stack: unknown;
  try {
    const f = fn as { stack?: unknown; _router?: { stack?: unknown }; router?: { stack?: unknown } };
    // Express 4 keeps its router in `_router` (its `router` getter throws); Express 5 in `router`.
    stack = Array.isArray(f.stack) ? f.stack : (f._router ?? f.router)?.stack;
  } catch {
    return false;
  }
  if (!Array.isArray(stack)) return false;
  return stack.some((layer: { handle?: unknown }) => holds(layer?.handle, target, depth + 1));
}

/** Does this server run `middleware`? Unknown frameworks (no router to look into) count as yes. */
export function servesPanel(server: { listeners?: (e: string) => unknown[] }, middleware: Fn): boolean {
  const listeners = server.listeners?.('request') ?? [];
  let inspectable = false;
  for (const l of listeners) {
    if (holds(l, middleware, 0)) return true;
    const f = l as { _router?: unknown; router?: unknown; stack?: unknown };
    try {
      if (f._router || f.router || f.stack) inspectable = true;
    } catch {
      inspectable = true;
    }
  }
  return !inspectable;
}

/** `http://127.0.0.1:3000`: loopback for a server bound to every address or to loopback. */
export function originOf(address: AddressInfo): string {
  const a = address.address;
  const host = a === '::' || a === '0.0.0.0' || a === '' || a === '127.0.0.1' || a === '::ffff:127.0.0.1' ? '127.0.0.1' : a.includes(':') ? `[${a}]` : a;
  return `http://${host}:${address.port}`;
}

export interface Announcer {
  stop(): void;
}

/**
 * Calls `print` once with the login URL of the first server found running `middleware`.
 * @example announceLogin({ path: '/_debug', token, middleware, print: console.log })
 */
export function announceLogin(o: { path: string; token: string; middleware: Fn; print: (line: string) => void; note?: string }): Announcer {
  let done = false;
  const stop = () => {
    if (done) return;
    done = true;
    unsubscribe(LISTEN, onListen);
    unsubscribe(REQUEST, onRequest);
  };
  const found = (server: { address?: () => unknown; listeners?: (e: string) => unknown[] } | undefined) => {
    try {
      if (done || !server || !servesPanel(server, o.middleware)) return;
      const address = server.address?.();
      if (!address || typeof address !== 'object') return;
      stop();
      o.print(`debugpanel: open ${originOf(address as AddressInfo)}${o.path}/login?token=${encodeURIComponent(o.token)}${o.note ?? ''}`);
    } catch {
      // announcing is a courtesy: never let it break the app's listen or request
    }
  };
  function onListen(message: unknown): void {
    found((message as { server?: never })?.server);
  }
  function onRequest(message: unknown): void {
    found((message as { server?: never })?.server);
  }
  subscribe(LISTEN, onListen);
  subscribe(REQUEST, onRequest);
  return { stop };
}
