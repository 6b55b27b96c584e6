import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import path from 'node:path';
import { recordException } from './exception.js';
import { tracedContext } from './client-span.js';
import { applyStatementFault, markFault, statementFault } from './faults.js';
import type { FaultDecision } from '@debugpanel/model';
import { getState, type TracingState } from './state.js';
import { CALL_SITE_EVERY, CALL_SITE_FIRST, captureCallSite } from './db-common.js';

/**
 * Client spans for better-sqlite3 (tested with v12): prepared statements' run/get/all/iterate and
 * `Database#exec`. better-sqlite3 is synchronous, so a span covers exactly the call. Like HTTP
 * client spans, they are made only inside an active trace: start-up migrations and seeding do not
 * flood the panel.
 */

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

const PATCHED = Symbol.for('debugpanel.tracing.sqlite.patched');
const STATEMENT_METHODS = ['run', 'get', 'all', 'iterate'] as const;
const MAX_QUERY_TEXT = 4096;

interface StatementInfo {
  name: string;
  attributes: Attributes;
  /** Traced calls so far: the first few and then one in CALL_SITE_EVERY get the app's call site */
  calls?: number;
}

/** Per statement, computed at its first traced call: statements are prepared once, run often. */
const statementInfo = new WeakMap<object, StatementInfo>();


const OPERATION = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/;
const TABLE = /\b(?:FROM|INTO|UPDATE|TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?)\s+["`[]?([\w.]+)/i;

/** Span name and attributes for one SQL text on one database file. */
export function describeSql(sql: string, databaseName: unknown): StatementInfo {
  const operation = OPERATION.exec(sql)?.[1]?.toUpperCase();
  const table = TABLE.exec(sql)?.[1];
  const file = typeof databaseName === 'string' && databaseName !== '' ? databaseName : ':memory:';
  const attributes: Attributes = {
    'db.system.name': 'sqlite',
    'db.system': 'sqlite',
    'db.namespace': file.startsWith(':') ? file : path.basename(file),
    'db.query.text': sql.length > MAX_QUERY_TEXT ? sql.slice(0, MAX_QUERY_TEXT) : sql,
  };
  if (operation) attributes['db.operation.name'] = operation;
  if (table) attributes['db.collection.name'] = table;
  // Semantic conventions: "{operation} {target}", else the operation, else the system.
  const name = operation ? (table ? `${operation} ${table}` : operation) : 'sqlite';
  return { name, attributes };
}

function infoFor(statement: object): StatementInfo {
  let info = statementInfo.get(statement);
  if (info === undefined) {
    const s = statement as { source?: unknown; database?: { name?: unknown } };
    info = describeSql(typeof s.source === 'string' ? s.source : '', s.database?.name);
    statementInfo.set(statement, info);
  }
  return info;
}

function startSpan(state: TracingState, info: StatementInfo): Span | undefined {
  const ctx = tracedContext(state);
  if (ctx === undefined) return undefined;
  const n = (info.calls = (info.calls ?? 0) + 1) - 1;
  let attributes = info.attributes;
  if (n < CALL_SITE_FIRST || n % CALL_SITE_EVERY === 0) {
    const site = captureCallSite();
    if (site !== undefined) attributes = { ...attributes, 'code.file.path': site.file, 'code.line.number': site.line, 'code.column.number': site.column };
  }
  return state.tracer.startSpan(info.name, { kind: SpanKind.CLIENT, attributes }, ctx);
}

function fail(span: Span, err: unknown): void {
  recordException(span, err);
  span.end();
}

/** The chaos decision for a statement (only called while a fault rule is active). */
function faultFor(state: TracingState, info: StatementInfo): FaultDecision | undefined {
  try {
    return statementFault(state, 'sqlite', String(info.attributes['db.query.text'] ?? ''));
  } catch {
    state.outgoingErrors++;
    return undefined;
  }
}

function wrapCall(state: TracingState, original: AnyFn, describe: (self: object, args: unknown[]) => StatementInfo): AnyFn {
  return function (this: unknown, ...args: unknown[]): unknown {
    let span: Span | undefined;
    let fault: FaultDecision | undefined;
    try {
      const info = describe(this as object, args);
      span = startSpan(state, info);
      if (state.faults !== undefined) fault = faultFor(state, info);
    } catch {
      span = undefined;
    }
    if (fault !== undefined) {
      markFault(span, fault);
      try {
        applyStatementFault(fault);
      } catch (err) {
        if (span !== undefined) fail(span, err);
        throw err;
      }
    }
    if (span === undefined) return original.apply(this, args);
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (err) {
      fail(span, err);
      throw err;
    }
    span.end();
    return result;
  };
}

/** `iterate()` returns a lazy iterator: its span lasts until the iteration ends or stops. */
function wrapIterate(state: TracingState, original: AnyFn): AnyFn {
  return function (this: unknown, ...args: unknown[]): unknown {
    let span: Span | undefined;
    let fault: FaultDecision | undefined;
    try {
      const info = infoFor(this as object);
      span = startSpan(state, info);
      if (state.faults !== undefined) fault = faultFor(state, info);
    } catch {
      span = undefined;
    }
    if (fault !== undefined) {
      markFault(span, fault);
      try {
        applyStatementFault(fault);
      } catch (err) {
        if (span !== undefined) fail(span, err);
        throw err;
      }
    }
    if (span === undefined) return original.apply(this, args);
    let inner: Iterator<unknown> & { return?(value?: unknown): IteratorResult<unknown> };
    try {
      inner = original.apply(this, args) as typeof inner;
    } catch (err) {
      fail(span, err);
      throw err;
    }
    const s = span;
    let open = true;
    const finish = (): void => {
      if (open) {
        open = false;
        s.end();
      }
    };
    return {
      next(...a: [] | [unknown]): IteratorResult<unknown> {
        try {
          const r = inner.next(...a);
          if (r.done) finish();
          return r;
        } catch (err) {
          if (open) {
            open = false;
            fail(s, err);
          }
          throw err;
        }
      },
      return(value?: unknown): IteratorResult<unknown> {
        finish();
        return inner.return ? inner.return(value) : { done: true, value };
      },
      [Symbol.iterator]() {
        return this;
      },
    };
  };
}

function patchObject(state: TracingState, target: Record<string, unknown>, replacements: Record<string, (o: AnyFn) => AnyFn>): void {
  if (Object.prototype.hasOwnProperty.call(target, PATCHED)) return;
  const originals: Record<string, AnyFn> = {};
  for (const [name, wrap] of Object.entries(replacements)) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    originals[name] = original as AnyFn;
    target[name] = wrap(original as AnyFn);
  }
  Object.defineProperty(target, PATCHED, { value: true, configurable: true });
  state.sqlitePatches.push({ target, originals });
}

