import { describe, expect, it } from 'vitest';
import { EMPTY_CHAOS_FORM, fieldsFor, formToExperiment, formToRule, issuesByInput, postChaos, remainingLabel } from './chaos-api.js';

describe('chaos form', () => {
  it('sends only what the target and kind take, numbers as numbers, rate as a share', () => {
    expect(formToRule({ ...EMPTY_CHAOS_FORM, target: 'db', kind: 'error', statement: ' SELECT stock ', route: '/ignored', ratePct: '50', durationSec: '90' })).toEqual({
      target: 'db',
      fault: { kind: 'error' },
      scope: { statement: 'SELECT stock' },
      rate: 0.5,
      durationMs: 90_000,
    });
    expect(formToRule({ ...EMPTY_CHAOS_FORM, target: 'outgoing', kind: 'latency', ms: '250', host: 'inventory:3002' })).toMatchObject({
      fault: { kind: 'latency', ms: 250 },
      scope: { host: 'inventory:3002' },
    });
  });

  it('leaves what is not a number as typed, for the server to name', () => {
    expect(formToRule({ ...EMPTY_CHAOS_FORM, ms: 'soon', durationSec: 'x' })).toMatchObject({ fault: { ms: 'soon' }, durationMs: 'x' });
  });

  it('shows the inputs of the target', () => {
    expect(fieldsFor('db', 'timeout')).toEqual(['ms', 'service', 'statement', 'fingerprint', 'header']);
    expect(fieldsFor('incoming', 'error')).toEqual(['status', 'service', 'method', 'route', 'header']);
  });

  it('makes an experiment body without the rule duration', () => {
    const e = formToExperiment({ ...EMPTY_CHAOS_FORM, name: ' slow ', durationSec: '30' });
    expect(e).toMatchObject({ name: 'slow', durationMs: 30_000 });
    expect('durationMs' in e.rule).toBe(false);
  });

  it('puts each server issue beside its input', () => {
    expect(issuesByInput([
      { field: 'rule.fault.ms', message: 'ms bad' },
      { field: 'rate', message: 'rate bad' },
      { field: 'scope.statement', message: 'a' },
      { field: 'scope.statement', message: 'b' },
      { field: 'scope.nope', message: 'unknown' },
    ])).toEqual({ ms: 'ms bad', ratePct: 'rate bad', statement: 'a; b', form: 'unknown' });
  });

  it('labels the time left', () => {
    expect(remainingLabel(125_000)).toBe('2:05 left');
    expect(remainingLabel(12_000, 500)).toBe('12 s left');
    expect(remainingLabel(1000, 2000)).toBe('expiring');
  });

  it('returns the issues of a 400', async () => {
    const fake = async () => new Response(JSON.stringify({ error: 'bad', issues: [{ field: 'rate', message: 'rate must be...' }] }), { status: 400 });
    expect(await postChaos('api/chaos/rules', {}, fake)).toEqual({ ok: false, error: 'bad', issues: [{ field: 'rate', message: 'rate must be...' }] });
    const ok = async () => new Response(JSON.stringify({ id: 'c1' }), { status: 201 });
    expect(await postChaos('api/chaos/rules', {}, ok)).toEqual({ ok: true, value: { id: 'c1' } });
  });
});
