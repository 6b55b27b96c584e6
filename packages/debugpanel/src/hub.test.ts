/**
 * Hub mode: OTLP/HTTP ingest from code nobody here wrote, a trace across three
 * processes assembled in the hub through `sendTo`, and a barrage of malformed bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { REDACTED, type SpanRecord, type TraceResponse } from '@debugpanel/model';
import { decodeOtlpResponse, encodeOtlpProtobuf } from '@debugpanel/tracing/otlp';
import { debugPanel } from './index.js';

const fixtures = fileURLToPath(new URL('../test-fixtures/', import.meta.url));
const run = promisify(execFile);

async function startHub(hub: Parameters<typeof debugPanel>[0] = { hub: { maxBodyBytes: 64 * 1024 } }) {
  const app = express();
  // These tests are about ingest from loopback senders, so the explicit token-less opt-in.
  const panel = debugPanel({ service: 'hub', auth: 'loopback', dataDir: false, ...hub });
  app.use(panel);
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_debug`;
  return { base, panel, close: async () => { await panel.panel.close(); server.close(); } };
}

async function trace(base: string, id: string): Promise<SpanRecord[]> {
  const r = await fetch(`${base}/api/traces/${id}`);
  return r.ok ? ((await r.json()) as TraceResponse).spans : [];
}

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('hub: OTLP from the official OpenTelemetry JS SDK', () => {
  let hub: Awaited<ReturnType<typeof startHub>>;
  beforeAll(async () => { hub = await startHub(); });
  afterAll(() => hub.close());

  it.each(['protobuf', 'json'])('receives a trace over OTLP/%s with ids, parentage, kinds, attributes, events and status intact', async (protocol) => {
    const { stdout } = await run(process.execPath, [`${fixtures}otel-sdk-sender.mjs`, `${hub.base}/v1/traces`, protocol]);
    const ids = JSON.parse(stdout.trim().split('\n').pop()!) as { traceId: string; rootId: string; childId: string };
    const spans = await waitFor(async () => {
      const s = await trace(hub.base, ids.traceId);
      return s.length === 2 ? s : undefined;
    });
    const root = spans.find((s) => s.spanId === ids.rootId)!;
    const child = spans.find((s) => s.spanId === ids.childId)!;
    expect(root).toMatchObject({
      name: 'POST /checkout', kind: 'server', service: `sdk-${protocol}`, status: { code: 'error' },
      attributes: { 'http.route': '/checkout', 'http.response.status_code': 502, items: 3, 'otel.scope.name': 'interop-fixture' },
      resource: { 'service.instance.id': 'sdk-1' },
    });
    expect(root.parentSpanId).toBeUndefined();
    expect(child).toMatchObject({
      name: 'charge card', kind: 'client', parentSpanId: ids.rootId, status: { code: 'error', message: 'card declined' },
      attributes: { 'peer.service': 'payments', amounts: [1.5, 2.5] },
      events: [{ name: 'retry', attributes: { attempt: 1 } }],
    });
    expect(child.duration).toBeGreaterThanOrEqual(0);
    const services = (await (await fetch(`${hub.base}/api/services`)).json()) as { services: string[] };
    expect(services.services).toContain(`sdk-${protocol}`);
  });
});

describe('hub: secrets in OTLP from other services are redacted before they are stored', () => {
  const TOKEN = 'test-token-0123456789abcdef';
  const SECRET = 'hunter2-s3cret';
  const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsImV4cCI6MX0.c2lnc2lnc2lnc2lnc2ln';
  let hub: Awaited<ReturnType<typeof startHub>>;
  beforeAll(async () => { hub = await startHub({ hub: true, token: TOKEN, redact: ['ssn'] }); });
  afterAll(() => hub.close());
  const get = (path: string) => fetch(`${hub.base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  it.each(['protobuf', 'json'])('over OTLP/%s: attributes, header attributes, url.query, events, links, status and resource', async (protocol) => {
    const { stdout } = await run(process.execPath, [`${fixtures}otel-sdk-secrets.mjs`, `${hub.base}/v1/traces`, protocol, TOKEN, SECRET, JWT]);
    const ids = JSON.parse(stdout.trim().split('\n').pop()!) as { traceId: string; spanId: string };
    const span = await waitFor(async () => {
      const r = await get(`/api/traces/${ids.traceId}`);
      return r.ok ? ((await r.json()) as TraceResponse).spans.find((s) => s.spanId === ids.spanId) : undefined;
    });
    expect(JSON.stringify(span)).not.toContain(SECRET);
    expect(JSON.stringify(span)).not.toContain(JWT);
    expect(span.attributes).toMatchObject({
      password: REDACTED,
      'url.query': `api_key=${REDACTED}&page=2`,
      'url.full': `https://bob:${REDACTED}@api.example/login`,
      'http.request.header.authorization': REDACTED,
      'http.request.header.cookie': REDACTED,
      'app.note': REDACTED,
      'app.forwarded': `Bearer ${REDACTED}`,
      // no false positives
      'user.id': 'u42',
      'http.route': '/login',
      'db.query.text': 'SELECT id FROM users WHERE password_hash = ?',
    });
    expect(span.events[0]!.attributes).toEqual({ token: REDACTED, 'exception.message': `connect to postgres://app:${REDACTED}@db/shop failed` });
    expect(span.links![0]!.attributes).toEqual({ 'session.id': REDACTED, reason: 'retry' });
    expect(span.status).toEqual({ code: 'error', message: `refused Bearer ${REDACTED}` });
    expect(span.resource).toMatchObject({ 'db.password': REDACTED, 'host.name': 'box' });
    // what the trace list and the live stream summarise comes from the same stored spans
    const list = await (await get(`/api/traces?service=secrets-${protocol}`)).text();
    expect(list).not.toContain(SECRET);
    const stats = (await (await get('/api/stats')).json()) as { redaction: { redacted: number } };
    expect(stats.redaction.redacted).toBeGreaterThan(0);
  });
});

describe('hub: a trace across three processes', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill()));

  function start(env: Record<string, string>): Promise<string> {
    const child = fork(`${fixtures}hop-service.mjs`, [], { env: { ...process.env, ...env }, stdio: 'ignore' });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(`http://127.0.0.1:${(m as { port: number }).port}`));
      child.once('exit', (code) => reject(new Error(`${env.SERVICE} exited with ${code}`)));
    });
  }

  it('is whole in the hub, parent links intact, while each service keeps its own panel', async () => {
    const gateway = await start({ SERVICE: 'gateway', HUB: '1' });
    const inventory = await start({ SERVICE: 'inventory', SEND_TO: `${gateway}/_debug`, CALL: 'http' });
    const orders = await start({ SERVICE: 'orders', SEND_TO: `${gateway}/_debug`, NEXT_URL: inventory });
    // The gateway calls orders, which calls inventory.
    const gateway2 = await start({ SERVICE: 'edge', NEXT_URL: orders, SEND_TO: `${gateway}/_debug` });
    const r = (await (await fetch(`${gateway2}/hop`)).json()) as { path: string[] };
    expect(r.path).toEqual(['edge', 'orders', 'inventory']);

    const list = await waitFor(async () => {
      const t = (await (await fetch(`${gateway}/_debug/api/traces?service=inventory`)).json()) as { traces: { traceId: string; services: string[] }[] };
      const whole = t.traces.find((x) => ['edge', 'orders', 'inventory'].every((s) => x.services.includes(s)));
      return whole;
    }, 15_000);
    const spans = await waitFor(async () => {
      const s = await trace(`${gateway}/_debug`, list.traceId);
      return s.length >= 5 ? s : undefined; // edge server+client, orders server+client, inventory server
    }, 15_000);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const servers = spans.filter((s) => s.kind === 'server');
    expect(servers.map((s) => s.service).sort()).toEqual(['edge', 'inventory', 'orders']);
    for (const s of servers.filter((x) => x.service !== 'edge')) {
      const parent = byId.get(s.parentSpanId!)!;
      expect(parent.kind).toBe('client'); // every hop: client span in the caller -> server span in the callee
      expect(parent.service).not.toBe(s.service);
    }
    // Each service still has its own panel with its own part of the trace.
    const own = await trace(`${orders}/_debug`, list.traceId);
    expect(own.every((s) => s.service === 'orders')).toBe(true);
    const stats = (await (await fetch(`${orders}/_debug/api/stats`)).json()) as { sendTo: { sent: number; dropped: number } };
    expect(stats.sendTo.dropped).toBe(0);
  }, 40_000);
});

describe('hub: bad input', () => {
  let hub: Awaited<ReturnType<typeof startHub>>;
  beforeAll(async () => { hub = await startHub(); });
  afterAll(() => hub.close());
  const url = () => `${hub.base}/v1/traces`;
  const post = (body: Uint8Array | string, headers: Record<string, string>) =>
    fetch(url(), { method: 'POST', body, headers });

  const span = (over: Record<string, unknown> = {}) => ({
    traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x', kind: 1,
    startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000', ...over,
  });
  const request = (spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });

  it('answers 415 for other content types and encodings, 413 over the limit, 200 + partialSuccess for bad spans', async () => {
    expect((await post('{}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('{}', { 'content-type': 'application/json', 'content-encoding': 'br' })).status).toBe(415);
    const justOver = JSON.stringify(request([span({ name: 'x'.repeat(64 * 1024) })]));
    const big = await post(justOver, { 'content-type': 'application/json' });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { message: string }).message).toMatch(/limit of 65536 bytes/);
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024)); // 50 MiB of zeros in ~50 KB
    const b = await post(bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(b.status).toBe(413);
    expect(((await b.json()) as { message: string }).message).toMatch(/inflates past/);

    const mixed = encodeOtlpProtobuf(request([span(), span({ spanId: 'eee19b7ec3c1b175', traceId: '00'.repeat(16) })]));
    const r = await post(mixed, { 'content-type': 'application/x-protobuf' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-protobuf');
    const answer = decodeOtlpResponse(new Uint8Array(await r.arrayBuffer()));
    expect(Number(answer.partialSuccess?.rejectedSpans)).toBe(1);
    expect(answer.partialSuccess?.errorMessage).toMatch(/invalid traceId/);
    const j = await post(gzipSync(JSON.stringify(request([span({ spanId: 'bad' })]))), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(await j.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringMatching(/invalid spanId/) } });
  });

  it('gives each of 1,000 malformed bodies a 4xx with a message, and stays up with bounded memory', async () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const valid = encodeOtlpProtobuf(request([span(), span({ spanId: 'eee19b7ec3c1b175', parentSpanId: 'eee19b7ec3c1b174' })]));
    let deep = '{"stringValue":"x"}';
    for (let i = 0; i < 5000; i++) deep = `{"arrayValue":{"values":[${deep}]}}`;
    const bodies: [Uint8Array | string, string][] = [];
    for (let i = 0; i < 1000; i++) {
      switch (i % 8) {
        case 0: bodies.push([Uint8Array.from({ length: 1 + Math.floor(rand() * 512) }, () => Math.floor(rand() * 256)), 'application/x-protobuf']); break;
        case 1: bodies.push([valid.subarray(0, 1 + Math.floor(rand() * (valid.length - 2))), 'application/x-protobuf']); break;
        case 2: bodies.push([JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: 'nope' }] }] }), 'application/json']); break;
        case 3: bodies.push([JSON.stringify({ resourceSpans: rand() > 0.5 ? 42 : 'x' }), 'application/json']); break;
        case 4: bodies.push([`{"resourceSpans":[{"resource":{"attributes":[{"key":"a","value":${deep}}]}}]`.slice(0, 60_000), 'application/json']); break;
        case 5: bodies.push([Buffer.from(JSON.stringify(request([span()]))).subarray(0, 10 + Math.floor(rand() * 50)).toString(), 'application/json']); break;
        case 6: bodies.push([JSON.stringify({ resourceSpans: [{ resource: { attributes: 'x'.repeat(60_000) } }] }), 'application/json']); break;
        default: bodies.push([gzipSync(Buffer.from('not protobuf at all ' + i)), 'application/x-protobuf']);
      }
    }
    const heapBefore = process.memoryUsage().heapUsed;
    let fourxx = 0;
    for (let i = 0; i < bodies.length; i += 20) {
      const batch = bodies.slice(i, i + 20).map(async ([body, ct], k) => {
        const gz = (i + k) % 8 === 7;
        const r = await post(body, { 'content-type': ct, ...(gz ? { 'content-encoding': 'gzip' } : {}) });
        const text = await r.text();
        if (r.status === 429) return; // the hub protecting itself is fine, and also a 4xx with a message
        expect(r.status, `body ${i + k}: ${text}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(JSON.parse(text).message).toBeTruthy();
        fourxx++;
      });
      await Promise.all(batch);
    }
    expect(fourxx).toBeGreaterThan(900);
    // still up and answering
    const ok = await post(valid, { 'content-type': 'application/x-protobuf' });
    expect(ok.status).toBe(200);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
    const stats = (await (await fetch(`${hub.base}/api/stats`)).json()) as { hub: { badRequests: number } };
    expect(stats.hub.badRequests).toBeGreaterThanOrEqual(fourxx);
  }, 60_000);

  it('answers 429 with Retry-After when saturated', async () => {
    const small = await startHub({ hub: { maxSpansPerSecond: 1 } });
    try {
      const body = encodeOtlpProtobuf(request([span()]));
      expect((await fetch(`${small.base}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } })).status).toBe(200);
      const r = await fetch(`${small.base}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('1');
    } finally {
      await small.close();
    }
  });

  it('is absent unless hub mode is on', async () => {
    const plain = await startHub({});
    try {
      const r = await fetch(`${plain.base}/v1/traces`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
