/**
 * Pinning a trace keeps it out of the store's eviction (`POST api/traces/:id/pin`, `DELETE` to
 * let it go). Mutating routes are same-origin only on the server, which a relative fetch is.
 */
import type { PinResponse } from '@debugpanel/model';
import { send } from '../api.js';

/**
 * Pins or unpins `traceId`; resolves to the state the server confirms. A refusal (400 malformed
 * id, 404 evicted, 409 too many pinned) rejects with an HttpError carrying the server's message.
 */
export async function setPinned(traceId: string, pinned: boolean, fetchImpl?: Parameters<typeof send>[3]): Promise<boolean> {
  const body = await send<PinResponse>(pinned ? 'POST' : 'DELETE', `api/traces/${encodeURIComponent(traceId)}/pin`, undefined, fetchImpl);
  return typeof body?.pinned === 'boolean' ? body.pinned : pinned;
}
