import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatLoadStats, pickRequest, startLoad } from './load.js';

/** A deterministic stand-in for Math.random (mulberry32). */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('pickRequest', () => {
  it('mixes browsing, orders, slow reports and failures in the stated shares', () => {
    const random = seeded(1);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const r = pickRequest(random, [7]);
      counts[r.kind] = (counts[r.kind] ?? 0) + 1;
    }
    expect(counts['list products']! / 10_000).toBeCloseTo(0.33, 1);
    expect(counts['slow report']! / 10_000).toBeCloseTo(0.04, 1);
    expect(counts['unpriced product (bug)']).toBeGreaterThan(200);
    expect(counts['order beyond stock']).toBeGreaterThan(200);
  });

  it('never asks for the unpriced product outside the failing share', () => {
    const random = seeded(2);
    for (let i = 0; i < 5000; i++) {
      const r = pickRequest(random, []);
      if (r.kind === 'product') expect(r.path).not.toBe('/api/products/13');
      if (r.kind === 'place order') {
        const items = (r.body as { items: Array<{ productId: number; quantity: number }> }).items;
        for (const it of items) {
          expect(it.productId).not.toBe(13);
          expect(it.quantity).toBeGreaterThanOrEqual(1);
        }
      }
    }
  });

  it('looks up orders it placed when it has some', () => {
    const seen = new Set<string>();
    const random = seeded(3);
    for (let i = 0; i < 3000; i++) {
      const r = pickRequest(random, [4242]);
      if (r.kind === 'order') seen.add(r.path);
    }
    expect(seen.has('/api/orders/4242')).toBe(true);
  });
});

describe('startLoad', () => {
  let server: Server | undefined;
  // The generator's interval is faked: a test runs exactly the ticks it advances, at any machine load.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('sends no faster than the rate and counts answers by status', async () => {
    let n = 0;
    const target = await listen((_req, res) => {
      res.writeHead(++n % 4 === 0 ? 500 : 200, { 'content-type': 'application/json' }).end('{}');
    });
    const load = startLoad({ target, rate: 40 });
    vi.advanceTimersByTime(24);
    expect(load.stats().sent).toBe(0); // the first request goes at 1/rate = 25 ms
    vi.advanceTimersByTime(12 * 25 - 24);
    expect(load.stats().sent).toBe(12); // one request per 25 ms
    await load.stop(); // waits for the answers
    const s = load.stats();
    expect(s.sent).toBe(12);
    expect(s.ok + s.failed).toBe(s.sent);
    expect(s.failed).toBe(Math.floor(n / 4));
    expect(formatLoadStats(s)).toMatch(/^load: \d+ sent, \d+ ok, \d+ failed, 0 unanswered \(\d+% not ok\)$/);
    expect(formatLoadStats(s, true)).toMatch(/; failed: .+ 500x\d+/);
  });

  it('keeps at most maxInFlight requests open, skips the rest, and stop() aborts them after the grace', async () => {
    const target = await listen(() => {
      /* never answers */
    });
    const load = startLoad({ target, rate: 100, maxInFlight: 3 });
    vi.advanceTimersByTime(10 * 10); // ten ticks: three requests, then seven skipped
    expect(load.stats()).toMatchObject({ inFlight: 3, sent: 3, skipped: 7 });
    await load.stop(50);
    const s = load.stats();
    expect(s.inFlight).toBe(0);
    expect(s.sent).toBe(3);
    expect(s.aborted).toBe(3);
    server!.closeAllConnections();
  });

  it('counts refused connections as unanswered', async () => {
    const target = await listen(() => {});
    server!.close();
    server = undefined;
    const load = startLoad({ target, rate: 50 });
    vi.advanceTimersByTime(5 * 20);
    await load.stop(); // waits for the refusals
    const s = load.stats();
    expect(s.networkErrors).toBe(5);
    expect(Object.values(s.byKind).reduce((n, k) => n + (k.statuses.network ?? 0), 0)).toBe(s.networkErrors);
  });

  it('refuses a rate out of range', () => {
    expect(() => startLoad({ target: 'http://127.0.0.1:1', rate: 0 })).toThrow(/0.1 to 200/);
  });
});
