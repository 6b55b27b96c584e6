import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { BreakpointAgentStats } from '@debugpanel/model';
import { Capturer, DEFAULT_LIMITS, type Post, type RemoteObject } from './capture.js';
import { DebugPanelInspectorError } from './errors.js';
import { checkCondition, checkExpressionSyntax, parseTemplate, type TemplatePart } from './expressions.js';
import { formatValue, logpointCondition, registerLogpoint, unregisterLogpoint } from './logpoint.js';
import { createRedactor } from './redact.js';
import { ScriptRegistry, scriptPath } from './scripts.js';
import { BreakpointStore, type PersistedState } from './store.js';
import type {
  Breakpoint,
  BreakpointInput,
  CaptureLimits,
  CapturedFrame,
  LogEntry,
  Snapshot,
  WatchResult,
} from './types.js';

export interface BreakpointAgentOptions {
  /** The app's source root: relative breakpoint files resolve against it. Default `process.cwd()`. */
  root?: string;
  /** Where breakpoints and snapshots are saved; `false` keeps them in memory. Default `.debugpanel`. */
  dataDir?: string | false;
  /** Capture limits; defaults 20 frames, 5 expanded, 30 locals, depth 2, 10 properties, 100 chars, 20 KB. */
  limits?: Partial<CaptureLimits>;
  /** Breakpoints armed (pending or active) at once. Default 10. */
  maxBreakpoints?: number;
  /** Snapshots kept (and saved). Default 50. */
  maxSnapshots?: number;
  /** Logpoint messages kept. Default 1000. */
  maxLogs?: number;
  /** Messages per second per logpoint before it is disarmed for the rest of the second. Default 50. */
  logRateLimit?: number;
  /** Also print logpoint messages with console.log. Default false. */
  logToConsole?: boolean;
  /** Time a watch or message expression may run. Default 50 ms. */
  watchTimeoutMs?: number;
  /** Extra keys to redact: strings (exact, any case) or patterns. */
  redactKeys?: ReadonlyArray<string | RegExp>;
  /** Default breakpoint lifetime. Default one hour. */
  defaultExpiryMs?: number;
}

const KNOWN_OPTIONS = [
  'root', 'dataDir', 'limits', 'maxBreakpoints', 'maxSnapshots', 'maxLogs', 'logRateLimit', 'logToConsole',
  'watchTimeoutMs', 'redactKeys', 'defaultExpiryMs',
];
const KNOWN_INPUT = ['file', 'line', 'kind', 'condition', 'watch', 'message', 'maxHits', 'expiresInMs'];
const MAX_EXPIRY = 24 * 3600_000;
const MAX_LISTED = 100;
const MAX_WATCHES = 10;
const JS_FILE = /\.(?:[cm]?js)$/;
/** Scopes worth showing; global/script are the whole world, and module scope only for the top frame. */
const SCOPES = new Set(['local', 'block', 'catch', 'closure']);

// The counters travel in `GET {path}/api/breakpoints` and stats: declared in @debugpanel/model.
export type { BreakpointAgentStats };

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

interface Entry {
  bp: Breakpoint;
  v8Id?: string;
  /** What V8 evaluates: the user's condition, or for a logpoint the call of the logpoint hook. */
  v8Condition?: string;
  parts?: TemplatePart[];
  expiryTimer?: NodeJS.Timeout;
  coolTimer?: NodeJS.Timeout;
  windowStart: number;
  windowCount: number;
}

interface CallFrame {
  callFrameId: string;
  functionName: string;
  location: { scriptId: string; lineNumber: number; columnNumber?: number };
  scopeChain: Array<{ type: string; object: RemoteObject }>;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

function positive(name: string, v: unknown, def: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new TypeError(`${name} must be a positive number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got ${String(v)}`);
  }
  return v;
}

function unknownKeys(obj: object, known: string[], what: string): string | undefined {
  for (const k of Object.keys(obj)) {
    if (known.includes(k)) continue;
    const near = known.find((n) => n.toLowerCase().startsWith(k.toLowerCase().slice(0, 3)));
    return `unknown ${what} "${k}"${near ? `; did you mean ${near}?` : ''} (known: ${known.join(', ')})`;
  }
  return undefined;
}

