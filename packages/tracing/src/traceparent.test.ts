import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { parseTraceParent as coreParseTraceParent } from '@opentelemetry/core';
import { contextFromHeaders, parseTraceparent } from './traceparent.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it.each([
    ['version 00, sampled', `00-${TRACE}-${SPAN}-01`, 1],
    ['version 00, not sampled', `00-${TRACE}-${SPAN}-00`, 0],
    ['unknown flag bits are still valid', `00-${TRACE}-${SPAN}-ff`, 255],
    ['future version, exactly 55 chars', `cc-${TRACE}-${SPAN}-01`, 1],
    ['future version with extra fields after a dash', `cc-${TRACE}-${SPAN}-01-what-the-future-holds`, 1],
  ])('accepts %s', (_label, header, flags) => {
    expect(parseTraceparent(header)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: flags });
  });

  const invalid: Array<[string, string | undefined]> = [
    ['undefined', undefined],
    ['empty', ''],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['non-hex version', `0g-${TRACE}-${SPAN}-01`],
    ['upper-case version', `0A-${TRACE}-${SPAN}-01`],
    ['version 00 with trailing data', `00-${TRACE}-${SPAN}-01-extra`],
    ['version 00 with a trailing dash', `00-${TRACE}-${SPAN}-01-`],
    ['future version longer without a dash', `cc-${TRACE}-${SPAN}-01x`],
    ['trace id too short', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['trace id too long', `00-${TRACE}a-${SPAN}-01`],
    ['span id too short', `00-${TRACE}-${SPAN.slice(1)}-01`],
    ['span id too long', `00-${TRACE}-${SPAN}a-01`],
    ['upper-case trace id', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['upper-case span id', `00-${TRACE}-00F067AA0BA902B7-01`],
    ['upper-case flags', `00-${TRACE}-${SPAN}-0A`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['one flag digit', `00-${TRACE}-${SPAN}-1`],
    ['three flag digits', `00-${TRACE}-${SPAN}-001`],
    ['non-hex flags', `00-${TRACE}-${SPAN}-0x`],
    ['wrong separator', `00_${TRACE}-${SPAN}-01`],
    ['leading space', ` 00-${TRACE}-${SPAN}-01`],
    ['two headers joined by Node', `00-${TRACE}-${SPAN}-01, 00-${TRACE}-${SPAN}-01`],
  ];
  it.each(invalid)('rejects %s', (_label, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('is stricter than @opentelemetry/core exactly where core is lax (surrounding whitespace)', () => {
    const acceptedByCore = invalid
      .filter(([, header]) => header !== undefined && coreParseTraceParent(header) !== null)
      .map(([label]) => label);
    expect(acceptedByCore).toEqual(['leading space']);
  });
});

describe('contextFromHeaders', () => {
  it('adopts a valid traceparent as remote parent and passes tracestate on', () => {
    const ctx = contextFromHeaders(ROOT_CONTEXT, `00-${TRACE}-${SPAN}-01`, 'vendor=abc,other=1');
    const sc = trace.getSpanContext(ctx);
    expect(sc).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(sc?.traceState?.serialize()).toBe('vendor=abc,other=1');
  });

  it('returns the base context (new trace, tracestate ignored) for an invalid traceparent', () => {
    const ctx = contextFromHeaders(ROOT_CONTEXT, `00-${TRACE.toUpperCase()}-${SPAN}-01`, 'vendor=abc');
    expect(ctx).toBe(ROOT_CONTEXT);
  });

  it('treats several traceparent headers as invalid', () => {
    expect(contextFromHeaders(ROOT_CONTEXT, [`00-${TRACE}-${SPAN}-01`], undefined)).toBe(ROOT_CONTEXT);
  });

  it('joins several tracestate headers and keeps only the known flag bits', () => {
    const ctx = contextFromHeaders(ROOT_CONTEXT, `00-${TRACE}-${SPAN}-ff`, ['a=1', 'b=2']);
    const sc = trace.getSpanContext(ctx);
    expect(sc?.traceFlags).toBe(3);
    expect(sc?.traceState?.serialize()).toBe('a=1,b=2');
  });
});
