import {
  checkKeys,
  isErrorSpan,
  isPlainObject,
  type Check,
  type DetectorThresholds,
  type Finding,
  type FindingKind,
  type QueryCallSite,
  type QueryExample,
  type QueryRouteStat,
  type QuerySort,
  type QueryStat,
  type Schema,
  type SpanRecord,
  type TraceFinding,
} from '@debugpanel/model';
import { DEFAULT_THRESHOLDS, detect, isDbSpan, requestParts, statementOf, type RequestPart } from './detect.js';
import { fingerprint, fingerprintCacheStats } from './fingerprint.js';
import { Histogram } from './histogram.js';
import { Lru } from './lru.js';

export interface QueryInsightsOptions {
  /** Detector thresholds (any subset of `DEFAULT_THRESHOLDS`) */
  detectors?: Partial<DetectorThresholds>;
  /** Fingerprint × service entries tracked (default 1,000); more are counted in `droppedFingerprints` */
  maxFingerprints?: number;
  /** Aggregated findings tracked (default 500) */
  maxFindings?: number;
  /** Routes tracked per query and in the route table (default 50 per query, 1,000 in all) */
  maxRoutes?: number;
  /** Minutes of per-minute series per query (default 30) */
  seriesMinutes?: number;
  /**
   * Maps a captured JS location to the app's own `file:line` (source-mapped to TypeScript,
   * relative to the working directory); undefined to leave it as `file:line`. Called once per
   * distinct location (cached).
   */
  resolveCallSite?: (file: string, line: number, column: number) => string | undefined;
}

const MAX_SITES_PER_QUERY = 20;
const MAX_EXAMPLES = 5;
const MINUTE = 60_000;

interface RouteEntry {
  route: string;
  requests: number;
  totalMs: number;
}

interface QueryRoute {
  count: number;
  requests: number;
  totalMs: number;
  requestMs: number;
}

interface QueryEntry {
  fingerprint: string;
  service: string;
  system: string;
  namespace: string | undefined;
  statement: string;
  operation: string | undefined;
  collection: string | undefined;
  count: number;
  errors: number;
  rows: number;
  totalMs: number;
  hist: Histogram;
  routes: Map<string, QueryRoute>;
  /** `route \0 site` -> count: the call sites, and which of them each route uses */
  sites: Map<string, number>;
  slowest: QueryExample | undefined;
  typical: QueryExample | undefined;
  seriesStart: number; // minute index of the oldest bucket
  seriesCount: number[];
  seriesMs: number[];
  firstSeen: number;
  lastSeen: number;
}

interface FindingEntry {
  finding: Finding;
  repeatsSum: number;
  /** Distinct repeat counts seen (bounded): a loop's varies with the data, a fan-out's does not */
  repeatValues: Set<number>;
  routeBaseRequests: number;
  routeBaseMs: number;
  sites: Map<string, number>;
}

const THRESHOLD_CHECKS: Schema = Object.fromEntries(
  Object.keys(DEFAULT_THRESHOLDS).map((k): [string, Check] => [
    k,
    (v, name) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : `${name} must be a number >= 0, got ${JSON.stringify(v)}`),
  ]),
);

const positiveInt: Check = (v, name) => (Number.isInteger(v) && (v as number) > 0 ? undefined : `${name} must be a positive integer, got ${JSON.stringify(v)}`);
const OPTION_CHECKS: Schema = {
  detectors: (v, name) => (isPlainObject(v) ? undefined : `${name} must be an object of thresholds`),
  maxFingerprints: positiveInt,
  maxFindings: positiveInt,
  maxRoutes: positiveInt,
  seriesMinutes: positiveInt,
  resolveCallSite: (v, name) => (typeof v === 'function' ? undefined : `${name} must be a function (file, line, column) => string | undefined`),
};

