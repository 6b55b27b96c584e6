import { Component } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { isErrorSpan } from '@debugpanel/model';
import type { FoldRow, Row } from '../lib/rows.js';
import type { SpanTree } from '../lib/tree.js';
import { barGeometry, timeTicks } from '../lib/viewport.js';
import { useVirtualRows } from '../use-virtual-rows.js';
import { formatCount, formatDuration, serviceHue } from '../lib/format.js';
import { anyOnPath, type CriticalMarks, type PathMark } from '../lib/critical-path.js';
import { nodeLabel } from '../lib/completeness.js';
import type { FindingMark } from '../lib/findings.js';
import { severityClass, type SpanLogs } from '../lib/trace-logs.js';

/** Fixed row height in px: row geometry is then index arithmetic (see lib/viewport.ts). */
export const ROW_HEIGHT = 24;
const INDENT = 14;
/** Deeper spans stop indenting so a 10,000-deep chain stays readable; the depth shows on hover. */
const MAX_INDENT_DEPTH = 24;
/** A closed fold draws each member as a tick up to this many; beyond, one striped bar (fewer DOM nodes). */
const MAX_TICKMARKS = 24;
const NO_HOSTS: ReadonlyMap<string, string> = new Map();

export interface WaterfallProps {
  tree: SpanTree;
  rows: Row[];
  selectedId: string | undefined;
  /** Row index of the keyboard cursor */
  cursor: number;
  collapsed: ReadonlySet<string>;
  matches: ReadonlySet<string>;
  currentMatch: string | undefined;
  /** The critical path to mark, or undefined (not loaded, or the toggle is off) */
  path?: CriticalMarks | undefined;
  /** Span id -> ms the clock-skew adjustment moved it by: those rows are marked */
  skew?: ReadonlyMap<string, number> | undefined;
  /** Span id -> the query finding it is part of (N+1 group, slow query): marked with a badge and its cost */
  findings?: ReadonlyMap<string, FindingMark> | undefined;
  /** The trace's log records by span: spans that logged get a marker with the count, coloured by the worst severity */
  logs?: SpanLogs | undefined;
  /** Host:port -> service, for client span labels (`GET orders /products`) */
  knownHosts?: ReadonlyMap<string, string> | undefined;
  onSelect: (spanId: string, rowIndex: number) => void;
  onToggle: (spanId: string) => void;
  onOpenFold: (key: string, rowIndex: number) => void;
}

/**
 * The virtualized waterfall: a spacer as tall as all rows, and absolutely positioned elements for
 * the rows in view only, so a 10,000-span trace keeps a few dozen rows in the DOM.
 */
export function Waterfall(p: WaterfallProps) {
  const { tree, rows } = p;
  const v = useVirtualRows<HTMLDivElement>(rows.length, ROW_HEIGHT);
  // Layout effect: marks the DOM commit of the first rows (paint follows in the same frame).
  useLayoutEffect(() => {
    performance.mark('waterfall-rendered');
    try {
      performance.measure('waterfall-render', 'trace-loaded', 'waterfall-rendered');
    } catch {
      /* no trace-loaded mark (re-render): nothing to measure */
    }
  }, [p.tree]);
  // Keep the keyboard cursor in view.
  useEffect(() => v.reveal(p.cursor), [p.cursor]);

  // Rows call back through a stable object, so their props stay equal and unchanged rows skip rendering.
  const actions = useRef({} as WaterfallProps).current;
  Object.assign(actions, p);
  const total = tree.end - tree.start;
  const want = v.range;
  const ticks = timeTicks(total, 5);
  const visible: preact.JSX.Element[] = [];
  for (let i = want.start; i < want.end; i++) {
    const row = rows[i]!;
    const id = row.kind === 'span' ? row.node.span.spanId : undefined;
    let logCount = 0;
    let logSev = 0;
    if (p.logs) {
      for (const sid of id !== undefined ? [id] : (row as FoldRow).nodes.map((n) => n.span.spanId)) {
        logCount += p.logs.bySpan.get(sid)?.length ?? 0;
        logSev = Math.max(logSev, p.logs.worst.get(sid) ?? 0);
      }
    }
    visible.push(
      <WfRow
        key={row.kind === 'span' ? id : row.key}
        row={row}
        index={i}
        traceStart={tree.start}
        total={total}
        cursor={i === p.cursor}
        selected={id !== undefined && id === p.selectedId}
        match={id !== undefined ? p.matches.has(id) : p.matches.size > 0 && (row as FoldRow).nodes.some((n) => p.matches.has(n.span.spanId))}
        current={id !== undefined && id === p.currentMatch}
        collapsed={id !== undefined && p.collapsed.has(id)}
        onPath={p.path === undefined ? undefined : id !== undefined ? p.path.bySpan.get(id) : anyOnPath(p.path, (row as FoldRow).nodes.map((n) => n.span.spanId))}
        logCount={logCount}
        logSev={logSev}
        actions={actions}
      />,
    );
  }
  return (
    <div class="waterfall" data-testid="waterfall">
      <div class="wf-header" aria-hidden="true">
        <div class="wf-name">Span</div>
        <div class="wf-time">
          {ticks.map((t, i) => (
            <span key={i} class="tick" style={{ left: `${(i / (ticks.length - 1)) * 100}%` }}>
              {formatDuration(t)}
            </span>
          ))}
        </div>
      </div>
      <div class="wf-scroll" ref={v.scroller} onScroll={v.onScroll} tabIndex={-1} data-testid="waterfall-scroll" role="tree" aria-label={`Spans of this trace: ${rows.length} rows`}>
        <div class="wf-spacer" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>
          {ticks.slice(1, -1).map((_, i) => (
            <span key={i} class="gridline" style={{ left: `calc(var(--name-w) + 8px + (100% - var(--name-w) - 68px) * ${(i + 1) / (ticks.length - 1)})` }} />
          ))}
          {visible}
        </div>
      </div>
    </div>
  );
}

