/**
 * An exception's stack trace (`exception.stacktrace`, V8's `Error.stack` format) as lines a span
 * detail can show: the app's frames as links to that file and line in the Breakpoints view, and
 * each run of library frames (`node_modules`, `node:` internals, native code) folded into one
 * "N library frames" toggle, as Sentry and Chrome DevTools fold them.
 */

export interface StackFrame {
  /** The function, `async`/`new` prefixes kept (`async handler`); '' for a top-level frame */
  fn: string;
  /** The script as written in the stack: an absolute path, a `file://` URL decoded to its path, `node:...` */
  file: string;
  line: number;
  column: number | undefined;
  /** Not the app's own code: under `node_modules`, a `node:` or `internal/` module, or native */
  library: boolean;
}

/** One line of the stack: the message (and other text), or a frame. */
export type StackLine = { kind: 'text'; text: string } | { kind: 'frame'; text: string; frame: StackFrame | undefined };

/** A run of consecutive library frames, or one line. */
export type StackPart = StackLine | { kind: 'fold'; lines: StackLine[] };

// `at fn (loc)` or `at loc`; loc is `file:line[:col]` or `native` / `<anonymous>` / `unknown location`.
const AT = /^\s*at (?:(.+?) \((.*)\)|(.*))$/;
const LOC = /^(.*?):(\d+)(?::(\d+))?$/;

function isLibrary(file: string): boolean {
  return /[\\/]node_modules[\\/]/.test(file) || file.startsWith('node:') || file.startsWith('internal/') || !/[\\/]/.test(file);
}

function pathOf(file: string): string {
  if (!file.startsWith('file://')) return file;
  try {
    const p = decodeURIComponent(new URL(file).pathname);
    return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p; // file:///C:/x -> C:/x
  } catch {
    return file;
  }
}

/**
 * Splits a stack into lines: `at` lines become frames (undefined `frame` when V8 gave no file and
 * line, e.g. `at new Promise (<anonymous>)`, which counts as a library frame), the rest stay text.
 *
 * @example
 * parseStack('TypeError: x\n    at price (/app/src/pricing.ts:12:9)')[1]
 * // { kind: 'frame', text: 'at price (/app/src/pricing.ts:12:9)', frame: { fn: 'price', file: '/app/src/pricing.ts', line: 12, column: 9, library: false } }
 */
export function parseStack(stack: string): StackLine[] {
  const out: StackLine[] = [];
  for (const raw of stack.split(/\r?\n/)) {
    const m = AT.exec(raw);
    if (m === null) {
      if (raw.trim() !== '') out.push({ kind: 'text', text: raw });
      continue;
    }
    const text = raw.trim();
    const loc = m[2] ?? m[3] ?? '';
    const l = LOC.exec(loc);
    if (l === null) {
      out.push({ kind: 'frame', text, frame: undefined });
      continue;
    }
    const file = pathOf(l[1]!);
    out.push({
      kind: 'frame',
      text,
      frame: { fn: m[1] ?? '', file, line: Number(l[2]), column: l[3] === undefined ? undefined : Number(l[3]), library: isLibrary(file) },
    });
  }
  return out;
}

const isLibraryLine = (l: StackLine) => l.kind === 'frame' && (l.frame === undefined || l.frame.library);

/**
 * Folds each run of library frames into one part. A single library frame between app frames is
 * folded too (the toggle says "1 library frame"), so the app's own frames line up.
 *
 * @example
 * foldStack(parseStack(stack)).map((p) => p.kind); // ['text', 'frame', 'fold', 'frame', 'fold']
 */
export function foldStack(lines: ReadonlyArray<StackLine>): StackPart[] {
  const out: StackPart[] = [];
  for (const l of lines) {
    if (!isLibraryLine(l)) {
      out.push(l);
      continue;
    }
    const last = out[out.length - 1];
    if (last?.kind === 'fold') last.lines.push(l);
    else out.push({ kind: 'fold', lines: [l] });
  }
  return out;
}
