// A process that knows nothing of debugpanel: the official OpenTelemetry JS SDK
// (NodeTracerProvider + the official OTLP/HTTP exporter) sends one small trace to URL.
// Usage: node otel-sdk-sender.mjs <traces-url> <protobuf|json>; prints the ids it made.
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';

const [url, protocol] = process.argv.slice(2);
const exporter = protocol === 'json' ? new JsonExporter({ url }) : new ProtoExporter({ url });
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': `sdk-${protocol}`, 'service.instance.id': 'sdk-1' }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const tracer = provider.getTracer('interop-fixture', '0.0.1');
const root = tracer.startSpan('POST /checkout', {
  kind: SpanKind.SERVER,
  attributes: { 'http.request.method': 'POST', 'http.route': '/checkout', 'http.response.status_code': 502, items: 3 },
});
const child = tracer.startSpan(
  'charge card',
  { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'payments', amounts: [1.5, 2.5] } },
  trace.setSpan(context.active(), root),
);
child.addEvent('retry', { attempt: 1 });
child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
child.end();
root.setStatus({ code: SpanStatusCode.ERROR });
root.end();
await provider.forceFlush();
await provider.shutdown();
console.log(JSON.stringify({ traceId: root.spanContext().traceId, rootId: root.spanContext().spanId, childId: child.spanContext().spanId }));
