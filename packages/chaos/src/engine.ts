/**
 * The fault engine of one panel: its rules (bounded), their expiry, and the `FaultInjector` hooks
 * that tracing and the panel's middleware call. Rules are compiled when made; a hook walks only the
 * rules of its target and of this service, and the injector is handed to tracing only while such
 * a rule exists (`onArmedChange`), so with none the hooks cost one `undefined` check.
 */
import { randomBytes } from 'node:crypto';
import {
  RingBuffer,
  type ChaosIssue,
  type ChaosRule,
  type ChaosRuleInput,
  type ChaosStats,
  type ChaosTarget,
  type FaultDecision,
  type FaultHeaders,
  type FaultInjector,
  type IncomingCall,
  type OutgoingCall,
  type StatementCall,
} from '@debugpanel/model';
import { compileScope, headerMatches, pathOnly, type ScopeMatcher } from './match.js';
import { parseRule, type Parsed, type RuleSpec } from './validate.js';

/** An entry of the engine's audit trail: every start and stop of a rule or experiment. */
export interface ChaosEvent {
  /** ms since epoch */
  at: number;
  action: 'rule.created' | 'rule.deleted' | 'rule.expired' | 'rules.cleared' | 'experiment.started' | 'experiment.ended';
  service: string;
  ruleId?: string;
  experimentId?: string;
  name: string;
  /** Who: `api`, `hub`, `expiry`, or what the caller passed (a role, an address) */
  actor: string;
  detail?: string;
}

export interface ChaosEngineOptions {
  /** This panel's service */
  service: string;
  /** A hub holds rules for the services that send to it, too */
  hub?: boolean;
  /** Most active rules, all services together (default 50); more are refused with a 409 */
  maxRules?: number;
  /** Audit events kept in memory (default 500); the oldest go first, counted */
  maxEvents?: number;
  /** Clock (ms since epoch); injectable for tests */
  now?: () => number;
  /** [0, 1); injectable for tests */
  random?: () => number;
  /** Expire rules with a timer (default true); tests with an injected clock call `sweep()` */
  timers?: boolean;
  /** Told when the first rule of this service arrives (true) and when the last one goes (false) */
  onArmedChange?: (armed: boolean) => void;
  /** Every audit event, as it happens (the panel's audit log). Must not throw; errors are ignored. */
  onEvent?: (event: ChaosEvent) => void;
  /** Told when a rule goes (deleted, cleared, expired, replaced by a pull) */
  onRuleEnd?: (rule: ChaosRule, why: 'deleted' | 'expired') => void;
}

interface LiveRule {
  readonly rule: ChaosRule;
  readonly m: ScopeMatcher;
  readonly decision: FaultDecision;
}

const EMPTY: ReadonlyArray<LiveRule> = Object.freeze([]);

export class ChaosEngine implements FaultInjector {
  readonly service: string;
  readonly hub: boolean;
  readonly #rules = new Map<string, LiveRule>();
  #incoming: ReadonlyArray<LiveRule> = EMPTY;
  #outgoing: ReadonlyArray<LiveRule> = EMPTY;
  #db: ReadonlyArray<LiveRule> = EMPTY;
  #headerScoped = false;
  #fingerprintScoped = false;
  #armed = false;
  readonly #events: RingBuffer<ChaosEvent>;
  readonly #maxRules: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #timers: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #o: ChaosEngineOptions;
  readonly counts = { created: 0, expired: 0, deleted: 0, refused: 0, matched: 0, injected: 0 };

  constructor(options: ChaosEngineOptions) {
    this.#o = options;
    this.service = options.service;
    this.hub = options.hub ?? false;
    this.#maxRules = options.maxRules ?? 50;
    this.#events = new RingBuffer(options.maxEvents ?? 500);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#timers = options.timers ?? true;
  }

  get headerScoped(): boolean {
    return this.#headerScoped;
  }

  /** True while a db rule of this service is scoped by a fingerprint (the hooks then compute it). */
  get fingerprintScoped(): boolean {
    return this.#fingerprintScoped;
  }

  /** True while a rule of this service is active (the hooks are then wired). */
  get armed(): boolean {
    return this.#armed;
  }

  now(): number {
    return this.#now();
  }

  /** Validates without adding: what `add` would refuse. */
  validate(input: unknown): Parsed<RuleSpec> {
    return parseRule(input, { service: this.service, hub: this.hub });
  }

