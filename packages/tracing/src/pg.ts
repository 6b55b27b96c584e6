/**
 * Client spans for node-postgres (`pg` 8, with `pg-pool`): `Client#query` in its three forms
 * (promise, callback, submittable such as a cursor), which `Pool#query` reaches too. The pool's
 * `connect` callback is bound to the caller's context, so a query that waited for a free client
 * is still a child of the request that asked for it, not of the one that released the client.
 *
 * Own patch rather than @opentelemetry/instrumentation-pg: that one needs the
 * require-in-the-middle machinery of @opentelemetry/instrumentation and makes an extra connect
 * span per pooled query; this patch is two prototype methods, and the bench (`npm run bench`,
 * group `db`) compares the two on a query loop against a local PostgreSQL.
 */
import { context, createContextKey } from '@opentelemetry/api';
import { tracedContext } from './client-span.js';
import type { FaultDecision } from '@debugpanel/model';
import { endDbSpan, MAX_QUERY_TEXT, sampleCallSite, startDbSpan, type PresetSite } from './db-common.js';
import { dbFaultError, failAfterMs, markFault, statementFault } from './faults.js';
import type { TracingState } from './state.js';

/** The call site `Pool#query` saw, for the `Client#query` it makes once a client is free. */
const POOL_SITE = createContextKey('debugpanel.tracing.pg.pool-call-site');

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
const PATCHED = Symbol.for('debugpanel.tracing.pg.patched');

interface PgClientLike {
  database?: unknown;
  host?: unknown;
  port?: unknown;
  connectionParameters?: { database?: unknown; host?: unknown; port?: unknown };
}

interface PgResultLike {
  command?: unknown;
  rows?: unknown;
}

function rowsOf(res: unknown): number | undefined {
  const r = res as PgResultLike | null | undefined;
  if (r === null || typeof r !== 'object' || !Array.isArray(r.rows)) return undefined;
  // rows are returned by SELECT (and RETURNING); other commands say nothing about returned rows
  return r.command === 'SELECT' || r.rows.length > 0 ? r.rows.length : undefined;
}

function targetOf(client: PgClientLike) {
  const p = client.connectionParameters ?? {};
  const database = client.database ?? p.database;
  const host = client.host ?? p.host;
  const port = client.port ?? p.port;
  return {
    system: 'postgresql' as const,
    namespace: typeof database === 'string' ? database : undefined,
    // a Unix socket directory is not a server address
    host: typeof host === 'string' && !host.startsWith('/') ? host : undefined,
    port: typeof port === 'number' ? port : typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : undefined,
  };
}

/** The chaos decision for a statement (only asked while a fault rule is active). */
function faultFor(state: TracingState, text: string): FaultDecision | undefined {
  try {
    return statementFault(state, 'postgresql', text.length > MAX_QUERY_TEXT ? text.slice(0, MAX_QUERY_TEXT) : text);
  } catch {
    state.outgoingErrors++;
    return undefined;
  }
}

/**
 * Fault rules on statements (`debugpanel.chaos`): asked before the query is handed to pg, in a
 * trace or not.
 * - error / timeout: the query is never sent (the connection's queue is untouched); the caller's
 *   callback or promise fails with a pg-shaped error, at once or after `ms`;
 * - latency: the query runs at once, in order with the others on its connection, and its result
 *   reaches the caller `ms` later (a submittable, such as a cursor, is submitted `ms` later instead).
 */
