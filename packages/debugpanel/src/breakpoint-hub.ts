/**
 * The hub's side of cross-service breakpoints: the breakpoints a user set in the hub's panel on a
 * file another service runs, held here until that service's panel pulls them (`POST
 * {path}/api/breakpoints/sync`, the way chaos rules travel), and what comes back: their state in
 * the service, their snapshots and logpoint lines. Everything is bounded and counted; nothing
 * that arrives is trusted: the shape is checked, snapshots are redacted again with the hub's
 * redactor, and a service may only report on the breakpoints the hub gave it.
 */
import { randomBytes } from 'node:crypto';
import { REDACTED, type Breakpoint, type BreakpointHubStats, type BreakpointInput, type BreakpointSyncRequest, type BreakpointSyncResponse, type CapturedValue, type LogEntry, type Redactor, type Snapshot } from '@debugpanel/model';
import { DebugPanelInspectorError, validateShape } from '@debugpanel/breakpoints';

export const SERVICE_NAME = /^[\w.:@/-]{1,100}$/;
const HUB_ID = /^bp_[0-9a-f]{12}$/;
const MAX_EXPIRY_MS = 24 * 3600_000;
const DEFAULT_EXPIRY_MS = 3600_000;

export interface BreakpointHubOptions {
  /** Live (sent, pending or active) breakpoints per service. Default 10, as the agent allows. */
  maxPerService?: number;
  /** Services remembered. Default 50. */
  maxServices?: number;
  /** Breakpoints kept per service, finished ones included (the oldest finished go first). Default 50. */
  maxListed?: number;
  maxSnapshots?: number;
  maxLogs?: number;
  /** Per sync: states, snapshots, log lines and source files accepted. */
  maxSnapshotsPerSync?: number;
  maxLogsPerSync?: number;
  maxSourceFiles?: number;
  pollMs: number;
  /** The hub's redactor, applied again to what services send. */
  redactor?: Pick<Redactor, 'isSecretKey' | 'string'>;
}

interface HeldBreakpoint {
  bp: Breakpoint;
  input: BreakpointInput;
}

interface ServiceRecord {
  name: string;
  root: string | undefined;
  lastSeen: number;
  sources: { files: Array<{ path: string; runs: boolean }>; truncated: boolean; at: number } | undefined;
  /** Someone opened the hub's source list since the service last sent its own */
  sourcesWanted: boolean;
  droppedBefore: { snapshots: number; logs: number };
}

const live = (b: Breakpoint) => b.state === 'pending' || b.state === 'active';
const bad = (m: string) => new DebugPanelInspectorError('BAD_INPUT', m);

export class BreakpointHub {
  private readonly held = new Map<string, HeldBreakpoint>();
  private readonly services = new Map<string, ServiceRecord>();
  private readonly snaps: Snapshot[] = [];
  private readonly logLines: LogEntry[] = [];
  private seq = 0;
  private readonly o: Required<Omit<BreakpointHubOptions, 'redactor'>> & Pick<BreakpointHubOptions, 'redactor'>;
  private readonly counters = { syncs: 0, refused: 0, snapshotsDropped: 0, logsDropped: 0 };

  constructor(options: BreakpointHubOptions) {
    this.o = { maxPerService: 10, maxServices: 50, maxListed: 50, maxSnapshots: 50, maxLogs: 1000, maxSnapshotsPerSync: 20, maxLogsPerSync: 500, maxSourceFiles: 5000, ...options };
  }

  /** Services that have synced, newest first. */
  knownServices(): string[] {
    return [...this.services.values()].sort((a, b) => b.lastSeen - a.lastSeen).map((s) => s.name);
  }

  has(service: string): boolean {
    return this.services.has(service);
  }

