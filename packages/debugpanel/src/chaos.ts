/**
 * Wires `@debugpanel/chaos` into a panel: the engine (armed -> tracing's fault hooks and the
 * middleware's incoming hook), experiments observed through the span store, the golden signals and
 * the insights engine's incidents (`incidentsFrom`: chaos never imports insights), and, for a
 * service with `sendTo`, the pull of the rules its hub holds for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChaosEngine, ChaosExperiments, signalChanges, type ChaosEvent, type ExperimentObservation, type IncidentsSince, type ObservedIncident, type TimedSeries } from '@debugpanel/chaos';
import type { InsightsEngine } from '@debugpanel/insights';
import { fingerprint } from '@debugpanel/queries';
import { CHAOS_RULE_ATTRIBUTE, type ChaosExperiment, type ChaosPullResponse, type ChaosStats, type FaultInjector } from '@debugpanel/model';
import type { GoldenSignals } from '@debugpanel/metrics';
import type { SpanStore } from '@debugpanel/span-store';
import { faultError, markFault, NO_TRACE_HEADER, withoutTracing, type PanelTracing, type ServerSpan } from '@debugpanel/tracing';
import type { AuthVia, Role } from '@debugpanel/model';
import type { AuditLog } from './audit.js';
import type { ResolvedOptions } from './options.js';

export interface PanelChaos {
  readonly enabled: boolean;
  /** Why chaos is off, when it is */
  readonly reason: string | undefined;
  readonly engine: ChaosEngine | undefined;
  readonly experiments: ChaosExperiments | undefined;
  /** The middleware's incoming hook: set only while a rule of this service is active */
  readonly faults: { current: FaultInjector | undefined };
  /** Told of each chaos event after it went to the panel's audit log (tests listen here) */
  onEvent: ((event: ChaosEvent) => void) | undefined;
  /**
   * Runs `fn` (an engine or experiments call made for a request) with `who` as the author of the
   * audit entries its events make; events outside it (expiry, hub pulls, verdicts) are the panel's.
   */
  as<T>(who: ChaosActor | undefined, fn: () => T): T;
  stats(): ChaosStats;
  close(): void;
}

/** Who made a change, for the audit log. */
export interface ChaosActor {
  role: Role;
  tokenId: string;
  via: AuthVia;
  ip: string;
}

/** Where chaos events go: the panel's shared audit log. */
export type ChaosAuditSink = Pick<AuditLog, 'record'>;

/** `rule c12ab "inventory db SELECT stock: +300 ms": db latency 300 ms ...` */
function auditTarget(e: ChaosEvent): string {
  const id = e.ruleId !== undefined ? `rule ${e.ruleId}` : e.experimentId !== undefined ? `experiment ${e.experimentId}` : 'rules';
  const of = e.experimentId !== undefined && e.ruleId !== undefined ? ` (experiment ${e.experimentId})` : '';
  return `${id}${of} "${e.name}" in ${e.service}${e.detail ? `: ${e.detail}` : ''}; by ${e.actor}`;
}

/** Most bytes of a hub's pull answer read; more is refused and counted. */
const MAX_PULL_BYTES = 256 * 1024;
const MAX_FAULTED_TRACES = 1000;

