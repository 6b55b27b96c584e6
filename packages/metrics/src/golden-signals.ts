import {
  calleeOf,
  checkKeys,
  isBoolean,
  isErrorSpan,
  isFunction,
  isPositiveInt,
  type CalleeKind,
  type Check,
  type MetricsResponse,
  type MetricsStats as GoldenSignalsStats,
  type RouteRow,
  type Schema,
  type SeriesPoints,
  type SpanRecord,
} from '@debugpanel/model';
import { foldSamples, PROCESS_FIELDS, ProcessRing, ProcessSampler, type ProcessSample } from './process.js';
import { Series, type RingSizes, type SeriesKind, type SeriesLabels } from './series.js';
import { toPrometheus } from './prometheus.js';
import type { RingSlot } from './time-ring.js';
import type { Percentiles } from './latency.js';

export interface GoldenSignalsOptions {
  /** Label sets per metric (server routes, client dependencies, services) before folding into `other`. Default 200. */
  maxSeries?: number;
  /** Fine resolution in seconds (default 1) and how long it is kept (default 600 = 10 minutes). */
  fineResolution?: number;
  fineWindow?: number;
  /** Coarse resolution in seconds (default 10) and how long it is kept (default 21,600 = 6 hours). */
  coarseResolution?: number;
  coarseWindow?: number;
  /** Sample the process's saturation signals (default true). */
  process?: boolean;
  /** Clock in ms since epoch; tests inject one. */
  now?: () => number;
}

// The query's answers are the API's JSON: declared in @debugpanel/model.
export type { GoldenSignalsStats, MetricsResponse, RouteRow, SeriesPoints };

export interface MetricsQuery {
  kind?: SeriesKind;
  service?: string;
  /** server: one route; without it, the whole service (every route together) */
  route?: string;
  /** client: one dependency; without it, every dependency of the service */
  dependency?: string;
  /** seconds back from now (default 300); up to the fine window uses the fine ring */
  window?: number;
}

const OTHER = 'other';
const SERVICE_ROUTE = '*';

const OPTIONS: Schema = {
  maxSeries: isPositiveInt,
  fineResolution: isPositiveInt,
  fineWindow: isPositiveInt,
  coarseResolution: isPositiveInt,
  coarseWindow: isPositiveInt,
  process: isBoolean,
  now: isFunction,
} satisfies Record<keyof GoldenSignalsOptions, Check>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The dependency a client span calls, named by model's `calleeOf` (so the metrics table and the
 * service map name it alike), with the type of call: `db`, `messaging`, `http` or `other`.
 */
export function dependencyOf(span: SpanRecord): { dependency: string; type: string } {
  const callee = calleeOf(span);
  return { dependency: callee.name, type: callTypeOf(callee.kind, span) };
}

function callTypeOf(kind: CalleeKind, span: SpanRecord): string {
  if (kind === 'database') return 'db';
  if (kind === 'messaging') return 'messaging';
  if (kind === 'service') return 'http';
  return kind === 'host' && (span.attributes['http.request.method'] !== undefined || span.attributes['http.method'] !== undefined) ? 'http' : OTHER;
}

/**
 * Golden signals (latency, traffic, errors, saturation) per route and per outgoing dependency,
 * from every server and client span, in fixed-size rings: memory does not grow with time, and a
 * cardinality guard folds label sets beyond `maxSeries` into `other`.
 *
 * @example
 * const signals = new GoldenSignals();
 * signals.start();                       // 1 s ticks (unref'd) and process sampling
 * onSpan = (span) => signals.record(span);
 * signals.query({ service: 'orders', route: '/orders/:id', window: 300 });
 * res.type('text/plain').send(signals.prometheus());
 */
export class GoldenSignals {
  readonly maxSeries: number;
  private readonly sizes: RingSizes;
  private readonly now: () => number;
  private readonly server = new Map<string, Series>();
  private readonly client = new Map<string, Series>();
  private readonly services = new Map<string, Series>();
  /**
   * Server series prepared per route: keyed by the span's name, which the panel makes once per
   * method and route template (`GET /orders/:id`), so every request of a route brings the same
   * string (its hash computed once). A hit costs one lookup and three string comparisons instead of
   * a key string built and hashed per span; series are never removed, so a handle stays valid.
   * Bounded like the series themselves.
   */
  private readonly prepared = new Map<string, { service: string; method: string; route: string; series: Series; svc: Series }>();
  /** series written in the open fine period */
  private active: Series[] = [];
  private finePeriod: number;
  private coarsePeriod: number;
  private foldedSpans = 0;
  private recordedSpans = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly sampler: ProcessSampler | undefined;
  private readonly processFine: ProcessRing | undefined;
  private readonly processCoarse: ProcessRing | undefined;
  private processPending: ProcessSample[] = [];
  private lastProcess: ProcessSample | undefined;

