/**
 * Experiments: a named fault rule with a duration and expectations. When its rule ends (expired,
 * or deleted early), the experiment waits `settleMs` for the last spans to arrive (tail-sampling
 * grace, other services' OTLP batches), asks an `ExperimentObserver` what the panel saw, and
 * keeps a verdict. Experiments are bounded (`max`, the oldest finished go first, counted).
 */
import {
  CHAOS_MAX_DURATION_MS,
  isPlainObject,
  describeValue,
  type ChaosExpectationResult,
  type ChaosExpectations,
  type ChaosExperiment,
  type ChaosIssue,
  type ChaosRule,
  type ChaosSignalChange,
  type ChaosVerdict,
} from '@debugpanel/model';
import { randomBytes } from 'node:crypto';
import type { ChaosEngine } from './engine.js';
import { MIN_DURATION_MS } from './validate.js';

/** A ranked suspect as the verdict reads it: a service, and an operation (route, statement, call) or attribute. */
export interface ObservedSuspect {
  service: string;
  /** the span name or statement the detector ranked (`GET /stock`, `SELECT qty FROM stock WHERE sku = ?`) */
  operation?: string;
  /** attribute suspects: `key=value` */
  attribute?: string;
  /** when the operation is a database statement: its fingerprint id (what a `fingerprint` rule names) */
  fingerprint?: string;
}

/** An incident a detector opened, with its ranked suspects (best first). */
export interface ObservedIncident {
  id: string;
  title: string;
  /** when the detector opened it (ms since epoch): the moment the panel caught the fault */
  openedAt: number;
  /** when its alert went to firing, if it did */
  firedAt?: number;
  state?: 'pending' | 'firing' | 'resolved';
  suspects: ObservedSuspect[];
}

/**
 * The seam to the panel's incident detector (`@debugpanel/insights` in the panel): incidents opened
 * at or after `since` (ms), oldest first. The panel passes it in; this package never imports insights.
 *
 * @example
 * const incidentsSince: IncidentsSince = (t) => insights.incidentsSince(t).map(toObserved);
 */
export type IncidentsSince = (since: number) => ObservedIncident[];

/** What the panel saw while an experiment ran; gathered by the panel (store, metrics, insights). */
export interface ExperimentObservation {
  /** Traces holding a span that carries the experiment's rule, newest first */
  faultedTraceIds: string[];
  /** Spans carrying the rule (a hub sees those other services injected) */
  faultedSpans: number;
  signals: ChaosSignalChange[];
  /** Incidents opened since the start (`IncidentsSince`); null when the panel has no detector to ask */
  incidents: ObservedIncident[] | null;
}

export interface ExperimentObserver {
  observe(experiment: Readonly<ChaosExperiment>): ExperimentObservation;
}

export interface ChaosExperimentsOptions {
  /** Experiments kept (default 50); the oldest finished is dropped first */
  max?: number;
  /** Wait after the rule ends before judging, ms (default 3000) */
  settleMs?: number;
  /** Judge with timers (default true); tests call `decide()` */
  timers?: boolean;
}

const EXP_KEYS = ['name', 'rule', 'durationMs', 'expect'];
const EXPECT_KEYS = ['caught', 'withinMs', 'suspect'];
const MAX_TRACE_IDS = 20;

