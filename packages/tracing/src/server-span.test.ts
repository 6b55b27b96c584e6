import { describe, expect, it } from 'vitest';
import { routeName, routeNameStats } from './server-span.js';

describe('routeName (span names prepared per route)', () => {
  it('is METHOD template, per method', () => {
    expect(routeName('GET', '/orders/:id')).toBe('GET /orders/:id');
    expect(routeName('POST', '/orders/:id')).toBe('POST /orders/:id');
    expect(routeName('GET', '/orders/:id')).toBe('GET /orders/:id');
  });

  it('is bounded: past 2048 templates it starts over and counts it', () => {
    const before = routeNameStats.resets;
    for (let i = 0; i < 2049; i++) routeName('GET', `/generated/${i}`);
    expect(routeNameStats.resets).toBe(before + 1);
    expect(routeName('GET', '/generated/1')).toBe('GET /generated/1');
  });
});

describe('server span attributes from the request: the last unchanged value is remembered per redactor', () => {
  const req = (url: string, ua: string, host = 'shop.local:8080') =>
    ({ method: 'GET', url, headers: { 'user-agent': ua, host }, httpVersion: '1.1', socket: { remoteAddress: '10.0.0.9' } }) as never;

  it('the same value under another redactor is judged by that one; secret shapes are redacted (and counted) every time', async () => {
    const { setupTracing } = await import('./setup.js');
    const { REDACTED, Redactor } = await import('@debugpanel/model');
    const got: Array<{ service: string; attributes: Record<string, unknown> }> = [];
    const plainRedactor = new Redactor();
    const strict = new Redactor(['original', 'address']);
    const a = setupTracing({ service: 'a', onSpan: (s) => got.push(s), redactor: plainRedactor, instrument: false });
    const b = setupTracing({ service: 'b', onSpan: (s) => got.push(s), redactor: strict, instrument: false });
    try {
      for (let i = 0; i < 2; i++) a.startServerSpan(req('/hello', 'curl/8')).end(200);
      b.startServerSpan(req('/hello', 'curl/8')).end(200);
      a.startServerSpan(req('/hello', 'curl/8')).end(200);
      expect(got.map((s) => [s.service, s.attributes['user_agent.original'], s.attributes['server.address']])).toEqual([
        ['a', 'curl/8', 'shop.local'],
        ['a', 'curl/8', 'shop.local'],
        ['b', REDACTED, REDACTED],
        ['a', 'curl/8', 'shop.local'],
      ]);
      const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
      const before = plainRedactor.stats().redacted;
      for (let i = 0; i < 3; i++) a.startServerSpan(req(`/reset/${jwt}`, `bot Bearer ${jwt}`)).end(200);
      const last = got.slice(-3);
      for (const s of last) {
        expect(String(s.attributes['url.path'])).not.toContain(jwt);
        expect(String(s.attributes['user_agent.original'])).not.toContain(jwt);
      }
      expect(plainRedactor.stats().redacted - before).toBe(6);
    } finally {
      await a.shutdown();
      await b.shutdown();
    }
  });
});
