import type { IncomingMessage } from 'node:http';
import { trace, type Context, type Sampler, type Tracer } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  Redactor,
  checkKeys,
  type FaultInjector,
  checkValue,
  isBoolean,
  isPlainObject,
  isStringArray,
  must,
  type Check,
  type LogCaptureStats,
  type Schema,
  type SpanRecord,
  type TracingStats,
} from '@debugpanel/model';
import { startLogCapture, type LogCapture, type LogCaptureOptions } from './logs/index.js';
import { subscribeFetch, syncFetchFaults } from './fetch-client.js';
import { patchHttp, unpatchHttp } from './http-client.js';
import { PanelContext } from './panel-context.js';
import { OWNER_KEY, SharedProcessorProxy, SingleSinkProcessor, Sink } from './processor.js';
import type { NativeTracer } from './native-span.js';
import { routeNameStats, startServerSpan, type IncomingCounters, type ServerSpan } from './server-span.js';
import { autoInstrumentDatabases, unpatchDatabases } from './db-auto.js';
import { unpatchBetterSqlite3 } from './sqlite.js';
import { ensureProvider, getState, refreshSinkUnion, SCOPE_NAME, SCOPE_VERSION, type TracingState } from './state.js';

export interface PanelTracingOptions {
  /** `service.name` of this process's spans (unless the app's own provider sets one). */
  service: string;
  /** Receives every ended span, converted. A throw is caught, counted in `droppedSpans` and logged once. */
  onSpan: (span: SpanRecord) => void;
  /**
   * True when `onSpan` only queues the span and starts any later work (timers, I/O) outside the
   * request's context itself, through `outsideTraces()`. The panel's own spans then reach it
   * directly as they end, without a context switch per span; otherwise (the default) `onSpan`
   * runs outside the trace, with tracing suppressed.
   */
  onSpanIsQueue?: boolean;
  /**
   * Extra keys to redact (case-insensitive; the whole key or its last `.` segment), on top of the
   * built-in rules of `Redactor` from `@debugpanel/model`: query parameters, attribute keys,
   * header names. Every span is redacted before `onSpan` sees it.
   */
  redactKeys?: ReadonlyArray<string>;
  /** The `Redactor` to use instead of one made from `redactKeys` (to share one across a panel's parts). */
  redactor?: Redactor;
  /** Outgoing requests for which this returns true get no client span and no traceparent (e.g. the hub URL). */
  ignoreOutgoing?: (url: URL) => boolean;
  /**
   * Client spans for outgoing http/https/fetch and better-sqlite3. Default: on when the global
   * provider is ours, off when the app registered its own (which usually brings its own
   * instrumentations; two would double every client span).
   */
  instrument?: boolean;
  /**
   * `db.query.text` of pg and mysql2 spans: `masked` (default) replaces string and number
   * literals by `?`; `full` keeps them, for local debugging (only when every panel of the
   * process asks for it).
   */
  sqlText?: 'masked' | 'full';
  /** Head sampler of the provider, used only by the first `setupTracing()` of the process. Default: parent-based, always on. */
  sampler?: Sampler;
  /**
   * Log capture (console, pino) into `logs.onLogs`, in batches: each record carries the trace and
   * span ids active when it was logged; a line of this handle's requests reaches this handle only,
   * a line logged outside any request every handle. Default: off (no `logs`).
   */
  logs?: LogCaptureOptions;
}

// The counters are the `tracing` section of `GET {path}/api/stats`: declared in @debugpanel/model.
export type PanelTracingStats = TracingStats;

export interface PanelTracing {
  readonly service: string;
  /** True when this process's global provider is ours; false when the app registered its own. */
  readonly active: boolean;
  /** Starts the server span of an incoming request; reads and validates traceparent/tracestate. */
  startServerSpan(req: IncomingMessage): ServerSpan;
  /** The redactor every span of this handle passes through. */
  readonly redactor: Redactor;
  /** Tracer for spans of the panel's own making. */
  readonly tracer: Tracer;
  stats(): PanelTracingStats;
  /**
   * Hands the fault hooks (outgoing http/https/fetch, better-sqlite3) an injector, or takes it
   * away with undefined. Set it only while a rule is active: without one, each hook is a single
   * check. With several handles in one process, the first injector that decides wins.
   */
  setFaultInjector(injector: FaultInjector | undefined): void;
  /** Counters of log capture (undefined without the `logs` option). */
  logStats(): LogCaptureStats | undefined;
  /** Formats and delivers captured log lines now instead of on the next `setImmediate`. */
  flushLogs(): void;
  /** Stops delivering spans to this handle. The last handle out removes the instrumentations. */
  shutdown(): Promise<void>;
}

