import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { closest } from '@debugpanel/model';
import { DebugPanelInspectorError } from './errors.js';
import { checkExpression, parseTemplate, type TemplatePart } from './expressions.js';
import { MAX_EXPIRY_MS } from './options.js';
import type { Breakpoint, BreakpointInput } from './types.js';

const KNOWN_INPUT = ['file', 'line', 'kind', 'condition', 'watch', 'message', 'maxHits', 'expiresInMs'];
const MAX_WATCHES = 10;
const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
/** Files the agent would really break in; the panel's source list shows the same ones. */
export const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

export interface ValidationContext {
  root: string;
  defaultExpiryMs: number;
  now: number;
  /** True for a script V8 has loaded (it may be anywhere under the root, a hidden folder too). */
  isLoaded: (file: string) => boolean;
  newId: () => string;
}

export interface Valid {
  bp: Breakpoint;
  parts?: TemplatePart[];
}

const bad = (m: string) => new DebugPanelInspectorError('BAD_INPUT', m);

/**
 * Resolves a user path under `root`; undefined when it escapes (`..`, an absolute path elsewhere, a
 * symlink that leads out). A path that does not exist resolves (the caller says "not found").
 *
 * @example
 * resolveUnder('/app', 'src/a.ts'); // '/app/src/a.ts'
 * resolveUnder('/app', '../etc/passwd'); // undefined
 */
export function resolveUnder(root: string, p: string): string | undefined {
  if (typeof p !== 'string' || p === '' || p.includes('\0')) return undefined;
  const abs = path.resolve(root, p);
  const inside = (x: string) => x === root || x.startsWith(root + path.sep);
  if (!inside(abs)) return undefined;
  try {
    return inside(realpathSync(abs)) ? abs : undefined;
  } catch {
    return abs;
  }
}

/** A code file outside hidden folders, by its path relative to `root`. */
export function isSourcePath(root: string, abs: string): boolean {
  return SOURCE_FILE.test(abs) && !path.relative(root, abs).split(path.sep).some((s) => s.startsWith('.'));
}

/**
 * The checks a breakpoint passes before anything reaches V8, the same for the API and for one
 * restored from disk. Pure but for reading the file (to count its lines): no inspector needed.
 * Only files the agent would break in are named in an answer: anything else (`.env`, a file outside
 * the root, one that does not exist) gets one refusal that says nothing about it.
 */
export function validateInput(input: BreakpointInput, ctx: ValidationContext): Valid {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw bad('a breakpoint needs { file, line }');
  for (const k of Object.keys(input)) {
    if (KNOWN_INPUT.includes(k)) continue;
    const near = closest(k, KNOWN_INPUT);
    throw bad(`unknown field "${k}"${near ? `; did you mean ${near}?` : ''} (known: ${KNOWN_INPUT.join(', ')})`);
  }
  const file = checkFile(input.file, ctx);
  const lines = countLines(file, input.file);
  if (!Number.isInteger(input.line) || input.line < 1 || input.line > lines) {
    throw bad(`line must be an integer from 1 to ${lines} (the length of ${input.file}), got ${String(input.line)}`);
  }
  return checkFields(input, file, ctx);
}

const MAX_LINE = 10_000_000;

/**
 * The checks a hub makes before it sends a breakpoint to the service that runs its file: every
 * field as `validateInput` checks it, but the file only by its shape (a relative source path, no
 * `..`, no hidden folder), since it lies in the other service's folder. The service runs
 * `validateInput` on what arrives, whatever the hub checked.
 *
 * @example
 * validateShape({ file: 'src/orders.ts', line: 12, condition: 'order.total > 100' }); // ok
 * validateShape({ file: '../etc/passwd', line: 1 }); // throws BAD_INPUT
 */
export function validateShape(input: BreakpointInput): void {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw bad('a breakpoint needs { file, line }');
  for (const k of Object.keys(input)) {
    if (KNOWN_INPUT.includes(k)) continue;
    const near = closest(k, KNOWN_INPUT);
    throw bad(`unknown field "${k}"${near ? `; did you mean ${near}?` : ''} (known: ${KNOWN_INPUT.join(', ')})`);
  }
  const f = input.file;
  if (typeof f !== 'string' || f === '') throw bad('file must be a non-empty string');
  const parts = f.split(/[\\/]/);
  if (f.length > 1000 || f.includes('\0') || path.isAbsolute(f) || /^[a-z]:/i.test(f) || parts.some((p) => p === '..' || p.startsWith('.')) || !SOURCE_FILE.test(f)) {
    throw bad(`file must be a source file (.js, .mjs, .cjs, .ts, .mts, .cts, .jsx, .tsx) relative to the service's root, outside hidden folders; got ${JSON.stringify(f.slice(0, 200))}`);
  }
  if (!Number.isInteger(input.line) || input.line < 1 || input.line > MAX_LINE) throw bad(`line must be an integer from 1, got ${String(input.line)}`);
  checkFields(input, f, { defaultExpiryMs: 1, now: 0, newId: () => 'bp_check' });
}

