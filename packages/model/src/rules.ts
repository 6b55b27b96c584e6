/**
 * Domain rules every debugpanel package and the UI apply to spans, each written once so that the
 * trace list, the sampler, the metrics table and the service map agree: what is an error, which
 * span ends a process's part of a trace, and what a client span calls. `rules.test.ts` holds the
 * table of cases for each.
 *
 * Attribute keys follow the current OpenTelemetry semantic conventions, with the keys of older
 * ones (still sent by many SDKs) as fallbacks.
 */
import type { AttributeValue, Attributes, SpanKind, SpanRecord } from './span.js';

type SpanLike = Pick<SpanRecord, 'kind' | 'status' | 'attributes'>;

/**
 * The HTTP response status code of a span: `http.response.status_code`, else the older
 * `http.status_code`; a number or a string of digits. Undefined when neither holds a code.
 *
 * @example
 * httpStatusOf({ attributes: { 'http.status_code': '503' } }); // 503
 */
export function httpStatusOf(span: Pick<SpanRecord, 'attributes'>): number | undefined {
  const a = span.attributes;
  return statusCode(a['http.response.status_code']) ?? statusCode(a['http.status_code']);
}

function statusCode(v: AttributeValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 100 && v <= 999 ? v : undefined;
  if (typeof v === 'string' && /^[1-9][0-9]{2}$/.test(v)) return Number(v);
  return undefined;
}

/** `1xx` .. `5xx`, the class of an HTTP status code. */
export type HttpStatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/**
 * The class of a span's HTTP status (`4xx`), for filters and badges that show client errors
 * apart from server errors; undefined without a status code (or one outside 100..599).
 *
 * @example
 * httpStatusClass(span) === '5xx'
 */
export function httpStatusClass(span: Pick<SpanRecord, 'attributes'>): HttpStatusClass | undefined {
  const code = httpStatusOf(span);
  if (code === undefined || code >= 600) return undefined;
  return `${Math.floor(code / 100)}xx` as HttpStatusClass;
}

/**
 * True for an error span, as the OTel HTTP semantic conventions define it for the span's status:
 * - status `error`: an error, whatever else it says;
 * - status `ok`: not an error (the application said it succeeded), whatever its HTTP status;
 * - status unset: a SERVER span is an error for an HTTP status of 500 or more (a 4xx is the
 *   client's mistake, not the server's: 404 and 409 are answers); a CLIENT span is an error for
 *   an HTTP status of 400 or more (the call did not get what it asked for);
 * - any other kind (internal, producer, consumer) only by its status.
 *
 * @example
 * isErrorSpan({ kind: 'server', status: { code: 'unset' }, attributes: { 'http.response.status_code': 404 } }); // false
 * isErrorSpan({ kind: 'client', status: { code: 'unset' }, attributes: { 'http.response.status_code': 404 } }); // true
 */
export function isErrorSpan(span: SpanLike): boolean {
  const status = span.status.code;
  if (status === 'error') return true;
  if (status === 'ok') return false;
  const kind = span.kind;
  if (kind !== 'server' && kind !== 'client') return false; // the common case: no attribute lookups
  const code = httpStatusOf(span);
  return code !== undefined && isHttpErrorStatus(kind, code);
}

/**
 * The HTTP half of `isErrorSpan`, for instrumentations that set a span's status from the code
 * they see: a server span's 5xx, a client span's 4xx or 5xx; nothing for other kinds.
 *
 * @example
 * if (isHttpErrorStatus('server', res.statusCode)) span.setStatus({ code: SpanStatusCode.ERROR });
 */
export function isHttpErrorStatus(kind: SpanKind, code: number): boolean {
  if (kind === 'server') return code >= 500;
  if (kind === 'client') return code >= 400;
  return false;
}

/** Why a span is an error: its HTTP status class, else its status. */
export type ErrorKind = '5xx' | '4xx' | 'status';

/**
 * Why `isErrorSpan` holds for a span, so that views can show a failed call (`4xx`) apart from a
 * server failure (`5xx`) and from an exception or status set by code (`status`); undefined
 * when the span is not an error.
 *
 * @example
 * errorKind(clientSpanThatGot404); // '4xx'
 */
export function errorKind(span: SpanLike): ErrorKind | undefined {
  if (!isErrorSpan(span)) return undefined;
  const cls = httpStatusClass(span);
  return cls === '5xx' || cls === '4xx' ? cls : 'status';
}

