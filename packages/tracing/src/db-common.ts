/**
 * What the pg and mysql2 instrumentations share: the span of one statement (current database
 * semantic conventions), the SQL text as the panel keeps it (literals masked by default, cut at a
 * bound), and the app's own call site, captured for a bounded sample of calls.
 */
import { SpanKind, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { fingerprint, Lru, maskLiterals } from '@debugpanel/queries';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordException } from './exception.js';
import { ERROR_TYPE } from './semconv.js';
import type { TracingState } from './state.js';

/** `db.query.text` longer than this is cut (the fingerprint reads up to 16 KiB; spans keep 4 KiB). */
export const MAX_QUERY_TEXT = 4096;

/** Calls of one statement text that always get a stack, then one in `CALL_SITE_EVERY`. */
export const CALL_SITE_FIRST = 8;
export const CALL_SITE_EVERY = 16;

/** Stack frames read for a call site (the app's frame is usually within the first ten). */
const STACK_LIMIT = 20;

export interface DbTarget {
  system: 'postgresql' | 'mysql';
  namespace?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
}

interface TextInfo {
  text: string;
  name: string;
  operation: string | undefined;
  collection: string | undefined;
  /** Shared by every text of one fingerprint (values typed into SQL make many texts of one query) */
  calls: { n: number };
}

/** Per raw statement text: what the span shows and how many calls it had (call-site sampling). */
const texts = new Lru<string, TextInfo>(2_000);
const callsByFingerprint = new Lru<string, { n: number }>(2_000);

function infoOf(sql: string, full: boolean, system: string): TextInfo {
  let info = texts.get(sql);
  if (info === undefined) {
    const cut = sql.length > MAX_QUERY_TEXT ? sql.slice(0, MAX_QUERY_TEXT) : sql;
    const fp = fingerprint(cut);
    const operation = fp.operation;
    const collection = fp.collection;
    info = {
      text: full ? cut : maskLiterals(cut),
      // Semantic conventions: "{operation} {target}", else the operation, else the system.
      name: operation ? (collection ? `${operation} ${collection}` : operation) : system,
      operation,
      collection,
      calls: callsByFingerprint.get(fp.id) ?? { n: 0 },
    };
    callsByFingerprint.set(fp.id, info.calls);
    texts.set(sql, info);
  }
  return info;
}

// The instrumentation's own files: frames in them are not the app's call site.
const OWN_DIR = path.dirname(fileURLToPath(import.meta.url));
const OWN_FILES = new Set(['db-common', 'pg', 'mysql2', 'db-auto', 'db-public', 'sqlite'].flatMap((n) => ['.js', '.ts'].map((ext) => path.join(OWN_DIR, n + ext))));

/** The app's own `file:line:column` that issued a statement. */
export interface CallSite {
  file: string;
  line: number;
  column: number;
}

/**
 * The call-site decision for a statement whose span is made later, away from the app's stack (a
 * pool's `query` hands the text to a client once one is free, from the pool's own callback).
 */
export interface PresetSite {
  text: string;
  site: CallSite | undefined;
  /** Taken by the first span of `text`, so it cannot stick to later queries in that context */
  used: boolean;
}

/** Counts a call of `sql` and captures its call site when it falls in the sample (see `CALL_SITE_FIRST`). */
export function sampleCallSite(state: TracingState, sql: string, system: string): CallSite | undefined {
  const info = infoOf(sql, state.sqlText === 'full', system);
  const n = info.calls.n++;
  return n < CALL_SITE_FIRST || n % CALL_SITE_EVERY === 0 ? captureCallSite() : undefined;
}

type Frame = { getFileName(): string | null | undefined; getLineNumber(): number | null; getColumnNumber(): number | null };

/**
 * The first frame of the app's own code: not node internals, not node_modules, not the panel.
 * Uses V8's structured frames (no stack string is formatted), so it costs one stack walk.
 */
export function captureCallSite(): CallSite | undefined {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let frames: Frame[] | undefined;
  try {
    Error.stackTraceLimit = STACK_LIMIT;
    Error.prepareStackTrace = (_err, structured) => structured;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, captureCallSite);
    frames = holder.stack as Frame[] | undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  if (!Array.isArray(frames)) return undefined;
  for (const f of frames) {
    let file = f.getFileName();
    if (!file || file.startsWith('node:') || file.startsWith('internal/')) continue;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (file.includes(`${path.sep}node_modules${path.sep}`) || OWN_FILES.has(file)) continue;
    return { file, line: f.getLineNumber() ?? 0, column: f.getColumnNumber() ?? 0 };
  }
  return undefined;
}

/**
 * Starts the client span of one statement under `ctx`; never throws (returns undefined instead).
 * `preset` is a call-site decision already made where the app called (see `PresetSite`).
 */
export function startDbSpan(state: TracingState, ctx: Context, target: DbTarget, sql: string, preset?: PresetSite): Span | undefined {
  try {
    const info = infoOf(sql, state.sqlText === 'full', target.system);
    const attributes: Attributes = {
      'db.system.name': target.system,
      // the older key, which @debugpanel/dependency-map and many back ends still read
      'db.system': target.system,
      'db.query.text': info.text,
    };
    if (target.namespace) attributes['db.namespace'] = target.namespace;
    if (info.operation) attributes['db.operation.name'] = info.operation;
    if (info.collection) attributes['db.collection.name'] = info.collection;
    if (target.host) attributes['server.address'] = target.host;
    if (target.port) attributes['server.port'] = target.port;
    let site: CallSite | undefined;
    if (preset !== undefined) site = preset.site;
    else {
      const n = info.calls.n++;
      if (n < CALL_SITE_FIRST || n % CALL_SITE_EVERY === 0) site = captureCallSite();
    }
    {
      if (site !== undefined) {
        attributes['code.file.path'] = site.file;
        attributes['code.line.number'] = site.line;
        attributes['code.column.number'] = site.column;
      }
    }
    return state.tracer.startSpan(info.name, { kind: SpanKind.CLIENT, attributes }, ctx);
  } catch {
    state.outgoingErrors++;
    return undefined;
  }
}

/** Ends a statement's span with its outcome: rows returned, or the error with its `error.type`. */
export function endDbSpan(span: Span, err: unknown, rows: number | undefined): void {
  try {
    if (err !== undefined && err !== null) {
      recordException(span, err);
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code !== '') span.setAttribute(ERROR_TYPE, code);
    } else if (rows !== undefined) {
      span.setAttribute('db.response.returned_rows', rows);
    }
    span.end();
  } catch {
    // a span that cannot end is the panel's loss, never the app's
  }
}
