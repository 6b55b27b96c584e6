import { useEffect } from 'preact/hooks';
import type { Breakpoint } from '@debugpanel/model';
import { useVirtualRows } from '../../use-virtual-rows.js';

export const LINE_HEIGHT = 18;

interface SourceCodeProps {
  lines: string[];
  /** Breakpoints of this file by 1-based line */
  marks: Map<number, Breakpoint>;
  /** 1-based selected line, 0 for none */
  selected: number;
  /** Line a snapshot being viewed stopped at (highlighted), 0 for none */
  stopped: number;
  onSelect: (line: number) => void;
  /** Gutter click or Enter/b: set a breakpoint (or select the one there) */
  onToggle: (line: number) => void;
}

/**
 * A read-only, virtualized source view: a spacer as tall as the file and absolutely positioned
 * rows for the lines in view only, so a 20,000-line bundle keeps a few dozen lines in the DOM.
 * Keys: ↑/↓ (or j/k) move the selected line, PgUp/PgDn a page, Enter or b sets a breakpoint.
 */
export function SourceCode(p: SourceCodeProps) {
  const v = useVirtualRows<HTMLDivElement>(p.lines.length, LINE_HEIGHT, { initialHeight: 500 });
  // Bring the selected line into view (a shared link, a keyboard move, a frame of a snapshot),
  // centred when it was far away so its context shows.
  useEffect(() => v.reveal(p.selected - 1, true), [p.selected, p.lines]);

  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const page = Math.max(1, Math.floor(v.height / LINE_HEIGHT) - 2);
    const cur = p.selected || 1;
    const move = (to: number) => {
      e.preventDefault();
      p.onSelect(Math.min(p.lines.length, Math.max(1, to)));
    };
    if (e.key === 'ArrowDown' || e.key === 'j') move(p.selected ? cur + 1 : 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') move(cur - 1);
    else if (e.key === 'PageDown') move(cur + page);
    else if (e.key === 'PageUp') move(cur - page);
    else if (e.key === 'Home') move(1);
    else if (e.key === 'End') move(p.lines.length);
    else if ((e.key === 'Enter' || e.key === 'b') && p.selected) {
      e.preventDefault();
      p.onToggle(p.selected);
    }
  };

  const want = v.range;
  const gutter = `${String(p.lines.length).length + 1.5}ch`;
  const rows: preact.JSX.Element[] = [];
  for (let i = want.start; i < want.end; i++) {
    const n = i + 1;
    const bp = p.marks.get(n);
    const cls = `src-line${n === p.selected ? ' selected' : ''}${n === p.stopped ? ' stopped' : ''}`;
    rows.push(
      <div key={n} class={cls} style={{ top: i * LINE_HEIGHT }} data-testid="src-line" data-line={n} onClick={() => p.onSelect(n)}>
        <button
          type="button"
          tabIndex={-1}
          class={`gutter${bp ? ` has-bp st-${bp.state}` : ''}`}
          style={{ width: gutter }}
          data-testid="bp-gutter"
          data-line={n}
          title={bp ? `${bp.kind} (${bp.state})` : `Set a breakpoint on line ${n}`}
          aria-label={bp ? `Line ${n}: ${bp.kind} breakpoint, ${bp.state}` : `Set a breakpoint on line ${n}`}
          onClick={(e) => {
            e.stopPropagation();
            p.onToggle(n);
          }}
        >
          {n}
        </button>
        <span class="src-text">{p.lines[i] || ' '}</span>
      </div>,
    );
  }
  return (
    <div
      class="src-scroll mono"
      ref={v.scroller}
      onScroll={v.onScroll}
      tabIndex={0}
      onKeyDown={onKey}
      role="region"
      aria-label={`Source, ${p.lines.length} lines${p.selected ? `, line ${p.selected} selected` : ''}; ↑/↓ select a line, Enter sets a breakpoint`}
      data-testid="bp-code"
    >
      <div class="src-spacer" style={{ height: p.lines.length * LINE_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
