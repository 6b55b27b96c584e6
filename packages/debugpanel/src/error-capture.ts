/**
 * The panel's error groups and where their exceptions come from: the `exception` events of every
 * span the pipeline sees (local ones and those received as a hub, before sampling, so counts stay
 * true), `Error`s handed to `record()` by log capture, and the process's uncaught exceptions and
 * unhandled rejections. Spans and logged errors are queued (bounded, oldest dropped and counted)
 * and grouped a few milliseconds later in one batch, off the request path; a crash is grouped at
 * once, as the process may be about to exit.
 */
import { isLocalRoot, RingBuffer, type ErrorGroupsStats, type Redactor, type SpanRecord } from '@debugpanel/model';
import {
  ErrorGroups,
  fromError,
  hasException,
  spanContext,
  spanExceptions,
  watchProcessErrors,
  type ErrorGroupsOptions,
  type ExceptionInfo,
  type ProcessErrorSource,
} from '@debugpanel/errors';

/** Where a logged error happened; what is not given is left out (no trace: a log line outside a request). */
export interface LoggedErrorContext {
  traceId?: string;
  spanId?: string;
  /** default: this panel's service */
  service?: string;
  /** ms since epoch (default: now) */
  time?: number;
  route?: string;
  user?: string;
  release?: string;
}

/**
 * What log capture (and the app) may call to put an `Error` into the groups.
 *
 * @example
 * panel.errors.record(err, { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
 */
export interface ErrorRecorder {
  /** Queues an exception (any thrown value) seen in a log record; never throws. */
  record(exception: unknown, context?: LoggedErrorContext): void;
}

type Queued = { span: SpanRecord } | { error: unknown; context: LoggedErrorContext };

/** Spans and logged errors waiting for the next batch; past it the oldest is dropped (counted). */
export const MAX_QUEUE = 5000;
/**
 * Local roots remembered (the newest), so that an error logged in a request and handed over after
 * the request ended (log capture batches) still gets its route and user.
 */
export const MAX_RECENT_ROOTS = 2048;
/** How long the first queued item waits for others to join its batch, ms. */
const BATCH_DELAY_MS = 10;

export interface ErrorCaptureOptions extends ErrorGroupsOptions {
  service: string;
  redactor: Redactor;
  /** Watch the process's uncaught exceptions and unhandled rejections (default true) */
  process?: boolean;
}

export class ErrorCapture implements ErrorRecorder {
  readonly groups: ErrorGroups;
  readonly #service: string;
  readonly #redactor: Redactor;
  readonly #queue = new RingBuffer<Queued>(MAX_QUEUE);
  /** Traces with an exception queued but not grouped yet (their local roots are queued too) */
  readonly #pending = new Set<string>();
  /**
   * The newest local roots, a ring written once per request; read (newest first) only when a
   * logged error names its trace, which is rare. A Map keyed by trace id cost two hash operations
   * per request plus the churn of deleting its oldest entry: ~2 µs per request in the `/hello` profile.
   */
  readonly #recentRoots: Array<SpanRecord | undefined> = new Array<SpanRecord | undefined>(MAX_RECENT_ROOTS).fill(undefined);
  #recentNext = 0;
  #timer: NodeJS.Timeout | undefined;
  #unwatch: (() => void) | undefined;
  #closed = false;
  #failed = 0;
  #loggedFailure = false;
  #uncaught = 0;
  #rejections = 0;

  constructor(options: ErrorCaptureOptions) {
    const { service, redactor, process: watch = true, ...groupOptions } = options;
    this.groups = new ErrorGroups(groupOptions);
    this.#service = service;
    this.#redactor = redactor;
    if (watch) this.#unwatch = watchShared((err, source) => this.#crash(err, source));
  }

