import { describe, expect, it } from 'vitest';
import { calleeOf, learnHosts, serverHostOf, errorKind, httpStatusClass, httpStatusOf, isErrorSpan, isHttpErrorStatus, isLocalRoot, isProductionEnv, type Callee } from './rules.js';
import type { Attributes, SpanKind, SpanRecord, StatusCode } from './span.js';

function span(kind: SpanKind, status: StatusCode, attributes: Attributes = {}, over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', parentSpanId: 'b7ad6b7169203331',
    name: 'x', kind, service: 'orders', startTime: 0, duration: 1, status: { code: status }, attributes, events: [], ...over,
  };
}
const NEW = 'http.response.status_code';
const OLD = 'http.status_code';

describe('isErrorSpan and errorKind', () => {
  it.each<[string, SpanKind, StatusCode, Attributes, boolean, string | undefined]>([
    // status decides first
    ['status error, no HTTP', 'internal', 'error', {}, true, 'status'],
    ['status error on a server span that answered 200', 'server', 'error', { [NEW]: 200 }, true, 'status'],
    ['status ok overrides a server 500', 'server', 'ok', { [NEW]: 500 }, false, undefined],
    ['status ok overrides a client 404', 'client', 'ok', { [NEW]: 404 }, false, undefined],
    // server spans: 5xx is an error, 4xx is an answer
    ['server 500', 'server', 'unset', { [NEW]: 500 }, true, '5xx'],
    ['server 503, older key', 'server', 'unset', { [OLD]: 503 }, true, '5xx'],
    ['server 502 as a string', 'server', 'unset', { [NEW]: '502' }, true, '5xx'],
    ['server 404', 'server', 'unset', { [NEW]: 404 }, false, undefined],
    ['server 409', 'server', 'unset', { [NEW]: 409 }, false, undefined],
    ['server 499', 'server', 'unset', { [OLD]: 499 }, false, undefined],
    ['server 200', 'server', 'unset', { [NEW]: 200 }, false, undefined],
    ['server, no status code', 'server', 'unset', {}, false, undefined],
    ['server 4xx with status error (set by code)', 'server', 'error', { [NEW]: 404 }, true, '4xx'],
    // client spans: any 4xx or 5xx is an error
    ['client 404', 'client', 'unset', { [NEW]: 404 }, true, '4xx'],
    ['client 400, older key', 'client', 'unset', { [OLD]: 400 }, true, '4xx'],
    ['client 503', 'client', 'unset', { [NEW]: 503 }, true, '5xx'],
    ['client 399', 'client', 'unset', { [NEW]: 399 }, false, undefined],
    ['client 304', 'client', 'unset', { [NEW]: 304 }, false, undefined],
    ['client 404 marked error by the instrumentation', 'client', 'error', { [NEW]: 404 }, true, '4xx'],
    // the current key wins over the older one
    ['server: new key 200 over old key 500', 'server', 'unset', { [NEW]: 200, [OLD]: 500 }, false, undefined],
    // other kinds: only their status
    ['internal span with an HTTP 500 attribute', 'internal', 'unset', { [NEW]: 500 }, false, undefined],
    ['consumer span with an HTTP 500 attribute', 'consumer', 'unset', { [NEW]: 500 }, false, undefined],
    ['producer span, status error', 'producer', 'error', {}, true, 'status'],
    // codes that are not HTTP status codes
    ['server 5000', 'server', 'unset', { [NEW]: 5000 }, false, undefined],
    ['server 500.5', 'server', 'unset', { [NEW]: 500.5 }, false, undefined],
    ['server "5xx"', 'server', 'unset', { [NEW]: '5xx' }, false, undefined],
    ['server true', 'server', 'unset', { [NEW]: true }, false, undefined],
  ])('%s', (_name, kind, status, attributes, error, why) => {
    const s = span(kind, status, attributes);
    expect(isErrorSpan(s)).toBe(error);
    expect(errorKind(s)).toBe(why);
  });
});

describe('isHttpErrorStatus', () => {
  it('is the HTTP half of isErrorSpan, by kind', () => {
    expect([399, 400, 499, 500].map((c) => isHttpErrorStatus('client', c))).toEqual([false, true, true, true]);
    expect([399, 400, 499, 500].map((c) => isHttpErrorStatus('server', c))).toEqual([false, false, false, true]);
    expect(isHttpErrorStatus('internal', 500)).toBe(false);
  });
});

