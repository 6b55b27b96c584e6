/**
 * The trace list's address and filter form, as pure functions: the hash params split into the API
 * query and the list's own sort, the form's fields for a query and the query a submitted form asks
 * for. The form shows exactly the address's filter, so Apply without an edit changes nothing.
 */
import { parseTraceQuery, traceQueryToParams, type TraceQuery } from '@debugpanel/model';
import { DEFAULT_SORT, formatSort, parseSort, type TraceSort } from './trace-sort.js';

/** The filter form's fields, as typed. */
export interface FilterForm {
  text: string;
  name: string;
  /** The root's HTTP status: `5xx`, `4xx`, `404`, comma-separated */
  httpStatus: string;
  minDuration: string;
  maxDuration: string;
  /** `key=value key2=value2` */
  attr: string;
  reason: string;
}

/** The form's fields showing `q`. */
export function queryToForm(q: TraceQuery): FilterForm {
  return {
    text: q.text ?? '',
    name: q.name ?? '',
    httpStatus: q.httpStatus ?? '',
    minDuration: q.minDuration?.toString() ?? '',
    maxDuration: q.maxDuration?.toString() ?? '',
    attr: Object.entries(q.attributes ?? {}).map(([k, v]) => `${k}=${v}`).join(' '),
    reason: q.reason ?? '',
  };
}

/**
 * The query a submitted form asks for: trimmed fields, empty ones left out, numbers that are not
 * numbers left out. The shared context of `current` (service, route, status and the window
 * `since`/`until`) stays: the form has no fields for it, the shell's filter bar (views/ContextBar.tsx)
 * edits it.
 */
export function formToQuery(form: FilterForm, current: TraceQuery): TraceQuery {
  const s = (v: string) => (v.trim() === '' ? undefined : v.trim());
  const n = (v: string) => {
    const t = s(v);
    return t === undefined || !Number.isFinite(Number(t)) ? undefined : Number(t);
  };
  const attributes: Record<string, string> = {};
  for (const tok of form.attr.split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) attributes[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  const q: TraceQuery = {
    service: current.service,
    route: current.route,
    name: s(form.name),
    status: current.status,
    httpStatus: s(form.httpStatus),
    minDuration: n(form.minDuration),
    maxDuration: n(form.maxDuration),
    attributes: Object.keys(attributes).length ? attributes : undefined,
    text: s(form.text),
    reason: s(form.reason),
    since: current.since,
    until: current.until,
  };
  for (const k of Object.keys(q) as Array<keyof TraceQuery>) if (q[k] === undefined) delete q[k];
  return q;
}

/** The list's own params in the hash (the rest is the API's `TraceQuery`). */
const VIEW_PARAMS = ['sort', 'dir'];

/** The trace list's hash params: the API query (or why it is bad) and the sort of the rows. */
export function readListParams(params: URLSearchParams): { parsed: { query: TraceQuery } | { error: string }; sort: TraceSort } {
  const api = new URLSearchParams(params);
  for (const k of VIEW_PARAMS) api.delete(k);
  return { parsed: parseTraceQuery(api), sort: parseSort(params.get('sort'), params.get('dir')) };
}

/** The inverse of `readListParams` (no cursor: a link opens the newest page). */
export function listParams(query: TraceQuery, sort: TraceSort = DEFAULT_SORT): URLSearchParams {
  const out = traceQueryToParams({ ...query, cursor: undefined });
  for (const [k, v] of Object.entries(formatSort(sort))) out.set(k, v);
  return out;
}
