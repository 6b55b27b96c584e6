import {
  checkKeys,
  checkValue,
  isBoolean,
  isNonEmptyString,
  isNumberAtLeast,
  must,
  type AttributePrimitive,
  type Schema,
} from '@debugpanel/model';
import { isRatio } from './trace-id-ratio.js';

/** A string matches exactly; a RegExp is tested. */
export type Matcher = string | RegExp;

/** Traces whose local root matches are dropped first, whatever else they hold (health checks). */
export interface DropPolicy {
  /** Matched against the root's `http.route`, else its `url.path` */
  routes?: Matcher[];
  /** Matched against the root's span name */
  names?: Matcher[];
}

export interface LatencyPolicy {
  /** Keep traces lasting at least this long, ms */
  thresholdMs?: number;
  /** Keep traces slower than their route's running p99 */
  aboveRouteP99?: boolean;
  /** Decided traces a route needs before its p99 is used (default 100) */
  minSamples?: number;
}

export interface AttributePolicy {
  /** Attribute key looked up on every span of the trace */
  key: string;
  /** Keep when a span's value equals this; with neither `equals` nor `matches`, when the key is present */
  equals?: AttributePrimitive;
  /** Keep when a span's value, as a string, matches */
  matches?: RegExp;
}

export interface RatePolicy {
  /** Traces per second kept per route (root `http.route`, else root name) */
  perRoute?: number;
  /** Traces per second kept across all routes */
  global?: number;
}

/**
 * Tail policies, evaluated in this fixed order; the first that decides wins and names the reason:
 * `drop` -> dropped (`drop`); `error` -> kept (`error`); `latency` -> kept (`slow`);
 * `attributes` -> kept (`attribute:<key>`); `probabilistic` -> kept (`sampled`);
 * `rate` -> kept (`rate`); none -> dropped (`unsampled`).
 */
export interface TailPolicies {
  drop?: DropPolicy;
  /**
   * Keep traces with an error span, by model's `isErrorSpan`: status error; or, status unset, a
   * server span's HTTP status >= 500 or a client span's >= 400
   */
  error?: boolean;
  latency?: LatencyPolicy;
  attributes?: AttributePolicy[];
  /** Fraction of trace ids kept (0..1), deterministic on the trace id */
  probabilistic?: number;
  rate?: RatePolicy;
}

/** The production policies: errors, slow traces, 1% of trace ids, and 5 traces/s per route. */
export const PRODUCTION_POLICIES: Readonly<TailPolicies> = Object.freeze({
  error: true,
  latency: Object.freeze({ thresholdMs: 1000, aboveRouteP99: true }),
  probabilistic: 0.01,
  rate: Object.freeze({ perRoute: 5 }),
});

const W = 'TailSampler';
const P = 'policies.';

/** Any object but an array (policies may be built by classes; RegExps sit inside, not here). */
const isObject = must((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object');
const isMatchers = must(
  (v) => Array.isArray(v) && v.every((m) => typeof m === 'string' || m instanceof RegExp),
  'an array of strings and RegExps',
);

const POLICIES: Schema = {
  drop: isObject,
  error: isBoolean,
  latency: isObject,
  attributes: must(Array.isArray, 'an array of { key, equals?, matches? }'),
  probabilistic: isRatio,
  rate: isObject,
};
const DROP: Schema = { routes: isMatchers, names: isMatchers };
const LATENCY: Schema = { thresholdMs: isNumberAtLeast(0), aboveRouteP99: isBoolean, minSamples: isNumberAtLeast(1) };
const ATTRIBUTE: Schema = {
  key: isNonEmptyString,
  equals: must((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean', 'a string, number or boolean'),
  matches: must((v) => v instanceof RegExp, 'a RegExp'),
};
const RATE: Schema = { perRoute: isNumberAtLeast(0, true), global: isNumberAtLeast(0, true) };

/** Validates tail policies at creation, with messages that say what to write instead. */
export function validatePolicies(p: unknown): TailPolicies {
  checkValue(p, isObject, 'policies', W);
  checkKeys(p as object, POLICIES, W, P);
  const { drop, latency, attributes, rate } = p as Record<string, unknown>;
  if (drop !== undefined) checkKeys(drop as object, DROP, W, `${P}drop.`);
  if (latency !== undefined) {
    checkKeys(latency as object, LATENCY, W, `${P}latency.`);
    const l = latency as LatencyPolicy;
    if (l.thresholdMs === undefined && l.aboveRouteP99 !== true) {
      throw new TypeError(`${W}: ${P}latency needs thresholdMs or aboveRouteP99: true`);
    }
  }
  if (attributes !== undefined) {
    (attributes as unknown[]).forEach((a, i) => {
      const at = `${P}attributes[${i}]`;
      checkValue(a, isObject, at, W);
      checkKeys(a as object, ATTRIBUTE, W, `${at}.`);
      checkValue((a as AttributePolicy).key, isNonEmptyString, `${at}.key`, W);
    });
  }
  if (rate !== undefined) checkKeys(rate as object, RATE, W, `${P}rate.`);
  return p as TailPolicies;
}
