import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgent } from './agent.js';
import { inspectorSession, type V8Session } from './session.js';

// What the default capture leaves out to keep the pause short (README "What a capture costs"):
// library frames (node_modules) and Node's internal frames are listed, not read; `_` members are
// named, not opened, as is Node's plumbing met as a member (req.socket); the secret walk skips
// class instances. Real inspector, property reads counted.
const nativeImport = createRequire(import.meta.url)('../test-fixtures/native-import.cjs') as (u: string) => Promise<any>;
const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'dp-capture-cost-')));
mkdirSync(path.join(root, 'node_modules', 'lib'), { recursive: true });
writeFileSync(path.join(root, 'node_modules', 'lib', 'index.mjs'), [
  'export function route(fn) {',
  '  const layer = { name: "layer", stack: [1, 2, 3], options: { strict: false } };',
  '  return (x) => fn(x, layer);',
  '}',
].join('\n'));
writeFileSync(path.join(root, 'app.mjs'), [
  "import { route } from './node_modules/lib/index.mjs';",
  'class Socket { constructor() { this.fd = 7; this.peer = { host: "db", port: 5432 }; } }',
  'export const handle = route((qty, layer) => {',
  '  const order = { id: 1, qty, _state: { flowing: true, buffer: [1, 2] }, items: [{ sku: "a" }] };',
  '  const socket = new Socket();',
  '  const req = { method: "GET", socket };',
  '  return order.qty + socket.fd + layer.stack.length; // BP-COST',
  '});',
].join('\n'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function counted(): { session: V8Session; reads: string[] } {
  const base = inspectorSession();
  const reads: string[] = [];
  return {
    reads,
    session: { ...base, post: (m, p) => { if (m === 'Runtime.getProperties') reads.push(String(p?.objectId)); return base.post(m, p); } } as V8Session,
  };
}

describe('the default capture reads only what a snapshot is opened for', () => {
  it('expands the app frame, lists the library frame unread, names _ members unopened', async () => {
    const app = await nativeImport(pathToFileURL(path.join(root, 'app.mjs')).href);
    const { session, reads } = counted();
    const agent = createAgent({ root, dataDir: false }, { session });
    try {
      agent.set({ file: path.join(root, 'app.mjs'), line: 7 });
      reads.length = 0;
      expect(app.handle(2)).toBe(12);
      const snap = agent.snapshots()[0]!;
      const [top, lib] = snap.frames;
      expect(top!.file).toBe(path.join(root, 'app.mjs'));
      const local = top!.scopes!.find((s) => s.type === 'local')!.variables;
      const order = local.find((v) => v.name === 'order')!;
      expect(order.members!.find((m) => m.name === '_state')).toMatchObject({ type: 'object', note: 'internal' });
      expect(order.members!.find((m) => m.name === 'items')!.members).toHaveLength(1);
      // a class instance is still captured (the secret walk skips it, the capture does not)
      expect(local.find((v) => v.name === 'socket')!.members!.map((m) => m.name)).toEqual(['fd', 'peer']);
      // Node's plumbing met as a member (req.socket) is named, not opened; the local holding it is
      const req = local.find((v) => v.name === 'req')!;
      expect(req.members!.find((m) => m.name === 'method')).toMatchObject({ value: 'GET' });
      expect(req.members!.find((m) => m.name === 'socket')).toMatchObject({ type: 'object', value: 'Socket', note: 'internal' });
      expect(req.members!.find((m) => m.name === 'socket')!.members).toBeUndefined();
      expect(lib!.file).toBe(path.join(root, 'node_modules', 'lib', 'index.mjs'));
      expect(lib!.scopes).toBeUndefined();
      // below it: this test's own frame (app code: read)
      const read = snap.frames.filter((f) => f.scopes !== undefined).map((f) => f.file);
      expect(read).toEqual([path.join(root, 'app.mjs'), expect.stringContaining('capture-cost.test.ts')]);
      // the two app frames' scopes and the few objects under them (this test file's module scope is most of it)
      expect(reads.length).toBeLessThanOrEqual(30);
      expect(snap.captureUs).toBeGreaterThan(0);
    } finally {
      await agent.close();
    }
  });
});
