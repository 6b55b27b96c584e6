import type { AttributePrimitive } from '@debugpanel/model';

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
  /** Keep traces with an error span: status error, or an HTTP status >= 500 on any span */
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

/** Names the closest known key, for "did you mean" messages. */
export function suggest(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  let best = '';
  let bestDistance = 3;
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean "${best}"?)` : `; known: ${known.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

export function checkKeys(where: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new TypeError(`${where}: unknown option "${key}"${suggest(key, known)}`);
  }
}

function checkObject(where: string, v: unknown): asserts v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`${where} must be an object`);
}

function checkNumber(where: string, v: unknown, min: number, exclusive = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (exclusive && v === min)) {
    throw new RangeError(`${where} must be a number ${exclusive ? '>' : '>='} ${min}, got ${String(v)}`);
  }
  return v;
}

function checkMatchers(where: string, v: unknown): void {
  if (!Array.isArray(v) || v.some((m) => typeof m !== 'string' && !(m instanceof RegExp))) {
    throw new TypeError(`${where} must be an array of strings and RegExps`);
  }
}

/** Validates tail policies at creation, with messages that say what to write instead. */
export function validatePolicies(p: unknown): TailPolicies {
  const w = 'TailSampler policies';
  checkObject(w, p);
  checkKeys(w, p, ['drop', 'error', 'latency', 'attributes', 'probabilistic', 'rate']);
  if (p.drop !== undefined) {
    checkObject(`${w}.drop`, p.drop);
    checkKeys(`${w}.drop`, p.drop, ['routes', 'names']);
    if (p.drop.routes !== undefined) checkMatchers(`${w}.drop.routes`, p.drop.routes);
    if (p.drop.names !== undefined) checkMatchers(`${w}.drop.names`, p.drop.names);
  }
  if (p.error !== undefined && typeof p.error !== 'boolean') throw new TypeError(`${w}.error must be true or false`);
  if (p.latency !== undefined) {
    checkObject(`${w}.latency`, p.latency);
    checkKeys(`${w}.latency`, p.latency, ['thresholdMs', 'aboveRouteP99', 'minSamples']);
    const l = p.latency;
    if (l.thresholdMs !== undefined) checkNumber(`${w}.latency.thresholdMs`, l.thresholdMs, 0);
    if (l.aboveRouteP99 !== undefined && typeof l.aboveRouteP99 !== 'boolean') {
      throw new TypeError(`${w}.latency.aboveRouteP99 must be true or false`);
    }
    if (l.minSamples !== undefined) checkNumber(`${w}.latency.minSamples`, l.minSamples, 1);
    if (l.thresholdMs === undefined && l.aboveRouteP99 !== true) {
      throw new TypeError(`${w}.latency needs thresholdMs or aboveRouteP99: true`);
    }
  }
  if (p.attributes !== undefined) {
    if (!Array.isArray(p.attributes)) throw new TypeError(`${w}.attributes must be an array of { key, equals?, matches? }`);
    p.attributes.forEach((a: unknown, i) => {
      const where = `${w}.attributes[${i}]`;
      checkObject(where, a);
      checkKeys(where, a, ['key', 'equals', 'matches']);
      if (typeof a.key !== 'string' || a.key === '') throw new TypeError(`${where}.key must be a non-empty string`);
      if (a.equals !== undefined && !['string', 'number', 'boolean'].includes(typeof a.equals)) {
        throw new TypeError(`${where}.equals must be a string, number or boolean`);
      }
      if (a.matches !== undefined && !(a.matches instanceof RegExp)) throw new TypeError(`${where}.matches must be a RegExp`);
    });
  }
  if (p.probabilistic !== undefined) {
    const r = p.probabilistic;
    if (typeof r !== 'number' || !(r >= 0 && r <= 1)) {
      throw new RangeError(`${w}.probabilistic must be a number from 0 to 1 (0.01 keeps 1%), got ${String(r)}`);
    }
  }
  if (p.rate !== undefined) {
    checkObject(`${w}.rate`, p.rate);
    checkKeys(`${w}.rate`, p.rate, ['perRoute', 'global']);
    if (p.rate.perRoute !== undefined) checkNumber(`${w}.rate.perRoute`, p.rate.perRoute, 0, true);
    if (p.rate.global !== undefined) checkNumber(`${w}.rate.global`, p.rate.global, 0, true);
  }
  return p as TailPolicies;
}

export { checkNumber, checkObject };
