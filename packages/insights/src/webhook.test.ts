import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertNotification } from '@debugpanel/model';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookQueue, slackBody } from './webhook.js';

const note = (status: AlertNotification['status'], id = 'inc-1'): AlertNotification => ({
  status, service: 'gateway', at: 1, incident: {
    id, state: status === 'firing' ? 'firing' : 'resolved', startedAt: 0, signal: 'latency', scope: { kind: 'route', service: 'gateway', route: 'GET /checkout' },
    severity: 'critical', acked: false, title: 'GET /checkout p95 310 ms; most likely inventory GET /stock', anomalies: 3,
    suspects: [{ service: 'inventory', operation: 'GET /stock', kind: 'self-time', score: 0.9, evidence: {
      before: 5, after: 205, unit: 'ms', anomalousShare: 0.96, normalShare: 0.03, ochiai: 1, dstar2: 100, anomalousTraces: [], normalTraces: [],
      sentence: 'inventory GET /stock: self time on the critical path 5 ms -> 205 ms',
    } }],
  },
});

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A real local receiver; `answer` decides each request's status. */
async function receiver(answer: (n: number) => number): Promise<{ url: string; bodies: unknown[]; headers: IncomingMessage['headers'][] }> {
  const bodies: unknown[] = [];
  const headers: IncomingMessage['headers'][] = [];
  let n = 0;
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const status = answer(++n);
      if (status === 200) {
        bodies.push(JSON.parse(text));
        headers.push(req.headers);
      }
      res.statusCode = status;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, headers };
}

describe('WebhookQueue', () => {
  it('posts the generic JSON body, in order, with the given headers', async () => {
    const r = await receiver(() => 200);
    const q = new WebhookQueue({ url: r.url, headers: { 'x-team': 'shop' } });
    q.push(note('firing'));
    q.push(note('resolved'));
    await q.drain();
    expect(r.bodies).toEqual([note('firing'), note('resolved')]);
    expect(r.headers[0]!['x-team']).toBe('shop');
    expect(q.stats()).toMatchObject({ sent: 2, failed: 0, dropped: 0, queued: 0 });
  });

  it('posts a Slack-compatible body', async () => {
    const r = await receiver(() => 200);
    const q = new WebhookQueue({ url: r.url, format: 'slack' });
    q.push(note('firing'));
    await q.drain();
    const body = r.bodies[0] as { text: string; blocks: Array<{ text: { text: string } }> };
    expect(body).toEqual(slackBody(note('firing')));
    expect(body.text).toMatch(/^:rotating_light: \[FIRING\] gateway: GET \/checkout p95 310 ms/);
    expect(body.blocks[1]!.text.text).toMatch(/^1\. inventory GET \/stock/);
  });

  it('retries a failing receiver with backoff, then gives up and counts it', async () => {
    const r = await receiver((n) => (n <= 2 ? 503 : 200));
    const q = new WebhookQueue({ url: r.url, backoffMs: 5, attempts: 3 });
    q.push(note('firing'));
    await q.drain();
    expect(r.bodies).toHaveLength(1);
    expect(q.stats()).toMatchObject({ sent: 1, retries: 2, failed: 0, lastError: 'HTTP 503' });
    const dead = await receiver(() => 500);
    const q2 = new WebhookQueue({ url: dead.url, backoffMs: 1, attempts: 2 });
    q2.push(note('firing'));
    await q2.drain();
    expect(q2.stats()).toMatchObject({ sent: 0, failed: 1, retries: 1 });
  });

  it('never blocks and never grows: past maxQueue the oldest is dropped and counted', async () => {
    const r = await receiver(() => 200);
    const q = new WebhookQueue({ url: r.url, maxQueue: 3 });
    for (let i = 0; i < 10; i++) q.push(note('firing', `inc-${i}`)); // returns at once
    expect(q.stats().queued).toBeLessThanOrEqual(4); // 3 queued + the one in flight
    await q.drain();
    expect(q.stats().dropped).toBe(6);
    expect(r.bodies.map((b) => (b as AlertNotification).incident.id)).toEqual(['inc-0', 'inc-7', 'inc-8', 'inc-9']);
  });

  it('refuses a bad URL at creation and hides secrets of the URL in stats', () => {
    expect(() => new WebhookQueue({ url: 'nope' })).toThrow(/not a URL/);
    expect(() => new WebhookQueue({ url: 'ftp://x/y' })).toThrow(/http: or https:/);
    expect(new WebhookQueue({ url: 'https://hooks.slack.com/services/T000/B000/XXXX' }).stats().url).toBe('https://hooks.slack.com/services/***');
  });
});