interface WfRowProps {
  row: Row;
  index: number;
  traceStart: number;
  total: number;
  cursor: boolean;
  selected: boolean;
  match: boolean;
  current: boolean;
  collapsed: boolean;
  /** Span rows: the span's place on the critical path; fold rows: true when a member is on it */
  onPath: PathMark | boolean | undefined;
  /** Log records of the span (a fold: of its members), and their worst severity */
  logCount: number;
  logSev: number;
  actions: WaterfallProps;
}

/** One waterfall row; re-renders only when what it shows changed (scrolling re-renders new rows only). */
class WfRow extends Component<WfRowProps> {
  override shouldComponentUpdate(n: WfRowProps): boolean {
    const o = this.props;
    return (
      o.row !== n.row || o.index !== n.index || o.traceStart !== n.traceStart || o.total !== n.total || o.cursor !== n.cursor ||
      o.selected !== n.selected || o.match !== n.match || o.current !== n.current || o.collapsed !== n.collapsed ||
      o.onPath !== n.onPath || o.logCount !== n.logCount || o.logSev !== n.logSev
    );
  }

  override render() {
    return renderRow(this.props);
  }
}

function renderRow(p: WfRowProps) {
  const { row, index, total } = p;
  const traceStart = p.traceStart;
  const indent = Math.min(row.depth, MAX_INDENT_DEPTH) * INDENT;
  // `top`, not a transform: 70 rows with transforms cost a property-tree node each to paint and layerize.
  const top = { top: `${index * ROW_HEIGHT}px` };
  const cursorCls = p.cursor ? ' cursor' : '';
  if (row.kind === 'fold') {
    const first = row.nodes[0]!.span;
    const g = barGeometry(row.start, row.end - row.start, traceStart, total);
    return (
      <div
        class={`wf-row fold${cursorCls}${p.match ? ' match' : ''}${p.onPath ? ' on-path' : ''}`}
        style={top}
        role="treeitem"
        aria-expanded="false"
        aria-level={row.depth + 1}
        data-testid="wf-fold"
        onClick={() => p.actions.onOpenFold(row.key, index)}
        title={`${row.nodes.length} consecutive "${first.name}" spans, ${formatDuration(row.total)} in total: click to open`}
      >
        <div class="wf-name" style={{ paddingLeft: `${indent + 4}px` }}>
          <span class="toggle" aria-hidden="true">
            ▸
          </span>
          <span class={`svc-dot c${serviceHue(first.service)}`} aria-hidden="true" />
          <span class="count">×{formatCount(row.nodes.length)}</span>
          <span class="label">{first.name}</span>
          {row.errors > 0 && <span class="err-badge">{row.errors} err</span>}
          <LogMark n={p.logCount} sev={p.logSev} />
          {(() => {
            const f = p.actions.findings && row.nodes.map((n) => p.actions.findings!.get(n.span.spanId)).find((m) => m !== undefined);
            return f ? <span class={`finding-badge ${f.kind}`} data-testid="wf-finding" title={f.title}>{f.badge}</span> : null;
          })()}
        </div>
        <div class="wf-time">
          <span class={`bar fold-bar c${serviceHue(first.service)}${row.nodes.length > MAX_TICKMARKS ? ' striped' : ''}`} style={{ left: `${g.left}%`, width: `${g.width}%` }} />
          {row.nodes.length <= MAX_TICKMARKS &&
            row.nodes.map((n) => {
              const s = barGeometry(n.span.startTime, n.span.duration, traceStart, total, 0.05);
              return <span key={n.span.spanId} class={`tickmark c${serviceHue(first.service)}`} style={{ left: `${s.left}%`, width: `${s.width}%` }} />;
            })}
          <span {...labelProps(g)}>
            {formatDuration(row.end - row.start)}
          </span>
        </div>
      </div>
    );
  }
  const { span } = row.node;
  const g = barGeometry(span.startTime, span.duration, traceStart, total);
  const hasKids = row.node.children.length > 0;
  const isCollapsed = p.collapsed;
  const err = isErrorSpan(span);
  const skewMs = p.actions.skew?.get(span.spanId);
  const finding = p.actions.findings?.get(span.spanId);
  // A root that names a parent: the parent has not arrived (or never will).
  const orphan = row.depth === 0 && span.parentSpanId !== undefined && span.parentSpanId !== span.spanId && !p.actions.tree.byId.has(span.parentSpanId);
  const cls =
    'wf-row' +
    cursorCls +
    (p.selected ? ' selected' : '') +
    (p.match ? ' match' : '') +
    (p.current ? ' current' : '') +
    (err ? ' is-error' : '') +
    (p.onPath ? ' on-path' : '') +
    (finding ? ' in-finding' : '');
  const mark = typeof p.onPath === 'object' ? p.onPath : undefined;
  return (
    <div
      class={cls}
      style={top}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-expanded={hasKids ? !isCollapsed : undefined}
      aria-selected={p.selected}
      data-testid="wf-row"
      data-span-id={span.spanId}
      onClick={() => p.actions.onSelect(span.spanId, index)}
    >
      <div
        class="wf-name"
        style={{ paddingLeft: `${indent + 4}px` }}
        title={`${span.service}: ${span.name} (depth ${row.depth})${mark ? `; ${formatDuration(mark.ms)} on the critical path` : ''}`}
      >
        {hasKids ? (
          <button
            type="button"
            class="toggle"
            aria-label={`${isCollapsed ? 'Expand' : 'Collapse'} ${formatCount(row.node.descendants)} spans below`}
            data-testid="wf-toggle"
            tabIndex={-1}
            onClick={(e) => {
              e.stopPropagation();
              p.actions.onToggle(span.spanId);
            }}
          >
            {isCollapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span class="toggle" aria-hidden="true" />
        )}
        <span class={`svc-dot c${serviceHue(span.service)}`} aria-hidden="true" />
        <span class="label">{nodeLabel(row.node, p.actions.knownHosts ?? NO_HOSTS)}</span>
        {hasKids && isCollapsed && <span class="count muted">+{formatCount(row.node.descendants)}</span>}
        {err && <span class="err-badge">error</span>}
        <LogMark n={p.logCount} sev={p.logSev} />
        {finding && (
          <span class={`finding-badge ${finding.kind}`} data-testid="wf-finding" title={finding.title}>
            {finding.badge}
          </span>
        )}
        {orphan && (
          <span class="orphan-badge" data-testid="wf-orphan" title={`Its parent span ${span.parentSpanId} has not arrived yet: shown as a root until it does`}>
            parent not seen yet
          </span>
        )}
        {skewMs !== undefined && (
          <span class="skew-badge" data-testid="wf-skew" title={`Clock skew: moved ${skewMs > 0 ? '+' : ''}${formatDuration(skewMs)} into its caller's window (raw times in the span detail)`}>
            skew
          </span>
        )}
      </div>
      <div class="wf-time">
        <span class={`bar c${serviceHue(span.service)}${err ? ' err' : ''}`} style={{ left: `${g.left}%`, width: `${g.width}%` }} />
        {mark?.stretches.map((st, i) => {
          const c = barGeometry(st.start, st.end - st.start, traceStart, total, 0.05);
          return <span key={i} class="cp-seg" data-testid="wf-cp" style={{ left: `${c.left}%`, width: `${c.width}%` }} />;
        })}
        <span {...labelProps(g)}>
          {formatDuration(span.duration)}
        </span>
      </div>
    </div>
  );
}

/** The marker of a span that logged: a dot and the count, in the colour of its worst record. */
function LogMark({ n, sev }: { n: number; sev: number }) {
  return n > 0 ? (
    <span class={`log-mark ${severityClass(sev)}`} data-testid="wf-logs">
      {n}
    </span>
  ) : null;
}

/** Duration label right of the bar; left of it when the bar ends near the right edge; inside it when it spans nearly all. */
function labelProps(g: { left: number; width: number }) {
  const end = g.left + g.width;
  if (end <= 80) return { class: 'dur', style: { left: `${end}%`, paddingLeft: '4px' } };
  if (g.left > 12) return { class: 'dur', style: { right: `${100 - g.left}%`, paddingRight: '4px' } };
  return { class: 'dur inside', style: { right: `${100 - end}%`, paddingRight: '4px' } };
}
