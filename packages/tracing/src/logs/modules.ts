/**
 * Finds the app's copies of a logging library without importing it into the panel's own
 * dependency graph: copies already loaded (in `require.cache`, whatever path they came from) and
 * the one the app would get (resolved from the working directory and from the main script's
 * folder). Loading it here gives the app the very same module later (the CommonJS cache, which
 * ESM imports of these CommonJS packages share), so a logger made before or after the panel is
 * patched alike.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

const require = createRequire(import.meta.url);

/** Absolute paths of `main` (e.g. `pino/pino.js`) of every copy found. */
export function findModule(pkg: string, mainFile: string): string[] {
  const found = new Set<string>();
  const suffix = `${sep}node_modules${sep}${pkg}${sep}${mainFile.split('/').join(sep)}`;
  for (const key of Object.keys(require.cache)) if (key.endsWith(suffix)) found.add(key);
  const dirs = [process.cwd()];
  const main = process.argv[1];
  if (main) dirs.push(dirname(main));
  for (const dir of dirs) {
    try {
      const resolved = createRequire(join(dir, 'noop.js')).resolve(pkg);
      if (resolved.endsWith(suffix)) found.add(resolved);
    } catch {
      // not installed where the app looks: nothing to patch
    }
  }
  return [...found];
}

/** Loads a module by absolute path (from the cache when the app loaded it already). */
export function loadModule(path: string): unknown {
  return require(path);
}
