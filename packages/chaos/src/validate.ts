/**
 * Checks a rule as it arrives (API body, hub pull) and fills in its defaults. Every problem is
 * reported by field, so the UI can put each message beside its input; nothing half-valid is kept.
 */
import {
  CHAOS_KINDS,
  CHAOS_MAX_BLOCKING_MS,
  CHAOS_MAX_DURATION_MS,
  closest,
  describeValue,
  isPlainObject,
  type ChaosIssue,
  type ChaosRule,
  type ChaosRuleInput,
  type ChaosTarget,
  type FaultKind,
} from '@debugpanel/model';

/** A rule after validation, before the engine gives it an id and a clock. */
export interface RuleSpec {
  name: string;
  target: ChaosTarget;
  fault: ChaosRule['fault'];
  scope: ChaosRule['scope'];
  rate: number;
  durationMs: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: ChaosIssue[] };

export interface ValidateContext {
  /** This panel's service: the default scope, and the only one allowed without `hub` */
  service: string;
  /** A hub may hold rules for the services that send to it */
  hub: boolean;
}

export const DEFAULT_DURATION_MS = 60_000;
export const MIN_DURATION_MS = 1000;
/** Latency of HTTP calls and requests (they do not block: a timer) */
export const MAX_LATENCY_MS = 30_000;
export const MAX_TIMEOUT_MS = 60_000;
export const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TEXT = 200;

const RULE_KEYS = ['name', 'target', 'fault', 'scope', 'rate', 'durationMs'] as const satisfies ReadonlyArray<keyof ChaosRuleInput>;
const FAULT_KEYS = ['kind', 'ms', 'status', 'message'] as const;
const SCOPE_KEYS = ['service', 'method', 'route', 'host', 'statement', 'fingerprint', 'header'] as const;
/** Scope fields each target understands. */
const SCOPE_FOR: Record<ChaosTarget, ReadonlyArray<string>> = {
  incoming: ['service', 'method', 'route', 'header'],
  outgoing: ['service', 'method', 'route', 'host', 'header'],
  db: ['service', 'statement', 'fingerprint', 'header'],
};
const TARGETS = Object.keys(CHAOS_KINDS) as ChaosTarget[];
const METHOD = /^[A-Z]{1,16}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const SERVICE = /^[\w.:@/-]{1,100}$/;

function unknownKeys(obj: Record<string, unknown>, known: readonly string[], prefix: string, issues: ChaosIssue[]): void {
  for (const key of Object.keys(obj)) {
    if ((known as readonly string[]).includes(key)) continue;
    const guess = closest(key, known);
    issues.push({
      field: prefix + key,
      message: `unknown field "${prefix}${key}"; ${guess ? `did you mean "${prefix}${guess}"?` : `known: ${known.map((k) => prefix + k).join(', ')}`}`,
    });
  }
}

function intIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function text(v: unknown, field: string, issues: ChaosIssue[], max = MAX_TEXT): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) {
    issues.push({ field, message: `${field} must be a non-empty string of at most ${max} characters, got ${describeValue(v)}` });
    return undefined;
  }
  return v.trim();
}

/**
 * Validates a rule body. `durationMs` may be forced (experiments set it themselves).
 *
 * @example
 * parseRule({ target: 'db', fault: { kind: 'latency', ms: 200 }, scope: { statement: 'SELECT stock' } }, { service: 'inventory', hub: false });
 */
