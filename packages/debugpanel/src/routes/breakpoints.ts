/**
 * Live breakpoints of this process:
 * `GET/POST {path}/api/breakpoints`, `DELETE {path}/api/breakpoints/:id`,
 * `GET {path}/api/snapshots[?breakpointId=&traceId=]`, `GET {path}/api/snapshots/:id`,
 * `GET {path}/api/logpoints[?breakpointId=&after=]`, `GET {path}/api/sources` (the app's own source
 * files) and `GET {path}/api/sources/file?path=...` (one of them, read-only, only under the root).
 * They evaluate code in the process, so they sit behind the panel's access check like every route
 * (token whenever the client is not loopback; same-origin for POST/DELETE). Breakpoints and the last
 * snapshots are saved in `{dataDir}/breakpoints/<service>/breakpoints.json` (0600, folders 0700).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type {
  Breakpoint,
  BreakpointAgentStats,
  BreakpointInput,
  BreakpointsResponse,
  LogEntry,
  LogpointsResponse,
  Redactor,
  Snapshot,
  SnapshotsResponse,
  SourceFileResponse,
  SourcesResponse,
} from '@debugpanel/model';
import { createBreakpointAgent, DebugPanelInspectorError, isSourcePath, resolveUnder, SOURCE_FILE, type BreakpointAgent } from '@debugpanel/breakpoints';
import { readBody, sendError, sendJson } from '../http.js';
import { fileSafeName } from '../state-files.js';
import type { PanelFeature, PanelRoute } from './registry.js';

const STATUS: Record<string, number> = { BAD_INPUT: 400, NOT_FOUND: 404, LIMIT: 409, BUSY: 409, UNAVAILABLE: 503 };
const MAX_FILES = 5000;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const SKIP_DIRS = new Set(['node_modules', 'coverage']);

async function listSources(root: string): Promise<SourcesResponse> {
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
  return { root, files: files.sort(), truncated };
}

/** The panel's breakpoint routes for the app in the current directory (data in the panel's `dataDir`). */
export const breakpoints: PanelFeature = (ctx) => {
  let stats: (() => BreakpointAgentStats | undefined) | undefined;
  // One folder per service: the demo runs several services from one directory, and each must
  // restore only its own breakpoints.
  const service = fileSafeName(String(ctx?.options?.service ?? 'app'));
  const root = process.cwd();
  // Snapshots and logpoint messages go through the panel's one redactor, like every span.
  const dataDir = ctx?.options ? ctx.options.dataDir : path.join(root, '.debugpanel');
  // A snapshot's trace is kept longest by the store (retention class `linked`).
  const store = ctx?.store;
  const onSnapshot = store && ((snap: { traceId?: string }) => {
    if (snap.traceId !== undefined) store.link([snap.traceId]);
  });
  const routes = breakpointRoutes(root, dataDir === undefined ? false : path.join(dataDir, 'breakpoints', service), (s) => (stats = s), ctx?.redactor, onSnapshot);
  // The agent's counters (hits, drops, enable time) in `GET {path}/api/stats`.
  if (ctx?.stats) ctx.stats.breakpoints = () => stats?.() ?? { created: false };
  return routes;
};

