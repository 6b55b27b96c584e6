/**
 * Leak table for local spans: every way a secret can reach a span (attributes set by the app or
 * by other instrumentations, events, exceptions, links, the resource, the status), and what the
 * panel's SpanRecord holds instead. Also what must not be redacted. Both paths: an app's own SDK
 * provider with `debugPanelSpanProcessor()` (redacted on delivery) and the panel's own provider
 * (native spans, redacted as attributes are set).
 */
import { describe, expect, it } from 'vitest';
import { SpanStatusCode, type Attributes, type Link, type Span } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { MAX_ATTRIBUTE_LENGTH, REDACTED, Redactor, type SpanRecord } from '@debugpanel/model';
import { NativeTracerProvider } from './native-span.js';
import { Sink } from './processor.js';
import { debugPanelSpanProcessor } from './setup.js';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsImV4cCI6MX0.c2lnc2lnc2lnc2lnc2ln';
const SECRET = 'hunter2-s3cret';

const got: SpanRecord[] = [];
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'leaky', 'db.password': SECRET, 'host.name': 'box' }),
  spanProcessors: [debugPanelSpanProcessor({ onSpan: (s) => got.push(s), redactKeys: ['ssn'] })],
});
const sink = new Sink('leaky', (s) => got.push(s), new Redactor(['ssn']), undefined);
const native = new NativeTracerProvider(
  { sinks: new Set([sink]), redactor: sink.redactor, limited: { attributes: 0, events: 0, links: 0 } },
  new AlwaysOnSampler(),
);
const tracers = { 'an SDK provider': provider.getTracer('leak-table'), 'the panel provider': native.getTracer('leak-table') };

// Native spans of the panel's own provider carry no OTel resource (the panel names its service
// itself), so the resource case belongs to the SDK path only: a test of its own, not a skip.
describe('the resource of an SDK provider', () => {
  it('is redacted by key', () => {
    const span = tracers['an SDK provider'].startSpan('leak');
    span.end();
    const rec = got.at(-1)!;
    expect(rec.resource).toMatchObject({ 'db.password': REDACTED, 'host.name': 'box' });
    expect(JSON.stringify(rec)).not.toContain(SECRET);
  });
});

describe.each(Object.entries(tracers))('local spans of %s', (_path, tracer) => {
  /** Makes one span, lets `fill` add to it, returns the record the panel received. */
  function record(attributes: Attributes, fill?: (span: Span) => void, links?: Link[]): SpanRecord {
    const span = tracer.startSpan('leak', { attributes, ...(links ? { links } : {}) });
    fill?.(span);
    span.end();
    return got.at(-1)!;
  }

  describe('secrets do not reach the panel', () => {
    it.each<[string, Attributes, Attributes]>([
      ['authorization header attribute (another instrumentation)', { 'http.request.header.authorization': [`Bearer ${SECRET}`] }, { 'http.request.header.authorization': REDACTED }],
      ['cookie header attribute', { 'http.request.header.cookie': [`sid=${SECRET}`] }, { 'http.request.header.cookie': REDACTED }],
      ['set-cookie header attribute', { 'http.response.header.set-cookie': [`sid=${SECRET}; HttpOnly`] }, { 'http.response.header.set-cookie': REDACTED }],
      ['x-api-key header attribute', { 'http.request.header.x-api-key': [SECRET] }, { 'http.request.header.x-api-key': REDACTED }],
      ['a user key as a header attribute', { 'http.request.header.ssn': ['123-45'] }, { 'http.request.header.ssn': REDACTED }],
      ['secret-looking keys', { 'db.password': SECRET, 'app.jwt': SECRET, sessionId: SECRET }, { 'db.password': REDACTED, 'app.jwt': REDACTED, sessionId: REDACTED }],
      ['password in url.full', { 'url.full': `https://bob:${SECRET}@api.example/x` }, { 'url.full': `https://bob:${REDACTED}@api.example/x` }],
      ['api_key in url.query', { 'url.query': `api_key=${SECRET}&page=2` }, { 'url.query': `api_key=${REDACTED}&page=2` }],
      ['api_key in url.full', { 'url.full': `https://maps.example/geo?api_key=${SECRET}` }, { 'url.full': `https://maps.example/geo?api_key=${REDACTED}` }],
      ['a JWT under an innocent key', { 'app.note': JWT }, { 'app.note': REDACTED }],
      ['Bearer under an innocent key', { 'app.forwarded': `Bearer ${SECRET}` }, { 'app.forwarded': `Bearer ${REDACTED}` }],
      ['a connection string under an innocent key', { 'db.connection_string': `postgres://app:${SECRET}@db:5432/shop` }, { 'db.connection_string': `postgres://app:${REDACTED}@db:5432/shop` }],
    ])('%s', (_label, attributes, expected) => {
      const rec = record(attributes);
      expect(rec.attributes).toEqual(expected);
      expect(JSON.stringify(rec)).not.toContain(SECRET);
    });

    it('event attributes', () => {
      const rec = record({}, (span) => span.addEvent('login', { password: SECRET, user: 'bob', note: `Bearer ${SECRET}` }));
      expect(rec.events[0]!.attributes).toEqual({ password: REDACTED, user: 'bob', note: `Bearer ${REDACTED}` });
    });

    it('exception events and the status message', () => {
      const rec = record({}, (span) => {
        span.recordException(new Error(`connect failed for postgres://app:${SECRET}@db/shop`));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `upstream refused Bearer ${SECRET}` });
      });
      expect(rec.events[0]!.attributes['exception.message']).toBe(`connect failed for postgres://app:${REDACTED}@db/shop`);
      expect(rec.status.message).toBe(`upstream refused Bearer ${REDACTED}`);
      expect(JSON.stringify(rec)).not.toContain(SECRET);
    });

    it('link attributes', () => {
      const other = tracer.startSpan('other');
      other.end();
      const rec = record({}, undefined, [{ context: other.spanContext(), attributes: { token: SECRET, kind: 'retry' } }]);
      expect(rec.links![0]!.attributes).toEqual({ token: REDACTED, kind: 'retry' });
    });

    it('cuts string values and string array elements at 4,096 characters (a 5 MB attribute is not kept)', () => {
      const huge = 'x'.repeat(5 * 1024 * 1024);
      const rec = record({ 'app.blob': huge, 'app.list': ['ok', huge] });
      expect((rec.attributes['app.blob'] as string).length).toBe(MAX_ATTRIBUTE_LENGTH);
      const list = rec.attributes['app.list'] as string[];
      expect(list[0]).toBe('ok');
      expect(list[1]!.length).toBe(MAX_ATTRIBUTE_LENGTH);
    });

    it('the span name, also after a rename', () => {
      const span = tracer.startSpan(`reset ${JWT}`);
      span.updateName(`reset again ${JWT}`);
      span.end();
      expect(got.at(-1)!.name).toBe(`reset again ${REDACTED}`);
    });
  });

  describe('no false positives', () => {
    it('keeps ordinary attributes as they are', () => {
      const attributes = {
        'user.id': 'u42',
        'http.route': '/orders/:id',
        'url.path': '/orders/42',
        'db.query.text': 'SELECT * FROM users WHERE password_hash = ? AND id = ?',
        'book.author': 'Ursula K. Le Guin',
        'http.request.header.authority': 'shop.example',
        'gen_ai.usage.input_tokens': 812,
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
        'app.note': 'the bearer of good news; basic usage',
      };
      const rec = record(attributes);
      expect(rec.attributes).toEqual(attributes);
    });
  });
});