export function parseRule(input: unknown, ctx: ValidateContext, prefix = ''): Parsed<RuleSpec> {
  const issues: ChaosIssue[] = [];
  if (!isPlainObject(input)) {
    return { ok: false, issues: [{ field: prefix || 'body', message: `a rule must be an object like { "target": "incoming", "fault": { "kind": "latency", "ms": 200 } }, got ${describeValue(input)}` }] };
  }
  const o = input as Record<string, unknown>;
  unknownKeys(o, RULE_KEYS, prefix, issues);

  const target = o.target as ChaosTarget;
  const targetOk = typeof target === 'string' && (TARGETS as string[]).includes(target);
  if (!targetOk) issues.push({ field: prefix + 'target', message: `${prefix}target must be one of ${TARGETS.join(', ')}, got ${describeValue(o.target)}` });

  // fault
  let kind: FaultKind | undefined;
  let ms = 0;
  let status = 0;
  let message = '';
  const f = o.fault;
  if (!isPlainObject(f)) {
    issues.push({ field: prefix + 'fault', message: `${prefix}fault must be an object like { "kind": "latency", "ms": 200 }, got ${describeValue(f)}` });
  } else {
    unknownKeys(f, FAULT_KEYS, prefix + 'fault.', issues);
    const kinds = targetOk ? CHAOS_KINDS[target] : (['latency', 'error', 'abort', 'reset', 'timeout'] as FaultKind[]);
    if (typeof f.kind !== 'string' || !(kinds as string[]).includes(f.kind)) {
      issues.push({
        field: prefix + 'fault.kind',
        message: `${prefix}fault.kind must be one of ${kinds.join(', ')}${targetOk ? ` for target "${target}"` : ''}, got ${describeValue(f.kind)}`,
      });
    } else {
      kind = f.kind as FaultKind;
    }
    const blocking = target === 'db';
    if (kind === 'latency' || kind === 'timeout') {
      const max = blocking ? CHAOS_MAX_BLOCKING_MS : kind === 'latency' ? MAX_LATENCY_MS : MAX_TIMEOUT_MS;
      const fallback = kind === 'timeout' ? Math.min(DEFAULT_TIMEOUT_MS, max) : undefined;
      const v = f.ms ?? fallback;
      if (!intIn(v, 1, max)) {
        issues.push({
          field: prefix + 'fault.ms',
          message: `${prefix}fault.ms must be a whole number of ms from 1 to ${max}${blocking ? ' (database calls are synchronous: the delay blocks the thread, so it is capped)' : ''}, got ${describeValue(f.ms)}`,
        });
      } else ms = v as number;
    } else if (f.ms !== undefined) {
      issues.push({ field: prefix + 'fault.ms', message: `${prefix}fault.ms applies to latency and timeout faults only` });
    }
    if (kind === 'error' && target !== 'db') {
      const v = f.status ?? 503;
      if (!intIn(v, 400, 599)) issues.push({ field: prefix + 'fault.status', message: `${prefix}fault.status must be an HTTP status from 400 to 599, got ${describeValue(f.status)}` });
      else status = v as number;
    } else if (f.status !== undefined) {
      issues.push({ field: prefix + 'fault.status', message: `${prefix}fault.status applies to error faults on incoming and outgoing HTTP only` });
    }
    const m = text(f.message, prefix + 'fault.message', issues);
    if (m !== undefined) message = m;
  }

  // scope
  const scope: ChaosRule['scope'] = { service: ctx.service };
  const s = o.scope;
  if (s !== undefined && !isPlainObject(s)) {
    issues.push({ field: prefix + 'scope', message: `${prefix}scope must be an object like { "route": "/orders/:id" }, got ${describeValue(s)}` });
  } else if (s !== undefined) {
    unknownKeys(s, SCOPE_KEYS, prefix + 'scope.', issues);
    for (const key of SCOPE_KEYS) {
      const v = s[key];
      if (v === undefined) continue;
      const field = `${prefix}scope.${key}`;
      if (targetOk && !SCOPE_FOR[target].includes(key)) {
        issues.push({ field, message: `${field} does not apply to target "${target}" (it takes ${SCOPE_FOR[target].join(', ')})` });
        continue;
      }
      const value = text(v, field, issues);
      if (value === undefined) continue;
      const problem = checkScopeValue(key, value);
      if (problem) issues.push({ field, message: `${field} ${problem}` });
      else (scope as unknown as Record<string, string>)[key] = key === 'method' ? value.toUpperCase() : key === 'fingerprint' ? value.toLowerCase() : value;
    }
    if (scope.service !== ctx.service && !ctx.hub) {
      issues.push({
        field: prefix + 'scope.service',
        message: `this panel is service "${ctx.service}"; a rule for "${scope.service}" needs a hub panel (hub: true) that "${scope.service}" sends to`,
      });
    }
  }

  let rate = 1;
  if (o.rate !== undefined) {
    if (typeof o.rate !== 'number' || !(o.rate > 0 && o.rate <= 1)) issues.push({ field: prefix + 'rate', message: `${prefix}rate must be a share of matching calls, above 0 and at most 1, got ${describeValue(o.rate)}` });
    else rate = o.rate;
  }
  let durationMs = DEFAULT_DURATION_MS;
  if (o.durationMs !== undefined) {
    if (!intIn(o.durationMs, MIN_DURATION_MS, CHAOS_MAX_DURATION_MS)) {
      issues.push({ field: prefix + 'durationMs', message: `${prefix}durationMs must be a whole number of ms from ${MIN_DURATION_MS} to ${CHAOS_MAX_DURATION_MS} (15 minutes), got ${describeValue(o.durationMs)}` });
    } else durationMs = o.durationMs as number;
  }
  const name = text(o.name, prefix + 'name', issues, 100);

  if (issues.length > 0 || kind === undefined) return { ok: false, issues };
  const fault = { kind, ms, status, message: message || defaultMessage(kind, target) };
  return { ok: true, value: { name: name ?? defaultName(target, fault, scope), target, fault, scope, rate, durationMs } };
}

