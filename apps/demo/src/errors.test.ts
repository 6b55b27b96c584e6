/**
 * Error groups on the real three-service demo: failing checkouts (an order holding the unpriced
 * product 13) make one TypeError group in orders and one 502 group at the gateway, and the
 * gateway's panel (the hub, which also holds orders' spans) shows the gateway group as caused by
 * orders' group, read from their shared traces.
 */
import type { ErrorGroupResponse, ErrorsResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from './config.js';
import { startShop, type RunningService } from './launcher.js';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };

let shop: Record<ServiceName, RunningService>;

beforeAll(async () => {
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: TOKEN });
});

afterAll(async () => {
  if (shop) await Promise.all(Object.values(shop).map((s) => s.stop()));
});

async function checkout(customer: string): Promise<{ status: number; traceId: string; error: string }> {
  const res = await fetch(`${shop.gateway.url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, items: [{ productId: 1, quantity: 1 }, { productId: 13, quantity: 1 }] }),
  });
  const body = (await res.json()) as { error?: string };
  return { status: res.status, traceId: res.headers.get('x-trace-id') ?? '', error: String(body.error) };
}

async function groups(service: ServiceName, ready: (r: ErrorsResponse) => boolean): Promise<ErrorsResponse> {
  const deadline = Date.now() + 15_000;
  let last: ErrorsResponse | undefined;
  while (Date.now() < deadline) {
    last = (await (await fetch(`${shop[service].url}/_debug/api/errors`, AUTH)).json()) as ErrorsResponse;
    if (ready(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${service}: error groups not ready: ${JSON.stringify(last).slice(0, 500)}\n${shop[service].output.join('\n')}`);
}

describe('demo: error groups across services', () => {
  it('failing checkouts: one TypeError group in orders, a 502 group at the gateway caused by it', async () => {
    const customers = ['ada', 'bob', 'cy'];
    const calls = [];
    for (const c of customers) calls.push(await checkout(c));
    for (const c of calls) {
      expect(c.status).toBe(502);
      expect(c.error).toMatch(/^orders failed: Cannot read properties of null/);
    }
    const traceIds = calls.map((c) => c.traceId);

    // orders' own panel: one group, with the customers as users and the route of the request
    const inOrders = await groups('orders', (r) => r.groups.some((g) => g.type === 'TypeError' && g.count >= 3));
    const typeErrors = inOrders.groups.filter((g) => g.type === 'TypeError');
    expect(typeErrors).toHaveLength(1);
    expect(typeErrors[0]).toMatchObject({ count: 3, services: ['orders'], routes: ['/orders'], title: 'Cannot read properties of null (reading <str>)' });
    expect(typeErrors[0]!.users.sort()).toEqual(customers);
    expect(typeErrors[0]!.culprit).toMatch(/pricing /);

    // the hub: the same orders group (its spans arrive over OTLP) and the gateway's HttpError group
    const hub = await groups('gateway', (r) =>
      r.groups.some((g) => g.type === 'TypeError' && g.count >= 3) && r.groups.some((g) => g.type === 'HttpError' && g.count >= 3),
    );
    const origin = hub.groups.find((g) => g.type === 'TypeError')!;
    const effect = hub.groups.find((g) => g.type === 'HttpError')!;
    expect(origin.fingerprint).toBe(typeErrors[0]!.fingerprint); // the same fingerprint in both panels
    expect(origin.services).toEqual(['orders']);
    expect(effect).toMatchObject({ count: 3, services: ['gateway'], routes: ['/api/orders'], title: 'orders failed: Cannot read properties of null (reading <str>)' });
    expect(effect.sampleTraceIds.sort()).toEqual([...traceIds].sort());

    // caused-by, from the traces the hub holds whole
    const deadline = Date.now() + 15_000;
    let detail: ErrorGroupResponse;
    do {
      detail = (await (await fetch(`${shop.gateway.url}/_debug/api/errors/${effect.fingerprint}`, AUTH)).json()) as ErrorGroupResponse;
      if (detail.causedBy.length > 0 && detail.causedBy[0]!.traces === 3) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    expect(detail.causedBy).toEqual([
      { fingerprint: origin.fingerprint, type: 'TypeError', title: origin.title, services: ['orders'], traces: 3, traceId: expect.stringMatching(/^[0-9a-f]{32}$/) },
    ]);
    expect(detail.causes).toEqual([]);
    expect(detail.occurrences.every((o) => o.stored)).toBe(true);
    const originDetail = (await (await fetch(`${shop.gateway.url}/_debug/api/errors/${origin.fingerprint}`, AUTH)).json()) as ErrorGroupResponse;
    expect(originDetail.causes.map((c) => c.fingerprint)).toEqual([effect.fingerprint]);
    expect(originDetail.sample[0]!.stack).toContain('pricing');
  });
});
