import type { AttributeValue, Attributes, LogRecord, SpanRecord } from '@debugpanel/model';
import { isErrorSpan } from '@debugpanel/model';
import { formatHash } from '../lib/route.js';
import { formatBreakpointsHash } from '../lib/breakpoints-hash.js';
import { formatClock, formatDuration, serviceHue } from '../lib/format.js';
import { attributeLine, severityClass } from '../lib/trace-logs.js';
import { Severity } from './logs/Severity.js';
import { useState } from 'preact/hooks';
import { foldStack, parseStack, type StackLine } from '../lib/stack-frames.js';

/** Log records listed in the detail at most; the rest are a link away (the Logs view, filtered to the span). */
const MAX_SPAN_LOGS = 100;

/** Everything one span carries: attributes, events, exceptions with stacks, links, resource. */
export function SpanDetail(props: {
  span: SpanRecord;
  /** What the waterfall row calls the span (`GET orders /products`); default its name */
  label?: string | undefined;
  traceStart: number;
  parentName: string | undefined;
  /** ms of this span on the trace's critical path (0: off it); undefined while unknown */
  criticalMs?: number | undefined;
  /** ms the clock-skew adjustment moved this span by (its `startTime` is the adjusted one) */
  skewMs?: number | undefined;
  /** The log records written while this span was active, oldest first */
  logs?: readonly LogRecord[] | undefined;
  onClose: () => void;
}) {
  const { span } = props;
  const exceptions = span.events.filter((e) => e.name === 'exception');
  const events = span.events.filter((e) => e.name !== 'exception');
  const err = isErrorSpan(span);
  return (
    <aside class="detail" aria-labelledby="detail-h" data-testid="span-detail">
      <header class="detail-head">
        <h2 id="detail-h">{props.label ?? span.name}</h2>
        <button type="button" class="btn ghost small" onClick={props.onClose} aria-label="Close span details" data-testid="detail-close">
          ✕
        </button>
      </header>
      <dl class="kv facts-grid">
        <dt>Service</dt>
        <dd>
          <span class={`svc c${serviceHue(span.service)}`}>{span.service}</span>
        </dd>
        <dt>Kind</dt>
        <dd>{span.kind}</dd>
        <dt>Status</dt>
        <dd class={err ? 'err' : ''}>
          {span.status.code}
          {span.status.message ? `: ${span.status.message}` : ''}
        </dd>
        <dt>Duration</dt>
        <dd class="mono">{formatDuration(span.duration)}</dd>
        {props.criticalMs !== undefined && (
          <>
            <dt>Critical path</dt>
            <dd class="mono" data-testid="detail-critical">
              {props.criticalMs > 0 ? `${formatDuration(props.criticalMs)} on the path` : <span class="muted">off the path</span>}
            </dd>
          </>
        )}
        <dt>Start</dt>
        <dd class="mono">
          +{formatDuration(span.startTime - props.traceStart)} <span class="muted">({formatClock(span.startTime)})</span>
        </dd>
        {props.skewMs !== undefined && (
          <>
            <dt>Clock skew</dt>
            <dd class="mono" data-testid="detail-skew">
              moved {props.skewMs > 0 ? '+' : '−'}
              {formatDuration(Math.abs(props.skewMs))} into its caller's window; raw start +{formatDuration(span.startTime - props.skewMs - props.traceStart)}{' '}
              <span class="muted">({formatClock(span.startTime - props.skewMs)})</span>, raw end +{formatDuration(span.startTime - props.skewMs + span.duration - props.traceStart)}
            </dd>
          </>
        )}
        <dt>Span id</dt>
        <dd class="mono">{span.spanId}</dd>
        {span.parentSpanId && (
          <>
            <dt>Parent</dt>
            <dd class="mono">
              <a href={formatHash({ view: 'trace', id: span.traceId, params: { span: span.parentSpanId } })}>{props.parentName ?? span.parentSpanId}</a>
            </dd>
          </>
        )}
      </dl>
      {exceptions.length > 0 && (
        <section aria-label="Exceptions">
          <h3>Exceptions</h3>
          {exceptions.map((e, i) => (
            <div class="exception" key={i} data-testid="exception">
              <p>
                <b class="err">{String(e.attributes['exception.type'] ?? 'Error')}</b>: {String(e.attributes['exception.message'] ?? '')}
                <span class="muted"> at +{formatDuration(e.time - props.traceStart)}</span>
              </p>
              {e.attributes['exception.stacktrace'] !== undefined && <Stack text={String(e.attributes['exception.stacktrace'])} />}
            </div>
          ))}
        </section>
      )}
      {props.logs && <SpanLogs span={span} logs={props.logs} />}
      <AttrTable title="Attributes" attrs={span.attributes} testId="span-attributes" />
      {events.length > 0 && (
        <section aria-label="Events">
          <h3>Events ({events.length})</h3>
          <ol class="events">
            {events.map((e, i) => (
              <li key={i}>
                <span class="mono muted">+{formatDuration(e.time - span.startTime)}</span> <b>{e.name}</b>
                {e.name === 'debugpanel.snapshot' && typeof e.attributes['debugpanel.snapshot.id'] === 'string' && (
                  <>
                    {' '}
                    <a href={formatBreakpointsHash({ snapshot: e.attributes['debugpanel.snapshot.id'] })} data-testid="span-snapshot-link">
                      open snapshot
                    </a>
                  </>
                )}
                {Object.keys(e.attributes).length > 0 && <KvList attrs={e.attributes} />}
              </li>
            ))}
          </ol>
        </section>
      )}
      {span.links && span.links.length > 0 && (
        <section aria-label="Links">
          <h3>Links ({span.links.length})</h3>
          <ul class="links">
            {span.links.map((l, i) => (
              <li key={i}>
                <a class="mono" href={formatHash({ view: 'trace', id: l.traceId, params: { span: l.spanId } })}>
                  {l.traceId.slice(0, 12)}…/{l.spanId}
                </a>
                {l.attributes && Object.keys(l.attributes).length > 0 && <KvList attrs={l.attributes} />}
              </li>
            ))}
          </ul>
        </section>
      )}
      {span.resource && Object.keys(span.resource).length > 0 && <AttrTable title="Resource" attrs={span.resource} testId="span-resource" />}
    </aside>
  );
}

