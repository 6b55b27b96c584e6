import diagnosticsChannel from 'node:diagnostics_channel';
import type { TextMapSetter } from '@opentelemetry/api';
import { NO_TRACE_HEADER, startClientSpan, tracedContext, type ClientSpan } from './client-span.js';
import type { TracingState } from './state.js';

/**
 * Client spans for `fetch` (and the undici package) through undici's diagnostics channels,
 * which Node 20's bundled undici (6.x) publishes:
 * - `undici:request:create` `{ request }` before the request is sent; `request.addHeader()` can
 *   still add `traceparent`;
 * - `undici:request:headers` `{ request, response: { statusCode } }`;
 * - `undici:request:trailers` `{ request }` once the body is done: the span ends here;
 * - `undici:request:error` `{ request, error }`.
 * A response body that is never read ends no span; the WeakMap lets such requests be collected.
 */

interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
  /** undici 6: a flat [name, value, ...] array; undici 5: one `name: value\r\n` string. */
  headers: string[] | string;
  addHeader(name: string, value: string): unknown;
}

const spans = new WeakMap<object, ClientSpan>();

const SETTER: TextMapSetter<UndiciRequest> = {
  set(carrier, key, value) {
    carrier.addHeader(key, value);
  },
};

interface Origin {
  protocol: string;
  host: string;
  port: number;
}

/** Parsed origins; bounded because origins come from the app's traffic. */
const origins = new Map<string, Origin>();
const MAX_ORIGINS = 256;

function parseOrigin(origin: string | URL): Origin {
  const key = String(origin);
  let parsed = origins.get(key);
  if (parsed === undefined) {
    const url = typeof origin === 'string' ? new URL(origin) : origin;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    parsed = { protocol: url.protocol, host, port };
    if (origins.size >= MAX_ORIGINS) origins.clear();
    origins.set(key, parsed);
  }
  return parsed;
}

function hasHeader(headers: string[] | string, name: string): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return true;
    }
    return false;
  }
  return typeof headers === 'string' && headers.toLowerCase().includes(`${name}:`);
}

export interface FetchSubscription {
  unsubscribe(): void;
}

export function subscribeFetch(state: TracingState): FetchSubscription {
  const onCreate = (message: unknown): void => {
    const ctx = tracedContext(state);
    if (ctx === undefined) return;
    const request = (message as { request: UndiciRequest }).request;
    if (hasHeader(request.headers, NO_TRACE_HEADER)) return;
    const origin = parseOrigin(request.origin);
    const canInject = typeof request.addHeader === 'function' && !hasHeader(request.headers, 'traceparent');
    const client = startClientSpan(
      state,
      ctx,
      { method: request.method, protocol: origin.protocol, host: origin.host, port: origin.port, path: request.path },
      canInject ? request : undefined,
      SETTER,
    );
    if (client !== undefined) spans.set(request, client);
  };
  const onHeaders = (message: unknown): void => {
    const m = message as { request: object; response: { statusCode: number } };
    spans.get(m.request)?.response(m.response.statusCode);
  };
  const onTrailers = (message: unknown): void => {
    const request = (message as { request: object }).request;
    const client = spans.get(request);
    if (client === undefined) return;
    spans.delete(request);
    client.end();
  };
  const onError = (message: unknown): void => {
    const m = message as { request: object; error: unknown };
    const client = spans.get(m.request);
    if (client === undefined) return;
    spans.delete(m.request);
    client.error(m.error);
    client.end();
  };
  const channels: Array<[string, (message: unknown) => void]> = [
    ['undici:request:create', onCreate],
    ['undici:request:headers', onHeaders],
    ['undici:request:trailers', onTrailers],
    ['undici:request:error', onError],
  ];
  // A throwing subscriber would surface as an uncaught exception in the app: guard them all.
  const guarded = channels.map(([name, fn]): [string, (message: unknown) => void] => [
    name,
    (message) => {
      try {
        fn(message);
      } catch {
        state.outgoingErrors++;
      }
    },
  ]);
  for (const [name, fn] of guarded) diagnosticsChannel.subscribe(name, fn);
  return {
    unsubscribe() {
      for (const [name, fn] of guarded) diagnosticsChannel.unsubscribe(name, fn);
    },
  };
}
