/**
 * Error groups: every exception recorded here is fingerprinted and counted in its group. A group
 * keeps its count, first and last seen, a per-minute series, bounded sets of the services,
 * routes, releases and users it hit, the newest distinct trace ids and the newest occurrences.
 * Everything is bounded: at most `maxGroups` groups (the least recently seen evicted first), and
 * a bounded index of recent traces, used to count an exception once when enclosing spans record it
 * again, to give an occurrence the route its request's server span ends with, and to relate
 * groups met in the same trace.
 */
import {
  RingBuffer,
  checkKeys,
  isFunction,
  isNonEmptyString,
  isNumberAtLeast,
  isPositiveInt,
  type ErrorChainLink,
  type ErrorGroupSummary,
  type ErrorGroupsStats,
  type ErrorOccurrence,
  type ErrorSource,
  type ErrorsResponse,
  type Schema,
} from '@debugpanel/model';
import { fingerprint, type ExceptionInfo, type FingerprintOptions, type ParsedLink } from './fingerprint.js';

export const MINUTE_MS = 60_000;

export interface ErrorGroupsOptions {
  /** Groups kept; past it the least recently seen group is evicted (default 500) */
  maxGroups?: number;
  /** Newest occurrences kept per group (default 50) */
  maxOccurrences?: number;
  /** Newest distinct trace ids kept per group (default 20) */
  maxSampleTraces?: number;
  /** Values kept in each of a group's sets: services, routes, releases, users (default 50) */
  maxSetValues?: number;
  /** Minutes in a group's series (default 60) */
  seriesMinutes?: number;
  /** A group first seen this long after `startedAt` is new (default 300,000: 5 minutes) */
  newAfterMs?: number;
  /** Recent traces remembered for dedupe, routes and relations (default 5,000) */
  maxTraces?: number;
  /** When the process (or panel) started, ms since epoch (default: now) */
  startedAt?: number;
  /** The app's root folder, for module names (see `FingerprintOptions.root`) */
  root?: string;
  isInApp?: (file: string) => boolean;
  /** The clock, ms since epoch (tests) */
  now?: () => number;
}

const OPTIONS: Schema = {
  maxGroups: isPositiveInt,
  maxOccurrences: isPositiveInt,
  maxSampleTraces: isPositiveInt,
  maxSetValues: isPositiveInt,
  seriesMinutes: isPositiveInt,
  newAfterMs: isNumberAtLeast(0),
  maxTraces: isPositiveInt,
  startedAt: isNumberAtLeast(0),
  root: isNonEmptyString,
  isInApp: isFunction,
  now: isFunction,
};

/** Where and when an exception was seen. */
export interface ErrorContext {
  source: ErrorSource;
  service: string;
  /** ms since epoch (default: now) */
  time?: number;
  traceId?: string;
  spanId?: string;
  route?: string;
  user?: string;
  release?: string;
}

/** What a request's local root tells about its trace's exceptions recorded before it ended. */
export interface RootContext {
  route?: string;
  user?: string;
  release?: string;
}

/** Filters of `list()`: each narrows to groups whose set holds the value. */
export interface ErrorGroupFilter {
  service?: string;
  route?: string;
  user?: string;
  release?: string;
  source?: ErrorSource;
  /** lastSeen at or after, ms since epoch */
  since?: number;
  /** default 100 */
  limit?: number;
}

/** An exception of a group in one trace, for relations. */
export interface TraceOccurrence {
  fingerprint: string;
  spanId?: string;
  service: string;
}

class BoundedSet {
  readonly values: string[] = [];
  constructor(private readonly max: number) {}
  /** false when the value was new and did not fit */
  add(v: string): boolean {
    if (this.values.includes(v)) return true;
    if (this.values.length >= this.max) return false;
    this.values.push(v);
    return true;
  }
}

interface Group {
  fingerprint: string;
  type: string;
  title: string;
  message: string;
  culprit: string | undefined;
  count: number;
  firstSeen: number;
  lastSeen: number;
  services: BoundedSet;
  routes: BoundedSet;
  releases: BoundedSet;
  users: BoundedSet;
  sources: Set<ErrorSource>;
  droppedValues: number;
  sampleTraceIds: string[];
  occurrences: RingBuffer<ErrorOccurrence>;
  sample: ParsedLink[];
  /** counts per minute: ring indexed by minute % length; `lastMinute` the newest minute counted */
  buckets: Uint32Array;
  lastMinute: number;
}

