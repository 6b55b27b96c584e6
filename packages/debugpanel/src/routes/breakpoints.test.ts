import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redactor } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakpointRoutes } from './breakpoints.js';
import { makeAppRoot, serveFeature } from './test-helpers.js';

// The breakpoint routes served by a bare node:http server over a throw-away app root (auth and
// same-origin checks of the panel are tested in panel.test.ts and security.test.ts).
const appRoot = makeAppRoot('dp-bp-routes-');
const root = appRoot.root;

let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  // The panel's redactor, with an extra key the app's locals use.
  ({ base, close } = await serveFeature(() => breakpointRoutes(root, undefined, undefined, new Redactor(['unit'])), {}));
});
afterAll(async () => {
  await close();
  appRoot.remove();
});

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any });
const post = (body: unknown, type = 'application/json') =>
  fetch(`${base}/api/breakpoints`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('breakpoint routes', () => {
  it('sets a breakpoint, captures a snapshot on the next call, lists, serves and deletes it', async () => {
    const load = createRequire(import.meta.url)(appRoot.loader) as (u: string) => Promise<any>;
    const created = await json(await post({ file: 'src/app.mjs', line: 3, watch: ['qty + 1'] }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ file: path.join(root, 'src', 'app.mjs'), line: 3, state: 'pending', kind: 'snapshot' });
    const app = await load(pathToFileURL(path.join(root, 'src', 'app.mjs')).href);
    expect(app.price(3, 4)).toBe(12);

    const list = await json(await fetch(`${base}/api/breakpoints`));
    expect(list.body.breakpoints).toMatchObject([{ id: created.body.id, state: 'hit', hits: 1 }]);
    expect(list.body.stats).toMatchObject({ available: true, debuggerEnabled: false });

    const snaps = await json(await fetch(`${base}/api/snapshots?breakpointId=${created.body.id}`));
    expect(snaps.body.snapshots).toHaveLength(1);
    const snap = snaps.body.snapshots[0];
    expect(snap.watches).toMatchObject([{ expression: 'qty + 1', value: { name: 'qty + 1', type: 'number', value: 4 } }]);
    const one = await json(await fetch(`${base}/api/snapshots/${snap.id}`));
    expect(one.body.frames[0].scopes[0].variables.find((v: any) => v.name === 'total').value).toBe(12);
    expect(one.body.frames[0].scopes[0].variables.find((v: any) => v.name === 'unit')).toMatchObject({ value: '[REDACTED]', note: 'redacted' });
    expect((await fetch(`${base}/api/snapshots/nope`)).status).toBe(404);
    expect((await json(await fetch(`${base}/api/snapshots?traceId=abc`))).body.snapshots).toEqual([]);

    expect((await fetch(`${base}/api/breakpoints/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${base}/api/breakpoints/${created.body.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('serves logpoint output', async () => {
    const load = createRequire(import.meta.url)(appRoot.loader) as (u: string) => Promise<any>;
    const app = await load(pathToFileURL(path.join(root, 'src', 'app.mjs')).href);
    const created = await json(await post({ file: 'src/app.mjs', line: 3, message: 'total={total}' }));
    expect(created.body).toMatchObject({ kind: 'logpoint', state: 'active' });
    app.price(2, 5);
    const logs = await json(await fetch(`${base}/api/logpoints?breakpointId=${created.body.id}`));
    expect(logs.body.logs.map((l: any) => l.message)).toEqual(['total=10']);
    expect((await json(await fetch(`${base}/api/logpoints?after=${logs.body.logs[0].seq}`))).body.logs).toEqual([]);
    expect((await fetch(`${base}/api/logpoints?after=x`)).status).toBe(400);
    await fetch(`${base}/api/breakpoints/${created.body.id}`, { method: 'DELETE' });
  });

  it.each([
    [{ file: '../../etc/passwd', line: 1 }, 400, /^file must be a source file .* under the app's root/],
    [{ file: '/etc/passwd', line: 1 }, 400, /^file must be a source file .* under the app's root/],
    [{ file: 'src/missing.ts', line: 1 }, 400, /file not found: /],
    [{ file: 'src/app.mjs', line: 99 }, 400, /line must be an integer from 1 to 5/],
    [{ file: 'src/app.mjs', line: 2, condition: 'qty = 0' }, 400, /assigns a value/],
    [{ file: 'src/app.mjs', line: 2, condition: "({get: eval}).get('for(;;){}')" }, 400, /object literals/],
    [{ file: 'src/app.mjs', line: 2, condition: 'qty >' }, 400, /syntax error/],
    [[1], 400, /send an object/],
    ['{"file":', 400, /not JSON/],
  ])('refuses %j with %i', async (body, status, msg) => {
    const res = await json(await post(body));
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(msg);
  });

  it('says nothing of a file it would not break in: .env gets the same answer at any line', async () => {
    const answers = await Promise.all([1, 2, 99].map(async (line) => json(await post({ file: '.env', line }))));
    for (const a of answers) expect(a).toEqual({ status: 400, body: { error: expect.stringMatching(/^file must be a source file/) } });
    expect(new Set(answers.map((a) => a.body.error)).size).toBe(1);
    expect(answers[0]!.body.error).not.toMatch(/line|length/);
    expect(await json(await post({ file: 'src/notes.txt', line: 99 }))).toEqual({ status: 400, body: { error: answers[0]!.body.error.replace('".env"', '"src/notes.txt"') } });
  });

  it('refuses a non-JSON content type with 415', async () => {
    expect((await post('{}', 'text/plain')).status).toBe(415);
  });

  it('creates no agent until first use, unless saved breakpoints wait; reports its counters', () => {
    const fresh = realpathSync(mkdtempSync(path.join(tmpdir(), 'dp-bp-fresh-')));
    let read: (() => unknown) | undefined;
    breakpointRoutes(fresh, path.join(fresh, '.debugpanel'), (s) => (read = s));
    expect(read!()).toBeUndefined(); // nothing spent, nothing to report
    mkdirSync(path.join(fresh, '.debugpanel'));
    writeFileSync(path.join(fresh, '.debugpanel', 'breakpoints.json'), JSON.stringify({ version: 1, breakpoints: [], snapshots: [] }));
    breakpointRoutes(fresh, path.join(fresh, '.debugpanel'), (s) => (read = s));
    expect(read!()).toMatchObject({ available: true, hits: 0, armed: 0 });
    rmSync(fresh, { recursive: true, force: true });
  });

  it('lists the app sources without node_modules, hidden files or non-sources', async () => {
    const res = await json(await fetch(`${base}/api/sources`));
    // load.cjs was required by the tests above (it is in require.cache): this process runs it.
    // src/app.mjs was imported through it, which a static walk from CommonJS does not see.
    expect(res.body).toEqual({
      root, files: ['load.cjs', 'src/app.mjs'], entries: [{ path: 'load.cjs', services: ['app'] }, { path: 'src/app.mjs', services: [] }], services: ['app'], waiting: [], hidden: 0, truncated: false,
    });
  });

  it('serves one source file and refuses traversal, hidden and non-source files', async () => {
    const ok = await json(await fetch(`${base}/api/sources/file?path=src/app.mjs`));
    expect(ok.body).toMatchObject({ path: 'src/app.mjs', lines: 5 });
    expect(ok.body.text).toContain('const total = qty * unit;');
    for (const p of ['../../etc/passwd', '/etc/passwd', 'src/../../x.js', '.env', 'src/notes.txt', '']) {
      const res = await fetch(`${base}/api/sources/file?path=${encodeURIComponent(p)}`);
      expect(res.status, p).toBe(400);
    }
    expect((await fetch(`${base}/api/sources/file?path=src/none.ts`)).status).toBe(404);
  });
});
