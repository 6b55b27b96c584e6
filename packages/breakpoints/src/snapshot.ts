import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Capturer, type SecretKeys } from './capture.js';
import { evaluateOnFrame } from './evaluate.js';
import { readsSecretKey } from './expressions.js';
import { scriptPath, type ScriptRegistry } from './scripts.js';
import { FrameSecrets, harvestSecrets, PauseReader } from './secrets.js';
import type { CallFrame, V8Session } from './session.js';
import { activeSpan } from './trace-link.js';
import type { Breakpoint, CaptureLimits, CapturedFrame, Snapshot, WatchResult } from './types.js';

export const newId = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

/** Scopes worth showing; global/script are the whole world, and module scope only for the top frame. */
const SCOPES = new Set(['local', 'block', 'catch', 'closure']);

export function frameScopes(f: CallFrame, index: number): Array<{ type: string; objectId: string }> {
  const out: Array<{ type: string; objectId: string }> = [];
  for (const s of f.scopeChain) {
    if ((SCOPES.has(s.type) || (index === 0 && s.type === 'module')) && s.object.objectId) out.push({ type: s.type, objectId: s.object.objectId });
  }
  return out;
}

/**
 * A frame of the app's own code: a script with a file path (not `node:internal/...`, not eval
 * code) outside node_modules. Library frames (express's router, a driver) are listed with their
 * location, not expanded: their locals are the library's, and reading them was most of a
 * capture's pause (77 property reads, 29 ms, for an Express handler's five frames).
 */
function isAppFrame(info: { url: string } | undefined): boolean {
  const p = info ? scriptPath(info.url) : undefined;
  return p !== undefined && !/[\\/]node_modules[\\/]/.test(p);
}

/** What a pause handler needs from the agent to capture or format. */
export interface CaptureTools {
  session: V8Session;
  registry: ScriptRegistry;
  limits: CaptureLimits;
  redactor: SecretKeys;
  evalTimeoutMs: number;
  /** Secret values known before any pause (the environment's). */
  knownSecrets: readonly string[];
}

/** One pause's shared state: its object group, its property cache and the secrets seen in it. */
export class Scene {
  readonly reader: PauseReader;
  private harvested = -1;
  readonly secrets: FrameSecrets;

  constructor(
    private readonly tools: CaptureTools,
    readonly frames: CallFrame[],
    readonly group: string,
  ) {
    this.reader = new PauseReader(tools.session.post.bind(tools.session), group);
    this.secrets = new FrameSecrets(tools.redactor, tools.knownSecrets);
  }

  /** Collects the secrets of the top `frameCount` frames (once per pause, for the widest ask). */
  harvest(frameCount: number): FrameSecrets {
    if (frameCount > this.harvested) {
      // Only the frames a capture expands (the app's); Node's internal frames are never shown.
      const ids = this.frames.slice(0, frameCount).flatMap((f, i) => (isAppFrame(this.tools.registry.byScriptId(f.location.scriptId)) ? frameScopes(f, i).map((s) => s.objectId) : []));
      harvestSecrets(this.reader, ids, this.tools.redactor, this.secrets);
      this.harvested = frameCount;
    }
    return this.secrets;
  }

  capturer(limits: CaptureLimits = this.tools.limits): Capturer {
    return new Capturer(this.reader, limits, this.tools.redactor, this.secrets);
  }
}

/** Evaluates a watch side-effect free; its value is captured like a local (and redacted like one). */
function watch(tools: CaptureTools, scene: Scene, c: Capturer, expression: string): WatchResult {
  const t0 = performance.now();
  const ms = () => Math.round((performance.now() - t0) * 100) / 100;
  const r = evaluateOnFrame(tools.session, scene.frames[0]!.callFrameId, expression, scene.group, tools.evalTimeoutMs);
  if ('error' in r) return { expression, error: r.error, ms: ms() };
  return { expression, value: c.value(expression, r.result, 0, readsSecretKey(expression, tools.redactor)), ms: ms() };
}

/**
 * Captures the stack (original files and lines through source maps), the scopes of the top
 * `expandFrames` frames, the watches and the request's trace, within the capture limits.
 */
export function captureSnapshot(tools: CaptureTools, bp: Breakpoint, scene: Scene, t0: number): Snapshot {
  const { limits, registry } = tools;
  scene.harvest(limits.expandFrames);
  const c = scene.capturer();
  const frames: CapturedFrame[] = [];
  const n = Math.min(scene.frames.length, limits.maxFrames);
  for (let i = 0; i < n; i++) {
    const f = scene.frames[i]!;
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
    // Node's own frames (node:internal/...) hold Node's state, not the app's: listed, not expanded.
    if (i < limits.expandFrames && c.budgetLeft && isAppFrame(info)) {
      frame.scopes = [];
      for (const s of frameScopes(f, i)) {
        if (!c.budgetLeft) {
          c.truncated = true;
          break;
        }
        frame.scopes.push({ type: s.type, variables: c.members(s.objectId, 0, undefined, limits.maxLocals) });
      }
    }
    frames.push(frame);
  }
  if (scene.frames.length > n) c.truncated = true;
  const watches = bp.watch.map((w) => watch(tools, scene, c, w));
  const { traceId, spanId, span } = activeSpan();
  const snap: Snapshot = {
    id: newId('snap'),
    breakpointId: bp.id,
    time: Date.now(),
    file: bp.file,
    line: bp.line,
    frames,
    watches,
    truncated: c.truncated,
    bytes: c.bytes,
    captureUs: Math.round((performance.now() - t0) * 1000),
    ...(traceId ? { traceId, spanId } : {}),
  };
  if (span?.isRecording()) {
    span.addEvent('debugpanel.snapshot', { 'debugpanel.snapshot.id': snap.id, 'debugpanel.breakpoint.id': bp.id });
  }
  return snap;
}
