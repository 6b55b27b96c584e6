import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprint, fromError, MAX_CHAIN, type ExceptionInfo } from './fingerprint.js';

class NotFoundError extends Error {}

function loadOrder(id: string): never {
  throw new NotFoundError(`order ${id} not found`);
}
function loadInvoice(id: string): never {
  throw new NotFoundError(`order ${id} not found`); // same message, another function
}
function caught(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}
const fp = (e: unknown) => fingerprint(fromError(e)).fingerprint;

/** A V8 stack with the given `fn file:line:col` frames. */
const stack = (head: string, ...frames: string[]) => [head, ...frames.map((f) => `    at ${f}`)].join('\n');

describe('fingerprint: the grouping table', () => {
  it('50 throws from one place with 50 different ids make one group (per kind of id)', () => {
    const kinds: Record<string, string[]> = {
      numbers: Array.from({ length: 50 }, (_, i) => String(7 + i * 104_729 ** (i % 3))), // 1 to 12 digits
      uuids: Array.from({ length: 50 }, () => randomUUID()),
      emails: Array.from({ length: 50 }, (_, i) => `user.${i}+tag@example${i % 3}.com`),
      hexIds: Array.from({ length: 50 }, (_, i) => (0x5f3a9c0e12 + i * 7919).toString(16)),
      quoted: Array.from({ length: 50 }, (_, i) => `"sku-${i}-${'x'.repeat(i)}"`),
    };
    const all = new Set<string>();
    for (const [kind, ids] of Object.entries(kinds)) {
      expect(new Set(ids).size, kind).toBe(50);
      const prints = new Set(ids.map((id) => fp(caught(() => loadOrder(id)))));
      expect(prints.size, kind).toBe(1);
      all.add([...prints][0]!);
    }
    // each kind of id is its own message shape (`order <uuid> not found`), as Sentry's are
    expect(all.size).toBe(5);
  });

  it('the same message thrown from two functions makes two groups', () => {
    expect(fp(caught(() => loadOrder('1')))).not.toBe(fp(caught(() => loadInvoice('1'))));
  });

  it('line and column numbers do not count; function and module do', () => {
    const a = stack('TypeError: x', 'price (/srv/app/src/pricing.ts:10:5)', 'handler (/srv/app/src/routes.ts:40:3)');
    const moved = stack('TypeError: x', 'price (/srv/app/src/pricing.ts:12:9)', 'handler (/srv/app/src/routes.ts:47:1)');
    const otherFn = stack('TypeError: x', 'total (/srv/app/src/pricing.ts:10:5)', 'handler (/srv/app/src/routes.ts:40:3)');
    const otherFile = stack('TypeError: x', 'price (/srv/app/src/tax.ts:10:5)', 'handler (/srv/app/src/routes.ts:40:3)');
    const f = (s: string) => fingerprint({ type: 'TypeError', message: 'x', stack: s }).fingerprint;
    expect(f(moved)).toBe(f(a));
    expect(f(otherFn)).not.toBe(f(a));
    expect(f(otherFile)).not.toBe(f(a));
  });

  it('the type counts, and so does the message shape', () => {
    const s = stack('E', 'price (/srv/app/src/pricing.ts:10:5)');
    const f = (type: string, message: string) => fingerprint({ type, message, stack: s }).fingerprint;
    expect(f('TypeError', 'order 1 missing')).toBe(f('TypeError', 'order 2 missing'));
    expect(f('RangeError', 'order 1 missing')).not.toBe(f('TypeError', 'order 1 missing'));
    expect(f('TypeError', 'order 1 missing')).not.toBe(f('TypeError', 'order 1 cancelled'));
  });

  it('the same build, deployed elsewhere (another root, .ts or built .js), groups together', () => {
    const here = stack('E: x', 'price (/home/ada/shop/dist/pricing.js:10:5)');
    const there = stack('E: x', 'price (file:///srv/prod/shop/dist/pricing.js:99:1)');
    const f = (s: string) => fingerprint({ type: 'E', message: 'x', stack: s }).fingerprint;
    expect(f(there)).toBe(f(here));
  });

  it('library and runtime frames do not count: only in-app frames do', () => {
    const viaUndici = stack(
      'TypeError: fetch failed',
      'node:internal/deps/undici/undici:13510:13',
      'processTicksAndRejections (node:internal/process/task_queues:105:5)',
      'getStock (/srv/app/src/stock.ts:8:3)',
    );
    const viaOtherLib = stack(
      'TypeError: fetch failed',
      'request (/srv/app/node_modules/got/dist/index.js:1:2)',
      'getStock (/srv/app/src/stock.ts:8:3)',
    );
    const otherCaller = stack('TypeError: fetch failed', 'node:internal/deps/undici/undici:13510:13', 'getPrices (/srv/app/src/prices.ts:3:3)');
    const f = (s: string) => fingerprint({ type: 'TypeError', message: 'fetch failed', stack: s }).fingerprint;
    expect(f(viaOtherLib)).toBe(f(viaUndici));
    expect(f(otherCaller)).not.toBe(f(viaUndici));
  });

  it('with no in-app frame: type and normalised message (not one group per type)', () => {
    const onlyLib = (lib: string) => stack('Error: connect ECONNREFUSED 10.0.0.1:5432', `connect (/srv/app/node_modules/${lib}/index.js:1:1)`, 'node:net:1:1');
    const f = (message: string, s?: string) => fingerprint(s === undefined ? { type: 'Error', message } : { type: 'Error', message, stack: s }).fingerprint;
    expect(f('connect ECONNREFUSED 10.0.0.1:5432', onlyLib('pg'))).toBe(f('connect ECONNREFUSED 10.0.0.2:5432', onlyLib('mysql2')));
    expect(f('connect ECONNREFUSED 10.0.0.1:5432', onlyLib('pg'))).toBe(f('connect ECONNREFUSED 10.0.0.9:5432'));
    expect(f('connect ECONNREFUSED 10.0.0.1:5432')).not.toBe(f('getaddrinfo ENOTFOUND db.internal'));
  });

  it('errors with no stack at all group by type and message shape', () => {
    const f = (e: ExceptionInfo) => fingerprint(e).fingerprint;
    expect(f({ type: 'HttpError', message: 'orders failed: 500' })).toBe(f({ type: 'HttpError', message: 'orders failed: 503' }));
    expect(f({ type: 'HttpError', message: 'orders failed: 500' })).not.toBe(f({ type: 'HttpError', message: 'inventory failed: 500' }));
    // thrown non-errors
    expect(fp('boom 1')).toBe(fp('boom 2'));
    expect(fingerprint(fromError('boom')).chain[0]).toMatchObject({ type: 'string', message: 'boom', frames: [] });
    expect(fingerprint(fromError(undefined)).chain[0]).toMatchObject({ type: 'undefined', message: 'undefined' });
  });

  it('the whole cause chain counts: the same wrapper around two different causes makes two groups', () => {
    const wrap = (cause: unknown) => caught(() => {
      throw new Error('checkout failed', { cause });
    });
    const dbDown = (host: string) => caught(() => {
      throw new Error(`connect ECONNREFUSED ${host}`);
    });
    const badInput = caught(() => {
      throw new TypeError('price is undefined');
    });
    expect(fp(wrap(dbDown('10.0.0.1')))).toBe(fp(wrap(dbDown('10.0.0.2'))));
    expect(fp(wrap(dbDown('10.0.0.1')))).not.toBe(fp(wrap(badInput)));
    expect(fp(wrap(badInput))).not.toBe(fp(badInput));
    const chain = fingerprint(fromError(wrap(badInput))).chain;
    expect(chain.map((l) => l.type)).toEqual(['Error', 'TypeError']);
  });

  it('a cause cycle or a very long chain ends; throwing getters do not throw', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(fingerprint(fromError(a)).chain.map((l) => l.message)).toEqual(['a', 'b']);
    let deep: Error = new Error('root');
    for (let i = 0; i < 20; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(fingerprint(fromError(deep)).chain).toHaveLength(MAX_CHAIN);
    const hostile = Object.defineProperty(new Error('x'), 'cause', { get() { throw new Error('no'); } });
    expect(fromError(hostile)).toMatchObject({ type: 'Error', message: 'x' });
    const proxy = new Proxy({}, { get() { throw new Error('trap'); } });
    expect(fromError(proxy).type).toBe('Error');
  });

  it('minified bundles: function names (the minifier chose them) and content hashes do not count', () => {
    const build1 = stack('TypeError: e is undefined', 't (https://shop.example/assets/app-3f9a1c2d.js:1:2041)', 'e (https://shop.example/assets/app-3f9a1c2d.js:1:880)');
    const build2 = stack('TypeError: e is undefined', 'n (https://shop.example/assets/app-9b0c77e1.js:1:2301)', 'r (https://shop.example/assets/app-9b0c77e1.js:1:912)');
    const f = (s: string) => fingerprint({ type: 'TypeError', message: 'e is undefined', stack: s }).fingerprint;
    expect(f(build2)).toBe(f(build1));
    const min = (fn: string) => stack('E: x', `${fn} (/srv/app/public/vendor.min.js:1:1)`);
    expect(f(min('a'))).toBe(f(min('b')));
  });

  it('anonymous frames count by module; async, new and [as alias] are the same function', () => {
    const f = (...frames: string[]) => fingerprint({ type: 'E', message: 'x', stack: stack('E: x', ...frames) }).fingerprint;
    expect(f('/srv/app/src/a.ts:1:1')).toBe(f('/srv/app/src/a.ts:9:9'));
    expect(f('/srv/app/src/a.ts:1:1')).toBe(f('<anonymous> (/srv/app/src/a.ts:5:5)'));
    expect(f('/srv/app/src/a.ts:1:1')).not.toBe(f('/srv/app/src/b.ts:1:1'));
    expect(f('async load (/srv/app/src/a.ts:1:1)')).toBe(f('load (/srv/app/src/a.ts:2:2)'));
    expect(f('Store.load [as get] (/srv/app/src/a.ts:1:1)')).toBe(f('Store.load (/srv/app/src/a.ts:1:1)'));
    expect(f('new Store (/srv/app/src/a.ts:1:1)')).toBe(f('Store (/srv/app/src/a.ts:1:1)'));
  });

  it('only the top in-app frames count: two deep callers of one failing function group together', () => {
    const inner = ['parse (/srv/app/src/p.ts:1:1)', 'a (/srv/app/src/p.ts:2:1)', 'b (/srv/app/src/p.ts:3:1)', 'c (/srv/app/src/p.ts:4:1)', 'd (/srv/app/src/p.ts:5:1)'];
    const f = (...frames: string[]) => fingerprint({ type: 'E', message: 'x', stack: stack('E: x', ...frames) }).fingerprint;
    expect(f(...inner, 'jobA (/srv/app/src/jobs.ts:1:1)')).toBe(f(...inner, 'jobB (/srv/app/src/jobs.ts:1:1)'));
    expect(f(...inner.slice(0, 4), 'jobA (/srv/app/src/jobs.ts:1:1)')).not.toBe(f(...inner.slice(0, 4), 'jobB (/srv/app/src/jobs.ts:1:1)'));
  });

  it('gives the culprit: the top in-app frame', () => {
    const r = fingerprint(fromError(caught(() => loadOrder('7'))));
    expect(r.culprit).toMatch(/fingerprint\.test loadOrder$/);
    expect(r.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(r.chain[0]).toMatchObject({ type: 'NotFoundError', message: 'order 7 not found', title: 'order <num> not found' });
  });
});