  constructor(options: GoldenSignalsOptions = {}) {
    checkKeys(options, OPTIONS, 'metrics');
    this.maxSeries = options.maxSeries ?? 200;
    const fineResolution = options.fineResolution ?? 1;
    const coarseResolution = options.coarseResolution ?? 10;
    const fineWindow = options.fineWindow ?? 600;
    const coarseWindow = options.coarseWindow ?? 21_600;
    if (coarseResolution % fineResolution !== 0) {
      throw new TypeError('metrics: coarseResolution must be a multiple of fineResolution');
    }
    this.sizes = {
      fineResolution,
      fineSlots: Math.ceil(fineWindow / fineResolution),
      coarseResolution,
      coarseSlots: Math.ceil(coarseWindow / coarseResolution),
    };
    this.now = options.now ?? Date.now;
    const t = this.now();
    this.finePeriod = Math.floor(t / 1000 / fineResolution);
    this.coarsePeriod = Math.floor(t / 1000 / coarseResolution);
    if (options.process !== false) {
      this.sampler = new ProcessSampler();
      this.processFine = new ProcessRing(this.sizes.fineSlots, fineResolution);
      this.processCoarse = new ProcessRing(this.sizes.coarseSlots, coarseResolution);
    }
  }

  /** Starts the period timer (unref'd) and the process sampler. */
  start(): void {
    if (this.timer) return;
    this.sampler?.start();
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch {
        // a metrics bug must never take the host app down; the next tick tries again
      }
    }, this.sizes.fineResolution * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sampler?.stop();
  }

  /** Counts one span: server spans per route, client spans per dependency; other kinds are ignored. */
  record(span: SpanRecord): void {
    let series: Series;
    if (span.kind === 'server') {
      const method = str(span.attributes['http.request.method']) ?? '_OTHER';
      // Route templates only: a raw path (with ids in it) would explode cardinality.
      const route = str(span.attributes['http.route']) ?? 'unmatched';
      const known = this.prepared.get(span.name);
      let svc: Series;
      if (known !== undefined && known.route === route && known.method === method && known.service === span.service) {
        series = known.series;
        svc = known.svc;
      } else {
        const folded = this.foldedSpans;
        series = this.seriesFor(this.server, `${span.service}\0${method}\0${route}`, () => ({
          kind: 'server', service: span.service, method, route,
        }));
        svc = this.seriesFor(this.services, span.service, () => ({
          kind: 'server', service: span.service, route: SERVICE_ROUTE,
        }));
        // Only matched routes (an unmatched request's name is its raw path); folded spans keep
        // taking the slow path, so that they are still counted as folded.
        if (route !== 'unmatched' && this.foldedSpans === folded && this.prepared.size < this.maxSeries) {
          this.prepared.set(span.name, { service: span.service, method, route, series, svc });
        }
      }
      // One error verdict for both series (it reads the status and the HTTP status attributes).
      const error = isErrorSpan(span);
      if (svc.observe(span.duration, error, span.traceId)) this.active.push(svc);
      this.recordedSpans++;
      if (series.observe(span.duration, error, span.traceId)) this.active.push(series);
      return;
    } else if (span.kind === 'client') {
      const { dependency, type } = dependencyOf(span);
      series = this.seriesFor(this.client, `${span.service}\0${dependency}`, () => ({
        kind: 'client', service: span.service, dependency, type,
      }));
    } else {
      return;
    }
    this.recordedSpans++;
    this.observe(series, span);
  }

  private observe(series: Series, span: SpanRecord): void {
    const error = isErrorSpan(span);
    if (series.observe(span.duration, error, span.traceId)) this.active.push(series);
  }

  private seriesFor(map: Map<string, Series>, key: string, labels: () => SeriesLabels): Series {
    const found = map.get(key);
    if (found) return found;
    if (map.size < this.maxSeries) {
      const s = new Series(labels(), this.sizes);
      map.set(key, s);
      return s;
    }
    this.foldedSpans++;
    let other = map.get(OTHER);
    if (!other) {
      const l = labels();
      const folded: SeriesLabels =
        l.kind === 'server'
          ? { kind: 'server', service: l.route === SERVICE_ROUTE ? OTHER : l.service, method: OTHER, route: l.route === SERVICE_ROUTE ? SERVICE_ROUTE : OTHER }
          : { kind: 'client', service: l.service, dependency: OTHER, type: OTHER };
      other = new Series(folded, this.sizes);
      map.set(OTHER, other); // one more than maxSeries: the fold target itself
    }
    return other;
  }

  /** Closes the periods that ended by `now`. Called by the timer; tests call it with a fake clock. */
  tick(now: number = this.now()): void {
    const fine = Math.floor(now / 1000 / this.sizes.fineResolution);
    if (fine === this.finePeriod) return;
    const closed = this.finePeriod;
    for (const s of this.active) s.flushFine(closed);
    this.active = [];
    if (this.sampler && this.processFine) {
      const sample = this.sampler.sample();
      this.processFine.write(closed, sample);
      this.lastProcess = sample;
      this.processPending.push(sample);
    }
    this.finePeriod = fine;
    const coarse = Math.floor(now / 1000 / this.sizes.coarseResolution);
    if (coarse !== this.coarsePeriod) {
      for (const map of [this.server, this.client, this.services]) {
        for (const s of map.values()) if (s.hasOpenCoarse) s.flushCoarse(this.coarsePeriod);
      }
      const folded = foldSamples(this.processPending);
      if (folded && this.processCoarse) this.processCoarse.write(this.coarsePeriod, folded);
      this.processPending = [];
      this.coarsePeriod = coarse;
    }
  }

  /** Time series for charts. Without `route`, server queries return the service-wide series. */
  query(q: MetricsQuery = {}): MetricsResponse {
    return this.build(this.select(q), q.window ?? 300);
  }

  /**
   * Every series (each route, each service as a whole, each dependency) over the last `window`
   * seconds, in one answer: what the insights engine watches.
   */
  queryAll(window = 300): MetricsResponse {
    return this.build([...this.server.values(), ...this.services.values(), ...this.client.values()], window);
  }

  private build(picked: Series[], window: number): MetricsResponse {
    const fineSpan = this.sizes.fineSlots * this.sizes.fineResolution;
    const useFine = window <= fineSpan;
    const res = useFine ? this.sizes.fineResolution : this.sizes.coarseResolution;
    const last = (useFine ? this.finePeriod : this.coarsePeriod) - 1; // the open period is incomplete
    const points = Math.max(1, Math.min(Math.ceil(window / res), useFine ? this.sizes.fineSlots : this.sizes.coarseSlots));
    const first = last - points + 1;
    const times: number[] = [];
    for (let p = first; p <= last; p++) times.push(p * res * 1000);

    const series = picked.map((s) => {
      const ring = useFine ? s.fine : s.coarse;
      const out: SeriesPoints = {
        labels: s.labels, rate: [], count: [], errors: [], errorRate: [], p50: [], p95: [], p99: [], max: [], exemplars: [],
      };
      for (let p = first; p <= last; p++) {
        const slot = ring.read(p);
        const count = slot?.count ?? 0;
        out.count.push(count);
        out.rate.push(count / res);
        out.errors.push(slot?.errors ?? 0);
        out.errorRate.push(count ? (slot?.errors ?? 0) / count : 0);
        out.p50.push(slot?.p50 ?? 0);
        out.p95.push(slot?.p95 ?? 0);
        out.p99.push(slot?.p99 ?? 0);
        out.max.push(slot?.max ?? 0);
        out.exemplars.push(slot?.exemplar ?? null);
      }
      return out;
    });

    let process: MetricsResponse['process'];
    const pring = useFine ? this.processFine : this.processCoarse;
    if (pring) {
      process = {} as Record<keyof ProcessSample, number[]>;
      for (const f of PROCESS_FIELDS) process[f] = [];
      for (let p = first; p <= last; p++) {
        const s = pring.read(p);
        for (const f of PROCESS_FIELDS) process[f].push(s ? s[f] : 0);
      }
    }
    return { resolution: res, times, series, process };
  }

  private select(q: MetricsQuery): Series[] {
    if (q.kind === 'client') {
      return [...this.client.values()].filter(
        (s) => (!q.service || s.labels.service === q.service) && (!q.dependency || s.labels.dependency === q.dependency),
      );
    }
    if (!q.route) {
      return [...this.services.values()].filter((s) => !q.service || s.labels.service === q.service);
    }
    return [...this.server.values()].filter(
      (s) => s.labels.route === q.route && (!q.service || s.labels.service === q.service),
    );
  }

  /**
   * One row per route (server) or dependency (client), with counts over `window` seconds: the
   * last ones, or those ending at `until` (ms since epoch; a range picked on a chart).
   */
  table(kind: SeriesKind, window = 300, until?: number): RouteRow[] {
    const map = kind === 'server' ? this.server : this.client;
    const res = this.sizes.fineResolution;
    // seconds back from now that the range reaches: the fine ring when it still holds them
    const back = until === undefined ? window : Math.max(0, this.finePeriod * res - until / 1000) + window;
    const fine = back <= this.sizes.fineSlots * res;
    const r = fine ? res : this.sizes.coarseResolution;
    const open = fine ? this.finePeriod : this.coarsePeriod;
    let last = open - 1;
    let first = last - Math.max(1, Math.ceil(window / r)) + 1;
    if (until !== undefined) {
      // the periods that overlap [until - window, until), closed ones only (none for a future range)
      first = Math.floor((until / 1000 - window) / r);
      last = Math.min(open - 1, Math.ceil(until / 1000 / r) - 1);
    }
    const n = Math.max(1, last - first + 1);
    const rows: RouteRow[] = [];
    for (const s of map.values()) {
      const ring = fine ? s.fine : s.coarse;
      let count = 0;
      let errors = 0;
      const slots: RingSlot[] = [];
      for (let p = first; p <= last; p++) {
        const slot = ring.read(p);
        if (slot && slot.count > 0) {
          count += slot.count;
          errors += slot.errors;
          slots.push(slot);
        }
      }
      const spark: number[] = [];
      const sparkLast = this.finePeriod - 1;
      for (let p = sparkLast - Math.min(59, this.sizes.fineSlots - 1); p <= sparkLast; p++) spark.push(s.fine.read(p)?.p99 ?? 0);
      rows.push({
        labels: s.labels, count, errors, errorRate: count ? errors / count : 0, rate: count / (n * r), ...windowPercentiles(slots), spark,
      });
    }
    return rows;
  }

  /** The Prometheus text exposition format (version 0.0.4) of the lifetime counters and histograms. */
  prometheus(): string {
    return toPrometheus({
      server: [...this.server.values()],
      client: [...this.client.values()],
      process: this.lastProcess,
      foldedSpans: this.foldedSpans,
    });
  }

  stats(): GoldenSignalsStats {
    let bytes = 0;
    for (const map of [this.server, this.client, this.services]) for (const s of map.values()) bytes += s.bytes;
    return {
      series: { server: this.server.size, client: this.client.size, services: this.services.size },
      maxSeries: this.maxSeries,
      foldedSpans: this.foldedSpans,
      recordedSpans: this.recordedSpans,
      bytes,
    };
  }
}

