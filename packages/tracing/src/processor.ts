import { context, createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FaultInjector, Redactor, SpanRecord } from '@debugpanel/model';
import { toSpanRecord } from './convert.js';

/**
 * `onSpan` runs outside the trace whose span just ended, with tracing suppressed: timers and
 * requests it starts (batching, export to a hub) must neither inherit and retain the request's
 * context nor make client spans of their own, which would feed back into the panel.
 */
const DELIVERY_CONTEXT = suppressTracing(ROOT_CONTEXT);

/**
 * Runs `fn` outside any trace, with tracing suppressed: what `onSpan` runs in. For a receiver
 * that only queues spans (`onSpanIsQueue`) and starts its later work (a drain timer) itself.
 *
 * @example
 * if (scheduled === undefined) scheduled = outsideTraces(() => setImmediate(drain));
 */
export function outsideTraces<T>(fn: () => T): T {
  return context.with(DELIVERY_CONTEXT, fn);
}

/**
 * One consumer of spans: a `setupTracing()` handle or a standalone processor. Counters are
 * plain fields because they are bumped on every span.
 */
export class Sink {
  spansEnded = 0;
  droppedSpans = 0;
  closed = false;
  /** This handle's fault injector while it has active rules (`setFaultInjector`). */
  faults: FaultInjector | undefined = undefined;
  private warned = false;

  constructor(
    readonly service: string,
    private readonly onSpan: (span: SpanRecord) => void,
    /** Applied to every span before `onSpan` sees it: attributes, events, links, resource. */
    readonly redactor: Redactor,
    readonly ignoreOutgoing: ((url: URL) => boolean) | undefined,
    /** `db.query.text` as written (`full`) or with literals masked (`masked`, the default) */
    readonly sqlText: 'masked' | 'full' = 'masked',
    /** `onSpan` only queues (see `PanelTracingOptions.onSpanIsQueue`): native records go to it directly. */
    private readonly direct = false,
  ) {}

  /** Converts, redacts and hands over one span of an SDK provider; never throws into the SDK (and so into the app). */
  deliver(span: ReadableSpan): void {
    this.spansEnded++;
    try {
      // Redacted here, where the span enters the panel: spans of other instrumentations and of
      // an app's own provider come this way too, with whatever attributes they set.
      const record = this.redactor.span(toSpanRecord(span, this.service));
      context.with(DELIVERY_CONTEXT, this.onSpan, undefined, record);
    } catch (err) {
      this.dropped(err);
    }
  }

  /** Hands over a record the panel's own span made (already redacted); never throws into the app. */
  deliverRecord(record: SpanRecord): void {
    this.spansEnded++;
    try {
      // A queue needs no context switch per span (an AsyncLocalStorage run): it schedules its
      // drain outside the trace itself.
      if (this.direct) this.onSpan(record);
      else context.with(DELIVERY_CONTEXT, this.onSpan, undefined, record);
    } catch (err) {
      this.dropped(err);
    }
  }

  private dropped(err: unknown): void {
    this.droppedSpans++;
    if (!this.warned) {
      this.warned = true;
      console.warn(`[debugpanel] onSpan threw, the span was dropped (further drops are only counted in stats()): ${String(err)}`);
    }
  }
}

/**
 * Context key under which a server span's context names the sink that owns the request, so
 * every span made inside it reaches that sink alone (several apps in one process each see their
 * own requests). `createContextKey` uses `Symbol.for`, so copies of this module agree on it.
 */
export const OWNER_KEY = createContextKey('debugpanel.tracing.owner');
const OWNER = Symbol.for('debugpanel.tracing.owner');

type OwnedSpan = Span & { [OWNER]?: Sink | undefined };

/**
 * The panel's span processor: synchronous like SimpleSpanProcessor, no queue and no timer. A span
 * started under a server span goes to the sink that owns that request; a span with no owner
 * (background work with a user-made root span) goes to every sink.
 */
export class PanelSpanProcessor implements SpanProcessor {
  constructor(readonly sinks: Set<Sink>) {}

  onStart(span: Span, parentContext: Context): void {
    // Always assigned (even undefined) so every span object keeps one shape.
    (span as OwnedSpan)[OWNER] = parentContext.getValue(OWNER_KEY) as Sink | undefined;
  }

  onEnd(span: ReadableSpan): void {
    const owner = (span as OwnedSpan)[OWNER];
    if (owner !== undefined) {
      if (!owner.closed) owner.deliver(span);
      return;
    }
    for (const sink of this.sinks) sink.deliver(span);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A processor for one sink, for an app's own provider: `debugPanelSpanProcessor({ onSpan })`. */
export class SingleSinkProcessor implements SpanProcessor {
  constructor(private readonly sink: Sink) {}
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    if (!this.sink.closed) this.sink.deliver(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    this.sink.closed = true;
    return Promise.resolve();
  }
}

/**
 * Forwards to the process-wide processor that `setupTracing()` handles listen to. Its
 * `shutdown()` (called when the app's provider shuts down) does not close the panel's sinks.
 */
export class SharedProcessorProxy implements SpanProcessor {
  constructor(private readonly target: PanelSpanProcessor) {}
  onStart(span: Span, parentContext: Context): void {
    this.target.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    this.target.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
