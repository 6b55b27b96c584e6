import inspector from 'node:inspector';

/** The subset of CDP's Runtime.RemoteObject the agent reads. */
export interface RemoteObject {
  type: string;
  subtype?: string;
  className?: string;
  value?: unknown;
  unserializableValue?: string;
  description?: string;
  objectId?: string;
}

/** A paused frame as `Debugger.paused` delivers it. */
export interface CallFrame {
  callFrameId: string;
  functionName: string;
  location: { scriptId: string; lineNumber: number; columnNumber?: number };
  scopeChain: Array<{ type: string; object: RemoteObject }>;
}

export interface PausedEvent {
  callFrames: CallFrame[];
  hitBreakpoints?: string[];
  reason?: string;
}

export interface V8Events {
  'Debugger.scriptParsed': { scriptId: string; url: string; sourceMapURL?: string };
  'Debugger.breakpointResolved': { breakpointId: string; location: { scriptId: string; lineNumber: number; columnNumber?: number } };
  'Debugger.paused': PausedEvent;
}

/**
 * The agent's one seam to V8: a protocol session whose calls answer synchronously. In-thread
 * `node:inspector` sessions do, and the whole pause-capture-resume design relies on it: the
 * `Debugger.paused` event arrives on the paused stack and every call made from it returns before
 * the paused function goes on. `FakeSession` (fake-session.ts) stands in for it in tests.
 */
export interface V8Session {
  connect(): void;
  disconnect(): void;
  /** Sends a protocol command and returns its result; throws the protocol error. */
  post<T = any>(method: string, params?: Record<string, unknown>): T; // eslint-disable-line @typescript-eslint/no-explicit-any
  on<E extends keyof V8Events>(event: E, listener: (params: V8Events[E]) => void): void;
}

/** Synchronous protocol call: in-thread inspector sessions answer before `post` returns. */
export type Post = V8Session['post'];

/**
 * The real session: `node:inspector` in this thread.
 *
 * @example
 * const s = inspectorSession();
 * s.connect();
 * s.post('Debugger.enable');
 */
export function inspectorSession(): V8Session {
  let session: inspector.Session | undefined;
  const listeners: Array<[string, (params: never) => void]> = [];
  return {
    connect() {
      if (session) return;
      session = new inspector.Session();
      session.connect();
      for (const [event, fn] of listeners) session.on(event, (m: { params: never }) => fn(m.params));
    },
    disconnect() {
      session?.disconnect();
      session = undefined;
    },
    post(method, params) {
      if (!session) throw new Error('inspector session is not connected');
      let done = false;
      let error: Error | null = null;
      let result: unknown;
      session.post(method, params, (err: Error | null, res?: object) => {
        done = true;
        error = err;
        result = res;
      });
      if (!done) throw new Error(`inspector did not answer ${method} synchronously`);
      if (error) throw error;
      return result as never;
    },
    on(event, listener) {
      listeners.push([event, listener as (params: never) => void]);
      session?.on(event, (m: { params: never }) => (listener as (params: never) => void)(m.params));
    },
  };
}

/** Why the agent stays off in this process, or undefined when it may run. */
export function inspectorUnavailable(): string | undefined {
  const url = inspector.url();
  return url ? `the process runs under --inspect (${url}): live breakpoints stay off so they do not fight your debugger` : undefined;
}
