/**
 * Client spans for mysql2 (3.x), through the tracing channels it publishes on
 * `node:diagnostics_channel` (`mysql2:query`, `mysql2:execute`): `query` and `execute` in callback
 * form, in the promise API (`mysql2/promise`, which calls the callback form) and through pools.
 * Subscribing to a channel does not depend on how or when mysql2 was loaded (require or import,
 * before or after the panel, from any directory), and costs mysql2 nothing while nobody listens.
 *
 * The pool's `getConnection` callback is bound to the caller's context when the mysql2 that
 * `process.cwd()` resolves is patched, so that a query that waited for a free connection stays a
 * child of the request that asked for it.
 */
import { context, type Span } from '@opentelemetry/api';
import diagnostics from 'node:diagnostics_channel';
import { tracedContext } from './client-span.js';
import { endDbSpan, startDbSpan } from './db-common.js';
import type { TracingState } from './state.js';

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
const SPAN = Symbol('debugpanel.mysql2.span');
const PATCHED = Symbol.for('debugpanel.tracing.mysql2.patched');

interface Mysql2Context {
  query?: unknown;
  database?: unknown;
  serverAddress?: unknown;
  serverPort?: unknown;
  error?: unknown;
  result?: unknown;
  [SPAN]?: Span | undefined;
}

function rowsOf(result: unknown): number | undefined {
  // a SELECT's callback gets its rows; other statements get a ResultSetHeader
  return Array.isArray(result) ? result.length : undefined;
}

function handlers(state: TracingState) {
  const finish = (ctx: Mysql2Context): void => {
    const span = ctx[SPAN];
    if (span === undefined) return;
    ctx[SPAN] = undefined;
    endDbSpan(span, ctx.error, rowsOf(ctx.result));
  };
  return {
    start(message: unknown) {
      const ctx = message as Mysql2Context;
      try {
        const parent = tracedContext(state);
        if (parent === undefined || typeof ctx.query !== 'string') return;
        const address = typeof ctx.serverAddress === 'string' && !ctx.serverAddress.startsWith('/') ? ctx.serverAddress : undefined;
        ctx[SPAN] = startDbSpan(
          state,
          parent,
          {
            system: 'mysql',
            namespace: typeof ctx.database === 'string' && ctx.database !== '' ? ctx.database : undefined,
            host: address,
            port: typeof ctx.serverPort === 'number' ? ctx.serverPort : undefined,
          },
          ctx.query,
        );
      } catch {
        state.outgoingErrors++;
      }
    },
    end(message: unknown) {
      // a synchronous throw ends here, with no async events after it
      const ctx = message as Mysql2Context;
      if (ctx.error !== undefined) finish(ctx);
    },
    asyncStart(message: unknown) {
      finish(message as Mysql2Context);
    },
    asyncEnd(message: unknown) {
      finish(message as Mysql2Context);
    },
    error() {
      // recorded by asyncStart / end, which come after it with `error` set
    },
  };
}

/** Subscribes to mysql2's channels; returns the unsubscribe, or undefined without tracing channels (Node < 19.9). */
export function subscribeMysql2(state: TracingState): { unsubscribe(): void } | undefined {
  const tc = (diagnostics as { tracingChannel?: (name: string) => { subscribe(h: object): void; unsubscribe(h: object): void } }).tracingChannel;
  if (typeof tc !== 'function') return undefined;
  const h = handlers(state);
  const channels = ['mysql2:query', 'mysql2:execute'].map((name) => tc(name));
  for (const ch of channels) ch.subscribe(h);
  return {
    unsubscribe() {
      for (const ch of channels) ch.unsubscribe(h);
    },
  };
}

/** `Pool#getConnection(cb)` with `cb` bound to the caller's context. */
export function instrumentMysql2Pool(state: TracingState, mysql2: unknown): boolean {
  const m = mysql2 as { Pool?: { prototype?: Record<string, unknown> }; default?: unknown } | null;
  const mod = (m && typeof m.Pool !== 'function' && m.default ? m.default : m) as typeof m;
  const proto = mod?.Pool?.prototype;
  if (proto === undefined) return false;
  const original = proto.getConnection as (AnyFn & { [PATCHED]?: boolean }) | undefined;
  if (typeof original !== 'function' || original[PATCHED]) return true;
  const wrapped = function getConnection(this: unknown, ...args: unknown[]): unknown {
    if (typeof args[0] === 'function') args[0] = context.bind(context.active(), args[0] as AnyFn);
    return original.apply(this, args);
  } as AnyFn & { [PATCHED]?: boolean };
  wrapped[PATCHED] = true;
  const own = Object.prototype.hasOwnProperty.call(proto, 'getConnection');
  proto.getConnection = wrapped;
  state.dbPatches.push({ target: proto, name: 'getConnection', original, wrapped, own });
  return true;
}
