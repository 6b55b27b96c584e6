import { describe, expect, it } from 'vitest';
import {
  axisWidth,
  errorData,
  formatPercent,
  formatRate,
  formatTimeTick,
  lastValue,
  latencyData,
  memoryData,
  mergeSeries,
  metricsPath,
  parseWindowKey,
  pickSeries,
  pointLink,
  rowName,
  saturationData,
  sortRows,
  sparkPath,
  tablePath,
  tracesLink,
  trafficData,
  type MetricLabels,
  type MetricsResponse,
  type ProcessKey,
  type SeriesPoints,
  type TableRow,
} from './metrics-data.js';

const T0 = 1_700_000_000_000;
const times = [T0, T0 + 1000, T0 + 2000];

function series(over: Partial<SeriesPoints> = {}, labels: Partial<MetricLabels> = {}): SeriesPoints {
  return {
    labels: { kind: 'server', service: 'shop', method: 'GET', route: '/orders/:id', ...labels },
    rate: [2, 0, 4],
    count: [2, 0, 4],
    errors: [1, 0, 0],
    errorRate: [0.5, 0, 0],
    p50: [10, 0, 20],
    p95: [15, 0, 30],
    p99: [19, 0, 39],
    max: [20, 0, 40],
    exemplars: ['a'.repeat(32), null, 'b'.repeat(32)],
    ...over,
  };
}

function row(name: string, p99: number, errorRate: number, labels: Partial<MetricLabels> = {}): TableRow {
  return {
    labels: { kind: 'server', service: 'shop', method: 'GET', route: name, ...labels },
    count: 10, errors: Math.round(errorRate * 10), errorRate, rate: 1, p50: p99 / 2, p95: p99, p99, max: p99, spark: [],
  };
}

describe('paths', () => {
  it('metricsPath leaves out empty filters and keeps the window', () => {
    expect(metricsPath({ window: '5m' })).toBe('api/metrics?window=5m');
    expect(metricsPath({ service: 'shop', route: '/orders/:id', window: '1h' })).toBe('api/metrics?service=shop&route=%2Forders%2F%3Aid&window=1h');
    expect(metricsPath({ service: 'shop', dependency: 'sqlite orders.db', route: '/ignored', window: '6h' })).toBe('api/metrics?kind=client&service=shop&dependency=sqlite+orders.db&window=6h');
  });
  it('tablePath asks for one kind', () => {
    expect(tablePath('client', '15m')).toBe('api/metrics/table?kind=client&window=15m');
    // a picked range: its length as the window, ending at its end
    expect(tablePath('server', '5m', 'shop', { from: 1_000_000, to: 1_095_500 })).toBe('api/metrics/table?kind=server&window=96s&service=shop&until=1095500');
    expect(tablePath('server', '5m', 'a b')).toBe('api/metrics/table?kind=server&window=5m&service=a+b');
  });
  it('parseWindowKey falls back to 5m for anything unknown', () => {
    expect(parseWindowKey('6h')).toBe('6h');
    expect(parseWindowKey('7h')).toBe('5m');
    expect(parseWindowKey(null)).toBe('5m');
  });
});

describe('pickSeries and mergeSeries', () => {
  it('picks the series of one method, or undefined when none', () => {
    const get = series();
    const post = series({ count: [1, 1, 1] }, { method: 'POST' });
    expect(pickSeries([get, post], 'POST')).toBe(post);
    expect(pickSeries([get], 'DELETE')).toBeUndefined();
    expect(pickSeries([])).toBeUndefined();
    expect(pickSeries([get])).toBe(get);
  });
  it('merges counts exactly and weights percentiles by count', () => {
    const a = series();
    const b = series({ rate: [2, 1, 0], count: [2, 1, 0], errors: [0, 1, 0], p50: [30, 5, 0], p95: [35, 6, 0], p99: [39, 7, 0], max: [50, 7, 0], exemplars: ['c'.repeat(32), 'd'.repeat(32), null] }, { method: 'POST' });
    const m = mergeSeries([a, b]);
    expect(m.count).toEqual([4, 1, 4]);
    expect(m.errors).toEqual([1, 1, 0]);
    expect(m.errorRate).toEqual([0.25, 1, 0]);
    expect(m.rate).toEqual([4, 1, 4]);
    expect(m.p50).toEqual([20, 5, 20]);
    expect(m.p99).toEqual([29, 7, 39]);
    expect(m.max).toEqual([50, 7, 40]);
    // the exemplar of the slowest series in each slot
    expect(m.exemplars).toEqual(['c'.repeat(32), 'd'.repeat(32), 'b'.repeat(32)]);
    expect(m.labels.method).toBeUndefined();
  });
});

