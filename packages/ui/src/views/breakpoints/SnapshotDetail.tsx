import { useState } from 'preact/hooks';
import { useJson } from '../../hooks.js';
import { formatClock } from '../../lib/format.js';
import { formatHash } from '../../lib/route.js';
import type { CapturedFrame, CapturedValue, Snapshot } from '@debugpanel/model';
import { captureCost, noteText, relativeTo, snapshotPath, valuePreview } from '../../lib/breakpoints-api.js';

/** Members shown per object before a "show more" (the capture itself is bounded by the server too). */
const PAGE = 50;

interface SnapshotDetailProps {
  id: string;
  root: string;
  onClose: () => void;
  /** Show a frame's location in the source view */
  onFrame: (file: string, line: number) => void;
}

/** One snapshot: watches, then frames -> scopes -> variables as a tree expanded on demand. */
export function SnapshotDetail(p: SnapshotDetailProps) {
  const { data: snap, error } = useJson<Snapshot>(snapshotPath(p.id));
  return (
    <aside class="bp-side snap-detail" aria-labelledby="snap-h" data-testid="snapshot-detail">
      <header class="bp-side-head">
        <h2 id="snap-h">Snapshot</h2>
        <span class="spacer" />
        <button type="button" class="btn ghost small" onClick={p.onClose} aria-label="Close snapshot" data-testid="snapshot-close">
          ✕
        </button>
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      {!snap && !error && <p class="muted pad">Loading…</p>}
      {snap && (
        <div class="snap-body">
          <dl class="facts-grid">
            <dt>Where</dt>
            <dd class="mono">
              {relativeTo(p.root, snap.file)}:{snap.line}
            </dd>
            {snap.service && (
              <>
                <dt>Service</dt>
                <dd class="mono" data-testid="snapshot-service">{snap.service}</dd>
              </>
            )}
            <dt>When</dt>
            <dd class="mono">{formatClock(snap.time)}</dd>
            <dt>Trace</dt>
            <dd>
              {snap.traceId ? (
                <a class="mono" href={formatHash({ view: 'trace', id: snap.traceId, params: { span: snap.spanId } })} data-testid="snapshot-trace">
                  {snap.traceId.slice(0, 16)}… ↗
                </a>
              ) : (
                <span class="muted">no active span at the hit</span>
              )}
            </dd>
            <dt>Cost</dt>
            <dd class="snap-cost-dd" data-testid="snapshot-cost">
              <span class="mono">{captureCost(snap)}</span>
              {snap.truncated && <span class="warn"> · cut by a limit</span>}
              <p class="muted snap-cost">
                The capture runs on the paused thread: the request that hit the line, and every other request of that process, waited
                this long. An armed breakpoint costs nothing until its line runs; a run whose condition is false costs about half a millisecond.
              </p>
            </dd>
          </dl>
          {snap.watches.length > 0 && (
            <section aria-label="Watches">
              <h3>Watches</h3>
              <ul class="tree" role="tree" data-testid="snapshot-watches">
                {snap.watches.map((w, i) =>
                  w.value ? (
                    <ValueNode key={i} v={{ ...w.value, name: w.expression }} depth={0} />
                  ) : (
                    <li key={i} role="treeitem" data-testid="snapshot-var" data-name={w.expression}>
                      <div class="tree-row">
                        <span class="toggle" />
                        <span class="vname">{w.expression}</span>
                        <span class="err vval" data-testid="snapshot-error" title={w.error}>
                          {w.error ?? 'no value'}
                        </span>
                      </div>
                    </li>
                  ),
                )}
              </ul>
            </section>
          )}
          <section aria-label="Stack">
            <h3>Stack ({snap.frames.length})</h3>
            <ul class="tree" role="tree" data-testid="snapshot-frames">
              {snap.frames.map((f, i) => (
                <FrameNode key={i} f={f} open={i === 0} root={p.root} onFrame={p.onFrame} />
              ))}
            </ul>
          </section>
        </div>
      )}
    </aside>
  );
}

