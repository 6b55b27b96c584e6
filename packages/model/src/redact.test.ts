import { describe, expect, it } from 'vitest';
import { MAX_ATTRIBUTE_LENGTH, REDACTED, Redactor } from './redact.js';
import type { SpanRecord } from './span.js';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsImV4cCI6MX0.c2lnc2lnc2lnc2lnc2ln';
const BASIC = 'Ym9iOmh1bnRlcjI='; // bob:hunter2

describe('Redactor.isSecretKey', () => {
  const r = new Redactor(['ssn', 'Card.Number']);

  it.each([
    // the default pattern, any case, anywhere in the key
    'password', 'db.password', 'PASSWORD', 'pwd', 'user_pwd', 'client_secret', 'access_token', 'refreshToken',
    'apiKey', 'api_key', 'api-key', 'auth', 'authToken', 'oauth_state', 'authorization', 'Authorization',
    'authorize_url', 'authn', 'jwt', 'sessionId', 'session.id', 'privateKey', 'private_key',
    // header names, bare and as attributes (judged by the header's name)
    'proxy-authorization', 'x-api-key', 'cookie', 'Cookie', 'set-cookie', 'cookies', 'signedCookies',
    'http.request.header.authorization', 'http.request.header.cookie', 'http.response.header.set-cookie',
    'http.request.header.x-api-key', 'http.request.header.proxy-authorization', 'rpc.grpc.request.metadata.authorization',
    // user keys: the whole key or its last segment, case-insensitive
    'ssn', 'SSN', 'customer.ssn', 'http.request.header.ssn', 'card.number', 'CARD.NUMBER',
  ])('%s is secret', (key) => {
    expect(r.isSecretKey(key)).toBe(true);
  });

  it.each([
    'user.id', 'http.route', 'db.query.text', 'url.full', 'url.query', 'url.path', 'http.request.method',
    // `auth` is authentication, not authorship
    'author', 'authors', 'authored_by', 'book.author', 'authority', 'http.request.header.authority',
    // counts and ids of the semantic conventions that only look like secrets
    'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.request.max_tokens', 'process.session_leader.pid',
    // user keys are exact: not a prefix or substring
    'ssn_count', 'number', 'card',
    'cookie_consent',
  ])('%s is not secret', (key) => {
    expect(r.isSecretKey(key)).toBe(false);
  });

  it('is false for what is not a string', () => {
    expect(r.isSecretKey(undefined as unknown as string)).toBe(false);
  });
});

describe('Redactor.string (value shapes)', () => {
  const r = new Redactor();

  it.each([
    ['Bearer under any key', `Bearer ${JWT.slice(0, 20)}x1`, `Bearer ${REDACTED}`],
    ['bearer in a sentence', 'sent authorization: bearer abc123DEF456 to api', `sent authorization: bearer ${REDACTED} to api`],
    ['Basic user:pass', `Basic ${BASIC}`, `Basic ${REDACTED}`],
    ['a JWT alone', JWT, REDACTED],
    ['a JWT in a path', `/verify/${JWT}?x=1`, `/verify/${REDACTED}?x=1`],
    ['a JWT without signature', 'token eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', `token ${REDACTED}`],
    ['URL password', 'postgres://app:s3cret@db:5432/shop', `postgres://app:${REDACTED}@db:5432/shop`],
    ['URL password with @ inside', 'https://bob:p@ss@api.example/x', `https://bob:${REDACTED}@api.example/x`],
    ['URL with empty user', 'redis://:hunter2@cache:6379', `redis://:${REDACTED}@cache:6379`],
    ['URL in text', 'connect ECONNREFUSED mysql://root:toor@10.0.0.5/app (retrying)', `connect ECONNREFUSED mysql://root:${REDACTED}@10.0.0.5/app (retrying)`],
    ['URL query api_key in text', 'GET https://maps.example/geo?q=x&api_key=K123 failed', `GET https://maps.example/geo?q=x&api_key=${REDACTED} failed`],
  ])('%s', (_label, input, expected) => {
    expect(r.string(input)).toBe(expected);
  });

  it.each([
    ['a path', '/orders/42'],
    ['SQL', 'SELECT * FROM users WHERE password = ? AND id = ?'],
    ['prose with bearer', 'the bearer of bad news'],
    ['prose with Basic', 'Basic usage: call init() first'],
    ['a URL with a user but no password', 'ssh://git@github.com/org/repo.git'],
    ['a user agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36'],
    ['an email', 'bob@example.com'],
    ['short', 'eyJ'],
  ])('keeps %s as it is (the same string)', (_label, input) => {
    expect(r.string(input)).toBe(input);
  });

  it('is idempotent: a redacted string is left as it is', () => {
    for (const s of [`Bearer ${REDACTED}`, `postgres://a:${REDACTED}@h/d`, `https://h/x?token=${REDACTED}`, `Basic ${REDACTED}`]) {
      expect(r.string(s)).toBe(s);
    }
  });
});

