import { afterAll, describe, expect, it, vi } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { SpanRecord } from '@debugpanel/model';
import { setupTracing } from './setup.js';

const fakeReq = (url: string) => ({ method: 'GET', url, headers: {}, httpVersion: '1.1', socket: {} }) as never;

describe('several setupTracing handles in one process', () => {
  const a: SpanRecord[] = [];
  const b: SpanRecord[] = [];
  const tracingA = setupTracing({ service: 'app-a', onSpan: (s) => a.push(s) });
  const tracingB = setupTracing({ service: 'app-b', onSpan: (s) => b.push(s) });
  afterAll(async () => {
    await tracingA.shutdown();
    await tracingB.shutdown();
  });

  it('both are active on one provider', () => {
    expect(tracingA.active).toBe(true);
    expect(tracingB.active).toBe(true);
    expect(tracingA.tracer).toBe(tracingB.tracer);
  });

  it('delivers a request and its child spans to the handle that started it, named after its service', () => {
    const s = tracingA.startServerSpan(fakeReq('/a'));
    s.run(() => trace.getTracer('app').startSpan('child').end());
    s.end(200);
    expect(a.map((x) => `${x.service} ${x.name}`)).toEqual(['app-a child', 'app-a GET /a']);
    expect(b).toEqual([]);
    const t = tracingB.startServerSpan(fakeReq('/b'));
    t.end(204);
    expect(b.map((x) => `${x.service} ${x.name}`)).toEqual(['app-b GET /b']);
    expect(a).toHaveLength(2);
  });

  it('fans spans started outside any request out to every handle', () => {
    trace.getTracer('app').startSpan('background').end();
    expect(a.at(-1)).toMatchObject({ name: 'background', service: 'app-a' });
    expect(b.at(-1)).toMatchObject({ name: 'background', service: 'app-b' });
  });

  it('counts and survives an onSpan that throws, warning once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const bad = setupTracing({ service: 'bad', onSpan: () => { throw new Error('sink down'); } });
    const s = bad.startServerSpan(fakeReq('/1'));
    expect(() => s.end(200)).not.toThrow();
    bad.startServerSpan(fakeReq('/2')).end(200);
    expect(bad.stats()).toMatchObject({ spansEnded: 2, droppedSpans: 2 });
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    return bad.shutdown();
  });

  it('stops delivering to a handle after its shutdown; the others keep going', async () => {
    const c: SpanRecord[] = [];
    const tracingC = setupTracing({ service: 'app-c', onSpan: (s) => c.push(s) });
    const inFlight = tracingC.startServerSpan(fakeReq('/late'));
    await tracingC.shutdown();
    inFlight.end(200);
    trace.getTracer('app').startSpan('after').end();
    expect(c).toEqual([]);
    expect(a.at(-1)?.name).toBe('after');
  });

  it('calls onSpan outside the trace of the ended span, with tracing suppressed', () => {
    const seen: Array<{ active: unknown; suppressed: boolean }> = [];
    const probe = setupTracing({
      service: 'probe',
      onSpan: () => seen.push({ active: trace.getSpan(context.active()), suppressed: isTracingSuppressed(context.active()) }),
    });
    const s = probe.startServerSpan(fakeReq('/p'));
    s.run(() => trace.getTracer('app').startSpan('inner').end());
    s.end(200);
    expect(seen).toEqual([
      { active: undefined, suppressed: true },
      { active: undefined, suppressed: true },
    ]);
    return probe.shutdown();
  });

  it('validates options with messages that say what to do', () => {
    expect(() => setupTracing({ service: '', onSpan: () => {} })).toThrow(/non-empty string/);
    expect(() => setupTracing({ service: 's' } as never)).toThrow(/onSpan/);
    expect(() => setupTracing({ service: 's', onSpan: () => {}, redactKeys: 'x' } as never)).toThrow(/redactKeys/);
    expect(() => setupTracing({ service: 's', onSpan: () => {}, sevice: 'x' } as never)).toThrow(/unknown option "sevice"; did you mean "service"\?/);
    expect(() => setupTracing({ service: 's', onSpan: () => {}, sampler: 0.5 } as never)).toThrow(/sampler must be an OpenTelemetry Sampler/);
  });
});
