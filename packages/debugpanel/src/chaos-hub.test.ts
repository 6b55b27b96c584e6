/**
 * Chaos across processes: a hub holds a rule for `inventory`, a second process (inventory, with
 * `sendTo` the hub) pulls it over that connection with the same token, injects it, and its spans
 * reach the hub carrying the rule; deleting the rule on the hub stops it there too.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChaosRule, ChaosStats, TracesResponse } from '@debugpanel/model';

const fixtures = fileURLToPath(new URL('../test-fixtures/', import.meta.url));
const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('chaos: a hub pushes a rule to a second process', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill()));

  function start(env: Record<string, string>): Promise<string> {
    const child = fork(`${fixtures}hop-service.mjs`, [], { env: { ...process.env, ...env }, stdio: 'ignore' });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(`http://127.0.0.1:${(m as { port: number }).port}`));
      child.once('exit', (code) => reject(new Error(`${env.SERVICE} exited with ${code}`)));
    });
  }
  const hop = async (base: string) => (await fetch(`${base}/hop`)).status;

  it('the service pulls the rule, injects it, and the hub sees the faulted spans; a delete stops it', async () => {
    const hub = await start({ SERVICE: 'gateway', HUB: '1', CHAOS: '1', TOKEN });
    const inventory = await start({ SERVICE: 'inventory', SEND_TO: `${hub}/_debug`, CHAOS: '1', TOKEN, PULL_MS: '500' });
    expect(await hop(inventory)).toBe(200);

    const res = await fetch(`${hub}/_debug/api/chaos/rules`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'incoming', fault: { kind: 'error', status: 503 }, scope: { service: 'inventory', route: '/hop' }, durationMs: 120_000 }),
    });
    expect(res.status).toBe(201);
    const rule = (await res.json()) as ChaosRule;
    // not injected in the hub itself
    expect(await hop(hub)).toBe(200);
    // inventory picks it up at its next pull
    await waitFor(async () => ((await hop(inventory)) === 503 ? true : undefined)).catch((e) => { throw new Error(`inventory never got the rule: ${e}`); });
    const own = (await (await fetch(`${inventory}/_debug/api/chaos/rules`, { headers: AUTH })).json()) as { rules: ChaosRule[] };
    expect(own.rules).toMatchObject([{ id: rule.id, origin: 'hub', scope: { service: 'inventory', route: '/hop' } }]);
    // the faulted span reaches the hub with the hub's rule id
    const faulted = await waitFor(async () => {
      const t = (await (await fetch(`${hub}/_debug/api/traces?attr=${encodeURIComponent(`debugpanel.chaos.rule=${rule.id}`)}`, { headers: AUTH })).json()) as TracesResponse;
      return t.traces.length > 0 ? t.traces : undefined;
    }).catch((e) => { throw new Error(`the hub never saw a faulted span: ${e}`); });
    expect(faulted[0]!.services).toContain('inventory');

    await fetch(`${hub}/_debug/api/chaos/rules`, { method: 'DELETE', headers: AUTH });
    await waitFor(async () => ((await hop(inventory)) === 200 ? true : undefined));
    const stats = (await (await fetch(`${inventory}/_debug/api/stats`, { headers: AUTH })).json()) as { chaos: ChaosStats };
    expect(stats.chaos).toMatchObject({ enabled: true, rules: 0, pullErrors: 0 });
    expect(stats.chaos.pulls).toBeGreaterThan(1);
    expect(stats.chaos.injected).toBeGreaterThan(0);
  }, 60_000);

  it('a service with the wrong token gets nothing and counts the refusals', async () => {
    const hub = await start({ SERVICE: 'gateway', HUB: '1', CHAOS: '1', TOKEN });
    const other = 'other-token-0123456789abcdef';
    const svc = await start({ SERVICE: 'inventory', SEND_TO: `${hub}/_debug`, CHAOS: '1', TOKEN: other, PULL_MS: '500' });
    const stats = await waitFor(async () => {
      const s = (await (await fetch(`${svc}/_debug/api/stats`, { headers: { authorization: `Bearer ${other}` } })).json()) as { chaos: ChaosStats };
      return s.chaos.pullErrors > 0 ? s.chaos : undefined;
    });
    expect(stats.lastPullError).toContain('401');
  }, 60_000);
});
