/**
 * The context every view shares: a service, a route, a status and a time window, carried in the
 * hash from view to view, so that error group -> trace -> logs -> query -> incident keeps the
 * service and the window. Pure: the shell's filter bar, the nav and the views' links all build
 * their hashes here.
 *
 * In the hash the context is the trace query's own keys (`service`, `route`, `status`, `since`,
 * `until`; times in ms since epoch), except in the Metrics view, whose chart `window` and
 * drag-selected `from`/`to` are its time (read and written here, so the view needs no change).
 * A picked "last 15 min" becomes an absolute `since` at the moment it is picked, as the trace
 * list's picker always did: a link shows the same records later.
 */
import { TIME_RANGES } from './time-range.js';
import { formatHash, parseHash, type ViewName } from './route.js';

export interface Context {
  service?: string;
  /** A route template (`/orders/:id`), without the method */
  route?: string;
  status?: 'error' | 'ok';
  /** ms since epoch */
  since?: number;
  /** ms since epoch; none: up to now */
  until?: number;
}

export const CONTEXT_KEYS = ['service', 'route', 'status', 'since', 'until'] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];
/** The time window is one field of the bar: `since` and `until` are applied (or not) together. */
export type ContextField = 'service' | 'route' | 'status' | 'time';
export const CONTEXT_FIELDS: readonly ContextField[] = ['service', 'route', 'status', 'time'];

/**
 * What each view does with the context: `applies` are the fields it filters by; `carries` says the
 * context lives in its hash (so its links and the nav pass it on). A view that does not carry it
 * (Map, Flame, Stats...) uses none of it; the shell remembers the last context for the next view.
 */
export const CONTEXT_USE: Record<ViewName, { applies: readonly ContextField[]; carries: boolean }> = {
  traces: { applies: ['service', 'route', 'status', 'time'], carries: true },
  // One trace: nothing to filter, but the context rides along to its logs and back to the list.
  trace: { applies: [], carries: true },
  // The errors API has `since` but no `until`: a window's end is not applied.
  errors: { applies: ['service', 'route', 'time'], carries: true },
  logs: { applies: ['service', 'time'], carries: true },
  // Query statistics are totals since the panel started: no time, no status.
  queries: { applies: ['service', 'route'], carries: true },
  insights: { applies: ['service', 'route', 'time'], carries: true },
  metrics: { applies: ['service', 'route', 'time'], carries: true },
  // The map keeps minutes in its own `since`: the context is not in its hash (the shell hands it
  // the kept one). The bar's window picks the map's nearest covering window (`mapWindowFor`; its
  // end is not applied), the bar's service selects that service's node.
  map: { applies: ['service', 'time'], carries: false },
  flame: { applies: [], carries: false },
  compare: { applies: [], carries: false },
  breakpoints: { applies: [], carries: false },
  chaos: { applies: [], carries: false },
  stats: { applies: [], carries: false },
  audit: { applies: [], carries: false },
};

/** The Metrics view's chart windows (its `?window=`; 5m when absent). */
const METRIC_WINDOWS = [
  { key: '5m', ms: 5 * 60_000 },
  { key: '15m', ms: 15 * 60_000 },
  { key: '1h', ms: 60 * 60_000 },
  { key: '6h', ms: 6 * 60 * 60_000 },
] as const;

function num(v: string | null): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The smallest metrics window that shows `since` at `now` (the largest when none does). */
export function metricsWindowFor(since: number, now: number): string {
  const w = METRIC_WINDOWS.find((x) => now - since <= x.ms) ?? METRIC_WINDOWS[METRIC_WINDOWS.length - 1]!;
  return w.key;
}

/** The Map view's windows, minutes back from now (its `?since=`; 15 when absent), largest last. */
export const MAP_WINDOWS = [5, 15, 60] as const;

/**
 * The Map window that shows the context's window: the smallest of the last 5, 15 or 60 minutes
 * that reaches back to its start, every stored trace ('all') when none does; undefined when the
 * context has no start (the map's own menu then picks). A tenth of a map window's length is slack:
 * the bar's "last hour" is fixed when picked and ages, and a minute later it is still best shown
 * as the last hour, not as everything. The map always runs up to now, so a window's end is not
 * applied (`endIgnored`).
 *
 * @example
 * mapWindowFor({ since: now - 10 * 60_000 }, now); // { minutes: 15, endIgnored: false }
 */
export function mapWindowFor(ctx: Context, now: number): { minutes: number | 'all'; endIgnored: boolean } | undefined {
  if (ctx.since === undefined) return undefined;
  const back = now - ctx.since;
  const minutes = MAP_WINDOWS.find((m) => back <= m * 66_000) ?? 'all';
  return { minutes, endIgnored: ctx.until !== undefined };
}

/** The map's node of the context's service (a service node of that name), if it is on the map. */
export function mapNodeFor(nodes: ReadonlyArray<{ id: string; name: string; kind: string }>, service: string | undefined): string | undefined {
  if (!service) return undefined;
  return nodes.find((n) => n.kind === 'service' && n.name === service)?.id;
}

