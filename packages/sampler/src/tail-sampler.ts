import {
  isErrorSpan,
  type AttributeValue,
  type SpanRecord,
  type TailPoliciesJson,
  type TailSamplerDescription,
  type TailSamplerStats,
} from '@debugpanel/model';
import { LatencyHistogram } from './latency.js';
import {
  PRODUCTION_POLICIES,
  checkKeys,
  checkNumber,
  checkObject,
  validatePolicies,
  type Matcher,
  type TailPolicies,
} from './options.js';
import { TokenBucket } from './token-bucket.js';
import { isTraceIdSampled } from './trace-id-ratio.js';

export interface TailSamplerOptions {
  /** Receives a kept trace's buffered spans, and each later span of a kept trace (`[span]`). */
  onKeep: (spans: SpanRecord[], reason: string) => void;
  /** Told of each dropped trace. */
  onDrop?: (traceId: string, reason: string) => void;
  /**
   * Keep every span at once with reason `all`, buffering nothing (default: true unless
   * `production` is true or `policies` is given).
   */
  keepAll?: boolean;
  /** Default: `process.env.NODE_ENV === 'production'` */
  production?: boolean;
  /** Default: `PRODUCTION_POLICIES` (errors, slow, 1%, 5/s per route) */
  policies?: TailPolicies;
  /** Wait after a local root span ends, for late children, ms (default 2000) */
  graceMs?: number;
  /** Longest a trace is buffered, from its first span, ms (default 30000) */
  maxAgeMs?: number;
  /** Most traces buffered at once; past it the oldest is decided early (default 2000) */
  maxPendingTraces?: number;
  /** A buffered trace reaching this many spans is decided at once (default 1000) */
  maxSpansPerTrace?: number;
  /** Recent decisions remembered for late spans (default 10000) */
  decisionCacheSize?: number;
  /** Routes with their own rate bucket and p99; others share one (default 1000) */
  maxRoutes?: number;
  /** Overrides which spans count as local roots (see README) */
  isLocalRoot?: (span: SpanRecord) => boolean;
  /** Clock in ms (default `Date.now`) */
  now?: () => number;
  /** How often the built-in, unref'd timer calls `tick()`, ms (default 250); 0 for no timer */
  tickIntervalMs?: number;
}

// The counters are the `sampling` section of `GET {path}/api/stats`: declared in @debugpanel/model.
export type { TailSamplerStats };

const DEFAULTS = {
  graceMs: 2000,
  maxAgeMs: 30_000,
  maxPendingTraces: 2000,
  maxSpansPerTrace: 1000,
  decisionCacheSize: 10_000,
  maxRoutes: 1000,
  tickIntervalMs: 250,
};
const KNOWN = ['onKeep', 'onDrop', 'keepAll', 'production', 'policies', 'isLocalRoot', 'now', ...Object.keys(DEFAULTS)];
const OTHER_ROUTE = '\u0000other';
const DEFAULT_MIN_SAMPLES = 100;

/**
 * The default local-root test: a span with no parent, or a server or consumer span, whose parent
 * (if any) lives in another process. Spans arrive when they end, so when a local root arrives its
 * part of the trace is done apart from stray late children, which the grace period collects.
 */
export function isDefaultLocalRoot(span: SpanRecord): boolean {
  return span.parentSpanId === undefined || span.kind === 'server' || span.kind === 'consumer';
}

class Pending {
  readonly spans: SpanRecord[] = [];
  /** Earliest parentless span, else earliest local root */
  root: SpanRecord | undefined = undefined;
  hasError = false;
  /** When to decide; Infinity until a local root ended */
  deadline = Infinity;
  decided = false;
  constructor(
    readonly traceId: string,
    readonly firstSeen: number,
  ) {}
}

interface Decision {
  readonly keep: boolean;
  readonly reason: string;
}

function matches(m: Matcher, s: string | undefined): boolean {
  if (s === undefined) return false;
  return typeof m === 'string' ? m === s : m.test(s);
}

