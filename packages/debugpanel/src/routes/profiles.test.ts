import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profiles } from './profiles.js';
import { serveFeature } from './test-helpers.js';

// The profiles feature served by a bare node:http server (auth and same-origin checks of the panel
// are tested in panel.test.ts and security.test.ts). It profiles this test process for real.
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ base, close } = await serveFeature(profiles, {}));
});
afterAll(() => close());

const post = (body: string, type = 'application/json') =>
  fetch(`${base}/api/profiles`, { method: 'POST', headers: { 'content-type': type }, body });

describe('profiles routes', () => {
  it('records one profile at a time, lists it, serves it as a flame tree and as a .cpuprofile', async () => {
    const first = post(JSON.stringify({ seconds: 0.3 }));
    // Once the first has started (not after a guessed delay), a second one is refused.
    while (!((await (await fetch(`${base}/api/profiles`)).json()) as { recording: boolean }).recording);
    const second = await post(JSON.stringify({ seconds: 0.1 }));
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: string }).error).toMatch(/already being recorded/);
    const during = (await (await fetch(`${base}/api/profiles`)).json()) as { recording: boolean };
    expect(during.recording).toBe(true);
    // Keep the CPU busy so the profile has samples of this code.
    const until = Date.now() + 150;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);

    const res = await first;
    expect(res.status).toBe(201);
    const info = (await res.json()) as { id: string; seconds: number; samples: number };
    expect(info).toMatchObject({ seconds: 0.3 });
    expect(info.id).toMatch(/^prof_[0-9a-f]{12}$/);

    const list = (await (await fetch(`${base}/api/profiles`)).json()) as { profiles: Array<{ id: string }>; recording: boolean };
    expect(list.recording).toBe(false);
    expect(list.profiles.map((p) => p.id)).toEqual([info.id]);

    const flame = (await (await fetch(`${base}/api/profiles/${info.id}/flame`)).json()) as { id: string; flame: Array<{ name: string; total: number; parent: number }> };
    expect(flame.id).toBe(info.id);
    expect(flame.flame[0]).toMatchObject({ name: '(root)', parent: -1 });
    // How many samples 0.3 s yields depends on the machine's load: a measurement, not asserted here.
    expect(flame.flame[0]!.total).toBeGreaterThan(0);

    const file = await fetch(`${base}/api/profiles/${info.id}`);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="debugpanel-${info.id}.cpuprofile"`);
    const raw = (await file.json()) as { nodes: unknown[]; samples: unknown[]; timeDeltas: unknown[] };
    expect(raw.nodes.length).toBeGreaterThan(1);
    expect(raw.samples.length).toBe(raw.timeDeltas.length);
  });

  it.each([
    ['{"seconds": 31}', 'application/json', 400, /at most 30/],
    ['{"seconds": "5"}', 'application/json', 400, /seconds must be a number/],
    ['{}', 'application/json', 400, /seconds is required/],
    ['seconds=5', 'application/json', 400, /not JSON/],
    ['{"seconds": 5}', 'text/plain', 415, /application\/json/],
  ])('refuses %s (%s) with %i', async (body, type, status, msg) => {
    const res = await post(body, type);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(msg);
  });

  it('answers 404 for an unknown or malformed profile id', async () => {
    expect((await fetch(`${base}/api/profiles/prof_000000000000/flame`)).status).toBe(404);
    expect((await fetch(`${base}/api/profiles/..%2F..%2Fetc`)).status).toBe(404);
  });
});
