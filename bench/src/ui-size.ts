/**
 * What the browser fetches on the panel's first open: the JS and CSS `index.html` names, their
 * static imports, and the chunks of the landing view (the trace list's lazily loaded scatter plot),
 * gzip -9 as a server would send them. Shared by the bench's UI group and the budget test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The first-open budget of issue 19: the landing page stays small as views are added (lazily). */
export const FIRST_LOAD_BUDGET_KB = 35;

/** The landing view's own lazy chunks: fetched as soon as the trace list renders. */
const LANDING_CHUNKS = /^TraceScatter-[\w-]+\.(?:js|css)$/;

export interface FirstOpen {
  /** files under dist/, in the order found */
  files: string[];
  /** gzip -9 bytes of each file */
  gzip: Record<string, number>;
  /** total gzip bytes */
  total: number;
}

export function gzipBytes(path: string): number {
  return gzipSync(readFileSync(path), { level: 9 }).length;
}

/** The first open of the UI built into `dist`, or null when it is not built. */
export function firstOpen(dist: string): FirstOpen | null {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return null;
  const html = readFileSync(index, 'utf8');
  const queue = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const assets = join(dist, 'assets');
  if (existsSync(assets)) for (const f of readdirSync(assets)) if (LANDING_CHUNKS.test(f)) queue.push(`assets/${f}`);
  const seen = new Set<string>();
  while (queue.length) {
    const f = queue.shift()!;
    if (seen.has(f) || !existsSync(join(dist, f))) continue;
    seen.add(f);
    if (!f.endsWith('.js')) continue;
    // static imports only (`import{…}from"./x.js"`, `import"./x.js"`): dynamic `import("./x.js")` is a lazy view
    for (const m of readFileSync(join(dist, f), 'utf8').matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) queue.push(`assets/${m[1]!}`);
  }
  const files = [...seen];
  const gzip: Record<string, number> = {};
  for (const f of files) gzip[f] = gzipBytes(join(dist, f));
  return { files, gzip, total: files.reduce((n, f) => n + gzip[f]!, 0) };
}
