/**
 * @debugpanel/model: the span and trace types every debugpanel package shares, the domain rules
 * (`isErrorSpan`, `isLocalRoot`, `calleeOf`), the bounded `RingBuffer`, option checking, the one
 * `Redactor`, and the JSON contract of the panel's API: every route's params and bodies and the
 * SSE events, one file per feature in `api/` (see README.md for how a new feature adds its shapes).
 *
 * @example
 * import { isValidTraceId, type SpanRecord } from '@debugpanel/model';
 * if (!isValidTraceId(id)) throw new Error('bad trace id');
 */
export type {
  SpanKind,
  StatusCode,
  AttributePrimitive,
  AttributeValue,
  Attributes,
  SpanStatus,
  SpanEvent,
  SpanLink,
  SpanRecord,
} from './span.js';
export { spanEnd } from './span.js';
export type { HttpStatusClass, ErrorKind, CalleeKind, Callee, KnownHosts } from './rules.js';
export { isErrorSpan, isHttpErrorStatus, errorKind, httpStatusOf, httpStatusClass, isLocalRoot, calleeOf, serverHostOf, learnHosts, isProductionEnv } from './rules.js';
export { isValidTraceId, isValidSpanId } from './ids.js';
export { Redactor, REDACTED, SECRET_KEY_PATTERN, SECRET_HEADERS, MAX_ATTRIBUTE_LENGTH } from './redact.js';
export type { RedactorOptions, RedactorStats } from './redact.js';
export { RingBuffer } from './ring-buffer.js';
export { Interner } from './interner.js';
export type { InternerOptions } from './interner.js';
export { RETENTION_CLASSES, RETENTION_TIER, retentionClassOf, retentionClassIndex } from './retention.js';
export type { RetentionFacts } from './retention.js';
export type { FaultKind, FaultDecision, FaultHeaders, FaultInjector, IncomingCall, OutgoingCall, StatementCall } from './fault.js';
export { CHAOS_RULE_ATTRIBUTE, CHAOS_EVENT, faultEventAttributes } from './fault.js';
export { BigramFilters, makeNeedle, keySep, FILTER_BYTES, FILTER_WORDS, ID_SEP, NAME_SEP } from './text-filter.js';
export type { Needle } from './text-filter.js';
export type { TraceSummary, TraceQuery, TraceQueryResult, TraceStatusFilter } from './query.js';
export { DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT } from './query.js';
export { summaryMatches, summaryDecides, parseHttpStatusFilter, httpStatusIn, MAX_HTTP_STATUS_TERMS } from './query.js';
export type { HttpStatusFilter } from './query.js';
export type { LogRecord, LogSource, LogQuery, LogQueryResult } from './logs.js';
export { MAX_LOG_BODY, MAX_LOG_ATTRIBUTES, SEVERITY, severityName, parseSeverity, logMatcher, DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT } from './logs.js';
// The JSON contract of every route and of the SSE stream (see api/index.ts).
export * from './api/index.js';
export type { Check, Schema, OptionsErrorClass } from './options.js';
export {
  checkKeys,
  checkValue,
  unknownOption,
  closest,
  editDistance,
  describeValue,
  isPlainObject,
  isString,
  isNonEmptyString,
  isBoolean,
  isFunction,
  isPositiveInt,
  isStringArray,
  isNumberAtLeast,
  must,
} from './options.js';