function checkScopeValue(key: (typeof SCOPE_KEYS)[number], value: string): string | undefined {
  switch (key) {
    case 'method':
      return METHOD.test(value.toUpperCase()) ? undefined : `must be an HTTP method such as GET, got "${value}"`;
    case 'route':
      return value.startsWith('/') ? undefined : `must be a path template starting with "/" such as "/orders/:id" or "/api/*", got "${value}"`;
    case 'host':
      return /^[\w.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(value) ? undefined : `must be a host name, optionally with a port ("inventory", "127.0.0.1:3002"), got "${value}"`;
    case 'header': {
      const [name] = splitHeader(value);
      return HEADER_NAME.test(name) ? undefined : `must be "name: value" or "name" (e.g. "x-chaos: 1"), got "${value}"`;
    }
    case 'service':
      return SERVICE.test(value) ? undefined : `must be a service name (letters, digits, . _ - : @ /), got "${value}"`;
    case 'fingerprint':
      return /^[0-9a-f]{16}$/i.test(value) ? undefined : `must be a query fingerprint, the 16 hex characters the Queries view lists (e.g. "3f9a0c1d2e4b5a67"), got "${value}"`;
    default:
      return undefined;
  }
}

/** `x-chaos: 1` -> ['x-chaos', '1']; `x-chaos` -> ['x-chaos', undefined]. Names are lower-cased. */
export function splitHeader(value: string): [string, string | undefined] {
  const colon = value.indexOf(':');
  if (colon < 0) return [value.trim().toLowerCase(), undefined];
  return [value.slice(0, colon).trim().toLowerCase(), value.slice(colon + 1).trim()];
}

function defaultMessage(kind: FaultKind, target: ChaosTarget | undefined): string {
  switch (kind) {
    case 'error':
      return target === 'db' ? 'database error (injected by debugpanel chaos)' : 'injected error (debugpanel chaos)';
    case 'timeout':
      return target === 'db' ? 'statement timeout (injected by debugpanel chaos)' : 'connect ETIMEDOUT (injected by debugpanel chaos)';
    case 'reset':
      return 'read ECONNRESET (injected by debugpanel chaos)';
    case 'abort':
      return 'connection aborted (injected by debugpanel chaos)';
    default:
      return 'injected latency (debugpanel chaos)';
  }
}

function defaultName(target: ChaosTarget, fault: ChaosRule['fault'], scope: ChaosRule['scope']): string {
  const what =
    fault.kind === 'latency' ? `+${fault.ms} ms` : fault.kind === 'error' ? (fault.status ? `error ${fault.status}` : 'error') : fault.kind === 'timeout' ? `timeout ${fault.ms} ms` : fault.kind;
  const where = scope.statement ?? (scope.fingerprint !== undefined ? `query ${scope.fingerprint}` : [scope.method, scope.host, scope.route].filter(Boolean).join(' '));
  return `${scope.service} ${target}${where ? ` ${where}` : ''}: ${what}`.slice(0, 100);
}
