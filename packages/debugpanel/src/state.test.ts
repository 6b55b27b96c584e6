/** The panel's state files: token, sessions and audit log under dataDir, 0700 folders and 0600 files. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from './audit.js';
import { SessionStore } from './sessions.js';
import { createPrivateFileOnce, fileSafeName } from './state-files.js';
import { resolveToken, tokenId } from './tokens.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'dp-state-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const mode = (p: string) => statSync(p).mode & 0o777;

describe('resolveToken', () => {
  it('generates a token of 43 URL-safe characters once, keeps it 0600 in {dataDir}/token, and reads it back', () => {
    const dir = path.join(tmp(), 'data');
    const warn: string[] = [];
    const first = resolveToken(undefined, dir, (m) => warn.push(m));
    expect(first.source).toBe('generated');
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(path.join(dir, 'token'), 'utf8')).toBe(first.token + '\n');
    expect(mode(path.join(dir, 'token'))).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(resolveToken(undefined, dir, (m) => warn.push(m))).toEqual({ token: first.token, source: 'file' });
    expect(warn).toEqual([]);
  });

  it('prefers the configured token and writes nothing', () => {
    const dir = path.join(tmp(), 'data');
    expect(resolveToken('configured-token-0123456789', dir, () => {})).toEqual({ token: 'configured-token-0123456789', source: 'option' });
    expect(() => statSync(dir)).toThrow();
  });

  it('uses a token for this run only without a dataDir, or when the file is unusable (and says so)', () => {
    expect(resolveToken(undefined, undefined, () => {}).source).toBe('memory');
    const dir = tmp();
    writeFileSync(path.join(dir, 'token'), 'short\n');
    const warn: string[] = [];
    const r = resolveToken(undefined, dir, (m) => warn.push(m));
    expect(r.source).toBe('memory');
    expect(r.token).not.toBe('short');
    expect(warn[0]).toMatch(/does not hold a usable token/);
  });

  it('createPrivateFileOnce keeps the first writer\'s content (several services starting at once)', () => {
    const file = path.join(tmp(), 'once');
    expect(createPrivateFileOnce(file, 'first')).toBe('first');
    expect(createPrivateFileOnce(file, 'second')).toBe('first');
  });

  it('fileSafeName makes one safe path segment of a service name', () => {
    expect(fileSafeName('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(fileSafeName('orders')).toBe('orders');
    expect(fileSafeName('')).toBe('app');
  });
});

describe('SessionStore', () => {
  const ids = new Set([tokenId('tok-a'), tokenId('tok-b')]);

  it('persists hashed session ids (0600) so a restart keeps logins, and drops those of tokens no longer valid', async () => {
    const file = path.join(tmp(), 'sessions', 'svc.json');
    const a = new SessionStore({ file, validTokenIds: ids });
    const one = a.create('debugger', tokenId('tok-a'));
    const two = a.create('viewer', tokenId('tok-b'));
    await a.flush();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(one.id);
    expect(mode(file)).toBe(0o600);
    const b = new SessionStore({ file, validTokenIds: ids });
    expect(b.get(one.id)).toMatchObject({ role: 'debugger' });
    expect(b.get(two.id)).toMatchObject({ role: 'viewer' });
    const c = new SessionStore({ file, validTokenIds: new Set([tokenId('tok-a')]) });
    expect(c.get(two.id)).toBeUndefined();
    expect(c.size).toBe(1);
  });

  it('is bounded: past max the least recently used session ends, counted', () => {
    const s = new SessionStore({ validTokenIds: ids, max: 2 });
    const a = s.create('debugger', tokenId('tok-a'));
    const b = s.create('debugger', tokenId('tok-a'));
    expect(s.get(a.id)).toBeDefined(); // a is now the most recent
    s.create('debugger', tokenId('tok-a'));
    expect(s.size).toBe(2);
    expect(s.dropped).toBe(1);
    expect(s.get(b.id)).toBeUndefined();
    expect(s.get(a.id)).toBeDefined();
    expect(s.get('not a session id')).toBeUndefined();
  });
});

describe('AuditLog', () => {
  const entry = (i: number) => ({ action: 'POST /api/breakpoints', target: `/api/breakpoints/${i}`, role: 'debugger' as const, tokenId: 'abcd1234', via: 'bearer' as const, ip: '127.0.0.1', status: 201 });

  it('keeps the newest entries in a bounded ring with a dropped count, and lists after a seq', () => {
    const log = new AuditLog({ capacity: 3 });
    for (let i = 1; i <= 5; i++) log.record(entry(i));
    expect(log.list().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(log.list(4).map((e) => e.seq)).toEqual([5]);
    expect(log.list(0, 1).map((e) => e.seq)).toEqual([5]);
    expect(log.droppedSinceStart).toBe(2);
  });

  it('appends JSONL (0600 in a 0700 folder), reads the tail back at start, and rotates past its size', async () => {
    const dir = path.join(tmp(), 'audit');
    const file = path.join(dir, 'svc.jsonl');
    const log = new AuditLog({ file, maxFileBytes: 2000 });
    for (let i = 1; i <= 30; i++) log.record(entry(i));
    await log.flush();
    expect(mode(file)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(log.written).toBe(30);
    const again = new AuditLog({ file, capacity: 1000, maxFileBytes: 2000 });
    expect(again.list().length).toBeGreaterThan(0);
    expect(again.list().at(-1)!.seq).toBe(30);
    expect(again.record(entry(31)).seq).toBe(31);
    await again.flush();
    // Entries past 2,000 bytes went to a rotated file.
    expect(log.rotations + again.rotations).toBeGreaterThan(0);
    expect(statSync(file + '.1').size).toBeGreaterThan(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number });
    expect(lines.at(-1)!.seq).toBe(31);
  });

  it('skips a torn last line after a crash', () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'a'));
    const file = path.join(dir, 'a', 'x.jsonl');
    writeFileSync(file, JSON.stringify({ seq: 7, at: 1, action: 'x', target: 'y', role: 'debugger', tokenId: 't', via: 'bearer', ip: '', status: 200 }) + '\n{"seq":8,"at');
    const log = new AuditLog({ file });
    expect(log.list().map((e) => e.seq)).toEqual([7]);
    expect(log.record(entry(1)).seq).toBe(8);
  });
});