export function createPanelChaos(
  opts: ResolvedOptions,
  tracing: PanelTracing,
  store: SpanStore,
  metrics: GoldenSignals | undefined,
  incidentsSince?: IncidentsSince,
  audit?: ChaosAuditSink,
): PanelChaos {
  const faults: { current: FaultInjector | undefined } = { current: undefined };
  const pull = { pulls: 0, pullErrors: 0, pullRefused: 0, lastPullError: undefined as string | undefined };
  const c = opts.chaos;
  if (!c.enabled) {
    return {
      enabled: false, reason: c.reason, engine: undefined, experiments: undefined, faults, onEvent: undefined, as: (_who, fn) => fn(),
      stats: () => ({ enabled: false, rules: 0, created: 0, expired: 0, deleted: 0, refused: 0, matched: 0, injected: 0, experiments: 0, droppedExperiments: 0, events: 0, droppedEvents: 0, pulls: 0, pullErrors: 0, pullRefused: 0 }),
      close() {},
    };
  }
  let experiments: ChaosExperiments | undefined;
  // The author of the events made by the call `as` runs (engine calls are synchronous).
  let actor: ChaosActor | undefined;
  const handle: PanelChaos = {
    enabled: true,
    reason: undefined,
    engine: undefined,
    experiments: undefined,
    faults,
    onEvent: undefined,
    as(who, fn) {
      const before = actor;
      actor = who;
      try {
        return fn();
      } finally {
        actor = before;
      }
    },
    stats: () => ({
      enabled: true,
      ...engine.stats(),
      ...experiments!.stats(),
      pulls: pull.pulls,
      pullErrors: pull.pullErrors,
      pullRefused: pull.pullRefused,
      ...(pull.lastPullError !== undefined ? { lastPullError: pull.lastPullError } : {}),
    }),
    close() {
      clearInterval(timer);
      experiments!.close();
      engine.close();
      tracing.setFaultInjector(undefined);
      faults.current = undefined;
    },
  };
  const engine: ChaosEngine = new ChaosEngine({
    service: opts.service,
    hub: opts.hub !== undefined,
    maxRules: c.maxRules,
    onArmedChange(armed) {
      faults.current = armed ? engine : undefined;
      tracing.setFaultInjector(armed ? engine : undefined);
      if (armed) console.warn(`[debugpanel] chaos: fault rules are active in ${opts.service} (GET ${opts.path}/api/chaos/rules; DELETE it to stop them all)`);
    },
    onEvent(event) {
      // Every start and stop of a rule or experiment, whoever made it (a request, the expiry timer,
      // a hub pull, a verdict), goes to the panel's shared audit log.
      try {
        audit?.record({
          at: event.at,
          action: `chaos ${event.action}`,
          target: auditTarget(event),
          role: actor?.role ?? 'debugger',
          tokenId: actor?.tokenId ?? '',
          via: actor?.via ?? 'panel',
          ip: actor?.ip ?? '',
          status: 0,
        });
      } catch (err) {
        console.error('debugpanel: the audit log failed:', err);
      }
      handle.onEvent?.(event);
    },
    onRuleEnd: (rule, why) => experiments?.ruleEnded(rule, why),
  });
  experiments = new ChaosExperiments(engine, { observe: (e) => observe(e, store, metrics, incidentsSince) }, { max: c.maxExperiments });
  (handle as { engine: ChaosEngine }).engine = engine;
  (handle as { experiments: ChaosExperiments }).experiments = experiments;

  // sendTo: pull what the hub holds for this service, every pullMs.
  let timer: ReturnType<typeof setInterval> | undefined;
  if (opts.sendTo) {
    const hubBase = opts.sendTo.url.replace(/\/v1\/traces$/, '');
    const url = `${hubBase}/api/chaos/pull?service=${encodeURIComponent(opts.service)}`;
    const headers: Record<string, string> = { ...opts.sendTo.headers, [NO_TRACE_HEADER]: '1', accept: 'application/json' };
    // The same token: the sendTo connection's own authorization, else this panel's token.
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'authorization') && opts.token) headers.authorization = `Bearer ${opts.token}`;
    let busy = false;
    const tick = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        pull.pulls++;
        const body = await withoutTracing(() => pullOnce(url, headers));
        pull.pullRefused += engine.syncPulled(body.rules);
        pull.lastPullError = undefined;
      } catch (err) {
        pull.pullErrors++;
        pull.lastPullError = String((err as Error)?.message ?? err).slice(0, 200);
      } finally {
        busy = false;
      }
    };
    timer = setInterval(() => void tick(), c.pullMs);
    timer.unref();
    setImmediate(() => void tick()).unref();
  }
  return handle;
}

async function pullOnce(url: string, headers: Record<string, string>): Promise<ChaosPullResponse> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
  const text = await res.text();
  if (text.length > MAX_PULL_BYTES) throw new Error(`hub answered ${text.length} bytes, more than ${MAX_PULL_BYTES}`);
  if (res.status === 404) throw new Error(`the hub has no chaos rules for services (404): start it with debugPanel({ hub: true, chaos: true })`);
  if (!res.ok) throw new Error(`hub answered ${res.status}: ${text.slice(0, 120)}`);
  const body = JSON.parse(text) as ChaosPullResponse;
  if (!body || !Array.isArray(body.rules)) throw new Error('hub answer has no rules array');
  return body;
}

