import { describe, expect, it } from 'vitest';
import type { ChaosRule } from '@debugpanel/model';
import { ChaosEngine } from './engine.js';
import { routePattern } from './match.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function engine(extra: Partial<ConstructorParameters<typeof ChaosEngine>[0]> = {}) {
  const c = clock();
  const armed: boolean[] = [];
  const e = new ChaosEngine({ service: 'orders', now: c.now, timers: false, onArmedChange: (a) => armed.push(a), ...extra });
  return { e, c, armed };
}

function added(r: ReturnType<ChaosEngine['add']>): ChaosRule {
  if (!('rule' in r)) throw new Error(`refused: ${JSON.stringify(r.issues)}`);
  return r.rule;
}

const GET = (path: string, headers: Record<string, string> = {}) => ({ method: 'GET', path, headers });

describe('ChaosEngine rules', () => {
  it('fills in defaults and names the rule', () => {
    const { e } = engine();
    const rule = added(e.add({ target: 'incoming', fault: { kind: 'error' } }));
    expect(rule).toMatchObject({ target: 'incoming', rate: 1, durationMs: 60_000, origin: 'local', fault: { kind: 'error', status: 503 }, scope: { service: 'orders' } });
    expect(rule.name).toBe('orders incoming: error 503');
    expect(rule.remainingMs).toBe(60_000);
  });

  it('reports every bad field with a message, and typos with a guess', () => {
    const { e } = engine();
    const r = e.add({ target: 'db', fault: { kind: 'reset', ms: 99999 }, scope: { host: 'x', statment: 'SELECT' }, rate: 2, durationMs: 20 * 60_000 });
    expect('issues' in r).toBe(true);
    const issues = (r as { issues: Array<{ field: string; message: string }> }).issues;
    const fields = issues.map((i) => i.field).sort();
    expect(fields).toEqual(['durationMs', 'fault.kind', 'fault.ms', 'rate', 'scope.host', 'scope.statment'].sort());
    expect(issues.find((i) => i.field === 'scope.statment')!.message).toContain('did you mean "scope.statement"');
    expect(issues.find((i) => i.field === 'fault.kind')!.message).toContain('latency, error, timeout for target "db"');
    expect(issues.find((i) => i.field === 'durationMs')!.message).toContain('15 minutes');
  });

  it('caps database latency, which blocks the thread', () => {
    const { e } = engine();
    const r = e.add({ target: 'db', fault: { kind: 'latency', ms: 5000 } });
    expect((r as { issues: Array<{ message: string }> }).issues[0]!.message).toContain('blocks the thread');
  });

  it('refuses a rule for another service unless this panel is a hub', () => {
    expect('issues' in engine().e.add({ target: 'incoming', fault: { kind: 'abort' }, scope: { service: 'inventory' } })).toBe(true);
    const { e, armed } = engine({ hub: true });
    const rule = added(e.add({ target: 'incoming', fault: { kind: 'abort' }, scope: { service: 'inventory' } }));
    expect(rule.scope.service).toBe('inventory');
    // held for inventory, not injected here
    expect(armed).toEqual([]);
    expect(e.incoming(GET('/'))).toBeUndefined();
    expect(e.list('inventory').map((r) => r.id)).toEqual([rule.id]);
  });

  it('expires by itself: not matched after its time, gone from the list, armed off', () => {
    const { e, c, armed } = engine();
    const rule = added(e.add({ target: 'incoming', fault: { kind: 'latency', ms: 100 }, durationMs: 5000 }));
    expect(armed).toEqual([true]);
    c.advance(4999);
    expect(e.incoming(GET('/a'))?.ruleId).toBe(rule.id);
    expect(e.list()[0]!.remainingMs).toBe(1);
    c.advance(1);
    expect(e.incoming(GET('/a'))).toBeUndefined();
    expect(e.list()).toEqual([]);
    expect(armed).toEqual([true, false]);
    expect(e.stats()).toMatchObject({ rules: 0, created: 1, expired: 1 });
    expect(e.events().map((ev) => ev.action)).toEqual(['rule.created', 'rule.expired']);
  });

  it('matches incoming by method, route template and header', () => {
    const { e } = engine();
    added(e.add({ target: 'incoming', fault: { kind: 'error', status: 500 }, scope: { method: 'get', route: '/orders/:id', header: 'x-chaos: 1' } }));
    expect(e.headerScoped).toBe(true);
    expect(e.incoming(GET('/orders/7', { 'x-chaos': '1' }))?.status).toBe(500);
    expect(e.incoming(GET('/orders/7/'))).toBeUndefined(); // no header
    expect(e.incoming(GET('/orders/7', { 'x-chaos': '0' }))).toBeUndefined();
    expect(e.incoming(GET('/orders', { 'x-chaos': '1' }))).toBeUndefined();
    expect(e.incoming({ method: 'POST', path: '/orders/7', headers: { 'x-chaos': '1' } })).toBeUndefined();
    expect(e.stats()).toMatchObject({ matched: 1, injected: 1 });
  });

  it('matches outgoing by host, port and path; db by statement text', () => {
    const { e } = engine();
    const out = added(e.add({ target: 'outgoing', fault: { kind: 'reset' }, scope: { host: '127.0.0.1:3002', route: '/stock/*' } }));
    const db = added(e.add({ target: 'db', fault: { kind: 'error' }, scope: { statement: 'select STOCK' } }));
    expect(e.outgoing({ method: 'GET', host: '127.0.0.1', port: 3002, path: '/stock/1?x=1' }, undefined)?.ruleId).toBe(out.id);
    expect(e.outgoing({ method: 'GET', host: '127.0.0.1', port: 3003, path: '/stock/1' }, undefined)).toBeUndefined();
    expect(e.outgoing({ method: 'GET', host: '127.0.0.1', port: 3002, path: '/orders' }, undefined)).toBeUndefined();
    expect(e.statement({ system: 'sqlite', text: 'SELECT stock FROM products WHERE id = ?' }, undefined)?.ruleId).toBe(db.id);
    expect(e.statement({ system: 'sqlite', text: 'UPDATE products SET stock = 1' }, undefined)).toBeUndefined();
  });

  it('matches db statements by fingerprint, and says when the hooks must compute one', () => {
    const { e } = engine();
    expect(e.fingerprintScoped).toBe(false);
    expect(e.add({ target: 'db', fault: { kind: 'error' }, scope: { fingerprint: 'SELECT stock' } })).toMatchObject({ issues: [{ field: 'scope.fingerprint', message: expect.stringContaining('16 hex characters') }] });
    const db = added(e.add({ target: 'db', fault: { kind: 'error' }, scope: { fingerprint: '3F9A0C1D2E4B5A67' } }));
    expect(db.scope.fingerprint).toBe('3f9a0c1d2e4b5a67');
    expect(db.name).toBe('orders db query 3f9a0c1d2e4b5a67: error');
    expect(e.fingerprintScoped).toBe(true);
    expect(e.statement({ system: 'postgresql', text: 'SELECT 1', fingerprint: '3f9a0c1d2e4b5a67' }, undefined)?.ruleId).toBe(db.id);
    expect(e.statement({ system: 'postgresql', text: 'SELECT 1', fingerprint: '0000000000000000' }, undefined)).toBeUndefined();
    expect(e.statement({ system: 'postgresql', text: 'SELECT 1' }, undefined)).toBeUndefined();
    expect(e.add({ target: 'incoming', fault: { kind: 'error' }, scope: { fingerprint: '3f9a0c1d2e4b5a67' } })).toMatchObject({ issues: [{ field: 'scope.fingerprint', message: expect.stringContaining('does not apply to target "incoming"') }] });
    e.remove(db.id);
    expect(e.fingerprintScoped).toBe(false);
  });

  it('hits the given share of matching calls', () => {
    let i = 0;
    const seq = [0.1, 0.6, 0.2, 0.9];
    const { e } = engine({ random: () => seq[i++ % seq.length]! });
    const rule = added(e.add({ target: 'incoming', fault: { kind: 'abort' }, rate: 0.5 }));
    const hits = seq.map(() => e.incoming(GET('/')) !== undefined);
    expect(hits).toEqual([true, false, true, false]);
    expect(e.get(rule.id)).toMatchObject({ matched: 4, injected: 2 });
  });

  it('bounds the rules and counts the refused', () => {
    const { e } = engine({ maxRules: 2 });
    added(e.add({ target: 'incoming', fault: { kind: 'abort' } }));
    added(e.add({ target: 'incoming', fault: { kind: 'abort' } }));
    const r = e.add({ target: 'incoming', fault: { kind: 'abort' } });
    expect(r).toMatchObject({ limit: true });
    expect(e.stats().refused).toBe(1);
  });

  it('deletes one or all, with audit events naming the actor', () => {
    const seen: string[] = [];
    const { e, armed } = engine({ onEvent: (ev) => seen.push(`${ev.action}:${ev.actor}`) });
    const a = added(e.add({ target: 'incoming', fault: { kind: 'abort' } }, 'debugger@127.0.0.1'));
    added(e.add({ target: 'db', fault: { kind: 'error' } }));
    expect(e.remove('nope')).toBe(false);
    expect(e.remove(a.id, 'ui')).toBe(true);
    expect(e.clear('ui')).toBe(1);
    expect(e.list()).toEqual([]);
    expect(armed).toEqual([true, false]);
    expect(seen).toEqual(['rule.created:debugger@127.0.0.1', 'rule.created:api', 'rule.deleted:ui', 'rule.deleted:ui', 'rules.cleared:ui']);
  });

  it('keeps a bounded audit trail and counts what it dropped', () => {
    const { e } = engine({ maxEvents: 3 });
    for (let i = 0; i < 3; i++) added(e.add({ target: 'incoming', fault: { kind: 'abort' } }));
    e.clear();
    expect(e.stats()).toMatchObject({ events: 3, droppedEvents: 4 });
  });
});

