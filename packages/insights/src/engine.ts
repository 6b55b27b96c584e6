/**
 * The insights engine: trace digests fed from the span pipeline, the detector ticked once per
 * second off the request path (an unref'd timer), anomalies grouped into incidents with one
 * ranked cause, and the alert state of each incident (pending -> firing -> resolved, deduplicated,
 * rate-limited, acknowledged or silenced). It holds no reference to a span store: what the
 * ranking needs of the baseline window lives in its own bounded ring of digests.
 */
import {
  Interner,
  calleeOf,
  RingBuffer,
  checkKeys,
  isFunction,
  isNumberAtLeast,
  isPlainObject,
  isPositiveInt,
  type AlertNotification,
  type Anomaly,
  type Check,
  type IncidentDetail,
  type IncidentEvent,
  type IncidentSummary,
  type InsightsResponse,
  type InsightsStats,
  type MetricsResponse,
  type Schema,
  type SpanRecord,
  type Suspect,
} from '@debugpanel/model';
import { Detector, scopeKey, scopeName, type DetectorOptions, type SloTarget } from './detector.js';
import { ListInterner } from './list-interner.js';
import { digestTrace, type CriticalPathFn, type ErrorGroupFn, type FindingsFn, type FingerprintFn, type TraceDigest } from './digest.js';
import { rank } from './rank.js';
import { BlockingCalls, isBlockingSpan } from './blocking.js';
import { StatementMix } from './mix.js';

/** Where the engine reads the golden signals: every series of the fine and the coarse ring. */
export interface SignalSource {
  /** every series over the last `seconds` of the fine ring */
  fine(seconds: number): MetricsResponse;
  /**
   * every series over the coarse ring, or over its last `seconds` at least when given: the engine
   * asks for its baseline window (plus two detection windows), or the 6 h the SLO burn rates read
   * when SLOs are set. A source may ignore it and answer the whole ring (reading a default 6 h
   * ring of 10 s slots every 10 s cost 40-65 ms of the host's thread on a replay).
   */
  coarse(seconds?: number): MetricsResponse;
}

export interface InsightsOptions extends DetectorOptions {
  /** `criticalPath` of `@debugpanel/flamegraph` */
  criticalPath: CriticalPathFn;
  /** the golden signals */
  source: SignalSource;
  /** names database statements (a query fingerprint); default: the statement text */
  fingerprint?: FingerprintFn;
  /** names the error group of an error's origin span (the errors package's fingerprint), shown in the evidence */
  errorGroup?: ErrorGroupFn;
  /** the query findings (N+1, ...) of a whole trace (`traceFindings` of `@debugpanel/queries`), shown in a database suspect's evidence */
  findings?: FindingsFn;
  /** clock, ms since epoch; tests inject one */
  now?: () => number;
  /** trace digests kept for the windows (default 5000) */
  maxDigests?: number;
  /**
   * spans that hold their process's thread for their whole duration (default: SQLite calls, whose
   * Node drivers are synchronous): the time they block other traces is charged to them
   */
  blocking?: (span: SpanRecord) => boolean;
  /** synchronous calls remembered for that, the last minute's at most (default 20,000) */
  maxBlockingCalls?: number;
  /** traces waiting to settle (default 2000) and spans per trace (default 1000) */
  maxPendingTraces?: number;
  maxSpansPerTrace?: number;
  /** a trace is digested once no span of it arrived for this long, ms (default 3000) */
  settleMs?: number;
  /** traces digested per tick at most (default 300); the others wait for the next tick */
  maxDigestsPerTick?: number;
  /** incidents kept (default 200; the oldest resolved go first) */
  maxIncidents?: number;
  /** an incident fires once it lasted this long, ms (default 10,000) */
  pendingMs?: number;
  /** notifications (firing, resolved) per minute at most (default 10); more are counted and skipped */
  maxNotificationsPerMinute?: number;
  /** how often an open incident is re-ranked, ms (default 5000), and until how long after its start (default 300,000) */
  rankEveryMs?: number;
  rankForMs?: number;
  /** baseline traces: those that started this long before the anomaly, ms (default 600,000) */
  baselineTracesMs?: number;
  /**
   * ms of the host's thread a tick aims to stay under (default 5): digesting settled traces and
   * re-ranking incidents stop once it is spent and go on next tick (at least one of each per tick,
   * so work never starves); ticks that went over are counted (`tickOverruns`)
   */
  tickBudgetMs?: number;
  /** called when an incident opened or changed */
  onIncident?: (incident: IncidentSummary) => void;
  /** called with each notification that passed dedup, silences and the rate limit */
  onAlert?: (notification: AlertNotification) => void;
  /** the service named in notifications */
  service?: string;
}

