import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '@debugpanel/model';

const fixture = path.join(fileURLToPath(import.meta.url), '../../../fixtures/lazy-load.mjs');

// Each case in a fresh process: the panel is set up with nothing of the logger loaded (the
// panel must not load it), then the app loads the real library from node_modules.
describe.each(['pino', 'winston'])('%s loaded after the panel', (lib) => {
  it.each(['import', 'require'])('is not loaded by the panel, then patched as the app loads it (%s)', (mode) => {
    const out = execFileSync(process.execPath, [fixture, lib, mode], { encoding: 'utf8', timeout: 30_000 });
    const r = JSON.parse(out) as { loadedAtSetup: boolean; traceId: string; active: string[]; records: LogRecord[]; lines: string[] };
    expect(r.loadedAtSetup).toBe(false);
    expect(r.active).toContain(lib);
    expect(r.records).toEqual([expect.objectContaining({ body: 'order paid', source: lib, traceId: r.traceId, attributes: { sku: 'a1' } })]);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ trace_id: r.traceId, trace_flags: '01' });
  });
});