describe('Redactor.query and url', () => {
  const r = new Redactor(['card']);

  it('returns the same string when no parameter is secret', () => {
    const q = 'page=2&sort=name';
    expect(r.query(q)).toBe(q);
  });

  it('redacts secret parameters, case-insensitively, by the same rules as keys', () => {
    expect(r.query('user=bob&Password=hunter2&api_key=k&apiKey=k2&x-api-key=k3&token=t&card=4111&cards=2&author=me'))
      .toBe(`user=bob&Password=${REDACTED}&api_key=${REDACTED}&apiKey=${REDACTED}&x-api-key=${REDACTED}&token=${REDACTED}&card=${REDACTED}&cards=2&author=me`);
  });

  it('compares percent-encoded names after decoding and survives malformed encoding', () => {
    expect(r.query('p%61ss=x&a=1')).toBe(`p%61ss=${REDACTED}&a=1`);
    expect(r.query('%E0%A4%A=1&token=2')).toBe(`%E0%A4%A=1&token=${REDACTED}`);
  });

  it('keeps parameters without a value and empty parts', () => {
    expect(r.query('secret&&a=1')).toBe('secret&&a=1');
  });

  it('redacts a URL\'s password and secret parameters, keeping the fragment', () => {
    expect(r.url('https://bob:pw@api.example/x?token=t&page=2#top'))
      .toBe(`https://bob:${REDACTED}@api.example/x?token=${REDACTED}&page=2#top`);
    expect(r.url('/search?q=shoes&session=abc')).toBe(`/search?q=shoes&session=${REDACTED}`);
    const clean = 'https://api.example/x?page=2';
    expect(r.url(clean)).toBe(clean);
  });
});

describe('Redactor.attribute and attributes', () => {
  const r = new Redactor(['customer.ssn']);

  it('returns the same object when nothing changes', () => {
    const attrs = { 'http.request.method': 'GET', 'url.path': '/orders/7', 'user.id': 'u1', 'http.route': '/orders/:id', 'db.query.text': 'SELECT 1', n: 3 };
    expect(r.attributes(attrs)).toBe(attrs);
  });

  it('copies and redacts without touching the original', () => {
    const attrs = { 'db.password': 'p', 'customer.ssn': '123', keep: 1, note: `Bearer ${BASIC}xyz` };
    expect(r.attributes(attrs)).toEqual({ 'db.password': REDACTED, 'customer.ssn': REDACTED, keep: 1, note: `Bearer ${REDACTED}` });
    expect(attrs['db.password']).toBe('p');
  });

  it('replaces any value type under a secret key but a boolean', () => {
    expect(r.attribute('pin.password', 1234)).toBe(REDACTED);
    expect(r.attribute('http.request.header.authorization', ['Bearer x'])).toBe(REDACTED);
    expect(r.attribute('user.authenticated_session', true)).toBe(true);
  });

  it('redacts url.query parameters, url.full and http.target', () => {
    expect(r.attribute('url.query', 'api_key=k&page=2')).toBe(`api_key=${REDACTED}&page=2`);
    expect(r.attribute('url.full', 'https://u:p@h/x?token=t')).toBe(`https://u:${REDACTED}@h/x?token=${REDACTED}`);
    expect(r.attribute('http.target', '/x?password=p')).toBe(`/x?password=${REDACTED}`);
    expect(r.attribute('url.query', `next=${JWT}`)).toBe(`next=${REDACTED}`);
  });

  it('cuts strings and string array elements at 4,096 characters', () => {
    const long = 'x'.repeat(5 * 1024 * 1024);
    expect((r.attribute('app.blob', long) as string).length).toBe(MAX_ATTRIBUTE_LENGTH);
    expect((r.attribute('http.request.method', long) as string).length).toBe(MAX_ATTRIBUTE_LENGTH);
    const arr = r.attribute('app.list', ['a', long, 3]) as unknown[];
    expect(arr[0]).toBe('a');
    expect((arr[1] as string).length).toBe(MAX_ATTRIBUTE_LENGTH);
    expect(arr[2]).toBe(3);
    expect(new Redactor([], { maxLength: 3 }).attribute('a', 'abcdef')).toBe('abc');
  });

  it('redacts shapes in array elements, copying the array', () => {
    const values = ['ok', JWT];
    expect(r.attribute('app.tokens_seen', values)).toBe(REDACTED); // a secret key
    const out = r.attribute('app.seen', values);
    expect(out).toEqual(['ok', REDACTED]);
    expect(values[1]).toBe(JWT);
  });

  it('keeps a bounded verdict cache and counts what it did', () => {
    const small = new Redactor();
    for (let i = 0; i < 3000; i++) small.attribute(`k${i}`, 'v');
    const s = small.stats();
    expect(s.cachedKeys).toBeLessThanOrEqual(s.maxCachedKeys);
    expect(s.cacheResets).toBe(1);
    small.attribute('password', 'x');
    small.attribute('blob', 'y'.repeat(5000));
    expect(small.stats()).toMatchObject({ redacted: 1, cut: 1 });
  });

  it('refuses extra keys that are not strings', () => {
    expect(() => new Redactor('ssn' as unknown as string[])).toThrow(/array of strings/);
    expect(() => new Redactor([1 as unknown as string])).toThrow(/array of strings/);
  });
});

