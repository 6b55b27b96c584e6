/**
 * The service's side of cross-service breakpoints: with `sendTo`, every pull interval the panel
 * posts to its hub (`POST {hub}/api/breakpoints/sync`) the state, new snapshots and new logpoint
 * lines of the breakpoints the hub gave it, and takes the hub's answer: the breakpoints the hub
 * holds for this service. New ones go through this process's own agent, `set()`, with exactly the
 * checks of the local API (the file under this root, the expression allow-list, the limits): the
 * hub's word is never enough. Every install, removal and refusal goes to this panel's audit log.
 */
import path from 'node:path';
import type { BreakpointInput, BreakpointLinkStats, BreakpointSyncRequest, BreakpointSyncResponse, LogEntry, Snapshot } from '@debugpanel/model';
import { DebugPanelInspectorError, type BreakpointAgent } from '@debugpanel/breakpoints';
import { NO_TRACE_HEADER, withoutTracing } from '@debugpanel/tracing';
import type { AuditLog } from './audit.js';

const MAX_ANSWER_BYTES = 256 * 1024;
const MAX_HELD = 50;
/** Snapshots waiting to be sent; beyond it the oldest are dropped and counted. */
const MAX_QUEUE = 50;
const SNAPSHOTS_PER_SYNC = 10;
const LOGS_PER_SYNC = 500;
const MAX_SYNC_BYTES = 900 * 1024;
const HUB_ID = /^bp_[0-9a-f]{12}$/;
const live = (b: { state: string }) => b.state === 'pending' || b.state === 'active';

export interface BreakpointLinkOptions {
  /** `http://gateway:3000/_debug` */
  hubBase: string;
  headers: Record<string, string>;
  service: string;
  root: string;
  pullMs: number;
  agent: () => BreakpointAgent;
  /** This service's source list with what it runs (asked for only when the hub wants it) */
  sources: () => Promise<{ files: string[]; runs: Set<string>; truncated: boolean }>;
  audit?: Pick<AuditLog, 'record'>;
  /** Injected in tests; default global fetch */
  fetch?: typeof fetch;
}

export interface BreakpointLink {
  stats(): BreakpointLinkStats;
  /** One sync now (the timer calls it too); resolves when it is done. */
  sync(): Promise<void>;
  close(): void;
}

interface Held {
  /** The agent's id, once set */
  localId?: string;
  /** Why this service refused it */
  error?: string;
}

/**
 * Starts the link: a first sync at once, then one every `pullMs` (the timer is unref'd).
 *
 * @example
 * const link = createBreakpointLink({ hubBase: 'http://127.0.0.1:3000/_debug', headers, service: 'orders', root, pullMs: 3000, agent, sources });
 */
