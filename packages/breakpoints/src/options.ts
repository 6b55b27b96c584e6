import path from 'node:path';
import { checkKeys, Redactor, type Check, type Schema } from '@debugpanel/model';
import { DEFAULT_LIMITS, type SecretKeys } from './capture.js';
import type { CaptureLimits, Snapshot } from './types.js';

export interface BreakpointAgentOptions {
  /** The app's source root: breakpoint files resolve against it and must lie under it. Default `process.cwd()`. */
  root?: string;
  /** Where breakpoints and snapshots are saved; `false` keeps them in memory. Default `.debugpanel`. */
  dataDir?: string | false;
  /** Capture limits; defaults 20 frames, 5 expanded, 30 locals, depth 2, 10 properties, 100 chars, 20 KB. */
  limits?: Partial<CaptureLimits>;
  /** Breakpoints armed (pending or active) at once. Default 10. */
  maxBreakpoints?: number;
  /** Snapshots kept (and saved). Default 50. */
  maxSnapshots?: number;
  /** Logpoint messages kept. Default 1000. */
  maxLogs?: number;
  /** Messages per second per logpoint; at the limit it leaves V8 for the rest of the second. Default 50. */
  logRateLimit?: number;
  /** Snapshots per second per breakpoint, likewise. Default 10. */
  snapshotRateLimit?: number;
  /** Pauses per second per breakpoint whatever their outcome (a false condition too), likewise. Default 100. */
  pauseRateLimit?: number;
  /** Also print logpoint messages with console.log. Default false. */
  logToConsole?: boolean;
  /** Time a condition, a message part or a watch may run. Default 50 ms. */
  evalTimeoutMs?: number;
  /** The former name of `evalTimeoutMs`. */
  watchTimeoutMs?: number;
  /** Extra keys to redact (any case; the whole key or its last `.` segment), for the agent's own `Redactor`. */
  redactKeys?: ReadonlyArray<string>;
  /** The `Redactor` to use instead (the panel passes its one redactor); give this or `redactKeys`. */
  redactor?: SecretKeys;
  /** Default breakpoint lifetime. Default one hour. */
  defaultExpiryMs?: number;
  /** Where the agent says what it did not do (a saved breakpoint it refused to re-arm). Default console.warn. */
  onWarning?: (message: string) => void;
  /** Called with each snapshot captured (e.g. so the panel keeps the snapshot's trace longest); errors it throws are ignored. */
  onSnapshot?: (snapshot: Snapshot) => void;
}

/** Options after defaults, checked once at creation. */
export interface ResolvedOptions {
  root: string;
  dataDir: string | undefined;
  limits: CaptureLimits;
  maxBreakpoints: number;
  maxSnapshots: number;
  maxLogs: number;
  logRateLimit: number;
  snapshotRateLimit: number;
  pauseRateLimit: number;
  logToConsole: boolean;
  evalTimeoutMs: number;
  redactor: SecretKeys;
  defaultExpiryMs: number;
  warn: (message: string) => void;
  onSnapshot: ((snapshot: Snapshot) => void) | undefined;
}

/** The longest a breakpoint may live. */
export const MAX_EXPIRY_MS = 24 * 3600_000;

const number = (max: number): Check => (v, n) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= max ? undefined : `${n} must be a positive number up to ${max}, got ${String(v)}`;
const fn: Check = (v, n) => (typeof v === 'function' ? undefined : `${n} must be a function`);
const LIMIT_SCHEMA: Schema = Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((k) => [k, number(10_000_000)]));
const SCHEMA: Schema = {
  root: (v, n) => (typeof v === 'string' && v !== '' ? undefined : `${n} must be a non-empty string`),
  dataDir: (v, n) => (v === false || (typeof v === 'string' && v !== '') ? undefined : `${n} must be a folder or false`),
  limits: (v, n) => (typeof v === 'object' && v !== null ? undefined : `${n} must be an object`),
  maxBreakpoints: number(100),
  maxSnapshots: number(10_000),
  maxLogs: number(1_000_000),
  logRateLimit: number(1_000_000),
  snapshotRateLimit: number(1_000_000),
  pauseRateLimit: number(1_000_000),
  logToConsole: (v, n) => (typeof v === 'boolean' ? undefined : `${n} must be true or false`),
  evalTimeoutMs: number(10_000),
  watchTimeoutMs: number(10_000),
  redactKeys: (v, n) => (Array.isArray(v) && v.every((k) => typeof k === 'string') ? undefined : `${n} must be an array of strings`),
  redactor: (v, n) =>
    typeof v === 'object' && v !== null && typeof (v as SecretKeys).isSecretKey === 'function' && typeof (v as SecretKeys).string === 'function' && typeof (v as SecretKeys).url === 'function'
      ? undefined
      : `${n} must be a Redactor (isSecretKey, string, url)`,
  defaultExpiryMs: number(MAX_EXPIRY_MS),
  onWarning: fn,
  onSnapshot: fn,
};

/**
 * Checks the agent's options and fills in the defaults; throws a TypeError that names the problem
 * (`unknown option "maxLog"; did you mean "maxLogs"?`).
 *
 * @example
 * resolveOptions({ logRateLimit: 10 }).logRateLimit; // 10
 */
export function resolveOptions(o: BreakpointAgentOptions): ResolvedOptions {
  const where = 'createBreakpointAgent';
  checkKeys(o, SCHEMA, where);
  if (o.redactor && o.redactKeys) throw new TypeError(`${where}: give \`redactKeys\` or \`redactor\`, not both (new Redactor(keys) takes the keys)`);
  checkKeys(o.limits ?? {}, LIMIT_SCHEMA, where, 'limits.');
  const limits = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(DEFAULT_LIMITS) as Array<keyof CaptureLimits>) limits[k] = Math.floor(o.limits?.[k] ?? DEFAULT_LIMITS[k]);
  return {
    root: path.resolve(o.root ?? process.cwd()),
    dataDir: o.dataDir === false ? undefined : path.resolve(o.dataDir ?? '.debugpanel'),
    limits,
    maxBreakpoints: o.maxBreakpoints ?? 10,
    maxSnapshots: Math.floor(o.maxSnapshots ?? 50),
    maxLogs: Math.floor(o.maxLogs ?? 1000),
    logRateLimit: o.logRateLimit ?? 50,
    snapshotRateLimit: o.snapshotRateLimit ?? 10,
    pauseRateLimit: o.pauseRateLimit ?? 100,
    logToConsole: o.logToConsole ?? false,
    evalTimeoutMs: o.evalTimeoutMs ?? o.watchTimeoutMs ?? 50,
    redactor: o.redactor ?? new Redactor([...(o.redactKeys ?? [])]),
    defaultExpiryMs: o.defaultExpiryMs ?? 3600_000,
    warn: o.onWarning ?? ((m) => console.warn(`[debugpanel] ${m}`)),
    onSnapshot: o.onSnapshot,
  };
}