interface TraceEntry {
  /** fingerprint + message + stack of what was recorded, to count an exception once per trace */
  keys: Set<string>;
  occurrences: Array<TraceOccurrence & { occurrence: ErrorOccurrence; key: string }>;
}

/** Exceptions remembered per trace (the rest still count, but are not deduplicated or related). */
const MAX_PER_TRACE = 64;

/**
 * The error groups of a process (or of a hub: every service's).
 *
 * @example
 * const groups = new ErrorGroups({ maxGroups: 200 });
 * groups.record(fromError(err), { source: 'log', service: 'orders', traceId });
 * groups.list({ service: 'orders' }).groups[0]; // { fingerprint, type, title, count, ... }
 */
export class ErrorGroups {
  readonly maxGroups: number;
  readonly newAfterMs: number;
  readonly startedAt: number;
  readonly #o: Required<Omit<ErrorGroupsOptions, 'root' | 'isInApp' | 'startedAt'>>;
  readonly #fp: FingerprintOptions;
  readonly #groups = new Map<string, Group>();
  readonly #traces = new Map<string, TraceEntry>();
  readonly #stats = { recorded: 0, evictedGroups: 0, duplicates: 0, evictedTraces: 0 };

  constructor(options: ErrorGroupsOptions = {}) {
    checkKeys(options, OPTIONS, 'new ErrorGroups(options)');
    this.#o = {
      maxGroups: options.maxGroups ?? 500,
      maxOccurrences: options.maxOccurrences ?? 50,
      maxSampleTraces: options.maxSampleTraces ?? 20,
      maxSetValues: options.maxSetValues ?? 50,
      seriesMinutes: options.seriesMinutes ?? 60,
      newAfterMs: options.newAfterMs ?? 300_000,
      maxTraces: options.maxTraces ?? 5000,
      now: options.now ?? Date.now,
    };
    this.maxGroups = this.#o.maxGroups;
    this.newAfterMs = this.#o.newAfterMs;
    this.startedAt = options.startedAt ?? this.#o.now();
    this.#fp = {};
    if (options.root !== undefined) this.#fp.root = options.root;
    if (options.isInApp !== undefined) this.#fp.isInApp = options.isInApp;
  }

  get size(): number {
    return this.#groups.size;
  }

  /**
   * Records one exception; returns its fingerprint. The same exception (same fingerprint,
   * message and stack) seen again in the same trace, as an enclosing span records what its child
   * threw, counts once; what the later record knows (its route) is added to the first.
   */
  record(exception: ExceptionInfo, ctx: ErrorContext): string {
    const fp = fingerprint(exception, this.#fp);
    const time = ctx.time ?? this.#o.now();
    const outer = fp.chain[0]!;
    let entry: TraceEntry | undefined;
    let key = '';
    if (ctx.traceId !== undefined) {
      entry = this.#trace(ctx.traceId);
      key = `${fp.fingerprint}\u0000${outer.message}\u0000${outer.stack ?? ''}`;
      if (entry.keys.has(key)) {
        this.#stats.duplicates++;
        const first = entry.occurrences.find((o) => o.key === key);
        const group = this.#groups.get(fp.fingerprint);
        if (first && group) this.#fill(group, first.occurrence, ctx);
        return fp.fingerprint;
      }
    }
    this.#stats.recorded++;
    let group = this.#groups.get(fp.fingerprint);
    if (group === undefined) {
      group = this.#newGroup(fp.fingerprint, outer, fp.culprit, time);
    } else {
      // Most recently seen last: the Map's order is the eviction order.
      this.#groups.delete(fp.fingerprint);
    }
    this.#groups.set(fp.fingerprint, group);
    group.count++;
    if (time < group.firstSeen) group.firstSeen = time;
    if (time >= group.lastSeen) {
      group.lastSeen = time;
      group.message = outer.message;
      group.sample = fp.chain;
    }
    this.#count(group, time);
    const occurrence: ErrorOccurrence = { time, source: ctx.source, service: ctx.service, message: outer.message };
    if (ctx.traceId !== undefined) occurrence.traceId = ctx.traceId;
    if (ctx.spanId !== undefined) occurrence.spanId = ctx.spanId;
    group.sources.add(ctx.source);
    this.#add(group, group.services, ctx.service);
    this.#fill(group, occurrence, ctx);
    group.occurrences.push(occurrence);
    if (ctx.traceId !== undefined) {
      const ids = group.sampleTraceIds;
      const at = ids.indexOf(ctx.traceId);
      if (at >= 0) ids.splice(at, 1);
      ids.unshift(ctx.traceId);
      if (ids.length > this.#o.maxSampleTraces) ids.pop();
      if (entry!.occurrences.length < MAX_PER_TRACE) {
        entry!.keys.add(key);
        const o: TraceOccurrence & { occurrence: ErrorOccurrence; key: string } = { fingerprint: fp.fingerprint, service: ctx.service, occurrence, key };
        if (ctx.spanId !== undefined) o.spanId = ctx.spanId;
        entry!.occurrences.push(o);
      }
    }
    while (this.#groups.size > this.#o.maxGroups) {
      const oldest = this.#groups.keys().next().value!;
      this.#groups.delete(oldest);
      this.#stats.evictedGroups++;
    }
    return fp.fingerprint;
  }

  /**
   * A request's local root ended: its route, user and release go to the exceptions its trace
   * recorded in `service` before (thrown in a child span, caught and answered with a 500).
   */
  noteRoot(traceId: string, service: string, root: RootContext): void {
    const entry = this.#traces.get(traceId);
    if (entry === undefined) return;
    for (const o of entry.occurrences) {
      if (o.service !== service) continue;
      const group = this.#groups.get(o.fingerprint);
      if (group) this.#fill(group, o.occurrence, { ...root, source: o.occurrence.source, service });
    }
  }

  /** True when exceptions of `traceId` were recorded (and are still remembered). */
  hasTrace(traceId: string): boolean {
    return this.#traces.has(traceId);
  }

  /** The exceptions recorded in a trace (remembered ones), for relations. */
  inTrace(traceId: string): TraceOccurrence[] {
    const entry = this.#traces.get(traceId);
    if (entry === undefined) return [];
    return entry.occurrences.map(({ fingerprint, spanId, service }) => (spanId === undefined ? { fingerprint, service } : { fingerprint, spanId, service }));
  }

  /** Groups matching `filter`, most recently seen first. */
  list(filter: ErrorGroupFilter = {}): ErrorsResponse {
    const now = this.#o.now();
    const matched: Group[] = [];
    for (const g of this.#groups.values()) {
      if (filter.service !== undefined && !g.services.values.includes(filter.service)) continue;
      if (filter.route !== undefined && !g.routes.values.includes(filter.route)) continue;
      if (filter.user !== undefined && !g.users.values.includes(filter.user)) continue;
      if (filter.release !== undefined && !g.releases.values.includes(filter.release)) continue;
      if (filter.source !== undefined && !g.sources.has(filter.source)) continue;
      if (filter.since !== undefined && g.lastSeen < filter.since) continue;
      matched.push(g);
    }
    matched.sort((a, b) => b.lastSeen - a.lastSeen);
    const limit = filter.limit ?? 100;
    return {
      groups: matched.slice(0, limit).map((g) => this.#summary(g, now)),
      total: matched.length,
      ...this.#seriesMeta(now),
      newAfterMs: this.newAfterMs,
    };
  }

  /** One group: its summary, sample chain and newest occurrences (newest first); undefined when unknown. */
  get(fp: string): { group: ErrorGroupSummary; sample: ErrorChainLink[]; occurrences: ErrorOccurrence[]; seriesEnd: number; seriesStepMs: number } | undefined {
    const g = this.#groups.get(fp);
    if (g === undefined) return undefined;
    const now = this.#o.now();
    const sample = g.sample.map(({ type, message, stack, frames }) => {
      const link: ErrorChainLink = { type, message, frames };
      if (stack !== undefined) link.stack = stack;
      return link;
    });
    return { group: this.#summary(g, now), sample, occurrences: g.occurrences.toArray().reverse(), ...this.#seriesMeta(now) };
  }

  /** A group's type, title and services (for relations), or undefined. */
  brief(fp: string): { type: string; title: string; services: string[] } | undefined {
    const g = this.#groups.get(fp);
    return g && { type: g.type, title: g.title, services: [...g.services.values] };
  }

  stats(): Omit<ErrorGroupsStats, 'queued' | 'droppedQueue' | 'failed' | 'uncaught' | 'rejections'> {
    return { groups: this.#groups.size, maxGroups: this.#o.maxGroups, traces: this.#traces.size, ...this.#stats };
  }

  #trace(traceId: string): TraceEntry {
    let entry = this.#traces.get(traceId);
    if (entry === undefined) {
      entry = { keys: new Set(), occurrences: [] };
      this.#traces.set(traceId, entry);
      if (this.#traces.size > this.#o.maxTraces) {
        this.#traces.delete(this.#traces.keys().next().value!);
        this.#stats.evictedTraces++;
      }
    }
    return entry;
  }

  #newGroup(fingerprint: string, outer: ParsedLink, culprit: string | undefined, time: number): Group {
    const max = this.#o.maxSetValues;
    return {
      fingerprint,
      type: outer.type,
      title: outer.title,
      message: outer.message,
      culprit,
      count: 0,
      firstSeen: time,
      lastSeen: time,
      services: new BoundedSet(max),
      routes: new BoundedSet(max),
      releases: new BoundedSet(max),
      users: new BoundedSet(max),
      sources: new Set(),
      droppedValues: 0,
      sampleTraceIds: [],
      occurrences: new RingBuffer(this.#o.maxOccurrences),
      sample: [],
      buckets: new Uint32Array(this.#o.seriesMinutes),
      lastMinute: Math.floor(time / MINUTE_MS),
    };
  }

  /** Puts route, user and release on an occurrence (where it has none) and in the group's sets. */
  #fill(group: Group, occurrence: ErrorOccurrence, ctx: RootContext & ErrorContext): void {
    if (ctx.route !== undefined && occurrence.route === undefined) {
      occurrence.route = ctx.route;
      this.#add(group, group.routes, ctx.route);
    }
    if (ctx.user !== undefined && occurrence.user === undefined) {
      occurrence.user = ctx.user;
      this.#add(group, group.users, ctx.user);
    }
    if (ctx.release !== undefined && occurrence.release === undefined) {
      occurrence.release = ctx.release;
      this.#add(group, group.releases, ctx.release);
    }
  }

  #add(group: Group, set: BoundedSet, value: string): void {
    if (!set.add(value)) group.droppedValues++;
  }

  #count(g: Group, time: number): void {
    const minute = Math.floor(time / MINUTE_MS);
    const n = g.buckets.length;
    if (minute > g.lastMinute) {
      for (let m = Math.max(g.lastMinute + 1, minute - n + 1); m <= minute; m++) g.buckets[m % n] = 0;
      g.lastMinute = minute;
    } else if (minute <= g.lastMinute - n) {
      return; // older than the series: counted in `count`, not in a bucket
    }
    g.buckets[minute % n]!++;
  }

  #series(g: Group, now: number): number[] {
    const n = g.buckets.length;
    const end = Math.floor(now / MINUTE_MS);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const minute = end - n + 1 + i;
      out[i] = minute > g.lastMinute || minute <= g.lastMinute - n ? 0 : g.buckets[minute % n]!;
    }
    return out;
  }

  #seriesMeta(now: number): { seriesEnd: number; seriesStepMs: number } {
    return { seriesEnd: (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS, seriesStepMs: MINUTE_MS };
  }

  #summary(g: Group, now: number): ErrorGroupSummary {
    const s: ErrorGroupSummary = {
      fingerprint: g.fingerprint,
      type: g.type,
      message: g.message,
      title: g.title,
      count: g.count,
      firstSeen: g.firstSeen,
      lastSeen: g.lastSeen,
      isNew: g.firstSeen - this.startedAt >= this.newAfterMs,
      services: [...g.services.values],
      routes: [...g.routes.values],
      releases: [...g.releases.values],
      users: [...g.users.values],
      sources: [...g.sources],
      droppedValues: g.droppedValues,
      sampleTraceIds: [...g.sampleTraceIds],
      series: this.#series(g, now),
    };
    if (g.culprit !== undefined) s.culprit = g.culprit;
    return s;
  }
}
