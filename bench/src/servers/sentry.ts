/**
 * Contender: `@sentry/node` as its docs set up an Express app: `Sentry.init({ tracesSampleRate: 1 })`
 * before express is loaded (its OpenTelemetry-based http and express instrumentations patch modules
 * as they are `require`d, so express comes through `createRequire` afterwards, as in otel-sdk.ts),
 * and `Sentry.setupExpressErrorHandler(app)` after the routes.
 *
 * Nothing is sent anywhere, but not by leaving the DSN out: without one, Sentry's client counts as
 * disabled and sets up no integrations at all (`Client._isEnabled()` needs a transport), so the
 * app would run uninstrumented and the row would flatter Sentry. Instead it gets a loopback DSN and
 * a transport that accepts every envelope and drops it: each request makes its spans and its
 * transaction envelope, as with a real DSN, minus the network. `info` reports the spans that ended
 * (a `spanEnd` hook) and the envelopes dropped, so the benchmark can check tracing really happened.
 */
import { createRequire } from 'node:module';
import * as Sentry from '@sentry/node';
import type { Express } from 'express';
import { addRoutes, serveApp } from './app.js';

let ended = 0;
let envelopes = 0;
const names = new Set<string>();
Sentry.init({
  dsn: 'http://public@127.0.0.1:9/1',
  tracesSampleRate: 1,
  transport: (options) =>
    Sentry.createTransport(options, () => {
      envelopes++;
      return Promise.resolve({ statusCode: 200 });
    }),
});
const client = Sentry.getClient();
if (client === undefined) throw new Error('Sentry.init made no client');
client.on('spanEnd', (span) => {
  ended++;
  if (names.size < 20) {
    const j = Sentry.spanToJSON(span) as { description?: string; name?: string };
    names.add(String(j.description ?? j.name));
  }
});

const require = createRequire(import.meta.url);
const express = require('express') as () => Express;

const app = express();
addRoutes(app);
Sentry.setupExpressErrorHandler(app);
serveApp(app, () => ({ spansEnded: ended, envelopes, spanNames: [...names] }));
