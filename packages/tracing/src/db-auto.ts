/**
 * Finds the app's pg and mysql2 and instruments them, whatever the import order:
 * - each driver that `process.cwd()` or the entry script's directory resolves is loaded and
 *   patched at once (its prototypes; Node gives `import` of a CommonJS package the very module
 *   `require` loads, so an app that imported it before or imports it after gets the patched one);
 * - a `Module._load` hook patches any copy required later from elsewhere (a workspace package);
 * - mysql2's queries are seen through its diagnostics channels, which need no patch at all.
 * `debugpanel/register` (`node --import debugpanel/register app.js`) runs this before the app's
 * first import, for drivers loaded in ways the above cannot reach.
 */
import Module, { createRequire } from 'node:module';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { instrumentMysql2Pool, subscribeMysql2 } from './mysql2.js';
import { instrumentPg, instrumentPgPool } from './pg.js';
import type { TracingState } from './state.js';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

function instrumentModule(state: TracingState, request: string, exports: unknown): void {
  try {
    if (request === 'pg') instrumentPg(state, exports);
    else if (request === 'pg-pool') instrumentPgPool(state, exports);
    else if (request === 'mysql2' || request === 'mysql2/promise') instrumentMysql2Pool(state, request === 'mysql2' ? exports : undefined);
  } catch {
    state.outgoingErrors++;
  }
}

function searchDirs(): string[] {
  const dirs = [process.cwd()];
  const entry = process.argv[1];
  if (entry) {
    try {
      dirs.push(path.dirname(realpathSync(entry)));
    } catch {
      // no entry script (a REPL, -e): the working directory only
    }
  }
  return dirs;
}

/** Patches the drivers resolvable from the app's directories and hooks later requires. */
export function autoInstrumentDatabases(state: TracingState): void {
  state.mysql2Subscription ??= subscribeMysql2(state);
  for (const dir of searchDirs()) {
    const require = createRequire(path.join(dir, 'noop.js'));
    for (const name of ['pg', 'mysql2']) {
      let exports: unknown;
      try {
        exports = require(name);
      } catch {
        continue; // not installed there
      }
      instrumentModule(state, name, exports);
    }
  }
  if (state.restoreModuleLoad === undefined) {
    const M = Module as unknown as { _load: Load };
    const original = M._load;
    const hooked: Load = function (this: unknown, request, parent, isMain) {
      const exports = original.call(this, request, parent, isMain);
      if (request === 'pg' || request === 'pg-pool' || request === 'mysql2') instrumentModule(state, request, exports);
      return exports;
    };
    M._load = hooked;
    state.restoreModuleLoad = () => {
      if (M._load === hooked) M._load = original;
    };
  }
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
