// @vitest-environment jsdom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useVirtualRows, type VirtualRows } from './use-virtual-rows.js';

// jsdom does no layout: every scroller is 240 px tall, and ResizeObserver never fires.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 240 });
  globalThis.ResizeObserver ??= class {
    observe() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
});

let host: HTMLElement;
let last: VirtualRows<HTMLDivElement>;

function List(p: { rows: number; header?: number }) {
  last = useVirtualRows<HTMLDivElement>(p.rows, 24, { header: p.header, initialHeight: 240 });
  const items = [];
  for (let i = last.range.start; i < last.range.end; i++) items.push(<div key={i} class="row" data-i={i} />);
  return (
    <div ref={last.scroller} onScroll={last.onScroll}>
      {items}
    </div>
  );
}

function mount(rows: number, header?: number) {
  host = document.createElement('div');
  document.body.append(host);
  act(() => render(<List rows={rows} header={header} />, host));
}
const drawn = () => [...host.querySelectorAll<HTMLElement>('.row')].map((r) => Number(r.dataset.i));
/** Scrolls the element and lets the next animation frame run. */
async function scrollTo(top: number) {
  const el = last.scroller.current!;
  el.scrollTop = top;
  act(() => void el.dispatchEvent(new Event('scroll')));
  await act(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
}

afterEach(() => {
  render(null, host);
  host.remove();
});

describe('useVirtualRows', () => {
  it('draws the rows in view plus overscan, whatever the list size', () => {
    mount(10_000);
    expect(drawn()).toEqual(Array.from({ length: 30 }, (_, i) => i)); // 10 in view + 20 below
  });

  it('follows the scroll, one update per frame, and stays small', async () => {
    mount(10_000);
    await scrollTo(24 * 5000);
    const rows = drawn();
    expect(rows[0]).toBe(4980);
    expect(rows.length).toBeLessThan(60);
    expect(rows).toContain(5009);
  });

  it('keeps the same range object while it covers the view, so nothing re-renders', async () => {
    mount(10_000);
    const before = last.range;
    await scrollTo(24 * 5);
    expect(last.range).toBe(before);
  });

  it('reveals a row: scrolls just enough, draws it, and centres a far one on request', () => {
    mount(10_000);
    const el = last.scroller.current!;
    act(() => last.reveal(3));
    expect(el.scrollTop).toBe(0); // already in view
    act(() => last.reveal(20));
    expect(el.scrollTop).toBe(20 * 24 + 24 - (240 - 24));
    expect(drawn()).toContain(20);
    act(() => last.reveal(4000, true));
    expect(el.scrollTop).toBe(4000 * 24 - 240 / 3);
    expect(drawn()).toContain(4000);
    act(() => last.reveal(-1));
    expect(el.scrollTop).toBe(4000 * 24 - 240 / 3);
  });

  it('leaves a sticky header out of the viewport', () => {
    mount(10_000, 48);
    expect(last.height).toBe(192);
    expect(drawn()).toHaveLength(28); // 8 in view + 20
  });

  it('shrinks with the list and draws nothing for none', () => {
    mount(5);
    expect(drawn()).toEqual([0, 1, 2, 3, 4]);
    act(() => render(<List rows={0} />, host));
    expect(drawn()).toEqual([]);
  });
});
