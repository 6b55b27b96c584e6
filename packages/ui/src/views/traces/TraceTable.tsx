import { Component, type ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { TraceSummary } from '@debugpanel/model';
import { formatAgo, formatClock, formatCount, formatDuration, serviceHue } from '../../lib/format.js';
import { formatHash } from '../../lib/route.js';
import { nextSort, type SortKey, type TraceSort } from '../../lib/trace-sort.js';
import type { VirtualRows } from '../../use-virtual-rows.js';

/** Fixed row height in px (CSS `.traces tbody tr`): row geometry is index arithmetic. */
export const TRACE_ROW_HEIGHT = 30;
/** Height of the sticky header row, px (CSS `.traces th`). */
export const TRACE_HEAD_HEIGHT = 28;

const COLUMNS: Array<{ label: string; sort?: SortKey; cls?: string; title?: string }> = [
  { label: 'Start', sort: 'start', cls: 'c-start' },
  { label: 'Trace', sort: 'service', cls: 'c-trace', title: 'Sort by root service, then name' },
  { label: 'Route', sort: 'route', cls: 'c-route' },
  { label: 'Status', sort: 'status', cls: 'c-status num' },
  { label: 'Duration', sort: 'duration', cls: 'c-dur' },
  { label: 'Spans', sort: 'spans', cls: 'c-spans num' },
  { label: 'Errors', sort: 'errors', cls: 'c-errors num' },
  { label: 'Services', cls: 'c-svcs' },
  { label: 'Kept', cls: 'c-kept' },
];

export interface TraceTableProps {
  /** The rows in display order */
  rows: readonly TraceSummary[];
  /** Virtualization of the table's scroller (owned by the view, which also scrolls it) */
  virtual: VirtualRows<HTMLDivElement>;
  /** Row index of the keyboard cursor, -1 for none */
  cursor: number;
  sort: TraceSort;
  onSort: (s: TraceSort) => void;
  onOpen: (t: TraceSummary) => void;
  /** Told whether the list is scrolled to its top (live rows merge in only then) */
  onAtTop: (atTop: boolean) => void;
  /** Below the table, inside the scroller (empty message, Load older) */
  after?: ComponentChildren;
  /** A row's link (the list's context rides along); default: the bare trace hash */
  traceHref?: (traceId: string) => string;
}

/**
 * The trace list, virtualized like the waterfall: spacer rows stand for the rows out of view, so
 * 1,000 rows keep a few dozen in the DOM. Column headers sort (`aria-sort` says how).
 */
export function TraceTable(p: TraceTableProps) {
  const v = p.virtual;
  const { start, end } = v.range;
  // Log scale: one slow outlier must not flatten every other bar to nothing.
  let max = 0;
  for (const t of p.rows) if (t.duration > max) max = t.duration;
  const maxLog = Math.log1p(max);
  // Coarse clock: rows re-render for their "ago" at most every 5 s, not on every stream flush.
  const now = Math.floor(Date.now() / 5000) * 5000;

  // Focus follows the cursor (roving tabindex): reveal its row, then focus it once it is drawn.
  const wantFocus = useRef(false);
  useEffect(() => {
    if (p.cursor < 0) return;
    wantFocus.current = true;
    v.reveal(p.cursor);
  }, [p.cursor]);
  useEffect(() => {
    if (!wantFocus.current || p.cursor < start || p.cursor >= end) return;
    const id = p.rows[p.cursor]?.traceId;
    const link = id ? v.scroller.current?.querySelector<HTMLElement>(`[data-trace="${id}"] a`) : undefined;
    if (link) {
      wantFocus.current = false;
      link.focus({ preventScroll: true });
    }
  });

  const drawn: preact.JSX.Element[] = [];
  for (let i = start; i < end; i++) {
    const t = p.rows[i]!;
    drawn.push(<TraceRow key={t.traceId} t={t} index={i} cursor={i === p.cursor} tabbable={i === Math.max(0, p.cursor)} maxLog={maxLog} now={now} onOpen={p.onOpen} href={p.traceHref ? p.traceHref(t.traceId) : formatHash({ view: 'trace', id: t.traceId })} />);
  }
  return (
    <div
      class="table-scroll"
      ref={v.scroller}
      onScroll={(e) => {
        v.onScroll();
        p.onAtTop((e.currentTarget as HTMLElement).scrollTop < 8);
      }}
    >
      <table class="traces" data-testid="trace-table" aria-rowcount={p.rows.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => (
              <SortHeader key={c.label} column={c} sort={p.sort} onSort={p.onSort} />
            ))}
          </tr>
        </thead>
        <tbody>
          {start > 0 && <Spacer rows={start} />}
          {drawn}
          {end < p.rows.length && <Spacer rows={p.rows.length - end} />}
        </tbody>
      </table>
      {p.after}
    </div>
  );
}

