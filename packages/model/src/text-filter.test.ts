import { describe, expect, it } from 'vitest';
import { BigramFilters, FILTER_BYTES, ID_SEP, NAME_SEP, keySep, makeNeedle } from './text-filter.js';

let seed = 99;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const ALPHABET = 'abcXYZ019-/ _.éÉßİı\u0000';
const randomString = (max: number): string => {
  let s = '';
  const n = Math.floor(rnd() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
  return s;
};
/** What the store's text filter means: a case-insensitive RegExp without the u flag */
const contains = (haystack: string, needle: string): boolean =>
  new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i').test(haystack);

describe('makeNeedle', () => {
  it('has no bits for a one-character substring (nothing to rule out)', () => {
    expect(makeNeedle('a', -1)).toBeUndefined();
    expect(makeNeedle('', -1)).toBeUndefined();
  });

  it('has boundary bits for a one-character or empty exact value', () => {
    expect(makeNeedle('a', NAME_SEP)).toBeDefined();
    expect(makeNeedle('', NAME_SEP)).toBeDefined();
  });
});

describe('BigramFilters', () => {
  it('never rules out a trace that holds the substring, in any ASCII case (random strings)', () => {
    const f = new BigramFilters();
    for (let round = 0; round < 120; round++) {
      const slot = f.alloc();
      const values = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => randomString(30));
      values.forEach((v, i) => f.add(slot, v, keySep(`k${i}`)));
      for (let probe = 0; probe < 12; probe++) {
        const v = values[Math.floor(rnd() * values.length)]!;
        const from = Math.floor(rnd() * v.length);
        let sub = v.slice(from, from + 1 + Math.floor(rnd() * 8));
        if (rnd() < 0.5) sub = sub.toUpperCase();
        const needle = makeNeedle(sub, -1);
        if (needle !== undefined && contains(v, sub)) expect(f.mayContain(slot, needle)).toBe(true);
        // An exact value under its own key always passes.
        const k = values.indexOf(v);
        expect(f.mayContain(slot, makeNeedle(v, keySep(`k${k}`))!)).toBe(true);
      }
      f.free(slot);
    }
  });

  it('rules out most strings that are absent', () => {
    const f = new BigramFilters();
    const slot = f.alloc();
    f.add(slot, '4bf92f3577b34da6a3ce929d0e0e4736', ID_SEP);
    f.add(slot, 'GET /orders/:id', NAME_SEP);
    f.add(slot, 'u42', keySep('user.id'));
    let passed = 0;
    for (let i = 0; i < 200; i++) if (f.mayContain(slot, makeNeedle(`sku-${1000 + i}`, -1)!)) passed++;
    expect(passed).toBeLessThan(20);
    // The same value under another key is told apart by its boundary bits.
    expect(f.mayContain(slot, makeNeedle('u42', keySep('user.id'))!)).toBe(true);
    expect(f.mayContain(slot, makeNeedle('u42', keySep('other.key'))!)).toBe(false);
  });

  it('clears a freed slot and reuses it', () => {
    const f = new BigramFilters();
    const a = f.alloc();
    const b = f.alloc();
    f.add(a, 'hello world', NAME_SEP);
    const needle = makeNeedle('hello', -1)!;
    expect(f.candidates(needle, ['A', 'B'])).toEqual(['A']);
    f.free(a);
    expect(f.live).toBe(1);
    expect(f.candidates(needle, ['A', 'B'])).toEqual([]);
    expect(f.alloc()).toBe(a);
    expect(f.mayContain(a, needle)).toBe(false);
    expect(b).not.toBe(a);
  });

  it('grows its shared array as slots are taken, keeping earlier bits', () => {
    const f = new BigramFilters();
    const slots = Array.from({ length: 1000 }, () => f.alloc());
    f.add(slots[0]!, 'first', NAME_SEP);
    f.add(slots[999]!, 'last', NAME_SEP);
    const more = Array.from({ length: 1000 }, () => f.alloc());
    expect(f.mayContain(slots[0]!, makeNeedle('first', NAME_SEP)!)).toBe(true);
    expect(f.candidates(makeNeedle('last', NAME_SEP)!, [...slots, ...more])).toEqual([999]);
    expect(f.capacityBytes).toBeGreaterThanOrEqual(2000 * (FILTER_BYTES - 8));
  });
});