function str(v: AttributeValue | undefined): string | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? v : String(v);
}

/**
 * Tail sampling for one process, modelled on the OTel Collector's tail sampling processor:
 * buffers each trace's spans until a local root span ends plus a grace period (or a maximum
 * age), then keeps or drops the whole trace by policies evaluated in a fixed order, and lets late
 * spans follow the decision. Every buffer is bounded and every early decision or drop counted.
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
  readonly #onKeep: TailSamplerOptions['onKeep'];
  readonly #onDrop: TailSamplerOptions['onDrop'];
  readonly #keepAll: boolean;
  readonly #policies: TailPolicies;
  readonly #graceMs: number;
  readonly #maxAgeMs: number;
  readonly #maxPending: number;
  readonly #maxSpansPerTrace: number;
  readonly #cacheSize: number;
  readonly #maxRoutes: number;
  readonly #isLocalRoot: (span: SpanRecord) => boolean;
  readonly #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  /** traceId -> buffered trace */
  readonly #pending = new Map<string, Pending>();
  /*
   * Buffered traces oldest first, decided ones skipped lazily. Not the Map's own order: V8 leaves
   * a tombstone per deleted Map entry, so reading a FIFO Map from its start costs O(deleted)
   * (measured: 14 us per span at the pending bound).
   */
  #order: Pending[] = [];
  #orderHead = 0;
  /** Traces whose local root ended, by deadline (grace is constant, so pushes are in order) */
  #ready: Pending[] = [];
  #readyDeadlines: number[] = [];
  #readyHead = 0;
  /** traceId -> decision, bounded by decisionCacheSize */
  readonly #decisions = new Map<string, Decision>();
  /** The cached trace ids in a ring, oldest at #decidedNext once full (a FIFO Map is slow, see #order) */
  readonly #decidedIds: string[] = [];
  #decidedNext = 0;
  readonly #keepDecisions = new Map<string, Decision>();
  readonly #dropDecisions = new Map<string, Decision>();
  readonly #routeBuckets = new Map<string, TokenBucket>();
  #globalBucket: TokenBucket | undefined;
  readonly #latency = new Map<string, LatencyHistogram>();

  #pendingSpans = 0;
  readonly #stats = {
    seenSpans: 0, seenTraces: 0, keptTraces: 0, keptSpans: 0, droppedTraces: 0, droppedSpans: 0,
    lateSpansKept: 0, lateSpansDropped: 0, evictedEarly: 0, decidedOnSpanLimit: 0, decidedOnMaxAge: 0,
    decisionCacheEvicted: 0, routesOverflowed: 0, callbackErrors: 0, droppedAfterClose: 0, invalidSpans: 0,
  };
  readonly #kept: Record<string, number> = {};
  readonly #dropped: Record<string, number> = {};

  constructor(options: TailSamplerOptions) {
    checkObject('TailSampler options', options);
    checkKeys('TailSampler', options, KNOWN);
    if (typeof options.onKeep !== 'function') {
      throw new TypeError('TailSampler: onKeep must be a function (spans, reason) => void that stores kept spans');
    }
    if (options.onDrop !== undefined && typeof options.onDrop !== 'function') {
      throw new TypeError('TailSampler: onDrop must be a function (traceId, reason) => void');
    }
    for (const k of ['keepAll', 'production'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new TypeError(`TailSampler: ${k} must be true or false`);
    }
    for (const k of ['isLocalRoot', 'now'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'function') throw new TypeError(`TailSampler: ${k} must be a function`);
    }
    const num = (k: keyof typeof DEFAULTS, min: number): number =>
      options[k] === undefined ? DEFAULTS[k] : checkNumber(`TailSampler: ${k}`, options[k], min);
    this.#graceMs = num('graceMs', 0);
    this.#maxAgeMs = num('maxAgeMs', 1);
    this.#maxPending = Math.floor(num('maxPendingTraces', 1));
    this.#maxSpansPerTrace = Math.floor(num('maxSpansPerTrace', 1));
    this.#cacheSize = Math.floor(num('decisionCacheSize', 1));
    this.#maxRoutes = Math.floor(num('maxRoutes', 1));
    const tickIntervalMs = num('tickIntervalMs', 0);

    this.#onKeep = options.onKeep;
    this.#onDrop = options.onDrop;
    this.#policies = options.policies === undefined ? PRODUCTION_POLICIES : validatePolicies(options.policies);
    const production = options.production ?? process.env.NODE_ENV === 'production';
    this.#keepAll = options.keepAll ?? (!production && options.policies === undefined);
    this.#isLocalRoot = options.isLocalRoot ?? isDefaultLocalRoot;
    this.#now = options.now ?? Date.now;
    if (!this.#keepAll && tickIntervalMs > 0) {
      this.#timer = setInterval(() => this.tick(), tickIntervalMs);
      this.#timer.unref();
    }
  }

  /** `all` keeps everything unbuffered; `policies` buffers and decides. */
  get mode(): 'all' | 'policies' {
    return this.#keepAll ? 'all' : 'policies';
  }

  /** The configuration in force, JSON-friendly (for `GET /api/sampling`). */
  describe(): TailSamplerDescription {
    const json = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof RegExp ? x.toString() : x)));
    return {
      mode: this.mode,
      policies: this.#keepAll ? {} : (json(this.#policies) as TailPoliciesJson),
      order: ['drop', 'error', 'latency', 'attributes', 'probabilistic', 'rate'],
      graceMs: this.#graceMs,
      maxAgeMs: this.#maxAgeMs,
      maxPendingTraces: this.#maxPending,
      maxSpansPerTrace: this.#maxSpansPerTrace,
      decisionCacheSize: this.#cacheSize,
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
    if (this.#closed) {
      stats.droppedAfterClose++;
      return;
    }
    stats.seenSpans++;
    if (this.#keepAll) {
      if (this.#isLocalRoot(span)) {
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
      if (this.#pending.size >= this.#maxPending) {
        stats.evictedEarly++;
        this.#decide(this.#oldest()!);
      }
      const now = this.#now();
      p = new Pending(traceId, now);
      this.#pending.set(traceId, p);
      this.#order.push(p);
      if (this.#order.length - this.#orderHead > 2 * this.#maxPending + 1024) this.#compactOrder();
      stats.seenTraces++;
    }
    p.spans.push(span);
    this.#pendingSpans++;
    if (!p.hasError && isError(span)) p.hasError = true;
    if (this.#isLocalRoot(span)) {
      const root = p.root;
      if (
        root === undefined ||
        (span.parentSpanId === undefined && (root.parentSpanId !== undefined || span.startTime < root.startTime)) ||
        (root.parentSpanId !== undefined && span.startTime < root.startTime)
      ) {
        p.root = span;
      }
      // Each local root that ends pushes the decision to grace after it (bounded by maxAge).
      p.deadline = this.#now() + this.#graceMs;
      this.#ready.push(p);
      this.#readyDeadlines.push(p.deadline);
      if (this.#ready.length - this.#readyHead > 2 * this.#maxPending + 1024) this.#compactReady();
    }
    if (p.spans.length >= this.#maxSpansPerTrace) {
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
      const deadlines = this.#readyDeadlines;
      let head = this.#readyHead;
      while (head < ready.length && deadlines[head]! <= now) {
        const p = ready[head]!;
        // A later local root may have moved the deadline: only its latest entry decides.
        if (!p.decided && p.deadline === deadlines[head]) this.#decide(p);
        head++;
      }
      if (head > 1024 && head * 2 > ready.length) {
        this.#ready = ready.slice(head);
        this.#readyDeadlines = deadlines.slice(head);
        head = 0;
      } else if (head === ready.length) {
        ready.length = 0;
        deadlines.length = 0;
        head = 0;
      }
      this.#readyHead = head;
      for (let p = this.#oldest(); p !== undefined && p.firstSeen + this.#maxAgeMs <= now; p = this.#oldest()) {
        this.#stats.decidedOnMaxAge++;
        this.#decide(p);
      }
    } catch {
      // #decide already guards the callbacks; nothing here may take the host down from a timer.
      this.#stats.callbackErrors++;
    }
  }

  /**
   * Drops queue entries of traces already decided or whose deadline moved, so the queue stays
   * bounded (about maxPendingTraces) even when nothing calls tick().
   */
  #compactReady(): void {
    const ready: Pending[] = [];
    const deadlines: number[] = [];
    for (let i = this.#readyHead; i < this.#ready.length; i++) {
      const p = this.#ready[i]!;
      if (!p.decided && p.deadline === this.#readyDeadlines[i]) {
        ready.push(p);
        deadlines.push(p.deadline);
      }
    }
    this.#ready = ready;
    this.#readyDeadlines = deadlines;
    this.#readyHead = 0;
  }

  /** The oldest undecided trace, skipping (and releasing) decided ones at the front. */
  #oldest(): Pending | undefined {
    const order = this.#order;
    let head = this.#orderHead;
    while (head < order.length && order[head]!.decided) order[head++] = undefined as never;
    if (head === order.length) {
      order.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > order.length) {
      this.#order = order.slice(head);
      head = 0;
    }
    this.#orderHead = head;
    return this.#order[head];
  }

  #compactOrder(): void {
    this.#order = this.#order.slice(this.#orderHead).filter((p) => !p.decided);
    this.#orderHead = 0;
  }

  /** Decides every buffered trace now, by the policies. */
  flush(): void {
    for (let p = this.#oldest(); p !== undefined; p = this.#oldest()) this.#decide(p);
    this.#ready = [];
    this.#readyDeadlines = [];
    this.#readyHead = 0;
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
      kept: { ...this.#kept },
      dropped: { ...this.#dropped },
      pending: this.#pending.size,
      pendingSpans: this.#pendingSpans,
    };
  }

  #decide(p: Pending): void {
    p.decided = true;
    this.#pending.delete(p.traceId);
    this.#pendingSpans -= p.spans.length;
    const d = this.#evaluate(p);
    this.#remember(p.traceId, d);
    const n = p.spans.length;
    if (d.keep) {
      this.#stats.keptTraces++;
      this.#stats.keptSpans += n;
      this.#kept[d.reason] = (this.#kept[d.reason] ?? 0) + 1;
      this.#callKeep(p.spans, d.reason);
    } else {
      this.#stats.droppedTraces++;
      this.#stats.droppedSpans += n;
      this.#dropped[d.reason] = (this.#dropped[d.reason] ?? 0) + 1;
      if (this.#onDrop !== undefined) {
        try {
          this.#onDrop(p.traceId, d.reason);
        } catch {
          this.#stats.callbackErrors++;
        }
      }
    }
  }

  #remember(traceId: string, d: Decision): void {
    const ids = this.#decidedIds;
    if (ids.length < this.#cacheSize) ids.push(traceId);
    else {
      const i = this.#decidedNext;
      // A trace id can be cached again after a forgotten decision: forget only its own entry.
      const old = ids[i]!;
      if (old !== traceId) {
        this.#decisions.delete(old);
        this.#stats.decisionCacheEvicted++;
      }
      ids[i] = traceId;
      this.#decidedNext = i + 1 === ids.length ? 0 : i + 1;
    }
    this.#decisions.set(traceId, d);
  }

  #callKeep(spans: SpanRecord[], reason: string): void {
    try {
      this.#onKeep(spans, reason);
    } catch {
      this.#stats.callbackErrors++;
    }
  }

  #keep(reason: string): Decision {
    let d = this.#keepDecisions.get(reason);
    if (d === undefined) this.#keepDecisions.set(reason, (d = Object.freeze({ keep: true, reason })));
    return d;
  }

  #drop(reason: string): Decision {
    let d = this.#dropDecisions.get(reason);
    if (d === undefined) this.#dropDecisions.set(reason, (d = Object.freeze({ keep: false, reason })));
    return d;
  }

  /** Policies in their documented order; the first that decides names the reason. */
  #evaluate(p: Pending): Decision {
    const pol = this.#policies;
    const root = p.root ?? earliest(p.spans);
    const routeAttr = str(root.attributes['http.route']);
    if (pol.drop !== undefined) {
      const path = routeAttr ?? str(root.attributes['url.path']);
      if (pol.drop.routes?.some((m) => matches(m, path)) || pol.drop.names?.some((m) => matches(m, root.name))) {
        return this.#drop('drop');
      }
    }
    if (pol.error === true && p.hasError) return this.#keep('error');
    const route = routeAttr ?? root.name;
    if (pol.latency !== undefined) {
      const l = pol.latency;
      const duration = p.root !== undefined ? root.duration : extent(p.spans);
      let slow = l.thresholdMs !== undefined && duration >= l.thresholdMs;
      if (l.aboveRouteP99 === true) {
        const h = this.#routeState(this.#latency, route, () => new LatencyHistogram());
        if (!slow && h.weight >= (l.minSamples ?? DEFAULT_MIN_SAMPLES) && duration > h.quantile(0.99)) slow = true;
        h.record(duration);
      }
      if (slow) return this.#keep('slow');
    }
    if (pol.attributes !== undefined) {
      for (const a of pol.attributes) {
        const hit = p.spans.some((s) => {
          const v = s.attributes[a.key];
          if (v === undefined) return false;
          if (a.equals !== undefined) return v === a.equals || str(v) === String(a.equals);
          if (a.matches !== undefined) return a.matches.test(str(v)!);
          return true;
        });
        if (hit) return this.#keep(`attribute:${a.key}`);
      }
    }
    if (pol.probabilistic !== undefined && isTraceIdSampled(p.traceId, pol.probabilistic)) return this.#keep('sampled');
    if (pol.rate !== undefined) {
      const now = this.#now();
      const { perRoute, global } = pol.rate;
      const bucket =
        perRoute === undefined
          ? undefined
          : this.#routeState(this.#routeBuckets, route, () => new TokenBucket(perRoute, Math.max(1, perRoute), now));
      if (global !== undefined && this.#globalBucket === undefined) {
        this.#globalBucket = new TokenBucket(global, Math.max(1, global), now);
      }
      const g = this.#globalBucket;
      // Take from both buckets or neither, so a full global bucket does not burn route tokens.
      if ((bucket === undefined || bucket.has(now)) && (g === undefined || g.has(now))) {
        bucket?.take(now);
        g?.take(now);
        return this.#keep('rate');
      }
    }
    return this.#drop('unsampled');
  }

  /** Per-route state, bounded: routes past maxRoutes share one entry. */
  #routeState<T>(map: Map<string, T>, route: string, make: () => T): T {
    let v = map.get(route);
    if (v !== undefined) return v;
    if (map.size >= this.#maxRoutes) {
      this.#stats.routesOverflowed++;
      route = OTHER_ROUTE;
      v = map.get(route);
      if (v !== undefined) return v;
    }
    map.set(route, (v = make()));
    return v;
  }
}

function isError(span: SpanRecord): boolean {
  if (isErrorSpan(span)) return true;
  const code = span.attributes['http.response.status_code'];
  return typeof code === 'number' && code >= 500;
}

function earliest(spans: SpanRecord[]): SpanRecord {
  let e = spans[0]!;
  for (const s of spans) if (s.startTime < e.startTime) e = s;
  return e;
}

function extent(spans: SpanRecord[]): number {
  let start = Infinity;
  let end = -Infinity;
  for (const s of spans) {
    if (s.startTime < start) start = s.startTime;
    if (s.startTime + s.duration > end) end = s.startTime + s.duration;
  }
  return end - start;
}
