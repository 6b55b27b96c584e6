/**
 * Hash routes: every view, filter and selected span is a shareable link, and the panel works under
 * any mount path because the hash never reaches the server.
 *   #/traces?service=orders&status=error
 *   #/trace/<traceId>?span=<spanId>&q=<search>&tab=flame
 *   #/map  #/flame  #/metrics  #/queries  #/breakpoints  #/chaos  #/stats  #/insights[/<incidentId>]  #/compare?a=&b=   (each may carry its own ?params)
 *   #/errors/<fingerprint>?service=orders   (the Errors view and a selected group)
 *   #/logs?service=orders&severity=warn&text=timeout&traceId=<id>   (the Logs view)
 */
export const VIEWS = ['traces', 'trace', 'map', 'flame', 'metrics', 'queries', 'insights', 'compare', 'breakpoints', 'chaos', 'stats', 'audit', 'errors', 'logs'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface Route {
  view: ViewName;
  /** Path segment after the view, e.g. the trace id of `#/trace/<id>` (decoded) */
  id?: string;
  params: URLSearchParams;
}

/** Parses `location.hash`; anything unknown falls back to the traces list. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  const [head = '', ...rest] = path.split('/').filter((s) => s !== '');
  const view = (VIEWS as readonly string[]).includes(head) ? (head as ViewName) : 'traces';
  if (view === 'trace') {
    const id = rest[0] ? safeDecode(rest[0]) : '';
    if (!id) return { view: 'traces', params: new URLSearchParams() };
    return { view, id, params };
  }
  return rest[0] ? { view, id: safeDecode(rest[0]), params } : { view, params };
}

/** The inverse of `parseHash`, with empty parameters left out so links stay short. */
export function formatHash(route: { view: ViewName; id?: string; params?: URLSearchParams | Record<string, string | undefined> }): string {
  let out = `#/${route.view}`;
  if (route.id) out += `/${encodeURIComponent(route.id)}`;
  const params = new URLSearchParams();
  const src = route.params;
  if (src instanceof URLSearchParams) {
    for (const [k, v] of src) if (v !== '') params.append(k, v);
  } else if (src) {
    for (const [k, v] of Object.entries(src)) if (v !== undefined && v !== '') params.append(k, v);
  }
  const qs = params.toString();
  return qs ? `${out}?${qs}` : out;
}

/** A copy of `params` with `key` set (or removed when `value` is undefined or empty). */
export function withParam(params: URLSearchParams, key: string, value: string | undefined): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === undefined || value === '') next.delete(key);
  else next.set(key, value);
  return next;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A comparison's link; each cohort is trace ids (array) or a trace query (`route=/x&status=error`). */
export function compareLink(a: string | ReadonlyArray<string>, b: string | ReadonlyArray<string>): string {
  const c = (v: string | ReadonlyArray<string>) => (typeof v === 'string' ? v : v.join(','));
  return formatHash({ view: 'compare', params: { a: c(a), b: c(b) } });
}
