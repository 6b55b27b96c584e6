import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { replay, type Recording } from './replay.test.helpers.js';
import { Shop, type ShopFault } from './shop.test.helpers.js';

/** `seconds` of the simulated shop's traffic at 4 req/s as a recording (the engine inside Shop is not used). */
function record(seconds: number, fault?: { fault: ShopFault; fromS: number }): Recording {
  const shop = new Shop({}, 11);
  const from = shop.now;
  const spans: SpanRecord[] = [];
  for (let i = 0; i < seconds; i++) {
    shop.faults = fault && i >= fault.fromS ? [fault.fault] : [];
    for (let k = 0; k < 4; k++) spans.push(...shop.trace(from + i * 1000 + k * 250, k % 2 ? '/api/products' : '/api/orders'));
  }
  return { from, to: from + seconds * 1000, spans };
}

const FAST = { windowSeconds: 10, baselineSeconds: 30, warmupMs: 20_000, warmupRequests: 20, closeAfterMs: 8000, settleMs: 1500, baselineTracesMs: 20_000, alpha: 1e-4 };

describe('replay of recorded traffic on a fake clock', () => {
  it('loops two clean minutes over half an hour: new trace ids per loop, no incident, none in warm-up', () => {
    const rec = record(120);
    const r = replay(rec, { warmupMs: 120_000, durationMs: 1_800_000, insights: FAST, metrics: { coarseResolution: 5 } });
    expect(r.loops).toBe(17); // 32 minutes of 2-minute loops (the last one started)
    expect(r.traces).toBeGreaterThan(480 * 15); // every loop's traces are new ones
    expect(r.warmupIncidents).toEqual([]);
    expect(r.incidents.map((i) => i.title)).toEqual([]);
  }, 60_000);

  it('is not blind: a recording whose last 30 s have +200 ms in inventory opens incidents in the replay, inventory first', () => {
    const rec = record(120, { fault: { service: 'inventory', latencyMs: 200 }, fromS: 90 });
    const r = replay(rec, { warmupMs: 60_000, durationMs: 600_000, insights: FAST, metrics: { coarseResolution: 5 } });
    expect(r.incidents.length).toBeGreaterThan(0);
    expect(r.incidents.every((i) => i.suspects[0]?.service === 'inventory')).toBe(true);
  }, 60_000);
});