function SortHeader({ column, sort, onSort }: { column: (typeof COLUMNS)[number]; sort: TraceSort; onSort: (s: TraceSort) => void }) {
  if (!column.sort) {
    return (
      <th scope="col" class={column.cls}>
        {column.label}
      </th>
    );
  }
  const key = column.sort;
  const active = sort.key === key;
  return (
    <th scope="col" class={`${column.cls ?? ''}${active ? ' sorted' : ''}`} aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="th-sort" onClick={() => onSort(nextSort(sort, key))} title={column.title ?? `Sort by ${column.label.toLowerCase()}`} data-testid={`sort-${key}`}>
        {column.label}
        <span class="sort-mark" aria-hidden="true">
          {active ? (sort.desc ? '▾' : '▴') : ''}
        </span>
      </button>
    </th>
  );
}

/** Stands for `rows` rows out of view, so the scrollbar and positions stay true. */
function Spacer({ rows }: { rows: number }) {
  return (
    <tr class="spacer" aria-hidden="true" style={{ height: `${rows * TRACE_ROW_HEIGHT}px` }}>
      <td colSpan={COLUMNS.length} />
    </tr>
  );
}

interface TraceRowProps {
  t: TraceSummary;
  index: number;
  cursor: boolean;
  tabbable: boolean;
  maxLog: number;
  now: number;
  onOpen: (t: TraceSummary) => void;
  href: string;
}

/** One row; skips re-rendering when nothing it shows changed, so stream flushes and scrolling stay cheap. */
class TraceRow extends Component<TraceRowProps> {
  override shouldComponentUpdate(next: TraceRowProps): boolean {
    const p = this.props;
    return p.t !== next.t || p.index !== next.index || p.cursor !== next.cursor || p.tabbable !== next.tabbable || p.maxLog !== next.maxLog || p.now !== next.now || p.href !== next.href;
  }

  override render() {
    const p = this.props;
    const t = p.t;
    return (
      <tr
        data-trace={t.traceId}
        data-testid="trace-row"
        aria-rowindex={p.index + 2}
        class={`${p.cursor ? 'cursor' : ''} ${t.errorCount > 0 ? 'has-error' : ''}`}
        onClick={() => p.onOpen(t)}
      >
        <td class="mono muted" title={new Date(t.startTime).toISOString()}>
          {formatClock(t.startTime)} <span class="ago">{formatAgo(t.startTime, p.now)}</span>
        </td>
        <td class="trace-name" title={`${t.rootService}: ${t.rootName}`}>
          <a href={p.href} onClick={(e) => e.stopPropagation()} tabIndex={p.tabbable ? 0 : -1}>
            <span class={`svc c${serviceHue(t.rootService)}`}>{t.rootService}</span> {t.rootName}
          </a>
        </td>
        <td class="mono" title={t.route}>{t.route ?? ''}</td>
        <td
          class={`num mono ${t.httpStatus === undefined ? '' : t.httpStatus >= 500 ? 'err' : t.httpStatus >= 400 ? 'warn' : ''}`}
          title={t.httpStatus === undefined ? undefined : t.httpStatus >= 500 ? 'Server error (5xx): an error' : t.httpStatus >= 400 ? "Client error (4xx): the caller's mistake, not counted as an error of this service" : undefined}
          data-testid="trace-http"
        >
          {t.httpStatus ?? ''}
        </td>
        <td>
          <div class="dur-cell">
            <span class="dur-track" aria-hidden="true">
              <span class="dur-bar" style={{ width: `${p.maxLog > 0 ? Math.max(2, (Math.log1p(t.duration) / p.maxLog) * 100) : 0}%` }} />
            </span>
            <span class="mono">{formatDuration(t.duration)}</span>
          </div>
        </td>
        <td class="num mono">{formatCount(t.spanCount)}</td>
        <td class={`num mono ${t.errorCount > 0 ? 'err' : 'muted'}`}>{t.errorCount}</td>
        <td class="svcs" title={t.services.join(', ')}>
          {/* Badges shrink (with an ellipsis) rather than clip: each service stays in sight. */}
          <span class="svc-list">
            {t.services.slice(0, 4).map((s) => (
              <span key={s} class={`svc c${serviceHue(s)}`}>{s}</span>
            ))}
            {t.services.length > 4 && <span class="muted">+{t.services.length - 4}</span>}
          </span>
        </td>
        <td>
          {t.reason ? <span class={`reason r-${t.reason}`}>{t.reason}</span> : ''}
          {t.pinned && t.reason !== 'pinned' && ' '}
          {t.pinned && t.reason !== 'pinned' && (
            <span class="reason r-pinned" title="pinned: kept out of eviction" data-testid="pinned-mark">
              pinned
            </span>
          )}
        </td>
      </tr>
    );
  }
}
