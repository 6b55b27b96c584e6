import { describe, expect, it } from 'vitest';
import { logMatcher, type LogRecord } from '@debugpanel/model';
import {
  PendingLogs, appendOlderLogs, emptyLogList, isRangeStart, logFilterParams, logKey, logsPath,
  olderLogsPage, prependLiveLogs, readLogFilters, severityOption, SEVERITY_OPTIONS,
} from './logs-data.js';

let t = 0;
const rec = (o: Partial<LogRecord> = {}): LogRecord => ({ service: 'orders', time: ++t + 0.25, severityNumber: 9, severityText: 'info', body: `line ${t}`, attributes: {}, source: 'console', ...o });
const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('logs-data: filters in the hash', () => {
  it('reads only the known filters, severity by name or number, and passes them on to the API as written', () => {
    expect(readLogFilters(new URLSearchParams('service=orders&severity=warn&text=%20timeout%20&tab=x'))).toEqual({ query: { service: 'orders', severity: 13, text: 'timeout' }, params: 'service=orders&severity=warn&text=timeout' });
    expect(readLogFilters(new URLSearchParams(`traceId=${TRACE}&severity=17&spanId=`))).toEqual({ query: { traceId: TRACE, severity: 17 }, params: `severity=17&traceId=${TRACE}` });
  });
  it('applies the shared window (since/until, numbers only), and a trace id over the service and window', () => {
    expect(readLogFilters(new URLSearchParams('service=orders&since=1000&until=x&route=/a'))).toEqual({ query: { service: 'orders', since: 1000 }, params: 'service=orders&since=1000' });
    expect(readLogFilters(new URLSearchParams(`service=orders&since=1000&until=2000&traceId=${TRACE}`))).toEqual({ query: { traceId: TRACE }, params: `traceId=${TRACE}` });
    expect(readLogFilters(new URLSearchParams(''))).toEqual({ query: {}, params: '' });
  });

  it('says what is wrong with a severity the server would refuse (the server judges the rest)', () => {
    expect(readLogFilters(new URLSearchParams('severity=loud')).error).toMatch(/severity must be a number from 1 to 24 or a name/);
    expect(readLogFilters(new URLSearchParams('traceId=nope')).error).toBeUndefined();
  });

  it('writes the hash back with severity by name, and the API path with the page size and where the page starts', () => {
    expect(logFilterParams({ service: 'orders', severity: 17, text: 'x' })).toEqual({ service: 'orders', severity: 'error', text: 'x', traceId: undefined, spanId: undefined });
    expect(logsPath('service=orders&severity=warn')).toBe('api/logs?service=orders&severity=warn&limit=200');
    expect(logsPath(`traceId=${TRACE}`, { cursor: 'l1z', limit: 50 })).toBe(`api/logs?traceId=${TRACE}&limit=50&cursor=l1z`);
    expect(logsPath('', { until: 1234.5 })).toBe('api/logs?until=1234.5&limit=200');
  });

  it('shows the hash severity in the menu whatever its spelling; in-range numbers get their own name', () => {
    expect(['13', 'WARN', 'warning', ' warn '].map(severityOption)).toEqual(['warn', 'warn', 'warn', 'warn']);
    expect(severityOption('17')).toBe('error');
    expect(severityOption('14')).toBe('warn2');
    expect(isRangeStart(13)).toBe(true);
    expect(isRangeStart(14)).toBe(false);
    expect([null, '', 'loud'].map(severityOption)).toEqual(['', '', '']);
    expect(SEVERITY_OPTIONS.map((o) => o.value)).toEqual(['', 'trace', 'debug', 'info', 'warn', 'error', 'fatal']);
  });
});

