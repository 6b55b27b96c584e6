import { describe, expect, it } from 'vitest';
import { AccessControl, COOKIE_NAME, isLocalRequest, isLoopbackAddress, isLoopbackHost, isSameOrigin, readCookie, safeEqual } from './security.js';

const TOKEN = 'tok-0123456789abcdef';
const req = (remoteAddress: string | undefined, headers: Record<string, string> = {}) => ({
  headers: { host: '127.0.0.1:3000', ...headers },
  socket: { remoteAddress } as never,
});

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('accepts %s', (a) => expect(isLoopbackAddress(a)).toBe(true));
  it.each(['10.0.0.1', '192.168.1.1', '::ffff:10.0.0.1', '128.0.0.1', '::2', 'fe80::1', '', undefined, '127.0.0.1.evil'])(
    'refuses %s',
    (a) => expect(isLoopbackAddress(a)).toBe(false),
  );
});

describe('isLoopbackHost', () => {
  it.each(['localhost:3000', 'LOCALHOST', 'app.localhost:8080', '127.0.0.1:3000', '[::1]:3000', undefined])('accepts %s', (h) =>
    expect(isLoopbackHost(h)).toBe(true),
  );
  it.each(['evil.example:3000', 'localhost.evil.example', '10.0.0.1:3000', '[fe80::1]:3000'])('refuses %s', (h) =>
    expect(isLoopbackHost(h)).toBe(false),
  );
});

describe('isLocalRequest', () => {
  it('is true for a loopback socket', () => expect(isLocalRequest(req('127.0.0.1'))).toBe(true));
  it('is false for a remote socket', () => expect(isLocalRequest(req('203.0.113.9'))).toBe(false));
  it.each(['x-forwarded-for', 'forwarded', 'x-real-ip'])('is false behind a proxy (%s)', (h) =>
    expect(isLocalRequest(req('127.0.0.1', { [h]: '203.0.113.9' }))).toBe(false),
  );
});

describe('AccessControl without a token', () => {
  const ac = new AccessControl(undefined);
  it('serves loopback clients', () => expect(ac.check(req('::1'))).toEqual({ ok: true, via: 'loopback' }));
  it('refuses remote clients with 403', () => expect(ac.check(req('198.51.100.1'))).toMatchObject({ ok: false, status: 403 }));
  it('refuses a rebinding host name with 403', () =>
    expect(ac.check(req('127.0.0.1', { host: 'attacker.example' }))).toMatchObject({ ok: false, status: 403, reason: /host name/ }));
});

describe('AccessControl with a token', () => {
  const ac = new AccessControl(TOKEN);
  it('accepts the bearer token, also from remote clients', () => {
    expect(ac.check(req('198.51.100.1', { authorization: `Bearer ${TOKEN}` }))).toEqual({ ok: true, via: 'bearer' });
    expect(ac.check(req('127.0.0.1', { authorization: `bearer  ${TOKEN}` }))).toEqual({ ok: true, via: 'bearer' });
  });
  it('refuses a wrong or malformed token with 401', () => {
    expect(ac.check(req('127.0.0.1', { authorization: 'Bearer nope' }))).toMatchObject({ ok: false, status: 401 });
    expect(ac.check(req('127.0.0.1', { authorization: `Basic ${TOKEN}` }))).toMatchObject({ ok: false, status: 401 });
    expect(ac.check(req('127.0.0.1', { authorization: `Bearer ${TOKEN}x` }))).toMatchObject({ ok: false, status: 401 });
  });
  it('requires the token from loopback clients too', () =>
    expect(ac.check(req('127.0.0.1'))).toMatchObject({ ok: false, status: 401, reason: /token is required/ }));
  it('accepts the session cookie, which is not the token itself', () => {
    const session = ac.sessionValue()!;
    expect(session).not.toContain(TOKEN);
    expect(ac.check(req('127.0.0.1', { cookie: `a=b; ${COOKIE_NAME}=${session}` }))).toEqual({ ok: true, via: 'cookie' });
    expect(ac.check(req('127.0.0.1', { cookie: `${COOKIE_NAME}=${TOKEN}` }))).toMatchObject({ ok: false, status: 401 });
  });
  it('derives a different session from a different token', () =>
    expect(new AccessControl(TOKEN + 'x').sessionValue()).not.toBe(ac.sessionValue()));
});

describe('isSameOrigin', () => {
  it('trusts Sec-Fetch-Site same-origin and none, refuses cross-site', () => {
    expect(isSameOrigin({ headers: { 'sec-fetch-site': 'same-origin' } })).toBe(true);
    expect(isSameOrigin({ headers: { 'sec-fetch-site': 'none' } })).toBe(true);
    expect(isSameOrigin({ headers: { 'sec-fetch-site': 'cross-site', origin: 'http://localhost:3000', host: 'localhost:3000' } })).toBe(false);
    expect(isSameOrigin({ headers: { 'sec-fetch-site': 'same-site' } })).toBe(false);
  });
  it('compares Origin with Host when Sec-Fetch-Site is absent', () => {
    expect(isSameOrigin({ headers: { origin: 'http://localhost:3000', host: 'localhost:3000' } })).toBe(true);
    expect(isSameOrigin({ headers: { origin: 'http://evil.example', host: 'localhost:3000' } })).toBe(false);
    expect(isSameOrigin({ headers: { origin: 'null', host: 'localhost:3000' } })).toBe(false);
    expect(isSameOrigin({ headers: { origin: 'not a url', host: 'localhost:3000' } })).toBe(false);
  });
  it('lets non-browser clients (no Origin, no Sec-Fetch-Site) through', () => expect(isSameOrigin({ headers: {} })).toBe(true));
});

describe('helpers', () => {
  it('safeEqual compares values of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
  it('readCookie finds one cookie', () => {
    expect(readCookie('a=1; b=2', 'b')).toBe('2');
    expect(readCookie('a=1', 'b')).toBeUndefined();
    expect(readCookie(undefined, 'b')).toBeUndefined();
  });
});