describe('chart data', () => {
  it('latency: x in seconds, slots without requests are gaps', () => {
    expect(latencyData(times, series())).toEqual([[T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 2], [10, null, 20], [15, null, 30], [19, null, 39]]);
  });
  it('latency without a series is all gaps on the same axis', () => {
    const d = latencyData(times, undefined);
    expect(d[0]).toHaveLength(3);
    expect(d.slice(1).flat().every((v) => v === null)).toBe(true);
  });
  it('traffic: requests and errors per second at the given resolution', () => {
    expect(trafficData(times, series({ rate: [0.2, 0, 0.4], count: [2, 0, 4], errors: [1, 0, 0] }), 10)).toEqual([
      [T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 2],
      [0.2, 0, 0.4],
      [0.1, 0, 0],
    ]);
  });
  it('errors: percent, a gap where nothing was served', () => {
    expect(errorData(times, series())[1]).toEqual([50, null, 0]);
  });
  it('saturation and memory: unwritten process slots (all zero) are gaps; ELU and CPU in percent', () => {
    const p: Partial<Record<ProcessKey, number[]>> = {
      eventLoopDelayP99: [0, 12, 20], eventLoopUtilization: [0, 0.25, 0.5], cpu: [0, 0.1, 1.5],
      heapUsed: [0, 10e6, 11e6], heapTotal: [0, 20e6, 20e6], rss: [0, 50e6, 51e6],
    };
    expect(saturationData(times, p).slice(1)).toEqual([[null, 12, 20], [null, 25, 50], [null, 10, 150]]);
    expect(memoryData(times, p).slice(1)).toEqual([[null, 10e6, 11e6], [null, 20e6, 20e6], [null, 50e6, 51e6]]);
    expect(saturationData(times, undefined).slice(1).flat().every((v) => v === null)).toBe(true);
  });
  it('lastValue skips trailing gaps', () => {
    expect(lastValue([1, 2, null, null])).toBe(2);
    expect(lastValue([null])).toBeUndefined();
    expect(lastValue(undefined)).toBeUndefined();
  });
});

describe('sortRows', () => {
  const rows = [row('/a', 50, 0), row('/b', 200, 0.1), row('/c', 10, 0.5), row('/d', 200, 0)];
  it('p99 worst first, ties by name', () => {
    expect(sortRows(rows, 'p99').map((r) => r.labels.route)).toEqual(['/b', '/d', '/a', '/c']);
  });
  it('error rate worst first', () => {
    expect(sortRows(rows, 'errorRate').map((r) => r.labels.route)).toEqual(['/c', '/b', '/a', '/d']);
  });
  it('name ascending, and does not mutate its input', () => {
    const copy = [...rows];
    expect(sortRows([rows[3]!, rows[0]!, rows[2]!], 'name').map((r) => r.labels.route)).toEqual(['/a', '/c', '/d']);
    expect(rows).toEqual(copy);
  });
});

describe('names and links', () => {
  it('rowName: method and route, or the dependency', () => {
    expect(rowName({ kind: 'server', service: 's', method: 'GET', route: '/x' })).toBe('GET /x');
    expect(rowName({ kind: 'server', service: 's', method: '_OTHER', route: '/x' })).toBe('/x');
    expect(rowName({ kind: 'client', service: 's', dependency: 'sqlite orders.db', type: 'db' })).toBe('sqlite orders.db');
  });
  it('tracesLink: route and time range in ms; the service-wide route * is no filter', () => {
    expect(tracesLink({ service: 'shop', route: '/orders/:id', since: 1000.4, until: 2000.2 })).toBe('#/traces?service=shop&route=%2Forders%2F%3Aid&since=1000&until=2001');
    expect(tracesLink({ route: '*', since: 5, until: 6 })).toBe('#/traces?since=5&until=6');
  });
  it('pointLink: the exemplar trace when there is one, else the traces of that slot', () => {
    expect(pointLink({ time: T0, resolution: 1, exemplar: 'f'.repeat(32) })).toBe(`#/trace/${'f'.repeat(32)}`);
    expect(pointLink({ time: T0, resolution: 10, exemplar: null, route: '/x', status: 'error' })).toBe(`#/traces?route=%2Fx&status=error&since=${T0}&until=${T0 + 10_000}`);
  });
});

describe('sparkPath', () => {
  it('scales to the box with the maximum at the top and zero at the bottom', () => {
    expect(sparkPath([0, 10, 5], 100, 12)).toBe('M0 11L50 1L100 6');
  });
  it('is empty for no data or all zeros (CSS draws the baseline)', () => {
    expect(sparkPath([], 100, 12)).toBe('');
    expect(sparkPath([0, 0], 100, 12)).toBe('');
  });
  it('treats non-finite and negative values as zero', () => {
    expect(sparkPath([Number.NaN, 4, -1], 10, 10)).toBe('M0 9L5 1L10 9');
  });
});

describe('formats', () => {
  it('formatPercent', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.00001)).toBe('<0.01%');
    expect(formatPercent(0.0123)).toBe('1.23%');
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(Number.NaN)).toBe('–');
  });
  it('formatRate', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(0.1667)).toBe('0.17/s');
    expect(formatRate(12.34)).toBe('12.3/s');
    expect(formatRate(1234)).toBe('1.2k/s');
  });
  it('formatTimeTick: seconds only when ticks are less than a minute apart', () => {
    const t = new Date(2026, 0, 2, 14, 5, 30).getTime() / 1000;
    expect(formatTimeTick(t, 60)).toBe('14:05');
    expect(formatTimeTick(t, 15)).toBe('14:05:30');
  });
  it('axisWidth grows with the longest label', () => {
    expect(axisWidth(['0', '1s'])).toBeLessThan(axisWidth(['0', '190.7 MB']));
    expect(axisWidth(null)).toBeGreaterThan(0);
  });
});
