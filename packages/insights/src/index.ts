/**
 * @debugpanel/insights: baselines, anomaly detection, root-cause ranking with evidence, incidents,
 * alerts and cohort comparison. Pure: it imports only `@debugpanel/model`, takes golden-signal
 * series (`MetricsResponse`) and span records, and never holds a store.
 *
 * @example
 * import { InsightsEngine } from '@debugpanel/insights';
 * // criticalPath: from the @debugpanel/flamegraph package (the panel passes it in)
 * const engine = new InsightsEngine({ criticalPath, source: { fine: (s) => signals.queryAll(s), coarse: (seconds) => signals.queryAll(seconds ?? 21600) } });
 * engine.start();
 * engine.addSpans(keptSpans);
 * engine.list().incidents[0]?.suspects[0]?.evidence.sentence;
 */
export { InsightsEngine } from './engine.js';
export type { InsightsOptions, SignalSource, IncidentVerdict } from './engine.js';
export { Detector, scopeOf, scopeKey, scopeName, shareAbove } from './detector.js';
export type { DetectorOptions, DetectorChanges, DetectorHooks, SignalSnapshot, SloTarget } from './detector.js';
export { digestTrace, routeOf } from './digest.js';
export { StatementMix } from './mix.js';
export type { StatementMixOptions, MixExpectation } from './mix.js';
export { BlockingCalls, isBlockingSpan, processOf } from './blocking.js';
export type { BlockingCall, BlockingFn } from './blocking.js';
export type { TraceDigest, OpDigest, CriticalPathFn, FingerprintFn, ErrorGroupFn, ErrorGroupRef, QueryRef, FindingsFn, FindingRef } from './digest.js';
export { rank, spectrum } from './rank.js';
export type { RankInput, Ranking } from './rank.js';
export { compareCohorts } from './compare.js';
export { WebhookQueue, slackBody } from './webhook.js';
export type { WebhookOptions } from './webhook.js';
export { median, mad, binomialUpperTail, poissonUpperTail, poissonLowerTail } from './stats.js';
