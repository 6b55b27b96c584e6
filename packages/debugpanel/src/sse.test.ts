import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseHub } from './sse.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

async function serve(hub: SseHub): Promise<number> {
  server = createServer((_req, res) => hub.attach(res, { hi: 1 }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function connect(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request({ port, host: '127.0.0.1' }, resolve).on('error', reject).end());
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SseHub', () => {
  it('sends hello, then published events, to a connected client', async () => {
    const hub = new SseHub();
    const res = await connect(await serve(hub));
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    let text = '';
    res.setEncoding('utf8').on('data', (c: string) => (text += c));
    await until(() => hub.size === 1);
    hub.publish('trace', { traceId: 'abc' });
    await until(() => text.includes('event: trace'));
    expect(text).toContain('event: hello\ndata: {"hi":1}\n\n');
    expect(text).toContain('event: trace\ndata: {"traceId":"abc"}\n\n');
    res.destroy();
    await until(() => hub.size === 0);
  });

  it('publishEach sends several events in one write per client, and counts each', async () => {
    const hub = new SseHub();
    const res = await connect(await serve(hub));
    let text = '';
    res.setEncoding('utf8').on('data', (c: string) => (text += c));
    await until(() => hub.size === 1);
    const sent = hub.stats().sent; // the hello counts too
    hub.publishEach('trace', [{ traceId: 'a' }, { traceId: 'b' }] as never);
    hub.publishEach('trace', []);
    await until(() => text.includes('"b"'));
    expect(text).toContain('event: trace\ndata: {"traceId":"a"}\n\nevent: trace\ndata: {"traceId":"b"}\n\n');
    expect(hub.stats().sent).toBe(sent + 2);
    res.destroy();
    await until(() => hub.size === 0);
  });

  it('sends heartbeats', async () => {
    const hub = new SseHub({ heartbeatMs: 20 });
    const res = await connect(await serve(hub));
    let text = '';
    res.setEncoding('utf8').on('data', (c: string) => (text += c));
    await until(() => text.includes(': heartbeat'));
    res.destroy();
  });

  it('drops and counts a client that does not read, instead of buffering', async () => {
    const hub = new SseHub({ maxBufferedBytes: 64 * 1024 });
    const res = await connect(await serve(hub));
    res.pause(); // a stalled tab: the socket fills up, then the response buffer grows
    await until(() => hub.size === 1);
    const big = { pad: 'x'.repeat(16 * 1024) };
    for (let i = 0; i < 2000 && hub.size > 0; i++) {
      hub.publish('trace', big);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(hub.size).toBe(0);
    expect(hub.stats().dropped).toBe(1);
    res.destroy();
  });

  it('refuses clients over maxClients with 503', async () => {
    const hub = new SseHub({ maxClients: 1 });
    const port = await serve(hub);
    const first = await connect(port);
    const second = await connect(port);
    expect(second.statusCode).toBe(503);
    expect(hub.stats()).toMatchObject({ clients: 1, refused: 1 });
    first.destroy();
    second.destroy();
  });

  it('publishing without clients does nothing', () => {
    const hub = new SseHub();
    hub.publish('trace', { a: 1 });
    expect(hub.stats().sent).toBe(0);
  });
});
