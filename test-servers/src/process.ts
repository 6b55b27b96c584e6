/**
 * What both database servers need: a private temporary directory the server's own account can
 * write, a free loopback port, a child process started as that unprivileged account (initdb and
 * mariadbd refuse to run as root), a bounded wait for the line that says it is ready, and a stop
 * that always removes the directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** uid/gid to run a server as: the given system account when we are root, else ourselves. */
export interface RunAs {
  uid?: number;
  gid?: number;
  /** account name, for messages */
  name: string;
}

/** The system account `name` (from /etc/passwd) when running as root; the current user otherwise. */
export function runAs(name: string): RunAs {
  if (process.getuid?.() !== 0) return { name: process.env.USER ?? 'current user' };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) {
    throw new Error(`test-servers: running as root and there is no "${name}" account to run the server as (Debian's package creates it)`);
  }
  const [, , uid, gid] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** A fresh temporary directory owned by `user`, removed by the returned function. */
export function tempDir(prefix: string, user: RunAs): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The first of `candidates` that exists, else the name found on PATH, else undefined. */
export function findBinary(candidates: readonly string[], name: string): string | undefined {
  for (const c of candidates) if (existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found !== '' ? found : undefined;
}

/** Runs a set-up command to completion as `user`; throws with its output when it fails. */
export function runToEnd(cmd: string, args: readonly string[], user: RunAs, cwd: string, timeoutMs = 60_000): void {
  const r = spawnSync(cmd, args, { cwd, uid: user.uid, gid: user.gid, encoding: 'utf8', timeout: timeoutMs, env: cleanEnv() });
  if (r.status !== 0) {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
    throw new Error(`test-servers: ${cmd} ${args.join(' ')} failed (${why}):\n${(r.stdout ?? '') + (r.stderr ?? '')}`.slice(0, 4000));
  }
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a long-running server as `user` and resolves once a line of its output matches `ready`
 * (or rejects with the output when it exits first or `timeoutMs` passes).
 */
export function startServer(
  cmd: string,
  args: readonly string[],
  user: RunAs,
  cwd: string,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<ChildProcess> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A test process that exits without stopping its servers must not leave them running.
    process.once('exit', () => {
      for (const child of live) child.kill('SIGKILL');
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, uid: user.uid, gid: user.gid, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let output = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`did not say it was ready within ${timeoutMs} ms`)), timeoutMs);
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`test-servers: ${cmd} ${err.message}:\n${output.slice(-4000)}`));
    }
    function onData(chunk: Buffer): void {
      if (output.length < 1_000_000) output += chunk.toString('utf8');
      if (!settled && ready.test(output)) {
        settled = true;
        clearTimeout(timer);
        resolve(child);
      }
    }
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (err) => fail(err));
    child.on('exit', (code, signal) => {
      live.delete(child);
      fail(new Error(`exited (${code ?? signal}) before it was ready`));
    });
  });
}

/** Stops a server with `signal`, waits for it (SIGKILL after `graceMs`), then runs `after`. */
export async function stopServer(child: ChildProcess, signal: NodeJS.Signals, after: () => void, graceMs = 15_000): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }
  live.delete(child);
  after();
}

/** The environment without variables that would point the servers at another configuration. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  return env;
}
