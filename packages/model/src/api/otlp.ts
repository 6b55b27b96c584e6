/**
 * The hub's OTLP/HTTP receiver, `POST {path}/v1/traces`, answering as the OTLP/HTTP specification
 * says. The request is an OTLP `ExportTraceServiceRequest` (protobuf or JSON; decoded by
 * `@debugpanel/tracing/otlp`, not restated here); a JSON request gets a JSON answer.
 */

/** 200 to a JSON request: an `ExportTraceServiceResponse` (an empty object when every span was accepted). */
export interface OtlpExportResponse {
  partialSuccess?: {
    /** int64 in the OTLP JSON mapping, hence a string */
    rejectedSpans: string;
    errorMessage: string;
  };
}

/** 200 to a JSON request at `{path}/v1/logs`: an `ExportLogsServiceResponse`. */
export interface OtlpLogsExportResponse {
  partialSuccess?: {
    rejectedLogRecords: string;
    errorMessage: string;
  };
}

/** 4xx/5xx: a `google.rpc.Status` (code 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED for 429), plus `error` like every panel route. */
export interface OtlpErrorResponse {
  code: number;
  message: string;
  error: string;
}

/** The `hub` section of `GET {path}/api/stats` (present with `debugPanel({ hub: true })`). */
export interface HubStats {
  requests: number;
  acceptedSpans: number;
  rejectedSpans: number;
  /** log records accepted at `{path}/v1/logs` */
  acceptedLogRecords: number;
  rejectedLogRecords: number;
  /** requests answered 4xx (malformed, too large, wrong type) */
  badRequests: number;
  /** requests answered 429 */
  throttled: number;
}
