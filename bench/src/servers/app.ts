/**
 * The app every HTTP contender serves, and the process harness around it. Routes are added to an
 * app the contender built, so the OTel contender can load express through `require` after its
 * instrumentations are registered (that is how they patch it).
 */
import type { Express, Request, Response } from 'express';
import type { AddressInfo } from 'node:net';
import { serveIpc } from '../ipc.js';

// ~1 KB once stringified: what a small API answer looks like.
const payload = {
  items: Array.from({ length: 8 }, (_, i) => ({
    id: `item-${i}`,
    name: `Product number ${i}`,
    price: 10 + i * 1.25,
    tags: ['blue', 'large', 'sale'],
    stock: { warehouse: 'north', count: 100 - i },
  })),
  page: 1,
  total: 8,
};

// One "step" of a real handler: a small object built, an await (a validation, a cache lookup).
async function step(i: number): Promise<number> {
  const o = { i, at: i * 2 };
  await Promise.resolve();
  return o.at;
}

/** `/hello`: tiny JSON. `/work`: 20 awaited steps and a 1 KB JSON.stringify. */
export function addRoutes(app: Express): void {
  app.get('/hello', (_req: Request, res: Response) => {
    res.json({ hello: 'world' });
  });
  app.get('/work', async (_req: Request, res: Response) => {
    let sum = 0;
    for (let i = 0; i < 20; i++) sum += await step(i);
    const body = JSON.stringify({ ...payload, sum });
    res.type('application/json').send(body);
  });
}

/**
 * Listens on an ephemeral loopback port and answers over IPC: `info` (RSS, V8 heap total and used,
 * external memory, and what the contender adds), `cpu` (this process's user + system CPU time so far, in microseconds: the parent reads it
 * before and after each load run and divides by the requests served).
 */
export function serveApp(app: Express, info: (port: number) => Record<string, unknown> | Promise<Record<string, unknown>> = () => ({})): void {
  const server = app.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    serveIpc(
      (msg) => {
        if (msg.type === 'cpu') {
          const { user, system } = process.cpuUsage();
          return { cpuUs: user + system };
        }
        if (msg.type === 'info') {
          return Promise.resolve(info(port)).then((extra) => {
            // heapUsed against heapTotal tells live objects from V8's slack in an RSS figure
            const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
            return { rss, heapTotal, heapUsed, external, ...extra };
          });
        }
        throw new Error(`unknown request ${String(msg.type)}`);
      },
      { port },
    );
  });
}