/**
 * The context a view's hash holds. Unknown values (a status that is neither error nor ok, a time
 * that is not a number) are left out rather than guessed.
 *
 * @example
 * readContext('traces', new URLSearchParams('service=orders&since=1700000000000'));
 * // { service: 'orders', since: 1700000000000 }
 */
export function readContext(view: ViewName, params: URLSearchParams, now = Date.now()): Context {
  if (!CONTEXT_USE[view].carries) return {};
  const ctx: Context = {};
  const service = params.get('service')?.trim();
  if (service) ctx.service = service;
  const route = params.get('route')?.trim();
  if (route) ctx.route = route;
  const status = params.get('status');
  if (status === 'error' || status === 'ok') ctx.status = status;
  let since = num(params.get('since'));
  let until = num(params.get('until'));
  if (view === 'metrics') {
    const from = num(params.get('from'));
    const to = num(params.get('to'));
    const window = METRIC_WINDOWS.find((w) => w.key === params.get('window'));
    if (from !== undefined) {
      // A range dragged on a chart, or an incident's: that is the window.
      since = from;
      until = to !== undefined && to > from ? to : undefined;
    } else if (window && !(since !== undefined && metricsWindowFor(since, now) === window.key)) {
      // A chart window picked in the view (not the one a carried `since` asked for): the last of it.
      since = Math.floor(now - window.ms);
      until = undefined;
    }
  }
  if (since !== undefined) ctx.since = since;
  if (until !== undefined && (since === undefined || until > since)) ctx.until = until;
  return ctx;
}

/**
 * The hash parameters that say `ctx` in `view`'s words; a view that does not carry the context
 * gets none. In Metrics a window becomes the smallest chart window that shows it, with `from`/`to`
 * when it has an end (the view then shades it and limits its tables to it).
 */
export function contextParams(view: ViewName, ctx: Context, now = Date.now()): Record<string, string | undefined> {
  if (!CONTEXT_USE[view].carries) return {};
  const out: Record<string, string | undefined> = {
    service: ctx.service,
    route: ctx.route,
    status: ctx.status,
    since: ctx.since === undefined ? undefined : String(Math.floor(ctx.since)),
    until: ctx.until === undefined ? undefined : String(Math.ceil(ctx.until)),
  };
  if (view === 'metrics') {
    const window = ctx.since === undefined ? undefined : metricsWindowFor(ctx.since, now);
    out.window = window === '5m' ? undefined : window;
    if (ctx.until !== undefined) {
      out.from = out.since;
      out.to = out.until;
      out.since = undefined;
      out.until = undefined;
    }
  }
  return out;
}

/** The keys `contextParams` may write for `view` (removed before writing a new context). */
function dialectKeys(view: ViewName): string[] {
  return view === 'metrics' ? [...CONTEXT_KEYS, 'window', 'from', 'to'] : [...CONTEXT_KEYS];
}

/**
 * `params` (a view's own hash parameters) with its context replaced by `ctx`: the filter bar's
 * edit of the current view. In Metrics, a new route drops the method picked with the old one.
 */
export function replaceContext(view: ViewName, params: URLSearchParams, ctx: Context, now = Date.now()): URLSearchParams {
  const next = new URLSearchParams(params);
  if (view === 'metrics' && (params.get('route') ?? '') !== (ctx.route ?? '')) next.delete('method');
  if (!CONTEXT_USE[view].carries) return next;
  for (const k of dialectKeys(view)) next.delete(k);
  for (const [k, v] of Object.entries(contextParams(view, ctx, now))) if (v !== undefined && v !== '') next.set(k, v);
  return next;
}

/**
 * A link to `target` that carries `ctx` (when the target carries context): the target's own
 * parameters win, so a link that names its own service or window (an incident's) sets it.
 *
 * @example
 * linkWith({ view: 'trace', id: 'abc', params: { span: '01' } }, { service: 'orders' });
 * // '#/trace/abc?span=01&service=orders'
 */
export function linkWith(target: { view: ViewName; id?: string; params?: Record<string, string | undefined> }, ctx: Context, now = Date.now()): string {
  const params = new URLSearchParams();
  const own = target.params ?? {};
  for (const [k, v] of Object.entries(own)) if (v !== undefined && v !== '') params.set(k, v);
  const ownKeys = new Set(Object.keys(own).filter((k) => own[k] !== undefined && own[k] !== ''));
  // A link with its own window (since/from) keeps it whole: no `until` of the context on top.
  const ownTime = ['since', 'until', 'from', 'to', 'window'].some((k) => ownKeys.has(k));
  for (const [k, v] of Object.entries(contextParams(target.view, ctx, now))) {
    if (v === undefined || v === '' || ownKeys.has(k)) continue;
    if (ownTime && ['since', 'until', 'from', 'to', 'window'].includes(k)) continue;
    params.set(k, v);
  }
  return formatHash({ view: target.view, id: target.id, params });
}

/** The fields of `ctx` that are set, in the bar's order. */
export function setFields(ctx: Context): ContextField[] {
  return CONTEXT_FIELDS.filter((f) => (f === 'time' ? ctx.since !== undefined || ctx.until !== undefined : ctx[f] !== undefined));
}

