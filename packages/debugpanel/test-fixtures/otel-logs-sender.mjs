// A process that knows nothing of debugpanel: the official OpenTelemetry JS logs SDK
// (LoggerProvider + the official OTLP/HTTP log exporter) sends two log records to URL, one inside a
// span context, one outside. Usage: node otel-logs-sender.mjs <logs-url> <token>; prints the ids.
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';

const [url, token] = process.argv.slice(2);
const exporter = new OTLPLogExporter({ url, headers: { authorization: `Bearer ${token}` } });
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'sdk-logs' }),
  processors: [new SimpleLogRecordProcessor({ exporter })],
});
const logger = provider.getLogger('interop-fixture', '0.0.1');
const spanContext = { traceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', spanId: '0123456789abcdef', traceFlags: TraceFlags.SAMPLED };
logger.emit({
  severityNumber: SeverityNumber.ERROR,
  severityText: 'ERROR',
  body: 'payment declined',
  attributes: { 'user.id': 'u-7', amount: 30, password: 'hunter2' },
  context: trace.setSpanContext(context.active(), spanContext),
});
logger.emit({ severityNumber: SeverityNumber.INFO, body: 'warm-up done' });
await provider.forceFlush();
await provider.shutdown();
console.log(JSON.stringify(spanContext));
