/**
 * Where each demo service listens and how it finds the others, from the environment, so that
 * `npm run demo` and the acceptance test (ephemeral ports) start the same code.
 */
export const SERVICES = ['gateway', 'orders', 'inventory'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Offsets from DEMO_PORT_BASE: gateway 3000, orders 3001, inventory 3002 by default. */
const PORT_OFFSET: Record<ServiceName, number> = { gateway: 0, orders: 1, inventory: 2 };
export const DEFAULT_PORT_BASE = 3000;

export interface ServiceConfig {
  name: ServiceName;
  /** 0 asks the OS for a free port; the service reports the real one when it is ready. */
  port: number;
  host: string;
  /** Folder for the SQLite file; undefined keeps the database in memory. */
  dataDir: string | undefined;
  /**
   * `sqlite` (default: embedded, no server) or `postgres` (`DEMO_DB=postgres`: a local PostgreSQL
   * reached through `DATABASE_URL` or the PG* variables, see db/postgres.ts).
   */
  db: DemoDb;
  /** The gateway's panel is the hub of the others' spans (DEMO_HUB=0 turns that off). */
  hub: boolean;
  /**
   * `<NAME>_SEND_INTERVAL_MS` (e.g. INVENTORY_SEND_INTERVAL_MS=5000): how often this service sends
   * its spans to the hub (the panel's `sendTo.intervalMs`; unset: its default, 1 s). A long one
   * makes the hub's traces fill in late, as with a slow or distant service: the e2e test of a
   * trace opened before its last service's spans arrive uses it.
   */
  sendIntervalMs: number | undefined;
  gatewayUrl: string;
  ordersUrl: string;
  inventoryUrl: string;
}

type Env = Record<string, string | undefined>;

export const DEMO_DBS = ['sqlite', 'postgres'] as const;
export type DemoDb = (typeof DEMO_DBS)[number];

/**
 * `DEMO_DB`: unset or empty is SQLite; `postgres` (or `postgresql`, `pg`) is PostgreSQL.
 * @example parseDemoDb('postgres') // 'postgres'
 */
export function parseDemoDb(value: string | undefined): DemoDb {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'sqlite') return 'sqlite';
  if (v === 'postgres' || v === 'postgresql' || v === 'pg') return 'postgres';
  throw new Error(`DEMO_DB must be "sqlite" (the default) or "postgres", got "${value}"`);
}

/** Parses a TCP port (0 allowed: "any free port"); throws a message naming the variable. */
export function parsePort(value: string, source: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new Error(`${source} must be a port number from 0 to 65535, got "${value}"`);
  }
  return n;
}

/**
 * The port of one service: `<NAME>_PORT` (e.g. ORDERS_PORT) wins, else DEMO_PORT_BASE + offset.
 * @example portFor('orders', { DEMO_PORT_BASE: '4000' }) // 4001
 */
export function portFor(name: ServiceName, env: Env = process.env): number {
  const own = env[`${name.toUpperCase()}_PORT`];
  if (own !== undefined && own !== '') return parsePort(own, `${name.toUpperCase()}_PORT`);
  const base = env.DEMO_PORT_BASE;
  const b = base !== undefined && base !== '' ? parsePort(base, 'DEMO_PORT_BASE') : DEFAULT_PORT_BASE;
  if (b + 2 > 65535) throw new Error(`DEMO_PORT_BASE must leave room for three ports, got ${b}`);
  return b + PORT_OFFSET[name];
}

/** Everything a service process needs, read once at start. */
export function readServiceConfig(name: ServiceName, env: Env = process.env): ServiceConfig {
  const host = env.DEMO_HOST || '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    name,
    port: portFor(name, env),
    host,
    dataDir: env.DEMO_DATA_DIR || undefined,
    db: parseDemoDb(env.DEMO_DB),
    hub: !['0', 'false', 'off', 'no'].includes((env.DEMO_HUB ?? '').trim().toLowerCase()),
    sendIntervalMs: parseSendInterval(env[`${name.toUpperCase()}_SEND_INTERVAL_MS`], `${name.toUpperCase()}_SEND_INTERVAL_MS`),
    gatewayUrl: trimSlash(env.GATEWAY_URL || `http://${urlHost}:${portFor('gateway', env)}`),
    ordersUrl: trimSlash(env.ORDERS_URL || `http://${urlHost}:${portFor('orders', env)}`),
    inventoryUrl: trimSlash(env.INVENTORY_URL || `http://${urlHost}:${portFor('inventory', env)}`),
  };
}

/**
 * A send interval in ms, 10 to 60000 (the panel's bounds); empty or unset is undefined.
 * @example parseSendInterval('5000', 'INVENTORY_SEND_INTERVAL_MS') // 5000
 */
export function parseSendInterval(value: string | undefined, source: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 10 || n > 60_000) throw new Error(`${source} must be a whole number of ms from 10 to 60000, got "${value}"`);
  return n;
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