function wrapQuery(state: TracingState, original: AnyFn): AnyFn {
  return function query(this: unknown, ...args: unknown[]): unknown {
    const config = args[0] as { text?: unknown; callback?: unknown; submit?: unknown; handleError?: unknown } | string | undefined;
    let ctx;
    try {
      ctx = tracedContext(state);
    } catch {
      ctx = undefined;
    }
    const text = typeof config === 'string' ? config : typeof config?.text === 'string' ? config.text : undefined;
    if (text === undefined) return original.apply(this, args);
    const fault = state.faults !== undefined ? faultFor(state, text) : undefined;
    if (ctx === undefined && fault === undefined) return original.apply(this, args);
    let preset: PresetSite | undefined;
    const pooled = ctx?.getValue(POOL_SITE) as PresetSite | undefined;
    if (pooled !== undefined && !pooled.used && pooled.text === text) {
      pooled.used = true;
      preset = pooled;
    }
    const span = ctx === undefined ? undefined : startDbSpan(state, ctx, targetOf(this as PgClientLike), text, preset);
    if (span === undefined && fault === undefined) return original.apply(this, args);
    if (fault !== undefined) markFault(span, fault);
    let done = false;
    const finish = (err: unknown, res: unknown): void => {
      if (done) return;
      done = true;
      if (span !== undefined) endDbSpan(span, err, err ? undefined : rowsOf(res));
    };
    const submittable = typeof config === 'object' && config !== null && typeof config.submit === 'function';
    const last = args.length - 1;
    const callbackAt = last >= 1 && typeof args[last] === 'function' ? last : -1;
    const configCallback = callbackAt < 0 && typeof config === 'object' && config !== null && typeof config.callback === 'function' && !submittable;

    if (fault !== undefined && fault.kind !== 'latency') {
      const err = dbFaultError(fault, 'postgresql');
      const fail = (deliver: () => void): void => {
        setTimeout(() => {
          finish(err, undefined);
          deliver();
        }, failAfterMs(fault));
      };
      if (callbackAt >= 0) {
        const cb = args[callbackAt] as AnyFn;
        fail(() => cb.call(this, err, undefined));
        return undefined;
      }
      if (configCallback) {
        const cb = (config as { callback: AnyFn }).callback;
        fail(() => cb.call(this, err, undefined));
        return undefined;
      }
      if (submittable) {
        const c = config as { handleError?: unknown };
        fail(() => {
          if (typeof c.handleError === 'function') (c.handleError as AnyFn).call(c, err, (this as { connection?: unknown }).connection);
        });
        return config;
      }
      return new Promise((_resolve, reject) => fail(() => reject(err)));
    }

    // latency (or none): the result, `later` ms after it came
    const later = fault !== undefined ? fault.ms : 0;
    const hand = (fn: () => void): void => {
      if (later > 0) setTimeout(fn, later);
      else fn();
    };
    if (callbackAt >= 0) {
      const cb = args[callbackAt] as AnyFn;
      args[callbackAt] = function (this: unknown, err: unknown, res: unknown) {
        hand(() => {
          finish(err, res);
          cb.apply(this, [err, res]);
        });
      };
    } else if (configCallback) {
      const c = config as { callback: AnyFn };
      const cb = c.callback;
      c.callback = function (this: unknown, err: unknown, res: unknown) {
        hand(() => {
          finish(err, res);
          cb.apply(this, [err, res]);
        });
      };
    }
    if (submittable && later > 0) {
      setTimeout(() => {
        try {
          original.apply(this, args);
        } catch (err) {
          finish(err, undefined);
        }
      }, later);
      watchSubmittable(config as object, finish);
      return config;
    }
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (err) {
      finish(err, undefined);
      throw err;
    }
    if (!done) {
      const r = result as { then?: unknown; once?: unknown } | null | undefined;
      if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
        if (later > 0) {
          // the caller gets a promise that settles `later` ms after pg's
          return (r as Promise<unknown>).then(
            (res) => new Promise((resolve) => setTimeout(() => (finish(undefined, res), resolve(res)), later)),
            (err: unknown) => new Promise((_resolve, reject) => setTimeout(() => (finish(err ?? new Error('query failed'), undefined), reject(err)), later)),
          );
        }
        // a side chain: the app's own promise is returned untouched
        (r as Promise<unknown>).then(
          (res) => finish(undefined, res),
          (err: unknown) => finish(err ?? new Error('query failed'), undefined),
        );
      } else if (r !== null && typeof r === 'object' && typeof r.once === 'function') {
        watchSubmittable(r, finish);
      } else if (submittable) {
        // a submittable without events: nothing tells when it is done
        finish(undefined, undefined);
      }
    }
    return result;
  };
}

/**
 * `Pool#query`: the stack is the app's only here (the pool runs the query later from its own
 * callback), so the call site is sampled here and handed to the client's span through the context
 * that `Pool#connect` binds its callback to.
 */
