/**
 * The Breakpoints view's side of the live-breakpoints JSON API and its pure helpers. The shapes
 * (breakpoints, snapshots, captured values, the route answers) are the API contract's, in
 * `@debugpanel/model` (`api/breakpoints.ts`).
 */
import type { Breakpoint, BreakpointInput, BreakpointKind, CapturedValue, Snapshot, SourceEntry, SourceFileParams } from '@debugpanel/model';
import { apiPath } from '../api.js';

export { formatBreakpointsHash, parseBreakpointsHash, type BreakpointsLocation } from './breakpoints-hash.js';

export const sourceFilePath = (path: string, service?: string) => apiPath('api/sources/file', { path, service } satisfies SourceFileParams);

/**
 * The service a breakpoint on `file` goes to: the one picked, if it runs the file; else the first
 * that runs it (the answering panel's own first); else the answering panel itself (`own`).
 */
export function targetService(entry: SourceEntry | undefined, own: string, picked?: string): string {
  const runs = entry?.services ?? [];
  if (picked && (runs.includes(picked) || picked === own)) return picked;
  if (runs.includes(own)) return own;
  return runs[0] ?? own;
}

/**
 * What a capture cost, in words the snapshot detail shows: the pause is the time the paused
 * thread waited (the request that hit the line, and every other request of that process).
 * @example captureCost({ captureUs: 3100, bytes: 3400, service: 'orders' }) // 'paused orders for 3.1 ms to capture 3.3 KB'
 */
export function captureCost(s: Pick<Snapshot, 'captureUs' | 'bytes' | 'service'>): string {
  const ms = s.captureUs / 1000;
  const t = ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
  const kb = s.bytes < 1024 ? `${s.bytes} B` : `${(s.bytes / 1024).toFixed(1)} KB`;
  return `paused ${s.service ?? 'the process'} for ${t} ms to capture ${kb}`;
}
export const snapshotPath = (id: string) => `api/snapshots/${encodeURIComponent(id)}`;

/** `abs` relative to `root` with forward slashes; unchanged when it is not under `root`. */
export function relativeTo(root: string, abs: string): string {
  const r = root.replace(/[\\/]+$/, '');
  const a = abs.replace(/\\/g, '/');
  const rr = r.replace(/\\/g, '/');
  if (rr && a.startsWith(rr + '/')) return a.slice(rr.length + 1);
  return a.startsWith('file://') ? relativeTo(root, decodeURIComponent(a.slice(7))) : a;
}

