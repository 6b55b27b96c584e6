import path from 'node:path';
import type { Entry } from './runtime.js';
import { ScriptRegistry, type ScriptInfo } from './scripts.js';
import type { V8Events, V8Session } from './session.js';

const JS_FILE = /\.(?:[cm]?js)$/;

type Found = { script: { url: string }; line: number; column: number } | { script: { url: string }; error: string };

/**
 * Where the agent's breakpoints meet V8's: `Debugger.setBreakpointByUrl` for loaded JavaScript, a
 * URL pattern for JavaScript not loaded yet (V8 binds it at compile time), and source maps for
 * TypeScript (bound when a script whose map lists the file is parsed). V8 only ever gets a
 * location: never a condition, which it would evaluate with side effects allowed.
 */
export class V8Breakpoints {
  readonly registry = new ScriptRegistry();
  private readonly byV8 = new Map<string, Entry>();

  constructor(
    private readonly session: V8Session,
    /** Called when a breakpoint binds or fails after it was set (a script loaded later). */
    private readonly changed: () => void,
  ) {}

  entryOf(v8Id: string): Entry | undefined {
    return this.byV8.get(v8Id);
  }

  /** Forgets every V8 id (after Debugger.disable, V8 forgot them too). */
  clear(): void {
    this.byV8.clear();
    this.registry.clear();
  }

  /** A parsed script may be the one a pending TypeScript breakpoint waits for. */
  onScriptParsed(p: V8Events['Debugger.scriptParsed'], entries: Iterable<Entry>): void {
    const file = this.registry.add({ scriptId: p.scriptId, url: p.url, sourceMapURL: p.sourceMapURL ?? '' });
    if (!file || !p.sourceMapURL) return;
    const script = this.registry.byScriptId(p.scriptId)!;
    for (const e of entries) {
      if (e.bp.state !== 'pending' || e.v8Id) continue;
      const found = this.registry.generatedIn(script, e.bp.file, e.bp.line);
      if (found) {
        this.bind(e, found);
        this.changed();
      }
    }
  }

  onResolved(p: V8Events['Debugger.breakpointResolved']): void {
    const e = this.byV8.get(p.breakpointId);
    if (!e || e.bp.state !== 'pending') return;
    e.bp.state = 'active';
    const info = this.registry.byScriptId(p.location.scriptId);
    e.bp.generated = { url: info?.url ?? '', line: p.location.lineNumber + 1, column: p.location.columnNumber ?? 0 };
    this.changed();
  }

  /** Puts the breakpoint into V8, directly for JavaScript, through a source map for the rest. */
  arm(e: Entry): void {
    if (e.v8Id) return;
    const { file, line } = e.bp;
    const script = this.registry.byFile(file);
    if (script) {
      // Loaded under its own name: plain JS, or TS through a loader (tsx) with an inline map.
      return this.bind(e, this.registry.generatedIn(script, file, line) ?? { script, line, column: 0 });
    }
    if (JS_FILE.test(file)) {
      // Not loaded yet: a URL pattern lets V8 bind it the moment the script is compiled.
      const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const fileUrl = new URL(`file://${file.split(path.sep).map(encodeURIComponent).join('/')}`).href;
      return this.set(e, { urlRegex: `^(?:${esc(file)}|${esc(fileUrl)})$`, lineNumber: line - 1 });
    }
    const found = this.registry.findGenerated(file, line);
    if (found) return this.bind(e, found);
    e.bp.state = 'pending';
  }

  /** Takes the breakpoint out of V8 (`debuggerOn` false: V8 already dropped it). */
  disarm(e: Entry, debuggerOn: boolean): boolean {
    if (!e.v8Id) return true;
    const id = e.v8Id;
    this.byV8.delete(id);
    e.v8Id = undefined;
    if (!debuggerOn) return true;
    try {
      this.session.post('Debugger.removeBreakpoint', { breakpointId: id });
      return true;
    } catch {
      return false;
    }
  }

  isLoaded(file: string): boolean {
    return this.registry.byFile(file) !== undefined;
  }

  private bind(e: Entry, found: Found): void {
    if ('error' in found) return fail(e, found.error);
    this.set(e, { url: found.script.url, lineNumber: found.line - 1, columnNumber: found.column });
  }

  private set(e: Entry, params: Record<string, unknown>): void {
    let res: { breakpointId: string; locations: Array<{ scriptId: string; lineNumber: number; columnNumber?: number }> };
    try {
      res = this.session.post('Debugger.setBreakpointByUrl', params);
    } catch (err) {
      return fail(e, `V8 refused the breakpoint: ${(err as Error).message}`);
    }
    e.v8Id = res.breakpointId;
    this.byV8.set(res.breakpointId, e);
    const loc = res.locations[0];
    if (!loc) {
      e.bp.state = 'pending';
      return;
    }
    e.bp.state = 'active';
    const info: ScriptInfo | undefined = this.registry.byScriptId(loc.scriptId);
    e.bp.generated = { url: info?.url ?? String(params.url ?? ''), line: loc.lineNumber + 1, column: loc.columnNumber ?? 0 };
  }
}

function fail(e: Entry, message: string): void {
  e.bp.state = 'error';
  e.bp.error = message;
}