describe('httpStatusOf and httpStatusClass', () => {
  it.each<[Attributes, number | undefined, string | undefined]>([
    [{ [NEW]: 200 }, 200, '2xx'],
    [{ [OLD]: 301 }, 301, '3xx'],
    [{ [NEW]: '404' }, 404, '4xx'],
    [{ [NEW]: 101 }, 101, '1xx'],
    [{ [NEW]: 599 }, 599, '5xx'],
    [{ [NEW]: 600 }, 600, undefined],
    [{ [NEW]: 99 }, undefined, undefined],
    [{ [NEW]: '0404' }, undefined, undefined],
    [{ [NEW]: '' }, undefined, undefined],
    [{}, undefined, undefined],
  ])('%o -> %s, %s', (attributes, code, cls) => {
    expect(httpStatusOf({ attributes })).toBe(code);
    expect(httpStatusClass({ attributes })).toBe(cls);
  });
});

describe('isLocalRoot', () => {
  it.each<[string, SpanKind, string | undefined, boolean]>([
    ['a parentless span of any kind', 'internal', undefined, true],
    ['a parentless client span', 'client', undefined, true],
    ['a server span whose parent is in another process', 'server', 'b7ad6b7169203331', true],
    ['a consumer span with a parent', 'consumer', 'b7ad6b7169203331', true],
    ['a client span with a parent', 'client', 'b7ad6b7169203331', false],
    ['a producer span with a parent', 'producer', 'b7ad6b7169203331', false],
    ['an internal span with a parent', 'internal', 'b7ad6b7169203331', false],
  ])('%s: %s', (_name, kind, parentSpanId, root) => {
    expect(isLocalRoot({ kind, parentSpanId })).toBe(root);
  });
});

