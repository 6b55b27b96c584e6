/** Acceptance test of the one-line set-up: the app works as before, and the panel sees it. */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SpanRecord, TraceResponse, TracesResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The panel's token, as DEBUGPANEL_TOKEN sets it for the unchanged one-line set-up (without it the
// panel would generate one in .debugpanel/ and print a login URL).
const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };
let server: Server;
let base: string;

beforeAll(async () => {
  process.env.DEBUGPANEL_TOKEN = TOKEN;
  const { app } = await import('../src/app.js');
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  delete process.env.DEBUGPANEL_TOKEN;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** The first trace whose spans satisfy `pick`, polling while spans end after the responses. */
async function findTrace(pick: (spans: SpanRecord[]) => boolean): Promise<SpanRecord[]> {
  const end = Date.now() + 5000;
  for (;;) {
    const list = (await (await fetch(`${base}/_debug/api/traces?limit=100`, AUTH)).json()) as TracesResponse;
    for (const t of list.traces) {
      const { spans } = (await (await fetch(`${base}/_debug/api/traces/${t.traceId}`, AUTH)).json()) as TraceResponse;
      if (pick(spans)) return spans;
    }
    if (Date.now() > end) throw new Error('trace not found');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('examples/express-basic', () => {
  it('serves its routes unchanged', async () => {
    expect(await (await fetch(`${base}/hello`)).json()).toEqual({ hello: 'world' });
    expect(await (await fetch(`${base}/users/7`)).json()).toEqual({ id: '7', name: 'user 7' });
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ error: 'boom: something broke' });
  });

  it('shows a request with its own span in the panel', async () => {
    await fetch(`${base}/users/8`);
    const spans = await findTrace((s) => s.some((x) => x.attributes['url.path'] === '/users/8') && s.length >= 2);
    const server = spans.find((s) => s.kind === 'server')!;
    expect(server.name).toBe('GET /users/:id');
    expect(spans.find((s) => s.name === 'load user')?.parentSpanId).toBe(server.spanId);
  });

  it('records the thrown error on the request span', async () => {
    const spans = await findTrace((s) => s.some((x) => x.name === 'GET /boom'));
    const server = spans.find((s) => s.name === 'GET /boom')!;
    expect(server.status.code).toBe('error');
    expect(server.events.find((e) => e.name === 'exception')?.attributes['exception.message']).toBe('boom: something broke');
  });

  it('joins the outgoing call and the request it makes into one trace', async () => {
    expect(await (await fetch(`${base}/chain`)).json()).toEqual({ upstream: { hello: 'world' } });
    const spans = await findTrace((s) => s.some((x) => x.name === 'GET /chain') && s.some((x) => x.name === 'GET /hello'));
    const chain = spans.find((s) => s.name === 'GET /chain')!;
    const client = spans.find((s) => s.kind === 'client')!;
    const hello = spans.find((s) => s.name === 'GET /hello')!;
    expect(client.parentSpanId).toBe(chain.spanId);
    expect(hello.parentSpanId).toBe(client.spanId);
  });

  it('asks for the token: no token-less access, even from loopback', async () => {
    expect((await fetch(`${base}/_debug/api/traces`)).status).toBe(401);
  });

  it('serves the panel page', async () => {
    const r = await fetch(`${base}/_debug/`, AUTH);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
