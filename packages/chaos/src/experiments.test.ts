import { describe, expect, it } from 'vitest';
import type { ChaosExperiment } from '@debugpanel/model';
import { ChaosEngine } from './engine.js';
import { ChaosExperiments, judge, type ObservedIncident } from './experiments.js';

function setup() {
  let t = 1_000_000;
  const seen = { faultedTraceIds: ['t1', 't2'], faultedSpans: 2, signals: [], incidents: null as null | ObservedIncident[] };
  const experiments: { x?: ChaosExperiments } = {};
  const engine = new ChaosEngine({ service: 'inventory', now: () => t, timers: false, onRuleEnd: (r, why) => experiments.x?.ruleEnded(r, why) });
  experiments.x = new ChaosExperiments(engine, { observe: () => seen }, { timers: false, max: 2 });
  return { engine, x: experiments.x, seen, advance: (ms: number) => (t += ms) };
}

describe('ChaosExperiments', () => {
  it('runs its rule for the duration, finishes when it expires, and keeps a verdict', () => {
    const { engine, x, advance } = setup();
    const r = x.start({ name: 'slow stock', rule: { target: 'db', fault: { kind: 'error' }, scope: { statement: 'SELECT stock' } }, durationMs: 10_000 });
    if (!('experiment' in r)) throw new Error(JSON.stringify(r.issues));
    expect(r.experiment).toMatchObject({ status: 'running', rule: { durationMs: 10_000, experimentId: r.experiment.id } });
    engine.statement({ system: 'sqlite', text: 'SELECT stock FROM s' }, undefined);
    advance(10_000);
    engine.sweep();
    expect(x.get(r.experiment.id)!.status).toBe('finished');
    const v = x.decide(r.experiment.id)!;
    expect(v).toMatchObject({ caught: null, injected: 2, faultedTraces: 2, traceIds: ['t1', 't2'] });
    expect(engine.events().map((e) => e.action)).toEqual(['rule.created', 'experiment.started', 'rule.expired', 'experiment.ended']);
  });

  it('refuses bad input by field, the rule\'s under rule.', () => {
    const { x } = setup();
    const r = x.start({ name: 'x', rule: { target: 'db', fault: { kind: 'abort' } }, durationMs: 20 * 60_000, expect: { nope: 1 } });
    expect('issues' in r && r.issues.map((i) => i.field).sort()).toEqual(['durationMs', 'expect.nope', 'rule.fault.kind']);
  });

  it('keeps at most max experiments, dropping the oldest finished', () => {
    const { engine, x } = setup();
    const ids = [0, 1, 2].map((i) => {
      const r = x.start({ name: `e${i}`, rule: { target: 'db', fault: { kind: 'error' } }, durationMs: 60_000 });
      if (!('experiment' in r)) throw new Error('refused');
      engine.remove(r.experiment.rule.id);
      return r.experiment.id;
    });
    expect(x.list().map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(x.stats()).toEqual({ experiments: 2, droppedExperiments: 1 });
  });
});

describe('judge', () => {
  const base: ChaosExperiment = {
    id: 'x1', name: 'e', status: 'finished', startedAt: 0, endsAt: 60_000, finishedAt: 60_000, expect: {},
    rule: { id: 'c1', name: 'r', target: 'db', fault: { kind: 'latency', ms: 300, status: 0, message: '' }, scope: { service: 'inventory', statement: 'SELECT stock' }, rate: 1, durationMs: 60_000, createdAt: 0, expiresAt: 60_000, remainingMs: 0, matched: 5, injected: 5, origin: 'local' },
  };
  const slow = { service: 'inventory', operation: 'SELECT stock FROM stock WHERE sku = ?' };
  it('caught: the first incident in time, and whether its top suspect names the target', () => {
    const v = judge(base, { faultedTraceIds: ['a'], faultedSpans: 5, signals: [], incidents: [{ id: 'i1', title: 'latency up', openedAt: 18_000, firedAt: 28_000, state: 'firing', suspects: [slow, { service: 'orders' }] }] }, 70_000);
    expect(v).toMatchObject({ caught: true, incident: { id: 'i1', firedAfterMs: 18_000, alertAfterMs: 28_000 }, topSuspect: { service: 'inventory', operation: slow.operation, namesTarget: true } });
    expect(v.summary).toBe('Caught in 18 s; ranked `inventory` `SELECT stock FROM stock WHERE sku = ?` first. Alert fired after 28 s.');
    expect(v.expectations.map((e) => e.met)).toEqual([true, true, true]);
  });
  it('a suspect in the right service but another operation does not name a statement rule', () => {
    const v = judge(base, { faultedTraceIds: ['a'], faultedSpans: 5, signals: [], incidents: [{ id: 'i1', title: 't', openedAt: 9_000, state: 'pending', suspects: [{ service: 'inventory', operation: 'GET /stock' }] }] }, 70_000);
    expect(v.topSuspect).toMatchObject({ name: 'inventory GET /stock', namesTarget: false });
    expect(v.summary).toBe('Caught in 9.0 s; ranked `inventory` `GET /stock` first, not the injected target. The alert was still pending.');
    expect(v.expectations[2]).toMatchObject({ expectation: 'the top suspect names `inventory` and `SELECT stock`', met: false });
  });
  it('an incident before the start or after expect.withinMs does not catch it', () => {
    const late = judge({ ...base, expect: { withinMs: 10_000 } }, { faultedTraceIds: ['a'], faultedSpans: 5, signals: [], incidents: [{ id: 'old', title: 't', openedAt: -5_000, suspects: [slow] }, { id: 'i2', title: 't', openedAt: 25_000, suspects: [slow] }] }, 70_000);
    expect(late).toMatchObject({ caught: false, incident: { id: 'i2', firedAfterMs: 25_000 } });
    expect(late.summary).toMatch(/^Not caught: the first incident opened after 25 s, later than 10 s; 5 faults in 1 trace\./);
  });
  it('names the target by expect.suspect, or for an outgoing rule by the called host', () => {
    const own = judge({ ...base, expect: { suspect: 'SELECT stock' } }, { faultedTraceIds: [], faultedSpans: 1, signals: [], incidents: [{ id: 'i', title: 't', openedAt: 1, suspects: [{ service: 'orders', operation: 'SELECT stock x' }] }] }, 1);
    expect(own.topSuspect?.namesTarget).toBe(true);
    const out = { ...base, rule: { ...base.rule, target: 'outgoing' as const, scope: { service: 'orders', host: 'inventory:3002' } } };
    const hit = (suspect: { service: string; operation?: string }) => judge(out, { faultedTraceIds: [], faultedSpans: 1, signals: [], incidents: [{ id: 'i', title: 't', openedAt: 1, suspects: [suspect] }] }, 1).topSuspect?.namesTarget;
    expect(hit({ service: 'inventory', operation: 'GET /stock' })).toBe(true);
    expect(hit({ service: 'orders', operation: 'GET /products' })).toBe(false);
  });
  it('not caught when no incident fired, and nothing injected when nothing matched', () => {
    expect(judge({ ...base, rule: { ...base.rule, injected: 0 } }, { faultedTraceIds: [], faultedSpans: 0, signals: [], incidents: [] }, 1).summary).toMatch(/^Nothing injected/);
    const v = judge(base, { faultedTraceIds: ['a'], faultedSpans: 1, signals: [], incidents: [] }, 1);
    expect(v.caught).toBe(false);
    expect(v.summary).toMatch(/^Not caught: no alert fired; 5 faults in 1 trace\./);
  });
});
