/** The routes (or dependencies) table: sortable figures and a p99 sparkline per row. */
import { formatDuration, serviceHue } from '../../lib/format.js';
import { formatPercent, formatRate, rowKey, rowName, sparkPath, type SortKey, type TableRow } from '../../lib/metrics-data.js';

const SPARK_W = 90;
const SPARK_H = 18;

const COLUMNS: Array<{ key: SortKey; label: string; title: string }> = [
  { key: 'rate', label: 'Req/s', title: 'requests per second over the window' },
  { key: 'errorRate', label: 'Errors', title: 'share of requests that failed (5xx or error status) over the window' },
  { key: 'p50', label: 'p50', title: 'median latency over the window (from per-period percentiles)' },
  { key: 'p99', label: 'p99', title: '99th percentile latency over the window (from per-period percentiles)' },
];

export interface SignalTableProps {
  kind: 'server' | 'client';
  rows: TableRow[];
  sort: SortKey;
  onSort: (key: SortKey) => void;
  /** several services: show the service chip */
  showService: boolean;
  selectedKey?: string;
  /** a row click (or Enter) */
  onOpen?: (row: TableRow) => void;
  /** the row's "chart" button */
  onChart?: (row: TableRow) => void;
  testId: string;
  emptyText: string;
}

export function SignalTable(props: SignalTableProps) {
  const sortHeader = (key: SortKey, label: string, title: string, cls = 'num') => (
    <th class={cls} scope="col" aria-sort={props.sort === key ? (key === 'name' ? 'ascending' : 'descending') : undefined} title={title}>
      <button type="button" class={`sort ${props.sort === key ? 'on' : ''}`} onClick={() => props.onSort(key)} data-testid={`${props.testId}-sort-${key}`}>
        {label}
        <span aria-hidden="true">{props.sort === key ? (key === 'name' ? '▴' : '▾') : ''}</span>
      </button>
    </th>
  );
  return (
    <table class="mtable" data-testid={props.testId}>
      <thead>
        <tr>
          {sortHeader('name', props.kind === 'server' ? 'Route' : 'Dependency', 'sort by name', '')}
          {COLUMNS.map((c) => sortHeader(c.key, c.label, c.title))}
          <th class="num" scope="col" title="the slowest request in the window">
            max
          </th>
          {sortHeader('count', 'Requests', 'requests over the window')}
          <th scope="col" title="p99 per second over the last minute">
            p99, last 60 s
          </th>
          {props.onChart && <th scope="col"><span class="sr-only">Chart</span></th>}
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 && (
          <tr>
            <td colSpan={9} class="muted mtable-empty">
              {props.emptyText}
            </td>
          </tr>
        )}
        {props.rows.map((r) => {
          const key = rowKey(r.labels);
          const path = sparkPath(r.spark, SPARK_W, SPARK_H);
          return (
            <tr
              key={key}
              class={`${props.onOpen ? 'open' : ''} ${props.selectedKey === key ? 'selected' : ''} ${r.errors > 0 ? 'has-error' : ''}`}
              onClick={props.onOpen ? () => props.onOpen!(r) : undefined}
              onKeyDown={
                props.onOpen
                  ? (e) => {
                      if (e.key === 'Enter' && e.target === e.currentTarget) props.onOpen!(r);
                    }
                  : undefined
              }
              tabIndex={props.onOpen ? 0 : undefined}
              data-testid={`${props.testId}-row`}
              title={props.onOpen ? 'Open the traces of this route in the window' : undefined}
            >
              <td class="mname">
                {props.showService && <span class={`svc c${serviceHue(r.labels.service)}`}>{r.labels.service}</span>}
                {props.kind === 'client' && r.labels.type && <span class="mtype">{r.labels.type}</span>}
                <span class="mono">{rowName(r.labels)}</span>
              </td>
              <td class="num mono">{formatRate(r.rate)}</td>
              <td class={`num mono ${r.errorRate > 0 ? 'err' : 'muted'}`}>{formatPercent(r.errorRate)}</td>
              <td class="num mono">{formatDuration(r.p50)}</td>
              <td class="num mono strong">{formatDuration(r.p99)}</td>
              <td class="num mono muted">{formatDuration(r.max)}</td>
              <td class="num mono">{r.count.toLocaleString('en-US')}</td>
              <td class="spark-cell">
                <svg class="spark" width={SPARK_W} height={SPARK_H} viewBox={`0 0 ${SPARK_W} ${SPARK_H}`} aria-hidden="true">
                  <line x1="0" x2={SPARK_W} y1={SPARK_H - 0.5} y2={SPARK_H - 0.5} class="spark-base" />
                  {path && <path d={path} />}
                </svg>
              </td>
              {props.onChart && (
                <td class="chart-cell">
                  <button
                    type="button"
                    class="btn small ghost"
                    aria-pressed={props.selectedKey === key}
                    onClick={(e) => {
                      e.stopPropagation();
                      props.onChart!(r);
                    }}
                    data-testid={`${props.testId}-chart`}
                    title={`Show this ${props.kind === 'server' ? 'route' : 'dependency'} in the charts above`}
                  >
                    {props.selectedKey === key ? 'Charted' : 'Chart'}
                  </button>
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
