/**
 * Tail policy evaluation, apart from the buffering: given one buffered trace, which policy keeps
 * or drops it, and why. The only state is per route (the running p99 and the rate buckets),
 * bounded by `maxRoutes`; time comes from the caller, so a test drives it without a sampler, a
 * buffer or a clock.
 */
import type { AttributeValue, SpanRecord } from '@debugpanel/model';
import { LatencyHistogram } from './latency.js';
import type { AttributePolicy, DropPolicy, LatencyPolicy, Matcher, RatePolicy, TailPolicies } from './options.js';
import { TokenBucket } from './token-bucket.js';
import { isTraceIdSampled } from './trace-id-ratio.js';

/** A buffered trace, as the policies see it. */
export interface TraceToDecide {
  readonly traceId: string;
  /** Its spans in arrival order; at least one */
  readonly spans: ReadonlyArray<SpanRecord>;
  /** Its earliest parentless span, else its earliest local root; undefined when no local root arrived */
  readonly root: SpanRecord | undefined;
  /** True when any of its spans is an error span (model `isErrorSpan`) */
  readonly hasError: boolean;
}

/** Keep or drop, and the reason the panel shows ("kept because ..."). */
export interface Decision {
  readonly keep: boolean;
  readonly reason: string;
}

/** The order policies are evaluated in; the first that decides names the reason. */
export const POLICY_ORDER = Object.freeze(['drop', 'error', 'latency', 'attributes', 'probabilistic', 'rate'] as const);

const OTHER_ROUTE = '\u0000other';
const DEFAULT_MIN_SAMPLES = 100;

/**
 * Evaluates validated `TailPolicies` in `POLICY_ORDER`:
 * `drop` -> dropped (`drop`); `error` -> kept (`error`); `latency` -> kept (`slow`);
 * `attributes` -> kept (`attribute:<key>`); `probabilistic` -> kept (`sampled`);
 * `rate` -> kept (`rate`); none -> dropped (`unsampled`).
 *
 * @example
 * const policies = new PolicyEvaluator({ error: true, probabilistic: 0.01 }, 1000);
 * policies.evaluate({ traceId, spans, root, hasError: false }, Date.now()); // { keep: false, reason: 'unsampled' }
 */
export class PolicyEvaluator {
  readonly #policies: TailPolicies;
  readonly #maxRoutes: number;
  readonly #routeBuckets = new Map<string, TokenBucket>();
  #globalBucket: TokenBucket | undefined;
  readonly #latency = new Map<string, LatencyHistogram>();
  /** One frozen decision per reason: evaluate() runs for every trace and allocates none. */
  readonly #keeps = new Map<string, Decision>();
  readonly #drops = new Map<string, Decision>();
  #routesOverflowed = 0;

  constructor(policies: TailPolicies, maxRoutes: number) {
    this.#policies = policies;
    this.#maxRoutes = maxRoutes;
  }

  /** Route lookups past `maxRoutes`, which shared one rate bucket and p99 */
  get routesOverflowed(): number {
    return this.#routesOverflowed;
  }

  /** Decides one trace at `now` (ms); records its duration in its route's p99 when that policy is on. */
  evaluate(t: TraceToDecide, now: number): Decision {
    const pol = this.#policies;
    const root = t.root ?? earliest(t.spans);
    const routeAttr = str(root.attributes['http.route']);
    if (pol.drop !== undefined && dropMatches(pol.drop, root, routeAttr)) return this.#decision(false, 'drop');
    if (pol.error === true && t.hasError) return this.#decision(true, 'error');
    const route = routeAttr ?? root.name;
    if (pol.latency !== undefined) {
      const duration = t.root !== undefined ? root.duration : extent(t.spans);
      if (this.#isSlow(pol.latency, route, duration)) return this.#decision(true, 'slow');
    }
    if (pol.attributes !== undefined) {
      for (const a of pol.attributes) {
        if (t.spans.some((s) => attributeMatches(a, s.attributes[a.key]))) return this.#decision(true, `attribute:${a.key}`);
      }
    }
    if (pol.probabilistic !== undefined && isTraceIdSampled(t.traceId, pol.probabilistic)) return this.#decision(true, 'sampled');
    if (pol.rate !== undefined && this.#takeRate(pol.rate, route, now)) return this.#decision(true, 'rate');
    return this.#decision(false, 'unsampled');
  }

  #isSlow(l: LatencyPolicy, route: string, duration: number): boolean {
    let slow = l.thresholdMs !== undefined && duration >= l.thresholdMs;
    if (l.aboveRouteP99 === true) {
      const h = this.#routeState(this.#latency, route, () => new LatencyHistogram());
      if (!slow && h.weight >= (l.minSamples ?? DEFAULT_MIN_SAMPLES) && duration > h.quantile(0.99)) slow = true;
      h.record(duration);
    }
    return slow;
  }

  #takeRate(r: RatePolicy, route: string, now: number): boolean {
    const { perRoute, global } = r;
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
      return true;
    }
    return false;
  }

  /** Per-route state, bounded: routes past maxRoutes share one entry. */
  #routeState<T>(map: Map<string, T>, route: string, make: () => T): T {
    let v = map.get(route);
    if (v !== undefined) return v;
    if (map.size >= this.#maxRoutes) {
      this.#routesOverflowed++;
      route = OTHER_ROUTE;
      v = map.get(route);
      if (v !== undefined) return v;
    }
    map.set(route, (v = make()));
    return v;
  }

  #decision(keep: boolean, reason: string): Decision {
    const map = keep ? this.#keeps : this.#drops;
    let d = map.get(reason);
    if (d === undefined) map.set(reason, (d = Object.freeze({ keep, reason })));
    return d;
  }
}

function dropMatches(drop: DropPolicy, root: SpanRecord, routeAttr: string | undefined): boolean {
  const path = routeAttr ?? str(root.attributes['url.path']);
  return drop.routes?.some((m) => matches(m, path)) === true || drop.names?.some((m) => matches(m, root.name)) === true;
}

function attributeMatches(a: AttributePolicy, v: AttributeValue | undefined): boolean {
  if (v === undefined) return false;
  if (a.equals !== undefined) return v === a.equals || str(v) === String(a.equals);
  if (a.matches !== undefined) return a.matches.test(str(v)!);
  return true;
}

function matches(m: Matcher, s: string | undefined): boolean {
  if (s === undefined) return false;
  return typeof m === 'string' ? m === s : m.test(s);
}

function str(v: AttributeValue | undefined): string | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? v : String(v);
}

function earliest(spans: ReadonlyArray<SpanRecord>): SpanRecord {
  let e = spans[0]!;
  for (const s of spans) if (s.startTime < e.startTime) e = s;
  return e;
}

/** From the earliest start to the latest end, ms: a trace's duration when no root arrived. */
function extent(spans: ReadonlyArray<SpanRecord>): number {
  let start = Infinity;
  let end = -Infinity;
  for (const s of spans) {
    if (s.startTime < start) start = s.startTime;
    if (s.startTime + s.duration > end) end = s.startTime + s.duration;
  }
  return end - start;
}