export function createBreakpointLink(o: BreakpointLinkOptions): BreakpointLink {
  const held = new Map<string, Held>();
  const sent = new Set<string>();
  let lastLogSeq = 0;
  let nextLogSeq = 0;
  let wantSources = true;
  let busy = false;
  let closed = false;
  const s: BreakpointLinkStats = { syncs: 0, syncErrors: 0, installed: 0, refused: 0, snapshotsSent: 0, snapshotsDropped: 0, logsSent: 0, logsDropped: 0 };
  const doFetch = o.fetch ?? fetch;
  const url = `${o.hubBase}/api/breakpoints/sync`;
  const headers: Record<string, string> = { ...o.headers, [NO_TRACE_HEADER]: '1', 'content-type': 'application/json', accept: 'application/json' };

  const audit = (action: string, target: string) => {
    try {
      o.audit?.record({ at: Date.now(), action, target, role: 'debugger', tokenId: '', via: 'panel', ip: '', status: 0 });
    } catch (err) {
      console.error('debugpanel: the audit log failed:', err);
    }
  };
  const where = (i: { file: string; line: number }) => `${String(i.file).slice(0, 200)}:${i.line}`;

  function localToHub(): Map<string, string> {
    const m = new Map<string, string>();
    for (const [hubId, h] of held) if (h.localId) m.set(h.localId, hubId);
    return m;
  }

  async function report(): Promise<BreakpointSyncRequest> {
    const agent = o.agent();
    const states: BreakpointSyncRequest['states'] = [];
    for (const [id, h] of held) {
      if (h.error) states.push({ id, error: h.error });
      else if (h.localId) {
        const b = agent.get(h.localId);
        if (b) states.push({ id, breakpoint: b });
      }
    }
    const ids = localToHub();
    // Oldest first; at most SNAPSHOTS_PER_SYNC per sync, the queue bounded at MAX_QUEUE.
    const waiting = agent.snapshots().filter((x) => ids.has(x.breakpointId) && !sent.has(x.id)).reverse();
    if (waiting.length > MAX_QUEUE) {
      for (const x of waiting.splice(0, waiting.length - MAX_QUEUE)) {
        sent.add(x.id);
        s.snapshotsDropped++;
      }
    }
    const snapshots: Snapshot[] = [];
    let bytes = 0;
    for (const x of waiting) {
      if (snapshots.length >= SNAPSHOTS_PER_SYNC) break;
      const size = JSON.stringify(x).length;
      if (bytes + size > MAX_SYNC_BYTES) {
        if (snapshots.length === 0) {
          // A snapshot larger than a sync can carry never will: count it, do not retry it.
          sent.add(x.id);
          s.snapshotsDropped++;
        }
        break;
      }
      bytes += size;
      snapshots.push({ ...x, breakpointId: ids.get(x.breakpointId)!, service: o.service });
    }
    const fresh = agent.logs({ after: lastLogSeq });
    const mine = fresh.filter((l) => ids.has(l.breakpointId));
    const logs: LogEntry[] = mine.slice(0, LOGS_PER_SYNC).map((l) => ({ ...l, breakpointId: ids.get(l.breakpointId)! }));
    s.logsDropped += Math.max(0, mine.length - LOGS_PER_SYNC);
    const body: BreakpointSyncRequest = { service: o.service, root: o.root, states, snapshots, logs, dropped: { snapshots: s.snapshotsDropped, logs: s.logsDropped } };
    nextLogSeq = fresh.length ? fresh[fresh.length - 1]!.seq : lastLogSeq;
    if (wantSources) {
      const list = await o.sources();
      body.sources = { files: list.files.map((p) => ({ path: p, runs: list.runs.has(p) })), truncated: list.truncated };
    }
    return body;
  }

  function install(hubId: string, input: BreakpointInput): void {
    const agent = o.agent();
    try {
      // After a restart the agent re-armed what it saved: the same breakpoint is taken over, not set twice.
      const abs = path.resolve(o.root, String(input.file));
      const condition = typeof input.condition === 'string' ? input.condition.trim() : input.condition;
      const same = agent.list().find((b) => live(b) && b.file === abs && b.line === input.line && b.kind === (input.kind ?? 'snapshot') && (b.condition ?? '') === (condition ?? '') && !localToHub().has(b.id));
      if (same) {
        held.set(hubId, { localId: same.id });
        return;
      }
      // The agent's own checks, as for a breakpoint set in this panel.
      const bp = agent.set(input);
      held.set(hubId, { localId: bp.id });
      s.installed++;
      audit('breakpoint set from hub', `${where(bp)} (${bp.kind}${bp.condition ? ` if ${bp.condition.slice(0, 200)}` : ''}; hub ${hubId})`);
    } catch (err) {
      const why = err instanceof DebugPanelInspectorError ? err.message : `the inspector refused: ${(err as Error)?.message ?? err}`;
      held.set(hubId, { error: why.slice(0, 500) });
      s.refused++;
      audit('breakpoint from hub refused', `${where(input)} (hub ${hubId}): ${why.slice(0, 200)}`);
    }
  }

  function apply(answer: BreakpointSyncResponse): void {
    const agent = o.agent();
    const wanted = new Map<string, BreakpointInput>();
    for (const b of answer.breakpoints.slice(0, MAX_HELD)) {
      if (b && typeof b.id === 'string' && HUB_ID.test(b.id) && b.input && typeof b.input === 'object' && !Array.isArray(b.input)) wanted.set(b.id, b.input);
    }
    for (const [hubId, h] of held) {
      if (wanted.has(hubId)) continue;
      held.delete(hubId);
      if (h.localId) {
        const b = agent.get(h.localId);
        if (agent.remove(h.localId) && b) audit('breakpoint removed by hub', `${where(b)} (hub ${hubId})`);
      }
    }
    for (const [hubId, input] of wanted) if (!held.has(hubId)) install(hubId, input);
    // Forget sent snapshot ids the agent no longer keeps.
    const kept = new Set(agent.snapshots().map((x) => x.id));
    for (const id of sent) if (!kept.has(id)) sent.delete(id);
  }

  async function sync(): Promise<void> {
    if (busy || closed) return;
    busy = true;
    try {
      s.syncs++;
      const body = await report();
      const answer = await withoutTracing(() => post(body));
      // What was sent is marked only once the hub took it.
      for (const x of body.snapshots) sent.add(x.id);
      lastLogSeq = nextLogSeq;
      s.snapshotsSent += body.snapshots.length;
      s.logsSent += body.logs.length;
      if (body.sources) wantSources = false;
      wantSources ||= answer.wantSources === true;
      apply(answer);
      delete s.lastSyncError;
    } catch (err) {
      s.syncErrors++;
      s.lastSyncError = String((err as Error)?.message ?? err).slice(0, 200);
    } finally {
      busy = false;
    }
  }

  async function post(body: BreakpointSyncRequest): Promise<BreakpointSyncResponse> {
    const res = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    if (text.length > MAX_ANSWER_BYTES) throw new Error(`hub answered ${text.length} bytes, more than ${MAX_ANSWER_BYTES}`);
    if (res.status === 404) throw new Error('the hub takes no breakpoints for services (404): start it with debugPanel({ hub: true })');
    if (!res.ok) throw new Error(`hub answered ${res.status}: ${text.slice(0, 160)}`);
    const answer = JSON.parse(text) as BreakpointSyncResponse;
    if (!answer || !Array.isArray(answer.breakpoints)) throw new Error('hub answer has no breakpoints array');
    return answer;
  }

  const timer = setInterval(() => void sync(), o.pullMs);
  timer.unref();
  setImmediate(() => void sync()).unref();
  return {
    stats: () => ({ ...s }),
    sync,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