export class ChaosExperiments {
  readonly #list: ChaosExperiment[] = [];
  readonly #max: number;
  readonly #settleMs: number;
  readonly #timers: boolean;
  #dropped = 0;
  #closed = false;
  readonly #pending = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly engine: ChaosEngine,
    private readonly observer: ExperimentObserver,
    options: ChaosExperimentsOptions = {},
  ) {
    this.#max = options.max ?? 50;
    this.#settleMs = options.settleMs ?? 3000;
    this.#timers = options.timers ?? true;
  }

  /**
   * Starts an experiment: validates it, adds its rule (for its duration) and records the start.
   *
   * @example
   * experiments.start({ name: 'slow stock', rule: { target: 'db', fault: { kind: 'latency', ms: 300 }, scope: { service: 'inventory', statement: 'SELECT stock' } }, durationMs: 60000, expect: { suspect: 'inventory' } });
   */
  start(input: unknown, actor = 'api'): { experiment: ChaosExperiment } | { issues: ChaosIssue[]; limit?: boolean } {
    const issues: ChaosIssue[] = [];
    if (!isPlainObject(input)) return { issues: [{ field: 'body', message: `an experiment must be an object like { "name": "slow stock", "rule": {...}, "durationMs": 60000 }, got ${describeValue(input)}` }] };
    for (const key of Object.keys(input)) if (!EXP_KEYS.includes(key)) issues.push({ field: key, message: `unknown field "${key}"; known: ${EXP_KEYS.join(', ')}` });
    const name = typeof input.name === 'string' && input.name.trim() !== '' && input.name.length <= 100 ? input.name.trim() : undefined;
    if (name === undefined) issues.push({ field: 'name', message: `name must be a non-empty string of at most 100 characters, got ${describeValue(input.name)}` });
    const d = input.durationMs;
    const durationOk = typeof d === 'number' && Number.isInteger(d) && d >= MIN_DURATION_MS && d <= CHAOS_MAX_DURATION_MS;
    if (!durationOk) issues.push({ field: 'durationMs', message: `durationMs must be a whole number of ms from ${MIN_DURATION_MS} to ${CHAOS_MAX_DURATION_MS} (15 minutes), got ${describeValue(d)}` });
    const expect: ChaosExpectations = {};
    if (input.expect !== undefined) {
      if (!isPlainObject(input.expect)) issues.push({ field: 'expect', message: `expect must be an object like { "caught": true, "withinMs": 30000, "suspect": "inventory" }` });
      else {
        const e = input.expect;
        for (const key of Object.keys(e)) if (!EXPECT_KEYS.includes(key)) issues.push({ field: `expect.${key}`, message: `unknown field "expect.${key}"; known: ${EXPECT_KEYS.map((k) => `expect.${k}`).join(', ')}` });
        if (e.caught !== undefined && typeof e.caught !== 'boolean') issues.push({ field: 'expect.caught', message: 'expect.caught must be true or false' });
        else if (e.caught !== undefined) expect.caught = e.caught as boolean;
        if (e.withinMs !== undefined && !(typeof e.withinMs === 'number' && Number.isInteger(e.withinMs) && e.withinMs > 0)) issues.push({ field: 'expect.withinMs', message: 'expect.withinMs must be a positive whole number of ms' });
        else if (e.withinMs !== undefined) expect.withinMs = e.withinMs as number;
        if (e.suspect !== undefined && !(typeof e.suspect === 'string' && e.suspect.trim() !== '' && e.suspect.length <= 200)) issues.push({ field: 'expect.suspect', message: 'expect.suspect must be a non-empty string (text the top suspect should name)' });
        else if (e.suspect !== undefined) expect.suspect = (e.suspect as string).trim();
      }
    }
    // The rule's own checks, with its fields named under `rule.`
    if (isPlainObject(input.rule)) {
      const ruleBody = { ...input.rule, durationMs: undefined };
      const parsed = this.engine.validate(ruleBody);
      if (!parsed.ok) issues.push(...parsed.issues.map((i) => ({ field: `rule.${i.field}`, message: `rule.${i.message}` })));
    } else {
      issues.push({ field: 'rule', message: `rule must be a fault rule like { "target": "db", "fault": { "kind": "latency", "ms": 300 } }, got ${describeValue(input.rule)}` });
    }
    if (issues.length > 0) return { issues };

    const id = `x${randomBytes(6).toString('hex')}`;
    const added = this.engine.add({ ...(input.rule as object), durationMs: undefined }, actor, { experimentId: id, durationMs: d as number });
    if (!('rule' in added)) return added;
    const rule = added.rule;
    const experiment: ChaosExperiment = {
      id,
      name: name!,
      status: 'running',
      rule,
      startedAt: rule.createdAt,
      endsAt: rule.expiresAt,
      expect,
    };
    this.#keep(experiment);
    this.engine.note({ action: 'experiment.started', experimentId: id, ruleId: rule.id, name: experiment.name, service: rule.scope.service, actor, detail: `${d} ms` });
    return { experiment: this.#view(experiment) };
  }

  list(): ChaosExperiment[] {
    return this.#list.map((e) => this.#view(e)).reverse();
  }

  get(id: string): ChaosExperiment | undefined {
    const e = this.#list.find((x) => x.id === id);
    return e && this.#view(e);
  }

  /** The engine calls this when any rule ends; an experiment's rule ending ends the experiment. */
  ruleEnded(rule: ChaosRule, why: 'deleted' | 'expired'): void {
    if (rule.experimentId === undefined) return;
    const e = this.#list.find((x) => x.id === rule.experimentId);
    if (!e || e.status !== 'running') return;
    const now = this.engine.now();
    e.status = why === 'expired' ? 'finished' : 'stopped';
    e.finishedAt = Math.min(now, e.endsAt);
    e.rule = { ...rule, remainingMs: 0 };
    if (!this.#timers || this.#closed) return;
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      this.decide(e.id);
    }, this.#settleMs);
    timer.unref();
    this.#pending.add(timer);
  }

  /** Judges an ended experiment now (the timer does it `settleMs` after the end). */
  decide(id: string): ChaosVerdict | undefined {
    const e = this.#list.find((x) => x.id === id);
    if (!e || e.status === 'running') return undefined;
    try {
      e.verdict = judge(e, this.observer.observe(e), this.engine.now());
    } catch (err) {
      e.verdict = {
        caught: null, summary: `Could not judge: ${(err as Error)?.message ?? String(err)}`, injected: e.rule.injected, faultedTraces: 0, traceIds: [],
        signals: [], incident: null, topSuspect: null, expectations: [], decidedAt: this.engine.now(),
      };
    }
    this.engine.note({ action: 'experiment.ended', experimentId: e.id, ruleId: e.rule.id, name: e.name, service: e.rule.scope.service, actor: e.status === 'stopped' ? 'api' : 'expiry', detail: e.verdict.summary });
    return e.verdict;
  }

  stats(): { experiments: number; droppedExperiments: number } {
    return { experiments: this.#list.length, droppedExperiments: this.#dropped };
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
  }

  #keep(e: ChaosExperiment): void {
    this.#list.push(e);
    while (this.#list.length > this.#max) {
      // the oldest that is not running; if all run (max small), the oldest
      const i = this.#list.findIndex((x) => x.status !== 'running');
      this.#list.splice(i < 0 ? 0 : i, 1);
      this.#dropped++;
    }
  }

  #view(e: ChaosExperiment): ChaosExperiment {
    const live = e.status === 'running' ? this.engine.get(e.rule.id) : undefined;
    return { ...e, rule: live ?? e.rule, expect: { ...e.expect } };
  }
}

