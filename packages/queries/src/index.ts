/**
 * @debugpanel/queries: database query insights over SpanRecords, model only. SQL fingerprints
 * from a small tokenizer, per-fingerprint statistics with the app's call sites, and detectors for
 * N+1 queries (sequential and `Promise.all`), consecutive independent queries, slow queries and
 * N+1 HTTP calls, aggregated across requests by call site.
 *
 * @example
 * import { fingerprint, QueryInsights } from '@debugpanel/queries';
 * fingerprint("SELECT * FROM stock WHERE sku = 'a1'").text; // 'select * from stock where sku = ?'
 * const insights = new QueryInsights();
 * insights.addTrace(spansOfOneLocalRoot);
 * insights.findings();
 */
export { fingerprint, computeFingerprint, maskLiterals, fingerprintCacheStats, setFingerprintCacheSize, type Fingerprint } from './fingerprint.js';
export { MAX_SCAN_LENGTH } from './sql-scan.js';
export { Lru } from './lru.js';
export { QueryInsights, checkQueryInsightsOptions, type QueryInsightsOptions } from './insights.js';
export { detect, requestParts, isDbSpan, statementOf, httpRouteOf, DEFAULT_THRESHOLDS, MAX_FINDING_SPANS, type RequestPart } from './detect.js';
export { Histogram } from './histogram.js';
