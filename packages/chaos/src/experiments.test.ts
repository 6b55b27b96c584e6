import { describe, expect, it } from 'vitest';
import type { ChaosExperiment } from '@debugpanel/model';
import { ChaosEngine } from './engine.js';
import { ChaosExperiments, judge } from './experiments.js';

function setup() {
  let t = 1_000_000;
  const seen = { faultedTraceIds: ['t1', 't2'], faultedSpans: 2, signals: [], incidents: null as null | Array<{ id: string; title: string; openedAt: number; suspects: string[] }> };
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
  it('caught: the first incident in time, and whether its top suspect names the target', () => {
    const v = judge(base, { faultedTraceIds: ['a'], faultedSpans: 5, signals: [], incidents: [{ id: 'i1', title: 'latency up', openedAt: 18_000, suspects: ['inventory SELECT stock', 'orders'] }] }, 70_000);
    expect(v).toMatchObject({ caught: true, incident: { id: 'i1', firedAfterMs: 18_000 }, topSuspect: { namesTarget: true } });
    expect(v.summary).toBe('Caught in 18 s; ranked `inventory SELECT stock` first.');
    expect(v.expectations.map((e) => e.met)).toEqual([true, true, true]);
  });
  it('not caught when no incident fired, and nothing injected when nothing matched', () => {
    expect(judge({ ...base, rule: { ...base.rule, injected: 0 } }, { faultedTraceIds: [], faultedSpans: 0, signals: [], incidents: [] }, 1).summary).toMatch(/^Nothing injected/);
    const v = judge(base, { faultedTraceIds: ['a'], faultedSpans: 1, signals: [], incidents: [] }, 1);
    expect(v.caught).toBe(false);
    expect(v.summary).toMatch(/^Not caught: no incident or alert fired/);
  });
});
