/**
 * The Breakpoints view's source list: the app's source files under its root, without tests and
 * without build output that has a source-mapped original, each marked with whether this process
 * runs it. "Runs" is a static import walk from the entry script (`process.argv[1]`, and the
 * CommonJS modules in `require.cache`), followed through source maps to the originals: no
 * inspector, so listing never pauses the process (Debugger.enable took 30-170 ms on the demo).
 */
import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCE_FILE } from '@debugpanel/breakpoints';

const MAX_FILES = 5000;
const MAX_WALKED = 2000;
const MAX_READ_BYTES = 2 * 1024 * 1024;
const SKIP_DIRS = new Set(['node_modules', 'coverage']);
/** `*.test.ts`, `*.spec.js`, `__tests__/` */
export const TEST_FILE = /(?:\.(?:test|spec)\.[cm]?[jt]sx?$)|(?:^|\/)__tests__\//;
const BUILD_DIR = /(?:^|\/)(?:dist|build|out|lib)\//;
/** Relative specifiers of static and dynamic imports, re-exports and require calls. */
const IMPORT = /\bfrom\s*['"](\.{1,2}\/[^'"\n]+)['"]|\bimport\s*\(?\s*['"](\.{1,2}\/[^'"\n]+)['"]|\brequire\s*\(\s*['"](\.{1,2}\/[^'"\n]+)['"]\s*\)/g;
const MAP_REF = /\/\/# sourceMappingURL=([^\s'"]+)\s*$/;

export interface SourceListing {
  /** Relative to the root, `/`-separated, sorted */
  files: string[];
  /** Tests and build copies left out */
  hidden: number;
  truncated: boolean;
}

/** Every source file under `root` (hidden folders, node_modules and `.d.ts` left out). */
async function walkSources(root: string): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  let truncated = false;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 20 || truncated) return;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(abs, depth + 1);
      } else if (e.isFile() && SOURCE_FILE.test(e.name) && !e.name.endsWith('.d.ts')) {
        if (files.length >= MAX_FILES) {
          truncated = true;
          return;
        }
        files.push(path.relative(root, abs).split(path.sep).join('/'));
      }
    }
  };
  await walk(root, 0);
  return { files: files.sort(), truncated };
}

/** The original sources a JavaScript file's source map names (sibling `.map` or its `sourceMappingURL`), absolute. */
async function mappedSources(abs: string): Promise<string[]> {
  let mapFile = `${abs}.map`;
  if (!existsSync(mapFile)) {
    let text: string;
    try {
      const st = await fs.stat(abs);
      if (st.size > MAX_READ_BYTES) return [];
      text = await fs.readFile(abs, 'utf8');
    } catch {
      return [];
    }
    const ref = MAP_REF.exec(text.slice(-2000))?.[1];
    if (!ref || ref.startsWith('data:') || /^[a-z]+:/i.test(ref)) return [];
    mapFile = path.resolve(path.dirname(abs), ref);
  }
  try {
    const st = await fs.stat(mapFile);
    if (st.size > MAX_READ_BYTES * 10) return [];
    const map = JSON.parse(await fs.readFile(mapFile, 'utf8')) as { sources?: unknown; sourceRoot?: unknown };
    if (!Array.isArray(map.sources)) return [];
    const base = path.resolve(path.dirname(mapFile), typeof map.sourceRoot === 'string' ? map.sourceRoot : '');
    return map.sources.filter((s): s is string => typeof s === 'string').map((s) => (s.startsWith('file://') ? fileURLToPath(s) : path.resolve(base, s)));
  } catch {
    return [];
  }
}

/**
 * The source list of `root`: tests left out, and a build file (`dist/x.js`) left out when its
 * source map names an original that is in the list too.
 */
export async function listSources(root: string): Promise<SourceListing> {
  const { files, truncated } = await walkSources(root);
  const listed = new Set(files);
  let hidden = 0;
  const out: string[] = [];
  for (const f of files) {
    if (TEST_FILE.test(f)) {
      hidden++;
      continue;
    }
    if (BUILD_DIR.test(f) && /\.[cm]?js$/.test(f)) {
      const originals = await mappedSources(path.join(root, f));
      if (originals.some((o) => listed.has(path.relative(root, o).split(path.sep).join('/')))) {
        hidden++;
        continue;
      }
    }
    out.push(f);
  }
  return { files: out, hidden, truncated };
}

const CANDIDATES: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

function resolveImport(from: string, spec: string): string | undefined {
  const abs = path.resolve(path.dirname(from), spec.split('?')[0]!);
  const tries = [abs];
  const ext = path.extname(abs);
  // TypeScript sources import `./x.js` for `./x.ts`.
  for (const alt of CANDIDATES[ext] ?? []) tries.push(abs.slice(0, -ext.length) + alt);
  if (!ext) for (const e of ['.js', '.ts', '.mjs', '.cjs', '/index.js', '/index.ts']) tries.push(abs + e);
  for (const t of tries) {
    try {
      if (existsSync(t) && SOURCE_FILE.test(t)) return t;
    } catch {
      // next
    }
  }
  return undefined;
}

/**
 * The files under `root` this process runs: the import graph from `entries` (relative imports
 * only; packages in node_modules are not the app's), and the originals their source maps name.
 * Bounded at 2000 files read.
 */
export async function filesRun(root: string, entries: readonly string[]): Promise<Set<string>> {
  const inside = (p: string) => p.startsWith(root + path.sep) && !p.includes(`${path.sep}node_modules${path.sep}`);
  const seen = new Set<string>();
  const queue = entries.filter((e) => e && inside(e) && SOURCE_FILE.test(e));
  const out = new Set<string>();
  while (queue.length && seen.size < MAX_WALKED) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    out.add(path.relative(root, file).split(path.sep).join('/'));
    let text: string;
    try {
      const st = await fs.stat(file);
      if (st.size > MAX_READ_BYTES) continue;
      text = await fs.readFile(file, 'utf8');
    } catch {
      continue;
    }
    if (/\.[cm]?js$/.test(file)) for (const o of await mappedSources(file)) if (inside(o)) out.add(path.relative(root, o).split(path.sep).join('/'));
    for (const m of text.matchAll(IMPORT)) {
      const next = resolveImport(file, (m[1] ?? m[2] ?? m[3])!);
      if (next && inside(next) && !seen.has(next)) queue.push(next);
    }
  }
  return out;
}

/** This process's entry script and the CommonJS modules it loaded. */
export function processEntries(): string[] {
  const out: string[] = [];
  if (process.argv[1]) out.push(path.resolve(process.argv[1]));
  try {
    const cache = createRequire(import.meta.url).cache;
    for (const k of Object.keys(cache)) out.push(k);
  } catch {
    // no CommonJS cache: the entry is enough
  }
  return out;
}

/**
 * The source list with, for each file, whether this process runs it; cached for `ttlMs` (a walk
 * reads files: off the request path, but not free).
 */
export function sourceLister(root: string, entries: () => readonly string[] = processEntries, ttlMs = 30_000): () => Promise<SourceListing & { runs: Set<string> }> {
  let cached: { at: number; value: Promise<SourceListing & { runs: Set<string> }> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > ttlMs) {
      const value = Promise.all([listSources(root), filesRun(root, entries())]).then(([l, runs]) => ({ ...l, runs }));
      cached = { at: now, value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}
