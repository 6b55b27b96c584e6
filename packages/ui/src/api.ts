/**
 * The UI's only way to the server: relative URLs under the page's own path (`{path}/api/...`), so
 * the panel works wherever the app mounts it.
 */
import { traceQueryToParams, type TraceQuery } from '@debugpanel/model';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GETs `api/...` as JSON; a 4xx/5xx becomes an HttpError carrying the server's `{error}` text. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: string };
      if (body.error) message = body.error;
    } catch {
      /* not JSON: keep the status line */
    }
    throw new HttpError(res.status, message);
  }
  return (await res.json()) as T;
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
