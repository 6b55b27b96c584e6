/**
 * Instruments the app's pg, mysql2 and better-sqlite3 once it has them, whatever the import order, without
 * loading them itself (an app that has them installed but never requires them pays nothing):
 * - a copy already loaded (in `require.cache`, from any path) is patched at once (its prototypes;
 *   Node gives `import` of a CommonJS package the very module `require` loads);
 * - a copy loaded later, by `require` or ESM `import`, from the app or a workspace package, is
 *   patched as its load returns (`watchModule`'s `Module._load` hook);
 * - mysql2's queries are seen through its diagnostics channels, which need no patch at all.
 * `debugpanel/register` (`node --import debugpanel/register app.js`) runs this before the app's
 * first import, for drivers loaded in ways the above cannot reach.
 */
import { instrumentMysql2Pool, subscribeMysql2 } from './mysql2.js';
import { watchModule } from './module-watch.js';
import { instrumentPg, instrumentPgPool } from './pg.js';
import { instrumentBetterSqlite3 } from './sqlite.js';
import type { TracingState } from './state.js';

type Patcher = (state: TracingState, exports: unknown) => unknown;

/** Each driver's package, the file whose exports are patched, and the patch. */
const DRIVERS: ReadonlyArray<readonly [string, string, Patcher]> = [
  ['pg', 'lib/index.js', instrumentPg],
  ['pg-pool', 'index.js', instrumentPgPool],
  ['mysql2', 'index.js', instrumentMysql2Pool],
  // an unexpected shape is left uninstrumented, uncounted, as before
  [
    'better-sqlite3',
    'lib/index.js',
    (_state, Database) => {
      try {
        instrumentBetterSqlite3(Database);
      } catch {
        // not the Database class
      }
    },
  ],
];

/** Patches the drivers the app has loaded and, through a load hook, those it loads later. */
export function autoInstrumentDatabases(state: TracingState): void {
  state.mysql2Subscription ??= subscribeMysql2(state);
  if (state.restoreModuleLoad !== undefined) return;
  const stops = DRIVERS.map(([pkg, file, patch]) =>
    watchModule(pkg, file, (exports) => {
      try {
        patch(state, exports);
      } catch {
        state.outgoingErrors++;
      }
    }),
  );
  state.restoreModuleLoad = () => {
    for (const stop of stops) stop();
  };
}

/** Undoes `autoInstrumentDatabases` and every pg / mysql2 patch. */
export function unpatchDatabases(state: TracingState): void {
  state.mysql2Subscription?.unsubscribe();
  state.mysql2Subscription = undefined;
  state.restoreModuleLoad?.();
  state.restoreModuleLoad = undefined;
  for (const { target, name, original, wrapped, own } of state.dbPatches.splice(0).reverse()) {
    if (target[name] !== wrapped) continue;
    if (own) target[name] = original;
    else delete target[name];
  }
}