describe('logs-data: the record list', () => {
  it('appends older pages without duplicates; over the cap the newest go', () => {
    const [a, b, c, d] = [rec(), rec(), rec(), rec()];
    let list = appendOlderLogs(emptyLogList(), [d!, c!], 'cur1');
    expect(list.nextCursor).toBe('cur1');
    list = appendOlderLogs(list, [c!, b!, a!], undefined, 3);
    expect(list.rows.map((r) => r.body)).toEqual([c!.body, b!.body, a!.body]);
    expect(list.headTrimmed).toBe(true);
    expect(list.nextCursor).toBeUndefined();
  });

  it('prepends streamed records newest first, drops those the first page already had, bounds the list', () => {
    const old = [rec(), rec(), rec()];
    let list = appendOlderLogs(emptyLogList(), [...old].reverse(), 'cur');
    // the stream repeats the newest stored record (it landed while the page was fetched) and brings two more
    const fresh = [rec(), rec()];
    list = prependLiveLogs(list, [old[2]!, ...fresh], 4);
    expect(list.rows.map((r) => r.body)).toEqual([fresh[1]!.body, fresh[0]!.body, old[2]!.body, old[1]!.body]);
    expect(list.tailTrimmed).toBe(true);
    // paging on after the tail was cut goes by time, not by the stale cursor
    expect(olderLogsPage(list)).toEqual({ until: old[1]!.time });
    expect(prependLiveLogs(list, [])).toBe(list);
    expect(prependLiveLogs(list, [fresh[0]!])).toBe(list);
  });

  it('keeps newest first when batches of several processes interleave, and dedupes within a batch', () => {
    const a = rec({ service: 'gateway' });
    const b = rec({ service: 'orders' });
    const list = prependLiveLogs(emptyLogList(), [b, a, b]);
    expect(list.rows.map((r) => r.service)).toEqual(['orders', 'gateway']);
  });

  it('shows records by time, not by arrival (a hub gets other services\' lines late)', () => {
    const [a, b, c] = [rec({ service: 'gateway' }), rec({ service: 'orders' }), rec({ service: 'gateway' })];
    // the page comes by arrival: c, a (gateway, local) and then b (orders, sent a batch later)
    let list = appendOlderLogs(emptyLogList(), [b, c, a], undefined);
    expect(list.rows).toEqual([c, b, a]);
    // a late streamed line lands at its time, not on top
    const late = { ...rec({ service: 'inventory' }), time: b.time + 0.1 };
    list = prependLiveLogs(list, [late]);
    expect(list.rows).toEqual([c, late, b, a]);
  });

  it('pages on by cursor until the API says there is no more', () => {
    const list = appendOlderLogs(emptyLogList(), [rec()], 'c2');
    expect(olderLogsPage(list)).toEqual({ cursor: 'c2' });
    expect(olderLogsPage(appendOlderLogs(emptyLogList(), [rec()], undefined))).toBeUndefined();
  });

  it('tells records apart by time, span, service, severity and body', () => {
    const r = rec({ spanId: 'aaaaaaaaaaaaaaaa' });
    expect(logKey({ ...r })).toBe(logKey(r));
    expect(logKey({ ...r, time: r.time + 0.001 })).not.toBe(logKey(r));
    expect(logKey({ ...r, body: `${r.body}!` })).not.toBe(logKey(r));
    expect(logKey({ ...r, spanId: undefined })).not.toBe(logKey(r));
  });
});

describe('logs-data: the live tail buffer', () => {
  it('keeps only records that match the filter (the store rule), bounded with a drop count', () => {
    const p = new PendingLogs(logMatcher({ severity: 13, text: 'timeout' }), 2);
    expect(p.offer([rec({ severityNumber: 17, body: 'DB Timeout' }), rec({ severityNumber: 9, body: 'timeout' }), rec({ severityNumber: 13, body: 'ok', attributes: { err: 'timeout after 3s' } })])).toBe(2);
    expect(p.offer([rec({ severityNumber: 21, body: 'fatal timeout' })])).toBe(1);
    expect(p.size).toBe(2);
    expect(p.dropped).toBe(1);
    expect(p.take().map((r) => r.body)).toEqual(['ok', 'fatal timeout']);
    expect(p.size).toBe(0);
  });

  it('judges trace and span ids too', () => {
    const p = new PendingLogs(logMatcher({ traceId: TRACE }));
    p.offer([rec({ traceId: TRACE }), rec({ traceId: 'ffffffffffffffffffffffffffffffff' }), rec()]);
    expect(p.size).toBe(1);
  });
});
