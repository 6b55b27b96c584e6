/** `node e2e/dist/serve.js [port]`: the e2e app with some traffic, for working on the UI by hand. */
import { createE2eApp } from './app.js';
import { E2E_TOKEN } from './token.js';
import { generateTraffic } from './traffic.js';

const port = Number(process.argv[2] ?? 4173);
const { app } = createE2eApp();
const server = app.listen(port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${port}`;
  console.log(`e2e app on ${base}, panel at ${base}/_debug/login?token=${E2E_TOKEN}`);
  void generateTraffic(base);
  // A trickle of live traffic for the SSE badge.
  setInterval(() => void fetch(`${base}/api/orders/${Math.floor(Math.random() * 100)}`).catch(() => {}), 2000).unref();
});
process.on('SIGTERM', () => server.close());
