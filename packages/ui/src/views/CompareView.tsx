/**
 * Compare two cohorts of traces: pick them (trace ids, a trace query, or a preset of one route:
 * successes vs failures, faster vs slower than a duration, before vs after a time), then read the
 * differences aligned by path: a diff flame graph (red slower or added in B, blue faster or
 * removed), the nodes whose critical-path time changed most, and the attribute values
 * over-represented in B. Hash: `#/compare?a=<ids or query>&b=<ids or query>`.
 */
import { useMemo, useState } from 'preact/hooks';
import type { CompareResponse } from '@debugpanel/model';
import { apiPath } from '../api.js';
import { useJson } from '../hooks.js';
import { diffColor, diffFlame, diffTooltip, presetCohorts, topChanges, type DiffFlameNode, type PresetKind } from '../lib/compare.js';
import type { FlameLike } from '../lib/flame-layout.js';
import { formatDuration } from '../lib/format.js';
import { compareLink, formatHash } from '../lib/route.js';
import type { ViewProps } from '../view-props.js';
import { FlameCanvas } from './FlameCanvas.js';
import './compare.css';

const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;
const num = (v: number) => String(Math.round(v * 100) / 100);

export function CompareView({ route, navigate }: ViewProps) {
  const a = route.params.get('a') ?? '';
  const b = route.params.get('b') ?? '';
  const result = useJson<CompareResponse>(a && b ? apiPath('api/compare', { a, b }) : undefined);
  return (
    <section class="compare-view" data-testid="view-compare" aria-labelledby="compare-h">
      <h1 id="compare-h">Compare</h1>
      <CohortForm key={`${a}|${b}`} a={a} b={b} routeHint={route.params.get('route') ?? routeOf(a) ?? ''} serviceHint={route.params.get('service') ?? serviceOf(a) ?? ''} onCompare={(x, y) => navigate(compareLink(x, y))} />
      {result.error && <p class="error" role="alert" data-testid="compare-error">{result.error}</p>}
      {!a || !b ? (
        <p class="muted">
          Pick two cohorts: trace ids separated by commas, or a trace query such as <span class="mono">route=/checkout&amp;minDuration=300</span>; or
          a preset of one route. From a trace, “Compare” sets this up against its route’s other traces.
        </p>
      ) : (
        result.data && <CompareResult data={result.data} />
      )}
    </section>
  );
}

/** The route and service a cohort query names, to prefill the presets. */
function routeOf(cohort: string): string | undefined {
  return cohort.includes('=') ? new URLSearchParams(cohort).get('route') ?? undefined : undefined;
}
function serviceOf(cohort: string): string | undefined {
  return cohort.includes('=') ? new URLSearchParams(cohort).get('service') ?? undefined : undefined;
}

