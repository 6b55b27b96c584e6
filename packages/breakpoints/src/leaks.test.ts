import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, lineOf } from '../test-fixtures/compile.js';
import { createBreakpointAgent, type BreakpointAgent } from './index.js';

// Secrets must not reach a snapshot, a watch, a logpoint message or the file on disk, however they
// are reached: by key, by position in req.rawHeaders, by shape, or by an expression that builds
// the key (`req.headers['author' + 'ization']`).
const nativeRequire = createRequire(import.meta.url);
const nativeImport = nativeRequire('../test-fixtures/native-import.cjs') as (u: string) => Promise<any>;
const appFile = path.join(fixtures, 'http-app.mjs');
const line = lineOf('http-app.mjs', 'BP-HANDLER');
const SECRETS = [
  'live-token-abcdef0123', 'cookie-secret-777', 'key-plain-31337', 'hunter2-pwd', 'MIIEvQ', 'c2lnbmF0dXJl', 'sess-0123456789',
  'p4ssw0rd-xyz', 'tok-abcdef123456', 's3cr3t-db', 'user-token-999',
];
const leaked = (text: string) => SECRETS.filter((s) => text.includes(s));

let server: Server;
let url: string;
let agent: BreakpointAgent | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), 'dp-bp-leaks-'));

beforeAll(async () => {
  const app = await nativeImport(pathToFileURL(appFile).href);
  server = createServer((req, res) => app.handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders?api_key=query-secret-42`;
});
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

const call = () =>
  fetch(url, { headers: { authorization: 'Bearer live-token-abcdef0123', cookie: 'sid=cookie-secret-777; theme=dark', 'x-api-key': 'key-plain-31337' } }).then((r) => r.text());

describe('snapshots hold no secrets', () => {
  it('redacts rawHeaders by pair position, locals by key, values by shape and watches that build a secret key', async () => {
    agent = createBreakpointAgent({ dataDir, evalTimeoutMs: 2000 });
    const bp = agent.set({
      file: appFile, line,
      watch: ["req.headers['author' + 'ization']", "req.headers['x-api-' + 'key']", 'req.headers', 'note', 'req.url', 'auth.length'],
    });
    await call();
    const [snap] = agent.snapshots({ breakpointId: bp.id });
    expect(snap).toBeDefined();
    expect(leaked(JSON.stringify(snap))).toEqual([]);
    const locals = snap!.frames[0]!.scopes!.find((s) => s.type === 'local')!.variables;
    const byName = (n: string) => locals.find((v) => v.name === n);
    for (const n of ['auth', 'pwd', 'privateKey', 'jwt', 'sessionId', 'password']) expect(byName(n), n).toMatchObject({ value: '[REDACTED]', note: 'redacted' });
    expect(byName('note')!.value).toBe('sent with Bearer [REDACTED]');
    expect(byName('dbUrl')!.value).toBe('postgres://bob:[REDACTED]@db.example:5432/shop');
    const raw = byName('req')!.members!.find((m) => m.name === 'rawHeaders')!.members!.map((m) => m.value);
    expect(raw).toEqual(expect.arrayContaining(['authorization', 'cookie', 'x-api-key']));
    expect(raw[raw.indexOf('authorization') + 1]).toBe('[REDACTED]');
    expect(raw[raw.indexOf('cookie') + 1]).toBe('[REDACTED]');
    expect(snap!.watches.map((w) => w.value?.value ?? w.error)).toEqual([
      '[REDACTED]', '[REDACTED]', 'Object', 'sent with Bearer [REDACTED]', '/orders?api_key=[REDACTED]', 28,
    ]);
    // And the file on disk: nothing secret, readable by its owner only.
    await agent.flush();
    const file = path.join(dataDir, 'breakpoints.json');
    expect(leaked(readFileSync(file, 'utf8'))).toEqual([]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });
});

describe('logpoint messages hold no secrets', () => {
  it('redacts what a part reads, by key, by shape or because the frame holds it', async () => {
    agent = createBreakpointAgent({ dataDir: false, evalTimeoutMs: 2000 });
    agent.set({
      file: appFile, line,
      message: "a={req.headers.authorization} k={req.headers['x-api-' + 'key']} c={req.headers.cookie} u={dbUrl} o={user} p={password} q={req.url} n={user.name}",
    });
    await call();
    const [log] = agent.logs();
    expect(leaked(log!.message)).toEqual([]);
    expect(log!.message).toBe(
      'a=[REDACTED] k=[REDACTED] c=[REDACTED] u=postgres://bob:[REDACTED]@db.example:5432/shop o={name: "ann", token: [REDACTED]} p=[REDACTED] q=/orders?api_key=[REDACTED] n=ann',
    );
  });

  it('redacts values of secret environment variables read through process.env by any route', async () => {
    process.env.DP_TEST_DB_PASSWORD = 'env-secret-5150';
    try {
      agent = createBreakpointAgent({ dataDir: false, evalTimeoutMs: 2000 });
      agent.set({ file: appFile, line, message: "e={'env-secret-5150'.slice(0, 10) + 'env-secret-5150'.slice(10)}" });
      await call();
      expect(agent.logs()[0]!.message).toBe('e=[REDACTED]');
    } finally {
      delete process.env.DP_TEST_DB_PASSWORD;
    }
  });
});