describe('ChaosEngine.syncPulled (rules from a hub)', () => {
  it('adds, keeps and removes pulled rules by id, with the remaining time as expiry', () => {
    const { e, c } = engine();
    const hub = new ChaosEngine({ service: 'gateway', hub: true, timers: false });
    const r = added(hub.add({ target: 'db', fault: { kind: 'latency', ms: 50 }, scope: { service: 'orders', statement: 'SELECT' }, durationMs: 10_000 }));
    expect(e.syncPulled(hub.list('orders'))).toBe(0);
    expect(e.list()).toMatchObject([{ id: r.id, origin: 'hub', scope: { service: 'orders', statement: 'SELECT' } }]);
    expect(e.statement({ system: 'sqlite', text: 'SELECT 1' }, undefined)?.ruleId).toBe(r.id);
    c.advance(1000);
    e.syncPulled(hub.list('orders'));
    expect(e.list()).toHaveLength(1);
    e.syncPulled([]);
    expect(e.list()).toEqual([]);
  });

  it('refuses pulled rules that fail validation or carry no time', () => {
    const { e } = engine();
    const refused = e.syncPulled([{ id: 'x1', remainingMs: 1000, target: 'db', fault: { kind: 'abort' }, scope: { service: 'orders' } }, { id: 'x2', remainingMs: 0 }, null]);
    expect(refused).toBe(3);
    expect(e.list()).toEqual([]);
  });
});

describe('routePattern', () => {
  it('matches templates by segment', () => {
    expect(routePattern('/orders/:id').test('/orders/12')).toBe(true);
    expect(routePattern('/orders/:id').test('/orders/12/items')).toBe(false);
    expect(routePattern('/api/*').test('/api/x/y')).toBe(true);
    expect(routePattern('/api/*').test('/api')).toBe(true);
    expect(routePattern('/api/*').test('/apix')).toBe(false);
    expect(routePattern('/a.b').test('/aXb')).toBe(false);
  });
});
