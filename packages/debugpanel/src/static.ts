/**
 * The UI's static files (`@debugpanel/ui`'s dist/), read into memory on first use so that a panel
 * nobody opens costs nothing, and served only from that in-memory map (no path ever reaches the
 * file system, so there is nothing to traverse). When the UI is not built, a small built-in page
 * lists traces from the JSON API instead.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';

export interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  /** Content-hashed file names (Vite's assets/) may be cached for good */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Files bigger than this in total are not loaded (a broken build must not eat the host's memory). */
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;

export class StaticFiles {
  #files: Map<string, StaticFile> | undefined;
  #builtIn = false;
  readonly #dir: () => string | undefined;

  /** `dir` finds the dist directory; the default resolves `@debugpanel/ui`. */
  constructor(dir: () => string | undefined = findUiDist) {
    this.#dir = dir;
  }

  /** True when the built-in fallback page is served because the UI is not built. */
  get builtIn(): boolean {
    this.#load();
    return this.#builtIn;
  }

  /** A file by its path relative to the panel root (`index.html`, `assets/x.js`). */
  get(rel: string): StaticFile | undefined {
    return this.#load().get(rel);
  }

  #load(): Map<string, StaticFile> {
    if (this.#files) return this.#files;
    const files = new Map<string, StaticFile>();
    const dir = this.#dir();
    if (dir !== undefined) {
      try {
        let total = 0;
        for (const abs of walk(dir)) {
          const rel = relative(dir, abs).split(sep).join('/');
          const body = readFileSync(abs);
          total += body.length;
          if (total > MAX_TOTAL_BYTES) throw new Error(`UI files exceed ${MAX_TOTAL_BYTES} bytes`);
          files.set(rel, makeFile(rel, body));
        }
      } catch (err) {
        console.error(`debugpanel: could not read the UI files in ${dir}; serving the built-in page (${String(err)})`);
        files.clear();
      }
    }
    if (!files.has('index.html')) {
      files.clear();
      files.set('index.html', makeFile('index.html', Buffer.from(FALLBACK_HTML)));
      files.set('fallback.js', makeFile('fallback.js', Buffer.from(FALLBACK_JS)));
      this.#builtIn = true;
    }
    this.#files = files;
    return files;
  }
}

function makeFile(rel: string, body: Buffer): StaticFile {
  return {
    body,
    type: TYPES[extname(rel).toLowerCase()] ?? 'application/octet-stream',
    etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
    immutable: rel.startsWith('assets/'),
  };
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) yield* walk(abs);
    else yield abs;
  }
}

/** `@debugpanel/ui`'s dist directory, or undefined when the package or its build is missing. */
export function findUiDist(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@debugpanel/ui/package.json');
    const dist = join(dirname(pkg), 'dist');
    return statSync(join(dist, 'index.html')).isFile() ? dist : undefined;
  } catch {
    return undefined;
  }
}

const FALLBACK_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>debugpanel</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script type="module" src="./fallback.js"></script></head>
<body><h1>debugpanel</h1>
<p>The full UI (<code>@debugpanel/ui</code>) is not built; this page lists recent traces from the
<a href="./api/traces">JSON API</a>.</p>
<table><thead><tr><th>start</th><th>trace</th><th>services</th><th>spans</th><th>errors</th><th>duration (ms)</th></tr></thead>
<tbody id="traces"></tbody></table></body></html>
`;

// No inline script (CSP) and no innerHTML: every value from the API is set as text.
const FALLBACK_JS = `const body = document.getElementById('traces');
function row(t) {
  const tr = document.createElement('tr');
  const cells = [new Date(t.startTime).toLocaleTimeString(), t.rootName, t.services.join(', '),
    String(t.spanCount), String(t.errorCount), t.duration.toFixed(1)];
  for (const c of cells) { const td = document.createElement('td'); td.textContent = c; tr.append(td); }
  const a = document.createElement('a'); a.href = './api/traces/' + t.traceId; a.textContent = t.traceId.slice(0, 8);
  tr.children[1].append(' ', a);
  return tr;
}
async function load() {
  const r = await fetch('./api/traces?limit=100');
  const { traces } = await r.json();
  body.replaceChildren(...traces.map(row));
}
load();
const es = new EventSource('./api/stream');
es.addEventListener('trace', (e) => { body.prepend(row(JSON.parse(e.data))); while (body.children.length > 200) body.lastChild.remove(); });
`;