/**
 * The fields `view` applies with these params: in Logs a trace id wins over the service and the
 * window (the trace's logs are every service's, whenever they were written); both stay in the hash
 * for the next view.
 */
export function appliedFields(view: ViewName, params?: URLSearchParams): readonly ContextField[] {
  const applies = CONTEXT_USE[view].applies;
  if (view === 'logs' && params?.get('traceId')) return applies.filter((f) => f !== 'service' && f !== 'time');
  return applies;
}

/** The set fields `view` does not apply: the bar says so instead of silently ignoring them. */
export function ignoredFields(view: ViewName, ctx: Context, params?: URLSearchParams): ContextField[] {
  const applies = appliedFields(view, params);
  // Errors and Map apply a window's start only: a window with no start is not applied there.
  return setFields(ctx).filter((f) => !applies.includes(f) || ((view === 'errors' || view === 'map') && f === 'time' && ctx.since === undefined));
}

/** True when `ctx` has something set. */
export function hasContext(ctx: Context): boolean {
  return setFields(ctx).length > 0;
}

/** The window a picked relative range asks for at `now` ('' clears it); undefined for an unknown key. */
export function relativeWindow(key: string, now: number): Pick<Context, 'since' | 'until'> | undefined {
  if (key === '') return { since: undefined, until: undefined };
  const r = TIME_RANGES.find((t) => t.key === key);
  return r === undefined ? undefined : { since: Math.floor(now - r.ms), until: undefined };
}

/**
 * True when `route` (the context's template, `/orders/:id`) names `candidate`, which may carry a
 * method (`GET /orders/:id`, as queries, findings and incidents name routes).
 */
export function routeMatches(candidate: string | undefined, route: string | undefined): boolean {
  if (!route) return true;
  if (!candidate) return false;
  return candidate === route || candidate.endsWith(` ${route}`);
}

/** True when [from, to) (to undefined: still going) overlaps the context's window. */
export function overlapsWindow(ctx: Context, from: number, to: number | undefined): boolean {
  if (ctx.since !== undefined && to !== undefined && to < ctx.since) return false;
  if (ctx.until !== undefined && from > ctx.until) return false;
  return true;
}

/**
 * The nav's links: each view with the context in its words. Views that do not carry the context
 * get their bare hash (the shell remembers the context for the hop after).
 */
export function navLink(view: ViewName, ctx: Context, now = Date.now()): string {
  return formatHash({ view, params: contextParams(view, ctx, now) });
}

/**
 * Where a trace's "back to traces" goes: the list it came from (`list`, remembered by the trace
 * list) when that list shows the trace's context, or none was carried; else the list of the
 * carried context (the trace came from Errors, Logs, Queries...).
 */
export function backToList(list: string, ctx: Context): string {
  if (!hasContext(ctx)) return list;
  const r = parseHash(list);
  const own = navLink('traces', ctx);
  const same = JSON.stringify(readContext('traces', r.params)) === JSON.stringify(readContext('traces', parseHash(own).params));
  return r.view === 'traces' && same ? list : own;
}

/** The parts of an incident its links need (structurally an `IncidentSummary`). */
export interface IncidentLike {
  scope: { kind: string; service: string; route?: string };
  startedAt: number;
  endedAt?: number;
  /** the services of the anomalies it groups */
  services?: readonly string[];
  /** the ranked suspects, most likely first */
  suspects?: ReadonlyArray<{ service: string }>;
}

/**
 * True when an incident falls in the context: its service (the scope's, one of its anomalies', or
 * its top suspect's: a fault in orders behind a gateway usually opens the incident on the
 * gateway's route first, or joins one open there), its route, and a window it overlaps.
 */
export function incidentMatches(i: IncidentLike, ctx: Context): boolean {
  const svc = ctx.service;
  if (svc && i.scope.service !== svc && !i.services?.includes(svc) && i.suspects?.[0]?.service !== svc) return false;
  if (ctx.route && !routeMatches(i.scope.kind === 'route' ? i.scope.route : undefined, ctx.route)) return false;
  return overlapsWindow(ctx, i.startedAt, i.endedAt);
}

/**
 * The traces of an incident: its scope's service (and route) from a minute before it started to
 * its end (none while it goes on). The incident's window replaces the context's: that is the hop.
 *
 * @example
 * incidentTracesLink({ scope: { kind: 'route', service: 'shop', route: 'GET /a' }, startedAt: 120000 }, {});
 * // '#/traces?service=shop&route=%2Fa&since=60000'
 */
export function incidentTracesLink(i: IncidentLike, ctx: Context): string {
  const route = i.scope.kind === 'route' && i.scope.route ? i.scope.route.replace(/^[A-Z]+ /, '') : undefined;
  return linkWith(
    {
      view: 'traces',
      params: { service: i.scope.service, route, since: String(Math.max(0, Math.floor(i.startedAt - 60_000))), until: i.endedAt === undefined ? undefined : String(Math.ceil(i.endedAt)) },
    },
    ctx,
  );
}
