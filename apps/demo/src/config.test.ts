import { describe, expect, it } from 'vitest';
import { parseDemoDb, parsePort, portFor, readServiceConfig } from './config.js';
import { panelOptions } from './service-kit.js';

describe('portFor', () => {
  it('defaults to 3000, 3001, 3002', () => {
    expect([portFor('gateway', {}), portFor('orders', {}), portFor('inventory', {})]).toEqual([3000, 3001, 3002]);
  });
  it('offsets from DEMO_PORT_BASE', () => {
    expect(portFor('inventory', { DEMO_PORT_BASE: '4100' })).toBe(4102);
  });
  it('lets a per-service variable win, including 0 for a free port', () => {
    expect(portFor('orders', { DEMO_PORT_BASE: '4100', ORDERS_PORT: '0' })).toBe(0);
  });
  it('refuses a base that leaves no room for three ports', () => {
    expect(() => portFor('gateway', { DEMO_PORT_BASE: '65534' })).toThrow(/room for three ports/);
  });
});

describe('parsePort', () => {
  it.each(['-1', '65536', 'abc', '30.5', ''])('refuses %j with the variable name', (v) => {
    expect(() => parsePort(v, 'ORDERS_PORT')).toThrow(/ORDERS_PORT must be a port number/);
  });
});

describe('readServiceConfig', () => {
  it('brackets an IPv6 host in the neighbours\' URLs', () => {
    expect(readServiceConfig('gateway', { DEMO_HOST: '::1' }).ordersUrl).toBe('http://[::1]:3001');
  });
  it('turns the hub on unless DEMO_HUB says no', () => {
    expect(readServiceConfig('orders', {}).hub).toBe(true);
    for (const no of ['0', 'false', 'OFF', 'no']) expect(readServiceConfig('orders', { DEMO_HUB: no }).hub).toBe(false);
  });

  it('points at the neighbours on the same host unless URLs are given', () => {
    const c = readServiceConfig('gateway', { DEMO_PORT_BASE: '5000', INVENTORY_URL: 'http://inv:9/' });
    expect(c).toMatchObject({ port: 5000, host: '127.0.0.1', gatewayUrl: 'http://127.0.0.1:5000', ordersUrl: 'http://127.0.0.1:5001', inventoryUrl: 'http://inv:9', dataDir: undefined });
  });
});

describe('the send interval to the hub', () => {
  it('is unset by default and read per service', () => {
    expect(readServiceConfig('inventory', {}).sendIntervalMs).toBeUndefined();
    const env = { INVENTORY_SEND_INTERVAL_MS: '5000' };
    expect(readServiceConfig('inventory', env).sendIntervalMs).toBe(5000);
    expect(readServiceConfig('orders', env).sendIntervalMs).toBeUndefined();
  });
  it.each(['0', '5s', '-100', '60001'])('refuses %j with the variable name', (v) => {
    expect(() => readServiceConfig('orders', { ORDERS_SEND_INTERVAL_MS: v })).toThrow(/ORDERS_SEND_INTERVAL_MS must be a whole number of ms from 10 to 60000/);
  });
  it("becomes the panel's sendTo.intervalMs, next to the hub's URL and token", () => {
    const env = { INVENTORY_SEND_INTERVAL_MS: '5000', DEBUGPANEL_TOKEN: 't0ken', GATEWAY_URL: 'http://127.0.0.1:3000' };
    expect(panelOptions(readServiceConfig('inventory', env), env).sendTo).toEqual({ url: 'http://127.0.0.1:3000/_debug', headers: { authorization: 'Bearer t0ken' }, intervalMs: 5000 });
    expect(panelOptions(readServiceConfig('orders', env), env).sendTo).toEqual({ url: 'http://127.0.0.1:3000/_debug', headers: { authorization: 'Bearer t0ken' } });
  });
});

describe('parseDemoDb', () => {
  it('defaults to SQLite and takes postgres in any case', () => {
    expect([parseDemoDb(undefined), parseDemoDb(''), parseDemoDb('sqlite'), parseDemoDb(' Postgres '), parseDemoDb('pg')]).toEqual(['sqlite', 'sqlite', 'sqlite', 'postgres', 'postgres']);
    expect(readServiceConfig('orders', { DEMO_DB: 'postgresql' }).db).toBe('postgres');
  });
  it('refuses anything else with the choices', () => {
    expect(() => parseDemoDb('mysql')).toThrow(/DEMO_DB must be "sqlite" \(the default\) or "postgres", got "mysql"/);
  });
});