const BUILD_DIR = /(^|\/)(dist|build|out|lib)\//;
const TEST_FILE = /(\.(test|spec)\.[cm]?[jt]sx?$)|(^|\/)__tests__\//;
const stem = (f: string) => f.replace(/^.*\//, '').replace(/\.[cm]?[jt]sx?$/, '');

/**
 * Files matching a filter: every space-separated word must occur (case-insensitive). Files under
 * `src/` sort before build output (`dist/`, `build/`), since a user sets breakpoints in sources.
 * Tests (`*.test.ts`, `*.spec.js`, `__tests__/`) and build copies of a listed source
 * (`dist/server.js` beside `src/server.ts`) are left out, counted in `hidden`, unless a word asks
 * for them (`test`, `spec`, `dist`, `build`, `out`, `lib`).
 */
export function filterFiles(files: readonly string[], query: string, limit = 2000): { files: string[]; more: number; hidden: number } {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const wantTests = words.some((w) => w.includes('test') || w.includes('spec'));
  const wantBuild = words.some((w) => /^(dist|build|out|lib)/.test(w));
  const sources = new Set(files.filter((f) => !BUILD_DIR.test(f) && /\.[cm]?tsx?$/.test(f)).map(stem));
  let hidden = 0;
  const hit = files.filter((f) => {
    const l = f.toLowerCase();
    if (!words.every((w) => l.includes(w))) return false;
    if ((!wantTests && TEST_FILE.test(f)) || (!wantBuild && BUILD_DIR.test(f) && sources.has(stem(f)))) {
      hidden++;
      return false;
    }
    return true;
  });
  const rank = (f: string) => (BUILD_DIR.test(f) ? 2 : /\.(c|m)?js$/.test(f) ? 1 : 0);
  hit.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return { files: hit.slice(0, limit), more: Math.max(0, hit.length - limit), hidden };
}

/** What the form holds, as typed. */
export interface BreakpointForm {
  kind: BreakpointKind;
  condition: string;
  /** One expression per line */
  watch: string;
  message: string;
  maxHits: string;
}

export const EMPTY_FORM: BreakpointForm = { kind: 'snapshot', condition: '', watch: '', message: '', maxHits: '' };

/** The POST body for a form, or the reason it cannot be sent (checked here so the user sees it at once). */
export function breakpointInput(file: string, line: number, form: BreakpointForm, service?: string): { input: BreakpointInput } | { error: string } {
  const input: BreakpointInput = { file, line, kind: form.kind, ...(service ? { service } : {}) };
  const condition = form.condition.trim();
  if (condition) input.condition = condition;
  if (form.kind === 'logpoint') {
    const message = form.message.trim();
    if (!message) return { error: 'a logpoint needs a message, e.g. "user {user.id} has {cart.length} items"' };
    input.message = message;
  } else {
    const watch = form.watch.split('\n').map((w) => w.trim()).filter(Boolean);
    if (watch.length > 10) return { error: `at most 10 watch expressions, got ${watch.length}` };
    if (watch.length) input.watch = watch;
  }
  const mh = form.maxHits.trim();
  if (mh) {
    const n = Number(mh);
    if (!Number.isInteger(n) || n < 1) return { error: `max hits must be a whole number of at least 1, got "${mh}"` };
    input.maxHits = n;
  }
  return { input };
}

/** Breakpoints of one file by line (a server allows one per line). */
export function breakpointsByLine(bps: readonly Breakpoint[], root: string, file: string): Map<number, Breakpoint> {
  const out = new Map<number, Breakpoint>();
  for (const b of bps) if (relativeTo(root, b.file) === file) out.set(b.line, b);
  return out;
}

/** One-line preview of a captured value: `"abc"`, `42`, `Array(3)`, `{id, total, …}`. */
export function valuePreview(v: CapturedValue): string {
  if (v.note === 'redacted') return '[REDACTED]';
  if (v.type === 'string' && typeof v.value === 'string') return JSON.stringify(v.value) + (v.note === 'truncated' ? '…' : '');
  if (v.value === null || v.type === 'null') return 'null';
  if (v.type === 'undefined') return 'undefined';
  // A plain object's description says nothing ("Object"): its first keys say more.
  if (v.value !== undefined && !(v.value === 'Object' && v.members?.length)) return String(v.value);
  if (v.members?.length) {
    const names = v.members.slice(0, 4).map((m) => m.name);
    return `{${names.join(', ')}${v.members.length > 4 || v.note === 'more' ? ', …' : ''}}`;
  }
  return v.type;
}

/** Why a value is incomplete, in words (for a tooltip). */
export function noteText(note: CapturedValue['note']): string | undefined {
  switch (note) {
    case 'redacted': return 'redacted: the key looks like a secret';
    case 'truncated': return 'string cut at the capture limit';
    case 'depth': return 'not expanded: nesting depth limit';
    case 'internal': return 'not expanded: internal state (a name starting with _), to keep the pause short';
    case 'budget': return 'not captured: snapshot size limit';
    case 'more': return 'more properties than the capture limit';
    default: return undefined;
  }
}

/** Human text for a breakpoint's state, with the reason for `error` and the hit count. */
export function stateLabel(b: Breakpoint): string {
  const hits = b.maxHits === null ? `${b.hits}` : `${b.hits}/${b.maxHits}`;
  if (b.state === 'error') return `error: ${b.error ?? 'unknown'}`;
  if (b.delivery === 'sent') return `sent to ${b.service ?? 'its service'}: waiting for its panel to pull it`;
  // A failing condition counts as false: say so, or the breakpoint just looks idle.
  const failed = b.conditionErrors ? ` · condition failed ${b.conditionErrors}× (${b.lastConditionError ?? 'error'})` : '';
  return `${b.state} · ${hits} hit${b.hits === 1 ? '' : 's'}${failed}`;
}

/** Time left until `at`: "45s", "12m", "1h 5m" (never negative). */
export function expiresIn(at: number, now: number): string {
  const s = Math.max(0, Math.round((at - now) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ''}`;
}

/** Lines of a file for display; a trailing newline does not make an empty last line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