  /**
   * Every span the pipeline sees: queued when it carries an exception, or when it is the local
   * root of a trace that had one (its route and user go to those exceptions). Otherwise two
   * cheap checks and nothing else.
   */
  onSpan(span: SpanRecord): void {
    if (this.#closed) return;
    if (span.events.length > 0 && hasException(span)) {
      this.#pending.add(span.traceId);
      this.#enqueue({ span });
    } else if (isLocalRoot(span)) {
      if ((this.#pending.size > 0 && this.#pending.has(span.traceId)) || this.groups.hasTrace(span.traceId)) this.#enqueue({ span });
      else {
        // One array write per request; the span is only read if an error of its trace is logged later.
        const i = this.#recentNext;
        this.#recentRoots[i] = span;
        this.#recentNext = i + 1 === MAX_RECENT_ROOTS ? 0 : i + 1;
      }
    }
  }

  record(exception: unknown, context: LoggedErrorContext = {}): void {
    if (this.#closed) return;
    if (context.traceId !== undefined) this.#pending.add(context.traceId);
    this.#enqueue({ error: exception, context: { ...context, time: context.time ?? Date.now() } });
  }

  /** Groups what is queued now (tests, and `close`). */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
      try {
        if ('span' in item) this.#span(item.span);
        else this.#logged(item.error, item.context);
      } catch (err) {
        this.#fail(err);
      }
    }
    this.#pending.clear();
  }

  stats(): ErrorGroupsStats {
    return {
      ...this.groups.stats(),
      queued: this.#queue.size,
      droppedQueue: this.#queue.dropped,
      failed: this.#failed,
      uncaught: this.#uncaught,
      rejections: this.#rejections,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    this.#unwatch?.();
    this.#recentRoots.fill(undefined);
  }

  #enqueue(item: Queued): void {
    this.#queue.push(item);
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, BATCH_DELAY_MS);
      this.#timer.unref();
    }
  }

  #span(span: SpanRecord): void {
    const where = spanContext(span);
    for (const { time, exception } of spanExceptions(span)) {
      this.groups.record(exception, { source: 'span', service: span.service, time, traceId: span.traceId, spanId: span.spanId, ...where });
    }
    if (isLocalRoot(span)) this.groups.noteRoot(span.traceId, span.service, where);
  }

  #logged(error: unknown, context: LoggedErrorContext): void {
    const { service = this.#service, ...rest } = context;
    const root = context.traceId === undefined ? undefined : this.#recentRoot(context.traceId);
    const where = root !== undefined && root.service === service ? spanContext(root) : {};
    this.groups.record(this.#redact(fromError(error)), { source: 'log', service, ...where, ...rest });
  }

  /** The newest remembered local root of `traceId`. */
  #recentRoot(traceId: string): SpanRecord | undefined {
    const roots = this.#recentRoots;
    for (let k = 1; k <= MAX_RECENT_ROOTS; k++) {
      const root = roots[(this.#recentNext - k + MAX_RECENT_ROOTS) % MAX_RECENT_ROOTS];
      if (root === undefined) return undefined;
      if (root.traceId === traceId) return root;
    }
    return undefined;
  }

  /** An uncaught exception or unhandled rejection: grouped now, the process may be about to exit. */
  #crash(error: unknown, source: ProcessErrorSource): void {
    if (this.#closed) return;
    if (source === 'uncaught') this.#uncaught++;
    else this.#rejections++;
    try {
      this.groups.record(this.#redact(fromError(error)), { source, service: this.#service });
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Logged and thrown errors enter the panel here, so they pass the one redactor (spans did already). */
  #redact(e: ExceptionInfo): ExceptionInfo {
    const out: ExceptionInfo = { type: e.type, message: this.#redactor.string(e.message) };
    if (e.stack !== undefined) out.stack = this.#redactor.string(e.stack);
    if (e.cause !== undefined) out.cause = this.#redact(e.cause);
    return out;
  }

  #fail(err: unknown): void {
    this.#failed++;
    if (!this.#loggedFailure) {
      this.#loggedFailure = true;
      console.error('debugpanel: an exception could not be grouped (counted in /api/stats errors.failed; logged once):', err);
    }
  }
}

// One process watcher for all panels of the process (tests and apps with several panels would
// otherwise add a listener per panel and trip Node's MaxListeners warning).
type Sink = (error: unknown, source: ProcessErrorSource) => void;
const sinks = new Set<Sink>();
let stopShared: (() => void) | undefined;

function watchShared(sink: Sink): () => void {
  sinks.add(sink);
  stopShared ??= watchProcessErrors((error, source) => {
    for (const s of sinks) s(error, source);
  });
  return () => {
    sinks.delete(sink);
    if (sinks.size === 0) {
      stopShared?.();
      stopShared = undefined;
    }
  };
}