  /**
   * Adds a rule from an API body. Returns the rule, or the issues (400), or `limit` (409).
   *
   * @example
   * engine.add({ target: 'outgoing', fault: { kind: 'error', status: 503 }, scope: { host: 'inventory' }, durationMs: 120000 }, 'api');
   */
  add(input: ChaosRuleInput | unknown, actor = 'api', extra?: { experimentId?: string; durationMs?: number }): { rule: ChaosRule } | { issues: ChaosIssue[]; limit?: boolean } {
    this.sweep();
    const parsed = this.validate(input);
    if (!parsed.ok) return { issues: parsed.issues };
    if (this.#rules.size >= this.#maxRules) {
      this.counts.refused++;
      return { issues: [{ field: 'body', message: `${this.#maxRules} rules are active, the most this panel holds; delete one (DELETE .../api/chaos/rules/:id) or all first` }], limit: true };
    }
    const spec = parsed.value;
    if (extra?.durationMs !== undefined) spec.durationMs = extra.durationMs;
    const now = this.#now();
    const rule: ChaosRule = {
      id: `c${randomBytes(6).toString('hex')}`,
      ...spec,
      createdAt: now,
      expiresAt: now + spec.durationMs,
      remainingMs: spec.durationMs,
      matched: 0,
      injected: 0,
      origin: 'local',
      ...(extra?.experimentId !== undefined ? { experimentId: extra.experimentId } : {}),
    };
    this.#insert(rule);
    this.counts.created++;
    this.#event({ action: 'rule.created', ruleId: rule.id, name: rule.name, service: rule.scope.service, actor, detail: describeRule(rule) });
    return { rule: this.#view(rule, now) };
  }

  /** A rule by id (with its remaining time now), if active. */
  get(id: string): ChaosRule | undefined {
    const live = this.#rules.get(id);
    return live && this.#view(live.rule, this.#now());
  }

  /** Active rules, oldest first; `service` filters by scope. */
  list(service?: string): ChaosRule[] {
    this.sweep();
    const now = this.#now();
    const out: ChaosRule[] = [];
    for (const { rule } of this.#rules.values()) {
      if (service === undefined || rule.scope.service === service) out.push(this.#view(rule, now));
    }
    return out;
  }

  remove(id: string, actor = 'api'): boolean {
    const live = this.#rules.get(id);
    if (!live) return false;
    this.#delete(live.rule, 'deleted', actor);
    this.#rebuild();
    return true;
  }

  /** Deletes every rule (all services); returns how many. */
  clear(actor = 'api'): number {
    const n = this.#rules.size;
    for (const { rule } of [...this.#rules.values()]) this.#delete(rule, 'deleted', actor, false);
    this.#rebuild();
    this.#event({ action: 'rules.cleared', name: `${n} rule${n === 1 ? '' : 's'}`, service: this.service, actor });
    return n;
  }

  /**
   * Replaces the rules pulled from a hub with `rules` (what the hub holds for this service now).
   * Each passes the same validation as the API; `remainingMs` (not the hub's clock) sets the expiry.
   * Returns how many were refused.
   */
  syncPulled(rules: ReadonlyArray<unknown>): number {
    this.sweep();
    let refused = 0;
    const now = this.#now();
    const seen = new Set<string>();
    for (const raw of rules) {
      const r = raw as Partial<ChaosRule> | null;
      const id = typeof r?.id === 'string' && /^[\w-]{1,40}$/.test(r.id) ? r.id : undefined;
      const remaining = typeof r?.remainingMs === 'number' ? Math.floor(r.remainingMs) : NaN;
      if (id === undefined || !(remaining > 0)) {
        refused++;
        continue;
      }
      seen.add(id);
      const existing = this.#rules.get(id);
      if (existing) {
        if (existing.rule.origin === 'hub') existing.rule.expiresAt = now + Math.min(remaining, existing.rule.durationMs);
        continue;
      }
      const parsed = parseRule({ name: r!.name, target: r!.target, fault: inputFault(r!.fault), scope: r!.scope, rate: r!.rate }, { service: this.service, hub: false });
      if (!parsed.ok || this.#rules.size >= this.#maxRules) {
        refused++;
        continue;
      }
      const spec = parsed.value;
      const durationMs = Math.min(remaining, 15 * 60_000);
      const rule: ChaosRule = {
        id,
        ...spec,
        durationMs,
        createdAt: now,
        expiresAt: now + durationMs,
        remainingMs: durationMs,
        matched: 0,
        injected: 0,
        origin: 'hub',
        ...(typeof r!.experimentId === 'string' ? { experimentId: r!.experimentId.slice(0, 40) } : {}),
      };
      this.#insert(rule);
      this.counts.created++;
      this.#event({ action: 'rule.created', ruleId: id, name: rule.name, service: this.service, actor: 'hub', detail: describeRule(rule) });
    }
    let removed = false;
    for (const { rule } of [...this.#rules.values()]) {
      if (rule.origin === 'hub' && !seen.has(rule.id)) {
        this.#delete(rule, 'deleted', 'hub', false);
        removed = true;
      }
    }
    if (removed) this.#rebuild();
    return refused;
  }

  /** Expires the rules whose time is up; the timer calls it, and so does every listing. */
  sweep(): void {
    const now = this.#now();
    let changed = false;
    for (const { rule } of [...this.#rules.values()]) {
      if (rule.expiresAt <= now) {
        this.#delete(rule, 'expired', 'expiry', false);
        changed = true;
      }
    }
    if (changed) this.#rebuild();
  }

  /** Audit events kept (oldest first). */
  events(): ChaosEvent[] {
    return [...this.#events];
  }

  /** Adds an audit event on behalf of a caller (experiments). */
  note(event: Omit<ChaosEvent, 'at'>): void {
    this.#event(event);
  }

  stats(): Omit<ChaosStats, 'experiments' | 'droppedExperiments' | 'pulls' | 'pullErrors' | 'pullRefused' | 'enabled'> {
    return { rules: this.#rules.size, ...this.counts, events: this.#events.size, droppedEvents: this.#events.dropped };
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#rules.clear();
    this.#rebuild();
  }

  // ---- FaultInjector: the hooks (hot path while armed) ----

  incoming(call: IncomingCall): FaultDecision | undefined {
    const rules = this.#incoming;
    return rules.length === 0 ? undefined : this.#first(rules, call.method, undefined, undefined, call.path, undefined, undefined, call.headers);
  }

  outgoing(call: OutgoingCall, headers: FaultHeaders | undefined): FaultDecision | undefined {
    const rules = this.#outgoing;
    return rules.length === 0 ? undefined : this.#first(rules, call.method, call.host.toLowerCase(), call.port, pathOnly(call.path), undefined, undefined, headers);
  }

  statement(call: StatementCall, headers: FaultHeaders | undefined): FaultDecision | undefined {
    const rules = this.#db;
    return rules.length === 0 ? undefined : this.#first(rules, undefined, undefined, undefined, undefined, call.text, call.fingerprint, headers);
  }

  /**
   * The first live rule of a target whose prepared scope matches the call, counted and rated.
   * Each check is skipped when the rule's scope leaves it out, so a rule costs what it names; the
   * validation keeps each target's rules to the fields that target's calls have.
   */
  #first(
    rules: ReadonlyArray<LiveRule>,
    method: string | undefined,
    host: string | undefined,
    port: number | undefined,
    path: string | undefined,
    text: string | undefined,
    fingerprint: string | undefined,
    headers: FaultHeaders | undefined,
  ): FaultDecision | undefined {
    const now = this.#now();
    for (let i = 0; i < rules.length; i++) {
      const { rule, m, decision } = rules[i]!;
      if (rule.expiresAt <= now) continue;
      if (m.method !== undefined && m.method !== method) continue;
      if (m.host !== undefined && m.host !== host) continue;
      if (m.port !== undefined && m.port !== port) continue;
      if (m.route !== undefined && (path === undefined || !m.route.test(path))) continue;
      if (m.statement !== undefined && (text === undefined || !m.statement.test(text))) continue;
      if (m.fingerprint !== undefined && m.fingerprint !== fingerprint) continue;
      if (!headerMatches(m, headers)) continue;
      if (this.#hit(rule)) return decision;
    }
    return undefined;
  }

  #hit(rule: ChaosRule): boolean {
    rule.matched++;
    this.counts.matched++;
    if (rule.rate < 1 && this.#random() >= rule.rate) return false;
    rule.injected++;
    this.counts.injected++;
    return true;
  }

  // ---- bookkeeping ----

  #insert(rule: ChaosRule): void {
    const decision: FaultDecision = Object.freeze({
      ruleId: rule.id,
      ruleName: rule.name,
      kind: rule.fault.kind,
      ms: rule.fault.ms,
      status: rule.fault.status,
      message: rule.fault.message,
    });
    this.#rules.set(rule.id, { rule, m: compileScope(rule.scope), decision });
    this.#rebuild();
  }

  #delete(rule: ChaosRule, why: 'deleted' | 'expired', actor: string, rebuild = true): void {
    this.#rules.delete(rule.id);
    if (why === 'expired') this.counts.expired++;
    else this.counts.deleted++;
    this.#event({ action: why === 'expired' ? 'rule.expired' : 'rule.deleted', ruleId: rule.id, name: rule.name, service: rule.scope.service, actor, ...(rule.experimentId ? { experimentId: rule.experimentId } : {}) });
    if (rebuild) this.#rebuild();
    try {
      this.#o.onRuleEnd?.(rule, why);
    } catch {
      // a listener's failure must not stop the rule from ending
    }
  }

  /** Per-target arrays of this service's rules, the armed flag and the expiry timer. */
  #rebuild(): void {
    const by: Record<ChaosTarget, LiveRule[]> = { incoming: [], outgoing: [], db: [] };
    let header = false;
    let fp = false;
    for (const live of this.#rules.values()) {
      if (live.rule.scope.service !== this.service) continue;
      by[live.rule.target].push(live);
      if (live.m.headerName !== undefined) header = true;
      if (live.m.fingerprint !== undefined) fp = true;
    }
    this.#incoming = by.incoming.length ? by.incoming : EMPTY;
    this.#outgoing = by.outgoing.length ? by.outgoing : EMPTY;
    this.#db = by.db.length ? by.db : EMPTY;
    this.#headerScoped = header;
    this.#fingerprintScoped = fp;
    const armed = !this.#closed && by.incoming.length + by.outgoing.length + by.db.length > 0;
    if (armed !== this.#armed) {
      this.#armed = armed;
      try {
        this.#o.onArmedChange?.(armed);
      } catch {
        // wiring failures are the panel's to report; the engine stays consistent
      }
    }
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#timers || this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    let next = Infinity;
    for (const { rule } of this.#rules.values()) next = Math.min(next, rule.expiresAt);
    if (next === Infinity) return;
    const delay = Math.max(0, Math.min(next - this.#now(), 2 ** 31 - 1));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.sweep();
      } catch {
        // never let a timer callback throw into the host app
      }
      this.#schedule();
    }, delay + 5);
    this.#timer.unref();
  }

  #view(rule: ChaosRule, now: number): ChaosRule {
    return { ...rule, fault: { ...rule.fault }, scope: { ...rule.scope }, remainingMs: Math.max(0, rule.expiresAt - now) };
  }

  #event(e: Omit<ChaosEvent, 'at'>): void {
    const event: ChaosEvent = { at: this.#now(), ...e };
    this.#events.push(event);
    try {
      this.#o.onEvent?.(event);
    } catch {
      // the audit sink's failure must not undo the change
    }
  }
}

/** A held rule's fault as an API body again: the zero `ms`/`status` of kinds without them are left out. */
function inputFault(f: unknown): unknown {
  if (f === null || typeof f !== 'object') return f;
  const { kind, ms, status, message } = f as Record<string, unknown>;
  return { kind, ...(ms ? { ms } : {}), ...(status ? { status } : {}), ...(message !== undefined ? { message } : {}) };
}

/** One line for logs and the audit trail: `outgoing error 503 host=inventory rate=0.5 for 60 s`. */
export function describeRule(rule: Pick<ChaosRule, 'target' | 'fault' | 'scope' | 'rate' | 'durationMs'>): string {
  const f = rule.fault;
  const what = f.kind === 'latency' || f.kind === 'timeout' ? `${f.kind} ${f.ms} ms` : f.kind === 'error' && f.status ? `error ${f.status}` : f.kind;
  const scope = Object.entries(rule.scope)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${rule.target} ${what} ${scope} rate=${rule.rate} for ${Math.round(rule.durationMs / 1000)} s`;
}
