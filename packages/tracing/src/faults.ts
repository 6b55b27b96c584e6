/**
 * Fault hook points for `@debugpanel/chaos` (or any `FaultInjector`): outgoing node:http/https
 * requests, fetch, and database statements (better-sqlite3 here; pg and mysql2 in their files). Tracing holds an injector only while a rule is
 * active, so with none every hook is one `state.faults === undefined` check. A fault is marked on
 * the call's span (`debugpanel.chaos.rule` attribute and a `debugpanel.chaos.fault` event), so a
 * trace shows what was injected and what was real.
 */
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { context, createContextKey, type Context, type Span } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import {
  CHAOS_EVENT,
  CHAOS_RULE_ATTRIBUTE,
  faultEventAttributes,
  type FaultDecision,
  type FaultHeaders,
  type FaultInjector,
  type IncomingCall,
  type OutgoingCall,
  type StatementCall,
} from '@debugpanel/model';
import { fingerprint } from '@debugpanel/queries';
import type { TracingState } from './state.js';

/** Context key of the incoming request's headers, set only while a header-scoped rule exists. */
export const FAULT_HEADERS_KEY = createContextKey('debugpanel.chaos.headers');
/** Context key of a fetch latency fault, so the undici span of that fetch can be marked. */
export const PENDING_FAULT_KEY = createContextKey('debugpanel.chaos.pending');

export function markFault(span: Span | undefined, d: FaultDecision): void {
  if (span === undefined) return;
  span.setAttribute(CHAOS_RULE_ATTRIBUTE, d.ruleId);
  span.addEvent(CHAOS_EVENT, faultEventAttributes(d));
}

/** Headers of the incoming request the current call belongs to (only when a rule needs them). */
export function faultHeaders(faults: FaultInjector, ctx: Context): FaultHeaders | undefined {
  return faults.headerScoped ? (ctx.getValue(FAULT_HEADERS_KEY) as FaultHeaders | undefined) : undefined;
}

/** Several panels in one process, each with its injector: the first that decides wins. */
export class CompositeInjector implements FaultInjector {
  constructor(private readonly parts: ReadonlyArray<FaultInjector>) {}
  get headerScoped(): boolean {
    return this.parts.some((p) => p.headerScoped);
  }
  get fingerprintScoped(): boolean {
    return this.parts.some((p) => p.fingerprintScoped === true);
  }
  incoming(call: IncomingCall): FaultDecision | undefined {
    for (const p of this.parts) {
      const d = p.incoming(call);
      if (d) return d;
    }
    return undefined;
  }
  outgoing(call: OutgoingCall, headers: FaultHeaders | undefined): FaultDecision | undefined {
    for (const p of this.parts) {
      const d = p.outgoing(call, headers);
      if (d) return d;
    }
    return undefined;
  }
  statement(call: StatementCall, headers: FaultHeaders | undefined): FaultDecision | undefined {
    for (const p of this.parts) {
      const d = p.statement(call, headers);
      if (d) return d;
    }
    return undefined;
  }
}

/** An error with a Node-style `code`, as the real failure would carry. */
export function faultError(d: FaultDecision, code: string, name = 'Error'): Error {
  const err = new Error(d.message) as Error & { code: string; chaosRule: string };
  err.name = name;
  err.code = code;
  err.chaosRule = d.ruleId;
  return err;
}

/** The decision for an outgoing call, or undefined (no rule, the panel's own traffic, suppressed). */
export function outgoingFault(state: TracingState, call: OutgoingCall): FaultDecision | undefined {
  const faults = state.faults;
  if (faults === undefined) return undefined;
  const ctx = context.active();
  if (isTracingSuppressed(ctx)) return undefined;
  return faults.outgoing(call, faultHeaders(faults, ctx));
}

// ---- node:http / node:https ----

/**
 * Applies `d` to a request that `http.request` just made. Its events pass through one wrapper of
 * `emit` (outside the span's own), so the span sees what the app sees:
 * - latency: the real response is handed over `ms` later;
 * - error: the real request is destroyed before anything is written, and a response with the
 *   status and a JSON body is handed over instead;
 * - reset: the request fails with ECONNRESET;
 * - timeout: nothing answers; after `ms` (or the request's own `timeout`, which emits 'timeout'
 *   first) it fails with ETIMEDOUT. `req.destroy(err)` from the app ends it with that error.
 */