/** Checks `QueryInsightsOptions` (throws a TypeError naming the bad key; "did you mean" for typos). */
export function checkQueryInsightsOptions(options: unknown, prefix = 'queries'): void {
  if (!isPlainObject(options)) throw new TypeError(`${prefix} must be an object`);
  checkKeys(options, OPTION_CHECKS, prefix);
  if (options.detectors !== undefined) checkKeys(options.detectors as Record<string, unknown>, THRESHOLD_CHECKS, `${prefix}.detectors`);
}

function routeKey(service: string, route: string): string {
  return `${service}\u0000${route}`;
}

function hashKey(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function topEntry(map: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  let n = 0;
  for (const [k, v] of map) {
    if (v > n) {
      n = v;
      best = k;
    }
  }
  return best;
}

/**
 * Query statistics and findings across requests. Feed it whole traces (`addTrace`), off the
 * request path; read `queries()`, `query()`, `findings()`; `traceFindings()` runs the detectors
 * over one stored trace on demand. Every table is bounded and counts what it refused.
 *
 * @example
 * const insights = new QueryInsights({ detectors: { slowQueryMs: 200 } });
 * insights.addTrace(store.getTrace(traceId)!);
 * insights.findings().map((f) => f.summary);
 */
export class QueryInsights {
  readonly thresholds: Readonly<DetectorThresholds>;
  readonly counters = {
    tracesAnalysed: 0,
    querySpans: 0,
    droppedFingerprints: 0,
    droppedFindings: 0,
    droppedRoutes: 0,
    callSitesResolved: 0,
    callSitesUnresolved: 0,
  };
  readonly #maxFingerprints: number;
  readonly #maxFindings: number;
  readonly #maxRoutes: number;
  readonly #seriesMinutes: number;
  readonly #resolve: QueryInsightsOptions['resolveCallSite'];
  readonly #queries = new Map<string, QueryEntry>();
  readonly #routes = new Map<string, RouteEntry>();
  readonly #findings = new Map<string, FindingEntry>();
  readonly #sites = new Lru<string, string | null>(4_000);

  constructor(options: QueryInsightsOptions = {}) {
    checkQueryInsightsOptions(options);
    this.thresholds = Object.freeze({ ...DEFAULT_THRESHOLDS, ...options.detectors });
    this.#maxFingerprints = options.maxFingerprints ?? 1_000;
    this.#maxFindings = options.maxFindings ?? 500;
    this.#maxRoutes = options.maxRoutes ?? 50;
    this.#seriesMinutes = options.seriesMinutes ?? 30;
    this.#resolve = options.resolveCallSite;
  }

  get fingerprintCount(): number {
    return this.#queries.size;
  }

  get findingCount(): number {
    return this.#findings.size;
  }

  /** The app's `file:line` of a span, from its `code.file.path` / `code.line.number` (captured for a sample of calls). */
  callSiteOf = (span: SpanRecord): string | undefined => {
    const a = span.attributes;
    const file = a['code.file.path'] ?? a['code.filepath'];
    const line = a['code.line.number'] ?? a['code.lineno'];
    if (typeof file !== 'string' || typeof line !== 'number') return undefined;
    const col = a['code.column.number'] ?? a['code.column'];
    const column = typeof col === 'number' ? col : 0;
    const key = `${file}:${line}:${column}`;
    let site = this.#sites.get(key);
    if (site === undefined) {
      let resolved: string | undefined;
      try {
        resolved = this.#resolve?.(file, line, column);
      } catch {
        resolved = undefined;
      }
      if (resolved !== undefined) this.counters.callSitesResolved++;
      else this.counters.callSitesUnresolved++;
      site = resolved ?? `${file}:${line}`;
      this.#sites.set(key, site);
    }
    return site ?? undefined;
  };

  /** Findings of one trace (every request part in it), computed now. */
  traceFindings(spans: ReadonlyArray<SpanRecord>): TraceFinding[] {
    const out: TraceFinding[] = [];
    for (const part of requestParts(spans)) out.push(...detect(part, this.thresholds, this.callSiteOf));
    return out;
  }

  /** Adds one finished trace (or the part of it a process saw): statistics, then findings. */
  addTrace(spans: ReadonlyArray<SpanRecord>): void {
    for (const part of requestParts(spans)) this.addPart(part);
  }

  #route(service: string, route: string): RouteEntry | undefined {
    const key = routeKey(service, route);
    let r = this.#routes.get(key);
    if (r === undefined) {
      if (this.#routes.size >= this.#maxRoutes * 20) {
        this.counters.droppedRoutes++;
        return undefined;
      }
      r = { route, requests: 0, totalMs: 0 };
      this.#routes.set(key, r);
    }
    return r;
  }

  /**
   * Counts one request for its route's totals without reading its spans: what `addPart` does for
   * a request with no query and no outgoing HTTP call in it (no statistics, nothing to detect).
   * The panel calls it for such requests instead of reading them back from its store.
   */
  countRequest(root: SpanRecord): void {
    this.#countRequest(root);
  }

  #countRequest(root: SpanRecord): RouteEntry | undefined {
    this.counters.tracesAnalysed++;
    const route = this.#route(root.service, root.name);
    if (route !== undefined) {
      route.requests++;
      route.totalMs += root.duration;
    }
    return route;
  }

  /** Adds one request (a local root and its spans), e.g. one of `requestParts(trace)`. */
  addPart(part: RequestPart): void {
    const { root } = part;
    const route = this.#countRequest(root);
    // statistics, one entry per fingerprint x service
    const seenInRequest = new Map<QueryEntry, number>();
    for (const span of part.spans) {
      if (span === root || !isDbSpan(span) || /connect/i.test(span.name)) continue;
      this.counters.querySpans++;
      const entry = this.#entry(span);
      if (entry === undefined) continue;
      this.#record(entry, span);
      seenInRequest.set(entry, (seenInRequest.get(entry) ?? 0) + span.duration);
      const site = this.callSiteOf(span);
      if (site !== undefined) {
        const key = `${root.name}\u0000${site}`;
        if (entry.sites.has(key) || entry.sites.size < MAX_SITES_PER_QUERY) entry.sites.set(key, (entry.sites.get(key) ?? 0) + 1);
      }
      let r = entry.routes.get(root.name);
      if (r === undefined) {
        if (entry.routes.size >= this.#maxRoutes) {
          this.counters.droppedRoutes++;
          continue;
        }
        r = { count: 0, requests: 0, totalMs: 0, requestMs: 0 };
        entry.routes.set(root.name, r);
      }
      r.count++;
      r.totalMs += span.duration;
    }
    for (const entry of seenInRequest.keys()) {
      const r = entry.routes.get(root.name);
      if (r === undefined) continue;
      r.requests++;
      r.requestMs += root.duration;
    }
    // findings
    for (const f of detect(part, this.thresholds, this.callSiteOf)) this.#addFinding(f, root, route);
  }

  #entry(span: SpanRecord): QueryEntry | undefined {
    const fp = fingerprint(statementOf(span));
    const key = `${fp.id}\u0000${span.service}`;
    let e = this.#queries.get(key);
    if (e !== undefined) return e;
    if (this.#queries.size >= this.#maxFingerprints) {
      this.counters.droppedFingerprints++;
      return undefined;
    }
    const a = span.attributes;
    const system = a['db.system.name'] ?? a['db.system'];
    const namespace = a['db.namespace'] ?? a['db.name'];
    const minute = Math.floor(span.startTime / MINUTE);
    e = {
      fingerprint: fp.id,
      service: span.service,
      system: typeof system === 'string' ? system : 'unknown',
      namespace: typeof namespace === 'string' ? namespace : undefined,
      statement: fp.text,
      operation: fp.operation,
      collection: fp.collection,
      count: 0,
      errors: 0,
      rows: 0,
      totalMs: 0,
      hist: new Histogram(),
      routes: new Map(),
      sites: new Map(),
      slowest: undefined,
      typical: undefined,
      seriesStart: minute - this.#seriesMinutes + 1,
      seriesCount: new Array<number>(this.#seriesMinutes).fill(0),
      seriesMs: new Array<number>(this.#seriesMinutes).fill(0),
      firstSeen: span.startTime,
      lastSeen: span.startTime,
    };
    this.#queries.set(key, e);
    return e;
  }

  #record(e: QueryEntry, span: SpanRecord): void {
    const d = span.duration;
    e.count++;
    e.totalMs += d;
    e.hist.record(d);
    if (isErrorSpan(span)) e.errors++;
    const rows = span.attributes['db.response.returned_rows'];
    if (typeof rows === 'number' && Number.isFinite(rows)) e.rows += rows;
    if (span.startTime > e.lastSeen) e.lastSeen = span.startTime;
    if (span.startTime < e.firstSeen) e.firstSeen = span.startTime;
    const example: QueryExample = { traceId: span.traceId, spanId: span.spanId, durationMs: d, startTime: span.startTime };
    if (e.slowest === undefined || d > e.slowest.durationMs) e.slowest = example;
    const p50 = e.hist.quantile(0.5);
    if (e.typical === undefined || (d >= p50 * 0.67 && d <= p50 * 1.5)) e.typical = example;
    this.#series(e, span.startTime, d);
  }

  #series(e: QueryEntry, time: number, d: number): void {
    const n = this.#seriesMinutes;
    const minute = Math.floor(time / MINUTE);
    const newest = e.seriesStart + n - 1;
    if (minute > newest) {
      const shift = Math.min(n, minute - newest);
      e.seriesCount.splice(0, shift);
      e.seriesMs.splice(0, shift);
      for (let i = 0; i < shift; i++) {
        e.seriesCount.push(0);
        e.seriesMs.push(0);
      }
      e.seriesStart = minute - n + 1;
    }
    const i = minute - e.seriesStart;
    if (i < 0) return; // older than the series
    e.seriesCount[i]!++;
    e.seriesMs[i]! += d;
  }

  #addFinding(f: TraceFinding, root: SpanRecord, route: RouteEntry | undefined): void {
    let site = f.callSite;
    if (site === undefined && f.fingerprint !== undefined && f.kind !== 'consecutive') {
      // no stack captured in this request: the call site this route uses for the query
      const entry = this.#queries.get(`${f.fingerprint}\u0000${f.service}`);
      if (entry !== undefined) {
        const prefix = `${f.route}\u0000`;
        const forRoute = new Map<string, number>();
        for (const [k, n] of entry.sites) if (k.startsWith(prefix)) forRoute.set(k.slice(prefix.length), n);
        site = topEntry(forRoute);
      }
    }
    const key = [f.kind, f.service, f.route, f.fingerprint ?? f.statement ?? ''].join('\u0000');
    let entry = this.#findings.get(key);
    if (entry === undefined) {
      if (this.#findings.size >= this.#maxFindings) {
        this.counters.droppedFindings++;
        return;
      }
      entry = {
        finding: {
          id: hashKey(key),
          kind: f.kind,
          service: f.service,
          route: f.route,
          ...(f.fingerprint !== undefined ? { fingerprint: f.fingerprint } : {}),
          ...(f.statement !== undefined ? { statement: f.statement } : {}),
          requests: 0,
          routeRequests: 0,
          repeats: { min: f.count, max: f.count, mean: f.count },
          pattern: 'unknown',
          parallel: f.parallel,
          totalMs: 0,
          timeShare: 0,
          savingMs: 0,
          exampleTraceIds: [],
          firstSeen: root.startTime,
          lastSeen: root.startTime,
          summary: '',
        },
        repeatsSum: 0,
        repeatValues: new Set(),
        // the route's counters before this request
        routeBaseRequests: route === undefined ? 0 : route.requests - 1,
        routeBaseMs: route === undefined ? 0 : route.totalMs - root.duration,
        sites: new Map(),
      };
      this.#findings.set(key, entry);
    }
    const out = entry.finding;
    out.requests++;
    entry.repeatsSum += f.count;
    if (entry.repeatValues.size < 16) entry.repeatValues.add(f.count);
    out.repeats = { min: Math.min(out.repeats.min, f.count), max: Math.max(out.repeats.max, f.count), mean: entry.repeatsSum / out.requests };
    out.parallel ||= f.parallel;
    out.totalMs += f.totalMs;
    out.savingMs += f.savingMs;
    if (root.startTime > out.lastSeen) out.lastSeen = root.startTime;
    if (!out.exampleTraceIds.includes(root.traceId)) {
      out.exampleTraceIds.unshift(root.traceId);
      if (out.exampleTraceIds.length > MAX_EXAMPLES) out.exampleTraceIds.pop();
    }
    if (site !== undefined && (entry.sites.has(site) || entry.sites.size < MAX_SITES_PER_QUERY)) entry.sites.set(site, (entry.sites.get(site) ?? 0) + 1);
  }

  #finish(entry: FindingEntry, key: string): Finding {
    const f = entry.finding;
    const [, service, route] = key.split('\u0000');
    const r = this.#routes.get(routeKey(service!, route!));
    f.routeRequests = r === undefined ? f.requests : Math.max(f.requests, r.requests - entry.routeBaseRequests);
    const routeMs = r === undefined ? 0 : r.totalMs - entry.routeBaseMs;
    f.timeShare = routeMs > 0 ? Math.min(1, f.totalMs / routeMs) : 0;
    const site = topEntry(entry.sites);
    if (site !== undefined) f.callSite = site;
    f.pattern = f.kind === 'slow-query' ? 'unknown' : f.requests < 3 ? 'unknown' : entry.repeatValues.size > 1 ? 'loop' : 'fan-out';
    f.summary = summarize(f);
    return { ...f, repeats: { ...f.repeats }, exampleTraceIds: [...f.exampleTraceIds] };
  }

  /**
   * A slow query counts once it was slow in `slowQueryMinRequestShare` of its route's requests:
   * of all of them, not of those since the finding first appeared (that made one stalled request
   * of a busy route "slow in 1 of 1" when it was the route's latest).
   */
  #slowEnough(entry: FindingEntry, key: string): boolean {
    const [, service, route] = key.split('\u0000');
    const r = this.#routes.get(routeKey(service!, route!));
    const routeRequests = r === undefined ? entry.finding.requests : r.requests;
    return entry.finding.requests >= this.thresholds.slowQueryMinRequestShare * routeRequests;
  }

  /** Aggregated findings, by time share (largest first). */
  findings(filter: { kind?: FindingKind; service?: string; fingerprint?: string } = {}): Finding[] {
    const out: Finding[] = [];
    for (const [key, entry] of this.#findings) {
      const f = entry.finding;
      if (f.kind === 'slow-query' && !this.#slowEnough(entry, key)) continue;
      if (filter.kind !== undefined && f.kind !== filter.kind) continue;
      if (filter.service !== undefined && f.service !== filter.service) continue;
      if (filter.fingerprint !== undefined && f.fingerprint !== filter.fingerprint) continue;
      out.push(this.#finish(entry, key));
    }
    return out.sort((a, b) => b.timeShare - a.timeShare || b.totalMs - a.totalMs);
  }

  #stat(e: QueryEntry): QueryStat {
    const routes: QueryRouteStat[] = [...e.routes]
      .map(([route, r]) => ({ route, count: r.count, requests: r.requests, totalMs: r.totalMs, share: r.requestMs > 0 ? Math.min(1, r.totalMs / r.requestMs) : 0 }))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, 10);
    let requestMs = 0;
    for (const r of e.routes.values()) requestMs += r.requestMs;
    const bySite = new Map<string, number>();
    for (const [k, n] of e.sites) {
      const site = k.slice(k.indexOf('\u0000') + 1);
      bySite.set(site, (bySite.get(site) ?? 0) + n);
    }
    const callSites: QueryCallSite[] = [...bySite]
      .map(([callSite, count]) => ({ callSite, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, 5);
    const stat: QueryStat = {
      fingerprint: e.fingerprint,
      service: e.service,
      system: e.system,
      statement: e.statement,
      count: e.count,
      errors: e.errors,
      rows: e.rows,
      totalMs: e.totalMs,
      p50Ms: e.hist.quantile(0.5),
      p95Ms: e.hist.quantile(0.95),
      p99Ms: e.hist.quantile(0.99),
      maxMs: e.hist.max,
      share: requestMs > 0 ? Math.min(1, e.totalMs / requestMs) : 0,
      routes,
      callSites,
      series: { bucketMs: MINUTE, start: e.seriesStart * MINUTE, count: [...e.seriesCount], totalMs: [...e.seriesMs] },
      firstSeen: e.firstSeen,
      lastSeen: e.lastSeen,
    };
    if (e.namespace !== undefined) stat.namespace = e.namespace;
    if (e.operation !== undefined) stat.operation = e.operation;
    if (e.collection !== undefined) stat.collection = e.collection;
    if (e.slowest !== undefined) stat.slowest = { ...e.slowest };
    if (e.typical !== undefined) stat.typical = { ...e.typical };
    return stat;
  }

  /** Query statistics, sorted by `total` time (default), `p95` or `count`, largest first. */
  queries(options: { sort?: QuerySort; limit?: number; service?: string } = {}): QueryStat[] {
    const sort = options.sort ?? 'total';
    const rows: QueryStat[] = [];
    for (const e of this.#queries.values()) {
      if (options.service !== undefined && e.service !== options.service) continue;
      rows.push(this.#stat(e));
    }
    const by = sort === 'p95' ? (q: QueryStat) => q.p95Ms : sort === 'count' ? (q: QueryStat) => q.count : (q: QueryStat) => q.totalMs;
    rows.sort((a, b) => by(b) - by(a) || b.totalMs - a.totalMs);
    return options.limit === undefined ? rows : rows.slice(0, options.limit);
  }

  /** One fingerprint's statistics in each service that ran it (empty when unknown). */
  query(fingerprintId: string): QueryStat[] {
    const out: QueryStat[] = [];
    for (const e of this.#queries.values()) if (e.fingerprint === fingerprintId) out.push(this.#stat(e));
    return out;
  }

  /** Counters for the panel's stats. */
  stats() {
    const cache = fingerprintCacheStats();
    return {
      ...this.counters,
      fingerprints: this.#queries.size,
      findings: this.#findings.size,
      cacheHits: cache.hits,
      cacheMisses: cache.misses,
      cacheEvicted: cache.evicted,
    };
  }
}

function pct(n: number): string {
  return `${Math.round(n * 100)}%`;
}

/** `src/db/inventory.ts:42 runs 21 queries per request in GET /api/products (340 requests, 38% of that route's time)` */
function summarize(f: Finding): string {
  const where = f.callSite ?? (f.statement !== undefined ? `"${f.statement.length > 60 ? `${f.statement.slice(0, 57)}...` : f.statement}"` : 'this route');
  const per = f.repeats.min === f.repeats.max ? String(f.repeats.max) : `${f.repeats.min}-${f.repeats.max}`;
  const tail = `(${f.requests} of ${f.routeRequests} requests, ${pct(f.timeShare)} of that route's time)`;
  switch (f.kind) {
    case 'n+1':
      return `${where} runs ${per} queries per request in ${f.route}${f.parallel ? ' in parallel' : ''} ${tail}`;
    case 'n+1-http':
      return `${where} makes ${per} calls to ${f.statement ?? 'one route'} per request in ${f.route} ${tail}`;
    case 'consecutive':
      return `${where} runs ${per} independent SELECTs one after another in ${f.route}; in parallel they would save ${Math.round(f.savingMs / Math.max(1, f.requests))} ms per request ${tail}`;
    case 'slow-query':
      return `${where} runs a slow query in ${f.route} ${tail}`;
  }
}
