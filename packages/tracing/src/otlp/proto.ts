/**
 * The OTLP protobuf message types, in one place: static protobufjs code generated at build time
 * (scripts/gen-otlp-proto.mjs) from the official opentelemetry-proto schema vendored in proto/,
 * with its types. Everything that reads or writes OTLP protobuf (trace ingest, logs ingest,
 * responses) takes its messages from here.
 *
 * @example
 * import { ExportLogsServiceRequest } from '@debugpanel/tracing/otlp';
 * const req = ExportLogsServiceRequest.decode(body); // throws on malformed protobuf
 */
import { opentelemetry } from './generated/otlp-proto.js';

const collector = opentelemetry.proto.collector;

export const ExportTraceServiceRequest = collector.trace.v1.ExportTraceServiceRequest;
export const ExportTraceServiceResponse = collector.trace.v1.ExportTraceServiceResponse;
export const ExportLogsServiceRequest = collector.logs.v1.ExportLogsServiceRequest;
export const ExportLogsServiceResponse = collector.logs.v1.ExportLogsServiceResponse;

/** Every generated message and enum (`otlpProto.proto.logs.v1.SeverityNumber`, ...), with its types. */
export { opentelemetry as otlpProto };
