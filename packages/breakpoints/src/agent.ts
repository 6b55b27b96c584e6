import { performance } from 'node:perf_hooks';
import { RateWindow, timerDelay } from './budget.js';
import { DebugPanelInspectorError } from './errors.js';
import { resolveOptions, type BreakpointAgentOptions } from './options.js';
import { Recorder } from './recorder.js';
import { createPauseHandler, type Entry, type RuntimeStats } from './runtime.js';
import { environmentSecrets } from './secrets.js';
import { inspectorSession, inspectorUnavailable, type PausedEvent, type V8Session } from './session.js';
import { newId, type CaptureTools } from './snapshot.js';
import { BreakpointStore, type PersistedState } from './store.js';
import type { Breakpoint, BreakpointAgentStats, BreakpointInput, LogEntry, Snapshot } from './types.js';
import { V8Breakpoints } from './v8-breakpoints.js';
import { validateInput, validateRestored, type Valid } from './validate.js';

export type { BreakpointAgentOptions } from './options.js';

const MAX_LISTED = 100;
const live = (bp: Breakpoint) => bp.state === 'pending' || bp.state === 'active';

/** A live-breakpoint agent. Every method is safe to call from request handlers. */
export interface BreakpointAgent {
  readonly available: boolean;
  /** Sets a breakpoint; throws DebugPanelInspectorError (BAD_INPUT, LIMIT, UNAVAILABLE). */
  set(input: BreakpointInput): Breakpoint;
  /** Removes a breakpoint (and its V8 breakpoint); false if unknown. */
  remove(id: string): boolean;
  list(): Breakpoint[];
  get(id: string): Breakpoint | undefined;
  /** Newest first. */
  snapshots(filter?: { breakpointId?: string }): Snapshot[];
  snapshot(id: string): Snapshot | undefined;
  /** Oldest first; `after` is a `seq` to continue from. */
  logs(filter?: { breakpointId?: string; after?: number }): LogEntry[];
  stats(): BreakpointAgentStats;
  /** Resolves when pending changes are written. */
  flush(): Promise<void>;
  /** Removes every V8 breakpoint, disables the debugger, disconnects, writes the file. */
  close(): Promise<void>;
}

/** The parts of the agent a test replaces: the V8 session and the clock. */
export interface AgentDeps {
  session?: V8Session;
  now?: () => number;
  /** Why the agent stays off (default: the process runs under --inspect). */
  unavailable?: string;
}

/**
 * Creates the in-process snapshot and logpoint agent. It talks to V8 through an in-thread
 * `node:inspector` session: a breakpoint pauses the isolate, the `Debugger.paused` event arrives
 * synchronously, the agent evaluates the condition side-effect free, captures what it needs and
 * resumes, all inside the paused call. The debugger is enabled only while a breakpoint is armed.
 * Under `--inspect` it stays off.
 *
 * @example
 * ```ts
 * const agent = createBreakpointAgent({ root: process.cwd() });
 * const bp = agent.set({ file: 'src/orders.ts', line: 42, condition: 'order.total > 100', watch: ['order.total'] });
 * // ...the next request that runs line 42 with a large order...
 * const [snap] = agent.snapshots({ breakpointId: bp.id });
 * console.log(snap.frames[0].scopes, snap.traceId);
 * ```
 */
export function createBreakpointAgent(options: BreakpointAgentOptions = {}): BreakpointAgent {
  return createAgent(options);
}

