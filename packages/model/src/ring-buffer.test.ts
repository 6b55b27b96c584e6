import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(() => new RingBuffer(bad)).toThrow(/positive integer/);
    }
  });

  it('is empty at first', () => {
    const r = new RingBuffer<string>(3);
    expect(r.size).toBe(0);
    expect(r.capacity).toBe(3);
    expect(r.full).toBe(false);
    expect(r.peek()).toBeUndefined();
    expect(r.peekLast()).toBeUndefined();
    expect(r.shift()).toBeUndefined();
    expect(r.at(0)).toBeUndefined();
    expect([...r]).toEqual([]);
  });

  it('with capacity 1 keeps only the newest item and returns the evicted one', () => {
    const r = new RingBuffer<string>(1);
    expect(r.push('a')).toBeUndefined();
    expect(r.full).toBe(true);
    expect(r.push('b')).toBe('a');
    expect(r.push('c')).toBe('b');
    expect([...r]).toEqual(['c']);
    expect(r.peek()).toBe('c');
    expect(r.shift()).toBe('c');
    expect(r.size).toBe(0);
  });

  it('wraps around: pushes past capacity evict oldest first, order stays oldest -> newest', () => {
    const r = new RingBuffer<number>(4);
    const evicted: number[] = [];
    for (let i = 0; i < 11; i++) {
      const e = r.push(i);
      if (e !== undefined) evicted.push(e);
    }
    expect(evicted).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.dropped).toBe(7);
    expect([...r]).toEqual([7, 8, 9, 10]);
    expect([...r.reversed()]).toEqual([10, 9, 8, 7]);
    expect(r.toArray()).toEqual([7, 8, 9, 10]);
  });

  it('indexes from the oldest with at(i) and from the newest with negative i', () => {
    const r = new RingBuffer<number>(3);
    for (let i = 0; i < 5; i++) r.push(i); // holds 2,3,4 with the head wrapped
    expect([r.at(0), r.at(1), r.at(2), r.at(3)]).toEqual([2, 3, 4, undefined]);
    expect([r.at(-1), r.at(-3), r.at(-4)]).toEqual([4, 2, undefined]);
    expect(r.peek()).toBe(2);
    expect(r.peekLast()).toBe(4);
  });

  it('interleaves shift and push across the wrap point', () => {
    const r = new RingBuffer<number>(3);
    const model: number[] = [];
    let next = 0;
    for (let step = 0; step < 200; step++) {
      if (step % 3 === 2) {
        expect(r.shift()).toBe(model.shift());
      } else {
        const e = r.push(next);
        model.push(next++);
        expect(e).toBe(model.length > 3 ? model.shift() : undefined);
      }
      expect([...r]).toEqual(model);
      expect(r.size).toBe(model.length);
    }
  });

  it('grows its storage lazily up to a large capacity without changing order', () => {
    const r = new RingBuffer<number>(100_000);
    r.push(-1);
    r.shift(); // head no longer at 0 when the storage grows
    for (let i = 0; i < 1000; i++) r.push(i);
    expect(r.size).toBe(1000);
    expect(r.at(0)).toBe(0);
    expect(r.at(999)).toBe(999);
    expect(r.full).toBe(false);
  });

  it('clear empties it and it can be reused', () => {
    const r = new RingBuffer<number>(2);
    r.push(1);
    r.push(2);
    r.clear();
    expect(r.size).toBe(0);
    expect([...r]).toEqual([]);
    r.push(3);
    expect([...r]).toEqual([3]);
  });

  it('counts in dropped only what push evicted, not shift or clear', () => {
    const r = new RingBuffer<number>(2);
    r.push(1);
    r.push(2);
    r.shift();
    r.push(3);
    expect(r.dropped).toBe(0);
    r.push(4); // evicts 2
    r.clear();
    expect(r.dropped).toBe(1);
  });

  it('retain removes the items its test refuses, keeping order across the wrap point', () => {
    const r = new RingBuffer<number>(5);
    for (let i = 0; i < 8; i++) r.push(i); // holds 3..7, head wrapped
    expect(r.retain((x) => x % 2 === 1)).toBe(2);
    expect([...r]).toEqual([3, 5, 7]);
    expect(r.size).toBe(3);
    r.push(8);
    r.push(9);
    expect([...r]).toEqual([3, 5, 7, 8, 9]);
    expect(r.dropped).toBe(3); // retain made room: no live item was evicted
    expect(r.retain(() => false)).toBe(5);
    expect(r.peek()).toBeUndefined();
  });

  it('retain leaves the ring whole when its test throws, keeping the rest', () => {
    const r = new RingBuffer<number>(4);
    for (let i = 0; i < 4; i++) r.push(i);
    expect(() =>
      r.retain((x) => {
        if (x === 2) throw new Error('boom');
        return x !== 1;
      }),
    ).toThrow('boom');
    expect([...r]).toEqual([0, 2, 3]);
    expect(r.size).toBe(3);
  });
});