  /**
   * Holds a breakpoint for `service` until it pulls it. Checks every field as the agent does, the
   * file by its shape only (the service checks the file and the rest again when it arrives).
   */
  add(service: string, input: BreakpointInput, now = Date.now()): Breakpoint {
    if (!this.services.has(service)) {
      const known = this.knownServices();
      throw new DebugPanelInspectorError('NOT_FOUND', `no service "${service.slice(0, 100)}" syncs breakpoints with this hub${known.length ? ` (known: ${known.join(', ')})` : ''}; it needs debugPanel({ sendTo }) pointing here`);
    }
    validateShape(input);
    const mine = [...this.held.values()].filter((h) => h.bp.service === service);
    for (const h of mine) {
      if (live(h.bp) && h.bp.file === input.file && h.bp.line === input.line) throw bad(`line ${input.line} of ${input.file} already has breakpoint ${h.bp.id} in ${service}; remove it first`);
    }
    if (mine.filter((h) => live(h.bp)).length >= this.o.maxPerService) {
      throw new DebugPanelInspectorError('LIMIT', `at most ${this.o.maxPerService} breakpoints may be armed at once in ${service}; remove one first`);
    }
    const kind = input.kind ?? (input.message !== undefined ? 'logpoint' : 'snapshot');
    const bp: Breakpoint = {
      id: `bp_${randomBytes(6).toString('hex')}`,
      file: input.file,
      line: input.line,
      kind,
      watch: [...(input.watch ?? [])],
      maxHits: input.maxHits ?? (kind === 'snapshot' ? 1 : null),
      hits: 0,
      state: 'pending',
      createdAt: now,
      expiresAt: now + Math.min(input.expiresInMs ?? DEFAULT_EXPIRY_MS, MAX_EXPIRY_MS),
      service,
      delivery: 'sent',
      ...(typeof input.condition === 'string' && input.condition.trim() ? { condition: input.condition.trim() } : {}),
      ...(kind === 'logpoint' ? { message: input.message } : {}),
    };
    // What travels: the user's fields only, never the hub's own (`service`).
    const sent: BreakpointInput = { file: input.file, line: input.line, kind };
    for (const k of ['condition', 'watch', 'message', 'maxHits', 'expiresInMs'] as const) if (input[k] !== undefined) (sent as unknown as Record<string, unknown>)[k] = input[k];
    this.held.set(bp.id, { bp, input: sent });
    if (mine.length + 1 > this.o.maxListed) {
      const old = mine.find((h) => !live(h.bp));
      if (old) this.held.delete(old.bp.id);
    }
    return { ...bp, watch: [...bp.watch] };
  }

  remove(id: string): boolean {
    return this.held.delete(id);
  }

  get(id: string): Breakpoint | undefined {
    const h = this.held.get(id);
    return h && { ...h.bp, watch: [...h.bp.watch] };
  }

  list(): Breakpoint[] {
    return [...this.held.values()].map((h) => ({ ...h.bp, watch: [...h.bp.watch] }));
  }

  /** Newest first. */
  snapshots(filter: { breakpointId?: string } = {}): Snapshot[] {
    const out = filter.breakpointId ? this.snaps.filter((s) => s.breakpointId === filter.breakpointId) : [...this.snaps];
    return out.reverse();
  }

  snapshot(id: string): Snapshot | undefined {
    return this.snaps.find((s) => s.id === id);
  }

  /** Oldest first; `after` is a hub `seq`. */
  logs(filter: { breakpointId?: string; after?: number } = {}): LogEntry[] {
    return this.logLines.filter((l) => (filter.after === undefined || l.seq > filter.after) && (!filter.breakpointId || l.breakpointId === filter.breakpointId));
  }

  /** The source lists services sent; marks each as wanted again, so the next syncs refresh them. */
  sources(): Array<{ service: string; root: string | undefined; files: Array<{ path: string; runs: boolean }> | undefined; truncated: boolean }> {
    const out = [];
    for (const s of this.services.values()) {
      s.sourcesWanted = true;
      out.push({ service: s.name, root: s.root, files: s.sources?.files, truncated: s.sources?.truncated ?? false });
    }
    return out;
  }

  stats(): BreakpointHubStats {
    return { services: this.services.size, breakpoints: this.held.size, snapshots: this.snaps.length, ...this.counters };
  }

  /** One service's sync: takes its report, answers with what the hub holds for it. Throws BAD_INPUT on a bad shape. */
  sync(body: unknown, now = Date.now()): BreakpointSyncResponse {
    this.counters.syncs++;
    try {
      return this.take(body, now);
    } catch (err) {
      this.counters.refused++;
      throw err;
    }
  }

