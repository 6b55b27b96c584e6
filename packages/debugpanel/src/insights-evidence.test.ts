import { Redactor, type SpanRecord } from '@debugpanel/model';
import { SpanStore } from '@debugpanel/span-store';
import { describe, expect, it } from 'vitest';
import { ErrorCapture } from './error-capture.js';
import { insightsEvidence } from './insights-evidence.js';
import { createQueryFeed } from './query-feed.js';

const T = 'cd'.repeat(16);
let seq = 0;
function span(parent: string | undefined, kind: SpanRecord['kind'], name: string, attributes: SpanRecord['attributes'], events: SpanRecord['events'] = []): SpanRecord {
  const id = (++seq).toString(16).padStart(16, '0');
  return {
    traceId: T, spanId: id, ...(parent ? { parentSpanId: parent } : {}), name, kind, service: 'inventory', startTime: 1000 + seq, duration: 2,
    status: events.length ? { code: 'error', message: 'disk I/O error' } : { code: 'unset' }, attributes, events,
  };
}
const DB = { 'db.system.name': 'sqlite', 'db.namespace': 'inventory.db' };

describe('insightsEvidence (what the panel lends insights)', () => {
  it('fingerprints a database span as the Queries view does', () => {
    const { fingerprint } = insightsEvidence(undefined, undefined);
    const fp = fingerprint(span(undefined, 'client', 'SELECT', { ...DB, 'db.query.text': "SELECT qty FROM  stock WHERE sku = 'a1'" }));
    expect(fp).toEqual({ id: expect.stringMatching(/^[0-9a-f]{16}$/), text: 'select qty from stock where sku = ?' });
  });

  it("names an erroring span's error group from the panel's error groups", () => {
    const errors = new ErrorCapture({ service: 'inventory', redactor: new Redactor(), process: false });
    try {
      const root = span(undefined, 'server', 'GET /stock', { 'http.request.method': 'GET', 'http.route': '/stock' });
      const failing = span(root.spanId, 'client', 'SELECT', { ...DB, 'db.query.text': 'SELECT 1' }, [
        { name: 'exception', time: 1010, attributes: { 'exception.type': 'SqliteError', 'exception.message': 'disk I/O error', 'exception.stacktrace': 'SqliteError: disk I/O error\n    at run (/app/src/db.ts:3:9)' } },
      ]);
      errors.onSpan(failing);
      errors.onSpan(root);
      errors.flush();
      const { errorGroup } = insightsEvidence(errors, undefined);
      const group = errorGroup!(failing);
      const listed = errors.groups.list().groups[0]!;
      expect(group).toEqual({ fingerprint: listed.fingerprint, type: 'SqliteError', message: listed.title });
      expect(errorGroup!(root)).toBeUndefined(); // no exception of its own
    } finally {
      errors.close();
    }
  });

  it("gives a trace's N+1 findings from the queries package", () => {
    const feed = createQueryFeed(new SpanStore(), {});
    try {
      const root = span(undefined, 'server', 'GET /products', { 'http.request.method': 'GET', 'http.route': '/products' });
      const spans = [root, ...Array.from({ length: 12 }, (_, i) => span(root.spanId, 'client', 'SELECT', { ...DB, 'db.query.text': `SELECT SUM(quantity) FROM stock WHERE product_id = ${i}` }))];
      const found = insightsEvidence(undefined, feed).findings!(spans);
      expect(found).toEqual([expect.objectContaining({ kind: 'n+1', service: 'inventory', count: 12, statement: 'select sum(quantity) from stock where product_id = ?' })]);
    } finally {
      feed.close();
    }
  });
});
