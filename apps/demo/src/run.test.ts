/**
 * The `npm run demo` CLI as a user meets it: clear refusals for bad flags and busy ports, and a
 * start that prints every panel and stops every service on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const RUN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'run.js');

function runDemo(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [RUN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('run.ts', () => {
  let blocker: Server | undefined;
  afterEach(() => new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r())));

  it('refuses an unknown flag with the usage', async () => {
    const demo = runDemo(['--lod']);
    expect(await demo.exited).toBe(2);
    expect(demo.output()).toMatch(/Unknown option '--lod'[\s\S]*Usage: npm run demo/);
  });

  it('names a busy port and starts nothing', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const demo = runDemo(['--no-load'], { GATEWAY_PORT: '0', ORDERS_PORT: String(port), INVENTORY_PORT: '0' });
    expect(await demo.exited).toBe(2);
    expect(demo.output()).toMatch(new RegExp(`port ${port} \\(orders\\) is busy.*--port-base`));
    expect(demo.output()).not.toMatch(/starting/);
  });

  it('prints each panel, serves, and stops every service on SIGTERM', async () => {
    const demo = runDemo(['--no-load'], { GATEWAY_PORT: '0', ORDERS_PORT: '0', INVENTORY_PORT: '0' });
    try {
      await until(() => demo.output().includes('Press Ctrl-C to stop.'), 'the demo to start');
      const urls = Object.fromEntries(
        [...demo.output().matchAll(/^ {2}(gateway|orders|inventory) +(http:\/\/\S+)\/_debug/gm)].map((m) => [m[1], m[2]]),
      );
      expect(Object.keys(urls).sort()).toEqual(['gateway', 'inventory', 'orders']);
      expect(demo.output()).toMatch(/Load generator off/);
      const res = await fetch(`${urls.gateway}/api/products/1`);
      expect(res.status).toBe(200);
      demo.child.kill('SIGTERM');
      expect(await demo.exited).toBe(0);
      expect(demo.output()).toMatch(/demo: stopped\./);
      // Every service is gone with it.
      for (const url of Object.values(urls)) await expect(fetch(`${url}/health`)).rejects.toThrow();
    } finally {
      demo.child.kill('SIGKILL');
    }
  });
});
