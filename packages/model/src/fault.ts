/**
 * The seam between the fault engine (`@debugpanel/chaos`) and the places that can inject a fault:
 * the panel's middleware (incoming requests) and the client instrumentations of
 * `@debugpanel/tracing` (outgoing http/fetch, database statements). Tracing holds at most one
 * `FaultInjector`, and only while a rule is active: with none, each hook is one `undefined` check.
 */

/** What an injected fault does. Which kinds fit which target is in `CHAOS_KINDS` (api/chaos.ts). */
export type FaultKind = 'latency' | 'error' | 'abort' | 'reset' | 'timeout';

/** The verdict of a hook: inject this, on behalf of that rule. */
export interface FaultDecision {
  /** Id of the rule that matched (`debugpanel.chaos.rule` on the span) */
  readonly ruleId: string;
  readonly ruleName: string;
  readonly kind: FaultKind;
  /** latency: added delay; timeout: how long the call hangs before it fails (ms) */
  readonly ms: number;
  /** error on HTTP: the status answered */
  readonly status: number;
  /** The message of an injected error */
  readonly message: string;
}

/** Request headers as Node gives them (lower-case names). */
export type FaultHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** An incoming request, as the middleware sees it before the app does. */
export interface IncomingCall {
  readonly method: string;
  /** Path without the query */
  readonly path: string;
  readonly headers: FaultHeaders;
}

/** An outgoing HTTP call (node:http/https or fetch). */
export interface OutgoingCall {
  readonly method: string;
  /** Host name without port; IPv6 without brackets */
  readonly host: string;
  readonly port: number;
  /** Path and query as sent */
  readonly path: string;
}

/** A database statement about to run. */
export interface StatementCall {
  /** `sqlite`, `postgresql`, `mysql`, ... */
  readonly system: string;
  readonly text: string;
  /** Its fingerprint id (`@debugpanel/queries`), for rules scoped by `fingerprint` */
  readonly fingerprint?: string;
}

export interface FaultInjector {
  /**
   * True when some rule is scoped to requests carrying a header: the incoming hook then hands the
   * request's headers down (in the trace context) to the outgoing and statement hooks.
   */
  readonly headerScoped: boolean;
  /** True when some rule is scoped by a query fingerprint: the statement hooks then compute it. */
  readonly fingerprintScoped?: boolean;
  incoming(call: IncomingCall): FaultDecision | undefined;
  /** `headers`: those of the incoming request this call is part of, when known */
  outgoing(call: OutgoingCall, headers: FaultHeaders | undefined): FaultDecision | undefined;
  statement(call: StatementCall, headers: FaultHeaders | undefined): FaultDecision | undefined;
  /** Told once per injected fault, after it was applied (counts, experiments). Must not throw. */
  injected?(decision: FaultDecision): void;
}

/** Span attribute naming the rule whose fault a span carries. */
export const CHAOS_RULE_ATTRIBUTE = 'debugpanel.chaos.rule';
/** Name of the span event recording an injected fault (attributes: rule, kind, ms, status). */
export const CHAOS_EVENT = 'debugpanel.chaos.fault';

/** Attributes of the `debugpanel.chaos.fault` event for a decision. */
export function faultEventAttributes(d: FaultDecision): Record<string, string | number> {
  const a: Record<string, string | number> = {
    'debugpanel.chaos.rule': d.ruleId,
    'debugpanel.chaos.rule_name': d.ruleName,
    'debugpanel.chaos.kind': d.kind,
  };
  if (d.kind === 'latency' || d.kind === 'timeout') a['debugpanel.chaos.ms'] = d.ms;
  if (d.kind === 'error' && d.status > 0) a['debugpanel.chaos.status'] = d.status;
  return a;
}