const OPTIONS: Schema = {
  criticalPath: isFunction,
  source: (v, n) => (isPlainObject(v) || (typeof v === 'object' && v !== null) ? undefined : `${n} must be { fine(seconds), coarse() }`),
  fingerprint: isFunction,
  errorGroup: isFunction,
  findings: isFunction,
  now: isFunction,
  maxDigests: isPositiveInt,
  blocking: isFunction,
  maxBlockingCalls: isPositiveInt,
  maxPendingTraces: isPositiveInt,
  maxSpansPerTrace: isPositiveInt,
  settleMs: isPositiveInt,
  maxDigestsPerTick: isPositiveInt,
  maxIncidents: isPositiveInt,
  pendingMs: isNumberAtLeast(0),
  maxNotificationsPerMinute: isPositiveInt,
  rankEveryMs: isPositiveInt,
  rankForMs: isPositiveInt,
  baselineTracesMs: isPositiveInt,
  tickBudgetMs: (v, n) => (typeof v === 'number' && v > 0 ? undefined : `${n} must be a positive number of ms, like 5`),
  onIncident: isFunction,
  onAlert: isFunction,
  service: (v, n) => (typeof v === 'string' ? undefined : `${n} must be a string`),
  windowSeconds: isPositiveInt,
  baselineSeconds: isPositiveInt,
  warmupMs: isNumberAtLeast(0),
  warmupRequests: isNumberAtLeast(0),
  minCount: isPositiveInt,
  minErrors: isPositiveInt,
  alpha: (v, n) => (typeof v === 'number' && v > 0 && v < 1 ? undefined : `${n} must be a probability between 0 and 1, like 1e-6`),
  openTicks: isPositiveInt,
  closeAfterMs: isNumberAtLeast(0),
  minShiftMs: isNumberAtLeast(0),
  minRatio: isNumberAtLeast(1),
  loopDelayMs: isNumberAtLeast(0),
  slo: checkSlo,
} satisfies Record<keyof InsightsOptions, Check>;