/** The routes for an app rooted at `root`; exported for tests. */
export function breakpointRoutes(
  rootDir: string,
  dataDir: string | false = path.join(rootDir, '.debugpanel'),
  exposeStats?: (stats: () => BreakpointAgentStats | undefined) => void,
  redactor?: Redactor,
  onSnapshot?: (snapshot: { traceId?: string }) => void,
): PanelRoute[] {
  const root = path.resolve(rootDir);
  // Created on first use, or at once when saved breakpoints wait to be re-armed after a restart.
  // The agent checks every input itself (files under the root, the expression allow-list), the
  // same way for the API and for what it restores from disk.
  let agent: BreakpointAgent | undefined;
  const get = (): BreakpointAgent => (agent ??= createBreakpointAgent({ root, dataDir, ...(redactor ? { redactor } : {}), ...(onSnapshot ? { onSnapshot } : {}) }));
  exposeStats?.(() => agent?.stats());
  if (dataDir !== false && existsSync(path.join(dataDir, 'breakpoints.json'))) {
    try {
      get();
    } catch {
      // a broken file or inspector must not stop the panel; the routes will report it
    }
  }
  const fail = (res: Parameters<typeof sendError>[0], err: unknown) => {
    if (err instanceof DebugPanelInspectorError) return sendError(res, STATUS[err.code] ?? 500, err.message);
    throw err;
  };

  return [
    {
      method: 'GET',
      path: '/api/breakpoints',
      handle({ res }) {
        const a = get();
        sendJson<BreakpointsResponse>(res, 200, { breakpoints: a.list(), stats: a.stats() });
      },
    },
    {
      method: 'POST',
      path: '/api/breakpoints',
      async handle({ req, res }) {
        const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/json') return sendError(res, 415, 'send JSON like {"file": "src/app.ts", "line": 12} with Content-Type: application/json');
        let input: unknown;
        try {
          input = JSON.parse(await readBody(req, 16 * 1024));
        } catch (err) {
          const status = (err as { status?: number }).status;
          return sendError(res, status ?? 400, status ? (err as Error).message : 'the body is not JSON; send {"file": "src/app.ts", "line": 12}');
        }
        if (!input || typeof input !== 'object' || Array.isArray(input)) return sendError(res, 400, 'send an object like {"file": "src/app.ts", "line": 12}');
        try {
          sendJson<Breakpoint>(res, 201, get().set(input as BreakpointInput));
        } catch (err) {
          fail(res, err);
        }
      },
    },
    {
      method: 'DELETE',
      path: '/api/breakpoints/:id',
      handle({ res, params }) {
        if (!get().remove(params.id!)) return sendError(res, 404, `no breakpoint "${params.id!.slice(0, 40)}"`);
        res.statusCode = 204;
        res.end();
      },
    },
    {
      method: 'GET',
      path: '/api/snapshots',
      // Captured app data and source code: debugger only, and audited.
      role: 'debugger',
      handle({ res, query }) {
        const breakpointId = query.get('breakpointId') ?? undefined;
        const traceId = query.get('traceId');
        let snapshots = get().snapshots(breakpointId ? { breakpointId } : {});
        if (traceId) snapshots = snapshots.filter((s) => s.traceId === traceId);
        sendJson<SnapshotsResponse>(res, 200, { snapshots });
      },
    },
    {
      method: 'GET',
      path: '/api/snapshots/:id',
      // Captured app data and source code: debugger only, and audited.
      role: 'debugger',
      handle({ res, params }) {
        const s = get().snapshot(params.id!);
        if (!s) return sendError(res, 404, `no snapshot "${params.id!.slice(0, 40)}" (only the last ones are kept)`);
        sendJson<Snapshot>(res, 200, s);
      },
    },
    {
      method: 'GET',
      path: '/api/logpoints',
      // Captured app data and source code: debugger only, and audited.
      role: 'debugger',
      handle({ res, query }) {
        const breakpointId = query.get('breakpointId') ?? undefined;
        const afterText = query.get('after');
        const after = afterText === null || afterText === '' ? undefined : Number(afterText);
        if (after !== undefined && !Number.isInteger(after)) return sendError(res, 400, `after must be an integer (a log seq), got "${afterText}"`);
        sendJson<LogpointsResponse>(res, 200, { logs: get().logs({ ...(breakpointId ? { breakpointId } : {}), ...(after !== undefined ? { after } : {}) }) });
      },
    },
    {
      method: 'GET',
      path: '/api/sources',
      // Captured app data and source code: debugger only, and audited.
      role: 'debugger',
      async handle({ res }) {
        sendJson<SourcesResponse>(res, 200, await listSources(root));
      },
    },
    {
      method: 'GET',
      path: '/api/sources/file',
      // Captured app data and source code: debugger only, and audited.
      role: 'debugger',
      async handle({ res, query }) {
        const p = query.get('path') ?? '';
        const abs = resolveUnder(root, p);
        if (!abs) return sendError(res, 400, `path must be a file under the app's root, got ${JSON.stringify(p.slice(0, 200))}`);
        const rel = path.relative(root, abs).split(path.sep);
        if (!isSourcePath(root, abs)) return sendError(res, 400, 'only source files (.js, .mjs, .cjs, .ts, .mts, .cts, .jsx, .tsx) outside hidden folders are served');
        let stat;
        try {
          stat = await fs.stat(abs);
        } catch {
          return sendError(res, 404, `no file "${p.slice(0, 200)}"`);
        }
        if (!stat.isFile()) return sendError(res, 404, `no file "${p.slice(0, 200)}"`);
        if (stat.size > MAX_FILE_BYTES) return sendError(res, 413, `file is larger than ${MAX_FILE_BYTES} bytes`);
        const text = await fs.readFile(abs, 'utf8');
        sendJson<SourceFileResponse>(res, 200, { path: rel.join('/'), text, lines: text.split('\n').length });
      },
    },
  ];
}
