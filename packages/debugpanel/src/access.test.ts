import { describe, expect, it } from 'vitest';
import { AccessControl, COOKIE_NAME, cookieName } from './access.js';
import { SessionStore } from './sessions.js';
import { FailureThrottle } from './throttle.js';
import { tokenId } from './tokens.js';

const TOKEN = 'test-token-0123456789abcdef';
const VIEWER = 'viewer-token-0123456789abcdef';
const req = (remoteAddress: string | undefined, headers: Record<string, string> = {}, localPort = 3000) => ({
  headers: { host: '127.0.0.1:3000', ...headers },
  socket: { remoteAddress, localPort } as never,
});

function control(o: { token?: string; viewerToken?: string; loopback?: boolean; now?: () => number } = {}) {
  const ids = new Set([o.token, o.viewerToken].filter((t): t is string => t !== undefined).map(tokenId));
  const now = o.now ?? Date.now;
  return new AccessControl({
    token: o.token,
    viewerToken: o.viewerToken,
    loopback: o.loopback ?? false,
    sessions: new SessionStore({ validTokenIds: ids, now }),
    throttle: new FailureThrottle({ now }),
  });
}

describe('AccessControl: a token always guards the panel', () => {
  const ac = control({ token: TOKEN, viewerToken: VIEWER });
  it('gives the debugger role for the token and the viewer role for the viewer token, also to remote clients', () => {
    expect(ac.check(req('198.51.100.1', { authorization: `Bearer ${TOKEN}` }))).toEqual({ ok: true, via: 'bearer', role: 'debugger', tokenId: tokenId(TOKEN) });
    expect(ac.check(req('127.0.0.1', { authorization: `bearer  ${VIEWER}` }))).toEqual({ ok: true, via: 'bearer', role: 'viewer', tokenId: tokenId(VIEWER) });
  });
  it('names a token by 8 hex of its SHA-256, never the token', () => expect(tokenId(TOKEN)).toMatch(/^[0-9a-f]{8}$/));
  it('refuses a wrong or malformed token with 401', () => {
    for (const a of ['Bearer nope', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) expect(control({ token: TOKEN }).check(req('127.0.0.1', { authorization: a }))).toMatchObject({ ok: false, status: 401 });
  });
  it('requires the token from loopback clients too (no token-less default)', () =>
    expect(ac.check(req('127.0.0.1'))).toMatchObject({ ok: false, status: 401, reason: /token is required/ }));
  it('nginx default proxy_pass (Host rewritten to loopback, no forwarding header) still needs the token', () =>
    expect(ac.check(req('127.0.0.1', { host: '127.0.0.1:3000' }))).toMatchObject({ ok: false, status: 401 }));
});

describe('AccessControl: sessions', () => {
  it('logs in with a random session id that maps to the role, per panel port', () => {
    const ac = control({ token: TOKEN, viewerToken: VIEWER });
    const r = ac.login(req('127.0.0.1'), VIEWER);
    if (!r.ok) throw new Error('login failed');
    expect(r.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.id).not.toContain(TOKEN);
    const name = cookieName(req('127.0.0.1'));
    expect(name).toBe(`${COOKIE_NAME}_3000`);
    expect(ac.check(req('127.0.0.1', { cookie: `a=b; ${name}=${r.id}` }))).toMatchObject({ ok: true, via: 'cookie', role: 'viewer' });
    // Another panel on this host (another port) does not take this cookie as its own.
    expect(ac.check(req('127.0.0.1', { cookie: `${name}=${r.id}` }, 3001))).toMatchObject({ ok: false, status: 401 });
    expect(ac.check(req('127.0.0.1', { cookie: `${name}=${TOKEN}` }))).toMatchObject({ ok: false, status: 401, reason: /log in again/ });
  });

  it('expires a session 12 h after its last use, sliding with each use', () => {
    const clock = { t: 1_000_000 };
    const ac = control({ token: TOKEN, now: () => clock.t });
    const r = ac.login(req('127.0.0.1'), TOKEN);
    if (!r.ok) throw new Error('login failed');
    const cookie = { cookie: `${cookieName(req('::1'))}=${r.id}` };
    clock.t += 11 * 3600_000;
    expect(ac.check(req('127.0.0.1', cookie))).toMatchObject({ ok: true });
    clock.t += 11 * 3600_000; // 22 h after login, 11 h after the last use
    expect(ac.check(req('127.0.0.1', cookie))).toMatchObject({ ok: true });
    clock.t += 12 * 3600_000 + 1;
    expect(ac.check(req('127.0.0.1', cookie))).toMatchObject({ ok: false, status: 401 });
    expect(ac.sessions.expired).toBe(1);
  });
});

describe('AccessControl: throttling failed tokens per client', () => {
  it('answers 429 with Retry-After after a burst of 10 wrong tokens, before checking the next one; others are not affected', () => {
    const clock = { t: 0 };
    const ac = control({ token: TOKEN, now: () => clock.t });
    const bad = req('198.51.100.7', { authorization: 'Bearer wrong-token-0123456789' });
    for (let i = 0; i < 10; i++) expect(ac.check(bad)).toMatchObject({ status: 401 });
    expect(ac.check(bad)).toMatchObject({ ok: false, status: 429, retryAfter: 12 });
    // Even the right token waits: guessing is held to 5 a minute.
    expect(ac.check(req('198.51.100.7', { authorization: `Bearer ${TOKEN}` }))).toMatchObject({ status: 429 });
    expect(ac.login(req('198.51.100.7'), TOKEN)).toMatchObject({ ok: false, status: 429 });
    expect(ac.check(req('198.51.100.8', { authorization: `Bearer ${TOKEN}` }))).toMatchObject({ ok: true });
    clock.t += 12_000; // one attempt regained
    expect(ac.check(req('198.51.100.7', { authorization: `Bearer ${TOKEN}` }))).toMatchObject({ ok: true });
    expect(ac.failedBearer).toBe(10);
    expect(ac.throttle.throttled).toBe(3);
  });

  it('throttles wrong logins the same way', () => {
    const ac = control({ token: TOKEN });
    for (let i = 0; i < 10; i++) expect(ac.login(req('203.0.113.1'), 'nope')).toMatchObject({ ok: false, status: 401 });
    expect(ac.login(req('203.0.113.1'), 'nope')).toMatchObject({ ok: false, status: 429 });
    expect(ac.failedLogins).toBe(10);
  });
});

describe("AccessControl with auth: 'loopback'", () => {
  const ac = control({ loopback: true });
  it('serves token-less loopback clients as debugger', () => expect(ac.check(req('::1'))).toEqual({ ok: true, via: 'loopback', role: 'debugger', tokenId: 'loopback' }));
  it('refuses remote clients with 403', () => expect(ac.check(req('198.51.100.1'))).toMatchObject({ ok: false, status: 403 }));
  it('refuses a rebinding host name with 403', () =>
    expect(ac.check(req('127.0.0.1', { host: 'attacker.example' }))).toMatchObject({ ok: false, status: 403, reason: /host name/ }));
  it.each(['via', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'x-client-ip', 'true-client-ip', 'cf-connecting-ip'])(
    'refuses a request relayed by a proxy (%s) with 403',
    (h) => expect(ac.check(req('127.0.0.1', { [h]: '203.0.113.5' }))).toMatchObject({ ok: false, status: 403, reason: /proxy/ }),
  );
  it('still takes a configured token from anywhere', () => {
    const both = control({ loopback: true, token: TOKEN });
    expect(both.check(req('198.51.100.1', { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '1.2.3.4' }))).toMatchObject({ ok: true, via: 'bearer' });
  });
});