  private take(body: unknown, now: number): BreakpointSyncResponse {
    const r = body as Partial<BreakpointSyncRequest> | null;
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw bad('a sync is an object { service, root, states, snapshots, logs, dropped }');
    if (typeof r.service !== 'string' || !SERVICE_NAME.test(r.service)) throw bad('service must be the name of the syncing service, e.g. "orders"');
    if (typeof r.root !== 'string' || r.root.length > 1000) throw bad('root must be the service\'s source folder');
    const states = r.states ?? [];
    const snapshots = r.snapshots ?? [];
    const logs = r.logs ?? [];
    if (!Array.isArray(states) || states.length > this.o.maxListed) throw bad(`states must be an array of at most ${this.o.maxListed}`);
    if (!Array.isArray(snapshots) || snapshots.length > this.o.maxSnapshotsPerSync) throw bad(`snapshots must be an array of at most ${this.o.maxSnapshotsPerSync}`);
    if (!Array.isArray(logs) || logs.length > this.o.maxLogsPerSync) throw bad(`logs must be an array of at most ${this.o.maxLogsPerSync}`);
    const service = r.service;
    let rec = this.services.get(service);
    if (!rec) {
      if (this.services.size >= this.o.maxServices) {
        // Forget the service heard from least recently, with what the hub held for it.
        const oldest = [...this.services.values()].sort((a, b) => a.lastSeen - b.lastSeen)[0]!;
        this.services.delete(oldest.name);
        for (const [id, h] of this.held) if (h.bp.service === oldest.name) this.held.delete(id);
      }
      rec = { name: service, root: undefined, lastSeen: now, sources: undefined, sourcesWanted: true, droppedBefore: { snapshots: 0, logs: 0 } };
      this.services.set(service, rec);
    }
    rec.root = r.root;
    rec.lastSeen = now;
    // A service reports only on the breakpoints the hub gave it.
    const ours = (id: unknown): HeldBreakpoint | undefined => {
      const h = typeof id === 'string' && HUB_ID.test(id) ? this.held.get(id) : undefined;
      return h?.bp.service === service ? h : undefined;
    };
    for (const s of states) {
      const h = ours(s?.id);
      if (!h) continue;
      if (typeof s.error === 'string') {
        h.bp.state = 'error';
        h.bp.delivery = 'refused';
        h.bp.error = `${service} refused it: ${s.error.slice(0, 500)}`;
        continue;
      }
      const b = s.breakpoint;
      if (!b || typeof b !== 'object') continue;
      h.bp.delivery = 'installed';
      if (['pending', 'active', 'hit', 'expired', 'error'].includes(b.state)) h.bp.state = b.state;
      if (Number.isInteger(b.hits) && b.hits >= 0) h.bp.hits = b.hits;
      if (typeof b.expiresAt === 'number' && Number.isFinite(b.expiresAt)) h.bp.expiresAt = b.expiresAt;
      if (typeof b.error === 'string') h.bp.error = b.error.slice(0, 500);
      else delete h.bp.error;
      for (const k of ['coolDowns', 'conditionErrors'] as const) if (Number.isInteger(b[k])) h.bp[k] = b[k];
      if (typeof b.lastConditionError === 'string') h.bp.lastConditionError = b.lastConditionError.slice(0, 500);
      if (b.generated && typeof b.generated.url === 'string' && Number.isInteger(b.generated.line)) {
        h.bp.generated = { url: b.generated.url.slice(0, 1000), line: b.generated.line, column: Number(b.generated.column) || 0 };
      }
    }
    for (const s of snapshots) {
      const h = ours(s?.breakpointId);
      if (!h || typeof s.id !== 'string' || !Array.isArray(s.frames)) continue;
      if (this.snaps.some((x) => x.id === s.id)) continue;
      this.snaps.push(this.clean(s, service));
      if (this.snaps.length > this.o.maxSnapshots) {
        this.snaps.shift();
        this.counters.snapshotsDropped++;
      }
    }
    for (const l of logs) {
      const h = ours(l?.breakpointId);
      if (!h || typeof l.message !== 'string') continue;
      const line: LogEntry = { seq: ++this.seq, breakpointId: h.bp.id, time: Number(l.time) || now, message: this.redactString(l.message.slice(0, 10_000)) };
      if (typeof l.traceId === 'string' && /^[0-9a-f]{32}$/.test(l.traceId)) {
        line.traceId = l.traceId;
        if (typeof l.spanId === 'string' && /^[0-9a-f]{16}$/.test(l.spanId)) line.spanId = l.spanId;
      }
      line.service = service;
      this.logLines.push(line);
      if (this.logLines.length > this.o.maxLogs) {
        this.logLines.shift();
        this.counters.logsDropped++;
      }
    }
    // What the service could not send (its queue was full): counted here too, once.
    const d = r.dropped;
    if (d && Number.isInteger(d.snapshots) && Number.isInteger(d.logs)) {
      this.counters.snapshotsDropped += Math.max(0, d.snapshots - rec.droppedBefore.snapshots);
      this.counters.logsDropped += Math.max(0, d.logs - rec.droppedBefore.logs);
      rec.droppedBefore = { snapshots: Math.max(d.snapshots, rec.droppedBefore.snapshots), logs: Math.max(d.logs, rec.droppedBefore.logs) };
    }
    if (r.sources && Array.isArray(r.sources.files)) {
      const files = r.sources.files
        .slice(0, this.o.maxSourceFiles)
        .filter((f) => f && typeof f.path === 'string' && f.path.length <= 1000 && !f.path.split('/').some((p) => p === '..'))
        .map((f) => ({ path: f.path, runs: f.runs === true }));
      rec.sources = { files, truncated: r.sources.truncated === true || r.sources.files.length > this.o.maxSourceFiles, at: now };
      rec.sourcesWanted = false;
    }
    const breakpoints = [...this.held.values()].filter((h) => h.bp.service === service).map((h) => ({ id: h.bp.id, input: h.input, createdAt: h.bp.createdAt }));
    return { breakpoints, wantSources: !rec.sources || rec.sourcesWanted, pollMs: this.o.pollMs };
  }

