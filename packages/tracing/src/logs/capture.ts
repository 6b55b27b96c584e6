/**
 * The process-wide core of log capture: every captured call (console, pino, winston, the OTel Logs
 * API) becomes one small `Pending` entry, taken on the caller's path with only what cannot wait:
 * the time, the active trace and span ids, the request's owner, and the raw arguments. Formatting
 * (console's `util.format`, parsing pino's JSON line, flattening fields, cutting the body, redacting)
 * happens later, once per batch, on a `setImmediate` after the tick in which the lines were logged;
 * each batch reaches each listening panel in one call.
 *
 * Bounded: at most MAX_PENDING entries wait for a batch; more are dropped and counted. A
 * re-entrancy guard (`guard.depth`) makes every capture a plain pass-through while capture or
 * delivery code runs, so the panel's own output (and a logger called from inside a formatter)
 * never loops back into capture.
 */
import { context, trace, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { MAX_LOG_BODY, type Attributes, type LogRecord, type LogSource } from '@debugpanel/model';
import { OWNER_KEY } from '../processor.js';

/** Entries waiting for the next batch; past it, lines are dropped (counted). */
export const MAX_PENDING = 10_000;

/** What one listening panel (a `setupTracing()` handle with logs on) gives capture. */
export interface LogListener {
  readonly service: string;
  /** Called with each batch of formatted records (before redaction: the listener redacts). */
  onLogs(records: LogRecord[]): void;
  /** Called for each `Error` object a log call carried (errors engine hook). */
  onLoggedError?: ((error: Error, record: LogRecord) => void) | undefined;
  /** Which sources this listener takes. */
  readonly sources: ReadonlySet<LogSource>;
  closed: boolean;
}

/**
 * Turns a pending entry's raw data into a record's body, attributes and severity; given at capture
 * (one per source), run at flush.
 */
export type Formatter = (p: Pending, out: Formatted) => void;

/** What a formatter fills in. */
export interface Formatted {
  body: string;
  attributes: Attributes;
  severityNumber: number;
  severityText: string;
  /** An Error the call carried, for the errors hook */
  error: Error | undefined;
}

/** One captured call, before formatting. One shape for every source (monomorphic). */
export class Pending {
  constructor(
    readonly source: LogSource,
    readonly format: Formatter,
    /** ms since epoch */
    readonly time: number,
    readonly traceId: string | undefined,
    readonly spanId: string | undefined,
    /** The panel (sink) owning the request, or undefined: every listener gets it */
    readonly owner: object | undefined,
    /** Severity as the source gave it (a pino level number, a console severity...) */
    readonly level: number,
    /** The raw call: console's arguments, pino's line, winston's info object, an OTel record */
    readonly data: unknown,
    /** Source-specific extra: the pino or winston logger */
    readonly extra: unknown,
    /** pino: the merged object of the call */
    readonly obj: unknown,
    /** pino: the formatted message of the call */
    readonly msg: unknown,
    /** An Error the call carried (for the errors hook), when the source found one at capture */
    readonly error: Error | undefined,
  ) {}
}

export interface CaptureCounters {
  console: number;
  pino: number;
  winston: number;
  otel: number;
  otlp: number;
  dropped: number;
  errors: number;
  truncated: number;
}

export interface CaptureState {
  /** Listening panels, each keyed by its tracing sink (the request owner in the context). */
  readonly listeners: Map<object, LogListener>;
  readonly counters: CaptureCounters;
  /** > 0 while capture or delivery runs: every capture is then a pass-through */
  readonly guard: { depth: number };
  pending: Pending[];
  scheduled: boolean;
  /** Sources patched, for stats (`console`, `pino@<path>`, ...) */
  readonly active: Set<string>;
  /** Undo functions of the patches, by source name */
  readonly unpatch: Map<string, () => void>;
  /** Listeners taking each source: the per-call check reads this, not the listener map */
  readonly on: Record<LogSource, number>;
}

const STATE_KEY = Symbol.for('debugpanel.tracing.logs.v1');

/** The capture state of the process, shared by every copy of this module (like the tracing state). */
export function captureState(): CaptureState {
  const g = globalThis as { [STATE_KEY]?: CaptureState };
  return (g[STATE_KEY] ??= {
    listeners: new Map(),
    counters: { console: 0, pino: 0, winston: 0, otel: 0, otlp: 0, dropped: 0, errors: 0, truncated: 0 },
    guard: { depth: 0 },
    pending: [],
    scheduled: false,
    active: new Set(),
    unpatch: new Map(),
    on: { console: 0, pino: 0, winston: 0, otel: 0, otlp: 0 },
  });
}

/** Trace id, span id and trace flags of the active span, read once per captured call. */
export interface ActiveIds {
  traceId: string | undefined;
  spanId: string | undefined;
  traceFlags: number;
  owner: object | undefined;
}

/**
 * The active span's ids and the request's owner in `ctx` (default: the active context).
 * Returns a shared object: read it before the next call.
 */
const ids: ActiveIds = { traceId: undefined, spanId: undefined, traceFlags: 0, owner: undefined };
/**
 * The context `ids` was read from. Contexts are immutable and a request's log calls mostly share
 * one, so a repeat costs one comparison instead of three look-ups (measured: about a third of the
 * capture's own time on a pino call).
 */
let idsOf: Context | undefined;
export function activeIds(ctx: Context = context.active()): ActiveIds {
  if (ctx === idsOf) return ids;
  idsOf = ctx;
  const span = trace.getSpan(ctx);
  if (span === undefined) {
    ids.traceId = ids.spanId = undefined;
    ids.traceFlags = 0;
  } else {
    const sc = span.spanContext();
    // An invalid (all-zero) context is what a non-recording wrapper carries: no trace then.
    const valid = sc.traceId !== '00000000000000000000000000000000';
    ids.traceId = valid ? sc.traceId : undefined;
    ids.spanId = valid ? sc.spanId : undefined;
    ids.traceFlags = sc.traceFlags;
  }
  ids.owner = ctx.getValue(OWNER_KEY) as object | undefined;
  return ids;
}

/** Current time in ms since epoch, with sub-ms precision. */
const timeOrigin = performance.timeOrigin;
export function nowMs(): number {
  return timeOrigin + performance.now();
}

/** True when at least one panel listens to `source` (checked before any work on the caller's path). */
export function listening(state: CaptureState, source: LogSource): boolean {
  return state.on[source] > 0;
}

/** Queues one captured call and schedules the batch. Never throws. */
export function enqueue(state: CaptureState, p: Pending): void {
  const pending = state.pending;
  if (pending.length >= MAX_PENDING) {
    state.counters.dropped++;
    return;
  }
  pending.push(p);
  state.counters[p.source]++;
  if (!state.scheduled) {
    state.scheduled = true;
    // Off the caller's path, after the I/O of this tick; unref'd so pending logs never keep the process alive.
    setImmediate(flushCapture, state).unref();
  }
}

/** Formats and delivers the records outside any trace, with tracing suppressed (like span delivery). */
const DELIVERY_CONTEXT = suppressTracing(ROOT_CONTEXT);

/** Formats every pending entry and hands each listener its batch. Called on the scheduled tick, or directly (tests, shutdown). */
export function flushCapture(state: CaptureState = captureState()): void {
  state.scheduled = false;
  const pending = state.pending;
  if (pending.length === 0) return;
  state.pending = [];
  state.guard.depth++;
  try {
    context.with(DELIVERY_CONTEXT, deliver, undefined, state, pending);
  } finally {
    state.guard.depth--;
  }
}

function deliver(state: CaptureState, pending: Pending[]): void {
  const listeners = [...state.listeners.entries()].filter(([, l]) => !l.closed);
  if (listeners.length === 0) return;
  const batches = new Map<LogListener, LogRecord[]>();
  const errors: Array<[LogListener, Error, LogRecord]> = [];
  const out: Formatted = { body: '', attributes: {}, severityNumber: 0, severityText: '', error: undefined };
  for (const p of pending) {
    out.body = '';
    out.attributes = {};
    out.severityNumber = 0;
    out.severityText = '';
    out.error = undefined;
    try {
      p.format(p, out);
    } catch {
      state.counters.errors++;
      continue;
    }
    let body = out.body;
    if (body.length > MAX_LOG_BODY) {
      body = body.slice(0, MAX_LOG_BODY - 1) + '…';
      state.counters.truncated++;
    }
    for (const [owner, l] of listeners) {
      if (!l.sources.has(p.source)) continue;
      if (p.owner !== undefined && p.owner !== owner) continue;
      const record: LogRecord = {
        service: l.service,
        time: p.time,
        severityNumber: out.severityNumber,
        severityText: out.severityText,
        body,
        // Each listener may keep (and redact) its record: one attributes object each.
        attributes: listeners.length === 1 ? out.attributes : { ...out.attributes },
        source: p.source,
      };
      if (p.traceId !== undefined) {
        record.traceId = p.traceId;
        record.spanId = p.spanId!;
      }
      let batch = batches.get(l);
      if (batch === undefined) batches.set(l, (batch = []));
      batch.push(record);
      if (out.error !== undefined && l.onLoggedError) errors.push([l, out.error, record]);
    }
  }
  for (const [l, batch] of batches) {
    try {
      l.onLogs(batch);
    } catch {
      state.counters.errors++;
    }
  }
  for (const [l, error, record] of errors) {
    try {
      l.onLoggedError!(error, record);
    } catch {
      state.counters.errors++;
    }
  }
}

/** Registers a listening panel (its tracing sink is the key requests carry in their context). */
export function addListener(state: CaptureState, owner: object, listener: LogListener): void {
  removeListener(state, owner);
  state.listeners.set(owner, listener);
  for (const s of listener.sources) state.on[s]++;
}

/** Removes a listener; returns the sources no listener takes any more (their patches can go). */
export function removeListener(state: CaptureState, owner: object): LogSource[] {
  const l = state.listeners.get(owner);
  if (l === undefined) return [];
  l.closed = true;
  state.listeners.delete(owner);
  for (const s of l.sources) state.on[s]--;
  return [...l.sources].filter((s) => !listening(state, s));
}
