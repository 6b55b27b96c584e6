/**
 * Patches the app's copies of a logging library once the app has them, without importing it into
 * the panel's own dependency graph nor loading it for an app that never requires it: copies
 * already loaded (in `require.cache`, whatever path they came from) at once, copies loaded later
 * (`require`, or ESM `import` of these CommonJS packages) as their load returns. A logger made
 * before or after the panel is patched alike: the patches go on prototypes all loggers share.
 */
import type { LogSource } from '@debugpanel/model';
import { watchModule } from '../module-watch.js';
import type { CaptureState } from './capture.js';

/**
 * Patches each copy of `pkg`'s `file` (e.g. `pino`, `pino.js`) with `patch`, now or when the app
 * loads it. Each undo is kept under `source:path`, the watch under `source:watch` (both run by the
 * source's unpatch). Returns how many copies were patched by this call (those loaded already).
 */
export function patchWhenLoaded(
  state: CaptureState,
  source: LogSource,
  pkg: string,
  file: string,
  patch: (state: CaptureState, exports: unknown) => (() => void) | undefined,
): number {
  let n = 0;
  const watchKey = `${source}:watch`;
  if (state.unpatch.has(watchKey)) return 0;
  const onLoad = (exports: unknown, path: string): void => {
    const key = `${source}:${path}`;
    if (state.unpatch.has(key)) return;
    let undo: (() => void) | undefined;
    try {
      undo = patch(state, exports);
    } catch {
      state.counters.errors++;
    }
    if (undo === undefined) return;
    state.unpatch.set(key, undo);
    state.active.add(source);
    n++;
  };
  // set before the first scan: a copy found by it is patched under its own key beside the watch
  state.unpatch.set(watchKey, () => stop());
  const stop = watchModule(pkg, file, onLoad);
  return n;
}