  /** A snapshot as the hub keeps it: its fields checked, its strings redacted again. */
  private clean(s: Snapshot, service: string): Snapshot {
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    const out: Snapshot = {
      id: String(s.id).slice(0, 60),
      breakpointId: s.breakpointId,
      time: num(s.time),
      file: String(s.file).slice(0, 1000),
      line: num(s.line),
      frames: s.frames.slice(0, 100).map((f) => ({
        function: String(f?.function ?? '').slice(0, 200),
        file: String(f?.file ?? '').slice(0, 1000),
        line: num(f?.line),
        column: num(f?.column),
        ...(Array.isArray(f?.scopes) ? { scopes: f.scopes.slice(0, 20).map((sc) => ({ type: String(sc?.type ?? '').slice(0, 20), variables: this.values(sc?.variables, 0) })) } : {}),
      })),
      watches: Array.isArray(s.watches)
        ? s.watches.slice(0, 10).map((w) => ({
            expression: String(w?.expression ?? '').slice(0, 500),
            ms: num(w?.ms),
            ...(w?.value ? { value: this.values([w.value], 0)[0]! } : {}),
            ...(typeof w?.error === 'string' ? { error: this.redactString(w.error.slice(0, 500)) } : {}),
          }))
        : [],
      truncated: s.truncated === true,
      bytes: num(s.bytes),
      captureUs: num(s.captureUs),
      service,
    };
    if (typeof s.traceId === 'string' && /^[0-9a-f]{32}$/.test(s.traceId)) {
      out.traceId = s.traceId;
      if (typeof s.spanId === 'string' && /^[0-9a-f]{16}$/.test(s.spanId)) out.spanId = s.spanId;
    }
    return out;
  }

  private values(list: unknown, depth: number): CapturedValue[] {
    if (!Array.isArray(list) || depth > 10) return [];
    return list.slice(0, 200).map((raw) => {
      const v = raw as CapturedValue;
      const name = String(v?.name ?? '').slice(0, 200);
      const type = String(v?.type ?? 'undefined').slice(0, 20);
      if (this.o.redactor?.isSecretKey(name)) return { name, type, value: REDACTED, note: 'redacted' as const };
      const out: CapturedValue = { name, type };
      const value = v?.value;
      if (typeof value === 'string') out.value = this.redactString(value.slice(0, 10_000));
      else if (typeof value === 'number' || typeof value === 'boolean' || value === null) out.value = value;
      if (typeof v?.note === 'string' && ['redacted', 'truncated', 'depth', 'budget', 'more', 'internal'].includes(v.note)) out.note = v.note;
      if (Array.isArray(v?.members)) out.members = this.values(v.members, depth + 1);
      return out;
    });
  }

  private redactString(s: string): string {
    return this.o.redactor ? this.o.redactor.string(s) : s;
  }
}