function checkFields(input: BreakpointInput, file: string, ctx: Pick<ValidationContext, 'defaultExpiryMs' | 'now' | 'newId'>): Valid {
  const kind = input.kind ?? (input.message !== undefined ? 'logpoint' : 'snapshot');
  if (kind !== 'snapshot' && kind !== 'logpoint') throw bad(`kind must be "snapshot" or "logpoint", got "${String(kind)}"`);
  let condition: string | undefined;
  if (input.condition !== undefined && input.condition !== '') {
    const why = checkExpression(input.condition, 'condition');
    if (why) throw bad(why);
    condition = input.condition.trim();
  }
  const watch = input.watch ?? [];
  if (!Array.isArray(watch) || watch.length > MAX_WATCHES) throw bad(`watch must be an array of at most ${MAX_WATCHES} expressions`);
  for (const w of watch) {
    const why = checkExpression(w, 'watch');
    if (why) throw bad(why);
  }
  let parts: TemplatePart[] | undefined;
  if (kind === 'logpoint') {
    const r = parseTemplate(input.message ?? '');
    if (typeof r === 'string') throw bad(r);
    parts = r;
  } else if (input.message !== undefined) {
    throw bad('message is for logpoints; use kind "logpoint" or leave message out');
  }
  let maxHits: number | null = kind === 'snapshot' ? 1 : null;
  if (input.maxHits !== undefined && input.maxHits !== null) {
    if (!Number.isInteger(input.maxHits) || input.maxHits < 1 || input.maxHits > 1_000_000) throw bad('maxHits must be an integer from 1 to 1000000');
    maxHits = input.maxHits;
  }
  let expiresIn = ctx.defaultExpiryMs;
  if (input.expiresInMs !== undefined) {
    if (typeof input.expiresInMs !== 'number' || !(input.expiresInMs > 0) || input.expiresInMs > MAX_EXPIRY_MS) {
      throw bad(`expiresInMs must be a number of ms from 1 to ${MAX_EXPIRY_MS} (one day)`);
    }
    expiresIn = input.expiresInMs;
  }
  const bp: Breakpoint = {
    id: ctx.newId(), file, line: input.line, kind, watch: [...watch], maxHits, hits: 0, state: 'pending',
    createdAt: ctx.now, expiresAt: ctx.now + expiresIn,
    ...(condition ? { condition } : {}),
    ...(kind === 'logpoint' ? { message: input.message } : {}),
  };
  return { bp, ...(parts ? { parts } : {}) };
}

function checkFile(input: unknown, ctx: ValidationContext): string {
  const refuse = () =>
    bad(`file must be a source file (.js, .mjs, .cjs, .ts, .mts, .cts, .jsx, .tsx) under the app's root, outside hidden folders, or a script the app has loaded; got ${JSON.stringify(input)?.slice(0, 200)}`);
  if (typeof input !== 'string' || input === '') throw bad('file must be a non-empty string');
  const file = resolveUnder(ctx.root, input);
  if (!file || !(isSourcePath(ctx.root, file) || ctx.isLoaded(file))) throw refuse();
  return file;
}

function countLines(file: string, asGiven: string): number {
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    if (st.size > MAX_SOURCE_BYTES) throw bad(`${asGiven} is larger than ${MAX_SOURCE_BYTES} bytes`);
    return readFileSync(file, 'utf8').split('\n').length;
  } catch (err) {
    if (err instanceof DebugPanelInspectorError) throw err;
    throw bad(`file not found: ${asGiven}`);
  }
}

/**
 * A breakpoint read back from disk, put through `validateInput` again (a hand-edited file must not
 * arm what the API would refuse), keeping its id, hits and times. `expiresAt` is clamped to the
 * longest lifetime from now. Returns the reason when it must not be armed.
 */
export function validateRestored(saved: unknown, ctx: Omit<ValidationContext, 'newId'>): Valid | { error: string } {
  const s = saved as Partial<Breakpoint> | null;
  if (!s || typeof s !== 'object' || typeof s.id !== 'string' || !/^bp_[\w-]{1,40}$/.test(s.id)) return { error: 'not a breakpoint record' };
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!num(s.createdAt) || !num(s.expiresAt) || !Number.isInteger(s.hits) || s.hits! < 0) return { error: 'its times or hit count are not numbers' };
  try {
    const input: BreakpointInput = { file: s.file as string, line: s.line as number, watch: s.watch as string[] };
    if (s.kind !== undefined) input.kind = s.kind;
    if (s.condition !== undefined) input.condition = s.condition;
    if (s.message !== undefined) input.message = s.message;
    if (s.maxHits !== null && s.maxHits !== undefined) input.maxHits = s.maxHits;
    const { bp, parts } = validateInput(input, { ...ctx, newId: () => s.id! });
    bp.hits = s.hits!;
    bp.createdAt = s.createdAt!;
    bp.expiresAt = Math.min(s.expiresAt!, ctx.now + MAX_EXPIRY_MS);
    if (s.coolDowns !== undefined && Number.isInteger(s.coolDowns)) bp.coolDowns = s.coolDowns;
    return { bp, ...(parts ? { parts } : {}) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
