import type { PausedEvent, RemoteObject, V8Events, V8Session } from './session.js';

type Answer = (params: Record<string, unknown>) => unknown;

/**
 * A V8 session in memory, for tests of the agent's logic without an inspector: it records every
 * protocol call, keeps the breakpoints set on it, and `run()` plays V8 running a line (a pause,
 * synchronously, when a breakpoint is set there). Answers can be scripted per method.
 *
 * @example
 * const fake = new FakeSession();
 * fake.answer('Debugger.evaluateOnCallFrame', () => ({ result: { type: 'boolean', value: false } }));
 * const agent = createAgent({ dataDir: false, root }, { session: fake, unavailable: undefined });
 * agent.set({ file: 'a.mjs', line: 3, condition: 'n > 2' });
 * fake.run(); // one pause; the condition is false
 */
export class FakeSession implements V8Session {
  readonly posts: Array<{ method: string; params: Record<string, unknown> }> = [];
  /** Breakpoints V8 holds now, by id. */
  readonly breakpoints = new Map<string, Record<string, unknown>>();
  enabled = false;
  private readonly listeners = new Map<string, Array<(p: never) => void>>();
  private readonly answers = new Map<string, Answer>();
  private nextId = 1;

  connect(): void {}
  disconnect(): void {}

  /** Scripts the result of `method` (a thrown error becomes the protocol error). */
  answer(method: string, fn: Answer): void {
    this.answers.set(method, fn);
  }

  on<E extends keyof V8Events>(event: E, listener: (params: V8Events[E]) => void): void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as (p: never) => void);
    this.listeners.set(event, list);
  }

  emit<E extends keyof V8Events>(event: E, params: V8Events[E]): void {
    for (const fn of this.listeners.get(event) ?? []) fn(params as never);
  }

  post<T>(method: string, params: Record<string, unknown> = {}): T {
    this.posts.push({ method, params });
    const scripted = this.answers.get(method);
    if (scripted) return scripted(params) as T;
    switch (method) {
      case 'Debugger.enable':
        this.enabled = true;
        return {} as T;
      case 'Debugger.disable':
        this.enabled = false;
        this.breakpoints.clear();
        return {} as T;
      case 'Debugger.setBreakpointByUrl': {
        const breakpointId = `fake-${this.nextId++}`;
        this.breakpoints.set(breakpointId, params);
        return { breakpointId, locations: [{ scriptId: '1', lineNumber: Number(params.lineNumber ?? 0), columnNumber: 0 }] } as T;
      }
      case 'Debugger.removeBreakpoint':
        this.breakpoints.delete(String(params.breakpointId));
        return {} as T;
      case 'Debugger.evaluateOnCallFrame':
      case 'Runtime.evaluate':
        return { result: { type: 'boolean', value: true } satisfies RemoteObject } as T;
      case 'Runtime.getProperties':
        return { result: [] } as T;
      default:
        return {} as T;
    }
  }

  /** Plays V8 running a breakpointed line once: one `Debugger.paused` if any breakpoint is set. */
  run(frame: Partial<PausedEvent['callFrames'][number]> = {}): boolean {
    if (!this.enabled || this.breakpoints.size === 0) return false;
    this.emit('Debugger.paused', {
      hitBreakpoints: [...this.breakpoints.keys()],
      callFrames: [{ callFrameId: 'frame-0', functionName: 'f', location: { scriptId: '1', lineNumber: 0 }, scopeChain: [], ...frame }],
    });
    return true;
  }

  /** How many times `method` was called. */
  count(method: string): number {
    return this.posts.filter((p) => p.method === method).length;
  }
}
