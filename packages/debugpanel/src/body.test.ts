/**
 * No panel request may hang on its body: a body parser mounted before the panel already read the
 * stream (its result is used), a body that stalls gets 408, an oversized one a 413 that reaches
 * the client (not a reset connection).
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { encodeOtlpProtobuf } from '@debugpanel/tracing/otlp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBodyBytes, sendError, sendJson } from './http.js';
import { debugPanel, type DebugPanelMiddleware } from './index.js';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const servers: Server[] = [];
const dataDir = mkdtempSync(path.join(tmpdir(), 'dp-body-'));

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Sends the head and `parts` of a request by hand; resolves with the answer (status and body), or the socket error. */
function rawPost(base: string, headers: Record<string, string | number>, parts: string[], end: boolean): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path: '/', method: 'POST', headers }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    for (const p of parts) req.write(p);
    if (end) req.end();
  });
}

describe('readBodyBytes', () => {
  let base: string;
  beforeAll(async () => {
    base = await listen(
      createServer((req, res) => {
        readBodyBytes(req, 2048, 100).then(
          (b) => sendJson(res, 200, { bytes: b.length }),
          (err: { status?: number; message: string }) => sendError(res, err.status ?? 500, err.message),
        );
      }),
    );
  });

  it('reads a body within its limit', async () => {
    expect(await rawPost(base, { 'content-length': 5 }, ['hello'], true)).toEqual({ status: 200, body: '{"bytes":5}' });
  });

  it('answers 408 to a body that stops arriving, instead of waiting for ever', async () => {
    const r = await rawPost(base, { 'content-length': 100 }, ['only ten b'], false);
    expect(r.status).toBe(408);
    expect(JSON.parse(r.body!)).toEqual({ error: 'request body not received within 100 ms' });
  });

  it('answers 413 to a streamed body over the limit (the answer arrives, the connection is not reset)', async () => {
    const r = await rawPost(base, { 'transfer-encoding': 'chunked' }, ['x'.repeat(1500), 'y'.repeat(1500)], true);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body!)).toEqual({ error: 'request body over the limit of 2048 bytes' });
  });

  it('answers 413 by Content-Length before reading anything', async () => {
    const r = await rawPost(base, { 'content-length': 4096 }, ['z'.repeat(4096)], true);
    expect(r.status).toBe(413);
  });
});

describe('panel routes behind a body parser (express.json() etc. before debugPanel())', () => {
  let base: string;
  let mw: DebugPanelMiddleware;
  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.use(express.urlencoded({ extended: false }));
    app.use(express.raw({ type: 'application/x-protobuf' }));
    mw = debugPanel({ service: 'body-test', token: TOKEN, dataDir, hub: { maxBodyBytes: 64 * 1024 } });
    app.use(mw);
    base = await listen(createServer(app));
  });
  afterAll(() => mw.panel.close());

  const post = (p: string, body: string | Uint8Array, headers: Record<string, string>) =>
    // Before, these never answered: the signal turns a hang into a failure.
    fetch(base + '/_debug' + p, { method: 'POST', body, headers: { ...AUTH, ...headers }, redirect: 'manual', signal: AbortSignal.timeout(5000) });

  it('answers a breakpoint POST from the parsed JSON', async () => {
    const r = await post('/api/breakpoints', JSON.stringify({ file: 'no-such-file.txt', line: 1 }), { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/^file must be a source file/);
  });

  it('logs in from the parsed form', async () => {
    const r = await post('/login', new URLSearchParams({ token: TOKEN }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(303);
    expect(r.headers.get('set-cookie')).toMatch(/HttpOnly/);
  });

  const span = { traceId: '5b8efff798038103d269b633813fc6aa', spanId: 'eee19b7ec3c1b1aa', name: 'parsed first', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000' };
  const otlp = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'elsewhere' } }] }, scopeSpans: [{ spans: [span] }] }] };

  it.each([
    ['JSON', JSON.stringify(otlp), { 'content-type': 'application/json' }],
    ['gzipped JSON (inflated by the parser)', gzipSync(JSON.stringify(otlp)), { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
    ['protobuf (express.raw)', encodeOtlpProtobuf(otlp), { 'content-type': 'application/x-protobuf' }],
  ])('ingests OTLP %s', async (_name, body, headers) => {
    const accepted = async () => ((await (await fetch(`${base}/_debug/api/stats`, { headers: AUTH })).json()) as { hub: { acceptedSpans: number } }).hub.acceptedSpans;
    const before = await accepted();
    const r = await post('/v1/traces', body, headers as Record<string, string>);
    expect(r.status).toBe(200);
    expect(await accepted()).toBe(before + 1);
  });

  it('answers 413 for a parsed body over the route limit', async () => {
    const r = await post('/api/breakpoints', JSON.stringify({ file: 'x'.repeat(20_000), line: 1 }), { 'content-type': 'application/json' });
    expect(r.status).toBe(413);
  });
});
