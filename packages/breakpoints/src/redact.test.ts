import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';

describe('createRedactor', () => {
  it('redacts secret-looking keys by default', () => {
    const r = createRedactor();
    for (const k of ['password', 'clientSecret', 'accessToken', 'api_key', 'apiKey', 'Authorization', 'set-cookie']) expect(r(k), k).toBe(true);
    for (const k of ['user', 'total', 'id']) expect(r(k), k).toBe(false);
  });

  it('adds exact keys (any case) and patterns, ignoring a global flag', () => {
    const r = createRedactor(['SSN', /^card/g]);
    expect(r('ssn')).toBe(true);
    expect(r('ssnx')).toBe(false);
    expect(r('cardNumber')).toBe(true);
    expect(r('cardNumber')).toBe(true); // a stateful /g RegExp would answer false here
  });

  it('rejects other entries', () => {
    expect(() => createRedactor([1 as unknown as string])).toThrow(/strings or RegExps/);
  });
});
