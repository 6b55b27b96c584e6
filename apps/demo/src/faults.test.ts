import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Faults, InjectedFault, NO_FAULTS, faultsFromEnv, parseFaults } from './faults.js';

describe('parseFaults', () => {
  it('merges a partial object over the base', () => {
    expect(parseFaults({ errorRate: 0.25 })).toEqual({ ...NO_FAULTS, errorRate: 0.25 });
  });
  it('names an unknown key and suggests the intended one', () => {
    expect(() => parseFaults({ latency: 100 })).toThrow(/unknown fault setting "latency" \(did you mean latencyMs\?\)/);
  });
  it.each([
    [{ errorRate: 1.5 }, /errorRate must be a number from 0 to 1/],
    [{ latencyMs: 10.5 }, /latencyMs must be an integer/],
    [{ errorStatus: 404 }, /errorStatus must be an integer from 500 to 599/],
    [{ latencyMs: '100' }, /latencyMs must be/],
  ])('refuses %j', (input, message) => {
    expect(() => parseFaults(input)).toThrow(message);
  });
  it('refuses a non-object', () => {
    expect(() => parseFaults([1])).toThrow(/JSON object/);
  });
});

describe('faultsFromEnv', () => {
  it('applies DEMO_FAULTS then the service-specific variable', () => {
    const env = { DEMO_FAULTS: '{"latencyMs":100,"errorRate":0.1}', DEMO_FAULTS_ORDERS: '{"errorRate":0.5}' };
    expect(faultsFromEnv('orders', env)).toMatchObject({ latencyMs: 100, errorRate: 0.5 });
    expect(faultsFromEnv('gateway', env)).toMatchObject({ latencyMs: 100, errorRate: 0.1 });
  });
  it('says which variable holds bad JSON', () => {
    expect(() => faultsFromEnv('orders', { DEMO_FAULTS_ORDERS: '{errorRate:1}' })).toThrow(/DEMO_FAULTS_ORDERS must be JSON/);
  });
});

describe('Faults over HTTP', () => {
  let url = '';
  let server: ReturnType<express.Express['listen']>;
  // Scripted randomness: each value is consumed by one latency or error draw.
  const draws: number[] = [];
  // The delays asked for, recorded instead of waited out.
  const delays: number[] = [];
  const faults = new Faults(undefined, () => draws.shift() ?? 0.99, async (ms) => void delays.push(ms));

  beforeAll(async () => {
    const app = express();
    app.use(faults.router());
    app.use(faults.middleware());
    app.get('/work', (_req, res) => {
      res.json({ ok: true });
    });
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err instanceof InjectedFault ? err.status : 500).json({ error: err.message });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('passes requests through when off', async () => {
    expect((await fetch(`${url}/work`)).status).toBe(200);
  });

  it('turns on errors with POST and off with DELETE', async () => {
    const set = await fetch(`${url}/_demo/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 0.5, errorStatus: 503 }),
    });
    expect(await set.json()).toMatchObject({ errorRate: 0.5, errorStatus: 503 });
    draws.push(0.4); // below 0.5: this request fails
    const failed = await fetch(`${url}/work`);
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as { error: string }).error).toMatch(/injected fault/);
    draws.push(0.6); // above: this one passes
    expect((await fetch(`${url}/work`)).status).toBe(200);
    await fetch(`${url}/_demo/faults`, { method: 'DELETE' });
    expect(await (await fetch(`${url}/_demo/faults`)).json()).toEqual(NO_FAULTS);
  });

  it('delays a request by latencyMs', async () => {
    faults.update({ latencyMs: 150, latencyRate: 1 });
    draws.push(0); // latency draw
    expect((await fetch(`${url}/work`)).status).toBe(200);
    expect(delays).toEqual([150]);
    draws.push(0.5); // above latencyRate 0.4: no delay
    faults.update({ latencyRate: 0.4 });
    expect((await fetch(`${url}/work`)).status).toBe(200);
    expect(delays).toEqual([150]);
    faults.reset();
  });

  it('answers 400 with the reason for bad settings', async () => {
    const res = await fetch(`${url}/_demo/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"errorRate":2}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/errorRate/);
  });

  it('refuses a cross-origin change', async () => {
    const res = await fetch(`${url}/_demo/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{"errorRate":1}',
    });
    expect(res.status).toBe(403);
    expect(faults.settings.errorRate).toBe(0);
  });
});
