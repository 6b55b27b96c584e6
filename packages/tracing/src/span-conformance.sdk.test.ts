import { describe } from 'vitest';
import { context, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { SpanRecord } from '@debugpanel/model';
import { debugPanelSpanProcessor, setupTracing } from './setup.js';
import { spanConformance, SwitchSampler } from './span-conformance.suite.js';

// The app registered its own OTel SDK provider (with the panel's processor) before the panel:
// spans are the SDK's, converted and redacted when they end.
describe('span conformance: an app\'s own SDK provider with debugPanelSpanProcessor()', () => {
  spanConformance(() => {
    const spans: SpanRecord[] = [];
    const sampler = new SwitchSampler();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'conf' }),
      sampler,
      spanProcessors: [debugPanelSpanProcessor()],
    });
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    // instrument: true so outgoing http gets client spans and traceparent here too (an app would
    // usually bring OTel's http instrumentation instead).
    const tracing = setupTracing({ service: 'conf', onSpan: (s) => spans.push(s), redactKeys: ['card'], instrument: true });
    if (tracing.active) throw new Error('the app provider should be the global one here');
    const SdkSpan = Object.getPrototypeOf(provider.getTracer('probe').startSpan('probe')).constructor as new () => Span;
    spans.length = 0;
    return { name: 'sdk', tracing, spans, sampler, isPathSpan: (span: Span) => span instanceof SdkSpan };
  });
});
