import diagnosticsChannel from 'node:diagnostics_channel';
import { context, type TextMapSetter } from '@opentelemetry/api';
import type { FaultDecision } from '@debugpanel/model';
import { isIgnored, NO_TRACE_HEADER, startClientSpan, tracedContext, type ClientSpan } from './client-span.js';
import { faultError, markFault, outgoingFault, PENDING_FAULT_KEY } from './faults.js';
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
    if (client !== undefined) {
      spans.set(request, client);
      // a latency fault of the fetch wrapper (see syncFetchFaults) marks the real call's span
      if (state.faults !== undefined) {
        const pending = ctx.getValue(PENDING_FAULT_KEY) as FaultDecision | undefined;
        if (pending !== undefined) markFault(client.span, pending);
      }
    }
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

// ---- faults (chaos) on fetch ----

const FAULT_WRAPPER = Symbol.for('debugpanel.tracing.faultFetch');

function callOf(input: unknown, init: { method?: string; headers?: unknown } | undefined): { url: URL; method: string; noTrace: boolean } | undefined {
  let url: URL;
  let method = init?.method;
  let headers = init?.headers;
  if (typeof input === 'string') url = new URL(input);
  else if (input instanceof URL) url = input;
  else if (input !== null && typeof input === 'object' && typeof (input as Request).url === 'string') {
    url = new URL((input as Request).url);
    method ??= (input as Request).method;
    headers ??= (input as Request).headers;
  } else return undefined;
  let noTrace = false;
  if (headers !== undefined && headers !== null) {
    if (typeof (headers as Headers).has === 'function') noTrace = (headers as Headers).has(NO_TRACE_HEADER);
    else if (Array.isArray(headers)) noTrace = headers.some((h) => String(h?.[0]).toLowerCase() === NO_TRACE_HEADER);
    else noTrace = Object.keys(headers as object).some((k) => k.toLowerCase() === NO_TRACE_HEADER);
  }
  return { url, method: (method ?? 'GET').toUpperCase(), noTrace };
}

function abortable(ms: number, signal: AbortSignal | undefined | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Puts a wrapper around the global `fetch` while a fault injector is set, and takes it off when
 * none is (only if nobody replaced `fetch` since). Code that kept its own reference to `fetch`
 * from before is not reached. Faults, as undici would report the real failure:
 * - latency: the response is handed over `ms` later (an abort signal still aborts);
 * - error: a `Response` with the status and a JSON body, nothing sent;
 * - reset: `TypeError: fetch failed` with an ECONNRESET cause;
 * - timeout: nothing answers; the request's signal (`AbortSignal.timeout()`) aborts it, else after
 *   `ms` a `TypeError: fetch failed` with an UND_ERR_CONNECT_TIMEOUT cause.
 */
export function syncFetchFaults(state: TracingState): void {
  const g = globalThis as { fetch?: typeof fetch };
  if (state.faults !== undefined) {
    if (state.fetchBeforeFaults !== undefined || typeof g.fetch !== 'function') return;
    const original = g.fetch;
    state.fetchBeforeFaults = original;
    const wrapped = function fetch(this: unknown, input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit): Promise<Response> {
      if (state.faults === undefined) return original.call(this, input, init);
      let decision: FaultDecision | undefined;
      let call: ReturnType<typeof callOf>;
      try {
        call = callOf(input, init);
        if (call !== undefined && !call.noTrace) {
          const origin = parseOrigin(call.url.origin);
          const target = { method: call.method, protocol: origin.protocol, host: origin.host, port: origin.port, path: call.url.pathname + call.url.search };
          if (!isIgnored(state, target)) decision = outgoingFault(state, target);
          if (decision !== undefined) return injectFetchFault(state, decision, target, original, this, input, init);
        }
      } catch {
        state.outgoingErrors++;
      }
      return original.call(this, input, init);
    } as typeof fetch & { [FAULT_WRAPPER]?: true };
    wrapped[FAULT_WRAPPER] = true;
    g.fetch = wrapped;
    return;
  }
  const before = state.fetchBeforeFaults;
  if (before === undefined) return;
  state.fetchBeforeFaults = undefined;
  if ((g.fetch as { [FAULT_WRAPPER]?: true } | undefined)?.[FAULT_WRAPPER]) g.fetch = before;
}

async function injectFetchFault(
  state: TracingState,
  d: FaultDecision,
  target: { method: string; protocol: string; host: string; port: number; path: string },
  original: typeof fetch,
  self: unknown,
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
): Promise<Response> {
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
  if (d.kind === 'latency') {
    // The undici span of this very fetch reads the decision from the context and is marked.
    const ctx = context.active().setValue(PENDING_FAULT_KEY, d);
    const res = await context.with(ctx, () => original.call(self, input, init));
    await abortable(d.ms, signal);
    return res;
  }
  // Nothing is sent: the span is the panel's own.
  const ctx = tracedContext(state);
  const client = ctx === undefined ? undefined : startClientSpan<UndiciRequest>(state, ctx, target, undefined, SETTER);
  markFault(client?.span, d);
  try {
    if (d.kind === 'error') {
      const body = JSON.stringify({ error: d.message, rule: d.ruleId });
      client?.response(d.status);
      return new Response(body, { status: d.status, headers: { 'content-type': 'application/json', 'x-debugpanel-chaos': d.ruleId } });
    }
    if (d.kind === 'timeout') await abortable(d.ms, signal);
    const cause = faultError(d, d.kind === 'timeout' ? 'UND_ERR_CONNECT_TIMEOUT' : 'ECONNRESET');
    const err = new TypeError('fetch failed', { cause });
    client?.error(cause);
    throw err;
  } catch (err) {
    // an abort (the app's own timeout) is what the app sees, and the span records it
    if (client !== undefined && (err as Error)?.message !== 'fetch failed') client.error(err);
    throw err;
  } finally {
    client?.end();
  }
}