describe('calleeOf', () => {
  const c = (attributes: Attributes, service = 'orders'): Callee => calleeOf({ attributes, service });
  it.each<[string, Attributes, Callee]>([
    // databases, current and older keys
    ['db.system.name + db.namespace', { 'db.system.name': 'sqlite', 'db.namespace': 'orders.db' },
      { kind: 'database', id: 'db:sqlite:orders.db', name: 'sqlite orders.db', system: 'sqlite' }],
    ['older db.system + db.name', { 'db.system': 'postgresql', 'db.name': 'shop' },
      { kind: 'database', id: 'db:postgresql:shop', name: 'postgresql shop', system: 'postgresql' }],
    ['db.system.name wins over db.system', { 'db.system.name': 'postgresql', 'db.system': 'postgres', 'db.namespace': 'shop' },
      { kind: 'database', id: 'db:postgresql:shop', name: 'postgresql shop', system: 'postgresql' }],
    ['a database named by its address', { 'db.system': 'redis', 'server.address': 'cache', 'server.port': 6379 },
      { kind: 'database', id: 'db:redis:cache', name: 'redis cache', system: 'redis' }],
    ['a database named by its older net.peer.name', { 'db.system': 'redis', 'net.peer.name': 'cache' },
      { kind: 'database', id: 'db:redis:cache', name: 'redis cache', system: 'redis' }],
    ['a database with nothing but its system', { 'db.system': 'mongodb' },
      { kind: 'database', id: 'db:mongodb:mongodb', name: 'mongodb', system: 'mongodb' }],
    ['the database wins over peer.service', { 'db.system.name': 'postgresql', 'db.namespace': 'orders', 'peer.service': 'pg' },
      { kind: 'database', id: 'db:postgresql:orders', name: 'postgresql orders', system: 'postgresql' }],
    // in-memory databases: one per calling service
    [':memory:', { 'db.system.name': 'sqlite', 'db.namespace': ':memory:' },
      { kind: 'database', id: 'db:sqlite:orders/:memory:', name: 'sqlite :memory: (orders)', system: 'sqlite' }],
    ['file::memory: URI', { 'db.system': 'sqlite', 'db.name': 'file::memory:?cache=shared' },
      { kind: 'database', id: 'db:sqlite:orders/:memory:', name: 'sqlite :memory: (orders)', system: 'sqlite' }],
    ['mode=memory URI', { 'db.system': 'sqlite', 'db.namespace': 'file:shared?mode=memory&cache=shared' },
      { kind: 'database', id: 'db:sqlite:orders/:memory:', name: 'sqlite :memory: (orders)', system: 'sqlite' }],
    // services
    ['peer.service wins over the address', { 'peer.service': 'billing', 'server.address': '10.0.0.1' },
      { kind: 'service', id: 'svc:billing', name: 'billing' }],
    // messaging, current and older keys
    ['messaging.destination.name', { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'server.address': 'broker' },
      { kind: 'messaging', id: 'ext:kafka orders', name: 'kafka orders', system: 'kafka' }],
    ['older messaging.destination', { 'messaging.system': 'rabbitmq', 'messaging.destination': 'jobs' },
      { kind: 'messaging', id: 'ext:rabbitmq jobs', name: 'rabbitmq jobs', system: 'rabbitmq' }],
    ['a messaging system without a destination is named by its host', { 'messaging.system': 'kafka', 'server.address': 'broker', 'server.port': 9092 },
      { kind: 'host', id: 'ext:broker:9092', name: 'broker:9092' }],
    // hosts
    ['server.address and server.port', { 'server.address': 'inventory', 'server.port': 3002 },
      { kind: 'host', id: 'ext:inventory:3002', name: 'inventory:3002' }],
    ['port 443 left out', { 'server.address': 'api.stripe.com', 'server.port': 443 },
      { kind: 'host', id: 'ext:api.stripe.com', name: 'api.stripe.com' }],
    ['port 80 left out', { 'server.address': 'example.com', 'server.port': 80 },
      { kind: 'host', id: 'ext:example.com', name: 'example.com' }],
    ['older net.peer.name and net.peer.port', { 'net.peer.name': 'inventory', 'net.peer.port': 3002 },
      { kind: 'host', id: 'ext:inventory:3002', name: 'inventory:3002' }],
    ['server.address wins over net.peer.name', { 'server.address': 'a.internal', 'net.peer.name': 'b.internal' },
      { kind: 'host', id: 'ext:a.internal', name: 'a.internal' }],
    ['an IPv6 address is bracketed before its port', { 'server.address': '::1', 'server.port': 3002 },
      { kind: 'host', id: 'ext:[::1]:3002', name: '[::1]:3002' }],
    ['url.full: its host and non-default port', { 'url.full': 'http://inventory:3002/stock/4?x=1' },
      { kind: 'host', id: 'ext:inventory:3002', name: 'inventory:3002' }],
    ['url.full on the default port', { 'url.full': 'https://example.com/x' },
      { kind: 'host', id: 'ext:example.com', name: 'example.com' }],
    ['older http.url', { 'http.url': 'http://legacy.example:8080/' },
      { kind: 'host', id: 'ext:legacy.example:8080', name: 'legacy.example:8080' }],
    ['the address wins over url.full', { 'server.address': 'inventory', 'url.full': 'http://10.0.0.9/x' },
      { kind: 'host', id: 'ext:inventory', name: 'inventory' }],
    // nothing to go by
    ['a malformed url.full', { 'url.full': 'not a url' }, { kind: 'unknown', id: 'ext:unknown', name: 'unknown' }],
    ['empty strings count as absent', { 'server.address': '', 'db.system': '' }, { kind: 'unknown', id: 'ext:unknown', name: 'unknown' }],
    ['no attributes', {}, { kind: 'unknown', id: 'ext:unknown', name: 'unknown' }],
  ])('%s', (_name, attributes, callee) => {
    expect(c(attributes)).toEqual(callee);
  });

  it('keeps the in-memory databases of two services apart, and one file database shared', () => {
    const mem = { 'db.system.name': 'sqlite', 'db.namespace': ':memory:' };
    expect(c(mem, 'orders').id).not.toBe(c(mem, 'inventory').id);
    const file = { 'db.system.name': 'sqlite', 'db.namespace': 'shop.db' };
    expect(c(file, 'orders')).toEqual(c(file, 'inventory'));
  });
});

