/**
 * `node --import debugpanel/register app.js`: installs the database driver hooks (pg, mysql2)
 * before the app's first import, for a driver the panel could not otherwise reach, e.g. one that
 * `process.cwd()` does not resolve and that an ES module imports before `debugPanel()` runs.
 * Spans are made once `debugPanel()` (or `setupTracing()`) has started; until then the hooks
 * only pass calls through.
 *
 * @example
 * // package.json: "start": "node --import debugpanel/register dist/server.js"
 */
import { preloadDatabaseInstrumentation } from '@debugpanel/tracing';

try {
  preloadDatabaseInstrumentation();
} catch (err) {
  // a preload must never keep the app from starting
  console.warn('[debugpanel] register: the database hooks could not be installed:', err);
}
