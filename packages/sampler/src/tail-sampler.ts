import { RingBuffer, isErrorSpan, type SpanRecord, type TailPoliciesJson, type TailSamplerDescription } from '@debugpanel/model';
import { POLICY_ORDER, PolicyEvaluator, type TraceToDecide } from './policy.js';
import { resolveTailOptions, type ResolvedTailOptions, type TailSamplerOptions, type TailSamplerStats } from './tail-options.js';
import { DecisionCache } from './decision-cache.js';

export type { TailSamplerOptions, TailSamplerStats } from './tail-options.js';

/** A trace being buffered until it is decided. */
class Pending implements TraceToDecide {
  readonly spans: SpanRecord[] = [];
  root: SpanRecord | undefined = undefined;
  hasError = false;
  /** When to decide; Infinity until a local root ended */
  deadline = Infinity;
  /** Its entries in the ready queue; only the newest one is live (see #ready) */
  readyEntries = 0;
  decided = false;
  constructor(
    readonly traceId: string,
    readonly firstSeen: number,
  ) {}
}

/**
 * Tail sampling for one process, modelled on the OTel Collector's tail sampling processor:
 * buffers each trace's spans until a local root span ends plus a grace period (or a maximum
 * age), then keeps or drops the whole trace by policies evaluated in a fixed order (see
 * `PolicyEvaluator`), and lets late spans follow the decision. Every buffer is bounded and every
 * early decision or drop counted.
 *
 * @example
 * const sampler = new TailSampler({
 *   production: true,
 *   onKeep: (spans, reason) => { store.addMany(spans); store.setTraceMeta(spans[0].traceId, { reason }); },
 * });
 * spanProcessor.onEnd = (span) => sampler.add(toSpanRecord(span));
 * process.on('beforeExit', () => sampler.close());
 */
export class TailSampler {
  readonly #o: ResolvedTailOptions;
  readonly #policies: PolicyEvaluator;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  /** traceId -> buffered trace */
  readonly #pending = new Map<string, Pending>();
  /*
   * The two queues hold more entries than there are pending traces: a decided trace leaves its
   * entries behind, skipped when they reach the front, and a full queue drops them all at once
   * (`retain`), so neither ever evicts a live entry: it has room for twice the pending bound.
   * Not the Map's own order: V8 leaves a tombstone per deleted Map entry, so reading a FIFO Map
   * from its start costs O(deleted) (measured: 14 us per span at the pending bound).
   */
  /** Buffered traces, oldest first */
  readonly #order: RingBuffer<Pending>;
  /**
   * Traces whose local root ended, by deadline: grace is constant, so pushes come in deadline
   * order. A later local root of the same trace moves its deadline and pushes it again; then
   * only its newest entry is live, the one with `readyEntries === 1` when it reaches the front.
   */
  readonly #ready: RingBuffer<Pending>;
  readonly #decisions: DecisionCache;

