import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFixture, fixtures, lineOf } from '../test-fixtures/compile.js';
import { ScriptRegistry, scriptPath } from './scripts.js';

const gen = mkdtempSync(path.join(tmpdir(), 'dp-bp-scripts-'));
afterAll(() => rmSync(gen, { recursive: true, force: true }));
const ts = path.join(fixtures, 'esm-app.ts');

describe('ScriptRegistry', () => {
  const js = compileFixture('esm-app.ts', 'esm', gen);
  const generatedLines = readFileSync(js, 'utf8').split('\n');

  it('maps a TypeScript line to the generated script through an external map and back', () => {
    const reg = new ScriptRegistry();
    reg.add({ scriptId: '1', url: 'node:internal/x', sourceMapURL: '' }); // ignored: no file
    reg.add({ scriptId: '2', url: pathToFileURL(js).href, sourceMapURL: path.basename(js) + '.map' });
    expect(reg.size).toBe(1);
    const line = lineOf('esm-app.ts', 'const result = sum - discount');
    const found = reg.findGenerated(ts, line);
    expect(found && 'line' in found && generatedLines[found.line - 1]).toContain('const result = sum - discount');
    if (!found || !('line' in found)) throw new Error('not found');
    expect(reg.original('2', found.line - 1, found.column)).toEqual({ file: ts, line, column: expect.any(Number) });
  });

  it('moves a blank or comment line to the next line with code', () => {
    const reg = new ScriptRegistry();
    reg.add({ scriptId: '2', url: pathToFileURL(js).href, sourceMapURL: path.basename(js) + '.map' });
    const blank = lineOf('esm-app.ts', 'export const state') - 1; // the empty line above
    const found = reg.findGenerated(ts, blank);
    expect(found && 'line' in found && generatedLines[found.line - 1]).toContain('export const state');
  });

  it('reads inline data: maps (loaders such as tsx) for a script named like the source', () => {
    const map = readFileSync(`${js}.map`, 'utf8');
    const inline = path.join(gen, 'inline.mjs');
    const fixed = JSON.parse(map) as { sources: string[] };
    fixed.sources = [path.relative(gen, ts)];
    writeFileSync(inline, readFileSync(js, 'utf8'));
    const reg = new ScriptRegistry();
    reg.add({ scriptId: '7', url: inline, sourceMapURL: `data:application/json;base64,${Buffer.from(JSON.stringify(fixed)).toString('base64')}` });
    const found = reg.findGenerated(ts, lineOf('esm-app.ts', 'return doubled'));
    expect(found && 'line' in found && generatedLines[found.line - 1]).toContain('return doubled');
  });

  it('returns nothing for files no map lists, and survives a missing map file', () => {
    const reg = new ScriptRegistry();
    reg.add({ scriptId: '3', url: pathToFileURL(path.join(gen, 'gone.mjs')).href, sourceMapURL: 'gone.mjs.map' });
    expect(reg.findGenerated(ts, 3)).toBeUndefined();
    expect(reg.original('3', 0, 0)).toBeUndefined();
  });

  it('scriptPath understands file URLs and paths, not internals', () => {
    expect(scriptPath('file:///a/b%20c.js')).toBe('/a/b c.js');
    expect(scriptPath('/a/b.js')).toBe('/a/b.js');
    expect(scriptPath('node:fs')).toBeUndefined();
    expect(scriptPath('')).toBeUndefined();
  });
});
