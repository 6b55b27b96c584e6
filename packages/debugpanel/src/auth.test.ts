/**
 * The panel's access rules end to end, on a real Express app: a generated token and its one-click
 * login URL, sessions that survive a restart, the same-host proxy case, the loopback opt-in, roles
 * and the audit log, throttled wrong tokens.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditResponse, SessionResponse, StatsResponse } from '@debugpanel/model';
import express from 'express';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { debugPanel, type DebugPanelMiddleware } from './index.js';
import { tokenId } from './tokens.js';

const TOKEN = 'test-token-0123456789abcdef';
const VIEWER = 'viewer-token-0123456789abcdef';
const dirs: string[] = [];
const running: Array<{ server: Server; mw: DebugPanelMiddleware }> = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'dp-auth-'));
  dirs.push(d);
  return d;
};

async function start(options: Parameters<typeof debugPanel>[0]): Promise<{ base: string; port: number; mw: DebugPanelMiddleware; stop(): Promise<void> }> {
  const app = express();
  const mw = debugPanel({ service: 'auth-test', ...options });
  app.use(mw);
  app.get('/x', (_req, res) => void res.send('x'));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const entry = { server, mw };
  running.push(entry);
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    mw,
    async stop() {
      running.splice(running.indexOf(entry), 1);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await mw.panel.close();
    },
  };
}

afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  for (const { server, mw } of running) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await mw.panel.close();
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A request with any Host header and headers (fetch will not send a foreign Host). */
function raw(base: string, p: string, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    request(`${base}${p}`, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode);
    })
      .on('error', reject)
      .end();
  });
}

