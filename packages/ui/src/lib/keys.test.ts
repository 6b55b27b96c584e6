/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEY_HELP } from './keys.js';

describe('KEY_HELP', () => {
  it('says what the README Keys table says, row for row', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Keys'), readme.indexOf('\n## ', readme.indexOf('## Keys') + 1));
    const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| key') && !l.startsWith('| ---'));
    const cells = rows.map((l) => l.split('|').slice(1, 4).map((c) => c.trim().replace(/`/g, '').replace(/\s+/g, ' ')));
    expect(cells).toEqual(KEY_HELP.map((k) => [k.keys, k.where, k.does]));
  });
});
