import { describe, expect, it, vi } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { REDACTED, type SpanRecord } from '@debugpanel/model';
import { debugPanelSpanProcessor, setupTracing } from './setup.js';

const fakeReq = (url: string, headers: Record<string, string> = {}) =>
  ({ method: 'GET', url, headers, httpVersion: '1.1', socket: {} }) as never;

describe('an app that registered its own TracerProvider', () => {
  it('is not fought: active=false, one warning, and spans reaching debugPanelSpanProcessor() are delivered', () => {
    // The app's set-up, as with NodeSDK: its own provider (with the panel's processor) and ALS.
    const appProvider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'their-service' }),
      spanProcessors: [debugPanelSpanProcessor()],
    });
    expect(trace.setGlobalTracerProvider(appProvider)).toBe(true);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const spans: SpanRecord[] = [];
    const tracing = setupTracing({ service: 'panel-name', onSpan: (s) => spans.push(s) });
    const second = setupTracing({ service: 'panel-2', onSpan: () => {} });
    expect(tracing.active).toBe(false);
    // The app already added the processor, so there is nothing to explain.
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();

    const s = tracing.startServerSpan(fakeReq('/x', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }));
    s.run(() => trace.getTracer('app').startSpan('inner').end());
    s.end(200);
    expect(spans.map((r) => [r.name, r.service])).toEqual([
      ['inner', 'their-service'],
      ['GET /x', 'their-service'],
    ]);
    expect(spans[1]?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    return Promise.all([tracing.shutdown(), second.shutdown()]);
  });

  it('warns once, naming debugPanelSpanProcessor, when the processor is missing', async () => {
    const state = (globalThis as Record<symbol, { externalProcessors: number; warnedInactive: boolean }>)[
      Symbol.for('debugpanel.tracing.state.v2')
    ]!;
    state.externalProcessors = 0;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const one = setupTracing({ service: 'a', onSpan: () => {} });
    const two = setupTracing({ service: 'b', onSpan: () => {} });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('debugPanelSpanProcessor()');
    warn.mockRestore();
    await one.shutdown();
    await two.shutdown();
  });

  it('a standalone debugPanelSpanProcessor({ onSpan }) converts spans for its own callback', () => {
    const got: SpanRecord[] = [];
    const provider = new BasicTracerProvider({ spanProcessors: [debugPanelSpanProcessor({ onSpan: (s) => got.push(s), service: 'solo' })] });
    provider.getTracer('t').startSpan('alone', { attributes: { apiKey: 'k' } }).end();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ name: 'alone', service: 'solo', attributes: { apiKey: REDACTED } });
  });
});
