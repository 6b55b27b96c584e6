/**
 * `npm run demo`: starts the shop (gateway, orders, inventory) as child processes, each with its own
 * panel, sends a steady load to the gateway, prints each /_debug URL, and stops everything on
 * Ctrl-C. See apps/demo/README.md for flags and environment variables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SERVICES, parseDemoDb, parsePort, portFor, readServiceConfig, type ServiceName } from './config.js';
import { demoToken, isPortFree, loginUrl, startShop, type RunningService } from './launcher.js';
import { formatLoadStats, startLoad, type LoadGenerator } from './load.js';

const USAGE = `Usage: npm run demo -- [options]

  --no-load           start the services without the load generator
  --no-hub            each panel shows only its own service (default: the gateway's panel is
                      the hub that also receives the spans of orders and inventory)
  --rate <n>          load in requests per second (default 10, 0.1 to 200)
  --port-base <n>     gateway port; orders and inventory take the next two (default 3000,
                      or DEMO_PORT_BASE; GATEWAY_PORT, ORDERS_PORT, INVENTORY_PORT override one)
  --data-dir <dir>    keep the SQLite files there (default: a temporary folder, removed on exit)

  DEMO_DB=postgres    run orders and inventory on a local PostgreSQL instead of SQLite: the
                      database of DATABASE_URL, else of PGHOST, PGPORT, PGUSER, PGPASSWORD,
                      PGDATABASE; each service (re)creates its own schema (demo_orders,
                      demo_inventory) and seeds it at start
  --help              this text`;

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(2);
}

function parseCli() {
  try {
    const { values } = parseArgs({
      options: {
        'no-load': { type: 'boolean', default: false },
        'no-hub': { type: 'boolean', default: false },
        rate: { type: 'string', default: '10' },
        'port-base': { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const rate = Number(values.rate);
    if (!Number.isFinite(rate) || rate < 0.1 || rate > 200) fail(`--rate must be a number from 0.1 to 200, got "${values.rate}"\n\n${USAGE}`);
    const env = { ...process.env };
    if (values['port-base'] !== undefined) env.DEMO_PORT_BASE = String(parsePort(values['port-base'], '--port-base'));
    const ports = Object.fromEntries(SERVICES.map((s) => [s, portFor(s, env)])) as Record<ServiceName, number>;
    const hub = !values['no-hub'] && readServiceConfig('gateway', env).hub;
    const db = parseDemoDb(env.DEMO_DB);
    return { load: !values['no-load'], hub, rate, ports, db, dataDir: values['data-dir'] ?? process.env.DEMO_DATA_DIR };
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
}

/** A connection URL without its password, for printing. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(DATABASE_URL)';
  }
}

async function main(): Promise<void> {
  const cli = parseCli();
  const host = process.env.DEMO_HOST || '127.0.0.1';

  // Checked up front so that nothing starts when one port is taken.
  for (const name of SERVICES) {
    const port = cli.ports[name];
    if (port !== 0 && !(await isPortFree(port, host))) {
      fail(
        `port ${port} (${name}) is busy. Stop what uses it (e.g. an earlier demo), or pick other ports: ` +
          `npm run demo -- --port-base 4000`,
      );
    }
  }

  const ownDataDir = cli.dataDir === undefined;
  const dataDir = cli.dataDir ?? mkdtempSync(path.join(tmpdir(), 'debugpanel-demo-'));
  const width = Math.max(...SERVICES.map((s) => s.length));
  const where = cli.db === 'postgres'
    ? `PostgreSQL at ${process.env.DATABASE_URL ? redactUrl(process.env.DATABASE_URL) : `PGHOST=${process.env.PGHOST ?? '(default)'} PGDATABASE=${process.env.PGDATABASE ?? '(default)'}`}, schemas demo_orders and demo_inventory`
    : `SQLite in ${dataDir}`;
  console.log(`demo: starting ${SERVICES.join(', ')} (${where}) ...`);

  let shop: Record<ServiceName, RunningService>;
  const token = demoToken();
  try {
    shop = await startShop({
      token,
      ports: cli.ports,
      host,
      dataDir,
      env: { DEMO_HUB: cli.hub ? '1' : '0' },
      onLine: (service, line) => console.log(`[${service.padEnd(width)}] ${line}`),
    });
  } catch (err) {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    fail((err as Error).message);
  }

  let load: LoadGenerator | undefined;
  let stopping = false;
  const running = new Set<ServiceName>(SERVICES);

  for (const service of Object.values(shop)) {
    void service.exited.then(({ code, signal }) => {
      running.delete(service.name);
      if (stopping) return;
      console.error(
        `demo: ${service.name} exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}); ` +
          (running.size > 0 ? `${[...running].join(' and ')} keep running, press Ctrl-C to stop.` : 'nothing is left running.'),
      );
      if (running.size === 0) void shutdown(1);
    });
  }

  console.log('\ndebugpanel demo is running. Open a panel (one click logs in; the token then lives in a cookie):\n');
  for (const name of SERVICES) {
    const note = !cli.hub ? '' : name === 'gateway' ? '  (hub: whole traces of all three services)' : '  (its own spans; also sent to the hub)';
    console.log(`  ${name.padEnd(width)}  ${loginUrl(shop[name], token)}${note}`);
  }
  if (!process.env.DEBUGPANEL_TOKEN) console.log('\n(The token is new each run; set DEBUGPANEL_TOKEN to keep one.)');
  console.log(`\nShop API: ${shop.gateway.url}/api/products  (chaos experiments: the Chaos tab of the gateway's panel, see apps/demo/README.md)`);

  let statsTimer: NodeJS.Timeout | undefined;
  if (cli.load) {
    load = startLoad({ target: shop.gateway.url, rate: cli.rate });
    console.log(`Load: about ${cli.rate} requests/s to the gateway (--no-load to turn it off).`);
    statsTimer = setInterval(() => console.log(`demo: ${formatLoadStats(load!.stats())}`), 30_000);
    statsTimer.unref();
  } else {
    console.log('Load generator off (--no-load).');
  }
  console.log('Press Ctrl-C to stop.\n');

  async function shutdown(exitCode: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    clearInterval(statsTimer);
    console.log('\ndemo: stopping ...');
    if (load) {
      await load.stop();
      console.log(`demo: ${formatLoadStats(load.stats(), true)}`);
    }
    await Promise.all(Object.values(shop).map((s) => s.stop()));
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    console.log('demo: stopped.');
    process.exit(exitCode);
  }

  let signals = 0;
  const onSignal = () => {
    // A second Ctrl-C does not wait for a graceful stop.
    if (++signals > 1) {
      for (const s of Object.values(shop)) s.child.kill('SIGKILL');
      process.exit(130);
    }
    void shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((err: unknown) => fail((err as Error).stack ?? String(err)));
