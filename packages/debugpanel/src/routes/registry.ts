/**
 * The panel's route table. A feature is one file exporting a `PanelFeature` (a function of the
 * panel's context returning its routes) and one line in `./index.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FeatureStats, PanelStats, Redactor, Role, SpanRecord } from '@debugpanel/model';
import type { InsightsEngine } from '@debugpanel/insights';
import type { GoldenSignals } from '@debugpanel/metrics';
import type { TailSampler } from '@debugpanel/sampler';
import type { DependencyMapBuilder } from '@debugpanel/dependency-map';
import type { SpanStore } from '@debugpanel/span-store';
import type { PanelTracing } from '@debugpanel/tracing';
import type { ErrorCapture } from '../error-capture.js';
import type { PanelChaos } from '../chaos.js';
import type { PanelLogs } from '../logs.js';
import type { ResolvedOptions } from '../options.js';
import type { AccessControl, Identity } from '../access.js';
import type { AuditLog } from '../audit.js';
import type { SseHub } from '../sse.js';
import type { QueryFeed } from '../query-feed.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a route sees of the panel. */
export interface PanelContext {
  options: ResolvedOptions;
  store: SpanStore;
  tracing: PanelTracing;
  sse: SseHub;
  access: AccessControl;
  /**
   * The audit log. The panel records every mutation and every `role: 'debugger'` read itself;
   * a route may add entries of its own: `ctx.audit.record({ action, target, role, tokenId, via, ip, status })`.
   */
  audit: AuditLog;
  /** ms since epoch when the panel was created */
  startedAt: number;
  /** version of the debugpanel package */
  version: string;
  /** counters of the panel itself, shown in stats */
  counters: PanelCounters;
  /** the head sampler in force (its description) and the tail sampler */
  sampling: { head: string; tail: TailSampler };
  /** golden signals, unless turned off with `metrics: false` */
  metrics: GoldenSignals | undefined;
  /** error groups and their sources, unless turned off with `errors: false` */
  errors: ErrorCapture | undefined;
  /** anomalies, incidents and ranked suspects, unless `insights: false` (or `metrics: false`) */
  insights: InsightsEngine | undefined;
  /**
   * The panel's one redactor (built from the `redact` option), for every value that enters the
   * panel: tracing uses it for local spans, `ingest` for received ones; snapshots, logpoints and
   * logs use it too.
   */
  redactor: Redactor;
  /**
   * Hands spans received from other processes (hub) to the same pipeline as local spans, after
   * redacting each (`redactor.span`, which replaces the record's changed fields).
   */
  ingest(spans: ReadonlyArray<SpanRecord>): void;
  /** Chaos rules and experiments (`enabled: false` unless `chaos: true`) */
  chaos?: PanelChaos;
  /** The service map's incremental builder (one-minute buckets of every span); without it the route reads stored traces */
  dependencyMap?: DependencyMapBuilder;
  /** The log store and its intake (undefined with `logs: false`) */
  logs: PanelLogs | undefined;
  /** more sections of `GET {path}/api/stats`, registered by features (hub, export, ...); each section's type is in the model's `FeatureStats` */
  stats: { [K in keyof FeatureStats]?: () => FeatureStats[K] };
  /** Query statistics and findings, unless turned off with `queries: false` */
  queries?: QueryFeed | undefined;
  /** Called when the panel closes (a feature's timers, e.g. the breakpoint link to a hub) */
  onClose?: Array<() => void>;
}

/** Counters of the panel itself: the `panel` section of `GET {path}/api/stats` (declared in @debugpanel/model). */
export type PanelCounters = PanelStats;

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** `:name` segments of the route pattern, decoded */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Who sent the request (absent on public routes, and in tests that serve one feature bare) */
  identity?: Identity;
}

export interface PanelRoute {
  method: Method;
  /** Path under the panel's `path`, e.g. `/api/traces/:traceId`; a trailing `/*` matches the rest as `params['*']` */
  path: string;
  /** Served without authentication (the login page only) */
  public?: boolean;
  /**
   * The role a request needs, checked by the panel in one place: default `viewer` for GET and
   * `debugger` for every other method. Set `debugger` on a GET that reads captured data
   * (snapshots, logpoint output, profiles, source files); such reads and every mutation go to the
   * audit log.
   */
  role?: Role;
  /** Audit this route (default: every mutation and every `role: 'debugger'` route); false for bulk ingest */
  audit?: boolean;
  handle(r: RouteRequest): void | Promise<void>;
}

export type PanelFeature = (ctx: PanelContext) => PanelRoute[];

interface Compiled {
  route: PanelRoute;
  segments: string[];
  rest: boolean;
}

export interface RouteMatch {
  route: PanelRoute;
  params: Record<string, string>;
}

/** Matches paths against the routes of all features; built once per panel. */
export class RouteTable {
  readonly #routes: Compiled[] = [];

  constructor(routes: PanelRoute[]) {
    for (const route of routes) {
      let segments = route.path.split('/').filter(Boolean);
      const rest = segments[segments.length - 1] === '*';
      if (rest) segments = segments.slice(0, -1);
      this.#routes.push({ route, segments, rest });
    }
  }

  /**
   * The route for `method` and `subPath` (relative to the panel path), or the methods allowed on that
   * path when only the method is wrong (for a 405), or undefined when nothing matches.
   */
  match(method: string, subPath: string): RouteMatch | { allowed: string[] } | undefined {
    const parts = subPath.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const c of this.#routes) {
      const params = matchSegments(c, parts);
      if (!params) continue;
      if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET')) return { route: c.route, params };
      allowed.push(c.route.method);
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }
}

function matchSegments(c: Compiled, parts: string[]): Record<string, string> | undefined {
  if (c.rest ? parts.length < c.segments.length : parts.length !== c.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < c.segments.length; i++) {
    const seg = c.segments[i]!;
    let part: string;
    try {
      part = decodeURIComponent(parts[i]!);
    } catch {
      return undefined;
    }
    if (seg.startsWith(':')) params[seg.slice(1)] = part;
    else if (seg !== part) return undefined;
  }
  if (c.rest) params['*'] = parts.slice(c.segments.length).join('/');
  return params;
}
