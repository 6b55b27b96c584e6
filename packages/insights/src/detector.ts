/**
 * Baselines and anomaly detection over the golden-signal rings (`MetricsResponse`, as the metrics
 * package answers it): once per tick the detector reads the fine ring over the detection window
 * and, once per coarse period, recomputes each series' baseline from the coarse ring.
 *
 * Baselines are robust: the median and the MAD of the coarse slots' p50 / p95 over the baseline
 * window (default 1 h), the pooled error rate, and the median traffic rate; slots that overlapped
 * an anomaly of the series are left out, so an incident does not become the new normal. A series
 * is in warm-up (never anomalous) until it has been seen for `warmupMs` and its baseline holds
 * `warmupRequests` requests: a new route is not an anomaly.
 */
import {
  type Anomaly,
  type BaselineRow,
  type InsightScope,
  type InsightSeverity,
  type InsightSignal,
  type MetricsResponse,
  type SeriesLabels,
  type SeriesPoints,
} from '@debugpanel/model';
import { binomialUpperTail, MAD_SIGMA, mad, median, poissonLowerTail, poissonUpperTail } from './stats.js';

/** A user SLO of a route: `p95Ms` (95% of requests faster) and/or `errorRate` (budget share). */
export interface SloTarget {
  p95Ms?: number;
  errorRate?: number;
}

export interface DetectorOptions {
  /** Detection window over the fine ring, seconds (default 15) */
  windowSeconds?: number;
  /** Baseline window over the coarse ring, seconds (default 3600) */
  baselineSeconds?: number;
  /** Warm-up: no anomaly for a series seen for less than this, ms (default 300,000) */
  warmupMs?: number;
  /** ... or with fewer requests than this in its baseline (default 200) */
  warmupRequests?: number;
  /** Requests in the detection window below which latency and errors are not judged (default 10) */
  minCount?: number;
  /** Errors in the detection window below which no error anomaly is raised (default 5) */
  minErrors?: number;
  /** Significance of the error and traffic tests (default 1e-6: the test runs every second for every series) */
  alpha?: number;
  /** Consecutive ticks a rule must hold before an anomaly opens (default 3) */
  openTicks?: number;
  /** How long a signal must be back before its anomaly ends, ms (default 60,000) */
  closeAfterMs?: number;
  /** Smallest latency shift that counts, ms (default 20) */
  minShiftMs?: number;
  /** Smallest latency ratio over the baseline p95 that counts (default 1.3) */
  minRatio?: number;
  /** Event-loop delay p99 that counts as saturation at least, ms (default 100) */
  loopDelayMs?: number;
  /** `{ 'GET /checkout': { p95Ms: 300, errorRate: 0.01 } }`: multi-window, multi-burn-rate rules */
  slo?: Record<string, SloTarget>;
}

/** What the detector reads each tick: the fine ring over the window and the coarse ring. */
export interface SignalSnapshot {
  /** ms since epoch */
  now: number;
  /**
   * every series over the detection window (1 s slots), or over up to two windows: the error test
   * of a series whose last window holds fewer than `ERROR_WINDOW_REQUESTS` requests reads both
   * (everything else reads the last window only)
   */
  fine: MetricsResponse;
  /** every series over the coarse window; read again only when `coarse.times` moved */
  coarse: MetricsResponse;
}

/**
 * What the detector may ask its owner (the engine) beyond the series: `expectedLatency` gives a
 * dependency edge's p95 at its current statement mix with every statement at its own baseline
 * latency (see `StatementMix`), or undefined when it cannot tell.
 */
export interface DetectorHooks {
  expectedLatency?: (scope: InsightScope, now: number) => number | undefined;
}

/** What changed in a tick. */
export interface DetectorChanges {
  opened: Anomaly[];
  updated: Anomaly[];
  closed: Anomaly[];
}

interface Baseline {
  ready: boolean;
  count: number;
  p50: number;
  p95: number;
  p95Mad: number;
  errorRate: number;
  /** median requests per second, and its MAD */
  rate: number;
  rateMad: number;
  /** saturation: event-loop delay p99 and heap used */
  loopP99?: number;
  loopMad?: number;
  heap?: number;
}

interface Condition {
  held: number;
  backSince: number | undefined;
  anomaly: Anomaly | undefined;
}