/** `createBreakpointAgent` with its seams open (tests give it a fake session or a frozen clock). */
export function createAgent(options: BreakpointAgentOptions, deps: AgentDeps = {}): BreakpointAgent {
  const opts = resolveOptions(options);
  const now = deps.now ?? Date.now;
  const session = deps.session ?? inspectorSession();
  const reason = 'unavailable' in deps ? deps.unavailable : inspectorUnavailable();
  const store = opts.dataDir ? new BreakpointStore(opts.dataDir) : undefined;
  const entries = new Map<string, Entry>();
  const rec = new Recorder(opts.maxSnapshots, opts.maxLogs);
  let connected = false;
  let debuggerOn = false;
  let closed = false;
  // Inside a pause, disabling the debugger would end the pause early: it waits for the resume.
  let inPause = false;
  let disablePending = false;
  const counters = { enableMs: null as number | null, enableCount: 0, coolDowns: 0 };
  const stats: RuntimeStats = { pauses: 0, hits: 0, conditionFalse: 0, conditionErrors: 0, handlerUs: 0, handlerUsMax: 0, errors: 0 };
  const v8 = new V8Breakpoints(session, () => settle());
  const tools: CaptureTools = {
    session, registry: v8.registry, limits: opts.limits, redactor: opts.redactor, evalTimeoutMs: opts.evalTimeoutMs,
    knownSecrets: environmentSecrets(opts.redactor),
  };

  const persist = () => store?.schedule((): PersistedState => ({ version: 1, breakpoints: [...entries.values()].map((e) => e.bp), snapshots: rec.allSnapshots() }));
  const armedCount = () => [...entries.values()].filter((e) => live(e.bp)).length;
  const newEntry = (v: Valid): Entry => ({
    bp: v.bp, ...(v.parts ? { parts: v.parts } : {}), window: new RateWindow(opts.pauseRateLimit, v.bp.kind === 'snapshot' ? opts.snapshotRateLimit : opts.logRateLimit), unsafeStreak: 0,
  });

  function enableDebugger(): void {
    if (debuggerOn) return;
    if (!connected) {
      session.connect();
      connected = true;
      session.on('Debugger.scriptParsed', (p) => guard(() => v8.onScriptParsed(p, entries.values())));
      session.on('Debugger.breakpointResolved', (p) => guard(() => v8.onResolved(p)));
      session.on('Debugger.paused', onPaused);
    }
    v8.clear();
    const t0 = performance.now();
    // Every evaluation is a script V8 reports; bound what the debugger keeps of them.
    session.post('Debugger.enable', { maxScriptsCacheSize: 10_000_000 });
    counters.enableMs = performance.now() - t0;
    // The first side-effect-checked evaluation in a process pays a one-off setup cost that could
    // eat an evaluation's time limit at the first hit; pay it now.
    guard(() => session.post('Runtime.evaluate', { expression: '0', throwOnSideEffect: true, silent: true }));
    // Likewise the first property read (the inspector sets up its value mirrors): measured 10-50 ms
    // on the demo's first capture without it, paid inside the pause.
    guard(() => {
      const r = session.post<{ result: { objectId?: string } }>('Runtime.evaluate', { expression: '({ a: { b: [1, "x"] } })', silent: true, objectGroup: 'debugpanel-warm' });
      if (r.result.objectId) session.post('Runtime.getProperties', { objectId: r.result.objectId, ownProperties: true, generatePreview: false, objectGroup: 'debugpanel-warm' });
      session.post('Runtime.releaseObjectGroup', { objectGroup: 'debugpanel-warm' });
    });
    counters.enableCount++;
    debuggerOn = true;
  }

  function guard(fn: () => void): void {
    try {
      fn();
    } catch {
      stats.errors++;
    }
  }

  function maybeDisable(): void {
    if (!debuggerOn || armedCount() > 0) return;
    if (inPause) {
      disablePending = true;
      return;
    }
    guard(() => session.post('Debugger.disable'));
    debuggerOn = false;
    v8.clear();
  }

  function stopTimers(e: Entry): void {
    clearTimeout(e.expiryTimer);
    clearTimeout(e.coolTimer);
    e.expiryTimer = e.coolTimer = undefined;
  }

  /** After a state change outside the pause: breakpoints that ended leave V8 and their timers. */
  function settle(): void {
    for (const e of entries.values()) {
      if (live(e.bp)) continue;
      if (!v8.disarm(e, debuggerOn)) stats.errors++;
      stopTimers(e);
    }
    maybeDisable();
    persist();
  }

  function end(e: Entry, state: 'hit' | 'expired' | 'error', error?: string): void {
    if (!v8.disarm(e, debuggerOn)) stats.errors++;
    stopTimers(e);
    e.bp.state = state;
    if (error) e.bp.error = error;
    maybeDisable();
    persist();
  }

  function scheduleExpiry(e: Entry): void {
    clearTimeout(e.expiryTimer);
    e.expiryTimer = setTimeout(() => {
      if (now() < e.bp.expiresAt) return scheduleExpiry(e); // a far expiry is waited for in steps
      end(e, 'expired');
    }, timerDelay(e.bp.expiresAt, now()));
    e.expiryTimer.unref();
  }

  /** Out of V8 until its rate window is over, then back with a fresh budget. */
  function coolDown(e: Entry): void {
    if (!v8.disarm(e, debuggerOn)) stats.errors++;
    e.bp.coolDowns = (e.bp.coolDowns ?? 0) + 1;
    counters.coolDowns++;
    clearTimeout(e.coolTimer);
    e.coolTimer = setTimeout(() => {
      e.coolTimer = undefined;
      if (closed || e.bp.state !== 'active' || !entries.has(e.bp.id)) return;
      e.window.reset();
      guard(() => v8.arm(e));
      settle();
    }, Math.max(1, timerDelay(e.window.endsAt, now())));
    e.coolTimer.unref();
  }

  const handlePause = createPauseHandler({
    tools, stats, now,
    entryOf: (id) => v8.entryOf(id),
    coolDown,
    finish: (e, state) => end(e, state),
    fail: (e, why) => end(e, 'error', why),
    addSnapshot: (snap) => {
      rec.addSnapshot(snap);
      const on = opts.onSnapshot;
      if (on !== undefined) guard(() => on(snap));
    },
    addLog(e, message, time, ids) {
      const entry = rec.addLog({ breakpointId: e.bp.id, time, message, ...(ids.traceId ? { traceId: ids.traceId, spanId: ids.spanId } : {}) });
      if (opts.logToConsole) console.log(`[debugpanel logpoint ${e.bp.file.split(/[\\/]/).pop()}:${e.bp.line}] ${message}`);
      return entry;
    },
    changed: persist,
  });
  function onPaused(p: PausedEvent): void {
    inPause = true;
    try {
      handlePause(p);
    } finally {
      inPause = false;
      if (disablePending) {
        disablePending = false;
        maybeDisable();
      }
    }
  }

  function add(e: Entry): void {
    // Enabling replays scriptParsed for every loaded script; the entry joins afterwards so that
    // replay does not bind it a second time.
    enableDebugger();
    entries.set(e.bp.id, e);
    if (entries.size > MAX_LISTED) {
      // Keep the list bounded: finished breakpoints go first, oldest first.
      for (const [id, old] of entries) {
        if (!live(old.bp)) {
          entries.delete(id);
          break;
        }
      }
    }
    v8.arm(e);
    if (live(e.bp)) scheduleExpiry(e);
    else maybeDisable();
  }

  const context = () => ({ root: opts.root, defaultExpiryMs: opts.defaultExpiryMs, now: now(), isLoaded: (f: string) => v8.isLoaded(f) });

  // Restore: every saved breakpoint passes the API's validation again before it is armed.
  if (store) {
    const saved = store.read();
    for (const s of saved.snapshots.slice(-opts.maxSnapshots)) rec.addSnapshot(s);
    for (const raw of saved.breakpoints.slice(-MAX_LISTED)) restore(raw);
    persist();
  }

  function restore(raw: Breakpoint): void {
    const listed = (bp: Breakpoint) => entries.set(bp.id, newEntry({ bp }));
    if (!raw || typeof raw !== 'object' || typeof raw.id !== 'string') return;
    if (!live(raw) || reason) return void listed(raw);
    if (raw.expiresAt <= now()) return void listed({ ...raw, state: 'expired' });
    if (raw.maxHits !== null && raw.hits >= raw.maxHits) return void listed({ ...raw, state: 'hit' });
    const v = validateRestored(raw, context());
    const refuse = (why: string) => {
      opts.warn(`breakpoint ${raw.id} (${String(raw.file).slice(0, 200)}:${String(raw.line)}) not restored: ${why}`);
      listed({ ...raw, state: 'error', error: `not restored: ${why}` });
    };
    if ('error' in v) return refuse(v.error);
    if (armedCount() >= opts.maxBreakpoints) return refuse('too many breakpoints');
    try {
      add(newEntry(v));
    } catch (err) {
      entries.delete(v.bp.id);
      refuse((err as Error).message);
    }
  }

  const copy = (bp: Breakpoint): Breakpoint => ({ ...bp, watch: [...bp.watch] });

  return {
    get available() {
      return !reason;
    },
    set(input) {
      if (closed) throw new DebugPanelInspectorError('UNAVAILABLE', 'the breakpoint agent is closed');
      if (reason) throw new DebugPanelInspectorError('UNAVAILABLE', reason);
      const v = validateInput(input, { ...context(), newId: () => newId('bp') });
      // V8 keys breakpoints by location, so a second one on the same line could never be armed.
      for (const e of entries.values()) {
        if (live(e.bp) && e.bp.file === v.bp.file && e.bp.line === v.bp.line) {
          throw new DebugPanelInspectorError('BAD_INPUT', `line ${v.bp.line} of ${v.bp.file} already has breakpoint ${e.bp.id}; remove it first`);
        }
      }
      if (armedCount() >= opts.maxBreakpoints) {
        throw new DebugPanelInspectorError('LIMIT', `at most ${opts.maxBreakpoints} breakpoints may be armed at once; remove one first`);
      }
      try {
        add(newEntry(v));
      } catch (err) {
        entries.delete(v.bp.id);
        maybeDisable();
        throw new DebugPanelInspectorError('UNAVAILABLE', `the inspector refused: ${(err as Error).message}`);
      }
      persist();
      return copy(v.bp);
    },
    remove(id) {
      const e = entries.get(id);
      if (!e) return false;
      if (!v8.disarm(e, debuggerOn)) stats.errors++;
      stopTimers(e);
      entries.delete(id);
      maybeDisable();
      persist();
      return true;
    },
    list: () => [...entries.values()].map((e) => copy(e.bp)),
    get(id) {
      const e = entries.get(id);
      return e ? copy(e.bp) : undefined;
    },
    snapshots: (filter = {}) => rec.snapshots(filter.breakpointId),
    snapshot: (id) => rec.snapshot(id),
    logs: (filter = {}) => rec.messages(filter.breakpointId, filter.after),
    stats: () => ({
      available: !reason,
      ...(reason ? { reason } : {}),
      debuggerEnabled: debuggerOn,
      enableMs: counters.enableMs,
      enableCount: counters.enableCount,
      scripts: v8.registry.size,
      armed: armedCount(),
      pauses: stats.pauses,
      hits: stats.hits,
      conditionFalse: stats.conditionFalse,
      conditionErrors: stats.conditionErrors,
      handlerUsMean: stats.pauses ? stats.handlerUs / stats.pauses : 0,
      handlerUsMax: stats.handlerUsMax,
      snapshotsDropped: rec.snapshotsDropped,
      logsDropped: rec.logsDropped,
      coolDowns: counters.coolDowns,
      errors: stats.errors,
      writeErrors: store?.writeErrors ?? 0,
    }),
    flush: () => store?.flush() ?? Promise.resolve(),
    async close() {
      if (closed) return;
      closed = true;
      for (const e of entries.values()) {
        v8.disarm(e, debuggerOn);
        stopTimers(e);
      }
      if (debuggerOn) guard(() => session.post('Debugger.disable'));
      debuggerOn = false;
      if (connected) session.disconnect();
      connected = false;
      await store?.flush();
    },
  };
}
