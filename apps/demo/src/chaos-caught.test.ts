/**
 * An experiment on the three-service demo that the panel catches: the gateway's hub panel holds a
 * rule for inventory (+80 ms on its stock query), inventory pulls it, the hub's insights engine
 * opens an incident, and the verdict says when and that its top suspect is inventory's query.
 * `DEMO_FAST_INSIGHTS=1` shortens the insights warm-up (5 s instead of 5 minutes) and the detection
 * window (5 s), so the whole run stays under a minute.
 */
import type { ChaosExperiment, InsightsResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from './config.js';
import { startShop, type RunningService } from './launcher.js';

let shop: Record<ServiceName, RunningService>;
const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: TOKEN, env: { DEMO_FAST_INSIGHTS: '1' } });
});

afterAll(async () => {
  if (shop) await Promise.all(Object.values(shop).map((s) => s.stop()));
});

describe('a chaos experiment on the demo, judged by the insights engine', () => {
  it('+80 ms on inventory\'s stock query is caught, and the top suspect names inventory\'s statement', async () => {
    // Steady traffic, 5 requests a second: each product page reads inventory's stock once.
    let running = true;
    let sent = 0;
    const load = (async () => {
      while (running) {
        const t = Date.now();
        const res = await fetch(`${shop.gateway.url}/api/products/${1 + (sent++ % 3)}`).catch(() => undefined);
        await res?.body?.cancel();
        await sleep(Math.max(0, 200 - (Date.now() - t)));
      }
    })();
    try {
      await sleep(22_000); // past the (shortened) warm-up, with two baseline slots of 10 s
      const hub = `${shop.gateway.url}/_debug/api/chaos`;
      const started = await fetch(`${hub}/experiments`, {
        method: 'POST',
        headers: { ...AUTH.headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'slow stock',
          rule: { target: 'db', fault: { kind: 'latency', ms: 80 }, scope: { service: 'inventory', statement: 'FROM stock WHERE product_id' } },
          durationMs: 15_000,
        }),
      });
      expect(started.status).toBe(201);
      const experiment = (await started.json()) as ChaosExperiment;
      let judged: ChaosExperiment | undefined;
      for (let i = 0; i < 300 && !judged?.verdict; i++) {
        await sleep(100);
        judged = (await (await fetch(`${hub}/experiments/${experiment.id}`, AUTH)).json()) as ChaosExperiment;
      }
      const v = judged!.verdict!;
      const incidents = ((await (await fetch(`${shop.gateway.url}/_debug/api/insights`, AUTH)).json()) as InsightsResponse).incidents;
      const context = `${v.summary}\nincidents: ${JSON.stringify(incidents.map((i) => [i.title, i.suspects[0]?.service, i.suspects[0]?.operation]))}`;
      expect(judged!.status, context).toBe('finished');
      expect(v.injected, context).toBeGreaterThan(20);
      expect(v.caught, context).toBe(true);
      expect(v.incident!.firedAfterMs, context).toBeLessThanOrEqual(15_000);
      expect(v.topSuspect, context).toMatchObject({ service: 'inventory', operation: expect.stringMatching(/from stock where product_id/i), namesTarget: true });
      expect(v.summary, context).toMatch(/^Caught in \d+(\.\d)? s; ranked `inventory` `select sum\(quantity\) as total from stock where product_id = \?` first\./i);
      expect(incidents.map((i) => i.id)).toContain(v.incident!.id);
    } finally {
      running = false;
      await load;
    }
  }, 60_000);
});