interface SeriesState {
  key: string;
  scope: InsightScope;
  firstSeen: number;
  baseline: Baseline | undefined;
  /** coarse slot time the baseline was computed at */
  baselineAt: number;
  conditions: Map<string, Condition>;
  /** [from, to) ranges of closed anomalies, left out of later baselines (the last 8) */
  excluded: Array<[number, number]>;
  lastSeen: number;
}

/** A judgement of one rule on one tick. */
interface Verdict {
  holds: boolean;
  back: boolean;
  severity: InsightSeverity;
  baseline: number;
  current: number;
  unit: Anomaly['unit'];
  pValue?: number;
  detail: string;
}

const DEFAULTS = {
  windowSeconds: 15,
  baselineSeconds: 3600,
  warmupMs: 300_000,
  warmupRequests: 200,
  minCount: 10,
  minErrors: 5,
  alpha: 1e-6,
  openTicks: 3,
  closeAfterMs: 60_000,
  minShiftMs: 20,
  minRatio: 1.3,
  loopDelayMs: 100,
};

/** The scope of a metrics series, or undefined for folded (`other`) series. */
export function scopeOf(labels: SeriesLabels): InsightScope | undefined {
  if (labels.kind === 'client') {
    if (labels.dependency === undefined || labels.dependency === 'other') return undefined;
    return { kind: 'dependency', service: labels.service, dependency: labels.dependency };
  }
  if (labels.route === '*') return labels.service === 'other' ? undefined : { kind: 'service', service: labels.service };
  if (labels.route === undefined || labels.route === 'other' || labels.method === 'other') return undefined;
  return { kind: 'route', service: labels.service, route: `${labels.method ?? '_OTHER'} ${labels.route}` };
}

/** A stable key of a scope: `route:svc:GET /x`, `dependency:svc:dep`, `service:svc`, `process:svc`. */
export function scopeKey(scope: InsightScope): string {
  const what = scope.kind === 'route' ? scope.route : scope.kind === 'dependency' ? scope.dependency : undefined;
  return what === undefined ? `${scope.kind}:${scope.service}` : `${scope.kind}:${scope.service}:${what}`;
}

/** `GET /checkout` (orders), `orders -> sqlite orders.db`, `orders` */
export function scopeName(scope: InsightScope): string {
  if (scope.kind === 'route') return `${scope.route} (${scope.service})`;
  if (scope.kind === 'dependency') return `${scope.service} -> ${scope.dependency}`;
  if (scope.kind === 'process') return `${scope.service} process`;
  return scope.service;
}

function fmtMs(v: number): string {
  return v >= 100 ? `${Math.round(v)} ms` : `${Math.round(v * 10) / 10} ms`;
}
function pct(v: number): string {
  return `${Math.round(v * 1000) / 10}%`;
}

/** Count-weighted median of per-slot values: one odd slot (one odd request) does not move it. */
function weightedMedian(values: number[], weights: number[]): number {
  const idx: number[] = [];
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    if (weights[i]! > 0) {
      idx.push(i);
      total += weights[i]!;
    }
  }
  if (total === 0) return 0;
  idx.sort((a, b) => values[a]! - values[b]!);
  let acc = 0;
  for (const i of idx) {
    acc += weights[i]!;
    if (acc >= total / 2) return values[i]!;
  }
  return values[idx[idx.length - 1]!]!;
}

/** Share of a slot's requests slower than `t`, from its p50 / p95 / p99 / max (linear between them). */
export function shareAbove(t: number, p50: number, p95: number, p99: number, max: number): number {
  const pts: Array<[number, number]> = [[0, 1], [p50, 0.5], [p95, 0.05], [p99, 0.01], [max, 0]];
  if (t >= max) return 0;
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1]!;
    const [x1, y1] = pts[i]!;
    if (t <= x1) return x1 > x0 ? y0 + ((y1 - y0) * (t - x0)) / (x1 - x0) : y1;
  }
  return 0;
}

/**
 * Watches every series of the metrics rings against its baseline; `tick(snapshot)` once per second.
 * Pure and clocked by the snapshot, so tests drive it with hand-built series.
 *
 * @example
 * const detector = new Detector({ windowSeconds: 15 });
 * const changes = detector.tick({ now, fine: signals.query(...), coarse: ... });
 * for (const a of changes.opened) console.log(a.detail);
 */