/** The records logged while the span was active, in time order, offsets from its start. */
function SpanLogs({ span, logs }: { span: SpanRecord; logs: readonly LogRecord[] }) {
  const all = formatHash({ view: 'logs', params: { traceId: span.traceId, spanId: span.spanId } });
  return (
    <section aria-label="Logs" data-testid="span-logs">
      <h3>
        Logs ({logs.length}) ·{' '}
        <a href={all} data-testid="span-logs-link">
          Logs view ↗
        </a>
      </h3>
      <ol class="log-lines">
        {logs.slice(0, MAX_SPAN_LOGS).map((r, i) => {
          const attrs = attributeLine(r.attributes);
          return (
            <li key={i} class={severityClass(r.severityNumber)} data-testid="span-log">
              <span class="mono muted">+{formatDuration(r.time - span.startTime)}</span> <Severity n={r.severityNumber} text={r.severityText} /> <span class="log-body">{r.body}</span>
              {attrs && <div class="log-attrs mono muted">{attrs}</div>}
            </li>
          );
        })}
      </ol>
      {logs.length > MAX_SPAN_LOGS && <a href={all}>{logs.length - MAX_SPAN_LOGS} more in the Logs view</a>}
    </section>
  );
}

function AttrTable(props: { title: string; attrs: Attributes; testId: string }) {
  const keys = Object.keys(props.attrs).sort();
  return (
    <section aria-label={props.title}>
      <h3>
        {props.title} ({keys.length})
      </h3>
      {keys.length === 0 ? <p class="muted">none</p> : <KvList attrs={props.attrs} testId={props.testId} />}
    </section>
  );
}

function KvList(props: { attrs: Attributes; testId?: string }) {
  return (
    <table class="kv-table" data-testid={props.testId}>
      <tbody>
        {Object.keys(props.attrs)
          .sort()
          .map((k) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td class="mono">{show(props.attrs[k]!)}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

function show(v: AttributeValue): string {
  return Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : typeof v === 'string' ? v : String(v);
}

/**
 * A stack trace: the app's frames link to their file and line in the Breakpoints view (which
 * resolves the absolute path against the app's source root), library frames fold.
 */
function Stack({ text }: { text: string }) {
  const parts = foldStack(parseStack(text));
  return (
    <pre class="stack" data-testid="stack">
      {parts.map((p, i) => (p.kind === 'fold' ? <StackFold key={i} lines={p.lines} /> : <StackRow key={i} l={p} />))}
    </pre>
  );
}

function StackRow({ l }: { l: StackLine }) {
  if (l.kind === 'text' || l.frame === undefined || l.frame.library) return <div>{l.kind === 'text' ? l.text : `    ${l.text}`}</div>;
  const f = l.frame;
  const at = `${f.file}:${f.line}${f.column === undefined ? '' : `:${f.column}`}`;
  return (
    <div>
      {'    at '}
      {f.fn && `${f.fn} (`}
      <a href={formatBreakpointsHash({ file: f.file, line: f.line })} data-testid="stack-frame-link" title={`Open ${f.file.split(/[\\/]/).pop()}:${f.line} in the Breakpoints view`}>
        {at}
      </a>
      {f.fn && ')'}
    </div>
  );
}

function StackFold({ lines }: { lines: StackLine[] }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <div>
        {'    '}
        <button type="button" class="btn link small" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="stack-fold">
          {open ? '▾' : '▸'} {lines.length} library frame{lines.length === 1 ? '' : 's'}
        </button>
      </div>
      {open && lines.map((l, i) => <div key={i} class="muted">{`    ${l.text}`}</div>)}
    </>
  );
}
