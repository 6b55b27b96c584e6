import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { ERROR_TYPE, EXCEPTION_MESSAGE, EXCEPTION_STACKTRACE, EXCEPTION_TYPE } from './semconv.js';

/**
 * `exception.*` attributes for anything thrown. The type is the class name (`NotFoundError`), or
 * an explicit `name` that differs from the default `Error`; non-errors report their `typeof`.
 */
export function exceptionAttributes(err: unknown): Attributes {
  if (err !== null && typeof err === 'object') {
    const e = err as { name?: unknown; message?: unknown; stack?: unknown; constructor?: { name?: unknown } };
    const ctor = typeof e.constructor?.name === 'string' ? e.constructor.name : '';
    const name = typeof e.name === 'string' ? e.name : '';
    const type = name && name !== 'Error' ? name : ctor && ctor !== 'Object' ? ctor : name || 'Error';
    const attributes: Attributes = { [EXCEPTION_TYPE]: type };
    attributes[EXCEPTION_MESSAGE] = typeof e.message === 'string' ? e.message : safeString(err);
    if (typeof e.stack === 'string') attributes[EXCEPTION_STACKTRACE] = e.stack;
    return attributes;
  }
  return { [EXCEPTION_TYPE]: typeof err, [EXCEPTION_MESSAGE]: safeString(err) };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}

/** Adds the `exception` event, `error.type` and status error to a span. */
export function recordException(span: Span, err: unknown): void {
  const attributes = exceptionAttributes(err);
  span.addEvent('exception', attributes);
  span.setAttribute(ERROR_TYPE, attributes[EXCEPTION_TYPE] as string);
  span.setStatus({ code: SpanStatusCode.ERROR, message: attributes[EXCEPTION_MESSAGE] as string });
}
