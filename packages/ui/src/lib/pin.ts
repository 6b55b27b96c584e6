/**
 * Pinning a trace keeps it out of the store's eviction (`POST api/traces/:id/pin`, `DELETE` to
 * let it go). Mutating routes are same-origin only on the server, which a relative fetch is.
 */
import { HttpError } from '../api.js';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Pins or unpins `traceId`; resolves to the state the server confirms. A refusal (400 malformed
 * id, 404 evicted, 409 too many pinned) rejects with an HttpError carrying the server's message.
 */
export async function setPinned(traceId: string, pinned: boolean, fetchImpl: Fetch = (i, init) => fetch(i, init)): Promise<boolean> {
  const res = await fetchImpl(`api/traces/${encodeURIComponent(traceId)}/pin`, {
    method: pinned ? 'POST' : 'DELETE',
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  let body: { pinned?: unknown; error?: unknown } | undefined;
  try {
    body = (await res.json()) as typeof body;
  } catch {
    body = undefined; // not JSON (a proxy's error page): the status line says enough
  }
  if (!res.ok) {
    const message = typeof body?.error === 'string' ? body.error : `${res.status} ${res.statusText}`;
    throw new HttpError(res.status, message);
  }
  return typeof body?.pinned === 'boolean' ? body.pinned : pinned;
}