function wrapPoolQuery(state: TracingState, original: AnyFn): AnyFn {
  return function query(this: unknown, ...args: unknown[]): unknown {
    const config = args[0] as { text?: unknown } | string | undefined;
    const text = typeof config === 'string' ? config : typeof config?.text === 'string' ? config.text : undefined;
    let ctx;
    let preset: PresetSite | undefined;
    try {
      ctx = text === undefined ? undefined : tracedContext(state);
      if (ctx !== undefined) preset = { text: text!, site: sampleCallSite(state, text!, 'postgresql'), used: false };
    } catch {
      ctx = undefined;
    }
    if (ctx === undefined || preset === undefined) return original.apply(this, args);
    return context.with(ctx.setValue(POOL_SITE, preset), () => original.apply(this, args));
  };
}

function watchSubmittable(r: object, finish: (err: unknown, res: unknown) => void): void {
  const emitter = r as { once?(event: string, fn: (arg?: unknown) => void): void };
  if (typeof emitter.once !== 'function') return finish(undefined, undefined);
  emitter.once('end', (res) => finish(undefined, res));
  emitter.once('error', (err) => finish(err ?? new Error('query failed'), undefined));
}

/** `Pool#connect(cb)` with `cb` bound to the caller's context (see the module comment). */
function wrapConnect(original: AnyFn): AnyFn {
  return function connect(this: unknown, ...args: unknown[]): unknown {
    if (typeof args[0] === 'function') args[0] = context.bind(context.active(), args[0] as AnyFn);
    return original.apply(this, args);
  };
}

function patch(state: TracingState, proto: Record<string, unknown> | undefined, name: string, wrap: (o: AnyFn) => AnyFn): void {
  if (proto === undefined || proto === null) return;
  const original = proto[name];
  if (typeof original !== 'function' || (original as { [PATCHED]?: boolean })[PATCHED]) return;
  const own = Object.prototype.hasOwnProperty.call(proto, name);
  const wrapped = wrap(original as AnyFn) as AnyFn & { [PATCHED]?: boolean };
  wrapped[PATCHED] = true;
  proto[name] = wrapped;
  state.dbPatches.push({ target: proto, name, original: original as AnyFn, wrapped, own });
}

/**
 * Instruments node-postgres given its module (`import pg from 'pg'`). Every Client shares one
 * prototype, so once per process is enough, and clients made before are covered too.
 * `setupTracing()` calls it by itself for the `pg` that `process.cwd()` resolves.
 *
 * @example
 * import pg from 'pg';
 * import { instrumentPg } from '@debugpanel/tracing';
 * instrumentPg(pg);
 */
export function instrumentPg(state: TracingState, pg: unknown): boolean {
  type Ctor = { prototype?: Record<string, unknown> };
  const m = pg as { Client?: unknown; Pool?: unknown; default?: unknown } | null;
  if (m === null || (typeof m !== 'object' && typeof m !== 'function')) return false;
  const mod = (typeof m.Client !== 'function' && m.default ? m.default : m) as { Client?: unknown; Pool?: unknown };
  if (typeof mod?.Client !== 'function') return false;
  patch(state, (mod.Client as Ctor).prototype, 'query', (o) => wrapQuery(state, o));
  if (typeof mod.Pool === 'function') {
    patch(state, (mod.Pool as Ctor).prototype, 'connect', wrapConnect);
    patch(state, (mod.Pool as Ctor).prototype, 'query', (o) => wrapPoolQuery(state, o));
  }
  return true;
}

/** Instruments a `pg-pool` module (its Pool class) on its own. */
export function instrumentPgPool(state: TracingState, Pool: unknown): boolean {
  if (typeof Pool !== 'function') return false;
  const proto = (Pool as { prototype?: Record<string, unknown> }).prototype;
  if (typeof proto?.connect !== 'function') return false;
  patch(state, proto, 'connect', wrapConnect);
  if (typeof proto.query === 'function') patch(state, proto, 'query', (o) => wrapPoolQuery(state, o));
  return true;
}