  #pendingSpans = 0;
  readonly #stats = {
    seenSpans: 0, seenTraces: 0, keptTraces: 0, keptSpans: 0, droppedTraces: 0, droppedSpans: 0,
    lateSpansKept: 0, lateSpansDropped: 0, evictedEarly: 0, decidedOnSpanLimit: 0, decidedOnMaxAge: 0,
    callbackErrors: 0, droppedAfterClose: 0, invalidSpans: 0,
  };
  readonly #kept: Record<string, number> = {};
  readonly #dropped: Record<string, number> = {};

  constructor(options: TailSamplerOptions) {
    const o = (this.#o = resolveTailOptions(options));
    this.#policies = new PolicyEvaluator(o.policies, o.maxRoutes);
    this.#order = new RingBuffer(2 * o.maxPendingTraces + 1024);
    this.#ready = new RingBuffer(2 * o.maxPendingTraces + 1024);
    this.#decisions = new DecisionCache(o.decisionCacheSize);
    if (!o.keepAll && o.tickIntervalMs > 0) {
      this.#timer = setInterval(() => this.tick(), o.tickIntervalMs);
      this.#timer.unref();
    }
  }

  /** `all` keeps everything unbuffered; `policies` buffers and decides. */
  get mode(): 'all' | 'policies' {
    return this.#o.keepAll ? 'all' : 'policies';
  }

  /** The configuration in force, JSON-friendly (for `GET /api/sampling`). */
  describe(): TailSamplerDescription {
    const o = this.#o;
    const json = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof RegExp ? x.toString() : x)));
    return {
      mode: this.mode,
      policies: o.keepAll ? {} : (json(o.policies) as TailPoliciesJson),
      order: [...POLICY_ORDER],
      graceMs: o.graceMs,
      maxAgeMs: o.maxAgeMs,
      maxPendingTraces: o.maxPendingTraces,
      maxSpansPerTrace: o.maxSpansPerTrace,
      decisionCacheSize: o.decisionCacheSize,
    };
  }

  /** Takes one ended span. Never throws: bad input and callback errors are caught and counted. */
  add(span: SpanRecord): void {
    try {
      this.#add(span);
    } catch {
      this.#stats.invalidSpans++;
    }
  }

  #add(span: SpanRecord): void {
    const stats = this.#stats;
    const o = this.#o;
    if (this.#closed) {
      stats.droppedAfterClose++;
      return;
    }
    stats.seenSpans++;
    if (o.keepAll) {
      if (o.isLocalRoot(span)) {
        stats.seenTraces++;
        stats.keptTraces++;
        this.#kept.all = (this.#kept.all ?? 0) + 1;
      }
      stats.keptSpans++;
      this.#callKeep([span], 'all');
      return;
    }
    const traceId = span.traceId;
    let p = this.#pending.get(traceId);
    if (p === undefined) {
      const decided = this.#decisions.get(traceId);
      if (decided !== undefined) {
        if (decided.keep) {
          stats.lateSpansKept++;
          stats.keptSpans++;
          this.#callKeep([span], decided.reason);
        } else {
          stats.lateSpansDropped++;
          stats.droppedSpans++;
        }
        return;
      }
      if (this.#pending.size >= o.maxPendingTraces) {
        stats.evictedEarly++;
        this.#decide(this.#oldest()!);
      }
      p = new Pending(traceId, this.#now());
      this.#pending.set(traceId, p);
      if (this.#order.full) this.#order.retain((q) => !q.decided);
      this.#order.push(p);
      stats.seenTraces++;
    }
    p.spans.push(span);
    this.#pendingSpans++;
    if (!p.hasError && isErrorSpan(span)) p.hasError = true;
    if (o.isLocalRoot(span)) {
      const root = p.root;
      if (
        root === undefined ||
        (span.parentSpanId === undefined && (root.parentSpanId !== undefined || span.startTime < root.startTime)) ||
        (root.parentSpanId !== undefined && span.startTime < root.startTime)
      ) {
        p.root = span;
      }
      // Each local root that ends pushes the decision to grace after it (bounded by maxAge).
      p.deadline = this.#now() + o.graceMs;
      if (this.#ready.full) this.#ready.retain(isLiveReadyEntry);
      this.#ready.push(p);
      p.readyEntries++;
    }
    if (p.spans.length >= o.maxSpansPerTrace) {
      stats.decidedOnSpanLimit++;
      this.#decide(p);
    }
  }

  /**
   * Decides every trace whose grace period or maximum age has run out at `now` (default: the
   * clock). The built-in timer calls it; tests call it with their own times.
   */
  tick(now: number = this.#now()): void {
    try {
      const ready = this.#ready;
      for (let p = ready.peek(); p !== undefined; p = ready.peek()) {
        // A later local root may have moved the deadline: only the trace's newest entry decides.
        const live = !p.decided && p.readyEntries === 1;
        if (live && p.deadline > now) break;
        ready.shift();
        p.readyEntries--;
        if (live) this.#decide(p);
      }
      const maxAge = this.#o.maxAgeMs;
      for (let p = this.#oldest(); p !== undefined && p.firstSeen + maxAge <= now; p = this.#oldest()) {
        this.#stats.decidedOnMaxAge++;
        this.#decide(p);
      }
    } catch {
      // #decide already guards the callbacks; nothing here may take the host down from a timer.
      this.#stats.callbackErrors++;
    }
  }

  /** The oldest undecided trace, dropping decided ones at the front. */
  #oldest(): Pending | undefined {
    const order = this.#order;
    let p = order.peek();
    while (p !== undefined && p.decided) {
      order.shift();
      p = order.peek();
    }
    return p;
  }

  /** Decides every buffered trace now, by the policies. */
  flush(): void {
    for (let p = this.#oldest(); p !== undefined; p = this.#oldest()) this.#decide(p);
    this.#ready.clear();
  }

  /** Stops the timer and flushes; later spans are dropped and counted. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.flush();
    this.#closed = true;
  }

  stats(): TailSamplerStats {
    return {
      mode: this.mode,
      ...this.#stats,
      decisionCacheEvicted: this.#decisions.evicted,
      routesOverflowed: this.#policies.routesOverflowed,
      kept: { ...this.#kept },
      dropped: { ...this.#dropped },
      pending: this.#pending.size,
      pendingSpans: this.#pendingSpans,
    };
  }

  #now(): number {
    return this.#o.now();
  }

  #decide(p: Pending): void {
    p.decided = true;
    this.#pending.delete(p.traceId);
    this.#pendingSpans -= p.spans.length;
    const d = this.#policies.evaluate(p, this.#now());
    this.#decisions.set(p.traceId, d);
    const n = p.spans.length;
    const stats = this.#stats;
    if (d.keep) {
      stats.keptTraces++;
      stats.keptSpans += n;
      this.#kept[d.reason] = (this.#kept[d.reason] ?? 0) + 1;
      this.#callKeep(p.spans, d.reason);
    } else {
      stats.droppedTraces++;
      stats.droppedSpans += n;
      this.#dropped[d.reason] = (this.#dropped[d.reason] ?? 0) + 1;
      const onDrop = this.#o.onDrop;
      if (onDrop !== undefined) {
        try {
          onDrop(p.traceId, d.reason);
        } catch {
          stats.callbackErrors++;
        }
      }
    }
  }

  #callKeep(spans: SpanRecord[], reason: string): void {
    try {
      this.#o.onKeep(spans, reason);
    } catch {
      this.#stats.callbackErrors++;
    }
  }
}

/**
 * `retain` test of the ready queue, oldest to newest: drops entries of decided traces and every
 * entry of a trace but its newest (counting them off), so at most one per pending trace stays.
 */
function isLiveReadyEntry(p: Pending): boolean {
  if (!p.decided && p.readyEntries === 1) return true;
  p.readyEntries--;
  return false;
}
