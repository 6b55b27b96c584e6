import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { ExportLogsServiceRequest, ExportLogsServiceResponse, ExportTraceServiceRequest, otlpProto } from './proto.js';

const TRACE_ID = Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex');
const SPAN_ID = Buffer.from('00f067aa0ba902b7', 'hex');

describe('OTLP protobuf messages generated from the vendored opentelemetry-proto schema', () => {
  it('round-trips a logs export request (for OTLP logs ingest)', () => {
    const { SeverityNumber } = otlpProto.proto.logs.v1;
    const bytes = ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject({
        resourceLogs: [{
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] },
          scopeLogs: [{
            scope: { name: 'pino' },
            logRecords: [{
              timeUnixNano: '1700000000123000000', severityNumber: SeverityNumber.SEVERITY_NUMBER_ERROR, severityText: 'error',
              body: { stringValue: 'payment failed' }, traceId: TRACE_ID, spanId: SPAN_ID, eventName: 'payment.failed',
              attributes: [{ key: 'order.id', value: { intValue: 42 } }],
            }],
          }],
        }],
      }),
    ).finish();
    const back = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(bytes), { longs: String, bytes: String, enums: String });
    const log = back.resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(log).toMatchObject({
      timeUnixNano: '1700000000123000000', severityNumber: 'SEVERITY_NUMBER_ERROR', severityText: 'error',
      body: { stringValue: 'payment failed' }, traceId: TRACE_ID.toString('base64'), spanId: SPAN_ID.toString('base64'),
      eventName: 'payment.failed', attributes: [{ key: 'order.id', value: { intValue: '42' } }],
    });
    expect(back.resourceLogs[0].resource.attributes[0]).toEqual({ key: 'service.name', value: { stringValue: 'orders' } });
    expect(ExportLogsServiceResponse.decode(ExportLogsServiceResponse.encode({ partialSuccess: { rejectedLogRecords: 2, errorMessage: 'x' } }).finish()))
      .toMatchObject({ partialSuccess: { errorMessage: 'x' } });
  });

  it('knows fields of current schema releases (span flags, from 1.1)', () => {
    const bytes = ExportTraceServiceRequest.encode({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, name: 'GET /', flags: 0x301 }] }] }],
    }).finish();
    expect(ExportTraceServiceRequest.decode(bytes).resourceSpans[0]!.scopeSpans[0]!.spans[0]!.flags).toBe(0x301);
  });

  it('lives in a protobuf root of its own, apart from any other generated OTLP module in the process', () => {
    const roots = protobuf.roots as Record<string, { opentelemetry?: unknown }>;
    expect(roots.debugpanel_otlp?.opentelemetry).toBe(otlpProto);
    expect(roots.default?.opentelemetry).not.toBe(otlpProto);
  });

  it('refuses malformed bytes with an error, which the decoders turn into a 400', () => {
    expect(() => ExportTraceServiceRequest.decode(Uint8Array.from([0x0a, 0xff, 0xff, 0xff]))).toThrow();
  });
});
