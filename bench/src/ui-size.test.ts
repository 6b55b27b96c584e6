import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIRST_LOAD_BUDGET_KB, firstOpen } from './ui-size.js';

describe('firstOpen', () => {
  it('counts what index.html names, their static imports and the landing chunks, never a lazy view', () => {
    const dist = mkdtempSync(join(tmpdir(), 'ui-size-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<script type="module" src="./assets/index-AAAAAAAA.js"></script><link rel="stylesheet" href="./assets/index-BBBBBBBB.css">');
    writeFileSync(join(dist, 'assets/index-AAAAAAAA.js'), 'import{a}from"./runtime-CCCCCCCC.js";const v=()=>import("./MapView-DDDDDDDD.js");');
    writeFileSync(join(dist, 'assets/runtime-CCCCCCCC.js'), 'export const a=1;');
    writeFileSync(join(dist, 'assets/index-BBBBBBBB.css'), 'body{margin:0}');
    writeFileSync(join(dist, 'assets/MapView-DDDDDDDD.js'), 'export const big="' + 'x'.repeat(10_000) + '";');
    writeFileSync(join(dist, 'assets/TraceScatter-EEEEEEEE.js'), 'import{a}from"./runtime-CCCCCCCC.js";');
    const open = firstOpen(dist)!;
    expect(open.files.sort()).toEqual(['assets/TraceScatter-EEEEEEEE.js', 'assets/index-AAAAAAAA.js', 'assets/index-BBBBBBBB.css', 'assets/runtime-CCCCCCCC.js']);
    expect(open.total).toBe(Object.values(open.gzip).reduce((a, b) => a + b, 0));
  });

  it('is null for a UI that is not built', () => {
    expect(firstOpen(mkdtempSync(join(tmpdir(), 'ui-size-')))).toBeNull();
  });
});

describe('the built UI', () => {
  // npm test builds every package first; this holds issue 19's first-load budget on the real bundle
  it(`loads at most ${FIRST_LOAD_BUDGET_KB} KB gzip on first open`, () => {
    const dist = join(dirname(createRequire(import.meta.url).resolve('@debugpanel/ui/package.json')), 'dist');
    const open = firstOpen(dist);
    expect(open, `${dist} is not built: run npm run build`).not.toBeNull();
    expect(open!.files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(open!.total / 1000).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_KB);
  });
});
