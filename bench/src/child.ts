/**
 * Parent side of the child processes the benchmark starts: servers (long-lived, answer requests
 * over IPC), the load generator (long-lived) and one-shot workers (send one result and exit).
 * Every contender runs in a process of its own so that one's JIT state, heap and timers cannot
 * colour another's figures.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const distDir = fileURLToPath(new URL('.', import.meta.url));

export interface ChildOptions {
  env?: Record<string, string>;
  execArgv?: string[];
  args?: string[];
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** A long-lived child process that answers `{ id, ... }` requests with `{ id, ok, value }`. */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: Error | null = null;
  private stderr = '';
  readonly ready: Promise<Record<string, unknown>>;

  constructor(
    readonly label: string,
    private readonly proc: ChildProcess,
  ) {
    proc.stderr?.setEncoding('utf8');
    // Keep the tail of stderr so a child that dies can say why.
    proc.stderr?.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        const msg = m as { type?: string } & Record<string, unknown>;
        if (msg.type === 'ready') resolve(msg);
        else if (msg.type === 'reply') {
          const r = msg as unknown as Reply;
          const p = this.pending.get(r.id);
          if (!p) return;
          this.pending.delete(r.id);
          if (r.ok) p.resolve(r.value);
          else p.reject(new Error(`${label}: ${r.error ?? 'failed'}`));
        }
      };
      proc.on('message', onMessage);
      proc.on('exit', (code, signal) => {
        this.exited = new Error(`${label} exited (code ${code}, signal ${signal})${this.stderr ? `: ${this.stderr.trim()}` : ''}`);
        reject(this.exited);
        for (const p of this.pending.values()) p.reject(this.exited);
        this.pending.clear();
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  request<T>(payload: Record<string, unknown>, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: no answer to ${String(payload.type)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.proc.send({ ...payload, id });
    });
  }

  /** Stops the child: SIGTERM, then SIGKILL if it has not gone after 2 s. */
  async stop(): Promise<void> {
    if (this.exited || this.proc.exitCode !== null) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(t);
  }
}

/** Starts `dist/<script>` as a child with IPC and waits for its `ready` message. */
export async function startChild(label: string, script: string, opts: ChildOptions = {}): Promise<{ child: Child; ready: Record<string, unknown> }> {
  const proc = fork(distDir + script, opts.args ?? [], {
    env: { ...process.env, ...opts.env },
    execArgv: opts.execArgv ?? [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const child = new Child(label, proc);
  try {
    const ready = await child.ready;
    return { child, ready };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** Runs a one-shot worker: start it, send one request, return its answer, stop it. */
export async function runWorker<T>(label: string, script: string, payload: Record<string, unknown>, opts: ChildOptions = {}, timeoutMs = 300_000): Promise<T> {
  const { child } = await startChild(label, script, opts);
  try {
    return await child.request<T>({ type: 'run', ...payload }, timeoutMs);
  } finally {
    await child.stop();
  }
}

/**
 * Pins a child (all its threads) to one core with `taskset`, so a server and its load generator
 * do not take turns on the same core. Returns false (and pins nothing) where that is not possible:
 * no `taskset`, fewer than two cores, or the core is outside this process's affinity mask.
 */
export function pinToCore(child: Child, core: number): boolean {
  const pid = child.pid;
  if (pid === undefined || availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-c', '-p', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