describe('no token configured: one is generated, kept and announced', () => {
  it('keeps a generated token in {dataDir}/token (0600), prints the login URL, and the URL logs in without leaving the token in the address', async () => {
    const dataDir = path.join(tmp(), 'state');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    const a = await start({ dataDir });
    const token = readFileSync(path.join(dataDir, 'token'), 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(path.join(dataDir, 'token')).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const url = `http://127.0.0.1:${a.port}/_debug/login?token=${token}`;
    expect(lines).toContain(`debugpanel: open ${url}`);
    expect(lines.filter((l) => l.startsWith('debugpanel: open'))).toHaveLength(1);

    // Loopback without a token is no longer enough.
    expect((await fetch(`${a.base}/_debug/api/stats`)).status).toBe(401);
    const login = await fetch(url, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('./');
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(new RegExp(`^debugpanel_session_${a.port}=[A-Za-z0-9_-]{43}; Path=/_debug; HttpOnly; SameSite=Strict; Max-Age=43200$`));
    expect(setCookie).not.toContain(token);
    const cookie = setCookie.split(';')[0]!;
    const session = (await (await fetch(`${a.base}/_debug/api/session`, { headers: { cookie } })).json()) as SessionResponse;
    expect(session).toMatchObject({ role: 'debugger', tokenId: tokenId(token), via: 'cookie', expiresAt: expect.any(Number) });
    const stats = (await (await fetch(`${a.base}/_debug/api/stats`, { headers: { cookie } })).json()) as StatsResponse;
    expect(stats.auth).toMatchObject({ mode: 'token', tokenSource: 'generated', sessions: 1, sessionsCreated: 1 });
    await a.stop();

    // A restart keeps the token and the login (sessions are saved in dataDir).
    const b = await start({ dataDir });
    expect((await fetch(`${b.base}/_debug/api/stats`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const again = await fetch(`${b.base}/_debug/api/session`, { headers: { cookie: cookie.replace(`_${a.port}=`, `_${b.port}=`) } });
    expect(again.status).toBe(200);
    expect(b.mw.panel.options.token).toBeUndefined(); // never configured: read from the file
    await b.stop();
  });

  it('refuses a wrong token in the login URL with 401, and sends a browser without a session to the login page', async () => {
    const a = await start({ dataDir: tmp() });
    expect((await fetch(`${a.base}/_debug/login?token=wrong`, { redirect: 'manual' })).status).toBe(401);
    const page = await fetch(`${a.base}/_debug/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/_debug/login');
  });
});

describe('the same-host reverse proxy case (nginx proxy_pass: Host rewritten, no forwarding header)', () => {
  it('still needs the token by default', async () => {
    const a = await start({ token: TOKEN, dataDir: false });
    expect(await raw(a.base, '/_debug/api/stats', { host: '127.0.0.1' })).toBe(401);
    expect(await raw(a.base, '/_debug/api/stats', { host: 'panel.example.com' })).toBe(401);
    expect(await raw(a.base, '/_debug/api/stats', { host: 'panel.example.com', authorization: `Bearer ${TOKEN}` })).toBe(200);
  });

  it("with auth: 'loopback', a loopback client gets in without a token, but not through a proxy that says so", async () => {
    const a = await start({ auth: 'loopback', dataDir: false });
    expect(await raw(a.base, '/_debug/api/stats', { host: `127.0.0.1:${a.port}` })).toBe(200);
    expect(await raw(a.base, '/_debug/api/stats', { host: 'panel.example.com' })).toBe(403);
    for (const h of ['x-forwarded-for', 'x-forwarded-host', 'forwarded', 'via', 'x-real-ip', 'true-client-ip', 'cf-connecting-ip', 'x-client-ip']) {
      expect(await raw(a.base, '/_debug/api/stats', { host: `127.0.0.1:${a.port}`, [h]: '203.0.113.7' })).toBe(403);
    }
  });
});

describe('roles and the audit log', () => {
  it('gives a viewer the read routes only, and audits every mutation and captured-data read with the token id', async () => {
    const dataDir = tmp();
    const a = await start({ token: TOKEN, viewerToken: VIEWER, dataDir });
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const viewer = as(VIEWER);
    for (const p of ['/api/traces', '/api/services', '/api/stats', '/api/metrics', '/api/breakpoints', '/api/session']) {
      expect((await fetch(`${a.base}/_debug${p}`, { headers: viewer })).status, p).toBe(200);
    }
    for (const p of ['/api/snapshots', '/api/logpoints', '/api/sources', '/api/audit']) {
      const r = await fetch(`${a.base}/_debug${p}`, { headers: viewer });
      expect(r.status, p).toBe(403);
      expect(((await r.json()) as { error: string }).error).toMatch(/needs the debugger role/);
    }
    const post = (headers: Record<string, string>) =>
      fetch(`${a.base}/_debug/api/breakpoints`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ file: 'nope.txt', line: 1 }) });
    expect((await post(viewer)).status).toBe(403);
    expect((await post(as(TOKEN))).status).toBe(400); // allowed; the input is bad
    expect((await fetch(`${a.base}/_debug/api/snapshots`, { headers: as(TOKEN) })).status).toBe(200);

    const audit = (await (await fetch(`${a.base}/_debug/api/audit`, { headers: as(TOKEN) })).json()) as AuditResponse;
    expect(audit.entries.map((e) => [e.action, e.status, e.role])).toEqual([
      ['POST /api/breakpoints', 400, 'debugger'],
      ['GET /api/snapshots', 200, 'debugger'],
    ]);
    expect(audit.entries[0]).toMatchObject({ tokenId: tokenId(TOKEN), via: 'bearer', ip: '127.0.0.1', target: '/api/breakpoints' });
    const session = (await (await fetch(`${a.base}/_debug/api/session`, { headers: viewer })).json()) as SessionResponse;
    expect(session).toEqual({ role: 'viewer', tokenId: tokenId(VIEWER), via: 'bearer', expiresAt: null });
    const stats = (await (await fetch(`${a.base}/_debug/api/stats`, { headers: viewer })).json()) as StatsResponse;
    expect(stats.panel.forbidden).toBe(5);
    await a.stop();
    const file = readFileSync(path.join(dataDir, 'audit', 'auth-test.jsonl'), 'utf8');
    // Reading the audit log is audited too.
    expect(file.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(['POST /api/breakpoints', 'GET /api/snapshots', 'GET /api/audit']);
    expect(file).not.toContain(TOKEN);
    expect(statSync(path.join(dataDir, 'audit', 'auth-test.jsonl')).mode & 0o777).toBe(0o600);
  });
});

describe('throttling wrong tokens', () => {
  it('answers 429 with Retry-After after 10 wrong bearer tokens from one client, and counts them', async () => {
    const a = await start({ token: TOKEN, dataDir: false });
    const wrong = { authorization: 'Bearer wrong-token-0123456789' };
    for (let i = 0; i < 10; i++) expect((await fetch(`${a.base}/_debug/api/stats`, { headers: wrong })).status).toBe(401);
    const r = await fetch(`${a.base}/_debug/api/stats`, { headers: wrong });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    const login = await fetch(`${a.base}/_debug/login?token=${TOKEN}`, { redirect: 'manual' });
    expect(login.status).toBe(429);
    expect(a.mw.panel.options.token).toBe(TOKEN);
  });
});
