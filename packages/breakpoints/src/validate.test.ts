import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_EXPIRY_MS } from './options.js';
import { resolveUnder, validateInput, validateRestored, type ValidationContext } from './validate.js';

// Input validation is pure (no inspector): the same function checks the API's input and what is
// read back from disk.
const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'dp-bp-validate-')));
const outside = realpathSync(mkdtempSync(path.join(tmpdir(), 'dp-bp-outside-')));
mkdirSync(path.join(root, 'src'));
mkdirSync(path.join(root, '.hidden'));
writeFileSync(path.join(root, 'src', 'app.mjs'), 'export const a = 1;\nexport const b = 2;\n');
writeFileSync(path.join(root, '.env'), 'SECRET=1\nTOKEN=2\nKEY=3\n');
writeFileSync(path.join(root, 'notes.txt'), 'one\ntwo\n');
writeFileSync(path.join(root, '.hidden', 'tool.js'), 'x;\n');
writeFileSync(path.join(outside, 'other.js'), 'y;\n');
symlinkSync(path.join(outside, 'other.js'), path.join(root, 'src', 'link.js'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const NOW = 1_700_000_000_000;
const ctx: ValidationContext = { root, defaultExpiryMs: 3600_000, now: NOW, isLoaded: () => false, newId: () => 'bp_000000000001' };
const refusal = (input: object, c: ValidationContext = ctx) => {
  try {
    validateInput(input as never, c);
    return 'accepted';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('validateInput: what a refusal may say about files', () => {
  it('names the line count only of source files the agent would break in', () => {
    expect(refusal({ file: 'src/app.mjs', line: 99 })).toBe('line must be an integer from 1 to 3 (the length of src/app.mjs), got 99');
    expect(refusal({ file: 'src/none.mjs', line: 1 })).toBe('file not found: src/none.mjs');
  });

  it('gives one refusal, saying nothing of the file, for anything else: .env, text, hidden, outside, symlinked out, missing', () => {
    const generic = (f: string) => `file must be a source file (.js, .mjs, .cjs, .ts, .mts, .cts, .jsx, .tsx) under the app's root, outside hidden folders, or a script the app has loaded; got ${JSON.stringify(f)}`;
    for (const f of ['.env', 'notes.txt', 'missing.txt', '.hidden/tool.js', '../x.js', path.join(outside, 'other.js'), 'src/link.js']) {
      expect(refusal({ file: f, line: 99 }), f).toBe(generic(f));
      expect(refusal({ file: f, line: 1 }), f).toBe(generic(f));
    }
  });

  it('accepts a script the app loaded from a hidden folder', () => {
    expect(refusal({ file: '.hidden/tool.js', line: 1 }, { ...ctx, isLoaded: (f) => f === path.join(root, '.hidden', 'tool.js') })).toBe('accepted');
  });

  it('builds the breakpoint with its defaults', () => {
    expect(validateInput({ file: 'src/app.mjs', line: 2, condition: ' a > 1 ' }, ctx)).toEqual({
      bp: { id: 'bp_000000000001', file: path.join(root, 'src', 'app.mjs'), line: 2, kind: 'snapshot', watch: [], maxHits: 1, hits: 0, state: 'pending', createdAt: NOW, expiresAt: NOW + 3600_000, condition: 'a > 1' },
    });
    expect(validateInput({ file: 'src/app.mjs', line: 1, message: 'a={a}' }, ctx).parts).toEqual([{ text: 'a=' }, { expr: 'a' }]);
  });

  it('refuses bad fields with a suggestion', () => {
    expect(refusal({ file: 'src/app.mjs', line: 1, conditon: 'x' })).toMatch(/unknown field "conditon"; did you mean condition\?/);
    expect(refusal({ file: 'src/app.mjs', line: 1, maxHits: 0 })).toMatch(/maxHits must be an integer from 1/);
    expect(refusal({ file: 'src/app.mjs', line: 1, expiresInMs: MAX_EXPIRY_MS + 1 })).toMatch(/expiresInMs must be/);
    expect(refusal({ file: 'src/app.mjs', line: 1, message: 'x' , kind: 'snapshot' })).toMatch(/message is for logpoints/);
  });
});

describe('resolveUnder', () => {
  it('keeps paths under the root and refuses escapes', () => {
    expect(resolveUnder(root, 'src/app.mjs')).toBe(path.join(root, 'src', 'app.mjs'));
    expect(resolveUnder(root, 'src/later.ts')).toBe(path.join(root, 'src', 'later.ts'));
    for (const p of ['../etc/passwd', '/etc/passwd', 'src/link.js', 'a\0b', '']) expect(resolveUnder(root, p), p).toBeUndefined();
  });
});

describe('validateRestored: a breakpoint read back from disk', () => {
  const saved = {
    id: 'bp_0123456789ab', file: path.join(root, 'src', 'app.mjs'), line: 2, kind: 'snapshot', watch: ['a'], maxHits: 3, hits: 1,
    state: 'active', createdAt: NOW - 1000, expiresAt: NOW + 60_000,
  };
  const restoreCtx = { root, defaultExpiryMs: 3600_000, now: NOW, isLoaded: () => false };

  it('keeps a valid one as it was', () => {
    const v = validateRestored(saved, restoreCtx);
    expect(v).toMatchObject({ bp: { id: saved.id, hits: 1, maxHits: 3, createdAt: NOW - 1000, expiresAt: NOW + 60_000, watch: ['a'], state: 'pending' } });
  });

  it('refuses what the API would refuse: a forbidden condition, watch or message, a file outside the root, .env', () => {
    const why = (patch: object) => {
      const v = validateRestored({ ...saved, ...patch }, restoreCtx);
      return 'error' in v ? v.error : 'accepted';
    };
    expect(why({ condition: "({get: eval}).get('for(;;){}')" })).toMatch(/^condition .* refused: object literals/);
    expect(why({ watch: ['process.exit()'] })).toMatch(/^watch .* refused/);
    expect(why({ kind: 'logpoint', maxHits: null, message: 'x={a.pop()}' })).toMatch(/^message part .* refused/);
    expect(why({ file: path.join(outside, 'other.js'), line: 1 })).toMatch(/^file must be a source file/);
    expect(why({ file: path.join(root, '.env'), line: 1 })).toMatch(/^file must be a source file/);
    expect(why({ id: 'x; rm -rf' })).toBe('not a breakpoint record');
    expect(why({ expiresAt: 'soon' })).toMatch(/not numbers/);
  });

  it('clamps an expiry beyond the longest lifetime (2^31 ms and more would overflow a timer)', () => {
    const v = validateRestored({ ...saved, expiresAt: NOW + 2 ** 31 + 5000 }, restoreCtx);
    expect('bp' in v && v.bp.expiresAt).toBe(NOW + MAX_EXPIRY_MS);
  });
});
