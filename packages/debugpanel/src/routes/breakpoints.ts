/**
 * Live breakpoints of this process:
 * `GET/POST {path}/api/breakpoints`, `DELETE {path}/api/breakpoints/:id`,
 * `GET {path}/api/snapshots[?breakpointId=&traceId=]`, `GET {path}/api/snapshots/:id`,
 * `GET {path}/api/logpoints[?breakpointId=&after=]`, `GET {path}/api/sources` (the app's own source
 * files) and `GET {path}/api/sources/file?path=...` (one of them, read-only, only under the root).
 * They evaluate code in the process, so they sit behind the panel's access check like every route
 * (token whenever the client is not loopback; same-origin for POST/DELETE). Breakpoints and the last
 * snapshots are saved in `{dataDir}/breakpoints/<service>/breakpoints.json` (0600, folders 0700).
 *
 * Across services: a hub (`hub: true`) also lists the files of every service that sends to it,
 * takes `{ ..., service: "orders" }` for a file another service runs, holds it (breakpoint-hub.ts)
 * until that service's panel pulls it over `POST {path}/api/breakpoints/sync` (breakpoint-link.ts,
 * the chaos pull's interval), and lists that service's states, snapshots and logpoint lines with
 * its own.
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
  BreakpointSyncResponse,
  SourceEntry,
  SourceFileResponse,
  SourcesResponse,
} from '@debugpanel/model';
import { createBreakpointAgent, DebugPanelInspectorError, isSourcePath, resolveUnder, type BreakpointAgent } from '@debugpanel/breakpoints';
import { BreakpointHub } from '../breakpoint-hub.js';
import { createBreakpointLink } from '../breakpoint-link.js';
import { readBody, sendError, sendJson } from '../http.js';
import { sourceLister, type SourceListing } from '../source-list.js';
import { fileSafeName } from '../state-files.js';
import type { PanelFeature, PanelRoute } from './registry.js';

const STATUS: Record<string, number> = { BAD_INPUT: 400, NOT_FOUND: 404, LIMIT: 409, BUSY: 409, UNAVAILABLE: 503 };
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** A sync carries up to 10 snapshots of at most the capture's byte budget, and a source list. */
const MAX_SYNC_BODY = 1024 * 1024;

/** The panel's breakpoint routes for the app in the current directory (data in the panel's `dataDir`). */
export const breakpoints: PanelFeature = (ctx) => {
  let stats: (() => BreakpointAgentStats | undefined) | undefined;
  // One folder per service: the demo runs several services from one directory, and each must
  // restore only its own breakpoints.
  const name = String(ctx?.options?.service ?? 'app');
  const service = fileSafeName(name);
  const root = process.cwd();
  // Snapshots and logpoint messages go through the panel's one redactor, like every span.
  const dataDir = ctx?.options ? ctx.options.dataDir : path.join(root, '.debugpanel');
  const opts = ctx?.options;
  const hub = opts?.hub ? new BreakpointHub({ pollMs: opts.chaos.pullMs, redactor: ctx.redactor }) : undefined;
  let agent: (() => BreakpointAgent) | undefined;
  const lister = sourceLister(root);
  // A snapshot's trace is kept longest by the store (retention class `linked`).
  const store = ctx?.store;
  const onSnapshot = (snap: { traceId?: string }) => {
    if (snap.traceId !== undefined) store?.link([snap.traceId]);
  };
  const routes = breakpointRoutes(root, dataDir === undefined ? false : path.join(dataDir, 'breakpoints', service), (s) => (stats = s), ctx?.redactor, {
    service: name, hub, lister, exposeAgent: (get) => (agent = get), onSnapshot,
  });
  // The agent's counters (hits, drops, enable time) in `GET {path}/api/stats`.
  if (ctx?.stats) ctx.stats.breakpoints = () => stats?.() ?? { created: false };
  if (hub && ctx?.stats) ctx.stats.breakpointHub = () => hub.stats();
  if (opts?.sendTo && agent) {
    const headers: Record<string, string> = { ...opts.sendTo.headers };
    // The same token as the chaos pull: the sendTo connection's own authorization, else this panel's.
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'authorization') && opts.token) headers.authorization = `Bearer ${opts.token}`;
    const link = createBreakpointLink({
      hubBase: opts.sendTo.url.replace(/\/v1\/traces$/, ''),
      headers,
      service: name,
      root,
      pullMs: opts.chaos.pullMs,
      agent,
      sources: lister,
      audit: ctx.audit,
    });
    ctx.stats.breakpointLink = () => link.stats();
    ctx.onClose?.push(() => link.close());
  }
  return routes;
};

