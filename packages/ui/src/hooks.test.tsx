// @vitest-environment jsdom
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { useRoute } from './hooks.js';
import type { Route } from './lib/route.js';

let seen: Route | undefined;
function Shell() {
  [seen] = useRoute();
  return null;
}

let host: HTMLElement | undefined;
afterEach(() => {
  if (host) render(null, host);
  history.replaceState(null, '', '#');
});

const frame = () => new Promise((r) => setTimeout(r, 50));

describe('useRoute', () => {
  it('follows a hash that changed before its listener was attached (no hashchange heard)', async () => {
    history.replaceState(null, '', '#/traces');
    host = document.createElement('div');
    render(<Shell />, host);
    expect(seen?.view).toBe('traces');
    // between the first render and the effect that listens: replaceState fires no hashchange
    history.replaceState(null, '', '#/chaos');
    await frame();
    expect(seen?.view).toBe('chaos');
  });

  it('follows hashchange events after that', async () => {
    history.replaceState(null, '', '#/traces');
    host = document.createElement('div');
    render(<Shell />, host);
    await frame();
    location.hash = '#/metrics';
    await frame();
    expect(seen?.view).toBe('metrics');
  });
});
