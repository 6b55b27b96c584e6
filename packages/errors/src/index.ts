/**
 * @debugpanel/errors: error groups. Exceptions from spans, logs and the process are fingerprinted
 * (type, normalised message, top in-app frames, the whole `cause` chain) and counted in bounded
 * groups with a per-minute series, the services, routes, releases and users they hit, sample
 * traces and the newest occurrences; `relate` tells which group caused which across services.
 *
 * @example
 * import { ErrorGroups, fromError } from '@debugpanel/errors';
 * const groups = new ErrorGroups();
 * groups.record(fromError(err), { source: 'log', service: 'orders', traceId, spanId });
 * groups.list().groups; // most recently seen first
 */
export { normalizeMessage, MAX_MESSAGE_LENGTH } from './normalize.js';
export { parseStack, moduleOf, functionName, isMinified, MAX_FRAMES, MAX_STACK_LENGTH } from './stack.js';
export { fingerprint, fromError, MAX_APP_FRAMES, MAX_CHAIN } from './fingerprint.js';
export type { ExceptionInfo, FingerprintOptions, Fingerprinted, ParsedLink } from './fingerprint.js';
export { ErrorGroups, MINUTE_MS } from './groups.js';
export type { ErrorGroupsOptions, ErrorContext, RootContext, ErrorGroupFilter, TraceOccurrence } from './groups.js';
export { relate } from './relations.js';
export type { RelatedGroup, Relations } from './relations.js';
export { hasException, spanExceptions, spanContext } from './span-exceptions.js';
export { watchProcessErrors, unhandledRejectionsMode } from './process-errors.js';
export type { ProcessErrorSource } from './process-errors.js';
