import { ROOT_CONTEXT, SamplingDecision, SpanKind, TraceFlags, trace, type Context } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { alwaysOff, alwaysOn, parentBased, traceIdRatio } from './head.js';
import { isTraceIdSampled, traceIdHash } from './trace-id-ratio.js';

function ids(n: number, seed = 1): string[] {
  let x = seed;
  const hex = (): string => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0).toString(16).padStart(8, '0'));
  return Array.from({ length: n }, () => hex() + hex() + hex() + hex());
}

const decide = (s: ReturnType<typeof alwaysOn>, traceId: string, ctx: Context = ROOT_CONTEXT): SamplingDecision =>
  s.shouldSample(ctx, traceId, 'span', SpanKind.SERVER, {}, []).decision;

function withParent(sampled: boolean, isRemote: boolean): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote,
  });
}

describe('alwaysOn / alwaysOff', () => {
  it('sample everything / nothing', () => {
    expect(decide(alwaysOn(), ids(1)[0]!)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(alwaysOff(), ids(1)[0]!)).toBe(SamplingDecision.NOT_RECORD);
    expect(alwaysOn().toString()).toBe('AlwaysOnSampler');
  });
});

describe('traceIdRatio', () => {
  it('makes the same decisions as the OTel SDK TraceIdRatioBasedSampler', () => {
    for (const ratio of [0, 0.01, 0.25, 0.5, 1]) {
      const sdk = new TraceIdRatioBasedSampler(ratio);
      const ours = traceIdRatio(ratio);
      for (const id of ids(500, ratio * 100 + 3)) {
        expect(decide(ours, id)).toBe(sdk.shouldSample(ROOT_CONTEXT, id).decision);
      }
    }
  });

  it('samples close to the ratio, the same ids every time, nested across ratios', () => {
    const all = ids(20_000);
    const at10 = all.filter((id) => decide(traceIdRatio(0.1), id) === SamplingDecision.RECORD_AND_SAMPLED);
    expect(at10.length / all.length).toBeGreaterThan(0.09);
    expect(at10.length / all.length).toBeLessThan(0.11);
    const again = all.filter((id) => decide(traceIdRatio(0.1), id) === SamplingDecision.RECORD_AND_SAMPLED);
    expect(again).toEqual(at10);
    for (const id of at10) expect(isTraceIdSampled(id, 0.3)).toBe(true);
  });

  it('does not sample invalid trace ids, and refuses a ratio outside 0..1', () => {
    expect(decide(traceIdRatio(1), '0'.repeat(32))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(traceIdRatio(1), 'XYZ')).toBe(SamplingDecision.NOT_RECORD);
    for (const bad of [-0.1, 1.5, Number.NaN, '0.5']) {
      expect(() => traceIdRatio(bad as number)).toThrow(/from 0 to 1/);
    }
    expect(traceIdRatio(0.5).toString()).toBe('TraceIdRatioBased{0.5}');
  });

  it('hashes deterministically', () => {
    expect(traceIdHash('00000001000000020000000400000008')).toBe(1 ^ 2 ^ 4 ^ 8);
  });
});

describe('parentBased', () => {
  const id = ids(1)[0]!;
  it('asks root for a new trace', () => {
    expect(decide(parentBased({ root: alwaysOff() }), id)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(parentBased({ root: alwaysOn() }), id)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('follows the sampled flag of a remote or local parent by default', () => {
    const s = parentBased({ root: alwaysOff() });
    expect(decide(s, id, withParent(true, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(s, id, withParent(false, true))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(s, id, withParent(true, false))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(s, id, withParent(false, false))).toBe(SamplingDecision.NOT_RECORD);
  });

  it('uses the delegate given for each parent case', () => {
    const s = parentBased({ root: alwaysOff(), remoteParentNotSampled: alwaysOn(), localParentSampled: alwaysOff() });
    expect(decide(s, id, withParent(false, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(s, id, withParent(true, false))).toBe(SamplingDecision.NOT_RECORD);
    expect(s.toString()).toMatch(/^ParentBased\{root=AlwaysOffSampler, remoteParentSampled=AlwaysOnSampler/);
  });

  it('validates its options with clear messages', () => {
    expect(() => parentBased({} as never)).toThrow(/root must be a Sampler/);
    expect(() => parentBased({ root: alwaysOn(), remoteParent: alwaysOn() } as never)).toThrow(/unknown option "remoteParent"/);
    expect(() => parentBased({ root: alwaysOn(), localParentSampled: 5 } as never)).toThrow(/localParentSampled must be a Sampler/);
  });
});

describe('traceIdHash on odd input', () => {
  it('matches parseInt over 8-digit groups, upper case and non-hex included', () => {
    const slow = (id: string): number => {
      let acc = 0;
      for (let p = 0; p < id.length; p += 8) acc = (acc ^ (parseInt(id.slice(p, p + 8), 16) | 0)) >>> 0;
      return acc;
    };
    for (const id of ['4BF92F3577B34DA6A3CE929D0E0E4736', 'ffffffff', 'zz12', '12zz', '', 'abc', 'ffffffffffffffffffffffffffffffff']) {
      expect(traceIdHash(id)).toBe(slow(id));
    }
  });
});
