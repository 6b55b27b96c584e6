import { context, propagation, trace, type Sampler, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator } from '@opentelemetry/core';
import { AlwaysOnSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import { Redactor, type FaultInjector } from '@debugpanel/model';
import { CompositeInjector } from './faults.js';
import { NativeTracerProvider, type LimitCounters } from './native-span.js';
import { PanelSpanProcessor, type Sink } from './processor.js';
import { TraceContextPropagator } from './propagator.js';

export const SCOPE_NAME = '@debugpanel/tracing';
export const SCOPE_VERSION = '0.1.0';

/**
 * Process-wide tracing state. It lives on globalThis under a registered symbol so that two copies
 * of this package (two apps bundling their own, a test runner reloading modules) share one
 * provider and one set of patches instead of fighting over the OTel globals.
 */
export interface TracingState {
  readonly sinks: Set<Sink>;
  /** For an app's own SDK provider: `debugPanelSpanProcessor()` forwards to it. */
  readonly processor: PanelSpanProcessor;
  /** The panel's provider (native spans), once made; global unless the app registered its own first. */
  provider: NativeTracerProvider | undefined;
  /** True when the global propagator is the one the panel registered (W3C, strict): client spans then write headers directly. */
  ownPropagator: boolean;
  /** What span limits dropped (attributes past the count limit, oldest events and links). */
  readonly limited: LimitCounters;
  /** Tracer of the handles and client instrumentations: the panel provider's, or the global one when the app has its own. */
  tracer: Tracer;
  /** Union of every sink's extra keys, for url.full on client spans (redacted again per sink on delivery). */
  redactor: Redactor;
  /** Sinks' `ignoreOutgoing` callbacks. */
  ignoreOutgoing: Array<(url: URL) => boolean>;
  /** `debugPanelSpanProcessor()` instances handed to an app's own provider. */
  externalProcessors: number;
  warnedInactive: boolean;
  /** Number of live handles that asked for instrumentation; the patches go when it drops to 0. */
  instrumentationUsers: number;
  outgoingErrors: number;
  /** Prototypes the better-sqlite3 instrumentation patched, with their original methods. */
  sqlitePatches: Array<{ target: Record<string, unknown>; originals: Record<string, (...args: unknown[]) => unknown> }>;
  /** `db.query.text` of pg / mysql2 spans: literals masked unless every sink asked for `full`. */
  sqlText: 'masked' | 'full';
  /** Prototype methods the pg / mysql2 instrumentations replaced. */
  dbPatches: Array<{ target: Record<string, unknown>; name: string; original: (...args: unknown[]) => unknown; wrapped: unknown; own: boolean }>;
  /** mysql2 diagnostics-channel subscription while instrumentation is on. */
  mysql2Subscription: { unsubscribe(): void } | undefined;
  /** Puts `Module._load` back as it was before the driver hook. */
  restoreModuleLoad: (() => void) | undefined;
  /** Undici channel subscription while instrumentation is on. */
  fetchSubscription: { unsubscribe(): void } | undefined;
  /**
   * The fault injector of the sinks that have one (chaos rules active), else undefined: every
   * fault hook starts with this one check.
   */
  faults: FaultInjector | undefined;
  /** The global fetch as it was before the fault wrapper went on (while `faults` is set). */
  fetchBeforeFaults: typeof fetch | undefined;
}

/** v2: the provider is native (v1 held an SDK BasicTracerProvider). */
const STATE_KEY = Symbol.for('debugpanel.tracing.state.v2');

export function getState(): TracingState {
  const g = globalThis as { [STATE_KEY]?: TracingState };
  let state = g[STATE_KEY];
  if (state === undefined) {
    const sinks = new Set<Sink>();
    state = {
      sinks,
      processor: new PanelSpanProcessor(sinks),
      provider: undefined,
      ownPropagator: false,
      limited: { attributes: 0, events: 0, links: 0 },
      tracer: trace.getTracer(SCOPE_NAME, SCOPE_VERSION),
      redactor: new Redactor(),
      ignoreOutgoing: [],
      externalProcessors: 0,
      warnedInactive: false,
      instrumentationUsers: 0,
      outgoingErrors: 0,
      sqlitePatches: [],
      sqlText: 'masked',
      dbPatches: [],
      mysql2Subscription: undefined,
      restoreModuleLoad: undefined,
      fetchSubscription: undefined,
      faults: undefined,
      fetchBeforeFaults: undefined,
    };
    g[STATE_KEY] = state;
  }
  return state;
}

/**
 * Registers the panel's provider as the global one unless another is already registered.
 * Returns true when the global provider is ours. The context manager and propagators are set
 * only where nothing is registered yet, so an app's own choices stay in force.
 */
export function ensureProvider(state: TracingState, sampler: Sampler | undefined): boolean {
  if (state.provider === undefined) {
    // The SDK's default sampler: follow the parent, sample new traces.
    state.provider = new NativeTracerProvider(state, sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }));
    // Each returns false and changes nothing when the app registered its own already; even then
    // ours are needed when the app set a provider but no context manager or propagator.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    state.ownPropagator = propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new TraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
  }
  const registered = trace.setGlobalTracerProvider(state.provider);
  if (registered) return true;
  const current = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = typeof current.getDelegate === 'function' ? current.getDelegate() : current;
  return delegate === state.provider;
}

/** Recomputes what the client instrumentations read from the sinks. */
export function refreshSinkUnion(state: TracingState): void {
  const keys: string[] = [];
  const ignore: Array<(url: URL) => boolean> = [];
  const faults: FaultInjector[] = [];
  let full = state.sinks.size > 0;
  for (const sink of state.sinks) {
    if (sink.sqlText !== 'full') full = false;
    keys.push(...sink.redactor.extraKeys);
    if (sink.ignoreOutgoing) ignore.push(sink.ignoreOutgoing);
    if (sink.faults) faults.push(sink.faults);
  }
  state.redactor = new Redactor(keys);
  state.ignoreOutgoing = ignore;
  state.faults = faults.length === 0 ? undefined : faults.length === 1 ? faults[0] : new CompositeInjector(faults);
  state.sqlText = full ? 'full' : 'masked';
}
