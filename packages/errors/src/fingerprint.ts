/**
 * The fingerprint of an exception: what makes two exceptions "the same error".
 *
 * For each exception of the `cause` chain (outermost first, at most `MAX_CHAIN`): its type, its
 * message with the variable parts normalised, and its top `MAX_APP_FRAMES` in-app frames as
 * `module function` (never line or column numbers, which move with every edit). An exception
 * with no in-app frame counts by type and normalised message only: library and runtime frames
 * do not count, so "ECONNREFUSED inside undici" from two different call sites of the app is
 * still told apart by the app frames above it, and an error with none at all is not lumped
 * together with every other frameless error of the same type.
 */
import { createHash } from 'node:crypto';
import type { ErrorFrame } from '@debugpanel/model';
import { MAX_MESSAGE_LENGTH, normalizeMessage } from './normalize.js';
import { isMinified, MAX_STACK_LENGTH, parseStack } from './stack.js';

/** An exception as the sources give it: a span's `exception` event, a logged `Error`, a thrown value. */
export interface ExceptionInfo {
  type: string;
  message: string;
  stack?: string;
  cause?: ExceptionInfo;
}

/** In-app frames that count, from the top (where it was thrown). */
export const MAX_APP_FRAMES = 5;
/** Exceptions of a `cause` chain that count (and are kept) */
export const MAX_CHAIN = 5;

export interface FingerprintOptions {
  /** The app's root folder: file paths are made relative to it (default: none, the last three segments) */
  root?: string;
  /** Narrows what counts as in-app beyond `node_modules` / `node:` (e.g. `(f) => !f.includes('/vendor/')`) */
  isInApp?: (file: string) => boolean;
}

/** One link of an exception's chain, parsed. */
export interface ParsedLink {
  type: string;
  message: string;
  title: string;
  stack?: string;
  frames: ErrorFrame[];
}

export interface Fingerprinted {
  /** 16 lower-case hex characters */
  fingerprint: string;
  /** Outermost first */
  chain: ParsedLink[];
  /** `module function` of the top in-app frame of the outermost exception */
  culprit?: string;
}

/**
 * Fingerprints an exception and its `cause` chain.
 *
 * @example
 * const a = fingerprint({ type: 'Error', message: 'order 1 not found', stack });
 * const b = fingerprint({ type: 'Error', message: 'order 2 not found', stack });
 * a.fingerprint === b.fingerprint; // true: same place, same message shape
 */
export function fingerprint(exception: ExceptionInfo, options: FingerprintOptions = {}): Fingerprinted {
  const hash = createHash('sha1');
  const chain: ParsedLink[] = [];
  let culprit: string | undefined;
  for (let e: ExceptionInfo | undefined = exception; e !== undefined && chain.length < MAX_CHAIN; e = e.cause) {
    const message = e.message.length > MAX_MESSAGE_LENGTH ? e.message.slice(0, MAX_MESSAGE_LENGTH) : e.message;
    const stack = e.stack === undefined ? undefined : e.stack.length > MAX_STACK_LENGTH ? e.stack.slice(0, MAX_STACK_LENGTH) : e.stack;
    const frames = stack === undefined ? [] : parseStack(stack, options.root, options.isInApp);
    const title = normalizeMessage(message);
    const link: ParsedLink = { type: e.type, message, title, frames };
    if (stack !== undefined) link.stack = stack;
    chain.push(link);
    // Separators that cannot occur in the parts, so `a|bc` and `ab|c` hash apart.
    hash.update(`${chain.length > 1 ? '\u0002cause\u0002' : ''}${e.type}\u0001${title}`);
    let n = 0;
    for (const f of frames) {
      if (!f.inApp) continue;
      const part = isMinified(f) ? f.module : `${f.module} ${f.function}`;
      if (n === 0 && chain.length === 1) culprit = part;
      hash.update(`\u0001${part}`);
      if (++n === MAX_APP_FRAMES) break;
    }
  }
  const out: Fingerprinted = { fingerprint: hash.digest('hex').slice(0, 16), chain };
  if (culprit !== undefined) out.culprit = culprit;
  return out;
}

/**
 * An `ExceptionInfo` of anything thrown: the type is the class name (`NotFoundError`), or an
 * explicit `name` that differs from `Error`; non-errors report their `typeof` and `String()`.
 * Follows `cause` up to `MAX_CHAIN` deep, stopping at a cycle. Never throws (a getter that throws
 * leaves its field out).
 *
 * @example
 * fromError(new Error('checkout failed', { cause: new TypeError('x is undefined') })).cause!.type; // 'TypeError'
 */
export function fromError(err: unknown): ExceptionInfo {
  const seen = new Set<unknown>();
  const links: ExceptionInfo[] = [];
  for (let e: unknown = err; links.length < MAX_CHAIN && !seen.has(e); ) {
    seen.add(e);
    links.push(one(e));
    if (e === null || typeof e !== 'object') break;
    const cause = safe(() => (e as { cause?: unknown }).cause);
    if (cause === undefined) break;
    e = cause;
  }
  for (let i = links.length - 2; i >= 0; i--) links[i]!.cause = links[i + 1]!;
  return links[0]!;
}

function one(e: unknown): ExceptionInfo {
  if (e !== null && typeof e === 'object') {
    const o = e as { name?: unknown; message?: unknown; stack?: unknown; constructor?: { name?: unknown } };
    const ctorName = safe(() => o.constructor?.name);
    const ctor = typeof ctorName === 'string' ? ctorName : '';
    const n = safe(() => o.name);
    const name = typeof n === 'string' ? n : '';
    const type = name && name !== 'Error' ? name : ctor && ctor !== 'Object' ? ctor : name || 'Error';
    const m = safe(() => o.message);
    const s = safe(() => o.stack);
    const info: ExceptionInfo = { type, message: typeof m === 'string' ? m : text(e) };
    if (typeof s === 'string') info.stack = s;
    return info;
  }
  return { type: typeof e, message: text(e) };
}

function safe<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

function text(value: unknown): string {
  try {
    return String(value).slice(0, MAX_MESSAGE_LENGTH);
  } catch {
    return '[unprintable]';
  }
}
