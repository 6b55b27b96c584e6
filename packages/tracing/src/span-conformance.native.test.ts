import { describe } from 'vitest';
import type { Span } from '@opentelemetry/api';
import type { SpanRecord } from '@debugpanel/model';
import { NativeSpan } from './native-span.js';
import { setupTracing } from './setup.js';
import { spanConformance, SwitchSampler } from './span-conformance.suite.js';

// The panel's own provider is the global one: every span is a NativeSpan over its SpanRecord.
describe('span conformance: native spans (the panel provider is global)', () => {
  spanConformance(() => {
    const spans: SpanRecord[] = [];
    const sampler = new SwitchSampler();
    const tracing = setupTracing({ service: 'conf', onSpan: (s) => spans.push(s), sampler, redactKeys: ['card'] });
    if (!tracing.active) throw new Error('the panel provider should be the global one here');
    return {
      name: 'native',
      tracing,
      spans,
      sampler,
      isPathSpan: (span: Span) => span instanceof NativeSpan,
      liveRecord: (span: Span) => (span as NativeSpan).record,
    };
  });
});
