/**
 * Watching the process's errors must not change what Node does with them: each scenario runs in a
 * child process twice, without and with `watchProcessErrors`, and both runs must exit with the same
 * code and print the same stderr; the watched run must also have seen the error, once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { unhandledRejectionsMode } from './process-errors.js';

const dist = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js')).href;
const dir = mkdtempSync(path.join(tmpdir(), 'dp-process-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function run(scenario: string, flags: string[] = []) {
  const script = path.join(dir, `s${++n}.mjs`);
  const out = path.join(dir, `s${n}.jsonl`);
  writeFileSync(script, `import { appendFileSync } from 'node:fs';
if (process.env.WATCH === '1') {
  const { watchProcessErrors } = await import(${JSON.stringify(dist)});
  watchProcessErrors((e, source) => {
    appendFileSync(${JSON.stringify(out)}, JSON.stringify({ source, message: String(e && e.message || e) }) + '\\n');
    if (process.env.THROW === '1') throw new Error('the watcher failed');
  });
}
setTimeout(() => {
${scenario}
}, 5);
`);
  const once = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, [...flags, script], { env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8', timeout: 15_000 });
    return { status: r.status, stderr: r.stderr.replace(/\(node:\d+\)/g, '(node:PID)'), stdout: r.stdout };
  };
  const plain = once({ WATCH: '0' });
  const watched = once({ WATCH: '1' });
  const seen = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { source: string; message: string }) : [];
  const failing = once({ WATCH: '1', THROW: '1' });
  return { plain, watched, failing, seen };
}

describe('watchProcessErrors changes nothing Node does', () => {
  it.each<[string, string, string[], number, Array<{ source: string; message: unknown }>]>([
    ['an uncaught exception crashes as before', `throw new TypeError('boom');`, [], 1, [{ source: 'uncaught', message: 'boom' }]],
    ['an unhandled rejection (default mode) crashes as before', `Promise.reject(new Error('nope'));`, [], 1, [{ source: 'rejection', message: 'nope' }]],
    ['a rejection with a non-error reason', `Promise.reject('just a string');`, [], 1, [
      // Node raises it wrapped (ERR_UNHANDLED_REJECTION); that error is what the monitor sees
      { source: 'rejection', message: expect.stringContaining('The promise rejected with the reason "just a string"') },
    ]],
    ['the app\'s own unhandledRejection listener keeps the process alive', `process.on('unhandledRejection', () => console.log('app handled it'));
Promise.reject(new Error('handled'));`, [], 0, [{ source: 'rejection', message: 'handled' }]],
    ['a listener the app added and removed again: the rejection crashes', `const l = () => {}; process.on('unhandledRejection', l); process.off('unhandledRejection', l);
Promise.reject(new Error('after removal'));`, [], 1, [{ source: 'rejection', message: 'after removal' }]],
    ['removeAllListeners does not leave ours behind', `process.on('unhandledRejection', () => {}); process.removeAllListeners('unhandledRejection');
Promise.reject(new Error('after removeAll'));`, [], 1, [{ source: 'rejection', message: 'after removeAll' }]],
    ['the app\'s uncaughtException handler keeps the process alive', `process.on('uncaughtException', (e) => console.log('app caught', e.message));
throw new Error('survived');`, [], 0, [{ source: 'uncaught', message: 'survived' }]],
    ['--unhandled-rejections=warn: a warning, no crash', `Promise.reject(new Error('warned'));`, ['--unhandled-rejections=warn'], 0, [{ source: 'rejection', message: 'warned' }]],
    // not seen: a listener would change the exit code, and Node raises no uncaught exception
    ['--unhandled-rejections=warn-with-error-code: exit code 1 (not seen)', `Promise.reject(new Error('coded'));`, ['--unhandled-rejections=warn-with-error-code'], 1, []],
    ['--unhandled-rejections=strict: a crash, seen once', `Promise.reject(new Error('strict'));`, ['--unhandled-rejections=strict'], 1, [{ source: 'rejection', message: 'strict' }]],
    ['--unhandled-rejections=none: silence', `Promise.reject(new Error('silent'));`, ['--unhandled-rejections=none'], 0, [{ source: 'rejection', message: 'silent' }]],
  ])('%s', (_name, scenario, flags, status, seen) => {
    const r = run(scenario, flags);
    expect(r.plain.status).toBe(status);
    expect(r.watched.status).toBe(status);
    expect(r.watched.stderr).toBe(r.plain.stderr);
    expect(r.watched.stdout).toBe(r.plain.stdout);
    expect(r.seen).toEqual(seen);
    // a watcher that throws changes nothing either
    expect(r.failing.status).toBe(status);
    expect(r.failing.stderr).toBe(r.plain.stderr);
  });
});

describe('unhandledRejectionsMode', () => {
  it('reads the flag from the command line, then NODE_OPTIONS, else throw', () => {
    expect(unhandledRejectionsMode([], '')).toBe('throw');
    expect(unhandledRejectionsMode(['--unhandled-rejections=warn'], '')).toBe('warn');
    expect(unhandledRejectionsMode([], '--max-old-space-size=100 --unhandled-rejections=none')).toBe('none');
    expect(unhandledRejectionsMode(['--unhandled-rejections', 'strict'], '--unhandled-rejections=warn')).toBe('strict');
  });
});