function patchStatementPrototype(state: TracingState, proto: Record<string, unknown>): void {
  const replacements: Record<string, (o: AnyFn) => AnyFn> = {};
  for (const name of STATEMENT_METHODS) {
    replacements[name] =
      name === 'iterate' ? (o) => wrapIterate(state, o) : (o) => wrapCall(state, o, (self) => infoFor(self));
  }
  patchObject(state, proto, replacements);
}

function patchDatabasePrototype(state: TracingState, proto: Record<string, unknown>): void {
  patchObject(state, proto, {
    exec: (o) =>
      wrapCall(state, o, (self, args) =>
        describeSql(typeof args[0] === 'string' ? args[0] : '', (self as { name?: unknown }).name),
      ),
  });
}

/**
 * Instruments better-sqlite3 given its Database class (`import Database from 'better-sqlite3'`)
 * or one Database instance. Every Database shares the Statement prototype, so this is needed
 * once per process. With the class, the Statement prototype is reached at the first `prepare()`,
 * so no database is opened here. `setupTracing()` calls it by itself for every copy the app loads
 * (db-auto.ts); call it yourself for a copy that Node's CommonJS loader never sees (a bundle).
 *
 * @example
 * import Database from 'better-sqlite3';
 * import { instrumentBetterSqlite3 } from '@debugpanel/tracing';
 * instrumentBetterSqlite3(Database);
 */
export function instrumentBetterSqlite3(target: unknown): void {
  const state = getState();
  if (typeof target === 'function' && typeof (target as { prototype?: { prepare?: unknown } }).prototype?.prepare === 'function') {
    const proto = (target as { prototype: Record<string, unknown> }).prototype;
    patchDatabasePrototype(state, proto);
    patchPrepareOnce(state, proto);
    return;
  }
  if (target !== null && typeof target === 'object' && typeof (target as { prepare?: unknown }).prepare === 'function') {
    const db = target as { prepare(sql: string): object };
    patchDatabasePrototype(state, Object.getPrototypeOf(db) as Record<string, unknown>);
    // Preparing (not running) a statement is the one way to reach the native Statement prototype.
    patchStatementPrototype(state, Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, unknown>);
    return;
  }
  throw new TypeError('instrumentBetterSqlite3() expects the better-sqlite3 Database class or a Database instance');
}

/** Wraps `prepare` until its first call, which reveals (and patches) the Statement prototype. */
function patchPrepareOnce(state: TracingState, proto: Record<string, unknown>): void {
  const prepare = proto.prepare as AnyFn;
  if ((prepare as { [PATCHED]?: boolean })[PATCHED]) return;
  const once = function (this: unknown, ...args: unknown[]): unknown {
    const statement = prepare.apply(this, args);
    if (proto.prepare === once) proto.prepare = prepare;
    try {
      patchStatementPrototype(state, Object.getPrototypeOf(statement) as Record<string, unknown>);
    } catch {
      // an unexpected better-sqlite3 shape: leave it uninstrumented rather than fail the app
    }
    return statement;
  } as AnyFn & { [PATCHED]?: boolean };
  once[PATCHED] = true;
  proto.prepare = once;
  state.sqlitePatches.push({ target: proto, originals: { prepare } });
}

/** Restores every patched prototype. */
export function unpatchBetterSqlite3(state: TracingState): void {
  for (const { target, originals } of state.sqlitePatches.splice(0)) {
    for (const [name, fn] of Object.entries(originals)) {
      if (name === 'prepare' && (target.prepare as { [PATCHED]?: boolean })?.[PATCHED] !== true) continue;
      target[name] = fn;
    }
    delete (target as Record<PropertyKey, unknown>)[PATCHED];
  }
}