export class Detector {
  readonly options: Required<Omit<DetectorOptions, 'slo'>> & { slo: Record<string, SloTarget> };
  private readonly series = new Map<string, SeriesState>();
  private seq = 0;
  private total = 0;
  private readonly maxSeries = 2000;
  private readonly hooks: DetectorHooks;
  private explained = 0;

  constructor(options: DetectorOptions = {}, hooks: DetectorHooks = {}) {
    this.options = { ...DEFAULTS, ...options, slo: { ...options.slo } } as Detector['options'];
    this.hooks = hooks;
  }

  /** Ticks on which a dependency edge's latency rule held but its statement mix explained the shift (not counted as holding). */
  get mixExplainedTicks(): number {
    return this.explained;
  }

  /** Anomalies raised since creation. */
  get anomaliesTotal(): number {
    return this.total;
  }

  get seriesCount(): number {
    return this.series.size;
  }

  open(): Anomaly[] {
    const out: Anomaly[] = [];
    for (const s of this.series.values()) for (const c of s.conditions.values()) if (c.anomaly) out.push(c.anomaly);
    return out;
  }

  /** Each watched series and its baseline, for the API. */
  baselines(): BaselineRow[] {
    const rows: BaselineRow[] = [];
    for (const s of this.series.values()) {
      const b = s.baseline;
      if (!b || s.scope.kind === 'process') continue;
      rows.push({ scope: s.scope, ready: b.ready, count: b.count, p50: b.p50, p95: b.p95, p95Mad: b.p95Mad, errorRate: b.errorRate, rate: b.rate });
    }
    return rows;
  }

  tick(snap: SignalSnapshot): DetectorChanges {
    const changes: DetectorChanges = { opened: [], updated: [], closed: [] };
    const { now, coarse } = snap;
    const long = snap.fine;
    const fine = lastPoints(long, Math.max(1, Math.round(this.options.windowSeconds / Math.max(1, long.resolution))));
    const longBySeries = new Map(fine.series.map((f, i) => [f, long.series[i]!]));
    const coarseAt = coarse.times.length ? coarse.times[coarse.times.length - 1]! : 0;
    const coarseByKey = new Map<string, SeriesPoints>();
    for (const c of coarse.series) {
      const scope = scopeOf(c.labels);
      if (scope) coarseByKey.set(scopeKey(scope), c);
    }
    for (const f of fine.series) {
      const scope = scopeOf(f.labels);
      if (!scope) continue;
      const key = scopeKey(scope);
      const state = this.stateFor(key, scope, now);
      if (!state) continue;
      state.lastSeen = now;
      const c = coarseByKey.get(key);
      const anyOpen = [...state.conditions.values()].some((x) => x.anomaly);
      // Frozen while an anomaly is open, so the incident does not become the baseline.
      if (c && (state.baseline === undefined || (state.baselineAt !== coarseAt && !anyOpen))) {
        const next = this.baselineOf(state, c, coarse, now);
        // Leaving an anomaly's slots out can leave a quiet series too few requests for a baseline
        // (a route at 1 req/s, a 90 s baseline, a 60 s incident): it keeps the last ready one, its
        // normal from before the incident, instead of going blind as if it were new.
        const since = now - (this.options.baselineSeconds + this.options.windowSeconds) * 1000;
        const leftOut = state.excluded.some(([, to]) => to > since);
        state.baseline = !next.ready && state.baseline?.ready && leftOut ? state.baseline : next;
        state.baselineAt = coarseAt;
      }
      const b = state.baseline;
      if (!b) continue;
      const cur = current(f);
      if (b.ready) {
        this.judge(state, 'latency', 'latency', now, this.latency(b, cur, scope, now), changes);
        // Few requests in the window: a fault's errors cannot pass the test there (20% of 40
        // requests against a 4% baseline is p ~ 1e-4), so the error test reads up to two windows.
        // Both are tested, each at half the significance level (Bonferroni): the two windows
        // dilute a fault that began within the last one with the clean traffic before it.
        const longCur = cur.count < ERROR_WINDOW_REQUESTS ? current(longBySeries.get(f)!) : cur;
        const seconds = longCur === cur ? this.options.windowSeconds : Math.round(long.times.length * long.resolution);
        let verdict = this.errors(b, longCur, seconds, longCur === cur ? this.options.alpha : this.options.alpha / 2);
        if (longCur !== cur && verdict && !verdict.holds) {
          const short = this.errors(b, cur, this.options.windowSeconds, this.options.alpha / 2);
          if (short?.holds) verdict = short;
        }
        this.judge(state, 'errors', 'errors', now, verdict, changes);
        if (scope.kind === 'service') {
          this.judge(state, 'traffic-drop', 'traffic-drop', now, this.traffic(b, cur, 'drop'), changes);
          this.judge(state, 'traffic-surge', 'traffic-surge', now, this.traffic(b, cur, 'surge'), changes);
        }
      }
      if (scope.kind === 'route') {
        const target = this.options.slo[scope.route!] ?? this.options.slo[`${scope.service} ${scope.route}`];
        if (target && c) {
          if (target.errorRate !== undefined) this.judge(state, 'slo-errors', 'slo-burn', now, this.burn(c, coarse, target, 'errors'), changes);
          if (target.p95Ms !== undefined) this.judge(state, 'slo-latency', 'slo-burn', now, this.burn(c, coarse, target, 'latency'), changes);
        }
      }
    }
    if (fine.process && coarse.process) this.saturation(snap, changes);
    // Series that left the rings (nothing for the whole fine window) close their anomalies.
    for (const s of this.series.values()) {
      if (s.lastSeen === now) continue;
      for (const c of s.conditions.values()) {
        if (c.anomaly && now - s.lastSeen >= this.options.closeAfterMs) this.close(s, c, now, changes);
      }
      if (now - s.lastSeen > this.options.baselineSeconds * 1000 && ![...s.conditions.values()].some((c) => c.anomaly)) this.series.delete(s.key);
    }
    return changes;
  }

