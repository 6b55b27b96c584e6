/**
 * A caught experiment in Chromium: the e2e app with chaos on and a short insights warm-up
 * (5 s, 20 requests, a 5 s window), steady traffic, then an experiment made in the Chaos form
 * (+200 ms on `/api/orders/:id`). Its verdict says "Caught in ...", names the route it slowed, and
 * links to the incident, which the Insights view then shows. Screenshot: e2e/screenshots/chaos-caught.png.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eApp } from './src/app.js';
import { startSession } from './src/session.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let base: string;
let closeSession: (() => Promise<void>) | undefined;
let page: Page;
const pageErrors: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const made = createE2eApp({ service: 'caught', panel: { chaos: true, insights: { warmupMs: 5000, warmupRequests: 20, windowSeconds: 5 } } });
  ({ base, page, close: closeSession } = await startSession(made, pageErrors));
});

afterAll(async () => {
  await closeSession?.();
});

describe('a caught chaos experiment in Chromium', () => {
  it('+200 ms on /api/orders/:id: the verdict says caught, names the route, and links to the incident', async () => {
    let running = true;
    let n = 0;
    const load = (async () => {
      while (running) {
        const t = Date.now();
        const res = await fetch(`${base}/api/orders/${n++ % 5}`).catch(() => undefined);
        await res?.body?.cancel();
        await sleep(Math.max(0, 200 - (Date.now() - t)));
      }
    })();
    try {
      await page.goto(`${base}/_debug/#/chaos`);
      await page.waitForSelector('[data-testid="chaos-form"]').catch(async (err: unknown) => {
        await page.screenshot({ path: join(SHOTS, 'chaos-caught-no-form.png') });
        throw new Error(`${(err as Error).message}; at ${page.url()}, page errors: ${pageErrors.join(' | ') || 'none'}`);
      });
      await sleep(22_000); // past the short warm-up, with two baseline slots of 10 s
      await page.selectOption('[data-testid="chaos-kind"]', 'latency');
      await page.fill('[data-testid="chaos-ms"]', '200');
      await page.fill('[data-testid="chaos-route"]', '/api/orders/:id');
      await page.fill('[data-testid="chaos-durationSec"]', '15');
      await page.fill('[data-testid="chaos-name"]', 'slow orders');
      await page.click('[data-testid="chaos-submit"]');
      await page.waitForSelector('[data-testid="chaos-experiment"]');
      const verdict = page.locator('[data-testid="chaos-verdict"]');
      await verdict.waitFor({ timeout: 30_000 });
      const text = (await verdict.textContent()) ?? '';
      expect(text).toMatch(/Caught in \d+(\.\d)? s; ranked `caught` `GET \/api\/orders\/:id` first\./);
      expect(await page.locator('[data-testid="chaos-exp-state"]').textContent()).toBe('caught');
      expect(text).toContain('✓ the top suspect names `caught` and `/api/orders/:id`');
      await page.screenshot({ path: join(SHOTS, 'chaos-caught.png') });
      await page.locator('[data-testid="chaos-incident-link"]').click();
      await page.waitForFunction(() => location.hash.startsWith('#/insights/'));
      // the Insights view is a lazy chunk: its placeholder carries the same test id, so wait for the incident itself
      const incident = page.locator('[data-testid="incident-detail"]');
      await incident.waitFor({ timeout: 15_000 });
      expect(await incident.textContent()).toContain('GET /api/orders/:id');
    } finally {
      running = false;
      await load;
    }
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  }, 90_000);
});