export function applyHttpFault(req: ClientRequest, d: FaultDecision): void {
  const emit = req.emit;
  if (d.kind === 'latency') {
    req.emit = function (this: ClientRequest, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'response') {
        setTimeout(() => emit.call(this, event, ...args), d.ms);
        return true;
      }
      return emit.call(this, event, ...args);
    } as typeof emit;
    return;
  }
  if (d.kind === 'reset') {
    req.destroy(faultError(d, 'ECONNRESET'));
    return;
  }
  // error and timeout: the real request goes quietly; the app hears only the fake one.
  let live = true;
  req.emit = function (this: ClientRequest, event: string | symbol, ...args: unknown[]): boolean {
    // Before the fake is done, the destroyed request's own events ('error' socket hang up,
    // 'close', 'socket') are not the app's business; after, nothing more comes.
    void event;
    void args;
    return false;
  } as typeof emit;
  const fail = (err: Error): void => {
    if (!live) return;
    live = false;
    clearTimeout(timer);
    emit.call(req, 'error', err);
    emit.call(req, 'close');
  };
  const destroy = req.destroy;
  destroy.call(req);
  req.destroy = function (this: ClientRequest, err?: Error): ClientRequest {
    fail(err ?? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    return this;
  } as typeof req.destroy;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (d.kind === 'error') {
    timer = setTimeout(() => {
      if (!live) return;
      const res = fakeResponse(d);
      res.once('end', () => {
        if (!live) return;
        live = false;
        emit.call(req, 'close');
      });
      emit.call(req, 'response', res);
    }, 0);
    return;
  }
  // timeout: the app's own timeout (`timeout` option or `setTimeout()`) fires first if shorter.
  let own = (req as { timeout?: number }).timeout ?? 0;
  const arm = (): void => {
    clearTimeout(timer);
    if (own > 0 && own < d.ms) {
      timer = setTimeout(() => {
        if (!live) return;
        emit.call(req, 'timeout');
        // An app that listens for 'timeout' but does nothing still gets the failure later.
        timer = setTimeout(() => fail(faultError(d, 'ETIMEDOUT')), d.ms - own);
      }, own);
    } else {
      timer = setTimeout(() => fail(faultError(d, 'ETIMEDOUT')), d.ms);
    }
  };
  req.setTimeout = function (this: ClientRequest, msecs: number, callback?: () => void): ClientRequest {
    if (callback) this.once('timeout', callback);
    own = Number(msecs) || 0;
    if (live) arm();
    return this;
  } as typeof req.setTimeout;
  arm();
}

function fakeResponse(d: FaultDecision): IncomingMessage {
  const res = new http.IncomingMessage(new Socket());
  const body = JSON.stringify({ error: d.message, rule: d.ruleId });
  res.statusCode = d.status;
  res.statusMessage = http.STATUS_CODES[d.status] ?? '';
  res.httpVersion = '1.1';
  res.headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-debugpanel-chaos': d.ruleId };
  res.rawHeaders = Object.entries(res.headers).flatMap(([k, v]) => [k, String(v)]);
  res.push(body);
  res.push(null);
  res.complete = true;
  return res;
}

// ---- better-sqlite3 (synchronous) ----

let sleeper: Int32Array | undefined;

/**
 * Blocks the thread for `ms`: better-sqlite3 is synchronous, so a slow statement blocks too.
 * The rule's validation caps it (`CHAOS_MAX_BLOCKING_MS`).
 */
export function blockFor(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The decision for a statement about to run, or undefined. */
export function statementFault(state: TracingState, system: string, text: string): FaultDecision | undefined {
  const faults = state.faults;
  if (faults === undefined) return undefined;
  const ctx = context.active();
  if (isTracingSuppressed(ctx)) return undefined;
  // The fingerprint (cached by text) only when a rule is scoped by one.
  const call: StatementCall = faults.fingerprintScoped === true ? { system, text, fingerprint: fingerprint(text).id } : { system, text };
  return faults.statement(call, faultHeaders(faults, ctx));
}

/**
 * Applies a statement fault before the statement runs: latency blocks then lets it run; error
 * throws at once (the statement does not run); timeout blocks then throws SQLITE_BUSY, as a
 * `busy_timeout` running out does.
 */
export function applyStatementFault(d: FaultDecision): void {
  if (d.kind === 'latency') {
    blockFor(d.ms);
    return;
  }
  if (d.kind === 'timeout') {
    blockFor(d.ms);
    throw faultError(d, 'SQLITE_BUSY', 'SqliteError');
  }
  throw faultError(d, 'SQLITE_IOERR', 'SqliteError');
}

// ---- pg and mysql2 (asynchronous) ----

/**
 * The error an async driver's caller gets for an injected statement fault, shaped like the
 * driver's own: pg's `DatabaseError` with a SQLSTATE (`XX000` internal error, `57014` statement
 * timeout), mysql2's error with `code`, `errno` and `sqlState` (`ER_UNKNOWN_ERROR`, and
 * `PROTOCOL_SEQUENCE_TIMEOUT` as its own query timeout gives).
 */
export function dbFaultError(d: FaultDecision, system: 'postgresql' | 'mysql'): Error {
  const timeout = d.kind === 'timeout';
  if (system === 'postgresql') {
    const err = faultError(d, timeout ? '57014' : 'XX000', 'DatabaseError');
    return Object.assign(err, { severity: 'ERROR' });
  }
  const err = faultError(d, timeout ? 'PROTOCOL_SEQUENCE_TIMEOUT' : 'ER_UNKNOWN_ERROR');
  return timeout ? Object.assign(err, { fatal: false }) : Object.assign(err, { errno: 1105, sqlState: 'HY000', sqlMessage: d.message });
}

/** How long before an injected failure is handed over: a timeout hangs for `ms`, an error comes at once. */
export function failAfterMs(d: FaultDecision): number {
  return d.kind === 'timeout' ? d.ms : 0;
}
