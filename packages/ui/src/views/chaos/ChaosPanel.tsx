import { useEffect, useState } from 'preact/hooks';
import type { ChaosExperiment, ChaosExperimentsResponse, ChaosRule, ChaosRulesResponse, ChaosTarget, FaultKind } from '@debugpanel/model';
import { send } from '../../api.js';
import { useJson } from '../../hooks.js';
import {
  describeRuleLine,
  EMPTY_CHAOS_FORM,
  fieldsFor,
  formToExperiment,
  formToRule,
  issuesByInput,
  kindsFor,
  postChaos,
  remainingLabel,
  type ChaosForm,
} from '../../lib/chaos-api.js';
import { formatHash } from '../../lib/route.js';
import type { ViewProps } from '../../view-props.js';
import './chaos.css';

const RULES_POLL_MS = 1000;
const EXPERIMENTS_POLL_MS = 2000;

const LABELS: Partial<Record<keyof ChaosForm, [string, string]>> = {
  ms: ['ms', '300'],
  status: ['status', '503'],
  service: ['service', 'this one'],
  method: ['method', 'any'],
  route: ['route', '/orders/:id'],
  host: ['host', 'inventory:3002'],
  statement: ['statement contains', 'SELECT stock'],
  fingerprint: ['query fingerprint', '16 hex, from Queries'],
  header: ['only with header', 'x-chaos: 1'],
};

/**
 * Chaos experiments: the active rules with their remaining time (one click stops them all), a
 * form whose problems are the server's own messages beside each input, and experiments with
 * their verdicts, linking to the traces that carried the fault.
 */