  private stateFor(key: string, scope: InsightScope, now: number): SeriesState | undefined {
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.maxSeries) return undefined; // bounded by the metrics' own maxSeries anyway
      s = { key, scope, firstSeen: now, baseline: undefined, baselineAt: -1, conditions: new Map(), excluded: [], lastSeen: now };
      this.series.set(key, s);
    }
    return s;
  }

  private baselineOf(state: SeriesState, c: SeriesPoints, coarse: MetricsResponse, now: number): Baseline {
    const res = coarse.resolution * 1000;
    const until = now - this.options.windowSeconds * 1000;
    const from = until - this.options.baselineSeconds * 1000;
    const p50: number[] = [];
    const p95: number[] = [];
    const rates: number[] = [];
    let count = 0;
    let errors = 0;
    let earliest = Infinity;
    for (let i = 0; i < coarse.times.length; i++) {
      const t = coarse.times[i]!;
      if (t < from || t + res > until) continue;
      if (state.excluded.some(([a, b]) => t + res > a && t < b)) continue;
      const n = c.count[i]!;
      if (n > 0) {
        earliest = Math.min(earliest, t);
        p50.push(c.p50[i]!);
        p95.push(c.p95[i]!);
        count += n;
        errors += c.errors[i]!;
      }
      if (t >= Math.min(earliest, state.firstSeen)) rates.push(n / coarse.resolution);
    }
    state.firstSeen = Math.min(state.firstSeen, earliest);
    const m95 = p95.length ? median(p95) : 0;
    const rate = rates.length ? median(rates) : 0;
    return {
      ready: count >= this.options.warmupRequests && now - state.firstSeen >= this.options.warmupMs,
      count,
      p50: p50.length ? median(p50) : 0,
      p95: m95,
      p95Mad: p95.length ? mad(p95, m95) : 0,
      errorRate: count ? errors / count : 0,
      rate,
      rateMad: rates.length ? mad(rates, rate) : 0,
    };
  }

  private latency(b: Baseline, cur: Current, scope: InsightScope, now: number): Verdict | undefined {
    if (cur.count < this.options.minCount || b.p95 <= 0) return undefined;
    const margin = Math.max(4 * MAD_SIGMA * b.p95Mad, (this.options.minRatio - 1) * b.p95, this.options.minShiftMs);
    let holds = cur.p95 > b.p95 + margin;
    // A dependency edge's p95 is one series over all the statements it carries: a burst of a
    // by-design slow statement lifts it with no statement slower than usual. The shift counts only
    // when the p95 is also above what the current mix costs at each statement's own baseline (the
    // same margin rule, with that expected value as the baseline).
    if (holds && scope.kind === 'dependency' && this.hooks.expectedLatency) {
      const expected = this.hooks.expectedLatency(scope, now);
      if (expected !== undefined && expected > b.p95 && cur.p95 <= expected + Math.max((this.options.minRatio - 1) * expected, this.options.minShiftMs)) {
        holds = false;
        this.explained++;
      }
    }
    return {
      holds,
      back: cur.p95 <= b.p95 + margin / 2,
      severity: cur.p95 >= 2 * b.p95 && cur.p95 - b.p95 >= 100 ? 'critical' : 'warning',
      baseline: b.p95,
      current: cur.p95,
      unit: 'ms',
      detail: `p95 ${fmtMs(cur.p95)} over the last ${this.options.windowSeconds} s, baseline ${fmtMs(b.p95)} (${(cur.p95 / b.p95).toFixed(1)}x)`,
    };
  }

  private errors(b: Baseline, cur: Current, seconds = this.options.windowSeconds, alpha = this.options.alpha): Verdict | undefined {
    if (cur.count < this.options.minCount) return undefined;
    const p0 = Math.min(0.99, Math.max(b.errorRate, 0.001));
    const rate = cur.errors / cur.count;
    const p = cur.errors > 0 ? binomialUpperTail(cur.errors, cur.count, p0) : 1;
    const holds = cur.errors >= this.options.minErrors && rate >= p0 + 0.02 && rate >= 1.5 * p0 && p < alpha;
    return {
      holds,
      back: rate < p0 + 0.01 || p > 1e-2,
      severity: rate >= Math.max(0.2, 5 * p0) ? 'critical' : 'warning',
      baseline: b.errorRate,
      current: rate,
      unit: 'ratio',
      pValue: p,
      detail: `error rate ${pct(rate)} (${cur.errors} of ${cur.count}) over the last ${seconds} s, baseline ${pct(b.errorRate)}; p = ${p.toExponential(1)}`,
    };
  }

  private traffic(b: Baseline, cur: Current, dir: 'drop' | 'surge'): Verdict | undefined {
    if (b.rate < 0.5) return undefined; // too little traffic to tell a drop from chance
    const w = this.options.windowSeconds;
    const lambda = b.rate * w;
    const rate = cur.count / w;
    const spread = 4 * MAD_SIGMA * b.rateMad;
    if (dir === 'drop') {
      const p = poissonLowerTail(cur.count, lambda);
      return {
        holds: rate <= b.rate / 2 && rate < b.rate - spread && p < this.options.alpha,
        back: rate >= 0.75 * b.rate,
        severity: rate <= b.rate / 10 ? 'critical' : 'warning',
        baseline: b.rate,
        current: rate,
        unit: 'rps',
        pValue: p,
        detail: `traffic ${rate.toFixed(1)} req/s over the last ${w} s, baseline ${b.rate.toFixed(1)} req/s`,
      };
    }
    const p = poissonUpperTail(cur.count, lambda);
    return {
      holds: rate >= 2 * b.rate + 1 && rate > b.rate + spread && p < this.options.alpha,
      back: rate <= 1.5 * b.rate,
      severity: rate >= 5 * b.rate ? 'critical' : 'warning',
      baseline: b.rate,
      current: rate,
      unit: 'rps',
      pValue: p,
      detail: `traffic ${rate.toFixed(1)} req/s over the last ${w} s, baseline ${b.rate.toFixed(1)} req/s`,
    };
  }

  /**
   * SLO burn rates, the SRE workbook's multi-window rules: page (critical) when the 1 h and the
   * 5 min burn rates are both >= 14.4, ticket (warning) when the 6 h and the 30 min ones are >= 6.
   * Latency SLOs count a slot's share of requests slower than `p95Ms` from its percentiles.
   */
  private burn(c: SeriesPoints, coarse: MetricsResponse, target: SloTarget, which: 'errors' | 'latency'): Verdict | undefined {
    const res = coarse.resolution;
    const n = c.count.length;
    const budget = which === 'errors' ? Math.max(target.errorRate!, 1e-6) : 0.05;
    const ratio = (seconds: number): { bad: number; count: number } => {
      const slots = Math.max(1, Math.round(seconds / res));
      let bad = 0;
      let count = 0;
      for (let i = Math.max(0, n - slots); i < n; i++) {
        const k = c.count[i]!;
        if (k === 0) continue;
        count += k;
        bad += which === 'errors' ? c.errors[i]! : k * shareAbove(target.p95Ms!, c.p50[i]!, c.p95[i]!, c.p99[i]!, c.max[i]!);
      }
      return { bad, count };
    };
    const burnOf = (seconds: number): number => {
      const r = ratio(seconds);
      return r.count ? r.bad / r.count / budget : 0;
    };
    const short = ratio(300);
    if (short.count < this.options.minCount) return undefined;
    const b5 = burnOf(300);
    const b1h = burnOf(3600);
    const b30 = burnOf(1800);
    const b6h = burnOf(21_600);
    const page = b1h >= 14.4 && b5 >= 14.4;
    const ticket = b6h >= 6 && b30 >= 6;
    const what = which === 'errors' ? `error-rate SLO ${pct(target.errorRate!)}` : `latency SLO p95 < ${fmtMs(target.p95Ms!)}`;
    return {
      holds: page || ticket,
      back: b5 < 6 && b30 < 6,
      severity: page ? 'critical' : 'warning',
      baseline: 1,
      current: page ? Math.min(b1h, b5) : Math.min(b6h, b30),
      unit: 'burn',
      detail: `${what} burning its budget ${(page ? Math.min(b1h, b5) : Math.min(b6h, b30)).toFixed(1)}x (1 h ${b1h.toFixed(1)}x, 5 min ${b5.toFixed(1)}x, 6 h ${b6h.toFixed(1)}x, 30 min ${b30.toFixed(1)}x)`,
    };
  }

  private saturation(snap: SignalSnapshot, changes: DetectorChanges): void {
    const { now, fine, coarse } = snap;
    const service = fine.series.find((s) => s.labels.kind === 'server')?.labels.service ?? this.processService;
    if (service === undefined) return;
    this.processService = service;
    const scope: InsightScope = { kind: 'process', service };
    const state = this.stateFor(scopeKey(scope), scope, now);
    if (!state) return;
    state.lastSeen = now;
    const coarseAt = coarse.times.length ? coarse.times[coarse.times.length - 1]! : 0;
    const fp = fine.process!;
    const cp = coarse.process!;
    if (state.baseline === undefined || (state.baselineAt !== coarseAt && ![...state.conditions.values()].some((c) => c.anomaly))) {
      const until = now - this.options.windowSeconds * 1000;
      const loop: number[] = [];
      const heap: number[] = [];
      for (let i = 0; i < coarse.times.length; i++) {
        const t = coarse.times[i]!;
        if (t + coarse.resolution * 1000 > until || t < until - this.options.baselineSeconds * 1000) continue;
        if (cp.heapUsed[i]! <= 0) continue; // no sample in that slot
        loop.push(cp.eventLoopDelayP99[i]!);
        heap.push(cp.heapUsed[i]!);
      }
      const m = loop.length ? median(loop) : 0;
      state.baseline = {
        ready: loop.length * coarse.resolution * 1000 >= this.options.warmupMs,
        count: loop.length, p50: 0, p95: 0, p95Mad: 0, errorRate: 0, rate: 0, rateMad: 0,
        loopP99: m, loopMad: loop.length ? mad(loop, m) : 0, heap: heap.length ? median(heap) : 0,
      };
      state.baselineAt = coarseAt;
    }
    const b = state.baseline;
    if (!b.ready) return;
    const samples = fp.eventLoopDelayP99.filter((_, i) => fp.heapUsed[i]! > 0);
    const heapNow = fp.heapUsed.filter((v) => v > 0);
    if (samples.length === 0) return;
    const loopNow = median(samples);
    const threshold = Math.max(b.loopP99! + 4 * MAD_SIGMA * b.loopMad!, 2 * b.loopP99!, this.options.loopDelayMs);
    this.judge(state, 'loop', 'saturation', now, {
      holds: loopNow > threshold,
      back: loopNow <= (threshold + b.loopP99!) / 2,
      severity: loopNow >= 5 * threshold ? 'critical' : 'warning',
      baseline: b.loopP99!,
      current: loopNow,
      unit: 'ms',
      detail: `event-loop delay p99 ${fmtMs(loopNow)}, baseline ${fmtMs(b.loopP99!)}`,
    }, changes);
    const h = heapNow.length ? heapNow[heapNow.length - 1]! : 0;
    const heapLimit = Math.max(1.5 * b.heap!, b.heap! + 256 * 1024 * 1024);
    this.judge(state, 'heap', 'saturation', now, {
      holds: h > heapLimit,
      back: h <= (heapLimit + b.heap!) / 2,
      severity: h > 2 * heapLimit ? 'critical' : 'warning',
      baseline: b.heap!,
      current: h,
      unit: 'bytes',
      detail: `heap used ${Math.round(h / 1048576)} MiB, baseline ${Math.round(b.heap! / 1048576)} MiB`,
    }, changes);
  }

  private processService: string | undefined;

  /** Hysteresis: open after `openTicks` ticks holding; close after `closeAfterMs` back. */
  private judge(state: SeriesState, name: string, signal: InsightSignal, now: number, v: Verdict | undefined, changes: DetectorChanges): void {
    let c = state.conditions.get(name);
    if (!c) {
      if (!v?.holds) return;
      c = { held: 0, backSince: undefined, anomaly: undefined };
      state.conditions.set(name, c);
    }
    if (v === undefined) {
      // not judged (too few requests): neither holding nor back
      if (!c.anomaly) c.held = 0;
      return;
    }
    if (v.holds) {
      c.held++;
      c.backSince = undefined;
      if (!c.anomaly && c.held >= this.options.openTicks) {
        c.anomaly = {
          id: `a${now.toString(36)}-${(++this.seq).toString(36)}`,
          signal,
          scope: state.scope,
          severity: v.severity,
          startedAt: now - (this.options.openTicks - 1) * 1000,
          baseline: v.baseline,
          current: v.current,
          unit: v.unit,
          ...(v.pValue !== undefined ? { pValue: v.pValue } : {}),
          detail: `${scopeName(state.scope)}: ${v.detail}`,
        };
        this.total++;
        changes.opened.push(c.anomaly);
      } else if (c.anomaly) {
        const a = c.anomaly;
        const worse = v.severity === 'critical' && a.severity !== 'critical';
        a.current = v.current;
        if (v.pValue !== undefined) a.pValue = v.pValue;
        a.detail = `${scopeName(state.scope)}: ${v.detail}`;
        if (worse) a.severity = 'critical';
        changes.updated.push(a);
      }
      return;
    }
    c.held = 0;
    if (!c.anomaly) {
      state.conditions.delete(name);
      return;
    }
    if (v.back) {
      c.backSince ??= now;
      if (now - c.backSince >= this.options.closeAfterMs) this.close(state, c, now, changes);
    } else {
      c.backSince = undefined;
    }
  }

  private close(state: SeriesState, c: Condition, now: number, changes: DetectorChanges): void {
    const a = c.anomaly!;
    a.endedAt = c.backSince ?? now;
    changes.closed.push(a);
    state.excluded.push([a.startedAt - this.options.windowSeconds * 1000, a.endedAt]);
    if (state.excluded.length > 8) state.excluded.shift();
    c.anomaly = undefined;
    c.backSince = undefined;
    c.held = 0;
    state.baselineAt = -1; // recompute without the anomaly's slots
  }
}

