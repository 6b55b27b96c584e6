import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { watchModule } from './module-watch.js';

const require = createRequire(import.meta.url);

it('reports a package the app requires after the watch once, and a throwing onLoad never breaks that require', () => {
  const file = require.resolve('escape-html');
  delete require.cache[file];
  const seen: string[] = [];
  const stop = watchModule('escape-html', 'index.js', (_exports, path) => {
    seen.push(path);
    throw new Error('the patch failed');
  });
  try {
    const escape = require('escape-html') as (s: string) => string;
    expect(escape('<a>')).toBe('&lt;a&gt;');
    expect(seen).toEqual([file]);
    require('escape-html');
    expect(seen).toEqual([file]);
  } finally {
    stop();
  }
});