describe('Redactor.headerPairs', () => {
  const r = new Redactor();

  it('redacts values after secret header names, and secret shapes in the others', () => {
    const raw = ['Host', 'a.example', 'Authorization', 'Bearer abc.def.ghi1', 'Cookie', 'sid=1', 'X-Trace', `Bearer ${BASIC}zz`];
    expect(r.headerPairs(raw)).toEqual(['Host', 'a.example', 'Authorization', REDACTED, 'Cookie', REDACTED, 'X-Trace', `Bearer ${REDACTED}`]);
    expect(raw[3]).toBe('Bearer abc.def.ghi1');
  });

  it('returns the same array when clean', () => {
    const raw = ['host', 'a', 'accept', '*/*'];
    expect(r.headerPairs(raw)).toBe(raw);
  });
});

describe('Redactor.span', () => {
  const r = new Redactor();
  const base = (): SpanRecord => ({
    traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'GET /x', kind: 'server', service: 's',
    startTime: 1, duration: 1, status: { code: 'unset' }, attributes: { 'http.route': '/x' }, events: [],
  });

  it('leaves a clean span as it is', () => {
    const rec = base();
    const attrs = rec.attributes;
    r.span(rec);
    expect(rec.attributes).toBe(attrs);
    expect(rec.events).toEqual([]);
  });

  it('redacts attributes, events, links, resource, name and status message, sharing nothing it changed', () => {
    const resource = { 'db.password': 'pw', 'host.name': 'h' };
    const eventAttrs = { 'exception.message': 'login failed for postgres://app:pw@db/x', password: 'p' };
    const rec: SpanRecord = {
      ...base(),
      name: `GET /verify/${JWT}`,
      status: { code: 'error', message: 'Bearer abcdef123456 rejected' },
      attributes: { 'http.request.header.authorization': ['Bearer abc'], 'url.query': 'api_key=k' },
      events: [{ name: 'exception', time: 1, attributes: eventAttrs }, { name: 'clean', time: 2, attributes: { a: 1 } }],
      links: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { token: 't' } }],
      resource,
    };
    const other: SpanRecord = { ...base(), resource };
    r.span(rec);
    r.span(other);
    expect(rec.name).toBe(`GET /verify/${REDACTED}`);
    expect(rec.status).toEqual({ code: 'error', message: `Bearer ${REDACTED} rejected` });
    expect(rec.attributes).toEqual({ 'http.request.header.authorization': REDACTED, 'url.query': `api_key=${REDACTED}` });
    expect(rec.events[0]!.attributes).toEqual({ 'exception.message': `login failed for postgres://app:${REDACTED}@db/x`, password: REDACTED });
    expect(rec.events[1]!.attributes).toEqual({ a: 1 });
    expect(rec.links![0]!.attributes).toEqual({ token: REDACTED });
    expect(rec.resource).toEqual({ 'db.password': REDACTED, 'host.name': 'h' });
    // one redacted copy per resource object, shared by its spans; the original is untouched
    expect(other.resource).toBe(rec.resource);
    expect(resource['db.password']).toBe('pw');
    expect(eventAttrs.password).toBe('p');
  });
});