function CohortForm(p: { a: string; b: string; routeHint: string; serviceHint: string; onCompare: (a: string, b: string) => void }) {
  const [a, setA] = useState(p.a);
  const [b, setB] = useState(p.b);
  const [routeName, setRoute] = useState(p.routeHint);
  const [service, setService] = useState(p.serviceHint);
  const [split, setSplit] = useState('');
  const [error, setError] = useState<string>();
  const preset = (kind: PresetKind) => {
    let at: number | undefined;
    if (kind === 'slow') at = Number(split);
    if (kind === 'time') at = split ? new Date(split).getTime() : undefined;
    const c = presetCohorts(kind, { route: routeName, service: service || undefined }, at);
    if ('error' in c) return setError(c.error);
    setError(undefined);
    p.onCompare(c.a, c.b);
  };
  return (
    <div class="compare-form card">
      <form
        class="compare-cohorts"
        onSubmit={(e) => {
          e.preventDefault();
          if (!a.trim() || !b.trim()) return setError('give both cohorts');
          setError(undefined);
          p.onCompare(a.trim(), b.trim());
        }}
      >
        <label>
          <span>A</span>
          <input class="mono" value={a} onInput={(e) => setA(e.currentTarget.value)} placeholder="trace ids, or route=/checkout&maxDuration=100" data-testid="compare-a" />
        </label>
        <label>
          <span>B</span>
          <input class="mono" value={b} onInput={(e) => setB(e.currentTarget.value)} placeholder="trace ids, or route=/checkout&minDuration=300" data-testid="compare-b" />
        </label>
        <button type="submit" class="btn primary" data-testid="compare-go">Compare</button>
      </form>
      <div class="compare-presets">
        <span class="muted">Presets of a route:</span>
        <input value={service} onInput={(e) => setService(e.currentTarget.value)} placeholder="service (any)" aria-label="Service" size={10} />
        <input class="mono" value={routeName} onInput={(e) => setRoute(e.currentTarget.value)} placeholder="/checkout" aria-label="Route" size={16} data-testid="compare-route" />
        <button type="button" class="btn" onClick={() => preset('errors')} data-testid="preset-errors">successes vs errors</button>
        <input value={split} onInput={(e) => setSplit(e.currentTarget.value)} placeholder="300 (ms) or 2026-12-03T14:02" aria-label="Split at" size={22} data-testid="compare-split" />
        <button type="button" class="btn" onClick={() => preset('slow')} data-testid="preset-slow">faster vs slower</button>
        <button type="button" class="btn" onClick={() => preset('time')} data-testid="preset-time">before vs after</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}

function CompareResult({ data }: { data: CompareResponse }) {
  const root = useMemo(() => diffFlame(data.nodes), [data]);
  const changes = useMemo(() => topChanges(data.nodes), [data]);
  const colorOf = useMemo(() => (n: FlameLike) => diffColor((n as DiffFlameNode).diff), []);
  const tooltipOf = useMemo(() => (n: FlameLike) => diffTooltip(n as DiffFlameNode, formatDuration), []);
  const delta = data.b.meanDuration - data.a.meanDuration;
  return (
    <>
      <div class="compare-summary">
        <CohortCard name="A" c={data.a} />
        <CohortCard name="B" c={data.b} />
        <div class="card" data-testid="compare-delta">
          <h2>B − A</h2>
          <b class={delta > 0 ? 'err' : undefined}>{delta >= 0 ? '+' : '−'}{formatDuration(Math.abs(delta))}</b>
          {data.a.meanDuration > 0 && <span class="muted"> ({delta >= 0 ? '+' : '−'}{pct(Math.abs(delta) / data.a.meanDuration)} of A’s mean)</span>}
        </div>
      </div>
      <h2>Diff flame graph</h2>
      <p class="muted compare-legend">
        Aligned by path; each node as wide as the larger of its two cohorts’ time per trace. <span class="swatch swatch-red" /> slower in B or only in B ·{' '}
        <span class="swatch swatch-blue" /> faster in B or only in A · <span class="swatch swatch-grey" /> about the same. Hover for the figures.
      </p>
      <div class="compare-flame">
        {root ? <FlameCanvas root={root} colorOf={colorOf} tooltipOf={tooltipOf} testId="diff-flame" label="Diff flame graph of B against A" /> : <p class="muted">No spans to compare.</p>}
      </div>
      <h2>Largest changes on the critical path</h2>
      <table class="queries-table" data-testid="compare-changes">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Operation</th>
            <th scope="col" class="num">Spans A → B</th>
            <th scope="col" class="num">Self A → B</th>
            <th scope="col" class="num">Critical path A → B</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((n) => (
            <tr key={n.path} title={n.path}>
              <td>{n.service}</td>
              <td class="mono">
                {n.operation} {n.status !== 'both' && <span class={`chip status-${n.status}`}>{n.status}</span>}
              </td>
              <td class="num">{num(n.countA)} → {num(n.countB)}</td>
              <td class="num">{formatDuration(n.selfA)} → {formatDuration(n.selfB)}</td>
              <td class={`num ${n.criticalB > n.criticalA ? 'err' : ''}`}>{formatDuration(n.criticalA)} → {formatDuration(n.criticalB)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Attribute values over-represented in B</h2>
      {data.attributes.length === 0 ? (
        <p class="muted" data-testid="compare-no-lift">No attribute value is much more common in B than in A.</p>
      ) : (
        <table class="queries-table" data-testid="compare-lift">
          <thead>
            <tr>
              <th scope="col">Attribute</th>
              <th scope="col" class="num">Share of A</th>
              <th scope="col" class="num">Share of B</th>
              <th scope="col" class="num">Lift</th>
            </tr>
          </thead>
          <tbody>
            {data.attributes.slice(0, 20).map((l) => (
              <tr key={l.attribute}>
                <td class="mono">{l.attribute}</td>
                <td class="num">{pct(l.shareA)}</td>
                <td class="num">{pct(l.shareB)}</td>
                <td class="num">{l.lift.toFixed(1)}x</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function CohortCard({ name, c }: { name: string; c: CompareResponse['a'] }) {
  return (
    <div class="card" data-testid={`compare-cohort-${name.toLowerCase()}`}>
      <h2>Cohort {name}</h2>
      <b>{c.traces}</b> traces · mean <b>{formatDuration(c.meanDuration)}</b>
      <div class="trace-links">
        {c.traceIds.slice(0, 5).map((id) => (
          <a key={id} class="mono" href={formatHash({ view: 'trace', id })}>
            {id.slice(0, 8)}
          </a>
        ))}
        {c.traceIds.length > 5 && <span class="muted">+{c.traceIds.length - 5}</span>}
      </div>
    </div>
  );
}
