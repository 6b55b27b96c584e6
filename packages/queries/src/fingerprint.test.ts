import { describe, expect, it } from 'vitest';
import { computeFingerprint, fingerprint, fingerprintCacheStats, maskLiterals, setFingerprintCacheSize } from './fingerprint.js';
import { MAX_SCAN_LENGTH } from './sql-scan.js';

const text = (sql: string) => computeFingerprint(sql).text;

describe('fingerprint', () => {
  // [statement, normalised text]: every row is one rule of the README's table
  const table: Array<[string, string]> = [
    ["SELECT * FROM stock WHERE sku = 'a1'", 'select * from stock where sku = ?'],
    ['select *  from stock where sku=$1', 'select * from stock where sku = ?'],
    ['SELECT * FROM stock WHERE sku = ?', 'select * from stock where sku = ?'],
    ['SELECT * FROM stock WHERE sku = :sku', 'select * from stock where sku = ?'],
    ['SELECT * FROM stock\n\tWHERE sku = %s', 'select * from stock where sku = ?'],
    // comments
    ["SELECT * FROM stock -- by sku\nWHERE sku = 'x' /* inline */", 'select * from stock where sku = ?'],
    ["/* traceparent='00-ab' */ SELECT 1", 'select ?'],
    // quoted identifiers
    ['SELECT "id" FROM "public"."Stock" WHERE "sku" = $1', 'select id from public.stock where sku = ?'],
    ['SELECT `id` FROM `shop`.`stock` WHERE `sku` = ?', 'select id from shop.stock where sku = ?'],
    ['SELECT "a""b" FROM t', 'select a"b from t'],
    // numbers, signs, hex, exponents
    ['SELECT * FROM t WHERE a = 1 AND b = -2.5 AND c = 1e-3 AND d = 0xFF', 'select * from t where a = ? and b = ? and c = ? and d = ?'],
    ['SELECT a - 1 FROM t', 'select a - ? from t'],
    ['SELECT col1 FROM t2', 'select col1 from t2'],
    // strings of every form
    ["SELECT 'it''s', E'a\\'b', N'x', X'0f', $$dollar ' quoted$$, $tag$x$tag$", 'select ?, ?, ?, ?, ?, ?'],
    // IN lists of any length
    ['SELECT * FROM t WHERE id IN (1)', 'select * from t where id in (?+)'],
    ['SELECT * FROM t WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)', 'select * from t where id in (?+)'],
    ['SELECT * FROM t WHERE id IN ($1, $2, $3)', 'select * from t where id in (?+)'],
    ["SELECT * FROM t WHERE id in ('a','b')", 'select * from t where id in (?+)'],
    ['SELECT * FROM t WHERE id IN (SELECT id FROM u)', 'select * from t where id in (select id from u)'],
    // VALUES rows
    ["INSERT INTO t (a, b) VALUES (1, 'x')", 'insert into t (a, b) values (?+)'],
    ["INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", 'insert into t (a, b) values (?+)'],
    ['INSERT INTO t(a,b) VALUES ($1, $2), ($3, $4)', 'insert into t (a, b) values (?+)'],
    // casts
    ["SELECT '5'::int, $1::text, CAST(? AS bigint)", 'select ?::int, ?::text, cast(? as bigint)'],
    ['SELECT * FROM t WHERE a = ANY($1::int[])', 'select * from t where a = any(?::int[])'],
    ['SELECT * FROM t WHERE a = ANY(ARRAY[1, 2, 3])', 'select * from t where a = any(array[?+])'],
    // functions and qualified names
    ['SELECT COUNT(*) FROM orders o JOIN items i ON i.order_id = o.id', 'select count(*) from orders o join items i on i.order_id = o.id'],
    // a trailing semicolon
    ['SELECT 1;', 'select ?'],
    // words beyond ASCII are lower-cased too (the general way); keywords next to them still count
    ['SELECT "Größe", Straße FROM "Lager"."Bestände" WHERE Ort IN (1, 2)', 'select größe, straße from lager.bestände where ort in (?+)'],
    ['SELECT "A""É" FROM T', 'select a"é from t'],
  ];
  it.each(table)('%s', (sql, expected) => {
    expect(text(sql)).toBe(expected);
  });

  it('gives equal ids to equal texts and different ids to different ones', () => {
    expect(computeFingerprint("SELECT * FROM stock WHERE sku = 'a1'").id).toBe(computeFingerprint("select * from STOCK where sku = 'b2'").id);
    expect(computeFingerprint('SELECT a FROM t').id).not.toBe(computeFingerprint('SELECT b FROM t').id);
    expect(computeFingerprint('SELECT a FROM t').id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('names the operation and the first table', () => {
    expect(computeFingerprint('UPDATE stock SET q = 1 WHERE id = 2')).toMatchObject({ operation: 'UPDATE', collection: 'stock' });
    expect(computeFingerprint('insert into "Orders" (a) values (1)')).toMatchObject({ operation: 'INSERT', collection: 'Orders' });
    expect(computeFingerprint('DELETE FROM public.users WHERE id = 1')).toMatchObject({ operation: 'DELETE', collection: 'public.users' });
    expect(computeFingerprint('WITH r AS (SELECT * FROM orders) SELECT * FROM r')).toMatchObject({ operation: 'SELECT', collection: 'orders' });
    expect(computeFingerprint('CREATE TABLE IF NOT EXISTS t (a int)')).toMatchObject({ operation: 'CREATE', collection: 't' });
    expect(computeFingerprint('')).toEqual({ id: expect.any(String), text: '' });
  });

  it('survives unterminated literals, comments and odd bytes', () => {
    expect(text("SELECT 'open")).toBe('select ?');
    expect(text('SELECT 1 /* open')).toBe('select ?');
    expect(text('SELECT "open')).toBe('select open');
    expect(text('SELECT ¤ FROM ünïcode')).toBe('select ¤ from ünïcode');
    expect(() => computeFingerprint('\u0000\uffff(((')).not.toThrow();
  });

  it('reads at most MAX_SCAN_LENGTH characters of a huge statement', () => {
    const huge = `SELECT * FROM t WHERE id IN (${Array.from({ length: 20_000 }, (_, i) => i).join(', ')})`;
    expect(huge.length).toBeGreaterThan(MAX_SCAN_LENGTH);
    expect(text(huge).length).toBeLessThan(MAX_SCAN_LENGTH);
  });

  it('caches by text in a bounded LRU', () => {
    setFingerprintCacheSize(2);
    const before = fingerprintCacheStats();
    fingerprint('SELECT 1');
    fingerprint('SELECT 1');
    fingerprint('SELECT 2');
    fingerprint('SELECT 3');
    const after = fingerprintCacheStats();
    expect(after.hits - before.hits).toBe(1);
    expect(after.misses - before.misses).toBe(3);
    expect(after.evicted).toBe(1);
    expect(after.size).toBe(2);
    setFingerprintCacheSize(2_000);
  });
});

describe('maskLiterals', () => {
  it('replaces string and number literals and keeps the rest as written', () => {
    expect(maskLiterals("SELECT * FROM users WHERE email = 'ada@example.com' AND age > 30")).toBe('SELECT * FROM users WHERE email = ? AND age > ?');
    expect(maskLiterals('SELECT * FROM t WHERE a = $1 AND b = ? -- keep')).toBe('SELECT * FROM t WHERE a = $1 AND b = ? -- keep');
    expect(maskLiterals("INSERT INTO t VALUES (E'x\\'y', $$z$$, 0x1f)")).toBe('INSERT INTO t VALUES (?, ?, ?)');
    expect(maskLiterals('SELECT col1 FROM t2')).toBe('SELECT col1 FROM t2');
  });

  it('masks a literal cut in the middle', () => {
    expect(maskLiterals("SELECT 'secret-tok")).toBe('SELECT ?');
  });
});