/**
 * Percentiles of a window from its periods: `max` exact (the largest period max); p50/p95/p99 the
 * count-weighted quantile of the periods' own p50/p95/p99. The rings keep percentiles per period,
 * not histograms (those would cost 14 KB a slot), so this is an approximation, exact when the
 * window holds one period and never outside the range of the periods' values; it follows the
 * window, where the lifetime histogram did not (a 13:06 max in a 5-minute window at 13:14).
 */
export function windowPercentiles(slots: ReadonlyArray<Pick<RingSlot, 'count' | 'p50' | 'p95' | 'p99' | 'max'>>): Percentiles {
  if (slots.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  let max = 0;
  let total = 0;
  for (const s of slots) {
    if (s.max > max) max = s.max;
    total += s.count;
  }
  const quantile = (key: 'p50' | 'p95' | 'p99', q: number): number => {
    const sorted = [...slots].sort((a, b) => a[key] - b[key]);
    let seen = 0;
    for (const s of sorted) {
      seen += s.count;
      if (seen >= q * total) return s[key];
    }
    return sorted[sorted.length - 1]![key];
  };
  // a histogram percentile is its bucket's upper edge and may pass the exact max by a hair
  const upTo = (v: number) => Math.min(v, max);
  return { p50: upTo(quantile('p50', 0.5)), p95: upTo(quantile('p95', 0.95)), p99: upTo(quantile('p99', 0.99)), max };
}
