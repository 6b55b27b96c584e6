/**
 * Insights: incidents (newest first) on a timeline, and for the selected one its ranked suspects
 * with their evidence, links to example traces from before and during the anomaly, to the metrics
 * of its scope with the anomaly's range, and to the critical path; acknowledge from here.
 */
import { useState } from 'preact/hooks';
import type { AckResponse, IncidentDetail, InsightsResponse, Suspect } from '@debugpanel/model';
import { send } from '../api.js';
import { useJson } from '../hooks.js';
import { formatClock } from '../lib/format.js';
import { evidenceChange, evidenceLines, metricsLink, scopeLabel, shareText, suspectName, timelineBar, traceLink, type EvidenceLine } from '../lib/insights.js';
import { compareLink } from '../lib/route.js';
import { incidentMatches, incidentTracesLink, linkWith, readContext } from '../lib/context.js';
import type { ViewProps } from '../view-props.js';
import './insights.css';

export function InsightsView({ route }: ViewProps) {
  const list = useJson<InsightsResponse>('api/insights?limit=100', 2000);
  // The shared context (lib/context.ts): incidents of its service and route that overlap its window.
  const ctx = readContext('insights', route.params);
  const all = list.data?.incidents ?? [];
  const incidents = all.filter((i) => incidentMatches(i, ctx));
  const selected = route.id ?? incidents[0]?.id;
  const detail = useJson<IncidentDetail>(selected ? `api/insights/${encodeURIComponent(selected)}` : undefined, 2000);
  const [ackError, setAckError] = useState<string>();
  const now = Date.now();
  const from = Math.min(now - 30 * 60_000, ...incidents.map((i) => i.startedAt));
  const ack = async (id: string) => {
    try {
      await send<AckResponse>('POST', `api/insights/${encodeURIComponent(id)}/ack`, {});
      setAckError(undefined);
      list.reload();
      detail.reload();
    } catch (err) {
      setAckError(String((err as Error).message ?? err));
    }
  };
  return (
    <section class="insights-view" aria-labelledby="insights-h" data-testid="view-insights">
      <h1 id="insights-h">Insights</h1>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.data && all.length > 0 && incidents.length === 0 && (
        <p class="muted" data-testid="insights-filtered">No incident matches the filter ({all.length} in all).</p>
      )}
      {list.data && all.length === 0 && (
        <p class="muted" data-testid="insights-empty">
          No incidents. {list.data.baselines.filter((b) => b.ready).length} of {list.data.baselines.length} series have a baseline
          (warm-up: 5 minutes and 200 requests).
        </p>
      )}
      {incidents.length > 0 && (
        <ul class="incident-list" aria-label="Incidents">
          {incidents.map((i) => {
            const bar = timelineBar(i, from, now);
            return (
              <li key={i.id} class={i.id === selected ? 'selected' : undefined}>
                <a href={linkWith({ view: 'insights', id: i.id }, ctx)} data-testid="incident">
                  <span class={`state state-${i.state}`}>{i.acked ? 'acked' : i.state}</span>{' '}
                  <span class={`sev sev-${i.severity}`}>{i.severity}</span> <span class="mono">{formatClock(i.startedAt)}</span> {i.title}
                </a>
                <div class="timeline" aria-hidden="true">
                  <span class={`timeline-bar sev-${i.severity}`} style={{ left: `${bar.left * 100}%`, width: `${bar.width * 100}%` }} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {detail.data && (
        <article class="card incident" data-testid="incident-detail">
          <header class="incident-head">
            <h2>{scopeLabel(detail.data.scope)}: {detail.data.signal}</h2>
            <span class="muted">
              {formatClock(detail.data.startedAt)}
              {detail.data.endedAt !== undefined ? ` – ${formatClock(detail.data.endedAt)}` : ' – now'} · {detail.data.anomalies} anomalies ·{' '}
              {detail.data.traces.anomalous} of {detail.data.traces.window} traces anomalous, {detail.data.traces.baseline} baseline traces
            </span>
            <span class="spacer" />
            <a class="btn" href={incidentTracesLink(detail.data, ctx)} data-testid="incident-traces" title="The traces of its scope from a minute before it started">Traces</a>
            <a class="btn" href={metricsLink(detail.data)} data-testid="incident-metrics">Metrics</a>
            {!detail.data.acked && detail.data.state !== 'resolved' && (
              <button type="button" class="btn" onClick={() => void ack(detail.data!.id)} data-testid="incident-ack">Acknowledge</button>
            )}
          </header>
          {ackError && <p class="error" role="alert">{ackError}</p>}
          <h3>Suspects</h3>
          {detail.data.ranked.length === 0 && <p class="muted">No suspect yet: too few traces in the windows.</p>}
          <ol class="suspects">
            {detail.data.ranked.map((s) => <SuspectRow key={`${s.service}|${s.operation}|${s.attribute}`} s={s} />)}
          </ol>
          <h3>Anomalies</h3>
          <ul class="anomalies">
            {detail.data.members.map((a) => (
              <li key={a.id}>
                <span class={`sev sev-${a.severity}`}>{a.severity}</span> <span class="mono">{formatClock(a.startedAt)}</span> {a.detail}
                {a.endedAt !== undefined && <span class="muted"> (ended {formatClock(a.endedAt)})</span>}
              </li>
            ))}
          </ul>
          <h3>Timeline</h3>
          <ul class="incident-timeline">
            {detail.data.timeline.map((e, k) => (
              <li key={k}>
                <span class="mono">{formatClock(e.at)}</span> <b>{e.type}</b> {e.text}
              </li>
            ))}
          </ul>
        </article>
      )}
    </section>
  );
}

function SuspectRow({ s }: { s: Suspect }) {
  const e = s.evidence;
  const lines = evidenceLines(e);
  return (
    <li class="suspect" data-testid="suspect">
      <div>
        <b>{suspectName(s)}</b> <span class="muted">{s.kind} · score {s.score.toFixed(2)}</span>
      </div>
      <p>{e.sentence}</p>
      <dl class="evidence-numbers">
        <div>
          <dt>{e.unit === 'ms' ? 'self time' : 'rate'}</dt>
          <dd class="mono" data-testid="suspect-change">{evidenceChange(s)}</dd>
        </div>
        <div>
          <dt>traces</dt>
          <dd data-testid="suspect-shares">{shareText(e)}</dd>
        </div>
        <div>
          <dt>spectrum</dt>
          <dd class="mono">Ochiai {e.ochiai.toFixed(2)} · DStar2 {e.dstar2.toFixed(1)}{e.lift !== undefined && ` · lift ${e.lift.toFixed(1)}`}</dd>
        </div>
      </dl>
      {lines.length > 0 && (
        <ul class="evidence-lines" aria-label="Evidence">
          {lines.map((l, k) => <EvidenceItem key={k} l={l} />)}
        </ul>
      )}
      <div class="trace-links">
        {e.anomalousTraces.map((id) => (
          <a key={id} href={traceLink(id, true)} class="mono" title="an anomalous trace, on its critical path">after {id.slice(0, 8)}</a>
        ))}
        {e.normalTraces.map((id) => (
          <a key={id} href={traceLink(id)} class="mono" title="a trace of the baseline window">before {id.slice(0, 8)}</a>
        ))}
        {e.normalTraces.length > 0 && e.anomalousTraces.length > 0 && (
          <a href={compareLink(e.normalTraces, e.anomalousTraces)} title="the baseline traces (A) against the anomalous ones (B): diff flame graph" data-testid="suspect-compare">
            compare before / after
          </a>
        )}
      </div>
    </li>
  );
}

const EVIDENCE_LABEL: Record<EvidenceLine['kind'], string> = { 'error-group': 'error group', query: 'query', finding: 'finding' };

function EvidenceItem({ l }: { l: EvidenceLine }) {
  return (
    <li class={`evidence ev-${l.kind}`} data-testid={`evidence-${l.kind}`}>
      <span class="ev-kind">{EVIDENCE_LABEL[l.kind]}</span>{' '}
      <span class={l.kind === 'error-group' ? 'ev-title' : 'ev-title mono'}>{l.title}</span>
      {l.id && (
        <>
          {' '}
          {l.href ? (
            <a href={l.href} class="mono ev-id" title={l.kind === 'error-group' ? 'this error group in the Errors view' : 'this query in the Queries view'} data-testid={`evidence-${l.kind}-link`}>
              {l.id.slice(0, 16)}
            </a>
          ) : <span class="mono ev-id">{l.id.slice(0, 16)}</span>}
        </>
      )}
      <div class="muted ev-detail">{l.detail}</div>
      {l.traceIds.length > 0 && (
        <div class="trace-links">
          {l.traceIds.slice(0, 3).map((id) => (
            <a key={id} href={traceLink(id, true)} class="mono" title="a trace of the anomaly window with it">trace {id.slice(0, 8)}</a>
          ))}
        </div>
      )}
    </li>
  );
}