/** What `breakpointRoutes` needs beyond one app root: the service's name, the hub's store, the lister. */
export interface BreakpointRouteExtras {
  /** This panel's service name (default "app") */
  service?: string;
  /** A hub's store of other services' breakpoints */
  hub?: BreakpointHub;
  /** The source list with what this process runs (default: the import walk from process.argv[1]) */
  lister?: () => Promise<SourceListing & { runs: Set<string> }>;
  /** Hands out the agent's getter (for the hub link) */
  exposeAgent?: (get: () => BreakpointAgent) => void;
  /** Told of each snapshot taken here (the panel links its trace so the store keeps it longest) */
  onSnapshot?: (snapshot: { traceId?: string }) => void;
}

/** The routes for an app rooted at `root`; exported for tests. */
export function breakpointRoutes(
  rootDir: string,
  dataDir: string | false = path.join(rootDir, '.debugpanel'),
  exposeStats?: (stats: () => BreakpointAgentStats | undefined) => void,
  redactor?: Redactor,
  extras: BreakpointRouteExtras = {},
): PanelRoute[] {
  const root = path.resolve(rootDir);
  const own = extras.service ?? 'app';
  const hub = extras.hub;
  const lister = extras.lister ?? sourceLister(root);
  const tag = <T extends object>(x: T): T & { service: string } => ({ ...x, service: own });
  // Created on first use, or at once when saved breakpoints wait to be re-armed after a restart.
  // The agent checks every input itself (files under the root, the expression allow-list), the
  // same way for the API and for what it restores from disk.
  let agent: BreakpointAgent | undefined;
  const get = (): BreakpointAgent => (agent ??= createBreakpointAgent({ root, dataDir, ...(redactor ? { redactor } : {}), ...(extras.onSnapshot ? { onSnapshot: extras.onSnapshot } : {}) }));
  exposeStats?.(() => agent?.stats());
  extras.exposeAgent?.(get);
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

  /** The POST body, with its `service` taken off (the agent knows no such field). */
  const readInput = async (req: Parameters<PanelRoute['handle']>[0]['req']): Promise<{ input: BreakpointInput; service: string | undefined } | { status: number; error: string }> => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return { status: 415, error: 'send JSON like {"file": "src/app.ts", "line": 12} with Content-Type: application/json' };
    let input: unknown;
    try {
      input = JSON.parse(await readBody(req, 16 * 1024));
    } catch (err) {
      const status = (err as { status?: number }).status;
      return { status: status ?? 400, error: status ? (err as Error).message : 'the body is not JSON; send {"file": "src/app.ts", "line": 12}' };
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) return { status: 400, error: 'send an object like {"file": "src/app.ts", "line": 12}' };
    const { service, ...rest } = input as BreakpointInput;
    if (service !== undefined && (typeof service !== 'string' || service === '')) return { status: 400, error: 'service must be the name of the service that runs the file, e.g. "orders"' };
    return { input: rest, service: service === own ? undefined : service };
  };

  return [
    {
      method: 'GET',
      path: '/api/breakpoints',
      handle({ res }) {
        const a = get();
        const breakpoints = [...a.list().map(tag), ...(hub?.list() ?? [])];
        sendJson<BreakpointsResponse>(res, 200, { breakpoints, stats: a.stats() });
      },
    },
    {
      method: 'POST',
      path: '/api/breakpoints',
      async handle({ req, res }) {
        const r = await readInput(req);
        if ('error' in r) return sendError(res, r.status, r.error);
        try {
          if (r.service === undefined) return sendJson<Breakpoint>(res, 201, tag(get().set(r.input)));
          // Another service's file: held here until that service pulls it, where the agent checks it all again.
          if (!hub) return sendError(res, 400, `this panel (${own}) is no hub: set breakpoints of ${r.service.slice(0, 100)} in its own panel, or start this one with debugPanel({ hub: true })`);
          sendJson<Breakpoint>(res, 201, hub.add(r.service, r.input));
        } catch (err) {
          fail(res, err);
        }
      },
    },
    {
      method: 'DELETE',
      path: '/api/breakpoints/:id',
      handle({ res, params }) {
        if (!get().remove(params.id!) && !hub?.remove(params.id!)) return sendError(res, 404, `no breakpoint "${params.id!.slice(0, 40)}"`);
        res.statusCode = 204;
        res.end();
      },
    },
    {
      method: 'POST',
      path: '/api/breakpoints/sync',
      // A service's report every pull interval: debugger role (the panel's default for POST), not
      // one audit entry per second; the service audits what it installs, the hub what users set.
      audit: false,
      async handle({ req, res }) {
        if (!hub) return sendError(res, 404, 'this panel holds no breakpoints for other services (it needs hub: true)');
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req, MAX_SYNC_BODY));
        } catch (err) {
          const status = (err as { status?: number }).status;
          return sendError(res, status ?? 400, status ? (err as Error).message : 'the body is not JSON');
        }
        try {
          sendJson<BreakpointSyncResponse>(res, 200, hub.sync(body));
        } catch (err) {
          fail(res, err);
        }
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
        const filter = breakpointId ? { breakpointId } : {};
        let snapshots = [...get().snapshots(filter).map(tag), ...(hub?.snapshots(filter) ?? [])].sort((a, b) => b.time - a.time);
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
        const local = get().snapshot(params.id!);
        const s = local ? tag(local) : hub?.snapshot(params.id!);
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
        const cursor = (name: string): number | undefined | 'bad' => {
          const t = query.get(name);
          if (t === null || t === '') return undefined;
          return Number.isInteger(Number(t)) ? Number(t) : 'bad';
        };
        const after = cursor('after');
        const hubAfter = cursor('hubAfter');
        if (after === 'bad' || hubAfter === 'bad') return sendError(res, 400, `after and hubAfter must be integers (a log seq), got "${query.get('after') ?? ''}", "${query.get('hubAfter') ?? ''}"`);
        const filter = (a: number | undefined) => ({ ...(breakpointId ? { breakpointId } : {}), ...(a !== undefined ? { after: a } : {}) });
        const logs: LogEntry[] = [...get().logs(filter(after)), ...(hub?.logs(filter(hubAfter)) ?? [])];
        sendJson<LogpointsResponse>(res, 200, { logs });
      },
    },
    {
      method: 'GET',
      path: '/api/sources',
      // Captured app data and source code: debugger only, and audited.
      role: 'debugger',
      async handle({ res }) {
        const mine = await lister();
        const byPath = new Map<string, SourceEntry>();
        const entries: SourceEntry[] = [];
        for (const f of mine.files) {
          const e: SourceEntry = { path: f, services: mine.runs.has(f) ? [own] : [] };
          byPath.set(f, e);
          entries.push(e);
        }
        const services = [own];
        const waiting: string[] = [];
        let truncated = mine.truncated;
        for (const r of hub?.sources() ?? []) {
          if (r.service === own) continue;
          services.push(r.service);
          if (!r.files) {
            waiting.push(r.service);
            continue;
          }
          truncated ||= r.truncated;
          const sameRoot = r.root !== undefined && path.resolve(r.root) === root;
          for (const f of r.files) {
            const e = sameRoot ? byPath.get(f.path) : undefined;
            if (e) {
              if (f.runs && !e.services.includes(r.service)) e.services.push(r.service);
            } else if (entries.length < 20_000) {
              entries.push({ path: f.path, services: f.runs ? [r.service] : [], ...(sameRoot ? {} : { root: r.root! }) });
            }
          }
        }
        entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        sendJson<SourcesResponse>(res, 200, { root, files: entries.map((e) => e.path), entries, services, waiting, hidden: mine.hidden, truncated });
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
          const other = query.get('service');
          if (other && other !== own) return sendError(res, 404, `no file "${p.slice(0, 200)}" under this panel's root; ${other.slice(0, 100)} runs in another folder: open its own panel to read it`);
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