/**
 * True for a span that ends a trace's part in the process that recorded it: a span with no
 * parent, or a server or consumer span (whose parent, if any, lives in another process). Spans
 * arrive when they end, so when a local root arrives its part of the trace is done, apart from
 * stray late children.
 *
 * @example
 * isLocalRoot({ kind: 'server', parentSpanId: 'b7ad6b7169203331' }); // true: its caller is remote
 * isLocalRoot({ kind: 'client', parentSpanId: 'b7ad6b7169203331' }); // false
 */
export function isLocalRoot(span: Pick<SpanRecord, 'kind' | 'parentSpanId'>): boolean {
  return span.parentSpanId === undefined || span.kind === 'server' || span.kind === 'consumer';
}

/** What kind of thing a client (or producer) span calls. */
export type CalleeKind = 'database' | 'service' | 'messaging' | 'host' | 'unknown';

/** What a client (or producer) span calls, named once for the metrics table and the service map. */
export interface Callee {
  kind: CalleeKind;
  /**
   * Unique per callee: `db:<system>:<database>`, `db:<system>:<service>/:memory:` (an in-memory
   * database lives in its process), `svc:<peer.service>`, `ext:<system> <destination>`,
   * `ext:<host[:port]>`, `ext:unknown`. The service map's node id.
   */
  id: string;
  /**
   * The one display name: `sqlite orders.db`, `sqlite :memory: (orders)`, `billing`,
   * `kafka orders`, `api.stripe.com`, `inventory:3002`, `unknown`.
   */
  name: string;
  /** Databases and messaging: `db.system.name` / `messaging.system` (`sqlite`, `kafka`) */
  system?: string;
}

function str(a: Attributes, key: string): string | undefined {
  const v = a[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function isInMemoryDatabase(name: string): boolean {
  // SQLite: `:memory:`, or a URI filename `file::memory:?cache=shared` / `file:x?mode=memory`.
  return name === ':memory:' || name.startsWith('file::memory:') || /^file:.*[?&]mode=memory(&|$)/.test(name);
}

function hostOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).host || undefined; // the port only when it is not the scheme's default
  } catch {
    return undefined;
  }
}

/** host[:port] as `calleeOf` and `serverHostOf` both write it: IPv6 in brackets, no port 80/443. */
function hostKey(address: string, port: string | undefined): string {
  const h = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return port === undefined || port === '80' || port === '443' ? h : `${h}:${port}`;
}

/** host[:port] -> service name: where services were seen answering (see `serverHostOf`). */
export type KnownHosts = Pick<ReadonlyMap<string, string>, 'get'>;

/**
 * The host[:port] a SERVER span was reached at, written as `calleeOf` writes a client span's
 * host: `server.address` (older `net.host.name`) with `server.port` (older `net.host.port`),
 * which the server sets from the request's Host header, i.e. the address its caller used.
 * Undefined for other kinds or without an address. Collect these (host -> `span.service`) into
 * the `knownHosts` that `calleeOf` takes.
 *
 * @example
 * serverHostOf({ kind: 'server', attributes: { 'server.address': '127.0.0.1', 'server.port': 3001 } }); // '127.0.0.1:3001'
 */
export function serverHostOf(span: Pick<SpanRecord, 'kind' | 'attributes'>): string | undefined {
  if (span.kind !== 'server') return undefined;
  const a = span.attributes ?? {};
  const address = str(a, 'server.address') ?? str(a, 'net.host.name');
  if (address === undefined) return undefined;
  return hostKey(address, str(a, 'server.port') ?? str(a, 'net.host.port'));
}

/**
 * Adds to `into` the host -> service pairs some spans prove, for `calleeOf`'s `knownHosts`: each
 * server span's own address (`serverHostOf`), and the callee host of a client span answered by a
 * server span of another service directly below it (which also covers a Host header that differs
 * from the address the caller used). A host seen again moves to the back; past `cap` hosts the
 * least recently seen is forgotten, so the map stays bounded.
 *
 * @example
 * const known = learnHosts(trace.spans, new Map(), 256); // known.get('127.0.0.1:3001') === 'orders'
 * calleeOf(lateClientSpan, known).name; // 'orders'
 */
