/**
 * The UI's only way to the server: relative URLs under the page's own path (`{path}/api/...`), so
 * the panel works wherever the app mounts it.
 */
import { traceQueryToParams, type ApiError, type TraceQuery } from '@debugpanel/model';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** A failed answer as an HttpError: the server's `{error}` text (`ApiError`), else the status line. */
async function failure(res: Response): Promise<HttpError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as Partial<ApiError>;
    if (typeof body.error === 'string' && body.error) message = body.error;
  } catch {
    /* not JSON (a proxy's error page): keep the status line */
  }
  return new HttpError(res.status, message);
}

/** GETs `api/...` as JSON; a 4xx/5xx becomes an HttpError carrying the server's `{error}` text. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/**
 * POSTs (with a JSON body) or DELETEs `api/...` from the panel's own origin, so the server's
 * same-origin check passes. Resolves with the JSON answer (undefined for 204); a 4xx carries the
 * server's reason ("condition may have side effects"), for the UI to show next to its form.
 */
export async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown, fetchImpl: Fetch = (i, init) => fetch(i, init)): Promise<T | undefined> {
  const res = await fetchImpl(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return res.status === 204 ? undefined : ((await res.json()) as T);
}

/**
 * `path?query` from a route's params (a `...Params` type of the model, checked with `satisfies`),
 * leaving out undefined and empty values so links stay short.
 *
 * @example
 * apiPath('api/flame', { route: '/orders/:id', limit: 50 } satisfies MergedFlameParams);
 * // 'api/flame?route=%2Forders%2F%3Aid&limit=50'
 */
export function apiPath(path: string, params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

export function tracesPath(query: TraceQuery): string {
  const qs = traceQueryToParams(query).toString();
  return qs ? `api/traces?${qs}` : 'api/traces';
}

export function tracePath(traceId: string): string {
  return `api/traces/${encodeURIComponent(traceId)}`;
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