describe('calleeOf with known hosts (a server half late or never)', () => {
  const server = (attributes: Attributes, service: string): SpanRecord => span('server', 'unset', attributes, { service });
  const hostsOf = (spans: SpanRecord[]) => new Map(spans.map((s) => [serverHostOf(s)!, s.service]));
  const orders = server({ 'server.address': '127.0.0.1', 'server.port': 3001 }, 'orders');
  const inventory = server({ 'net.host.name': 'inventory.internal', 'net.host.port': '3002' }, 'inventory');
  const web = server({ 'server.address': 'shop.example', 'server.port': 443 }, 'web');
  const v6 = server({ 'server.address': '::1', 'server.port': 3003 }, 'pricing');
  const known = hostsOf([orders, inventory, web, v6]);
  const call = (attributes: Attributes) => calleeOf({ attributes, service: 'gateway' }, known);

  it('writes a server span\'s host as calleeOf writes a client span\'s', () => {
    expect([orders, inventory, web, v6].map(serverHostOf)).toEqual(['127.0.0.1:3001', 'inventory.internal:3002', 'shop.example', '[::1]:3003']);
    expect(serverHostOf(span('client', 'unset', { 'server.address': '127.0.0.1', 'server.port': 3001 }))).toBeUndefined();
    expect(serverHostOf(server({}, 'orders'))).toBeUndefined();
  });
  it.each<[string, Attributes, string]>([
    ['server.address + server.port', { 'server.address': '127.0.0.1', 'server.port': 3001, 'url.full': 'http://127.0.0.1:3001/products' }, 'svc:orders'],
    ['older net.peer.name + net.peer.port', { 'net.peer.name': 'inventory.internal', 'net.peer.port': 3002 }, 'svc:inventory'],
    ['only url.full', { 'url.full': 'http://127.0.0.1:3001/orders?limit=3' }, 'svc:orders'],
    ['default port on both sides', { 'url.full': 'https://shop.example/cart' }, 'svc:web'],
    ['IPv6', { 'server.address': '::1', 'server.port': 3003 }, 'svc:pricing'],
    ['another port of the same address stays a host', { 'server.address': '127.0.0.1', 'server.port': 3009 }, 'ext:127.0.0.1:3009'],
    ['an unknown host stays a host', { 'url.full': 'https://api.stripe.com/v1' }, 'ext:api.stripe.com'],
    ['peer.service still wins', { 'peer.service': 'billing', 'server.address': '127.0.0.1', 'server.port': 3001 }, 'svc:billing'],
    ['a database at a known address stays the database', { 'db.system': 'redis', 'server.address': '127.0.0.1', 'server.port': 3001 }, 'db:redis:127.0.0.1'],
  ])('%s', (_name, attributes, id) => {
    expect(call(attributes).id).toBe(id);
  });
  it('names the service as a service callee', () => {
    expect(call({ 'server.address': '127.0.0.1', 'server.port': 3001 })).toEqual({ kind: 'service', id: 'svc:orders', name: 'orders' });
  });
});

describe('learnHosts', () => {
  it('learns server addresses and the callee host of a client span answered by another service', () => {
    const call = span('client', 'unset', { 'url.full': 'http://orders.internal:8080/x' }, { spanId: 'c1', service: 'gateway' });
    const srv = span('server', 'unset', { 'server.address': '10.0.0.5', 'server.port': 3001 }, { spanId: 's1', parentSpanId: 'c1', service: 'orders' });
    const self = span('server', 'unset', {}, { spanId: 's2', parentSpanId: 's1', service: 'orders' });
    expect([...learnHosts([call, srv, self], new Map(), 10)]).toEqual([['10.0.0.5:3001', 'orders'], ['orders.internal:8080', 'orders']]);
    // A later trace's client span to that host, with no server half, is a call to orders.
    const late = span('client', 'unset', { 'url.full': 'http://orders.internal:8080/y' }, { service: 'gateway' });
    expect(calleeOf(late, learnHosts([call, srv], new Map(), 10)).id).toBe('svc:orders');
  });
  it('is bounded: the least recently seen host goes first', () => {
    const at = (host: string, service: string) => span('server', 'unset', { 'server.address': host }, { service, parentSpanId: undefined });
    const known = new Map<string, string>();
    for (const h of ['a', 'b', 'c']) learnHosts([at(h, h)], known, 3);
    learnHosts([at('a', 'a')], known, 3); // seen again: now the newest
    learnHosts([at('d', 'd')], known, 3);
    expect([...known.keys()]).toEqual(['c', 'a', 'd']);
    learnHosts([at('c', 'moved')], known, 3); // a host now answered by another service
    expect(known.get('c')).toBe('moved');
  });
});

describe('isProductionEnv', () => {
  it.each(['production', 'Production', ' production', 'PRODUCTION\n', '\tproduction '])('is production for %j', (v) => expect(isProductionEnv(v)).toBe(true));
  it.each([undefined, '', 'development', 'prod', 'production-like', 'test'])('is not production for %j', (v) => expect(isProductionEnv(v)).toBe(false));
});
