import { describe, expect, it } from 'vitest';
import { HttpError } from '../api.js';
import { setPinned } from './pin.js';

const ID = 'a'.repeat(32);

function fakeFetch(status: number, body: unknown, calls: Array<[string, RequestInit | undefined]> = []) {
  return async (input: string, init?: RequestInit) => {
    calls.push([input, init]);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, statusText: status === 409 ? 'Conflict' : 'OK' });
  };
}

describe('setPinned', () => {
  it('POSTs to pin and DELETEs to unpin, same-origin', async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    expect(await setPinned(ID, true, fakeFetch(200, { traceId: ID, pinned: true }, calls))).toBe(true);
    expect(await setPinned(ID, false, fakeFetch(200, { traceId: ID, pinned: false }, calls))).toBe(false);
    expect(calls.map(([url, init]) => [url, init?.method, init?.credentials])).toEqual([
      [`api/traces/${ID}/pin`, 'POST', 'same-origin'],
      [`api/traces/${ID}/pin`, 'DELETE', 'same-origin'],
    ]);
  });
  it('rejects with the server message on 409 (too many pinned)', async () => {
    const err = await setPinned(ID, true, fakeFetch(409, { error: '100 traces are pinned already' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(409);
    expect((err as HttpError).message).toBe('100 traces are pinned already');
  });
  it('falls back to the status line when the error body is not JSON', async () => {
    const err = (await setPinned(ID, true, fakeFetch(409, '<html>')).catch((e: unknown) => e)) as HttpError;
    expect(err.message).toBe('409 Conflict');
  });
  it('encodes the id into the path', async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    await setPinned('x/y', true, fakeFetch(200, {}, calls)).catch(() => undefined);
    expect(calls[0]![0]).toBe('api/traces/x%2Fy/pin');
  });
});
