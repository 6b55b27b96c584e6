import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';

describe('createRedactor', () => {
  it('knows secret-looking keys by default', () => {
    const r = createRedactor();
    for (const k of ['password', 'pwd', 'clientSecret', 'accessToken', 'api_key', 'apiKey', 'x-api-key', 'Authorization', 'auth', 'set-cookie', 'jwt', 'sessionId', 'privateKey']) {
      expect(r.isSecretKey(k), k).toBe(true);
    }
    for (const k of ['user', 'total', 'id', 'host']) expect(r.isSecretKey(k), k).toBe(false);
  });

  it('adds exact keys (any case) and patterns, ignoring a global flag', () => {
    const r = createRedactor(['SSN', /^card/g]);
    expect(r.isSecretKey('ssn')).toBe(true);
    expect(r.isSecretKey('ssnx')).toBe(false);
    expect(r.isSecretKey('cardNumber')).toBe(true);
    expect(r.isSecretKey('cardNumber')).toBe(true); // a stateful /g RegExp would answer false here
  });

  it('cuts secret-shaped values: bearer tokens, JWTs, URL credentials, secret query parameters', () => {
    const r = createRedactor();
    expect(r.string('Authorization: Bearer abc.def-123')).toBe('Authorization: Bearer [REDACTED]');
    expect(r.string('Basic dXNlcjpwYXNz')).toBe('Basic [REDACTED]');
    expect(r.string('t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln end')).toBe('t=[REDACTED] end');
    expect(r.string('postgres://bob:pw@db:5432/x and https://example.com/a')).toBe('postgres://[REDACTED]@db:5432/x and https://example.com/a');
    expect(r.string('/cb?code=1&api_key=k-99&next=/')).toBe('/cb?code=1&api_key=[REDACTED]&next=/');
    expect(r.string('a plain sentence about tokens')).toBe('a plain sentence about tokens');
  });

  it('rejects other entries', () => {
    expect(() => createRedactor([1 as unknown as string])).toThrow(/strings or RegExps/);
  });
});
