import { once } from 'node:events';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { REDACTED, type SpanRecord, type TraceResponse, type TracesResponse } from '@debugpanel/model';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { debugPanel, type DebugPanelMiddleware } from './index.js';

const TOKEN = 'test-token-0123456789';
const servers: Server[] = [];
const panels: DebugPanelMiddleware[] = [];

async function listen(app: Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  for (const p of panels) await p.panel.close();
});

function panel(options?: Parameters<typeof debugPanel>[0]): DebugPanelMiddleware {
  const p = debugPanel({ service: 'panel-test', dataDir: false, ...options });
  panels.push(p);
  return p;
}

/** Polls the panel API until `pick` finds something (spans end just after the response). */
async function poll<T>(fn: () => Promise<T | undefined>, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting for the panel');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('debugPanel with an app', () => {
  let base: string;
  let mw: DebugPanelMiddleware;
  const handled: unknown[] = [];

  beforeAll(async () => {
    const app = express();
    // The loopback opt-in: these tests are about what a local, token-less client gets.
    mw = panel({ redact: ['ssn'], auth: 'loopback' });
    app.use(mw);
    app.get('/users/:id', async (req, res) => {
      await trace.getTracer('test').startActiveSpan('load user', async (span) => {
        await new Promise((r) => setTimeout(r, 2));
        span.end();
      });
      res.json({ id: req.params.id });
    });
    app.get('/throws', () => { throw new Error('thrown here'); });
    app.get('/next-err', (_req, _res, next) => next(new TypeError('passed on')));
    app.get('/async', async () => { throw new RangeError('rejected'); });
    const onError: ErrorRequestHandler = (err, _req, res, _next) => {
      handled.push(err);
      res.status(500).json({ handled: true });
    };
    app.use(onError);
    base = await listen(app);
  });

  const api = async (path: string, init?: RequestInit) => {
    const r = await fetch(base + '/_debug' + path, init);
    return { status: r.status, headers: r.headers, body: (r.headers.get('content-type') ?? '').includes('json') ? await r.json() : await r.text() };
  };
  const traceOf = async (match: (s: SpanRecord) => boolean): Promise<TraceResponse> =>
    poll(async () => {
      const list = (await api('/api/traces?limit=1000')).body as TracesResponse;
      for (const t of list.traces) {
        const full = (await api(`/api/traces/${t.traceId}`)).body as TraceResponse;
        if (full.spans.some(match)) return full;
      }
      return undefined;
    });

  it('records a request as a trace named after the route template, with user spans as children', async () => {
    expect((await fetch(base + '/users/42')).status).toBe(200);
    const t = await traceOf((s) => s.attributes['url.path'] === '/users/42');
    const server = t.spans.find((s) => s.kind === 'server')!;
    expect(server.name).toBe('GET /users/:id');
    expect(server.attributes['http.route']).toBe('/users/:id');
    expect(server.service).toBe('panel-test');
    const child = t.spans.find((s) => s.name === 'load user')!;
    expect(child.parentSpanId).toBe(server.spanId);
    expect(child.traceId).toBe(server.traceId);
    expect(t.summary?.rootName).toBe('GET /users/:id');
  });

  it.each([
    ['/throws', 'Error', 'thrown here'],
    ['/next-err', 'TypeError', 'passed on'],
    ['/async', 'RangeError', 'rejected'],
  ])('marks %s as an error with an exception event, and the app handler still runs', async (path, type, message) => {
    const before = handled.length;
    expect((await fetch(base + path)).status).toBe(500);
    expect(handled.length).toBe(before + 1);
    const t = await traceOf((s) => s.kind === 'server' && s.attributes['url.path'] === path);
    const server = t.spans.find((s) => s.kind === 'server')!;
    expect(server.status.code).toBe('error');
    const ev = server.events.filter((e) => e.name === 'exception');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.attributes['exception.type']).toBe(type);
    expect(ev[0]!.attributes['exception.message']).toBe(message);
    expect(String(ev[0]!.attributes['exception.stacktrace'])).toContain(message);
  });

  it('redacts secret-looking and configured query parameters before storing', async () => {
    await fetch(base + '/users/5?password=hunter2&ssn=123-45&page=2');
    const t = await traceOf((s) => s.attributes['url.path'] === '/users/5');
    const server = t.spans.find((s) => s.kind === 'server')!;
    expect(server.attributes['url.query']).toBe(`password=${REDACTED}&ssn=${REDACTED}&page=2`);
    expect(JSON.stringify(t)).not.toContain('hunter2');
  });

  it('never traces its own requests', async () => {
    await api('/api/stats');
    await api('/api/services');
    await fetch(base + '/users/1');
    await traceOf((s) => s.attributes['url.path'] === '/users/1');
    const list = (await api('/api/traces?limit=1000')).body as TracesResponse;
    for (const t of list.traces) expect(t.rootName).not.toMatch(/_debug/);
    expect(((await api('/api/traces?text=_debug')).body as TracesResponse).traces).toEqual([]);
  });

  it('answers bad input with 400 and unknown things with 404 JSON', async () => {
    expect(await api('/api/traces?status=broken')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/status/) } });
    expect(await api('/api/traces?servce=x')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/unknown query parameter "servce"/) } });
    expect(await api('/api/traces?cursor=zzz')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/cursor/) } });
    expect(await api('/api/traces/NOT-AN-ID')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/malformed trace id/) } });
    expect(await api('/api/traces/' + '0'.repeat(32))).toMatchObject({ status: 400 });
    expect(await api('/api/traces/4bf92f3577b34da6a3ce929d0e0e4736')).toMatchObject({ status: 404, body: { error: expect.stringMatching(/not found/) } });
    expect(await api('/api/nothing')).toMatchObject({ status: 404, body: { error: expect.any(String) } });
    const post = await api('/api/traces', { method: 'POST' });
    expect(post).toMatchObject({ status: 405, body: { error: expect.any(String) } });
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('answers malformed URLs with a 4xx, never a crash', async () => {
    const raw = (path: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        // `path` is sent as is (a URL string would be normalized first)
        const { hostname, port } = new URL(base);
        request({ hostname, port, path }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject).end();
      });
    expect(await raw('/_debug/api/traces/%E0%A4%A')).toBe(404);
    expect(await raw('/_debug/api/traces?limit=%zz')).toBe(400);
    expect(await raw('/_debug/api/traces?text=' + 'x'.repeat(5000))).toBe(400);
    expect(await raw('/_debug/../users/1')).toBe(404);
    expect((await api('/api/stats')).body.panel).toMatchObject({ routeErrors: 0, internalErrors: 0 });
  });

  it('lists services and stats', async () => {
    expect((await api('/api/services')).body).toEqual({ services: expect.arrayContaining(['panel-test']) });
    const { body } = await api('/api/stats');
    expect(body).toMatchObject({
      service: 'panel-test',
      version: expect.any(String),
      node: process.version,
      uptimeMs: expect.any(Number),
      store: expect.any(Object),
      tracing: expect.any(Object),
      stream: { clients: expect.any(Number), dropped: 0 },
    });
  });

  it('serves the UI with a strict CSP, nosniff and a redirect from the bare path', async () => {
    const bare = await fetch(base + '/_debug?x=1', { redirect: 'manual' });
    expect(bare.status).toBe(303);
    expect(bare.headers.get('location')).toBe('_debug/?x=1');
    const r = await fetch(base + '/_debug/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cache-control')).toMatch(/no-cache/);
    const html = await r.text();
    expect(html).not.toMatch(/<script>(?!<)/); // no inline scripts
    const src = /src="\.\/([^"]+)"/.exec(html)?.[1];
    expect(src).toBeDefined();
    const asset = await fetch(`${base}/_debug/${src}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    const again = await fetch(`${base}/_debug/${src}`, { headers: { 'if-none-match': asset.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(base + '/_debug/assets/nope.js')).status).toBe(404);
  });

  it('streams a new trace summary over SSE', async () => {
    const ac = new AbortController();
    const r = await fetch(base + '/_debug/api/stream', { signal: ac.signal });
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const read = async (until: (t: string) => boolean) => {
      while (!until(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value);
      }
    };
    await read((t) => t.includes('event: hello'));
    await fetch(base + '/users/sse');
    await read((t) => /event: trace\ndata: .*GET \/users\/:id/.test(t));
    const data = /event: trace\ndata: (.*)\n/.exec(text)![1]!;
    expect(JSON.parse(data)).toMatchObject({ traceId: expect.stringMatching(/^[0-9a-f]{32}$/), rootName: 'GET /users/:id' });
    ac.abort();
  });

  it('refuses a client behind a proxy (remote) with 403', async () => {
    expect(await api('/api/stats', { headers: { 'x-forwarded-for': '203.0.113.5' } })).toMatchObject({ status: 403, body: { error: expect.stringMatching(/loopback/) } });
    // without a token there is no login page to offer a remote client either
    expect(await api('/login', { headers: { 'x-forwarded-for': '203.0.113.5' } })).toMatchObject({ status: 403 });
    expect(await api('/', { headers: { 'x-forwarded-for': '203.0.113.5' } })).toMatchObject({ status: 403 });
  });

  it('refuses a remote socket address with 403', async () => {
    const res = fakeResponse();
    mw({ url: '/_debug/api/stats', method: 'GET', headers: { host: 'localhost' }, socket: { remoteAddress: '10.1.2.3' } } as never, res as never, () => {
      throw new Error('the panel must not call next');
    });
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: expect.stringMatching(/loopback/) });
  });

  it('refuses a DNS-rebinding host name with 403', async () => {
    // fetch will not send a foreign Host header; node:http will
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(`${base}/_debug/api/stats`, { headers: { host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject).end();
    });
    expect(status).toBe(403);
  });
});

function fakeResponse() {
  const headers: Record<string, unknown> = {};
  return {
    statusCode: 200,
    body: '',
    headersSent: false,
    setHeader(k: string, v: unknown) { headers[k.toLowerCase()] = v; },
    getHeader(k: string) { return headers[k.toLowerCase()]; },
    end(b?: string) { this.body = b ?? ''; },
    on() { return this; },
  };
}

describe('panel lifecycle', () => {
  it('after close() only calls next(): no tracing, the panel path is left to the app', async () => {
    const app = express();
    const mw = panel();
    app.use(mw);
    // Resolves when the response of /x has closed: a server span would have ended by then (the
    // panel listens to 'close' before the app does), so the test needs no guessed delay.
    let closed: Promise<void> = Promise.resolve();
    app.get('/x', (_req, res) => {
      closed = new Promise((r) => res.once('close', () => r()));
      res.send('x');
    });
    const base = await listen(app);
    await fetch(base + '/x');
    await poll(async () => (mw.panel.pipeline.spans > 0 ? true : undefined));
    await mw.panel.close();
    const spans = mw.panel.pipeline.spans;
    expect(await (await fetch(base + '/x')).text()).toBe('x');
    await closed;
    expect((await fetch(base + '/_debug/api/stats')).status).toBe(404);
    expect(mw.panel.pipeline.spans).toBe(spans);
  });

  it('enabled: false turns it off outside production too', async () => {
    const mw = panel({ enabled: false });
    expect(mw.panel.enabled).toBe(false);
    let called = false;
    mw({} as never, {} as never, () => { called = true; });
    expect(called).toBe(true);
  });

  it('throws on bad options when created', () => {
    expect(() => debugPanel({ pth: '/x' } as never)).toThrow(/did you mean "path"\?/);
  });
});

describe('security defaults', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env.NODE_ENV = saved.NODE_ENV;
    if (saved.DEBUGPANEL_TOKEN === undefined) delete process.env.DEBUGPANEL_TOKEN;
    else process.env.DEBUGPANEL_TOKEN = saved.DEBUGPANEL_TOKEN;
  });

  it('answers 404 as if absent in production without a token, and does not trace', async () => {
    process.env.NODE_ENV = 'production';
    delete process.env.DEBUGPANEL_TOKEN;
    const app = express();
    const mw = panel();
    app.use(mw);
    app.get('/x', (_req, res) => { res.send('x'); });
    const base = await listen(app);
    expect(mw.panel.enabled).toBe(false);
    for (const p of ['/_debug', '/_debug/', '/_debug/api/traces', '/_debug/api/stream', '/_debug/login']) {
      const r = await fetch(base + p);
      expect(r.status).toBe(404);
      expect(await r.text()).toMatch(/Cannot GET/); // the app's own 404
    }
    await fetch(base + '/x');
    expect(mw.panel.pipeline.spans).toBe(0);
  });

  describe('with a token', () => {
    let base: string;
    beforeAll(async () => {
      const app = express();
      app.use(panel({ token: TOKEN }));
      app.get('/x', (_req, res) => { res.send('x'); });
      base = await listen(app);
    });

    it('accepts the bearer token', async () => {
      const r = await fetch(base + '/_debug/api/stats', { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.status).toBe(200);
    });

    it('refuses a missing or wrong token with 401 JSON', async () => {
      const none = await fetch(base + '/_debug/api/stats');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
      const wrong = await fetch(base + '/_debug/api/stats', { headers: { authorization: 'Bearer wrong-token-0123456789' } });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: 'invalid token' });
    });

    it('sends a browser to the login page, which sets an HttpOnly SameSite=Strict cookie', async () => {
      const page = await fetch(base + '/_debug/', { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/_debug/login');
      const form = await fetch(base + '/_debug/login');
      expect(form.status).toBe(200);
      expect(await form.text()).toContain('<form method="post"');

      const post = (token: string, headers: Record<string, string> = {}) =>
        fetch(base + '/_debug/login', {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams({ token }).toString(),
        });
      expect((await post('wrong')).status).toBe(401);
      expect((await post(TOKEN, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      const ok = await post(TOKEN, { origin: base });
      expect(ok.status).toBe(303);
      const cookie = ok.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\/_debug/);
      expect(cookie).not.toContain(TOKEN);
      const withCookie = await fetch(base + '/_debug/api/stats', { headers: { cookie: cookie.split(';')[0]! } });
      expect(withCookie.status).toBe(200);
    });
  });
});