function FrameNode(p: { f: CapturedFrame; open: boolean; root: string; onFrame: (file: string, line: number) => void }) {
  const [open, setOpen] = useState(p.open);
  const { f } = p;
  const file = relativeTo(p.root, f.file);
  // Only the app's own files can be shown (the sources API serves nothing outside its root).
  const own = !!file && !file.startsWith('/') && !/^[a-z]+:/i.test(file) && !file.includes('node_modules/');
  const expandable = !!f.scopes?.length;
  return (
    <li role="treeitem" aria-expanded={expandable ? open : undefined} data-testid="snapshot-frame">
      <div class="tree-row">
        <button type="button" class="toggle" disabled={!expandable} onClick={() => setOpen(!open)} aria-label={open ? 'Collapse frame' : 'Expand frame'}>
          {expandable ? (open ? '▾' : '▸') : ''}
        </button>
        <span class="fn">{f.function || '(anonymous)'}</span>
        {own ? (
          <button type="button" class="btn link small mono frame-loc" onClick={() => p.onFrame(file, f.line)} title={`Show ${file}:${f.line}`}>
            {file.split('/').pop()}:{f.line}
          </button>
        ) : (
          <span class="mono muted frame-loc" title={f.file}>
            {f.file ? `${f.file.split('/').pop()}:${f.line}` : 'native'}
          </span>
        )}
      </div>
      {open && f.scopes && (
        <ul role="group" class="tree">
          {f.scopes.map((s, i) => (
            <ScopeNode key={i} type={s.type} vars={s.variables} open={i === 0} />
          ))}
        </ul>
      )}
    </li>
  );
}

function ScopeNode(p: { type: string; vars: CapturedValue[]; open: boolean }) {
  const [open, setOpen] = useState(p.open);
  return (
    <li role="treeitem" aria-expanded={open}>
      <div class="tree-row">
        <button type="button" class="toggle" onClick={() => setOpen(!open)} aria-label={open ? 'Collapse scope' : 'Expand scope'}>
          {open ? '▾' : '▸'}
        </button>
        <span class="scope">{p.type}</span> <span class="muted">({p.vars.length})</span>
      </div>
      {open && <Members list={p.vars} depth={1} />}
    </li>
  );
}

function Members(p: { list: CapturedValue[]; depth: number }) {
  const [shown, setShown] = useState(PAGE);
  return (
    <ul role="group" class="tree">
      {p.list.slice(0, shown).map((v, i) => (
        <ValueNode key={i} v={v} depth={p.depth} />
      ))}
      {p.list.length > shown && (
        <li class="tree-row">
          <span class="toggle" />
          <button type="button" class="btn link small" onClick={() => setShown(shown + PAGE)}>
            {p.list.length - shown} more…
          </button>
        </li>
      )}
    </ul>
  );
}

/** A variable; its members render only once it is expanded. */
function ValueNode(p: { v: CapturedValue; depth: number }) {
  const [open, setOpen] = useState(false);
  const { v } = p;
  const kids = v.members?.length ? v.members : undefined;
  const note = noteText(v.note);
  return (
    <li role="treeitem" aria-expanded={kids ? open : undefined} data-testid="snapshot-var" data-name={v.name}>
      <div class="tree-row">
        <button type="button" class="toggle" disabled={!kids} onClick={() => setOpen(!open)} aria-label={open ? `Collapse ${v.name}` : `Expand ${v.name}`}>
          {kids ? (open ? '▾' : '▸') : ''}
        </button>
        <span class="vname">{v.name}</span>
        <span class={`vval t-${v.type}`} data-testid="snapshot-value" title={note}>
          {valuePreview(v)}
          {note && v.note !== 'redacted' && v.note !== 'truncated' && <span class="muted"> ({v.note})</span>}
        </span>
      </div>
      {open && kids && <Members list={kids} depth={p.depth + 1} />}
    </li>
  );
}