/**
 * Creates the in-process snapshot and logpoint agent. It talks to V8 through an in-thread
 * `node:inspector` session: a breakpoint pauses the isolate, the `Debugger.paused` event arrives
 * synchronously, the agent captures what it needs and resumes, all inside the paused call.
 * The debugger is enabled only while a breakpoint is armed. Under `--inspect` it stays off.
 *
 * @example
 * ```ts
 * const agent = createBreakpointAgent({ root: process.cwd() });
 * const bp = agent.set({ file: 'src/orders.ts', line: 42, watch: ['order.total'] });
 * // ...the next request that runs line 42...
 * const [snap] = agent.snapshots({ breakpointId: bp.id });
 * console.log(snap.frames[0].scopes, snap.traceId);
 * ```
 */
export function createBreakpointAgent(options: BreakpointAgentOptions = {}): BreakpointAgent {
  const bad = unknownKeys(options, KNOWN_OPTIONS, 'option');
  if (bad) throw new TypeError(`createBreakpointAgent: ${bad}`);
  const root = path.resolve(options.root ?? process.cwd());
  const limitsIn = options.limits ?? {};
  const badLimit = unknownKeys(limitsIn, Object.keys(DEFAULT_LIMITS), 'limit');
  if (badLimit) throw new TypeError(`createBreakpointAgent: ${badLimit}`);
  const limits: CaptureLimits = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(DEFAULT_LIMITS) as Array<keyof CaptureLimits>) {
    limits[k] = Math.floor(positive(`limits.${k}`, limitsIn[k], DEFAULT_LIMITS[k], 10_000_000));
  }
  const maxBreakpoints = positive('maxBreakpoints', options.maxBreakpoints, 10, 100);
  const maxSnapshots = positive('maxSnapshots', options.maxSnapshots, 50, 10_000);
  const maxLogs = positive('maxLogs', options.maxLogs, 1000, 1_000_000);
  const logRateLimit = positive('logRateLimit', options.logRateLimit, 50, 1_000_000);
  const watchTimeoutMs = positive('watchTimeoutMs', options.watchTimeoutMs, 50, 10_000);
  const defaultExpiryMs = positive('defaultExpiryMs', options.defaultExpiryMs, 3600_000, MAX_EXPIRY);
  const isSecret = createRedactor(options.redactKeys);
  const store = options.dataDir === false ? undefined : new BreakpointStore(path.resolve(options.dataDir ?? '.debugpanel'));

  let reason: string | undefined;
  const url = inspector.url();
  if (url) {
    reason = `the process runs under --inspect (${url}): live breakpoints stay off so they do not fight your debugger`;
  }

  const entries = new Map<string, Entry>();
  const byV8 = new Map<string, Entry>();
  const snaps: Snapshot[] = [];
  const logs: LogEntry[] = [];
  let logSeq = 0;
  const registry = new ScriptRegistry();
  let session: inspector.Session | undefined;
  let debuggerOn = false;
  let closed = false;
  const stats = {
    enableMs: null as number | null, enableCount: 0, hits: 0, handlerUs: 0, handlerUsMax: 0,
    snapshotsDropped: 0, logsDropped: 0, coolDowns: 0, errors: 0,
  };

  const post: Post = (method, params) => {
    if (!session) throw new Error('inspector session is not connected');
    let done = false;
    let error: Error | null = null;
    let result: unknown;
    session.post(method, params, (err, res) => {
      done = true;
      error = err;
      result = res;
    });
    // In-thread sessions answer synchronously; the whole pause-capture-resume design relies on it.
    if (!done) throw new Error(`inspector did not answer ${method} synchronously`);
    if (error) throw error;
    return result as never;
  };

  const persist = () => store?.schedule((): PersistedState => ({
    version: 1,
    breakpoints: [...entries.values()].map((e) => e.bp),
    snapshots: snaps.slice(),
  }));

  const armedCount = () => {
    let n = 0;
    for (const e of entries.values()) if (e.bp.state === 'pending' || e.bp.state === 'active') n++;
    return n;
  };

  function connect(): void {
    if (session) return;
    const s = new inspector.Session();
    s.connect();
    session = s;
    s.on('Debugger.scriptParsed', (m) => {
      try {
        const p = m.params;
        const file = registry.add({ scriptId: p.scriptId, url: p.url, sourceMapURL: p.sourceMapURL ?? '' });
        if (!file || !p.sourceMapURL) return;
        // A script with a source map may be the one a pending TypeScript breakpoint waits for.
        for (const e of entries.values()) {
          if (e.bp.state === 'pending' && !e.v8Id) {
            const found = registry.generatedIn(registry.byScriptId(p.scriptId)!, e.bp.file, e.bp.line);
            if (found) bind(e, found);
          }
        }
      } catch {
        stats.errors++;
      }
    });
    s.on('Debugger.breakpointResolved', (m) => {
      const e = byV8.get(m.params.breakpointId);
      if (!e || e.bp.state !== 'pending') return;
      e.bp.state = 'active';
      const info = registry.byScriptId(m.params.location.scriptId);
      e.bp.generated = { url: info?.url ?? '', line: m.params.location.lineNumber + 1, column: m.params.location.columnNumber ?? 0 };
      persist();
    });
    s.on('Debugger.paused', (m) => onPaused(m.params as unknown as { callFrames: CallFrame[]; hitBreakpoints?: string[] }));
  }

  function enableDebugger(): void {
    if (debuggerOn) return;
    connect();
    registry.clear();
    const t0 = performance.now();
    // Every evaluated condition is a script V8 reports; bound what the debugger keeps of them.
    post('Debugger.enable', { maxScriptsCacheSize: 10_000_000 });
    stats.enableMs = performance.now() - t0;
    try {
      // The first side-effect-checked evaluation in a process pays a one-off setup cost that could
      // eat a watch's timeout at the first hit; pay it now.
      post('Runtime.evaluate', { expression: '0', throwOnSideEffect: true, silent: true });
    } catch {
      stats.errors++;
    }
    stats.enableCount++;
    debuggerOn = true;
  }

  function maybeDisable(): void {
    if (!debuggerOn || armedCount() > 0) return;
    try {
      post('Debugger.disable');
    } catch {
      stats.errors++;
    }
    debuggerOn = false;
    byV8.clear();
    registry.clear();
  }

  function fail(e: Entry, message: string): void {
    disarm(e);
    e.bp.state = 'error';
    e.bp.error = message;
  }

  function setV8(e: Entry, params: Record<string, unknown>): void {
    const res = post<{ breakpointId: string; locations: Array<{ scriptId: string; lineNumber: number; columnNumber?: number }> }>(
      'Debugger.setBreakpointByUrl',
      { ...params, ...(e.v8Condition ? { condition: e.v8Condition } : {}) },
    );
    e.v8Id = res.breakpointId;
    byV8.set(res.breakpointId, e);
    const loc = res.locations[0];
    if (loc) {
      e.bp.state = 'active';
      const info = registry.byScriptId(loc.scriptId);
      e.bp.generated = { url: info?.url ?? String(params.url ?? ''), line: loc.lineNumber + 1, column: loc.columnNumber ?? 0 };
    } else {
      e.bp.state = 'pending';
    }
  }

  function bind(e: Entry, found: { script: { url: string }; line: number; column: number } | { script: { url: string }; error: string }): void {
    try {
      if ('error' in found) return fail(e, found.error);
      setV8(e, { url: found.script.url, lineNumber: found.line - 1, columnNumber: found.column });
    } catch (err) {
      fail(e, `V8 refused the breakpoint: ${(err as Error).message}`);
    }
  }

  /** Puts the breakpoint into V8, directly for JavaScript, through a source map for the rest. */
  function arm(e: Entry): void {
    if (e.v8Id) return;
    const { file, line } = e.bp;
    const script = registry.byFile(file);
    if (script) {
      // Loaded under its own name: plain JS, or TS through a loader (tsx) with an inline map.
      const viaMap = registry.generatedIn(script, file, line);
      if (viaMap) return bind(e, viaMap);
      return bind(e, { script, line, column: 0 });
    }
    if (JS_FILE.test(file)) {
      // Not loaded yet: a URL pattern lets V8 bind it the moment the script is compiled.
      const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const fileUrl = new URL(`file://${file.split(path.sep).map(encodeURIComponent).join('/')}`).href;
      try {
        setV8(e, { urlRegex: `^(?:${esc(file)}|${esc(fileUrl)})$`, lineNumber: line - 1 });
      } catch (err) {
        fail(e, `V8 refused the breakpoint: ${(err as Error).message}`);
      }
      return;
    }
    const found = registry.findGenerated(file, line);
    if (found) return bind(e, found);
    e.bp.state = 'pending';
  }

  function disarm(e: Entry): void {
    if (e.coolTimer) clearTimeout(e.coolTimer);
    e.coolTimer = undefined;
    if (!e.v8Id) return;
    byV8.delete(e.v8Id);
    const id = e.v8Id;
    e.v8Id = undefined;
    if (!debuggerOn) return;
    try {
      post('Debugger.removeBreakpoint', { breakpointId: id });
    } catch {
      stats.errors++;
    }
  }

  function finish(e: Entry, state: 'hit' | 'expired'): void {
    disarm(e);
    unregisterLogpoint(e.bp.id);
    if (e.expiryTimer) clearTimeout(e.expiryTimer);
    e.expiryTimer = undefined;
    e.bp.state = state;
    maybeDisable();
    persist();
  }

  function scheduleExpiry(e: Entry): void {
    const ms = Math.max(0, e.bp.expiresAt - Date.now());
    e.expiryTimer = setTimeout(() => finish(e, 'expired'), ms);
    e.expiryTimer.unref();
  }

  function evaluate(c: Capturer, frame: CallFrame, expression: string, group: string): WatchResult {
    const t0 = performance.now();
    const ms = () => Math.round((performance.now() - t0) * 100) / 100;
    try {
      const r = post<{ result: RemoteObject; exceptionDetails?: { exception?: RemoteObject; text?: string } }>(
        'Debugger.evaluateOnCallFrame',
        { callFrameId: frame.callFrameId, expression, objectGroup: group, throwOnSideEffect: true, timeout: watchTimeoutMs, silent: true },
      );
      if (r.exceptionDetails) {
        const text = (r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? 'error').split('\n')[0] ?? 'error';
        return { expression, error: /side-effect/i.test(text) ? 'refused: the expression may have side effects' : text, ms: ms() };
      }
      return { expression, value: c.value(expression, r.result, 0), ms: ms() };
    } catch (err) {
      const msg = (err as Error).message;
      return { expression, error: /terminated/i.test(msg) ? `timed out after ${watchTimeoutMs} ms` : msg, ms: ms() };
    }
  }

  function activeSpan(): { traceId?: string; spanId?: string; span?: ReturnType<typeof trace.getActiveSpan> } {
    // The pause handler runs inside the paused code's async context (verified: AsyncLocalStorage,
    // hence OTel's context manager, sees the request's store here), so the API answers directly.
    const span = trace.getActiveSpan();
    if (!span) return {};
    const sc = span.spanContext();
    return isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId, span } : {};
  }

  function captureSnapshot(e: Entry, frames: CallFrame[], group: string, t0: number): void {
    const c = new Capturer(post, limits, isSecret, group);
    const out: CapturedFrame[] = [];
    const n = Math.min(frames.length, limits.maxFrames);
    for (let i = 0; i < n; i++) {
      const f = frames[i]!;
      const { scriptId, lineNumber, columnNumber = 0 } = f.location;
      const info = registry.byScriptId(scriptId);
      const orig = registry.original(scriptId, lineNumber, columnNumber);
      const frame: CapturedFrame = {
        function: f.functionName || '(anonymous)',
        file: orig?.file ?? (info ? scriptPath(info.url) ?? info.url : ''),
        line: orig?.line ?? lineNumber + 1,
        column: (orig?.column ?? columnNumber) + 1,
      };
      if (orig && info) frame.generated = { url: info.url, line: lineNumber + 1, column: columnNumber };
      c.bytes += frame.function.length + frame.file.length + 24;
      if (i < limits.expandFrames && c.budgetLeft) {
        frame.scopes = [];
        for (const s of f.scopeChain) {
          if (!(SCOPES.has(s.type) || (i === 0 && s.type === 'module')) || !s.object.objectId) continue;
          if (!c.budgetLeft) {
            c.truncated = true;
            break;
          }
          frame.scopes.push({ type: s.type, variables: c.members(s.object.objectId, 0, undefined, limits.maxLocals) });
        }
      }
      out.push(frame);
    }
    if (frames.length > n) c.truncated = true;
    const watches = e.bp.watch.map((w) => evaluate(c, frames[0]!, w, group));
    const { traceId, spanId, span } = activeSpan();
    const snap: Snapshot = {
      id: newId('snap'),
      breakpointId: e.bp.id,
      time: Date.now(),
      file: e.bp.file,
      line: e.bp.line,
      frames: out,
      watches,
      truncated: c.truncated,
      bytes: c.bytes,
      captureUs: Math.round((performance.now() - t0) * 1000),
      ...(traceId ? { traceId, spanId } : {}),
    };
    if (span?.isRecording()) {
      try {
        span.addEvent('debugpanel.snapshot', { 'debugpanel.snapshot.id': snap.id, 'debugpanel.breakpoint.id': e.bp.id });
      } catch {
        stats.errors++;
      }
    }
    snaps.push(snap);
    if (snaps.length > maxSnapshots) {
      snaps.shift();
      stats.snapshotsDropped++;
    }
  }

  /** Called by the logpoint hook inside V8's condition evaluation: record, never touch V8 here. */
  function onLog(e: Entry, values: unknown[]): void {
    if (closed || e.bp.state !== 'active' || !e.v8Id) return;
    const t0 = performance.now();
    const now = Date.now();
    if (now >= e.bp.expiresAt) return retire(e, 'expired');
    if (now - e.windowStart >= 1000) {
      e.windowStart = now;
      e.windowCount = 0;
    }
    if (e.windowCount >= logRateLimit) return; // its cool-down is already on the way
    e.windowCount++;
    let message = '';
    let i = 0;
    for (const part of e.parts ?? []) {
      if ('text' in part) {
        message += part.text;
        continue;
      }
      const [failed, value] = (values[i++] as [number, unknown] | undefined) ?? [1, 'missing'];
      message += failed ? `<${formatValue(value, limits, isSecret)}>` : formatValue(value, limits, isSecret);
    }
    const { traceId, spanId } = activeSpan();
    const entry: LogEntry = { seq: ++logSeq, breakpointId: e.bp.id, time: now, message, ...(traceId ? { traceId, spanId } : {}) };
    logs.push(entry);
    if (logs.length > maxLogs) {
      logs.shift();
      stats.logsDropped++;
    }
    if (options.logToConsole) console.log(`[debugpanel logpoint ${path.basename(e.bp.file)}:${e.bp.line}] ${message}`);
    e.bp.hits++;
    stats.hits++;
    if (e.bp.maxHits !== null && e.bp.hits >= e.bp.maxHits) retire(e, 'hit');
    else {
      if (e.windowCount >= logRateLimit) {
        const until = e.windowStart + 1000;
        setImmediate(() => coolDown(e, until));
      }
      persist();
    }
    const us = (performance.now() - t0) * 1000;
    stats.handlerUs += us;
    if (us > stats.handlerUsMax) stats.handlerUsMax = us;
  }

  /** Ends a logpoint from inside the hook: the state changes now, V8 is touched on the next turn. */
  function retire(e: Entry, state: 'hit' | 'expired'): void {
    e.bp.state = state;
    setImmediate(() => {
      if (e.bp.state === state) finish(e, state);
    });
  }

  /** Over the rate limit a logpoint leaves V8 for the rest of its one-second window. */
  function coolDown(e: Entry, untilMs: number): void {
    if (closed || e.bp.state !== 'active' || !entries.has(e.bp.id)) return;
    disarm(e);
    e.bp.coolDowns = (e.bp.coolDowns ?? 0) + 1;
    stats.coolDowns++;
    e.coolTimer = setTimeout(() => {
      e.coolTimer = undefined;
      if (closed || e.bp.state !== 'active' || !entries.has(e.bp.id)) return;
      e.windowStart = Date.now();
      e.windowCount = 0;
      try {
        arm(e);
      } catch {
        stats.errors++;
      }
    }, Math.max(1, untilMs - Date.now()));
    e.coolTimer.unref();
  }

  let groupSeq = 0;
  function onPaused(p: { callFrames: CallFrame[]; hitBreakpoints?: string[] }): void {
    const t0 = performance.now();
    try {
      for (const id of p.hitBreakpoints ?? []) {
        const e = byV8.get(id);
        if (!e || e.bp.state !== 'active') continue;
        if (Date.now() >= e.bp.expiresAt) {
          finish(e, 'expired');
          continue;
        }
        if (e.bp.kind !== 'snapshot') continue; // logpoints never pause (logpoint.ts)
        const group = `debugpanel-${++groupSeq}`;
        try {
          captureSnapshot(e, p.callFrames, group, t0);
        } finally {
          post('Runtime.releaseObjectGroup', { objectGroup: group });
        }
        e.bp.hits++;
        stats.hits++;
        if (e.bp.maxHits !== null && e.bp.hits >= e.bp.maxHits) finish(e, 'hit');
        else persist();
      }
    } catch {
      stats.errors++;
    } finally {
      // Pauses that are not ours (a `debugger;` statement while enabled) must not stall the app either.
      try {
        post('Debugger.resume');
      } catch {
        stats.errors++;
      }
      const us = (performance.now() - t0) * 1000;
      stats.handlerUs += us;
      if (us > stats.handlerUsMax) stats.handlerUsMax = us;
    }
  }

  function validate(input: BreakpointInput): { bp: Breakpoint; parts?: TemplatePart[] } {
    const err = (m: string) => new DebugPanelInspectorError('BAD_INPUT', m);
    if (!input || typeof input !== 'object') throw err('a breakpoint needs { file, line }');
    const unknown = unknownKeys(input, KNOWN_INPUT, 'field');
    if (unknown) throw err(unknown);
    if (typeof input.file !== 'string' || input.file === '') throw err('file must be a non-empty string');
    const file = path.resolve(root, input.file);
    let text: string;
    try {
      if (!statSync(file).isFile()) throw new Error();
      text = readFileSync(file, 'utf8');
    } catch {
      throw err(`file not found: ${input.file}`);
    }
    const lines = text.split('\n').length;
    if (!Number.isInteger(input.line) || input.line < 1 || input.line > lines) {
      throw err(`line must be an integer from 1 to ${lines} (the length of ${input.file}), got ${String(input.line)}`);
    }
    const kind = input.kind ?? (input.message !== undefined ? 'logpoint' : 'snapshot');
    if (kind !== 'snapshot' && kind !== 'logpoint') throw err(`kind must be "snapshot" or "logpoint", got "${String(kind)}"`);
    let condition: string | undefined;
    if (input.condition !== undefined && input.condition !== '') {
      const bad = checkCondition(input.condition);
      if (bad) throw err(bad);
      condition = input.condition.trim();
    }
    const watch = input.watch ?? [];
    if (!Array.isArray(watch) || watch.length > MAX_WATCHES) throw err(`watch must be an array of at most ${MAX_WATCHES} expressions`);
    for (const w of watch) {
      const bad = checkExpressionSyntax(w, 'watch');
      if (bad) throw err(bad);
    }
    let parts: TemplatePart[] | undefined;
    if (kind === 'logpoint') {
      const r = parseTemplate(input.message ?? '');
      if (typeof r === 'string') throw err(r);
      parts = r;
    } else if (input.message !== undefined) {
      throw err('message is for logpoints; use kind "logpoint" or leave message out');
    }
    let maxHits: number | null = kind === 'snapshot' ? 1 : null;
    if (input.maxHits !== undefined) {
      if (!Number.isInteger(input.maxHits) || input.maxHits < 1 || input.maxHits > 1_000_000) throw err('maxHits must be an integer from 1 to 1000000');
      maxHits = input.maxHits;
    }
    let expiresIn = defaultExpiryMs;
    if (input.expiresInMs !== undefined) {
      if (typeof input.expiresInMs !== 'number' || !(input.expiresInMs > 0) || input.expiresInMs > MAX_EXPIRY) {
        throw err(`expiresInMs must be a number of ms from 1 to ${MAX_EXPIRY} (one day)`);
      }
      expiresIn = input.expiresInMs;
    }
    const now = Date.now();
    const bp: Breakpoint = {
      id: newId('bp'), file, line: input.line, kind, watch: [...watch], maxHits, hits: 0, state: 'pending',
      createdAt: now, expiresAt: now + expiresIn,
      ...(condition ? { condition } : {}),
      ...(kind === 'logpoint' ? { message: input.message } : {}),
    };
    return { bp, ...(parts ? { parts } : {}) };
  }

  function add(bp: Breakpoint, parts: TemplatePart[] | undefined): Entry {
    const e: Entry = { bp, windowStart: 0, windowCount: 0, ...(parts ? { parts } : {}) };
    e.v8Condition = parts ? logpointCondition(bp.id, parts, bp.condition) : bp.condition;
    if (parts) registerLogpoint(bp.id, (values) => onLog(e, values));
    // Enabling replays scriptParsed for every loaded script; the entry joins afterwards so that
    // replay does not bind it a second time.
    enableDebugger();
    entries.set(bp.id, e);
    // Keep the list bounded: finished breakpoints go first, oldest first.
    if (entries.size > MAX_LISTED) {
      for (const [id, old] of entries) {
        if (old.bp.state !== 'pending' && old.bp.state !== 'active') {
          entries.delete(id);
          break;
        }
      }
    }
    arm(e);
    if (e.bp.state === 'pending' || e.bp.state === 'active') scheduleExpiry(e);
    else maybeDisable();
    return e;
  }

  // Restore: breakpoints still in time are armed again, finished ones stay listed.
  if (store) {
    const saved = store.read();
    snaps.push(...saved.snapshots.slice(-maxSnapshots));
    for (const bp of saved.breakpoints.slice(-MAX_LISTED)) {
      const live = bp.state === 'pending' || bp.state === 'active';
      if (live && bp.expiresAt <= Date.now()) bp.state = 'expired';
      if (!live || bp.state === 'expired' || reason) {
        entries.set(bp.id, { bp, windowStart: 0, windowCount: 0 });
        continue;
      }
      const parts = bp.kind === 'logpoint' ? parseTemplate(bp.message ?? '') : undefined;
      try {
        if (armedCount() >= maxBreakpoints) throw new Error('too many breakpoints');
        bp.state = 'pending';
        delete bp.generated;
        add(bp, typeof parts === 'string' ? undefined : parts);
      } catch (err) {
        bp.state = 'error';
        bp.error = `not restored: ${(err as Error).message}`;
        entries.set(bp.id, { bp, windowStart: 0, windowCount: 0 });
      }
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
      const { bp, parts } = validate(input);
      // V8 keys breakpoints by location, so a second one on the same line could never be armed.
      for (const e of entries.values()) {
        if ((e.bp.state === 'pending' || e.bp.state === 'active') && e.bp.file === bp.file && e.bp.line === bp.line) {
          throw new DebugPanelInspectorError('BAD_INPUT', `line ${bp.line} of ${bp.file} already has breakpoint ${e.bp.id}; remove it first`);
        }
      }
      if (armedCount() >= maxBreakpoints) {
        throw new DebugPanelInspectorError('LIMIT', `at most ${maxBreakpoints} breakpoints may be armed at once; remove one first`);
      }
      try {
        add(bp, parts);
      } catch (err) {
        entries.delete(bp.id);
        maybeDisable();
        throw new DebugPanelInspectorError('UNAVAILABLE', `the inspector refused: ${(err as Error).message}`);
      }
      persist();
      return copy(bp);
    },
    remove(id) {
      const e = entries.get(id);
      if (!e) return false;
      disarm(e);
      unregisterLogpoint(id);
      if (e.expiryTimer) clearTimeout(e.expiryTimer);
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
    snapshots(filter = {}) {
      const out = filter.breakpointId ? snaps.filter((s) => s.breakpointId === filter.breakpointId) : snaps.slice();
      return out.reverse();
    },
    snapshot: (id) => snaps.find((s) => s.id === id),
    logs(filter = {}) {
      return logs.filter((l) => (!filter.breakpointId || l.breakpointId === filter.breakpointId) && (filter.after === undefined || l.seq > filter.after));
    },
    stats: () => ({
      available: !reason,
      ...(reason ? { reason } : {}),
      debuggerEnabled: debuggerOn,
      enableMs: stats.enableMs,
      enableCount: stats.enableCount,
      scripts: registry.size,
      armed: armedCount(),
      hits: stats.hits,
      handlerUsMean: stats.hits ? stats.handlerUs / stats.hits : 0,
      handlerUsMax: stats.handlerUsMax,
      snapshotsDropped: stats.snapshotsDropped,
      logsDropped: stats.logsDropped,
      coolDowns: stats.coolDowns,
      errors: stats.errors,
      writeErrors: store?.writeErrors ?? 0,
    }),
    flush: () => store?.flush() ?? Promise.resolve(),
    async close() {
      if (closed) return;
      closed = true;
      for (const e of entries.values()) {
        disarm(e);
        unregisterLogpoint(e.bp.id);
        if (e.expiryTimer) clearTimeout(e.expiryTimer);
      }
      if (debuggerOn) {
        try {
          post('Debugger.disable');
        } catch {
          stats.errors++;
        }
        debuggerOn = false;
      }
      session?.disconnect();
      session = undefined;
      await store?.flush();
    },
  };
}
