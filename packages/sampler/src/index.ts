/**
 * @debugpanel/sampler: OpenTelemetry head samplers and a tail sampler that keeps whole traces by
 * policy (errors, slow, attributes, a deterministic fraction, a rate) and says why.
 *
 * @example
 * import { TailSampler, parentBased, traceIdRatio } from '@debugpanel/sampler';
 * const head = parentBased({ root: traceIdRatio(0.1) });
 * const tail = new TailSampler({ production: true, onKeep: (spans, reason) => store.addMany(spans) });
 */
export { alwaysOn, alwaysOff, traceIdRatio, parentBased, recordAll } from './head.js';
export type { ParentBasedOptions } from './head.js';
export { traceIdHash, isTraceIdSampled } from './trace-id-ratio.js';
export { TailSampler } from './tail-sampler.js';
/** The default local-root test of the TailSampler: model's `isLocalRoot`, under its older name. */
export { isLocalRoot as isDefaultLocalRoot } from '@debugpanel/model';
export { PolicyEvaluator, POLICY_ORDER } from './policy.js';
export type { TraceToDecide, Decision } from './policy.js';
export type { TailSamplerOptions, TailSamplerStats } from './tail-sampler.js';
export { PRODUCTION_POLICIES } from './options.js';
export type { TailPolicies, DropPolicy, LatencyPolicy, AttributePolicy, RatePolicy, Matcher } from './options.js';
