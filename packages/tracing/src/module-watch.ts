/**
 * Tells when the app loads a CommonJS package, without loading it into the process itself: the
 * panel patches pg, mysql2, pino and winston only once the app has them (each costs 0.3-1.7 MiB of
 * live heap, ~4x that in RSS under load, for an app that has them installed but never requires
 * them). Both orders are covered:
 * - loaded before: every copy already in `require.cache` (whatever path it came from) is reported
 *   when the watch starts;
 * - loaded after: one `Module._load` hook sees each request. `require('pg')`, `require('pg/lib/x')`
 *   and an ESM `import pg from 'pg'` (Node passes the CommonJS loader the file's absolute path,
 *   `.../node_modules/pg/lib/index.js`) all name the package; after such a load returns, the
 *   cache is scanned again for copies of the watched file not reported yet.
 * A load that names no watched package costs one string comparison per watch.
 */
import Module, { createRequire } from 'node:module';
import { sep } from 'node:path';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

interface Watch {
  pkg: string;
  /** `${sep}node_modules${sep}pkg${sep}file`: how a copy's path in the cache ends */
  suffix: string;
  /** `${sep}node_modules${sep}pkg${sep}`: an absolute request into the package contains it */
  inside: string;
  seen: Set<string>;
  onLoad(exports: unknown, file: string): void;
}

const cache = createRequire(import.meta.url).cache as Record<string, { loaded: boolean; exports: unknown } | undefined>;
const watches = new Set<Watch>();
let restoreLoad: (() => void) | undefined;

function names(w: Watch, request: string): boolean {
  return request === w.pkg || (request.startsWith(w.pkg) && request.charCodeAt(w.pkg.length) === 47 /* / */) || request.includes(w.inside);
}

function scan(w: Watch): void {
  for (const key of Object.keys(cache)) {
    if (!key.endsWith(w.suffix) || w.seen.has(key)) continue;
    const mod = cache[key];
    // a file still running (a require cycle) is reported once it has finished, on a later load
    if (mod === undefined || !mod.loaded) continue;
    w.seen.add(key);
    try {
      w.onLoad(mod.exports, key);
    } catch {
      // patching is the panel's business: the app's require returns its module regardless
    }
  }
}

function hook(): void {
  if (restoreLoad !== undefined) return;
  const M = Module as unknown as { _load: Load };
  const original = M._load;
  const hooked: Load = function (this: unknown, request, parent, isMain) {
    const exports = original.call(this, request, parent, isMain);
    if (typeof request === 'string') for (const w of watches) if (names(w, request)) scan(w);
    return exports;
  };
  M._load = hooked;
  restoreLoad = () => {
    if (M._load === hooked) M._load = original;
    restoreLoad = undefined;
  };
}

/**
 * Calls `onLoad(exports, path)` once for each copy of `pkg`'s `file` (e.g. `pino`, `pino.js`)
 * loaded now or later; returns the undo (the hook goes when the last watch does). `onLoad` runs
 * inside the app's `require` of the package: it must not throw (wrap it).
 *
 * @example
 * const stop = watchModule('pg', 'lib/index.js', (pg) => instrumentPg(state, pg));
 */
export function watchModule(pkg: string, file: string, onLoad: (exports: unknown, path: string) => void): () => void {
  const inside = `${sep}node_modules${sep}${pkg}${sep}`;
  const w: Watch = { pkg, suffix: inside + file.split('/').join(sep), inside, seen: new Set(), onLoad };
  watches.add(w);
  hook();
  scan(w);
  return () => {
    watches.delete(w);
    if (watches.size === 0) restoreLoad?.();
  };
}
