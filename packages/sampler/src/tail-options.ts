/**
 * Options and counters of the `TailSampler`: checked and resolved once, at creation, so that the
 * sampler itself only reads plain numbers per span.
 */
import {
  checkKeys,
  checkValue,
  isBoolean,
  isFunction,
  isLocalRoot,
  isProductionEnv,
  isNumberAtLeast,
  must,
  type Check,
  type SpanRecord,
} from '@debugpanel/model';
import { PRODUCTION_POLICIES, validatePolicies, type TailPolicies } from './options.js';

export interface TailSamplerOptions {
  /** Receives a kept trace's buffered spans, and each later span of a kept trace (`[span]`). */
  onKeep: (spans: SpanRecord[], reason: string) => void;
  /** Told of each dropped trace. */
  onDrop?: (traceId: string, reason: string) => void;
  /**
   * Keep every span at once with reason `all`, buffering nothing (default: true unless
   * `production` is true or `policies` is given).
   */
  keepAll?: boolean;
  /** Default: `process.env.NODE_ENV === 'production'` */
  production?: boolean;
  /** Default: `PRODUCTION_POLICIES` (errors, slow, 1%, 5/s per route) */
  policies?: TailPolicies;
  /** Wait after a local root span ends, for late children, ms (default 2000) */
  graceMs?: number;
  /** Longest a trace is buffered, from its first span, ms (default 30000) */
  maxAgeMs?: number;
  /** Most traces buffered at once; past it the oldest is decided early (default 2000) */
  maxPendingTraces?: number;
  /** A buffered trace reaching this many spans is decided at once (default 1000) */
  maxSpansPerTrace?: number;
  /** Recent decisions remembered for late spans (default 10000) */
  decisionCacheSize?: number;
  /** Routes with their own rate bucket and p99; others share one (default 1000) */
  maxRoutes?: number;
  /** Overrides which spans count as local roots (default model's `isLocalRoot`; see README) */
  isLocalRoot?: (span: SpanRecord) => boolean;
  /** Clock in ms (default `Date.now`) */
  now?: () => number;
  /** How often the built-in, unref'd timer calls `tick()`, ms (default 250); 0 for no timer */
  tickIntervalMs?: number;
}

// The counters are the `sampling` section of `GET {path}/api/stats`: declared in @debugpanel/model.
export type { TailSamplerStats } from '@debugpanel/model';

/** Options after checking, with every default filled in. */
export interface ResolvedTailOptions {
  onKeep: TailSamplerOptions['onKeep'];
  onDrop: TailSamplerOptions['onDrop'];
  keepAll: boolean;
  policies: TailPolicies;
  graceMs: number;
  maxAgeMs: number;
  maxPendingTraces: number;
  maxSpansPerTrace: number;
  decisionCacheSize: number;
  maxRoutes: number;
  isLocalRoot: (span: SpanRecord) => boolean;
  now: () => number;
  tickIntervalMs: number;
}

const DEFAULTS = {
  graceMs: 2000,
  maxAgeMs: 30_000,
  maxPendingTraces: 2000,
  maxSpansPerTrace: 1000,
  decisionCacheSize: 10_000,
  maxRoutes: 1000,
  tickIntervalMs: 250,
};
/** Counts of things, which the sampler uses as whole numbers */
const COUNTS = ['maxPendingTraces', 'maxSpansPerTrace', 'decisionCacheSize', 'maxRoutes'] as const;

const ON_KEEP = must((v) => typeof v === 'function', 'a function (spans, reason) => void that stores kept spans');
const isObject = must((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object');

/** Every option with its check; `policies` are checked by validatePolicies. */
const OPTIONS = {
  onKeep: ON_KEEP,
  onDrop: must((v) => typeof v === 'function', 'a function (traceId, reason) => void'),
  keepAll: isBoolean,
  production: isBoolean,
  policies: () => undefined,
  isLocalRoot: isFunction,
  now: isFunction,
  graceMs: isNumberAtLeast(0),
  maxAgeMs: isNumberAtLeast(1),
  maxPendingTraces: isNumberAtLeast(1),
  maxSpansPerTrace: isNumberAtLeast(1),
  decisionCacheSize: isNumberAtLeast(1),
  maxRoutes: isNumberAtLeast(1),
  tickIntervalMs: isNumberAtLeast(0),
} satisfies Record<keyof TailSamplerOptions, Check>;

/**
 * Checks `TailSampler` options and fills in the defaults; throws a TypeError that names the
 * option ("did you mean graceMs?").
 *
 * @example
 * resolveTailOptions({ onKeep, production: true }).policies; // PRODUCTION_POLICIES
 */
export function resolveTailOptions(options: TailSamplerOptions, env: NodeJS.ProcessEnv = process.env): ResolvedTailOptions {
  checkValue(options, isObject, 'options', 'TailSampler');
  checkKeys(options, OPTIONS, 'TailSampler');
  checkValue(options.onKeep, ON_KEEP, 'onKeep', 'TailSampler');
  const n = { ...DEFAULTS };
  for (const k of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) if (options[k] !== undefined) n[k] = options[k];
  for (const k of COUNTS) n[k] = Math.floor(n[k]);
  const production = options.production ?? isProductionEnv(env.NODE_ENV);
  return {
    ...n,
    onKeep: options.onKeep,
    onDrop: options.onDrop,
    keepAll: options.keepAll ?? (!production && options.policies === undefined),
    policies: options.policies === undefined ? PRODUCTION_POLICIES : validatePolicies(options.policies),
    isLocalRoot: options.isLocalRoot ?? isLocalRoot,
    now: options.now ?? Date.now,
  };
}