/** Below this many requests in the detection window, the error test reads up to two windows. */
export const ERROR_WINDOW_REQUESTS = 100;

/** The last `n` points of every series (and of the process signals) of a response. */
function lastPoints(r: MetricsResponse, n: number): MetricsResponse {
  if (r.times.length <= n) return r;
  const cut = <T>(a: T[]): T[] => a.slice(Math.max(0, a.length - n));
  const series = r.series.map((f) => ({
    labels: f.labels, rate: cut(f.rate), count: cut(f.count), errors: cut(f.errors), errorRate: cut(f.errorRate),
    p50: cut(f.p50), p95: cut(f.p95), p99: cut(f.p99), max: cut(f.max), exemplars: cut(f.exemplars),
  }));
  const out: MetricsResponse = { resolution: r.resolution, times: cut(r.times), series };
  if (r.process) out.process = Object.fromEntries(Object.entries(r.process).map(([k, v]) => [k, cut(v)])) as MetricsResponse['process'] & object;
  return out;
}

interface Current {
  count: number;
  errors: number;
  p50: number;
  p95: number;
}

function current(f: SeriesPoints): Current {
  let count = 0;
  let errors = 0;
  for (let i = 0; i < f.count.length; i++) {
    count += f.count[i]!;
    errors += f.errors[i]!;
  }
  return { count, errors, p50: weightedMedian(f.p50, f.count), p95: weightedMedian(f.p95, f.count) };
}

