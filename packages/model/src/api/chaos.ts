/**
 * Chaos experiments (`debugPanel({ chaos: true })`): fault rules and experiments with a verdict.
 *
 * - `GET {path}/api/chaos/rules` -> `ChaosRulesResponse`
 * - `POST {path}/api/chaos/rules` `ChaosRuleInput` -> 201 `ChaosRule`, or 400 `ChaosValidationError`
 * - `DELETE {path}/api/chaos/rules` (all) and `DELETE {path}/api/chaos/rules/:id` -> `ChaosDeleteResponse`
 * - `GET {path}/api/chaos/experiments` -> `ChaosExperimentsResponse`
 * - `POST {path}/api/chaos/experiments` `ChaosExperimentInput` -> 201 `ChaosExperiment`
 * - `GET {path}/api/chaos/experiments/:id` -> `ChaosExperiment` (with its `verdict` once ended)
 * - `GET {path}/api/chaos/pull?service=` -> `ChaosPullResponse`: what a hub holds for a service
 *   that sends to it (the service's panel pulls it every few seconds over its `sendTo` connection)
 */
import type { FaultKind } from '../fault.js';
import type { ApiError } from './errors.js';

export type { FaultKind } from '../fault.js';

/** Where a rule injects: the app's incoming requests, its outgoing HTTP/fetch calls, its database statements. */
export type ChaosTarget = 'incoming' | 'outgoing' | 'db';

/** The fault kinds each target takes. */
export const CHAOS_KINDS: Readonly<Record<ChaosTarget, ReadonlyArray<FaultKind>>> = {
  incoming: ['latency', 'error', 'abort'],
  outgoing: ['latency', 'error', 'reset', 'timeout'],
  db: ['latency', 'error', 'timeout'],
};

/** Longest a rule lives (15 minutes); it expires by itself, and a restart clears every rule. */
export const CHAOS_MAX_DURATION_MS = 15 * 60_000;

/** What a rule's fault does. */
export interface ChaosFault {
  kind: FaultKind;
  /**
   * latency: the added delay; timeout: how long the call hangs before failing (ms).
   * Database latency and timeouts block the thread (better-sqlite3 is synchronous), so they are
   * capped at `CHAOS_MAX_BLOCKING_MS`.
   */
  ms?: number;
  /** error on incoming/outgoing HTTP: the status (400..599, default 503) */
  status?: number;
  /** Message of the injected error (default names the rule) */
  message?: string;
}

/** Cap of a database latency or timeout, which blocks the event loop (ms). */
export const CHAOS_MAX_BLOCKING_MS = 2000;

/** Which calls a rule hits. Every field given must match; none given matches every call of the target. */
export interface ChaosScope {
  /** Service whose calls are hit (default: this panel's own). On a hub: any service sending to it. */
  service?: string;
  /** HTTP method (incoming, outgoing) */
  method?: string;
  /**
   * incoming: the request path; outgoing: the called URL's path. A template: `/orders/:id`
   * (`:name` is one segment), `/api/*` (`*` is the rest).
   */
  route?: string;
  /** outgoing: the called host, `inventory` or `127.0.0.1:3002` */
  host?: string;
  /** db: text the statement contains (case-insensitive), e.g. `SELECT stock` */
  statement?: string;
  /**
   * db: the statement's fingerprint, the 16 hex characters the Queries view and
   * `GET {path}/api/queries` list: every text of one query (other literals, other placeholders).
   */
  fingerprint?: string;
  /**
   * Only requests carrying this header: `x-chaos: 1` (name and value) or `x-chaos` (any value).
   * For outgoing and db rules it is the header of the incoming request the call is part of.
   */
  header?: string;
}

/** `POST {path}/api/chaos/rules` */
export interface ChaosRuleInput {
  /** Shown in the UI and on spans (default: made from target and fault) */
  name?: string;
  target: ChaosTarget;
  fault: ChaosFault;
  scope?: ChaosScope;
  /** Share of matching calls hit, 0 < rate <= 1 (default 1) */
  rate?: number;
  /** ms until the rule expires by itself (default 60,000; at most 15 minutes) */
  durationMs?: number;
}

/** A rule as the panel holds it. */
export interface ChaosRule {
  id: string;
  name: string;
  target: ChaosTarget;
  fault: Required<Pick<ChaosFault, 'kind' | 'ms' | 'status' | 'message'>>;
  scope: ChaosScope & { service: string };
  rate: number;
  durationMs: number;
  /** ms since epoch */
  createdAt: number;
  expiresAt: number;
  /** ms left when this answer was made */
  remainingMs: number;
  /** Calls that matched the scope (before the rate) */
  matched: number;
  /** Faults injected */
  injected: number;
  /** `local`: set on this panel; `hub`: pulled from the hub this service sends to */
  origin: 'local' | 'hub';
  /** Set when the rule belongs to an experiment */
  experimentId?: string;
}

