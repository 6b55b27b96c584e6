// The shared set-up of the cross-service breakpoint test's two services (gateway.mjs, orders.mjs):
// an Express app with its panel first. HUB=1: a hub; SEND_TO: the hub's panel URL; TOKEN: both
// panels' token (VIEWER: the hub's viewer token); PULL_MS: how often a sendTo service syncs.
import express from 'express';
import { debugPanel } from 'debugpanel';

export function makeApp(service) {
  const app = express();
  app.use(
    debugPanel({
      service,
      dataDir: false,
      token: process.env.TOKEN,
      viewerToken: process.env.VIEWER || undefined,
      hub: process.env.HUB === '1',
      sendTo: process.env.SEND_TO ? { url: process.env.SEND_TO, headers: process.env.SEND_TOKEN ? { authorization: `Bearer ${process.env.SEND_TOKEN}` } : {} } : undefined,
      chaos: { pullMs: Number(process.env.PULL_MS ?? 500) },
    }),
  );
  return app;
}

export function listen(app) {
  const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
}
