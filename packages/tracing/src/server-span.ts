import type { IncomingMessage } from 'node:http';
import {
  context,
  defaultTextMapGetter,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { isHttpErrorStatus, type Attributes as RecordAttributes, type FaultHeaders, type Redactor } from '@debugpanel/model';
import { FAULT_HEADERS_KEY } from './faults.js';
import { recordException } from './exception.js';
import { NativeSpan, type NativeTracer } from './native-span.js';
import type { Sink } from './processor.js';
import {
  CLIENT_ADDRESS,
  ERROR_TYPE,
  HTTP_REQUEST_METHOD,
  HTTP_REQUEST_METHOD_ORIGINAL,
  HTTP_RESPONSE_STATUS_CODE,
  HTTP_ROUTE,
  KNOWN_HTTP_METHODS,
  NETWORK_PROTOCOL_VERSION,
  SERVER_ADDRESS,
  SERVER_PORT,
  URL_PATH,
  URL_QUERY,
  URL_SCHEME,
  USER_AGENT_ORIGINAL,
} from './semconv.js';
import { contextFromHeaders } from './traceparent.js';

/** The server span of one incoming request, as the framework middleware drives it. */
export interface ServerSpan {
  /** The OTel span, for attributes the middleware adds itself. */
  readonly span: Span;
  /** Runs `fn` with this span active, so the handler's spans and outgoing calls become children. */
  run<T>(fn: () => T): T;
  /** Sets `http.route` and renames the span `METHOD <template>` (e.g. `GET /orders/:id`). */
  setRoute(template: string): void;
  /** `exception` event (type, message, stacktrace) and status error; once per error object. */
  recordError(err: unknown): void;
  /** Sets `http.response.status_code` (>= 500 is an error) and ends the span; later calls do nothing. */
  end(statusCode: number): void;
  /**
   * Makes the request's headers visible to the fault hooks of its outgoing calls and statements
   * (header-scoped chaos rules); call before `run`. Only the panel calls it, only while such a rule exists.
   */
  setFaultHeaders(headers: FaultHeaders): void;
}

/** Counters of incoming trace context, for `stats()`. */
export interface IncomingCounters {
  adoptedTraceparents: number;
  invalidTraceparents: number;
}

const baggagePropagator = new W3CBaggagePropagator();
/** Errors remembered per request for `recordError` idempotence; more are recorded without the check. */
const MAX_REMEMBERED_ERRORS = 8;

/**
 * Span names per method and route template (`GET` + `/orders/:id` -> `GET /orders/:id`), made once
 * and shared by every request of the route: no string built per request, and every stored span
 * of a route holds the same name string. Bounded: an app with more templates than this (templates
 * built from request data) starts the map over, counted in `routeNameResets`.
 */
const MAX_ROUTE_NAMES = 2048;
const routeNames = new Map<string, Map<string, string>>();
let routeNameCount = 0;
export const routeNameStats = { resets: 0 };

export function routeName(method: string, template: string): string {
  let names = routeNames.get(method);
  if (names === undefined) routeNames.set(method, (names = new Map()));
  let name = names.get(template);
  if (name === undefined) {
    if (routeNameCount >= MAX_ROUTE_NAMES) {
      routeNames.clear();
      routeNameCount = 0;
      routeNameStats.resets++;
      routeNames.set(method, (names = new Map()));
    }
    name = `${method} ${template}`;
    names.set(template, name);
    routeNameCount++;
  }
  return name;
}

/**
 * `server.address` and `server.port` of a Host header. The same few hosts arrive on every request
 * (as fresh strings), so the last one is remembered: one string comparison instead of parsing.
 */
let lastHost = '';
let lastTarget = { address: '', port: 0 };
function hostTarget(host: string): { address: string; port: number } {
  if (host === lastHost) return lastTarget;
  const colon = host.lastIndexOf(':');
  let target: { address: string; port: number };
  if (colon > 0 && colon > host.lastIndexOf(']')) {
    const port = Number(host.slice(colon + 1));
    target = {
      address: host.charCodeAt(0) === 91 /* [ */ ? host.slice(1, colon - 1) : host.slice(0, colon),
      port: port > 0 ? port : 0,
    };
  } else {
    target = { address: host, port: 0 };
  }
  lastHost = host;
  lastTarget = target;
  return target;
}

/** Keys the server span sets whatever the request: when a user key makes one secret, all its attributes go through the redactor. */
const SERVER_KEYS = [
  HTTP_REQUEST_METHOD, HTTP_REQUEST_METHOD_ORIGINAL, URL_SCHEME, NETWORK_PROTOCOL_VERSION, SERVER_PORT,
  CLIENT_ADDRESS, HTTP_ROUTE, HTTP_RESPONSE_STATUS_CODE, ERROR_TYPE,
];
const plainVerdicts = new WeakMap<Redactor, boolean>();
/** The last redactor asked about and its verdict: one comparison instead of a WeakMap lookup per request. */
let lastVerdictRedactor: Redactor | undefined;
let lastVerdict = false;
function serverKeysArePlain(redactor: Redactor): boolean {
  if (redactor === lastVerdictRedactor) return lastVerdict;
  let plain = plainVerdicts.get(redactor);
  if (plain === undefined) {
    plain = SERVER_KEYS.every((key) => redactor.attribute(key, 'x') === 'x');
    plainVerdicts.set(redactor, plain);
  }
  lastVerdictRedactor = redactor;
  lastVerdict = plain;
  return plain;
}

/**
 * A request value as the redactor leaves it under `key`, remembering the last value it left
 * unchanged: the same path, Host and User-Agent arrive on request after request (as fresh strings),
 * so the usual case is one string comparison instead of the redactor's scan for secret shapes.
 * Only unchanged values are remembered, so every redaction is still made and counted.
 */
class LastPlain {
  private redactor: Redactor | undefined = undefined;
  private value = '';
  constructor(private readonly key: string) {}
  get(redactor: Redactor, value: string): string {
    if (value === this.value && redactor === this.redactor) return value;
    const out = redactor.attribute(this.key, value) as string;
    if (out === value) {
      this.redactor = redactor;
      this.value = value;
    }
    return out;
  }
}
const lastPath = new LastPlain(URL_PATH);
const lastAddress = new LastPlain(SERVER_ADDRESS);
const lastAgent = new LastPlain(USER_AGENT_ORIGINAL);

class ServerSpanImpl implements ServerSpan {
  private ended = false;
  private errors: unknown[] | undefined = undefined;

  constructor(
    readonly span: Span,
    private ctx: Context,
    private readonly method: string,
    /** The native span when the panel's own attributes need no redaction: set directly. */
    private readonly own: NativeSpan | undefined,
  ) {}

  run<T>(fn: () => T): T {
    return context.with(this.ctx, fn);
  }

  setFaultHeaders(headers: FaultHeaders): void {
    this.ctx = this.ctx.setValue(FAULT_HEADERS_KEY, headers);
  }

  setRoute(template: string): void {
    if (this.ended || typeof template !== 'string' || template === '') return;
    const name = routeName(this.method, template);
    if (this.own !== undefined) {
      this.own.setOwnAttribute(HTTP_ROUTE, template);
      this.own.setOwnName(name);
    } else {
      this.span.setAttribute(HTTP_ROUTE, template);
      this.span.updateName(name);
    }
  }

  recordError(err: unknown): void {
    if (this.ended) return;
    if (this.errors === undefined) this.errors = [err];
    else if (this.errors.includes(err)) return;
    else if (this.errors.length < MAX_REMEMBERED_ERRORS) this.errors.push(err);
    recordException(this.span, err);
  }

  end(statusCode: number): void {
    if (this.ended) return;
    this.ended = true;
    const span = this.span;
    if (typeof statusCode === 'number' && Number.isFinite(statusCode)) {
      if (this.own !== undefined) this.own.setOwnAttribute(HTTP_RESPONSE_STATUS_CODE, statusCode);
      else span.setAttribute(HTTP_RESPONSE_STATUS_CODE, statusCode);
      if (isHttpErrorStatus('server', statusCode)) {
        // Server spans are errors for 5xx only: a 4xx is the client's mistake.
        // A recorded error already set error.type and a status with its message.
        if (this.errors === undefined) {
          span.setAttribute(ERROR_TYPE, String(statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
    }
    span.end();
  }
}

/**
 * Starts the server span for `req`. Kept lean because it runs on every request: headers are read
 * directly, the propagator machinery is skipped when there is no traceparent, the URL is split at
 * `?` instead of parsed, and all attributes go in at once. With the panel's own provider
 * (`native`) the attribute object built here becomes the span record's, redacted as it is built.
 */
export function startServerSpan(
  native: NativeTracer | undefined,
  tracer: Tracer,
  base: Context,
  owner: Sink,
  counters: IncomingCounters,
  req: IncomingMessage,
): ServerSpan {
  const headers = req.headers;
  const redactor = owner.redactor;
  let parent = base;
  const traceparent = headers.traceparent;
  if (traceparent !== undefined) {
    parent = contextFromHeaders(base, traceparent, headers.tracestate);
    if (parent === base) counters.invalidTraceparents++;
    else counters.adoptedTraceparents++;
  }
  if (headers.baggage !== undefined) parent = baggagePropagator.extract(parent, headers, defaultTextMapGetter);

  const rawMethod = req.method ?? 'GET';
  // GET first: the parser hands over the same interned string, one pointer comparison.
  const known = rawMethod === 'GET' || KNOWN_HTTP_METHODS.has(rawMethod);
  const method = known ? rawMethod : '_OTHER';
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const socket = req.socket as (IncomingMessage['socket'] & { encrypted?: boolean }) | undefined;
  // Values from the request are redacted (and cut) here; the fixed-vocabulary ones need not be.
  const safePath = lastPath.get(redactor, path);
  const scheme = socket?.encrypted ? 'https' : 'http';
  const host = headers.host;
  const target = host === undefined ? undefined : hostTarget(host);
  const remote = socket?.remoteAddress;
  const ua = headers['user-agent'];
  let attributes: RecordAttributes;
  let count: number;
  if (known && q < 0 && target !== undefined && target.port > 0 && remote !== undefined && ua !== undefined) {
    // The usual request, in one literal: every attribute in-object, no property array grown key by key.
    attributes = {
      'http.request.method': method,
      'url.path': safePath,
      'url.scheme': scheme,
      'network.protocol.version': req.httpVersion,
      'server.address': lastAddress.get(redactor, target.address),
      'server.port': target.port,
      'client.address': remote,
      'user_agent.original': lastAgent.get(redactor, ua),
    };
    count = 8;
  } else {
    attributes = {
      'http.request.method': method,
      'url.path': safePath,
      'url.scheme': scheme,
      'network.protocol.version': req.httpVersion,
    };
    count = 4;
    if (!known) {
      attributes[HTTP_REQUEST_METHOD_ORIGINAL] = rawMethod;
      count++;
    }
    if (q >= 0) {
      attributes[URL_QUERY] = redactor.attribute(URL_QUERY, url.slice(q + 1));
      count++;
    }
    if (target !== undefined) {
      attributes[SERVER_ADDRESS] = lastAddress.get(redactor, target.address);
      count++;
      if (target.port > 0) {
        attributes[SERVER_PORT] = target.port;
        count++;
      }
    }
    if (remote !== undefined) {
      attributes[CLIENT_ADDRESS] = remote;
      count++;
    }
    if (ua !== undefined) {
      attributes[USER_AGENT_ORIGINAL] = lastAgent.get(redactor, ua);
      count++;
    }
  }

  // `HTTP` is the semantic conventions' name for an unknown method.
  const spanMethod = known ? method : 'HTTP';
  const name = `${spanMethod} ${safePath}`;
  let span: Span;
  let own: NativeSpan | undefined;
  if (native !== undefined) {
    const plain = serverKeysArePlain(redactor);
    span = native.startOwnSpan(name, SpanKind.SERVER, plain ? attributes : (redactor.attributes(attributes) as RecordAttributes), count, parent, owner);
    if (plain && span instanceof NativeSpan) own = span;
  } else {
    span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: attributes as Attributes }, parent);
  }
  return new ServerSpanImpl(span, trace.setSpan(parent, span), spanMethod, own);
}
