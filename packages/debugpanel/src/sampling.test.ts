/**
 * Sampling in the panel: tail policies decide whole traces and say why, golden signals still
 * count every request, the panel records spans whose upstream said "not sampled" while passing
 * that flag on, and traces can be pinned.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AddressInfo } from 'node:net';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import express from 'express';
import type { TraceSummary, TracesResponse } from '@debugpanel/model';
import { debugPanel } from './index.js';

async function serve(options: Parameters<typeof debugPanel>[0]) {
  const app = express();
  const panel = debugPanel({ service: 'sampling-test', auth: 'loopback', dataDir: false, ...options });
  app.use(panel);
  const seen: string[] = [];
  app.get('/fast', (_req, res) => res.json({ ok: true }));
  app.get('/slow', async (_req, res) => {
    await new Promise((r) => setTimeout(r, 400));
    res.json({ ok: true });
  });
  app.get('/boom', (_req, res) => res.status(500).json({ error: 'boom' }));
  app.get('/echo', (req, res) => {
    seen.push(String(req.headers.traceparent));
    res.json({ ok: true });
  });
  app.get('/call', async (req, res) => {
    const r = await fetch(`http://127.0.0.1:${req.socket.localPort}/echo`);
    res.json(await r.json());
  });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, seen, panel, close: async () => { await panel.panel.close(); server.close(); } };
}

async function traces(base: string, qs = ''): Promise<TraceSummary[]> {
  return ((await (await fetch(`${base}/_debug/api/traces?limit=1000&${qs}`)).json()) as TracesResponse).traces;
}

describe('tail sampling in the panel', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    // The clock and the panel's timers (the sampler's tick, the metrics period) are faked: one
    // second of timer ticks decides every trace (grace is 20 ms) and closes the metrics period,
    // without waiting. Span durations are real: /slow waits 400 ms.
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    s = await serve({ sampling: { tail: { error: true, latency: { thresholdMs: 250 }, probabilistic: 0 }, graceMs: 20 } });
    for (let i = 0; i < 10; i++) await fetch(`${s.base}/fast`);
    for (let i = 0; i < 3; i++) await fetch(`${s.base}/slow`);
    for (let i = 0; i < 2; i++) await fetch(`${s.base}/boom`);
    vi.advanceTimersByTime(1000);
  });
  afterAll(async () => {
    await s.close();
    vi.useRealTimers();
  });

  it('keeps every error and slow trace, drops the rest, and records why', async () => {
    const kept = await traces(s.base);
    expect(kept.filter((t) => t.route === '/fast')).toHaveLength(0);
    expect(kept.filter((t) => t.route === '/slow').map((t) => t.reason)).toEqual(['slow', 'slow', 'slow']);
    expect(kept.filter((t) => t.route === '/boom').map((t) => t.reason)).toEqual(['error', 'error']);
    expect((await traces(s.base, 'reason=error')).every((t) => t.route === '/boom')).toBe(true);
  });

  it('reports policies and counters', async () => {
    const r = (await (await fetch(`${s.base}/_debug/api/sampling`)).json()) as {
      head: string; tail: Record<string, unknown>; stats: { kept: Record<string, number>; dropped: Record<string, number>; seenTraces: number };
    };
    expect(r.head).toMatch(/RecordAll/);
    expect(r.stats.kept).toMatchObject({ slow: 3, error: 2 });
    expect(r.stats.dropped.unsampled).toBe(10);
    expect(r.stats.seenTraces).toBe(15);
  });

  it('still counts every request in the golden signals', async () => {
    const t = (await (await fetch(`${s.base}/_debug/api/metrics/table?window=60`)).json()) as { rows: { labels: { route: string }; count: number }[] };
    expect(t.rows.find((r) => r.labels.route === '/fast')?.count).toBe(10);
  });
});

describe('head sampling in the panel', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    s = await serve({});
  });
  afterAll(() => s.close());

  it('records a request whose upstream said "not sampled", and passes flags 00 on', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await fetch(`${s.base}/call`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-00` } });
    expect(s.seen.at(-1)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    const t = await (await fetch(`${s.base}/_debug/api/traces/${traceId}`)).json() as { spans: unknown[] };
    expect(t.spans.length).toBe(3); // server /call, client GET, server /echo
  });

  it('samples by ratio for new traces: head 0 marks them not sampled downstream, both panels still record them', async () => {
    // The head sampler belongs to the process's one tracer provider, so this runs in child processes.
    const leaf = await startHop({ SERVICE: 'leaf' });
    const front = await startHop({ SERVICE: 'front', HEAD: '0', NEXT_URL: leaf.url });
    const r = (await (await fetch(`${front.url}/hop`)).json()) as { leafTraceparent: string };
    // Not sampled (01 clear); the trace id the front made is random (02, Trace Context level 2).
    expect(r.leafTraceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-02$/);
    const traceId = r.leafTraceparent.split('-')[1]!;
    for (const svc of [front, leaf]) {
      const t = (await (await fetch(`${svc.url}/_debug/api/traces/${traceId}`)).json()) as { spans: unknown[] };
      expect(t.spans.length).toBeGreaterThan(0);
    }
  }, 20_000);
});

const hops: ChildProcess[] = [];
afterAll(() => hops.forEach((c) => c.kill()));
function startHop(env: Record<string, string>): Promise<{ url: string }> {
  const child = fork(fileURLToPath(new URL('../test-fixtures/hop-service.mjs', import.meta.url)), [], { env: { ...process.env, ...env }, stdio: 'ignore' });
  hops.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ url: `http://127.0.0.1:${(m as { port: number }).port}` }));
    child.once('exit', (code) => reject(new Error(`hop service exited with ${code}`)));
  });
}

describe('pinning', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    s = await serve({ store: { maxPinned: 1 } });
    await fetch(`${s.base}/fast`);
    await fetch(`${s.base}/fast`);
  });
  afterAll(() => s.close());

  it('pins and unpins, with 400/404/409 and a same-origin check', async () => {
    const [a, b] = await traces(s.base);
    const pin = (id: string, method = 'POST', headers: Record<string, string> = {}) =>
      fetch(`${s.base}/_debug/api/traces/${id}/pin`, { method, headers });
    expect((await pin(a!.traceId)).status).toBe(200);
    expect((await traces(s.base)).find((t) => t.traceId === a!.traceId)?.pinned).toBe(true);
    const full = await pin(b!.traceId);
    expect(full.status).toBe(409);
    expect(((await full.json()) as { error: string }).error).toMatch(/unpin one first/);
    expect((await pin(a!.traceId, 'DELETE')).status).toBe(200);
    expect((await traces(s.base)).find((t) => t.traceId === a!.traceId)?.pinned).toBeFalsy();
    expect((await pin('XYZ')).status).toBe(400);
    expect((await pin('1'.repeat(32))).status).toBe(404);
    expect((await pin(b!.traceId, 'POST', { origin: 'http://evil.example' })).status).toBe(403);
  });
});