export function learnHosts(spans: ReadonlyArray<SpanRecord>, into: Map<string, string>, cap: number): Map<string, string> {
  let byId: Map<string, SpanRecord> | undefined;
  for (const s of spans) {
    if (s.kind !== 'server') continue;
    const own = serverHostOf(s);
    if (own !== undefined) putHost(into, own, s.service, cap);
    if (s.parentSpanId === undefined) continue;
    byId ??= new Map(spans.map((x) => [x.spanId, x]));
    const parent = byId.get(s.parentSpanId);
    if (parent?.kind === 'client' && parent.service !== s.service) {
      const callee = calleeOf(parent);
      if (callee.kind === 'host') putHost(into, callee.name, s.service, cap);
    }
  }
  return into;
}

function putHost(into: Map<string, string>, host: string, service: string, cap: number): void {
  into.delete(host);
  into.set(host, service);
  while (into.size > cap) into.delete(into.keys().next().value!);
}

/**
 * Names what a client (or producer) span calls when no server span of the callee answers it, in
 * this order:
 * 1. a database (`db.system.name`, older `db.system`), named `<system> <database>` from
 *    `db.namespace` (older `db.name`), else the server address, else `<system>` alone; an
 *    in-memory one (`:memory:`) once per calling service, as it lives in that process;
 * 2. a service named by `peer.service` (the same node as that service once it reports spans);
 * 3. a message destination: `messaging.system` with `messaging.destination.name` (older
 *    `messaging.destination`), `kafka orders`;
 * 4. a host: `server.address` (older `net.peer.name`) with `server.port` (older
 *    `net.peer.port`) unless 80 or 443, else the host of `url.full` (older `http.url`); a host
 *    that `knownHosts` maps to a service (one of its server spans was reached there, see
 *    `serverHostOf`) is that service, so a call whose server half arrives late or never is
 *    still a call to `orders`, not to a phantom `127.0.0.1:3001`;
 * 5. else `unknown`.
 *
 * @example
 * calleeOf(span); // { kind: 'database', id: 'db:sqlite:orders.db', name: 'sqlite orders.db', system: 'sqlite' }
 * calleeOf(clientSpanTo3001, new Map([['127.0.0.1:3001', 'orders']])); // { kind: 'service', id: 'svc:orders', name: 'orders' }
 */
export function calleeOf(span: Pick<SpanRecord, 'attributes' | 'service'>, knownHosts?: KnownHosts): Callee {
  const a = span.attributes ?? {};
  const address = str(a, 'server.address') ?? str(a, 'net.peer.name');
  const system = str(a, 'db.system.name') ?? str(a, 'db.system');
  if (system !== undefined) {
    const db = str(a, 'db.namespace') ?? str(a, 'db.name') ?? address;
    if (db === undefined) return { kind: 'database', id: `db:${system}:${system}`, name: system, system };
    if (isInMemoryDatabase(db)) {
      return { kind: 'database', id: `db:${system}:${span.service}/:memory:`, name: `${system} :memory: (${span.service})`, system };
    }
    return { kind: 'database', id: `db:${system}:${db}`, name: `${system} ${db}`, system };
  }
  const peer = str(a, 'peer.service');
  if (peer !== undefined) return { kind: 'service', id: `svc:${peer}`, name: peer };
  const msys = str(a, 'messaging.system');
  const dest = str(a, 'messaging.destination.name') ?? str(a, 'messaging.destination');
  if (msys !== undefined && dest !== undefined) {
    const name = `${msys} ${dest}`;
    return { kind: 'messaging', id: `ext:${name}`, name, system: msys };
  }
  const host = address !== undefined
    ? hostKey(address, str(a, 'server.port') ?? str(a, 'net.peer.port'))
    : hostOfUrl(str(a, 'url.full') ?? str(a, 'http.url'));
  if (host !== undefined) {
    const service = knownHosts?.get(host);
    if (service !== undefined) return { kind: 'service', id: `svc:${service}`, name: service };
    return { kind: 'host', id: `ext:${host}`, name: host };
  }
  return { kind: 'unknown', id: 'ext:unknown', name: 'unknown' };
}

/**
 * True when `NODE_ENV` says production, in any spelling and with stray spaces (` Production\n`
 * is production too): the panel then stays off without a token and samples as in production.
 *
 * @example
 * isProductionEnv(' Production'); // true
 * isProductionEnv('development'); // false
 */
export function isProductionEnv(nodeEnv: string | undefined): boolean {
  return nodeEnv !== undefined && nodeEnv.trim().toLowerCase() === 'production';
}
