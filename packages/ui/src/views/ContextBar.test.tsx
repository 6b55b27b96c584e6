// @vitest-environment jsdom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Context } from '../lib/context.js';
import type { ViewName } from '../lib/route.js';
import { ContextBar } from './ContextBar.js';

let host: HTMLElement;
let changes: Context[];

beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
  changes = [];
  // the service menu's list: what api/services answers
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ services: ['orders', 'gateway'] }), { headers: { 'content-type': 'application/json' } })));
});

afterEach(() => {
  render(null, host);
  host.remove();
  vi.unstubAllGlobals();
});

async function show(view: ViewName, ctx: Context, params = '') {
  await act(async () => {
    render(<ContextBar view={view} ctx={ctx} params={new URLSearchParams(params)} onChange={(c) => changes.push(c)} />, host);
  });
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
}
const q = <T extends Element>(id: string) => host.querySelector<T>(`[data-testid="${id}"]`)!;

describe('ContextBar', () => {
  it('shows the context, the services the API lists, and what the view does not apply', async () => {
    await show('logs', { service: 'orders', route: '/orders/:id', since: Date.UTC(2026, 0, 1, 10, 0, 5) });
    expect(q<HTMLSelectElement>('ctx-service').value).toBe('orders');
    expect([...q<HTMLSelectElement>('ctx-service').options].map((o) => o.value)).toEqual(['', 'gateway', 'orders']);
    expect(q<HTMLInputElement>('ctx-route').value).toBe('/orders/:id');
    expect(q('time-window').textContent).toMatch(/^\d\d:\d\d:05 – now/);
    expect(q('ctx-ignored').textContent).toBe('Not applied in Logs: route');
    expect(q('ctx-route').closest('label')!.className).toContain('ctx-ignored');
  });

  it('says a view that does not carry the context keeps it for the next one', async () => {
    await show('stats', { service: 'orders' });
    expect(q('ctx-ignored').textContent).toBe('Stats does not use this filter; it is kept for the next view.');
    expect(q('ctx-bar').className).toContain('ctx-off');
  });

  it('a picked range becomes an absolute since; a new service keeps the rest; Clear empties it', async () => {
    await show('traces', { service: 'orders', status: 'error' });
    const before = Date.now();
    const time = q<HTMLSelectElement>('time-range');
    time.value = '15m';
    await act(async () => void time.dispatchEvent(new Event('change')));
    expect(changes[0]!.service).toBe('orders');
    expect(changes[0]!.status).toBe('error');
    expect(Math.abs(changes[0]!.since! - (before - 15 * 60_000))).toBeLessThan(2000);
    expect(changes[0]!.until).toBeUndefined();
    const svc = q<HTMLSelectElement>('ctx-service');
    svc.value = 'gateway';
    await act(async () => void svc.dispatchEvent(new Event('change')));
    expect(changes[1]).toEqual({ service: 'gateway', status: 'error' });
    await act(async () => void q<HTMLButtonElement>('ctx-clear').click());
    expect(changes[2]).toEqual({});
  });

  it('a custom window from two local times; an end before the start is left out', async () => {
    await show('errors', {});
    const time = q<HTMLSelectElement>('time-range');
    time.value = 'custom';
    await act(async () => void time.dispatchEvent(new Event('change')));
    const from = q<HTMLInputElement>('ctx-custom-from');
    const to = q<HTMLInputElement>('ctx-custom-to');
    from.value = '2026-12-04T02:00';
    await act(async () => void from.dispatchEvent(new Event('input')));
    to.value = '2026-12-04T01:00';
    await act(async () => void to.dispatchEvent(new Event('input')));
    await act(async () => void q<HTMLFormElement>('ctx-custom').dispatchEvent(new Event('submit', { cancelable: true })));
    expect(changes[0]).toEqual({ since: new Date('2026-12-04T02:00').getTime() });
  });
});
