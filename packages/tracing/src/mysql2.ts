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
 *
 * Fault rules on statements (`debugpanel.chaos`) need more than a listener: the channel's `start`
 * asks the injector (and marks the span), and the connection's `addCommand`, which mysql2 calls
 * synchronously inside that same `start`, applies the decision to the query or execute command
 * (see `applyCommandFault`). So faults need that patch (the mysql2 `process.cwd()` resolves, or
 * one loaded after the panel) as well as the channels.
 */
import { context, type Span } from '@opentelemetry/api';
import diagnostics from 'node:diagnostics_channel';
import { tracedContext } from './client-span.js';
import type { FaultDecision } from '@debugpanel/model';
import { endDbSpan, MAX_QUERY_TEXT, startDbSpan } from './db-common.js';
import { dbFaultError, failAfterMs, markFault, statementFault } from './faults.js';
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

/**
 * The decision of the statement whose channel `start` is running: `addCommand` takes it in the
 * same synchronous call (the query or execute command is added inside the traced function).
 */
let pendingFault: FaultDecision | undefined;

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
        if (typeof ctx.query !== 'string') return;
        if (state.faults !== undefined) {
          const q = ctx.query.length > MAX_QUERY_TEXT ? ctx.query.slice(0, MAX_QUERY_TEXT) : ctx.query;
          pendingFault = statementFault(state, 'mysql', q);
        }
        const parent = tracedContext(state);
        if (parent === undefined) return;
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
        if (pendingFault !== undefined) markFault(ctx[SPAN], pendingFault);
      } catch {
        state.outgoingErrors++;
      }
    },
    end(message: unknown) {
      // the traced function returned: a decision no command took is dropped
      pendingFault = undefined;
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

interface CommandLike {
  sql?: unknown;
  onResult?: AnyFn;
  emit?: (event: string | symbol, ...args: unknown[]) => boolean;
  constructor: { name: string };
}

/**
 * Applies a statement fault to the query or execute command mysql2 is about to queue:
 * - error / timeout: the command is never queued (a prepared statement's own prepare still runs,
 *   harmlessly); its callback gets a mysql2-shaped error, or, without one, it emits 'error' and
 *   'end', at once or after `ms`;
 * - latency: it is queued at once, in order, and everything it hands back (callback, events)
 *   reaches the caller `ms` later.
 */
function applyCommandFault(conn: unknown, add: AnyFn, cmd: CommandLike, d: FaultDecision): unknown {
  if (d.kind === 'latency') {
    const onResult = cmd.onResult;
    if (typeof onResult === 'function') {
      cmd.onResult = function (this: unknown, ...a: unknown[]) {
        setTimeout(() => onResult.apply(this, a), d.ms);
      };
    }
    const emit = cmd.emit;
    if (typeof emit === 'function') {
      cmd.emit = function (this: unknown, event: string | symbol, ...a: unknown[]): boolean {
        setTimeout(() => emit.call(this, event, ...a), d.ms);
        return true;
      };
    }
    return add.call(conn, cmd);
  }
  const err = dbFaultError(d, 'mysql');
  setTimeout(() => {
    if (typeof cmd.onResult === 'function') cmd.onResult(err);
    else if (typeof cmd.emit === 'function') {
      cmd.emit('error', err);
      cmd.emit('end');
    }
  }, failAfterMs(d));
  return cmd;
}

function wrapAddCommand(original: AnyFn): AnyFn {
  return function addCommand(this: unknown, ...args: unknown[]): unknown {
    const d = pendingFault;
    const cmd = args[0] as CommandLike | undefined;
    if (d === undefined || cmd === undefined || cmd === null || typeof cmd.sql !== 'string' || (cmd.constructor.name !== 'Query' && cmd.constructor.name !== 'Execute')) {
      return original.apply(this, args);
    }
    pendingFault = undefined;
    return applyCommandFault(this, original, cmd, d);
  };
}

/** The prototype (Connection's own or an ancestor's) that holds `name`. */
function ownerOf(proto: object | null | undefined, name: string): Record<string, unknown> | undefined {
  for (let p = proto; p !== null && p !== undefined && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.prototype.hasOwnProperty.call(p, name)) return p as Record<string, unknown>;
  }
  return undefined;
}

/**
 * `Pool#getConnection(cb)` with `cb` bound to the caller's context, and the connection's
 * `addCommand`, where statement faults are applied.
 */
export function instrumentMysql2Pool(state: TracingState, mysql2: unknown): boolean {
  const m = mysql2 as { Pool?: { prototype?: Record<string, unknown> }; Connection?: { prototype?: object }; default?: unknown } | null;
  const mod = (m && typeof m.Pool !== 'function' && m.default ? m.default : m) as typeof m;
  const conn = ownerOf(mod?.Connection?.prototype, 'addCommand');
  const add = conn?.addCommand as (AnyFn & { [PATCHED]?: boolean }) | undefined;
  if (conn !== undefined && typeof add === 'function' && !add[PATCHED]) {
    const wrapped = wrapAddCommand(add) as AnyFn & { [PATCHED]?: boolean };
    wrapped[PATCHED] = true;
    conn.addCommand = wrapped;
    state.dbPatches.push({ target: conn, name: 'addCommand', original: add, wrapped, own: true });
  }
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
