// A process that knows nothing of debugpanel sends, with the official OpenTelemetry JS SDK and
// OTLP/HTTP exporter, one span full of secrets: in attributes, header attributes, url.query, an
// event, a link, the status message and the resource.
// Usage: node otel-sdk-secrets.mjs <traces-url> <protobuf|json> <token> <secret> <jwt>; prints the ids.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';

const [url, protocol, token, secret, jwt] = process.argv.slice(2);
const headers = { authorization: `Bearer ${token}` };
const exporter = protocol === 'json' ? new JsonExporter({ url, headers }) : new ProtoExporter({ url, headers });
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': `secrets-${protocol}`, 'db.password': secret, 'host.name': 'box' }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const tracer = provider.getTracer('leaky-fixture', '0.0.1');
const linked = tracer.startSpan('linked');
linked.end();
const span = tracer.startSpan('POST /login', {
  kind: SpanKind.SERVER,
  attributes: {
    password: secret,
    'url.query': `api_key=${secret}&page=2`,
    'url.full': `https://bob:${secret}@api.example/login`,
    'http.request.header.authorization': [`Bearer ${secret}`],
    'http.request.header.cookie': [`sid=${secret}`],
    'app.note': jwt,
    'app.forwarded': `Bearer ${secret}`,
    'user.id': 'u42',
    'http.route': '/login',
    'db.query.text': 'SELECT id FROM users WHERE password_hash = ?',
  },
  links: [{ context: linked.spanContext(), attributes: { 'session.id': secret, reason: 'retry' } }],
});
span.addEvent('login attempt', { token: secret, 'exception.message': `connect to postgres://app:${secret}@db/shop failed` });
span.setStatus({ code: SpanStatusCode.ERROR, message: `refused Bearer ${secret}` });
span.end();
await provider.forceFlush();
await provider.shutdown();
console.log(JSON.stringify({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId }));
