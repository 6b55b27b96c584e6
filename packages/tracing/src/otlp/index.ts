/**
 * OTLP/HTTP codec: trace ingest (protobuf and JSON) into SpanRecords, responses, and the OTLP
 * protobuf message types (traces and logs) generated from the official schema.
 *
 * @example
 * import { decodeOtlpProtobuf } from '@debugpanel/tracing/otlp';
 * const { spans, rejectedSpans, errorMessage } = decodeOtlpProtobuf(body);
 */
export {
  decodeOtlpProtobuf,
  decodeOtlpJson,
  encodeOtlpResponse,
  decodeOtlpResponse,
  encodeOtlpProtobuf,
  OtlpDecodeError,
} from './decode.js';
export type { OtlpDecodeLimits, OtlpDecodeResult } from './decode.js';
export { decodeOtlpLogsProtobuf, decodeOtlpLogsJson, encodeOtlpLogsResponse } from './decode-logs.js';
export type { OtlpLogsDecodeResult } from './decode-logs.js';
export { ExportTraceServiceRequest, ExportTraceServiceResponse, ExportLogsServiceRequest, ExportLogsServiceResponse, otlpProto } from './proto.js';
export { createOtlpSender, createOtlpLogSender, toReadableSpan, toReadableLogRecord } from './sender.js';
export type { OtlpSender, OtlpSenderOptions, OtlpSenderStats } from './sender.js';
