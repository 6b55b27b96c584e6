import { describe, expect, it } from 'vitest';
import { foldStack, parseStack } from './stack-frames.js';

// A stack as Node 22 prints it with --enable-source-maps, from the demo's orders service.
const STACK = [
  "TypeError: Cannot read properties of undefined (reading 'cents')",
  '    at priceOf (/work/shop/apps/demo/src/pricing.ts:21:30)',
  '    at async Layer.handleRequest (/work/shop/node_modules/router/lib/layer.js:152:17)',
  '    at next (/work/shop/node_modules/router/lib/route.js:157:13)',
  '    at file:///work/shop/apps/demo/src/services/orders%20v2.ts:88:5',
  '    at new Promise (<anonymous>)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)',
  '    at C:\\app\\src\\x.ts:3',
  '',
].join('\n');

describe('parseStack', () => {
  it('reads each at-line into function, file, line, column and whether it is library code', () => {
    const lines = parseStack(STACK);
    expect(lines[0]).toEqual({ kind: 'text', text: "TypeError: Cannot read properties of undefined (reading 'cents')" });
    expect(lines.slice(1).map((l) => (l.kind === 'frame' ? l.frame : l))).toEqual([
      { fn: 'priceOf', file: '/work/shop/apps/demo/src/pricing.ts', line: 21, column: 30, library: false },
      { fn: 'async Layer.handleRequest', file: '/work/shop/node_modules/router/lib/layer.js', line: 152, column: 17, library: true },
      { fn: 'next', file: '/work/shop/node_modules/router/lib/route.js', line: 157, column: 13, library: true },
      { fn: '', file: '/work/shop/apps/demo/src/services/orders v2.ts', line: 88, column: 5, library: false },
      undefined, // <anonymous>: no file and line
      { fn: 'process.processTicksAndRejections', file: 'node:internal/process/task_queues', line: 105, column: 5, library: true },
      { fn: '', file: 'C:\\app\\src\\x.ts', line: 3, column: undefined, library: false },
    ]);
    expect(lines[1]).toMatchObject({ kind: 'frame', text: 'at priceOf (/work/shop/apps/demo/src/pricing.ts:21:30)' });
  });

  it('keeps text that is not a frame (a multi-line message, a cause) and drops blank lines', () => {
    expect(parseStack('Error: two\nlines\n\n  at x (/a/b.js:1:2)\ncaused by: boom')).toEqual([
      { kind: 'text', text: 'Error: two' },
      { kind: 'text', text: 'lines' },
      { kind: 'frame', text: 'at x (/a/b.js:1:2)', frame: { fn: 'x', file: '/a/b.js', line: 1, column: 2, library: false } },
      { kind: 'text', text: 'caused by: boom' },
    ]);
    expect(parseStack('')).toEqual([]);
  });
});

describe('foldStack', () => {
  it('folds each run of library frames (node_modules, node:, native) into one part between the app frames', () => {
    const parts = foldStack(parseStack(STACK));
    expect(parts.map((p) => (p.kind === 'fold' ? `fold ${p.lines.length}` : p.kind))).toEqual(['text', 'frame', 'fold 2', 'frame', 'fold 2', 'frame']);
  });

  it('leaves a stack of app frames alone', () => {
    const parts = foldStack(parseStack('Error\n    at a (/app/a.js:1:1)\n    at b (/app/b.js:2:2)'));
    expect(parts.map((p) => p.kind)).toEqual(['text', 'frame', 'frame']);
  });
});
