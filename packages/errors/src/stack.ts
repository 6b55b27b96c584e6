/**
 * V8 stack traces (`err.stack`, `exception.stacktrace`) -> frames. Only the `    at ...` lines are
 * read, so a message of several lines above them does no harm; at most `MAX_FRAMES` frames.
 */
import type { ErrorFrame } from '@debugpanel/model';

/** Frames read from one stack; the rest is ignored (a deep recursion adds nothing). */
export const MAX_FRAMES = 64;
/** Stacks are cut to this many characters before they are parsed or stored. */
export const MAX_STACK_LENGTH = 16_384;

// `at fn (location)` or `at location`; `location` is `file:line:col`, `file:line`, `native` or
// `<anonymous>`. `fn` may start with `async ` or `new ` and end with ` [as alias]`.
const AT = /^\s*at (?:(.+?) \((.*)\)|(.+))$/;
const LOCATION = /^(.*?):(\d+)(?::(\d+))?$/;

/**
 * Parses a V8 stack. Frames in `node_modules`, `node:` and `internal/` modules, native frames and
 * frames with no file are not in-app; `isInApp` may narrow that further (e.g. a vendored folder).
 *
 * @example
 * parseStack('TypeError: x\n    at price (/srv/shop/src/pricing.ts:12:5)', '/srv/shop')[0];
 * // { function: 'price', module: 'src/pricing', file: '/srv/shop/src/pricing.ts', line: 12, column: 5, inApp: true }
 */
export function parseStack(stack: string, root?: string, isInApp?: (file: string) => boolean): ErrorFrame[] {
  const frames: ErrorFrame[] = [];
  const text = stack.length > MAX_STACK_LENGTH ? stack.slice(0, MAX_STACK_LENGTH) : stack;
  for (const line of text.split('\n')) {
    if (frames.length === MAX_FRAMES) break;
    const m = AT.exec(line);
    if (!m) continue;
    const fn = m[1];
    let location = (m[2] ?? m[3] ?? '').trim();
    // `eval at outer (file:1:2), <anonymous>:1:1`: the eval'd code belongs to the file around it.
    const evalAt = /^eval at [^(]*\((.*?)\)/.exec(location);
    if (evalAt) location = evalAt[1]!;
    const loc = LOCATION.exec(location);
    const file = loc ? loc[1]! : location;
    // `native`, `<anonymous>`, `index 0` (of `Promise.all`): no file, so not in-app.
    const isFile = loc !== null ? file !== '<anonymous>' : file.includes('/') || file.includes('\\');
    const frame: ErrorFrame = {
      function: functionName(fn),
      module: isFile ? moduleOf(file, root) : '<native>',
      inApp: false,
    };
    if (isFile) frame.file = file;
    if (loc) {
      frame.line = Number(loc[2]);
      if (loc[3] !== undefined) frame.column = Number(loc[3]);
    }
    frame.inApp = frame.file !== undefined && isAppFile(frame.file) && (isInApp === undefined || isInApp(frame.file));
    frames.push(frame);
  }
  return frames;
}

function isAppFile(file: string): boolean {
  if (file.startsWith('node:') || file.startsWith('internal/') || file.startsWith('wasm://')) return false;
  return !/[\\/]node_modules[\\/]/.test(file);
}

/**
 * The function as it names the code, not the call: `async ` and `new ` dropped, ` [as alias]`
 * dropped, `Object.<anonymous>` (a CommonJS module's top level) and none at all made `<anonymous>`.
 */
export function functionName(raw: string | undefined): string {
  if (raw === undefined) return '<anonymous>';
  let fn = raw.trim();
  if (fn.startsWith('async ')) fn = fn.slice(6);
  if (fn.startsWith('new ')) fn = fn.slice(4);
  fn = fn.replace(/ \[as [^\]]*\]$/, '');
  if (fn === '' || fn === 'Object.<anonymous>' || fn === '<anonymous>') return '<anonymous>';
  return fn;
}

/**
 * A file named the same on every machine and in every build: the URL scheme, query and hash
 * dropped, the path made relative to `root` (else to the last `node_modules/`, or its last three
 * segments), the extension dropped (`.ts` and its built `.js` are one module), a content hash in
 * a bundle's name (`app-3f9a1c2d.js`) dropped.
 *
 * @example
 * moduleOf('file:///srv/shop/dist/services/orders.js?v=3', '/srv/shop'); // 'dist/services/orders'
 */
export function moduleOf(file: string, root?: string): string {
  if (file === '' || file === 'native' || file === '<anonymous>') return file || '<unknown>';
  let f = file.replace(/^file:\/\//, '').replace(/[?#].*$/, '').replace(/\\/g, '/');
  if (f.startsWith('node:')) return f;
  const nm = f.lastIndexOf('/node_modules/');
  if (nm >= 0) f = f.slice(nm + 1);
  else if (root !== undefined && root !== '' && f.startsWith(rootPrefix(root))) {
    f = f.slice(rootPrefix(root).length);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(f)) {
    f = f.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '');
  } else {
    const parts = f.split('/').filter(Boolean);
    f = parts.slice(-3).join('/');
  }
  return f
    .replace(/\.(?:min\.)?(?:[cm]?[jt]sx?)$/, '')
    .replace(/[.-][0-9a-f]{8,}(?=$|[.-])/i, '');
}

function rootPrefix(root: string): string {
  return root.replace(/\\/g, '/').replace(/\/?$/, '/');
}

/**
 * True for a frame of minified code (`*.min.js`, or a bundle whose name holds a content hash):
 * its function names are the minifier's (`t`, `e`) and change from build to build.
 */
export function isMinified(frame: ErrorFrame): boolean {
  const file = (frame.file ?? '').replace(/[?#].*$/, '');
  return /\.min\.[cm]?js$/.test(file) || /[.-][0-9a-f]{8,}\.[cm]?js$/i.test(file);
}
