import { describe, expect, it } from 'vitest';
import { Interner } from './interner.js';

describe('Interner', () => {
  it('refuses bounds that are not integers of the right sign', () => {
    for (const max of [0, -1, 1.5, Number.NaN]) expect(() => new Interner({ max })).toThrow(/max must be a positive integer/);
    for (const maxLength of [-1, 2.5]) expect(() => new Interner({ maxLength })).toThrow(/maxLength must be a non-negative integer/);
  });

  it('holds each distinct string once, however often it is built', () => {
    const interner = new Interner();
    for (let i = 0; i < 1000; i++) {
      expect(interner.intern(`route:svc:${'GET'} /hello`)).toBe('route:svc:GET /hello');
      expect(interner.intern(`service:${'svc'}`)).toBe('service:svc');
    }
    expect(interner.size).toBe(2);
    expect(interner.resets).toBe(0);
  });

  it('says whether the last string was already held', () => {
    const interner = new Interner({ maxLength: 4 });
    interner.intern('GET');
    expect(interner.hit).toBe(false);
    interner.intern(['G', 'E', 'T'].join(''));
    expect(interner.hit).toBe(true);
    interner.intern('a long one');
    expect(interner.hit).toBe(false);
  });

  it('passes strings longer than maxLength through without holding them', () => {
    const interner = new Interner({ maxLength: 8 });
    expect(interner.intern('x'.repeat(9))).toBe('x'.repeat(9));
    expect(interner.intern('12345678')).toBe('12345678');
    expect(interner.size).toBe(1);
  });

  it('never holds more than max strings: when full it starts afresh and counts it', () => {
    const interner = new Interner({ max: 100 });
    for (let i = 0; i < 1050; i++) expect(interner.intern(`value-${i}`)).toBe(`value-${i}`);
    expect(interner.size).toBeLessThanOrEqual(100);
    expect(interner.size).toBe(50); // 10 full tables of 100, then 50 in the 11th
    expect(interner.resets).toBe(10);
  });
});
