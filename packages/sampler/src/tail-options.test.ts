import { isLocalRoot } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_POLICIES } from './options.js';
import { resolveTailOptions } from './tail-options.js';

const onKeep = (): void => {};

describe('resolveTailOptions', () => {
  it.each([
    [{}, /TailSampler: onKeep must be a function \(spans, reason\) => void that stores kept spans, got undefined/],
    [null, /TailSampler: options must be an object, got null/],
    [{ onKeep, graceMS: 5 }, /unknown option "graceMS"; did you mean "graceMs"\?/],
    [{ onKeep, maxPendingTraces: 0 }, /maxPendingTraces must be a number >= 1/],
    [{ onKeep, graceMs: -1 }, /graceMs must be a number >= 0, got number -1/],
    [{ onKeep, now: 5 }, /now must be a function/],
    [{ onKeep, onDrop: 'x' }, /onDrop must be a function \(traceId, reason\) => void/],
    [{ onKeep, keepAll: 1 }, /keepAll must be true or false/],
    [{ onKeep, policies: 'production' }, /policies must be an object/],
    [{ onKeep, policies: { probabilistic: 2 } }, /probabilistic must be a number from 0 to 1/],
    [{ onKeep, policies: { latency: {} } }, /latency needs thresholdMs or aboveRouteP99/],
    [{ onKeep, policies: { rate: { perRoute: 0 } } }, /rate.perRoute must be a number > 0/],
    [{ onKeep, policies: { attributes: [{ key: '' }] } }, /attributes\[0\].key must be a non-empty string/],
    [{ onKeep, policies: { attributes: [{}] } }, /attributes\[0\].key must be a non-empty string, got undefined/],
    [{ onKeep, policies: { drop: { routes: [5] } } }, /drop.routes must be an array of strings and RegExps/],
    [{ onKeep, policies: { erorr: true } }, /unknown option "policies.erorr"; did you mean "policies.error"\?/],
  ])('refuses %o', (options, message) => {
    expect(() => resolveTailOptions(options as never, {})).toThrow(message);
  });

  it('fills in the defaults: keep all outside production, the production policies in production', () => {
    const dev = resolveTailOptions({ onKeep }, {});
    expect(dev).toMatchObject({
      keepAll: true, policies: PRODUCTION_POLICIES, graceMs: 2000, maxAgeMs: 30_000, maxPendingTraces: 2000,
      maxSpansPerTrace: 1000, decisionCacheSize: 10_000, maxRoutes: 1000, tickIntervalMs: 250, now: Date.now, isLocalRoot,
    });
    expect(resolveTailOptions({ onKeep }, { NODE_ENV: 'production' }).keepAll).toBe(false);
    expect(resolveTailOptions({ onKeep }, { NODE_ENV: ' Production' }).keepAll).toBe(false);
    expect(resolveTailOptions({ onKeep, production: true }, {}).keepAll).toBe(false);
    expect(resolveTailOptions({ onKeep, policies: { error: true } }, {}).keepAll).toBe(false);
    expect(resolveTailOptions({ onKeep, policies: { error: true }, keepAll: true }, {}).keepAll).toBe(true);
  });

  it('takes counts as whole numbers and leaves times as given', () => {
    const o = resolveTailOptions({ onKeep, maxPendingTraces: 10.7, maxRoutes: 2.2, graceMs: 0.5 }, {});
    expect(o).toMatchObject({ maxPendingTraces: 10, maxRoutes: 2, graceMs: 0.5 });
  });
});