class Handle implements PanelTracing {
  readonly tracer: Tracer;
  /** The panel's own tracer when its provider is the global one: native spans. */
  private readonly native: NativeTracer | undefined;
  private readonly base: Context;
  private readonly counters: IncomingCounters = { adoptedTraceparents: 0, invalidTraceparents: 0 };
  private closed = false;

  constructor(
    private readonly state: TracingState,
    private readonly sink: Sink,
    readonly active: boolean,
    private readonly instrumented: boolean,
    private readonly logs: LogCapture | undefined,
  ) {
    this.tracer = state.tracer;
    this.native = active ? state.provider!.tracer : undefined;
    // Prepared once: every request's context starts from this one, which names the owner sink.
    this.base = new PanelContext(undefined, OWNER_KEY, sink);
  }

  get service(): string {
    return this.sink.service;
  }

  get redactor(): Redactor {
    return this.sink.redactor;
  }

  startServerSpan(req: IncomingMessage): ServerSpan {
    return startServerSpan(this.native, this.tracer, this.base, this.sink, this.counters, req);
  }

  stats(): PanelTracingStats {
    return {
      spansEnded: this.sink.spansEnded,
      droppedSpans: this.sink.droppedSpans,
      adoptedTraceparents: this.counters.adoptedTraceparents,
      invalidTraceparents: this.counters.invalidTraceparents,
      instrumentationErrors: this.state.outgoingErrors,
      limitedAttributes: this.state.limited.attributes,
      limitedEvents: this.state.limited.events,
      limitedLinks: this.state.limited.links,
      routeNameResets: routeNameStats.resets,
    };
  }

  setFaultInjector(injector: FaultInjector | undefined): void {
    if (this.closed && injector !== undefined) return;
    this.sink.faults = injector;
    refreshSinkUnion(this.state);
    syncFetchFaults(this.state);
  }

  logStats(): LogCaptureStats | undefined {
    return this.logs?.stats();
  }

  flushLogs(): void {
    this.logs?.flush();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.logs?.stop();
    this.sink.closed = true;
    this.sink.faults = undefined;
    this.state.sinks.delete(this.sink);
    refreshSinkUnion(this.state);
    syncFetchFaults(this.state);
    if (this.instrumented && --this.state.instrumentationUsers === 0) disableInstrumentation(this.state);
  }
}

function enableInstrumentation(state: TracingState): void {
  patchHttp(state);
  state.fetchSubscription ??= subscribeFetch(state);
  autoInstrumentDatabases(state);
}

function disableInstrumentation(state: TracingState): void {
  unpatchHttp();
  state.fetchSubscription?.unsubscribe();
  state.fetchSubscription = undefined;
  unpatchBetterSqlite3(state);
  unpatchDatabases(state);
}

const OPTIONS: Schema = {
  service: must((v) => typeof v === 'string' && v.trim() !== '', 'a non-empty string (the service.name of this process)'),
  onSpan: must((v) => typeof v === 'function', 'a function that receives each ended span'),
  onSpanIsQueue: isBoolean,
  redactKeys: isStringArray,
  redactor: must(isRedactor, 'a Redactor from @debugpanel/model'),
  ignoreOutgoing: must((v) => typeof v === 'function', 'a function (url: URL) => boolean'),
  instrument: isBoolean,
  sqlText: must((v) => v === 'masked' || v === 'full', "'masked' or 'full'"),
  sampler: must((v) => typeof v === 'object' && v !== null && typeof (v as Sampler).shouldSample === 'function', 'an OpenTelemetry Sampler'),
  logs: must((v) => isPlainObject(v) && typeof v.onLogs === 'function', 'an object like { onLogs(records) {} }'),
} satisfies Record<keyof PanelTracingOptions, Check>;

