/** What every benchmark group receives, and the shape of a group. */
import type { Row } from './report.js';

export interface Context {
  quick: boolean;
  log: (line: string) => void;
}

export interface Group {
  name: string;
  /** One line for `--help` */
  about: string;
  run: (ctx: Context) => Promise<Row[]>;
}

/** Imports a workspace package, or returns null when it is not built or not there yet. */
export async function tryImport(specifier: string): Promise<Record<string, unknown> | null> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The named function exported by a package, or null while the package does not have it yet. */
export async function exported<F>(specifier: string, name: string): Promise<F | null> {
  const mod = await tryImport(specifier);
  const f = mod?.[name];
  return typeof f === 'function' ? (f as F) : null;
}
