import { useState } from 'preact/hooks';
import type { ServicesResponse } from '@debugpanel/model';
import { useJson } from '../hooks.js';
import { CONTEXT_USE, ignoredFields, mapWindowFor, relativeWindow, type Context, type ContextField } from '../lib/context.js';
import { formatClock } from '../lib/format.js';
import { viewLabel } from '../lib/nav.js';
import type { ViewName } from '../lib/route.js';
import { TIME_RANGES } from '../lib/time-range.js';

export interface ContextBarProps {
  view: ViewName;
  ctx: Context;
  /** The current view's hash params (a view may apply less with some of them set) */
  params: URLSearchParams;
  /** Sets the context: in the current view's hash, or (views that do not carry it) for the next view */
  onChange: (ctx: Context) => void;
}

const FIELD_LABEL: Record<ContextField, string> = { service: 'service', route: 'route', status: 'status', time: 'time' };

/** `02:10:05`: a window's ends to the second. */
const clock = (ms: number) => formatClock(ms).replace(/\.\d+$/, '');

/** `2026-12-04T02:10` for a datetime-local input, in local time. */
function localInput(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * The one filter bar: service, route, status and time window, shared by every view (the context
 * of lib/context.ts). Each view applies what it can; the bar names what the current view ignores.
 */
export function ContextBar({ view, ctx, params, onChange }: ContextBarProps) {
  const services = useJson<ServicesResponse>('api/services', 30_000).data?.services ?? [];
  const options = [...new Set([...services, ...(ctx.service ? [ctx.service] : [])])].sort();
  const [custom, setCustom] = useState<{ from: string; to: string }>();
  // A view that neither carries nor applies the context (Stats, Chaos...) just keeps it.
  const carries = CONTEXT_USE[view].carries || CONTEXT_USE[view].applies.length > 0;
  const mapWin = view === 'map' ? mapWindowFor(ctx, Date.now()) : undefined;
  const ignored = ignoredFields(view, ctx, params);
  const hasTime = ctx.since !== undefined || ctx.until !== undefined;
  const set = (patch: Partial<Context>) => {
    const next: Context = { ...ctx, ...patch };
    for (const k of Object.keys(next) as Array<keyof Context>) if (next[k] === undefined || next[k] === '') delete next[k];
    onChange(next);
  };
  const pickTime = (key: string) => {
    if (key === 'custom') {
      setCustom({ from: localInput(ctx.since ?? Date.now() - 15 * 60_000), to: localInput(ctx.until) });
      return;
    }
    setCustom(undefined);
    const w = relativeWindow(key === 'clear' ? '' : key, Date.now());
    if (w) set(w);
  };
  const applyCustom = (e: Event) => {
    e.preventDefault();
    if (!custom) return;
    const since = custom.from ? new Date(custom.from).getTime() : undefined;
    const until = custom.to ? new Date(custom.to).getTime() : undefined;
    if (since !== undefined && !Number.isFinite(since)) return;
    setCustom(undefined);
    set({ since, until: until !== undefined && Number.isFinite(until) && (since === undefined || until > since) ? until : undefined });
  };
  const dim = (f: ContextField) => (ignored.includes(f) ? ' ctx-ignored' : '');
  return (
    <div class={`ctxbar${carries ? '' : ' ctx-off'}`} role="search" aria-label="Filter shared by every view" data-testid="ctx-bar">
      <label class={`ctx-field${dim('service')}`}>
        <span>Service</span>
        <select value={ctx.service ?? ''} onChange={(e) => set({ service: e.currentTarget.value || undefined })} data-testid="ctx-service">
          <option value="">any</option>
          {options.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label class={`ctx-field${dim('route')}`}>
        <span>Route</span>
        <input
          key={ctx.route ?? ''}
          defaultValue={ctx.route ?? ''}
          placeholder="/orders/:id"
          onChange={(e) => set({ route: e.currentTarget.value.trim() || undefined })}
          onKeyDown={(e) => {
            if (e.key === 'Enter') set({ route: e.currentTarget.value.trim() || undefined });
          }}
          data-testid="ctx-route"
        />
      </label>
      <label class={`ctx-field${dim('status')}`}>
        <span>Status</span>
        <select value={ctx.status ?? ''} onChange={(e) => set({ status: (e.currentTarget.value || undefined) as Context['status'] })} data-testid="ctx-status">
          <option value="">any</option>
          <option value="error">error</option>
          <option value="ok">ok</option>
        </select>
      </label>
      <label class={`ctx-field${dim('time')}`}>
        <span>Time</span>
        <select
          value={custom ? 'custom' : ''}
          onChange={(e) => pickTime(e.currentTarget.value)}
          data-testid="time-range"
          title="A picked range starts now minus that long, fixed: the link shows the same records later"
        >
          {/* The window itself is the chip beside: the menu picks a new one. */}
          <option value="">{hasTime ? 'change…' : 'any time'}</option>
          {hasTime && <option value="clear">any time</option>}
          {TIME_RANGES.map((r) => (
            <option key={r.key} value={r.key}>
              {r.label}
            </option>
          ))}
          <option value="custom">custom…</option>
        </select>
      </label>
      {custom && (
        <form class="ctx-custom" onSubmit={applyCustom} data-testid="ctx-custom">
          <input type="datetime-local" aria-label="From" value={custom.from} onInput={(e) => setCustom({ ...custom, from: e.currentTarget.value })} data-testid="ctx-custom-from" />
          <span class="muted">–</span>
          <input type="datetime-local" aria-label="To (empty: now)" value={custom.to} onInput={(e) => setCustom({ ...custom, to: e.currentTarget.value })} data-testid="ctx-custom-to" />
          <button type="submit" class="btn small primary" data-testid="ctx-custom-apply">
            Apply
          </button>
          <button type="button" class="btn small ghost" onClick={() => setCustom(undefined)}>
            Cancel
          </button>
        </form>
      )}
      {hasTime && !custom && (
        <span class="chip" data-testid="time-window" title={`${ctx.since !== undefined ? new Date(ctx.since).toISOString() : '…'} – ${ctx.until !== undefined ? new Date(ctx.until).toISOString() : 'now'}`}>
          {ctx.since !== undefined ? clock(ctx.since) : '…'} – {ctx.until !== undefined ? clock(ctx.until) : 'now'}
          <button type="button" class="btn ghost small" aria-label="Remove the time window" onClick={() => set({ since: undefined, until: undefined })}>
            ✕
          </button>
        </span>
      )}
      <span class="ctx-note muted" data-testid="ctx-ignored" aria-live="polite">
        {!carries
          ? `${viewLabel(view)} does not use this filter; it is kept for the next view.`
          : ignored.length > 0
            ? `Not applied in ${viewLabel(view)}: ${ignored.map((f) => FIELD_LABEL[f]).join(', ')}${view === 'trace' ? ' (kept for its links)' : view === 'logs' && params.get('traceId') ? ' (a trace id is set: its logs of every service)' : ''}`
            : view === 'errors' && ctx.until !== undefined
              ? 'Errors: the window’s end is not applied (groups seen since its start).'
              : ''}
        {mapWin && (
          <span data-testid="ctx-map-window">
            {ignored.length > 0 ? ' · ' : ''}Map: {mapWin.minutes === 'all' ? 'every stored trace (no map window reaches back that far)' : `the last ${mapWin.minutes === 60 ? '1 hour' : `${mapWin.minutes} min`}, the nearest map window that covers the bar’s`}
            {mapWin.endIgnored ? '; its end is not applied' : ''}
          </span>
        )}
      </span>
      <span class="spacer" />
      {Object.keys(ctx).length > 0 && (
        <button type="button" class="btn small ghost" onClick={() => onChange({})} data-testid="ctx-clear" title="Clear service, route, status and time">
          Clear
        </button>
      )}
    </div>
  );
}
