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
