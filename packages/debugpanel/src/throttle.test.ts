import { describe, expect, it } from 'vitest';
import { clientKey, FailureThrottle } from './throttle.js';

describe('clientKey', () => {
  it('keys IPv4 (and IPv4-mapped) clients by address, IPv6 ones by their /64', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::5')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey(undefined)).toBe('?');
  });
});

describe('FailureThrottle', () => {
  it('allows a burst, then one failure per 12 s (5 a minute)', () => {
    const clock = { t: 0 };
    const t = new FailureThrottle({ now: () => clock.t });
    for (let i = 0; i < 10; i++) {
      expect(t.retryAfter('a')).toBe(0);
      t.fail('a');
    }
    expect(t.retryAfter('a')).toBe(12);
    clock.t += 6000;
    expect(t.retryAfter('a')).toBe(6);
    clock.t += 6000;
    expect(t.retryAfter('a')).toBe(0);
    t.fail('a');
    expect(t.retryAfter('a')).toBe(12);
    expect(t.throttled).toBe(3);
  });

  it('keeps at most maxClients buckets: refilled ones go first, then the least recently failed (counted)', () => {
    const clock = { t: 0 };
    const t = new FailureThrottle({ maxClients: 3, now: () => clock.t });
    t.fail('a');
    t.fail('b');
    t.fail('c');
    clock.t += 60_000; // a, b and c have refilled
    t.fail('c');
    t.fail('d');
    expect(t.clients).toBe(2);
    expect(t.dropped).toBe(0);
    t.fail('e');
    t.fail('f'); // full of fresh failures: the oldest (c) is dropped
    expect(t.clients).toBe(3);
    expect(t.dropped).toBe(1);
    expect(t.retryAfter('c')).toBe(0);
  });
});
