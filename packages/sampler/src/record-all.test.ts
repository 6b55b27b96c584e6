import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SamplingDecision, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { alwaysOff, alwaysOn, parentBased, recordAll, traceIdRatio } from './head.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const withParent = (sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: '00f067aa0ba902b7', traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });

describe('recordAll', () => {
  it('records what the inner sampler would not, without sampling it', () => {
    const s = recordAll(parentBased({ root: alwaysOn() }));
    expect(s.shouldSample(withParent(false), TRACE, 'x', SpanKind.SERVER, {}, []).decision).toBe(SamplingDecision.RECORD);
    expect(s.shouldSample(withParent(true), TRACE, 'x', SpanKind.SERVER, {}, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(recordAll(alwaysOff()).shouldSample(ROOT_CONTEXT, TRACE, 'x', SpanKind.INTERNAL, {}, []).decision).toBe(SamplingDecision.RECORD);
  });

  it('keeps the inner decision for sampled roots', () => {
    const s = recordAll(traceIdRatio(1));
    expect(s.shouldSample(ROOT_CONTEXT, TRACE, 'x', SpanKind.SERVER, {}, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(s.toString()).toMatch(/^RecordAll\{/);
  });
});
