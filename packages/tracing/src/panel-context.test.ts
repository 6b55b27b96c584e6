import { describe, expect, it } from 'vitest';
import { createContextKey, trace } from '@opentelemetry/api';
import { PanelContext } from './panel-context.js';

describe('PanelContext', () => {
  const A = createContextKey('a');
  const B = createContextKey('b');
  const root = new PanelContext(undefined, A, 1);

  it('reads its own and inherited values, and nothing else', () => {
    const child = root.setValue(B, 2);
    expect(child.getValue(A)).toBe(1);
    expect(child.getValue(B)).toBe(2);
    expect(root.getValue(B)).toBeUndefined();
    expect(child.getValue(createContextKey('other'))).toBeUndefined();
  });

  it('is immutable: setValue and deleteValue return new contexts', () => {
    const shadowed = root.setValue(A, 3);
    const deleted = shadowed.deleteValue(A);
    expect(root.getValue(A)).toBe(1);
    expect(shadowed.getValue(A)).toBe(3);
    expect(deleted.getValue(A)).toBeUndefined();
  });

  it('works with the OTel API helpers', () => {
    const span = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    const ctx = trace.setSpan(root, span);
    expect(trace.getSpan(ctx)).toBe(span);
    expect(trace.getSpan(trace.deleteSpan(ctx))).toBeUndefined();
  });
});
