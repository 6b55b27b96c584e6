import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogsResponse, StatsResponse, TraceResponse, TracesResponse } from '@debugpanel/model';
import { debugPanel, setUser, type DebugPanelMiddleware } from './index.js';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
let server: Server;
let base: string;
let panel: DebugPanelMiddleware;

const get = async <T>(p: string): Promise<T> => (await (await fetch(`${base}/_debug${p}`, { headers: AUTH })).json()) as T;
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

beforeAll(async () => {
  const app = express();
  panel = debugPanel({ service: 'ctx', token: TOKEN, context: { baggage: ['user.id', 'region'] } });
  app.use(panel);
  app.get('/me', (req, res) => {
    setUser(req, { id: 'u-42', email: 'ada@example.com', roles: ['admin'], apiToken: 'sk-live-123' });
    trace.getTracer('app').startActiveSpan('load profile', (span) => span.end());
    console.info('profile served');
    res.json({ ok: true });
  });
  app.get('/plain', (_req, res) => {
    console.info('plain request');
    res.json({ ok: true });
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await panel.panel.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function spansOf(route: string, attr: string) {
  for (let i = 0; i < 100; i++) {
    const { traces } = await get<TracesResponse>(`/api/traces?route=${route}&attr=${attr}`);
    if (traces.length > 0) return (await get<TraceResponse>(`/api/traces/${traces[0]!.traceId}`)).spans;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no trace of ${route} with ${attr}`);
}

describe('setUser', () => {
  it("puts user.id and the user's fields on the request's spans and logs; filters by them work; secrets are redacted", async () => {
    await (await fetch(`${base}/me`)).text();
    await settle();
    const spans = await spansOf('/me', 'user.id=u-42');
    const server = spans.find((s) => s.kind === 'server')!;
    expect(server.attributes).toMatchObject({ 'user.id': 'u-42', 'user.email': 'ada@example.com', 'user.roles': ['admin'], 'user.apiToken': '[REDACTED]' });
    expect(spans.find((s) => s.name === 'load profile')!.attributes['user.id']).toBe('u-42');
    const { logs } = await get<LogsResponse>('/api/logs?attr=user.id=u-42');
    expect(logs.map((r) => r.body)).toEqual(['profile served']);
    expect(logs[0]!.attributes['user.apiToken']).toBe('[REDACTED]');
  });

  it('refuses a user without an id and answers false outside a traced request', () => {
    expect(() => setUser({} as never, {} as never)).toThrow(/non-empty string or number id/);
    expect(setUser({} as never, { id: 7 })).toBe(false);
  });
});

describe('context.baggage', () => {
  it('copies the chosen baggage entries of the incoming request onto its spans and logs, not the others', async () => {
    await (await fetch(`${base}/plain`, { headers: { baggage: 'region=eu-west,user.id=u-7,other=x' } })).text();
    await settle();
    const spans = await spansOf('/plain', 'region=eu-west');
    const server = spans.find((s) => s.kind === 'server')!;
    expect(server.attributes).toMatchObject({ region: 'eu-west', 'user.id': 'u-7' });
    expect(server.attributes.other).toBeUndefined();
    const { logs } = await get<LogsResponse>('/api/logs?attr=region=eu-west');
    expect(logs.map((r) => r.body)).toEqual(['plain request']);
    const stats = await get<StatsResponse>('/api/stats');
    expect(stats.context).toMatchObject({ baggage: ['user.id', 'region'] });
    expect(stats.context!.traces).toBeGreaterThan(0);
  });

  it('checks the option', () => {
    expect(() => debugPanel({ token: TOKEN, context: { bagage: [] } as never })).toThrow(/did you mean "context.baggage"/);
    expect(() => debugPanel({ token: TOKEN, context: { baggage: 'user.id' as never } })).toThrow(/context.baggage must be an array/);
  });
});