/** What the panel saw of an experiment: faulted traces in the store, and golden-signal changes. */
function observe(e: Readonly<ChaosExperiment>, store: SpanStore, metrics: GoldenSignals | undefined, incidentsSince: IncidentsSince | undefined): ExperimentObservation {
  const ids: string[] = [];
  let faultedSpans = 0;
  let cursor: string | undefined;
  do {
    const page = store.query({ attributes: { [CHAOS_RULE_ATTRIBUTE]: e.rule.id }, since: e.startedAt - 60_000, limit: 1000, cursor });
    for (const t of page.traces) {
      if (ids.length >= MAX_FAULTED_TRACES) break;
      ids.push(t.traceId);
      faultedSpans += store.getTrace(t.traceId)?.filter((s) => s.attributes[CHAOS_RULE_ATTRIBUTE] === e.rule.id).length ?? 0;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined && ids.length < MAX_FAULTED_TRACES);
  const signals = metrics ? signalChanges(seriesOf(metrics, e), e.startedAt, e.finishedAt ?? e.endsAt) : [];
  // Without insights (off, or metrics off) there is no detector to ask: null says so.
  return { faultedTraceIds: ids, faultedSpans, signals, incidents: incidentsSince ? incidentsSince(e.startedAt) : null };
}

const SQL = /^\s*(?:select|insert|update|delete|with|replace|merge|call|upsert)\b/i;

/** Incidents opened up to this long before `since` are read, then filtered by when they opened. */
const BACKDATE_MS = 60_000;

/**
 * The chaos seam over the insights engine: incidents the detector opened at or after `since`,
 * each with the time it opened (the `opened` entry of its timeline, not the anomaly's backdated
 * start), when its alert went to firing, and its top suspects.
 *
 * @example
 * createPanelChaos(opts, tracing, store, metrics, incidentsFrom(insights));
 */
export function incidentsFrom(insights: Pick<InsightsEngine, 'incidentsSince' | 'get'>): IncidentsSince {
  return (since) => {
    const out: ObservedIncident[] = [];
    for (const v of insights.incidentsSince(since - BACKDATE_MS)) {
      const d = insights.get(v.id);
      const openedAt = d?.timeline.find((t) => t.type === 'opened')?.at ?? v.startedAt;
      if (openedAt < since) continue;
      const firedAt = d?.timeline.find((t) => t.type === 'firing')?.at;
      out.push({
        id: v.id,
        title: d?.title ?? `${v.signal} ${v.scope.service}`,
        openedAt,
        ...(firedAt !== undefined ? { firedAt } : {}),
        state: v.state,
        suspects: v.suspects.map((s) => ({
          service: s.service,
          ...(s.operation !== undefined ? { operation: s.operation } : {}),
          ...(s.attribute !== undefined ? { attribute: s.attribute } : {}),
          // a statement suspect (insights names it by its text) with its fingerprint, for `fingerprint` rules
          ...(s.operation !== undefined && SQL.test(s.operation) ? { fingerprint: fingerprint(s.operation).id } : {}),
        })),
      });
    }
    return out.sort((a, b) => a.openedAt - b.openedAt);
  };
}

function seriesOf(metrics: GoldenSignals, e: Readonly<ChaosExperiment>): TimedSeries[] {
  const end = e.finishedAt ?? e.endsAt;
  const window = Math.ceil((Date.now() - (e.startedAt - (end - e.startedAt))) / 1000) + 2;
  const out: TimedSeries[] = [];
  for (const kind of ['server', 'client'] as const) {
    for (const row of metrics.table(kind, 60).slice(0, 200)) {
      const l = row.labels;
      const r = metrics.query({ kind, service: l.service, route: l.route, dependency: l.dependency, window });
      const resolutionMs = r.resolution * 1000;
      for (const s of r.series) if (s.labels.method === l.method || kind === 'client') out.push({ times: r.times, resolutionMs, series: s });
    }
  }
  return out;
}

/**
 * The incoming hook, called by the middleware only while a rule of this service is active.
 * latency: the app sees the request `ms` later; error: answered here with the status and a JSON
 * body, the app never sees it; abort: the connection is destroyed without an answer.
 */
export function applyIncomingFault(
  f: FaultInjector,
  req: IncomingMessage,
  res: ServerResponse,
  span: ServerSpan,
  next: (err?: unknown) => void,
): void {
  let d;
  try {
    if (f.headerScoped) span.setFaultHeaders(req.headers);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    d = f.incoming({ method: req.method ?? 'GET', path: q < 0 ? url : url.slice(0, q), headers: req.headers });
  } catch {
    d = undefined;
  }
  if (d === undefined) return span.run(next);
  const decision = d;
  markFault(span.span, decision);
  switch (decision.kind) {
    case 'latency': {
      const t = setTimeout(() => {
        if (!res.destroyed && !res.writableEnded) span.run(next);
      }, decision.ms);
      res.once('close', () => clearTimeout(t));
      return;
    }
    case 'error': {
      if (decision.status >= 500) span.recordError(faultError(decision, 'EINJECTED'));
      const body = JSON.stringify({ error: decision.message, rule: decision.ruleId });
      res.statusCode = decision.status;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.setHeader('x-debugpanel-chaos', decision.ruleId);
      res.end(body);
      return;
    }
    default: {
      // abort
      span.recordError(faultError(decision, 'ECONNABORTED'));
      req.socket.destroy();
    }
  }
}