export function ChaosPanel(_props: ViewProps) {
  const rules = useJson<ChaosRulesResponse>('api/chaos/rules', RULES_POLL_MS);
  const exps = useJson<ChaosExperimentsResponse>('api/chaos/experiments', EXPERIMENTS_POLL_MS);
  const [form, setForm] = useState<ChaosForm>(EMPTY_CHAOS_FORM);
  const [issues, setIssues] = useState<ReturnType<typeof issuesByInput>>({});
  const [busy, setBusy] = useState(false);
  const [fetchedAt, setFetchedAt] = useState(Date.now());
  const [now, setNow] = useState(Date.now());
  useEffect(() => setFetchedAt(Date.now()), [rules.data]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);

  const set = (key: keyof ChaosForm, value: string) => {
    setForm((f) => {
      const next = { ...f, [key]: value } as ChaosForm;
      if (key === 'target' && !kindsFor(next.target).includes(next.kind)) next.kind = kindsFor(next.target)[0]!;
      return next;
    });
    setIssues((i) => ({ ...i, [key]: undefined, form: undefined }));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const experiment = form.name.trim() !== '';
    const r = experiment ? await postChaos<ChaosExperiment>('api/chaos/experiments', formToExperiment(form)) : await postChaos<ChaosRule>('api/chaos/rules', formToRule(form));
    setBusy(false);
    if (r.ok) {
      setIssues({});
      rules.reload();
      exps.reload();
      return;
    }
    const byInput = issuesByInput(r.issues);
    setIssues(Object.keys(byInput).length > 0 ? byInput : { form: r.error });
  };

  const stopAll = async () => {
    await send('DELETE', 'api/chaos/rules').catch(() => undefined);
    rules.reload();
    exps.reload();
  };
  const stop = async (id: string) => {
    await send('DELETE', `api/chaos/rules/${encodeURIComponent(id)}`).catch(() => undefined);
    rules.reload();
    exps.reload();
  };

  if (rules.data && !rules.data.enabled) {
    return (
      <section class="chaos-view pad" data-testid="view-chaos">
        <h2>Chaos experiments</h2>
        <p class="muted" data-testid="chaos-off">{rules.data.reason}</p>
      </section>
    );
  }
  const list = rules.data?.rules ?? [];
  const shown = new Set(fieldsFor(form.target, form.kind));
  const input = (key: keyof ChaosForm) => {
    const [label, placeholder] = LABELS[key]!;
    return (
      <label key={key} class={issues[key] ? 'bad' : undefined}>
        <span>{label}</span>
        <input value={form[key]} placeholder={placeholder} onInput={(e) => set(key, (e.target as HTMLInputElement).value)} data-testid={`chaos-${key}`} aria-invalid={issues[key] ? 'true' : undefined} />
        {issues[key] && <small class="chaos-issue" data-testid={`chaos-issue-${key}`}>{issues[key]}</small>}
      </label>
    );
  };
  const expList = exps.data?.experiments ?? [];

  return (
    <section class="chaos-view" data-testid="view-chaos">
      <div class="chaos-bar">
        <strong>Chaos</strong>
        <span class="muted">{rules.data ? `service ${rules.data.service}` : 'loading…'}</span>
        <span class="spacer" />
        <button type="button" class="btn danger" disabled={list.length === 0} onClick={stopAll} data-testid="chaos-stop-all">
          Stop all ({list.length})
        </button>
      </div>
      {rules.error && <p class="error" role="alert">{rules.error}</p>}
      <form class="chaos-form" onSubmit={submit} data-testid="chaos-form" noValidate>
        <label class={issues.target ? 'bad' : undefined}>
          <span>target</span>
          <select value={form.target} onChange={(e) => set('target', (e.target as HTMLSelectElement).value as ChaosTarget)} data-testid="chaos-target">
            <option value="incoming">incoming requests</option>
            <option value="outgoing">outgoing HTTP / fetch</option>
            <option value="db">database statements</option>
          </select>
        </label>
        <label class={issues.kind ? 'bad' : undefined}>
          <span>fault</span>
          <select value={form.kind} onChange={(e) => set('kind', (e.target as HTMLSelectElement).value as FaultKind)} data-testid="chaos-kind">
            {kindsFor(form.target).map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
          {issues.kind && <small class="chaos-issue">{issues.kind}</small>}
        </label>
        {(['ms', 'status', 'service', 'method', 'route', 'host', 'statement', 'fingerprint', 'header'] as const).filter((k) => shown.has(k)).map(input)}
        <label class={issues.ratePct ? 'bad narrow' : 'narrow'}>
          <span>rate %</span>
          <input value={form.ratePct} onInput={(e) => set('ratePct', (e.target as HTMLInputElement).value)} data-testid="chaos-ratePct" />
          {issues.ratePct && <small class="chaos-issue" data-testid="chaos-issue-ratePct">{issues.ratePct}</small>}
        </label>
        <label class={issues.durationSec ? 'bad narrow' : 'narrow'}>
          <span>for s</span>
          <input value={form.durationSec} onInput={(e) => set('durationSec', (e.target as HTMLInputElement).value)} data-testid="chaos-durationSec" />
          {issues.durationSec && <small class="chaos-issue" data-testid="chaos-issue-durationSec">{issues.durationSec}</small>}
        </label>
        <label class={issues.name ? 'bad grow' : 'grow'}>
          <span>experiment name (optional)</span>
          <input value={form.name} placeholder="slow stock query" onInput={(e) => set('name', (e.target as HTMLInputElement).value)} data-testid="chaos-name" />
          {issues.name && <small class="chaos-issue">{issues.name}</small>}
        </label>
        <button type="submit" class="btn primary" disabled={busy} data-testid="chaos-submit">
          {form.name.trim() ? 'Start experiment' : 'Inject'}
        </button>
        {issues.form && <p class="chaos-form-error" role="alert" data-testid="chaos-form-error">{issues.form}</p>}
      </form>

      <div class="chaos-body">
        <section class="chaos-col">
          <h3>Active rules</h3>
          {list.length === 0 ? (
            <p class="muted chaos-none" data-testid="chaos-no-rules">No fault is being injected.</p>
          ) : (
            <ul class="chaos-list" data-testid="chaos-rules">
              {list.map((r) => (
                <li key={r.id} class="chaos-rule" data-testid="chaos-rule">
                  <div class="chaos-rule-main">
                    <div>
                      <span class="svc">{r.scope.service}</span> {r.name}
                      {r.origin === 'hub' && <span class="reason">from hub</span>}
                      {r.experimentId && <span class="reason">experiment</span>}
                    </div>
                    <div class="muted mono small">{describeRuleLine(r)}</div>
                  </div>
                  <span class="chaos-left mono" data-testid="chaos-left">{remainingLabel(r.remainingMs, now - fetchedAt)}</span>
                  <a class="small-link" href={formatHash({ view: 'traces', params: { attr: `debugpanel.chaos.rule=${r.id}` } })}>traces</a>
                  <button type="button" class="btn ghost" onClick={() => void stop(r.id)} aria-label={`Stop ${r.name}`}>Stop</button>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="chaos-col">
          <h3>Experiments</h3>
          {expList.length === 0 ? (
            <p class="muted chaos-none">None yet: give the form a name to run the fault as an experiment and get a verdict.</p>
          ) : (
            <ul class="chaos-list" data-testid="chaos-experiments">
              {expList.map((x) => <ExperimentItem key={x.id} x={x} now={now} />)}
            </ul>
          )}
        </section>
      </div>
    </section>
  );
}

function ExperimentItem({ x, now }: { x: ChaosExperiment; now: number }) {
  const v = x.verdict;
  const state = x.status === 'running' ? `running, ${remainingLabel(x.endsAt - now)}` : v ? (v.caught === true ? 'caught' : v.caught === false ? 'not caught' : 'seen') : 'deciding…';
  return (
    <li class="chaos-exp" data-testid="chaos-experiment">
      <div class="chaos-exp-head">
        <strong>{x.name}</strong>
        <span class={`chaos-state ${v?.caught === true ? 'ok' : v?.caught === false ? 'bad' : ''}`} data-testid="chaos-exp-state">{state}</span>
      </div>
      <div class="muted small">{x.rule.name}</div>
      {v && (
        <div class="chaos-verdict" data-testid="chaos-verdict">
          <p>{v.summary}</p>
          {v.incident && (
            <p class="small">
              Incident:{' '}
              <a href={formatHash({ view: 'insights', id: v.incident.id })} data-testid="chaos-incident-link">{v.incident.title}</a>{' '}
              opened after {(v.incident.firedAfterMs / 1000).toFixed(1)} s
              {v.incident.alertAfterMs !== undefined ? `, alert fired after ${(v.incident.alertAfterMs / 1000).toFixed(1)} s` : ''}
            </p>
          )}
          <ul class="chaos-expect">
            {v.expectations.map((e) => (
              <li key={e.expectation} class={e.met === true ? 'ok' : e.met === false ? 'bad' : 'muted'}>
                {e.met === true ? '✓' : e.met === false ? '✗' : '?'} {e.expectation}: <span class="muted">{e.detail}</span>
              </li>
            ))}
          </ul>
          {v.signals.length > 0 && (
            <table class="chaos-signals">
              <thead><tr><th>route / dependency</th><th class="num">errors before → during</th><th class="num">p95 before → during</th></tr></thead>
              <tbody>
                {v.signals.slice(0, 5).map((s) => (
                  <tr key={`${s.kind}${s.service}${s.name}`}>
                    <td><span class="svc">{s.service}</span> {s.name}</td>
                    <td class="num">{pct(s.before.errorRate)} → {pct(s.during.errorRate)}</td>
                    <td class="num">{Math.round(s.before.p95)} → {Math.round(s.during.p95)} ms</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {v.traceIds.length > 0 && (
            <p class="small chaos-traces">
              Traces with the fault ({v.faultedTraces}):{' '}
              {v.traceIds.slice(0, 8).map((id) => (
                <a key={id} class="mono" href={formatHash({ view: 'trace', id })} data-testid="chaos-trace-link">{id.slice(0, 8)}</a>
              ))}
            </p>
          )}
        </div>
      )}
    </li>
  );
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}
