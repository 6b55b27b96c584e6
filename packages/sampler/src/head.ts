import {
  SamplingDecision,
  TraceFlags,
  isSpanContextValid,
  isValidTraceId,
  trace,
  type Context,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/api';
import { checkKeys, must, type Schema } from '@debugpanel/model';
import { checkRatio, isTraceIdSampled } from './trace-id-ratio.js';

// One frozen result per decision: shouldSample runs for every span, so it allocates nothing.
const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const NOT_RECORD: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/**
 * A head sampler that samples every span.
 *
 * @example
 * new NodeTracerProvider({ sampler: alwaysOn() });
 */
export function alwaysOn(): Sampler {
  return { shouldSample: () => SAMPLED, toString: () => 'AlwaysOnSampler' };
}

/**
 * A head sampler that samples no span.
 *
 * @example
 * new NodeTracerProvider({ sampler: alwaysOff() });
 */
export function alwaysOff(): Sampler {
  return { shouldSample: () => NOT_RECORD, toString: () => 'AlwaysOffSampler' };
}

/**
 * A head sampler that samples the fraction `ratio` (0..1) of trace ids, deterministically: the
 * same trace id gets the same decision in every process and run (the OTel JS SDK's
 * `TraceIdRatioBasedSampler` algorithm). Invalid trace ids are not sampled.
 *
 * @example
 * new NodeTracerProvider({ sampler: parentBased({ root: traceIdRatio(0.1) }) });
 */
export function traceIdRatio(ratio: number): Sampler {
  checkRatio('traceIdRatio(ratio)', ratio);
  return {
    shouldSample: (_context: Context, traceId: string) =>
      isValidTraceId(traceId) && isTraceIdSampled(traceId, ratio) ? SAMPLED : NOT_RECORD,
    toString: () => `TraceIdRatioBased{${ratio}}`,
  };
}

export interface ParentBasedOptions {
  /** Decides for spans without a parent (new traces) */
  root: Sampler;
  /** Default: always on */
  remoteParentSampled?: Sampler;
  /** Default: always off */
  remoteParentNotSampled?: Sampler;
  /** Default: always on */
  localParentSampled?: Sampler;
  /** Default: always off */
  localParentNotSampled?: Sampler;
}

function isSampler(s: unknown): s is Sampler {
  return typeof s === 'object' && s !== null && typeof (s as Sampler).shouldSample === 'function';
}

const IS_SAMPLER = must(isSampler, 'a Sampler');
const PARENT_BASED: Schema = {
  root: IS_SAMPLER,
  remoteParentSampled: IS_SAMPLER,
  remoteParentNotSampled: IS_SAMPLER,
  localParentSampled: IS_SAMPLER,
  localParentNotSampled: IS_SAMPLER,
};

/**
 * A head sampler that follows the parent span's sampled flag (the propagated `traceparent` flag
 * for a remote parent) and asks `root` for new traces, as the OTel specification's ParentBased
 * sampler does.
 *
 * @example
 * const sampler = parentBased({ root: traceIdRatio(0.25) });
 */
export function parentBased(options: ParentBasedOptions): Sampler {
  if (typeof options !== 'object' || options === null || !isSampler(options.root)) {
    throw new TypeError('parentBased({ root }): root must be a Sampler, e.g. parentBased({ root: traceIdRatio(0.1) })');
  }
  checkKeys(options, PARENT_BASED, 'parentBased');
  const root = options.root;
  const remoteSampled = options.remoteParentSampled ?? alwaysOn();
  const remoteNotSampled = options.remoteParentNotSampled ?? alwaysOff();
  const localSampled = options.localParentSampled ?? alwaysOn();
  const localNotSampled = options.localParentNotSampled ?? alwaysOff();
  return {
    shouldSample(context, traceId, spanName, spanKind, attributes, links) {
      const parent = trace.getSpanContext(context);
      let delegate: Sampler;
      if (parent === undefined || !isSpanContextValid(parent)) delegate = root;
      else {
        const sampled = (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
        if (parent.isRemote) delegate = sampled ? remoteSampled : remoteNotSampled;
        else delegate = sampled ? localSampled : localNotSampled;
      }
      return delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    },
    toString: () =>
      `ParentBased{root=${root.toString()}, remoteParentSampled=${remoteSampled.toString()}, ` +
      `remoteParentNotSampled=${remoteNotSampled.toString()}, localParentSampled=${localSampled.toString()}, ` +
      `localParentNotSampled=${localNotSampled.toString()}}`,
  };
}

const RECORD_ONLY: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD });

/**
 * Wraps a head sampler so that every span is recorded: where `inner` says NOT_RECORD, the span is
 * still recorded (processors see it) but not sampled, so the W3C sampled flag it propagates and
 * what exporters receive follow `inner`. This is how the panel sees every request, even one whose
 * upstream sent `traceparent` flags `00`, while tail sampling and golden signals stay complete.
 *
 * @example
 * new BasicTracerProvider({ sampler: recordAll(parentBased({ root: traceIdRatio(0.1) })) });
 */
export function recordAll(inner: Sampler): Sampler {
  return {
    shouldSample(context, traceId, name, kind, attributes, links) {
      const r = inner.shouldSample(context, traceId, name, kind, attributes, links);
      if (r.decision !== SamplingDecision.NOT_RECORD) return r;
      return r.attributes || r.traceState ? { ...r, decision: SamplingDecision.RECORD } : RECORD_ONLY;
    },
    toString: () => `RecordAll{${inner.toString()}}`,
  };
}