function checkSlo(v: unknown, n: string): string | undefined {
  if (!isPlainObject(v)) return `${n} must be an object like { 'GET /checkout': { p95Ms: 300, errorRate: 0.01 } }`;
  for (const [route, t] of Object.entries(v)) {
    if (!/^[A-Z_]+ \//.test(route.replace(/^[^ ]+ (?=[A-Z_]+ \/)/, ''))) return `${n}: "${route}" must be "METHOD /route" (or "service METHOD /route"), like "GET /checkout"`;
    if (!isPlainObject(t)) return `${n}["${route}"] must be { p95Ms?, errorRate? }`;
    for (const k of Object.keys(t)) if (k !== 'p95Ms' && k !== 'errorRate') return `${n}["${route}"]: unknown key "${k}"; known: p95Ms, errorRate`;
    const s = t as SloTarget;
    if (s.p95Ms !== undefined && !(typeof s.p95Ms === 'number' && s.p95Ms > 0)) return `${n}["${route}"].p95Ms must be a positive number of ms`;
    if (s.errorRate !== undefined && !(typeof s.errorRate === 'number' && s.errorRate > 0 && s.errorRate < 1)) return `${n}["${route}"].errorRate must be a share between 0 and 1, like 0.01`;
    if (s.p95Ms === undefined && s.errorRate === undefined) return `${n}["${route}"] needs p95Ms or errorRate`;
  }
  return undefined;
}

interface Pending {
  spans: SpanRecord[];
  last: number;
}

interface Incident {
  id: string;
  state: IncidentSummary['state'];
  startedAt: number;
  endedAt: number | undefined;
  members: Anomaly[];
  scopes: Set<string>;
  acked: boolean;
  notifiedFiring: boolean;
  ranked: Suspect[];
  rankedAt: number;
  traces: IncidentDetail['traces'];
  windows: IncidentDetail['windows'];
  timeline: IncidentEvent[];
  /** the first member's mode: slow traces or failing traces */
  mode: 'latency' | 'errors';
  /** an anomaly joined since the last ranking: re-ranked as soon as the tick's budget allows */
  dirty: boolean;
}

/** An incident and its top suspects, as the chaos experiments' verdicts read them. */
export interface IncidentVerdict {
  id: string;
  startedAt: number;
  endedAt?: number;
  state: IncidentSummary['state'];
  signal: Anomaly['signal'];
  scope: Anomaly['scope'];
  /** ranked, best first (at most 3) */
  suspects: Suspect[];
}

const MAX_TIMELINE = 50;
/**
 * Distinct digest strings shared at most: a service's routes, dependencies and attribute pairs
 * (values of 64 characters at most). Past it the table starts afresh (`digestStringResets`).
 */
const DIGEST_STRINGS = 4096;
/** How long a synchronous call is kept after it ended, past the settle time, ms */
const BLOCKING_HORIZON_MS = 60_000;
const MAX_MEMBERS = 50;
/** Settled traces digested per slice at least, whatever the budget */
const MIN_DIGESTS_PER_SLICE = 20;
/** Extra slices per second at most (each under the tick's budget, the host's loop running between them) */
const MAX_SLICES = 8;
/** Statements (edge and fingerprint) whose own latency baseline the statement mix keeps */
const MIX_STATEMENTS = 512;
/** Statement texts whose fingerprint is remembered for the mix (the table starts afresh past it) */
const MIX_TEXTS = 2000;

function modeOf(a: Anomaly): 'latency' | 'errors' {
  return a.signal === 'errors' || (a.signal === 'slo-burn' && a.detail.includes('error-rate SLO')) ? 'errors' : 'latency';
}

/**
 * Baselines, anomalies, incidents with ranked suspects, and alerts, from the golden signals and the
 * kept traces. `addSpans` is cheap (a map insert); the work happens in `tick`, once per second.
 *
 * @example
 * // criticalPath: from the @debugpanel/flamegraph package (the panel passes it in)
 * const engine = new InsightsEngine({ criticalPath, source: { fine: (s) => ..., coarse: () => ... } });
 * engine.start();
 * pipeline.onKept = (spans) => engine.addSpans(spans);
 * engine.list().incidents[0]?.suspects[0]?.evidence.sentence;
 */
export class InsightsEngine {
  readonly detector: Detector;
  private readonly o: Required<Omit<InsightsOptions, 'fingerprint' | 'errorGroup' | 'findings' | 'onIncident' | 'onAlert' | keyof DetectorOptions>> &
    Pick<InsightsOptions, 'fingerprint' | 'errorGroup' | 'findings' | 'onIncident' | 'onAlert'>;
  private readonly pending = new Map<string, Pending>();
  private pendingSpans = 0;
  private droppedSpans = 0;
  private readonly digests: RingBuffer<TraceDigest>;
  /** The strings digests build (scope and op keys, attribute pairs), held once for all of them */
  private readonly strings = new Interner({ max: DIGEST_STRINGS });
  private readonly intern = (s: string): string => this.strings.intern(s);
  /** Their scope and attribute lists, equal from trace to trace of one route: held once too */
  private readonly lists = new ListInterner(DIGEST_STRINGS);
  private readonly share = (list: string[]): string[] => this.lists.intern(list);
  private readonly blockingCalls: BlockingCalls;
  /** per database edge, the statement mix and each statement's own latency (see `StatementMix`) */
  private readonly mix: StatementMix;
  private readonly mixKeys = new Map<string, string>();
  private readonly incidents = new Map<string, Incident>();
  private evictedIncidents = 0;
  private readonly silences = new Map<string, number>();
  private sent: number[] = [];
  private notifications = 0;
  private suppressed = 0;
  private ticks = 0;
  private tickErrors = 0;
  private lastTickMs = 0;
  private maxTickMs = 0;
  private tickOverruns = 0;
  private deferredRanks = 0;
  private deferredDigests = 0;
  /** performance.now() at the start of the running tick */
  private tickStart = 0;
  /** the last slice left work for later (digests or re-ranks over its budget) */
  private leftover = false;
  private slices = 0;
  private immediate: NodeJS.Immediate | undefined;
  private loggedError = false;
  private coarse: MetricsResponse | undefined;
  private coarseAt = -Infinity;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  /** what the detector reads of the coarse ring: its baseline window, or the SLOs' 6 h */
  private readonly coarseSeconds: number;
  private coarseResolution: number | undefined;
  private shortCoarse = true;

  constructor(options: InsightsOptions) {
    checkKeys(options as unknown as Record<string, unknown>, OPTIONS, 'insights');
    if (typeof options.criticalPath !== 'function') throw new TypeError('insights: criticalPath is required (criticalPath of @debugpanel/flamegraph)');
    if (!options.source) throw new TypeError('insights: source is required ({ fine(seconds), coarse() } over the golden signals)');
    const { criticalPath, source, fingerprint, errorGroup, findings, onIncident, onAlert, now, service, ...rest } = options;
    const detectorOptions: DetectorOptions = {};
    for (const k of ['windowSeconds', 'baselineSeconds', 'warmupMs', 'warmupRequests', 'minCount', 'minErrors', 'alpha', 'openTicks', 'closeAfterMs', 'minShiftMs', 'minRatio', 'loopDelayMs', 'slo'] as const) {
      if (rest[k] !== undefined) (detectorOptions as Record<string, unknown>)[k] = rest[k];
    }
    this.detector = new Detector(detectorOptions, {
      expectedLatency: (scope, now) => this.mix.expected(scopeKey(scope), now)?.p95,
    });
    const d = this.detector.options;
    this.coarseSeconds = Object.keys(d.slo).length > 0 ? 21_600 : d.baselineSeconds + 2 * d.windowSeconds + 60;
    this.mix = new StatementMix({
      windowSeconds: this.detector.options.windowSeconds,
      // a statement's latency: the baseline window, and at least ten minutes (a rare statement's shape)
      memoryMs: Math.max(this.detector.options.baselineSeconds * 1000, 600_000),
      maxStatements: MIX_STATEMENTS,
    });
    this.o = {
      criticalPath,
      source,
      fingerprint,
      errorGroup,
      findings,
      onIncident,
      onAlert,
      now: now ?? Date.now,
      service: service ?? 'app',
      maxDigests: rest.maxDigests ?? 5000,
      blocking: rest.blocking ?? isBlockingSpan,
      maxBlockingCalls: rest.maxBlockingCalls ?? 20_000,
      maxPendingTraces: rest.maxPendingTraces ?? 2000,
      maxSpansPerTrace: rest.maxSpansPerTrace ?? 1000,
      settleMs: rest.settleMs ?? 3000,
      maxDigestsPerTick: rest.maxDigestsPerTick ?? 300,
      maxIncidents: rest.maxIncidents ?? 200,
      pendingMs: rest.pendingMs ?? 10_000,
      maxNotificationsPerMinute: rest.maxNotificationsPerMinute ?? 10,
      rankEveryMs: rest.rankEveryMs ?? 5000,
      rankForMs: rest.rankForMs ?? 300_000,
      baselineTracesMs: rest.baselineTracesMs ?? 600_000,
      tickBudgetMs: rest.tickBudgetMs ?? 5,
    };
    this.digests = new RingBuffer<TraceDigest>(this.o.maxDigests);
    this.blockingCalls = new BlockingCalls(this.o.maxBlockingCalls);
  }

  /** Starts the once-per-second tick (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.tick();
      this.continueLater(0);
    }, 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
  }

  /**
   * Work a slice left over (digests, re-ranks) goes on in another slice after the host's pending
   * I/O ran (setImmediate), each under the budget, up to MAX_SLICES per second: the thread is
   * never held longer than one slice.
   */
  private continueLater(n: number): void {
    // one chain at a time: a tick that finds one queued leaves it (and its handle, for stop()) alone
    if (!this.leftover || n >= MAX_SLICES || !this.timer || (n === 0 && this.immediate)) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.slice(this.o.now());
      this.continueLater(n + 1);
    });
    this.immediate.unref();
  }

  /** One extra slice: settled traces and due re-ranks, under the budget. Never throws. */
  private slice(now: number): void {
    this.slices++;
    this.budgeted(() => {
      this.settle(now);
      this.rankDue(now);
    });
  }

  /**
   * Runs one step of the engine's work on the host's thread (a tick or a slice): starts the budget's
   * clock, counts and logs (once) what throws, and notes the step's time and whether it overran.
   */
  private budgeted(step: () => void): number {
    const t0 = performance.now();
    this.tickStart = t0;
    this.leftover = false;
    try {
      step();
    } catch (err) {
      this.tickErrors++;
      this.logOnce(err);
    }
    const ms = performance.now() - t0;
    if (ms > this.maxTickMs) this.maxTickMs = ms;
    if (ms > this.o.tickBudgetMs) this.tickOverruns++;
    return ms;
  }

  private logOnce(err: unknown): void {
    if (this.loggedError) return;
    this.loggedError = true;
    console.error('debugpanel: insights tick failed (counted in /api/stats; logged once):', err);
  }

  /** Spans the pipeline kept (any batch, any order); grouped per trace until the trace settles. */
  addSpans(spans: ReadonlyArray<SpanRecord>): void {
    const now = this.o.now();
    for (const s of spans) {
      const p = this.pending.get(s.traceId);
      if (!p) {
        if (this.pending.size >= this.o.maxPendingTraces) {
          this.droppedSpans++;
          continue;
        }
        // A literal of one: `push` onto `[]` would give the array 16 spare slots (~130 bytes).
        this.pending.set(s.traceId, { spans: [s], last: now });
      } else {
        if (p.spans.length >= this.o.maxSpansPerTrace) {
          this.droppedSpans++;
          continue;
        }
        p.spans.push(s);
        p.last = now;
      }
      this.pendingSpans++;
      // a trace's first span is often its statement (children end first)
      if (this.o.blocking(s)) this.blockingCalls.add(s);
      if (s.kind === 'client' && (s.attributes['db.system.name'] ?? s.attributes['db.system']) !== undefined) this.noteStatement(s);
    }
  }

  /** A database call into its edge's statement mix, named by its fingerprint (remembered per text). */
  private noteStatement(s: SpanRecord): void {
    const callee = calleeOf(s);
    if (callee.kind !== 'database') return;
    const raw = s.attributes['db.query.text'] ?? s.attributes['db.statement'];
    const text = typeof raw === 'string' && raw !== '' ? raw : s.name;
    let key = this.mixKeys.get(text);
    if (key === undefined) {
      const fp = this.o.fingerprint?.(s);
      key = typeof fp === 'string' && fp ? fp : typeof fp === 'object' && fp ? fp.id || fp.text : text.replace(/\s+/g, ' ').trim().slice(0, 160);
      if (this.mixKeys.size >= MIX_TEXTS) this.mixKeys.clear();
      this.mixKeys.set(text, key);
    }
    this.mix.add(`dependency:${s.service}:${callee.name}`, key, s.service, s.startTime + Math.max(0, s.duration), s.duration);
  }

  /** Adds a digest directly (replayed traffic, tests). */
  addDigest(d: TraceDigest): void {
    this.digests.push(d);
  }

  /**
   * One detection step; the timer calls it, tests call it with a fake clock. Never throws.
   *
   * It runs on the host's thread (at a hub, the gateway's), so it keeps to `tickBudgetMs`: the
   * detector and the placing of new anomalies always run (placing ranks only an anomaly that opens
   * an incident of its own); digesting settled traces and re-ranking incidents (the ones anomalies
   * joined, and the periodic re-rank) stop once the budget is spent and go on next tick, at least
   * one of each per tick. A cascade's eight anomalies once cost one tick 130 ms (eight rankings
   * and a re-rank per join); now one ranking and one re-rank per tick.
   */
  tick(now: number = this.o.now()): void {
    this.lastTickMs = this.budgeted(() => {
      this.ticks++;
      this.settle(now);
      const inAnomaly = new Set(this.detector.open().map((a) => a.scope.service));
      this.mix.advance(now, (service) => inAnomaly.has(service));
      if (now - this.coarseAt >= 10_000 || !this.coarse) {
        this.coarse = this.readCoarse();
        this.coarseAt = now;
      }
      // two windows: the error test of a series with little traffic reads both (see Detector.tick)
      const fine = this.o.source.fine(2 * this.detector.options.windowSeconds);
      const changes = this.detector.tick({ now, fine, coarse: this.coarse });
      for (const a of changes.opened) this.place(a, now);
      const touched = new Set<Incident>();
      for (const a of [...changes.updated, ...changes.closed]) {
        const inc = a.incidentId ? this.incidents.get(a.incidentId) : undefined;
        if (inc) touched.add(inc);
      }
      for (const inc of this.incidents.values()) {
        if (inc.state === 'resolved') continue;
        this.advance(inc, now, touched.has(inc));
      }
      this.rankDue(now);
    });
  }

  /**
   * The coarse ring over `coarseSeconds`: the first read takes the whole ring and learns its
   * resolution; a shorter read that comes back at another resolution (a source answering short
   * windows from its fine ring) is not asked again.
   */
  private readCoarse(): MetricsResponse {
    if (this.coarseResolution === undefined) {
      const all = this.o.source.coarse();
      this.coarseResolution = all.resolution;
      return all;
    }
    if (this.shortCoarse) {
      const r = this.o.source.coarse(this.coarseSeconds);
      if (r.resolution === this.coarseResolution) return r;
      this.shortCoarse = false;
    }
    return this.o.source.coarse();
  }

  /** ms of the tick's budget left */
  private budgetLeft(): number {
    return this.o.tickBudgetMs - (performance.now() - this.tickStart);
  }

  /**
   * Re-ranks the open incidents that need it, under the tick's budget: first those anomalies
   * joined (their suspects are the first anomaly's until then), then the periodic re-rank (every
   * `rankEveryMs`, each tick while nothing is ranked), the longest-waiting first; at least one.
   */
  private rankDue(now: number): void {
    const due: Incident[] = [];
    for (const inc of this.incidents.values()) {
      if (inc.state === 'resolved') continue;
      const periodic = now - inc.rankedAt >= (inc.ranked.length === 0 ? 1000 : this.o.rankEveryMs) && now - inc.startedAt <= this.o.rankForMs;
      if (inc.dirty || periodic) due.push(inc);
    }
    if (due.length === 0) return;
    due.sort((a, b) => Number(b.dirty) - Number(a.dirty) || a.rankedAt - b.rankedAt);
    let done = 0;
    for (const inc of due) {
      if (done > 0 && this.budgetLeft() <= 0) {
        this.deferredRanks += due.length - done;
        this.leftover = true;
        return;
      }
      try {
        this.rerank(inc, now);
        this.o.onIncident?.(this.summary(inc));
      } catch (err) {
        // counted and logged once by the budgeted step; the incident waits for its periodic re-rank
        // instead of being first again on every tick and starving the others
        this.tickErrors++;
        this.logOnce(err);
      } finally {
        inc.dirty = false;
        inc.rankedAt = now;
      }
      done++;
    }
  }

  private settle(now: number): void {
    // A budget per tick, so a burst of traces costs many short ticks, not one long one: at most
    // maxDigestsPerTick, and once half the tick's time budget is spent, the rest waits for the
    // next slice (at least MIN_DIGESTS_PER_SLICE per slice, so that the queue drains).
    let budget = this.o.maxDigestsPerTick;
    let done = 0;
    // a call is needed until every trace it overlapped settled: traces last seconds, settle in settleMs
    this.blockingCalls.prune(now - this.o.settleMs - BLOCKING_HORIZON_MS);
    const blocking = (process: string, from: number, to: number) => this.blockingCalls.overlapping(process, from, to);
    for (const [id, p] of this.pending) {
      if (budget <= 0) break;
      if (now - p.last < this.o.settleMs) continue;
      if (done >= MIN_DIGESTS_PER_SLICE && this.budgetLeft() <= this.o.tickBudgetMs / 2) {
        this.deferredDigests++;
        this.leftover = true;
        break;
      }
      budget--;
      done++;
      this.pending.delete(id);
      this.pendingSpans -= p.spans.length;
      const d = digestTrace(p.spans, this.o.criticalPath, this.o.fingerprint, this.o.errorGroup, this.o.findings, blocking, this.intern, this.share);
      if (d) this.digests.push(d);
    }
  }

  /**
   * Puts a new anomaly into the open incident it shares a root with, or opens one. The anomaly's
   * own ranking is computed only when needed (to compare roots with an incident its traces do not
   * join it to, or for a new incident); an incident it joins is re-ranked by `rankDue`.
   */
  private place(a: Anomaly, now: number): void {
    const key = scopeKey(a.scope);
    let ranking: ReturnType<InsightsEngine['rankFor']> | undefined;
    const ranked = () => (ranking ??= this.rankFor([key], modeOf(a), a.startedAt, now));
    // saturation and traffic anomalies rank no traces: grouped by time; a latency or error
    // anomaly whose traces have not settled yet, only as a cascade (below)
    const timeOnly = a.signal === 'saturation' || a.signal === 'traffic-drop' || a.signal === 'traffic-surge';
    let target: Incident | undefined;
    for (const inc of this.incidents.values()) {
      if (inc.state === 'resolved' || inc.members.length >= MAX_MEMBERS) continue;
      const close = Math.abs(a.startedAt - inc.startedAt) <= 120_000;
      // Shared traffic alone makes a cascade only while one can still be detecting: within two
      // detection windows of the incident's start (the aim for any anomaly of one fault). At a hub
      // nearly every trace passes the gateway, so later, a new fault's anomaly would otherwise be
      // folded into any incident still open (a blip on a gateway route), with no incident of its own.
      const cascade = Math.abs(a.startedAt - inc.startedAt) <= 2 * this.detector.options.windowSeconds * 1000;
      // the window traces of the anomaly's scope (none: not settled yet) and the share of them
      // that passed one of the incident's scopes
      // (read only when one of those rules could hold: the scan goes over every digest)
      if (cascade || (timeOnly && close)) {
        const { mine, share } = this.traceOverlap(key, inc.scopes, a.startedAt);
        const noTraces = mine === 0;
        const overlap = cascade && !noTraces && share >= 0.3;
        if (overlap || (noTraces && (timeOnly ? close : cascade))) {
          target = inc;
          break;
        }
      }
      const top = ranked().suspects[0];
      const incTop = inc.ranked[0];
      if (top !== undefined && incTop !== undefined && top.service === incTop.service && top.operation === incTop.operation && top.attribute === incTop.attribute) {
        target = inc;
        break;
      }
    }
    if (target) {
      target.members.push(a);
      target.scopes.add(key);
      a.incidentId = target.id;
      target.timeline.push({ at: now, type: 'anomaly', text: a.detail });
      if (target.timeline.length > MAX_TIMELINE) target.timeline.splice(1, 1);
      if (a.severity === 'critical' && target.members[0]!.severity !== 'critical') target.members[0]!.severity = 'critical';
      target.dirty = true;
      this.o.onIncident?.(this.summary(target));
      return;
    }
    const r = ranked();
    const inc: Incident = {
      id: `inc-${now.toString(36)}-${(++this.seq).toString(36)}`,
      state: 'pending',
      startedAt: a.startedAt,
      endedAt: undefined,
      members: [a],
      scopes: new Set([key]),
      acked: false,
      notifiedFiring: false,
      ranked: r.suspects,
      rankedAt: now,
      traces: { baseline: r.baseline, window: r.window, anomalous: r.anomalous },
      windows: this.windows(a.startedAt, now),
      timeline: [{ at: now, type: 'opened', text: a.detail }],
      mode: modeOf(a),
      dirty: false,
    };
    a.incidentId = inc.id;
    this.incidents.set(inc.id, inc);
    this.evict();
    this.o.onIncident?.(this.summary(inc));
  }

  /** The anomaly's window traces (`mine`) and the share of them that also passed one of the incident's scopes. */
  private traceOverlap(key: string, scopes: Set<string>, from: number): { mine: number; share: number } {
    let mine = 0;
    let both = 0;
    for (const d of this.digests) {
      if (d.start < from - this.detector.options.windowSeconds * 1000 || !d.scopes.includes(key)) continue;
      mine++;
      if (d.scopes.some((s) => scopes.has(s))) both++;
    }
    return { mine, share: mine ? both / mine : 0 };
  }

  private windows(startedAt: number, now: number): IncidentDetail['windows'] {
    const cut = startedAt - this.detector.options.windowSeconds * 1000;
    return { baseline: [cut - this.o.baselineTracesMs, cut], anomalous: [cut, now] };
  }

  private rankFor(scopes: string[], mode: 'latency' | 'errors', startedAt: number, now: number, until?: number) {
    const w = this.windows(startedAt, until ?? now);
    const window: TraceDigest[] = [];
    const baseline: TraceDigest[] = [];
    for (const d of this.digests) {
      if (d.start >= w.anomalous[0] && d.start <= w.anomalous[1]) window.push(d);
      else if (d.start >= w.baseline[0] && d.start < w.baseline[1]) baseline.push(d);
    }
    return rank({
      signal: mode === 'errors' ? 'errors' : 'latency', mode, scopes, window, baseline,
      // a synchronous statement's own latency over the last minutes, against which its blocking
      // charge is weighed (the baseline traces may hold none of its runs)
      statementBaseline: (op) => this.mix.baselineQuantile(op.service, op.fingerprint !== undefined ? [op.fingerprint, op.operation] : [op.operation], 0.9),
    });
  }

  private rerank(inc: Incident, now: number): void {
    const r = this.rankFor([...inc.scopes], inc.mode, inc.startedAt, now, inc.endedAt);
    const before = inc.ranked[0];
    inc.ranked = r.suspects;
    inc.rankedAt = now;
    inc.traces = { baseline: r.baseline, window: r.window, anomalous: r.anomalous };
    inc.windows = this.windows(inc.startedAt, inc.endedAt ?? now);
    const top = r.suspects[0];
    if (top && (before?.service !== top.service || before?.operation !== top.operation || before?.attribute !== top.attribute)) {
      inc.timeline.push({ at: now, type: 'ranked', text: `most likely: ${top.evidence.sentence}` });
      if (inc.timeline.length > MAX_TIMELINE) inc.timeline.splice(1, 1);
    }
  }

  /** State machine of one open incident. */
  private advance(inc: Incident, now: number, changed: boolean): void {
    let notify: 'firing' | 'resolved' | undefined;
    const open = inc.members.some((m) => m.endedAt === undefined);
    if (!open) {
      inc.state = 'resolved';
      inc.endedAt = Math.max(...inc.members.map((m) => m.endedAt ?? now));
      inc.timeline.push({ at: now, type: 'resolved', text: 'every anomaly of the incident is back to its baseline' });
      this.rerank(inc, now);
      if (inc.notifiedFiring) notify = 'resolved';
      changed = true;
    } else if (inc.state === 'pending' && now - inc.startedAt >= this.o.pendingMs) {
      inc.state = 'firing';
      inc.timeline.push({ at: now, type: 'firing', text: `firing after ${Math.round((now - inc.startedAt) / 1000)} s` });
      notify = 'firing';
      changed = true;
    }
    // The periodic re-rank (each tick while nothing is ranked: its traces had not settled) is
    // `rankDue`'s, under the tick's budget.
    if (notify) this.notify(inc, notify, now);
    if (changed) this.o.onIncident?.(this.summary(inc));
  }

  private notify(inc: Incident, status: 'firing' | 'resolved', now: number): void {
    if (status === 'firing') inc.notifiedFiring = true;
    const silencedUntil = this.silences.get(scopeKey(inc.members[0]!.scope));
    if (inc.acked || (silencedUntil !== undefined && silencedUntil > now)) {
      this.suppressed++;
      return;
    }
    this.sent = this.sent.filter((t) => now - t < 60_000);
    if (this.sent.length >= this.o.maxNotificationsPerMinute) {
      this.suppressed++;
      return;
    }
    this.sent.push(now);
    this.notifications++;
    try {
      this.o.onAlert?.({ status, incident: this.summary(inc), service: this.o.service, at: now });
    } catch {
      // a failing listener must not stop detection
    }
  }

  private evict(): void {
    while (this.incidents.size > this.o.maxIncidents) {
      let victim: Incident | undefined;
      for (const inc of this.incidents.values()) {
        if (inc.state === 'resolved') {
          victim = inc;
          break;
        }
      }
      victim ??= this.incidents.values().next().value as Incident;
      this.incidents.delete(victim.id);
      this.evictedIncidents++;
    }
  }

  private title(inc: Incident): string {
    const a = inc.members[0]!;
    const top = inc.ranked[0];
    const what = a.detail;
    if (!top) return what;
    const name = top.attribute ? `${top.attribute} (${top.service})` : `${top.service}${top.operation ? ` ${top.operation}` : ''}`;
    return `${what}; most likely ${name}`;
  }

  private summary(inc: Incident): IncidentSummary {
    const a = inc.members[0]!;
    const severity = inc.members.some((m) => m.severity === 'critical') ? 'critical' : 'warning';
    return {
      id: inc.id,
      state: inc.state,
      startedAt: inc.startedAt,
      ...(inc.endedAt !== undefined ? { endedAt: inc.endedAt } : {}),
      signal: a.signal,
      scope: a.scope,
      severity,
      acked: inc.acked,
      title: this.title(inc),
      anomalies: inc.members.length,
      services: [...new Set(inc.members.map((m) => m.scope.service))],
      suspects: inc.ranked.slice(0, 3),
    };
  }

  /** Incidents newest first, open anomalies, the badge count and the baselines. */
  list(options: { state?: 'open' | 'all'; limit?: number } = {}): InsightsResponse {
    const limit = options.limit ?? 50;
    const all = [...this.incidents.values()].reverse();
    const picked = options.state === 'open' ? all.filter((i) => i.state !== 'resolved') : all;
    return {
      incidents: picked.slice(0, limit).map((i) => this.summary(i)),
      anomalies: this.detector.open(),
      firing: all.filter((i) => i.state !== 'resolved' && !i.acked).length,
      baselines: this.detector.baselines(),
    };
  }

  /** One incident with everything ranked, its anomalies and its timeline. */
  get(id: string): IncidentDetail | undefined {
    const inc = this.incidents.get(id);
    if (!inc) return undefined;
    return {
      ...this.summary(inc),
      ranked: inc.ranked,
      members: inc.members,
      timeline: inc.timeline,
      windows: inc.windows,
      traces: inc.traces,
    };
  }

  /** Acknowledges an incident (no more notifications), optionally silencing its scope. */
  ack(id: string, silenceMinutes = 0, now: number = this.o.now()): { incident: IncidentSummary; silencedUntil?: number } | undefined {
    const inc = this.incidents.get(id);
    if (!inc) return undefined;
    if (!inc.acked) {
      inc.acked = true;
      inc.timeline.push({ at: now, type: 'acked', text: silenceMinutes > 0 ? `acknowledged; scope silenced for ${silenceMinutes} min` : 'acknowledged' });
    }
    let silencedUntil: number | undefined;
    if (silenceMinutes > 0) {
      silencedUntil = now + silenceMinutes * 60_000;
      this.silences.set(scopeKey(inc.members[0]!.scope), silencedUntil);
      if (this.silences.size > 500) this.silences.delete(this.silences.keys().next().value as string);
    }
    const incident = this.summary(inc);
    this.o.onIncident?.(incident);
    return silencedUntil !== undefined ? { incident, silencedUntil } : { incident };
  }

  /**
   * Incidents that started at or after `since` (ms), oldest first, with their top suspects: what
   * a chaos experiment asks after injecting a fault ("did an incident fire, and does its first
   * suspect name the target?").
   *
   * @example
   * const [first] = engine.incidentsSince(faultStart);
   * const hit = first?.suspects[0]?.service === 'inventory';
   */
  incidentsSince(since: number): IncidentVerdict[] {
    const out: IncidentVerdict[] = [];
    for (const inc of this.incidents.values()) {
      if (inc.startedAt < since) continue;
      const a = inc.members[0]!;
      out.push({
        id: inc.id, startedAt: inc.startedAt, ...(inc.endedAt !== undefined ? { endedAt: inc.endedAt } : {}),
        state: inc.state, signal: a.signal, scope: a.scope, suspects: inc.ranked.slice(0, 3),
      });
    }
    return out.sort((x, y) => x.startedAt - y.startedAt);
  }

  stats(): Omit<InsightsStats, 'webhook'> {
    return {
      ticks: this.ticks,
      tickErrors: this.tickErrors,
      lastTickMs: Math.round(this.lastTickMs * 100) / 100,
      maxTickMs: Math.round(this.maxTickMs * 100) / 100,
      tickBudgetMs: this.o.tickBudgetMs,
      tickOverruns: this.tickOverruns,
      deferredRanks: this.deferredRanks,
      deferredDigests: this.deferredDigests,
      slices: this.slices,
      series: this.detector.seriesCount,
      pendingSpans: this.pendingSpans,
      pendingTraces: this.pending.size,
      droppedSpans: this.droppedSpans,
      digests: this.digests.size,
      maxDigests: this.o.maxDigests,
      evictedDigests: this.digests.dropped,
      digestStrings: this.strings.size,
      digestStringResets: this.strings.resets,
      digestLists: this.lists.size,
      digestListResets: this.lists.resets,
      mixStatements: this.mix.statements,
      droppedMixStatements: this.mix.dropped,
      mixExplainedTicks: this.detector.mixExplainedTicks,
      blockingCalls: this.blockingCalls.count,
      droppedBlockingCalls: this.blockingCalls.dropped,
      anomaliesOpen: this.detector.open().length,
      anomaliesTotal: this.detector.anomaliesTotal,
      incidents: this.incidents.size,
      evictedIncidents: this.evictedIncidents,
      notifications: this.notifications,
      suppressedNotifications: this.suppressed,
    };
  }
}

export { scopeName };
