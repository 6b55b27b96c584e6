import { describe, expect, it } from 'vitest';
import { hasForwardingHeader, isLocalRequest, isLoopbackAddress, isLoopbackHost, isSameOrigin, readCookie, safeEqual } from './security.js';

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
  it.each(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'via', 'x-real-ip', 'x-client-ip', 'true-client-ip', 'cf-connecting-ip'])(
    'is false behind a proxy (%s)',
    (h) => expect(isLocalRequest(req('127.0.0.1', { [h]: '203.0.113.9' }))).toBe(false),
  );
});

describe('hasForwardingHeader', () => {
  it('is false for a plain request', () => expect(hasForwardingHeader({ host: 'x', 'x-request-id': '1', 'user-agent': 'curl' })).toBe(false));
  it('is true for any x-forwarded-* header', () => expect(hasForwardingHeader({ 'x-forwarded-port': '443' })).toBe(true));
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
