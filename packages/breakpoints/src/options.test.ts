import path from 'node:path';
import { Redactor } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('fills in the defaults', () => {
    const o = resolveOptions({ dataDir: false });
    expect(o).toMatchObject({ root: process.cwd(), dataDir: undefined, maxBreakpoints: 10, maxSnapshots: 50, maxLogs: 1000, logRateLimit: 50, snapshotRateLimit: 10, pauseRateLimit: 100, evalTimeoutMs: 50, defaultExpiryMs: 3600_000 });
    expect(o.limits).toEqual({ maxFrames: 20, expandFrames: 5, maxLocals: 30, maxDepth: 2, maxProperties: 10, maxStringLength: 100, maxBytes: 20480 });
    expect(resolveOptions({}).dataDir).toBe(path.resolve('.debugpanel'));
    expect(resolveOptions({ watchTimeoutMs: 70 }).evalTimeoutMs).toBe(70); // the former name
  });

  it('names a typo with a suggestion and a bad value with its rule', () => {
    expect(() => resolveOptions({ maxLog: 5 } as never)).toThrow('createBreakpointAgent: unknown option "maxLog"; did you mean "maxLogs"?');
    expect(() => resolveOptions({ limits: { maxDept: 1 } } as never)).toThrow('unknown option "limits.maxDept"; did you mean "limits.maxDepth"?');
    expect(() => resolveOptions({ logRateLimit: 0 })).toThrow(/logRateLimit must be a positive number up to 1000000, got 0/);
    expect(() => resolveOptions({ maxBreakpoints: 101 })).toThrow(/maxBreakpoints must be a positive number up to 100/);
    expect(() => resolveOptions({ redactor: {} as never })).toThrow(/redactor must be a Redactor \(isSecretKey, string, url\)/);
    expect(() => resolveOptions({ redactKeys: [1 as never] })).toThrow(/redactKeys must be an array of strings/);
    expect(() => resolveOptions({ redactKeys: ['ssn'], redactor: new Redactor() })).toThrow(/give `redactKeys` or `redactor`, not both/);
  });
});