/** What the rule aimed at, as words a suspect could name: statement, host, route, service. */
export function targetWords(rule: ChaosRule): string[] {
  const s = rule.scope;
  return [s.statement, s.fingerprint, s.host, s.route, s.service].filter((x): x is string => typeof x === 'string' && x !== '');
}

/** `inventory` `SELECT stock`: how a suspect reads in a summary. */
export function suspectName(s: ObservedSuspect): string {
  const what = s.operation ?? s.attribute;
  return what !== undefined && what !== '' ? `${s.service} ${what}` : s.service;
}

const has = (text: string | undefined, part: string): boolean => text !== undefined && text.toLowerCase().includes(part.toLowerCase());

/**
 * Whether a suspect names what the rule injected into. With `expect.suspect`, its text must be in
 * the suspect's name. Otherwise the suspect must be the rule's service (for an outgoing rule, the
 * called host counts as well) and, when the rule names a statement, route or host, name it too:
 * a statement rule is named by its statement, not by the route that ran it.
 */
export function namesTarget(rule: ChaosRule, expected: string | undefined, s: ObservedSuspect): boolean {
  if (expected !== undefined) return has(suspectName(s), expected);
  const sc = rule.scope;
  const host = sc.host?.replace(/:\d+$/, '');
  const service = s.service.toLowerCase() === sc.service.toLowerCase();
  switch (rule.target) {
    case 'db':
      return service && (sc.statement === undefined || has(s.operation, sc.statement)) && (sc.fingerprint === undefined || s.fingerprint === sc.fingerprint);
    case 'incoming':
      return service && (sc.route === undefined || has(s.operation, sc.route.replace(/\/\*$/, '').replace(/:\w+/g, '')));
    default:
      // the caller's client span, or the called service itself (a hub sees both)
      if (host !== undefined && (has(s.service, host) || has(s.operation, host) || has(s.attribute, host))) return true;
      return service && host === undefined && (sc.route === undefined || has(s.operation, sc.route));
  }
}

function secs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/**
 * The verdict: pure, from the experiment and what the panel observed.
 *
 * @example
 * judge(experiment, { faultedTraceIds: ['ab...'], faultedSpans: 3, signals: [], incidents: null }, Date.now()).summary
 * // "Injected 3 faults into 1 trace; no detector on this panel to say whether it was caught"
 */