function validate(options: PanelTracingOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('setupTracing(options): options must be an object like { service, onSpan }');
  checkKeys(options, OPTIONS, 'setupTracing');
  // Required: checkKeys skips what is absent.
  checkValue(options.service, OPTIONS.service!, 'service', 'setupTracing');
  checkValue(options.onSpan, OPTIONS.onSpan!, 'onSpan', 'setupTracing');
  if (options.redactor !== undefined && options.redactKeys !== undefined) {
    throw new TypeError('setupTracing: give `redactKeys` or `redactor`, not both (new Redactor(keys) takes the keys)');
  }
}

/** Duck-typed: a second copy of @debugpanel/model (another app's bundle) makes a different class. */
function isRedactor(value: unknown): value is Redactor {
  return value instanceof Redactor || (typeof (value as Redactor | null)?.span === 'function' && typeof (value as Redactor).attribute === 'function');
}

/**
 * Wires OpenTelemetry for the panel and returns a handle. The first call registers the global
 * TracerProvider (with the panel's processor), an AsyncLocalStorage context manager and the W3C
 * trace-context + baggage propagators; later calls (several apps in one process, tests) reuse it
 * and add their own sink. If the app registered its own provider first, `active` is false, one
 * line explains how to add `debugPanelSpanProcessor()` to it, and spans that reach that
 * processor are still delivered.
 *
 * @example
 * const tracing = setupTracing({ service: 'orders', onSpan: (span) => store.add(span) });
 * server.on('request', (req, res) => {
 *   const s = tracing.startServerSpan(req);
 *   res.on('finish', () => s.end(res.statusCode));
 *   s.run(() => handler(req, res));
 * });
 */
export function setupTracing(options: PanelTracingOptions): PanelTracing {
  validate(options);
  const state = getState();
  const active = ensureProvider(state, options.sampler);
  if (active) {
    state.tracer = state.provider!.tracer;
  } else {
    state.tracer = trace.getTracer(SCOPE_NAME, SCOPE_VERSION);
    if (!state.warnedInactive && state.externalProcessors === 0) {
      state.warnedInactive = true;
      console.warn(
        "[debugpanel] this app registered its own OpenTelemetry TracerProvider, so the panel sees only spans that reach its processor: add `debugPanelSpanProcessor()` from '@debugpanel/tracing' to that provider's `spanProcessors`, e.g. new NodeTracerProvider({ spanProcessors: [debugPanelSpanProcessor(), ...] }).",
      );
    }
  }
  const sink = new Sink(
    options.service,
    options.onSpan,
    options.redactor ?? new Redactor(options.redactKeys),
    options.ignoreOutgoing,
    options.sqlText,
    options.onSpanIsQueue === true,
  );
  state.sinks.add(sink);
  refreshSinkUnion(state);
  const instrumented = options.instrument ?? active;
  if (instrumented && state.instrumentationUsers++ === 0) enableInstrumentation(state);
  const logs = options.logs && startLogCapture(sink, options.service, options.logs);
  return new Handle(state, sink, active, instrumented, logs);
}

/**
 * A SpanProcessor for an app that has its own TracerProvider. Without options it forwards to
 * the panel (every `setupTracing()` handle of the process); with `onSpan` it is a standalone
 * processor that converts (and redacts) each ended span to a SpanRecord for that callback.
 *
 * @example
 * const provider = new NodeTracerProvider({ spanProcessors: [debugPanelSpanProcessor(), new BatchSpanProcessor(exporter)] });
 */
export function debugPanelSpanProcessor(options?: {
  onSpan(span: SpanRecord): void;
  service?: string;
  redactKeys?: ReadonlyArray<string>;
}): SpanProcessor {
  if (options === undefined) {
    const state = getState();
    state.externalProcessors++;
    return new SharedProcessorProxy(state.processor);
  }
  if (typeof options.onSpan !== 'function') throw new TypeError('debugPanelSpanProcessor: `onSpan` must be a function');
  return new SingleSinkProcessor(
    new Sink(options.service ?? 'unknown_service', options.onSpan, new Redactor(options.redactKeys), undefined),
  );
}
