import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DebugPanelOptionsError, defaultService, resolveOptions } from './options.js';

const TOKEN = 'a'.repeat(24);

describe('resolveOptions', () => {
  it('fills in defaults', () => {
    const o = resolveOptions({}, { OTEL_SERVICE_NAME: 'shop' });
    expect(o).toEqual({
      path: '/_debug', service: 'shop', token: undefined, viewerToken: undefined, auth: 'token', dataDir: join(process.cwd(), '.debugpanel'), store: {}, redact: [], enabled: true,
      hub: undefined, sendTo: undefined, exportTo: undefined, metrics: {},
      sampling: { head: 1, tail: 'all', graceMs: undefined, maxAgeMs: undefined, maxPendingTraces: undefined },
      errors: {},
      context: { baggage: [] },
      logs: { console: true, pino: true, winston: true, otel: true },
      queries: {},
      sqlText: 'masked',
      insights: {}, alerts: {},
      chaos: { enabled: false, reason: expect.stringContaining('chaos: true'), maxRules: 50, maxExperiments: 50, pullMs: 3000 },
    });
    expect(resolveOptions({ logs: false }, {}).logs).toBeUndefined();
    expect(resolveOptions({ logs: { console: false, maxRecords: 10 } }, {}).logs).toEqual({ console: false, pino: true, winston: true, otel: true, maxRecords: 10 });
    expect(resolveOptions({}, { NODE_ENV: 'production', DEBUGPANEL_TOKEN: TOKEN }).sampling.tail).toBe('production');
  });

  it('resolves insights and alerts, and refuses bad ones with a message', () => {
    expect(resolveOptions({ insights: false }, {}).insights).toBeUndefined();
    expect(resolveOptions({ metrics: false }, {}).insights).toBeUndefined(); // insights read the metrics
    expect(resolveOptions({ insights: { slo: { 'GET /checkout': { p95Ms: 300 } } } }, {}).insights).toEqual({ slo: { 'GET /checkout': { p95Ms: 300 } } });
    expect(resolveOptions({ alerts: { webhook: 'https://hooks.example/x', format: 'slack' } }, {}).alerts).toEqual({ webhook: 'https://hooks.example/x', format: 'slack' });
    expect(() => resolveOptions({ insights: { windowSecond: 5 } }, {})).toThrow(/unknown option "insights.windowSecond"; did you mean "insights.windowSeconds"\?/);
    expect(() => resolveOptions({ insights: { alpha: 2 } }, {})).toThrow(/insights.alpha must be a probability/);
    expect(() => resolveOptions({ alerts: { webhook: 'ftp://x' } }, {})).toThrow(/alerts.webhook must be an http: or https: URL/);
    expect(() => resolveOptions({ alerts: { format: 'teams' } }, {})).toThrow(/alerts.format must be "json" or "slack"/);
    expect(() => resolveOptions({ insights: 'on' }, {})).toThrow(/insights must be true, false or an object/);
  });

  it('resolves dataDir against the working directory; false keeps state in memory', () => {
    expect(resolveOptions({ dataDir: 'state' }, {}, '/srv/app').dataDir).toBe('/srv/app/state');
    expect(resolveOptions({ dataDir: '/var/lib/dp' }, {}, '/srv/app').dataDir).toBe('/var/lib/dp');
    expect(resolveOptions({}, {}, '/srv/app').dataDir).toBe('/srv/app/.debugpanel');
    expect(resolveOptions({ dataDir: false }, {}).dataDir).toBeUndefined();
    expect(() => resolveOptions({ dataDir: '' }, {})).toThrow(/dataDir must be a folder path or false/);
    expect(() => resolveOptions({ dataDir: true }, {})).toThrow(/dataDir must be a folder path or false/);
  });

  it('resolves errors: on by default, false turns it off, bad keys and values throw', () => {
    expect(resolveOptions({ errors: false }, {}).errors).toBeUndefined();
    expect(resolveOptions({ errors: true }, {}).errors).toEqual({});
    expect(resolveOptions({ errors: { maxGroups: 10, process: false } }, {}).errors).toEqual({ maxGroups: 10, process: false });
    expect(() => resolveOptions({ errors: { maxGroup: 10 } }, {})).toThrow(/unknown option "errors.maxGroup"; did you mean "errors.maxGroups"/);
    expect(() => resolveOptions({ errors: { newAfterMs: -1 } }, {})).toThrow(/errors.newAfterMs must be a number of ms >= 0/);
    expect(() => resolveOptions({ errors: 'yes' }, {})).toThrow(/errors must be true, false or an object/);
  });

  it('resolves hub, sendTo, exportTo and metrics', () => {
    const o = resolveOptions(
      { hub: { maxBodyBytes: 1024 }, sendTo: 'http://gateway:3000/_debug', exportTo: { url: 'https://otel.example:4318/', headers: { authorization: 'Bearer x' }, protocol: 'json' }, metrics: false },
      {},
    );
    expect(o.hub).toEqual({ maxBodyBytes: 1024, maxConcurrent: 4, maxSpansPerSecond: 50_000 });
    expect(o.sendTo).toEqual({ url: 'http://gateway:3000/_debug/v1/traces', headers: {}, protocol: 'protobuf' });
    expect(o.exportTo).toEqual({ url: 'https://otel.example:4318/v1/traces', headers: { authorization: 'Bearer x' }, protocol: 'json' });
    expect(o.metrics).toBeUndefined();
    expect(resolveOptions({ exportTo: 'http://c:4318/v1/traces' }, {}).exportTo?.url).toBe('http://c:4318/v1/traces');
    expect(resolveOptions({ hub: true }, {}).hub?.maxBodyBytes).toBe(4 * 1024 * 1024);
    expect(resolveOptions({ sendTo: { url: 'http://gateway:3000/_debug', intervalMs: 5000 } }, {}).sendTo).toEqual({ url: 'http://gateway:3000/_debug/v1/traces', headers: {}, protocol: 'protobuf', intervalMs: 5000 });
  });

  it('refuses bad hub, export and metrics options with a message', () => {
    expect(() => resolveOptions({ sendTo: 'gateway:3000' }, {})).toThrow(/sendTo must be an http: or https: URL/);
    expect(() => resolveOptions({ exportTo: 'not a url' }, {})).toThrow(/exportTo "not a url" is not a URL/);
    expect(() => resolveOptions({ exportTo: { url: 'http://c', protocol: 'grpc' } }, {})).toThrow(/exportTo.protocol must be "protobuf" or "json"/);
    expect(() => resolveOptions({ sendTo: { url: 'http://c', intervalMs: 0 } }, {})).toThrow(/sendTo.intervalMs must be a whole number of ms from 10 to 60000, got number 0/);
    expect(() => resolveOptions({ sendTo: { url: 'http://c', intervalMs: '5s' } }, {})).toThrow(/sendTo.intervalMs must be a whole number of ms/);
    expect(() => resolveOptions({ hub: { maxBodyByte: 5 } }, {})).toThrow(/unknown option "hub.maxBodyByte"; did you mean "hub.maxBodyBytes"\?/);
    expect(() => resolveOptions({ metrics: { maxSeries: 0 } }, {})).toThrow(/metrics.maxSeries must be a positive integer/);
    expect(() => resolveOptions({ hub: 'yes' }, {})).toThrow(/hub must be true or an object/);
    expect(() => resolveOptions({ sampling: { head: 2 } }, {})).toThrow(/sampling.head must be a fraction from 0 to 1/);
    expect(() => resolveOptions({ sampling: { tail: 'some' } }, {})).toThrow(/sampling.tail must be "all", "production"/);
    expect(() => resolveOptions({ sampling: { grace: 5 } }, {})).toThrow(/did you mean "sampling.graceMs"/);
  });

  it('accepts undefined and every option', () => {
    expect(resolveOptions(undefined, { OTEL_SERVICE_NAME: 's' }).path).toBe('/_debug');
    const o = resolveOptions(
      { path: '/admin/debug', service: 'orders', token: TOKEN, store: { maxSpans: 10, maxBytes: 1000, maxSpansPerTrace: 5 }, redact: ['ssn'], enabled: true },
      {},
    );
    expect(o).toMatchObject({ path: '/admin/debug', service: 'orders', token: TOKEN, store: { maxSpans: 10 }, redact: ['ssn'] });
  });

  it('suggests the closest option for a typo', () => {
    expect(() => resolveOptions({ tokn: TOKEN })).toThrow(/unknown option "tokn"; did you mean "token"\?/);
    expect(() => resolveOptions({ Path: '/x' })).toThrow(/did you mean "path"\?/);
    expect(() => resolveOptions({ store: { maxSpan: 1 } })).toThrow(/unknown option "store.maxSpan"; did you mean "store.maxSpans"\?/);
  });

  it('lists the known options when nothing is close', () => {
    expect(() => resolveOptions({ zzzzzzzzzz: 1 })).toThrow(/known options: path, service, token, store, redact, enabled/);
  });

  it('throws DebugPanelOptionsError, and keys of Object.prototype are unknown options', () => {
    expect(() => resolveOptions({ store: { toString: 1 } })).toThrow(DebugPanelOptionsError);
    expect(() => resolveOptions({ constructor: 1 })).toThrow(/unknown option "constructor"; known options: path/);
  });

  it.each([
    [{ path: 5 }, /path must be a string, got number 5/],
    [{ path: 'debug' }, /path must start with "\/"/],
    [{ path: '/' }, /must not be "\/"/],
    [{ path: '/debug/' }, /must not end with "\/".*"\/debug"/],
    [{ path: '/de bug' }, /may only hold/],
    [{ enabled: 'yes' }, /enabled must be true or false, got the string "yes"/],
    [{ store: { maxSpans: 0 } }, /store.maxSpans must be a positive integer, got number 0/],
    [{ store: { maxBytes: 1.5 } }, /store.maxBytes must be a positive integer/],
    [{ store: [] }, /store must be an object/],
    [{ redact: 'authorization' }, /redact must be an array of non-empty strings/],
    [{ redact: [''] }, /redact must be an array/],
    [{ service: '  ' }, /service must not be empty/],
    [{ token: 'short' }, /token must be at least 16 characters/],
  ])('refuses %j', (opts, msg) => {
    expect(() => resolveOptions(opts, {})).toThrow(msg);
  });

  it('refuses a non-object', () => {
    expect(() => resolveOptions('x')).toThrow(/options must be an object, got the string "x"/);
    expect(() => resolveOptions([])).toThrow(/got an array/);
  });

  it('takes viewerToken and auth, and refuses a viewer token equal to the debugger token', () => {
    expect(resolveOptions({ viewerToken: 'v'.repeat(20), auth: 'loopback' }, {})).toMatchObject({ viewerToken: 'v'.repeat(20), auth: 'loopback' });
    expect(resolveOptions({}, { DEBUGPANEL_VIEWER_TOKEN: 'w'.repeat(20) }).viewerToken).toBe('w'.repeat(20));
    expect(() => resolveOptions({ viewerToken: 'short' }, {})).toThrow(/viewerToken must be at least 16/);
    expect(() => resolveOptions({ token: TOKEN, viewerToken: TOKEN }, {})).toThrow(/viewerToken must differ from token/);
    expect(() => resolveOptions({ auth: 'none' }, {})).toThrow(/auth must be "token" \(the default\) or "loopback"/);
  });

  it('takes the token from DEBUGPANEL_TOKEN, ignoring an empty one', () => {
    expect(resolveOptions({}, { DEBUGPANEL_TOKEN: TOKEN }).token).toBe(TOKEN);
    expect(resolveOptions({}, { DEBUGPANEL_TOKEN: '' }).token).toBeUndefined();
    expect(() => resolveOptions({}, { DEBUGPANEL_TOKEN: 'short' })).toThrow(/DEBUGPANEL_TOKEN must be at least/);
  });

  it('is off in production without a token, on with one, and obeys enabled', () => {
    expect(resolveOptions({}, { NODE_ENV: 'production' }).enabled).toBe(false);
    expect(resolveOptions({}, { NODE_ENV: 'production', DEBUGPANEL_TOKEN: TOKEN }).enabled).toBe(true);
    expect(resolveOptions({ enabled: true }, { NODE_ENV: 'production' }).enabled).toBe(true);
    expect(resolveOptions({ enabled: false }, {}).enabled).toBe(false);
    expect(resolveOptions({}, { NODE_ENV: 'development' }).enabled).toBe(true);
  });

  it.each(['Production', ' production', 'PRODUCTION\n'])('takes NODE_ENV %j as production (trimmed, any case)', (NODE_ENV) => {
    expect(resolveOptions({}, { NODE_ENV }).enabled).toBe(false);
    expect(resolveOptions({}, { NODE_ENV, DEBUGPANEL_TOKEN: TOKEN }).sampling.tail).toBe('production');
  });
});

describe('defaultService', () => {
  it('prefers OTEL_SERVICE_NAME', () => {
    expect(defaultService({ OTEL_SERVICE_NAME: 'x' }, '/')).toBe('x');
  });
  it('finds the nearest package.json name upwards', () => {
    const root = mkdtempSync(join(tmpdir(), 'dp-svc-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'outer' }));
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    writeFileSync(join(root, 'a', 'package.json'), '{ not json');
    expect(defaultService({}, join(root, 'a', 'b'))).toBe('outer');
    writeFileSync(join(root, 'a', 'package.json'), JSON.stringify({ name: 'inner' }));
    expect(defaultService({}, join(root, 'a', 'b'))).toBe('inner');
  });
});