export function judge(e: Readonly<ChaosExperiment>, seen: ExperimentObservation, now: number): ChaosVerdict {
  const injected = Math.max(e.rule.injected, seen.faultedSpans);
  const withinMs = e.expect.withinMs ?? e.endsAt - e.startedAt;
  const wantCaught = e.expect.caught ?? true;
  const traces = seen.faultedTraceIds.length;

  let incident: ChaosVerdict['incident'] = null;
  let topSuspect: ChaosVerdict['topSuspect'] = null;
  let caught: boolean | null = null;
  if (seen.incidents !== null) {
    const first = [...seen.incidents].filter((i) => i.openedAt >= e.startedAt).sort((a, b) => a.openedAt - b.openedAt)[0];
    if (first) {
      incident = { id: first.id, title: first.title, firedAfterMs: first.openedAt - e.startedAt };
      if (first.firedAt !== undefined) incident.alertAfterMs = first.firedAt - e.startedAt;
      if (first.state !== undefined) incident.state = first.state;
      const top = first.suspects[0];
      if (top !== undefined) {
        topSuspect = { name: suspectName(top), service: top.service, namesTarget: namesTarget(e.rule, e.expect.suspect, top) };
        if (top.operation !== undefined) topSuspect.operation = top.operation;
      }
    }
    caught = incident !== null && incident.firedAfterMs <= withinMs;
  }

  const expectations: ChaosExpectationResult[] = [];
  expectations.push({
    expectation: 'the fault was injected',
    met: injected > 0,
    detail: injected > 0 ? `${injected} fault${injected === 1 ? '' : 's'} in ${traces} trace${traces === 1 ? '' : 's'} seen here` : 'no call matched the rule while it ran',
  });
  expectations.push({
    expectation: wantCaught ? `an incident or alert fires within ${secs(withinMs)}` : 'no incident or alert fires',
    met: caught === null ? null : caught === wantCaught,
    detail: caught === null ? 'this panel has no incident detector (insights) to ask' : incident ? `"${incident.title}" after ${secs(incident.firedAfterMs)}` : 'none fired',
  });
  if (wantCaught) {
    expectations.push({
      expectation: `the top suspect names ${e.expect.suspect !== undefined ? `\`${e.expect.suspect}\`` : targetText(e.rule)}`,
      met: caught === null ? null : topSuspect?.namesTarget ?? false,
      detail: topSuspect ? `top suspect: ${topSuspect.name}` : caught === null ? 'no detector' : incident ? 'no suspect ranked' : 'no incident, so no suspect',
    });
  }

  const worst = seen.signals[0];
  const change = worst ? ` ${worst.name}: errors ${pct(worst.before.errorRate)} -> ${pct(worst.during.errorRate)}, p95 ${Math.round(worst.before.p95)} -> ${Math.round(worst.during.p95)} ms.` : '';
  let summary: string;
  if (injected === 0) summary = `Nothing injected: no call matched the rule (${e.rule.name}) while it ran.`;
  else if (caught === true) {
    const ranked = topSuspect ? `ranked ${ticks(topSuspect)} first${topSuspect.namesTarget ? '' : ', not the injected target'}` : 'no suspect ranked yet';
    const alert = incident!.alertAfterMs !== undefined ? ` Alert fired after ${secs(incident!.alertAfterMs)}.` : incident!.state === 'pending' ? ' The alert was still pending.' : '';
    summary = `Caught in ${secs(incident!.firedAfterMs)}; ${ranked}.${alert}${change}`;
  } else if (caught === false) summary = `Not caught: ${incident ? `the first incident opened after ${secs(incident.firedAfterMs)}, later than ${secs(withinMs)}` : 'no alert fired'}; ${injected} fault${injected === 1 ? '' : 's'} in ${traces} trace${traces === 1 ? '' : 's'}.${change}`;
  else summary = `Injected ${injected} fault${injected === 1 ? '' : 's'} into ${traces} trace${traces === 1 ? '' : 's'}; no detector on this panel to say whether it was caught.${change}`;

  return {
    caught,
    summary,
    injected,
    faultedTraces: traces,
    traceIds: seen.faultedTraceIds.slice(0, MAX_TRACE_IDS),
    signals: seen.signals.slice(0, 8),
    incident,
    topSuspect,
    expectations,
    decidedAt: now,
  };
}

/** `\`inventory\` \`SELECT stock\``: service and operation each in backticks. */
function ticks(t: NonNullable<ChaosVerdict['topSuspect']>): string {
  return t.operation !== undefined ? `\`${t.service ?? t.name}\` \`${t.operation}\`` : `\`${t.name}\``;
}

/** What a suspect must name by default: `inventory` and `SELECT stock`. */
function targetText(rule: ChaosRule): string {
  const what = rule.target === 'db' ? rule.scope.statement ?? (rule.scope.fingerprint !== undefined ? `query ${rule.scope.fingerprint}` : undefined) : rule.target === 'incoming' ? rule.scope.route : rule.scope.host;
  if (rule.target === 'outgoing' && what !== undefined) return `\`${what}\``;
  return what !== undefined ? `\`${rule.scope.service}\` and \`${what}\`` : `\`${rule.scope.service}\``;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}