/** `GET {path}/api/chaos/rules` */
export interface ChaosRulesResponse {
  /** False unless the panel was started with `chaos: true` (and a token in production) */
  enabled: boolean;
  /** Why chaos is off, when it is */
  reason?: string;
  service: string;
  /** Active rules: this service's, and on a hub also those held for other services */
  rules: ChaosRule[];
}

/** One problem with a rule or experiment, by field (`fault.ms`, `scope.route`, ...). */
export interface ChaosIssue {
  field: string;
  message: string;
}

/** 400 of a POST: `error` sums up, `issues` names each bad field (the UI shows them beside the form). */
export interface ChaosValidationError extends ApiError {
  issues: ChaosIssue[];
}

/** `DELETE {path}/api/chaos/rules[/:id]` */
export interface ChaosDeleteResponse {
  deleted: number;
}

/** `GET {path}/api/chaos/pull?service=` (hub -> service) */
export interface ChaosPullResponse {
  service: string;
  /** Rules the hub holds for that service; `remainingMs` is what counts (clocks differ) */
  rules: ChaosRule[];
  /** ms the service should wait before the next pull */
  pollMs: number;
}

/** What an experiment expects to see. */
export interface ChaosExpectations {
  /** An incident or alert should fire (default true) */
  caught?: boolean;
  /** ... within this many ms of the start (default: the experiment's duration) */
  withinMs?: number;
  /** Text the top suspect should name, e.g. `inventory` or `SELECT stock` (default: the rule's target) */
  suspect?: string;
}

/** `POST {path}/api/chaos/experiments` */
export interface ChaosExperimentInput {
  name: string;
  /** The fault; its `durationMs` is replaced by the experiment's */
  rule: ChaosRuleInput;
  /** How long the fault runs (ms, at most 15 minutes) */
  durationMs: number;
  expect?: ChaosExpectations;
}

/** Golden signals of one route: before the experiment vs while it ran. */
export interface ChaosSignalWindow {
  requests: number;
  errors: number;
  errorRate: number;
  /** ms; 0 without requests */
  p95: number;
}

export interface ChaosSignalChange {
  kind: 'server' | 'client';
  service: string;
  /** `GET /orders/:id`, or the dependency for client series */
  name: string;
  before: ChaosSignalWindow;
  during: ChaosSignalWindow;
}

export interface ChaosExpectationResult {
  expectation: string;
  /** null: could not be judged (e.g. no insights engine on this panel) */
  met: boolean | null;
  detail: string;
}

/** What the panel saw when an experiment ended. */
export interface ChaosVerdict {
  /** true: an incident/alert fired in time; false: none did; null: this panel has no detector to ask */
  caught: boolean | null;
  /** One line: "Caught in 18 s; ranked `inventory` `SELECT stock` first" or "Not caught: ..." */
  summary: string;
  /** Faults injected while it ran (as counted by the rule; a hub rule counts on the hub's copy) */
  injected: number;
  /** Traces in this panel's store with a span carrying the fault */
  faultedTraces: number;
  /** Some of them (at most 20), newest first */
  traceIds: string[];
  /** Routes and dependencies whose signals changed most */
  signals: ChaosSignalChange[];
  /**
   * The first incident the detector opened after the start: `firedAfterMs` is when it opened (the
   * panel caught it), `alertAfterMs` when its alert went to firing (after `alerts.pendingMs`), if it did.
   */
  incident: { id: string; title: string; firedAfterMs: number; alertAfterMs?: number; state?: 'pending' | 'firing' | 'resolved' } | null;
  /**
   * The incident's top suspect and whether it names the injected target: the rule's service and,
   * when the rule names one, its statement, route or host (`expect.suspect` replaces that test).
   */
  topSuspect: { name: string; service?: string; operation?: string; namesTarget: boolean } | null;
  expectations: ChaosExpectationResult[];
  /** ms since epoch */
  decidedAt: number;
}

export interface ChaosExperiment {
  id: string;
  name: string;
  /** `running` until its duration passed; `stopped` when its rule was deleted early */
  status: 'running' | 'finished' | 'stopped';
  rule: ChaosRule;
  startedAt: number;
  endsAt: number;
  finishedAt?: number;
  expect: ChaosExpectations;
  verdict?: ChaosVerdict;
}

/** `GET {path}/api/chaos/experiments`, newest first */
export interface ChaosExperimentsResponse {
  experiments: ChaosExperiment[];
}

/** The `chaos` section of `GET {path}/api/stats`. */
export interface ChaosStats {
  enabled: boolean;
  /** active rules (all services) */
  rules: number;
  created: number;
  expired: number;
  deleted: number;
  /** POSTs refused because `maxRules` were active */
  refused: number;
  /** calls that matched a rule's scope, and faults injected (this process) */
  matched: number;
  injected: number;
  /** experiments kept, and the oldest dropped past the bound */
  experiments: number;
  droppedExperiments: number;
  /** audit events of the engine kept / dropped (bounded) */
  events: number;
  droppedEvents: number;
  /** pulls of hub rules over `sendTo` (a service), and their failures */
  pulls: number;
  pullErrors: number;
  /** pulled rules refused (invalid, or over the bound) */
  pullRefused: number;
  lastPullError?: string;
}
