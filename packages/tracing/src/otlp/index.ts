/**
 * OTLP/HTTP trace codec: ingest (protobuf and JSON) into SpanRecords, and responses.
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
export { createOtlpSender, toReadableSpan } from './sender.js';
export type { OtlpSender, OtlpSenderOptions, OtlpSenderStats } from './sender.js';
