/**
 * The panel's state files, all under `dataDir` (breakpoints keep their own writer in
 * @debugpanel/breakpoints): folders 0700, files 0600, written whole through a temp file and a
 * rename, so a crash leaves the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Creates `dir` (and its parents) 0700; an existing folder is set to 0700 too. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

const tempName = (file: string) => `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

/** Replaces `file` with `text` (0600), atomically. */
export function writePrivateFileSync(file: string, text: string): void {
  ensurePrivateDir(path.dirname(file));
  const tmp = tempName(file);
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/** `writePrivateFileSync`, off the event loop. */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = tempName(file);
  await fs.writeFile(tmp, text, { mode: 0o600 });
  await fs.rename(tmp, file);
}

/**
 * Creates `file` holding `text` (0600) unless it exists; returns what the file holds then. Several
 * processes starting at once in one folder (the demo's three services) all end up with the text
 * of the first: the content is complete before the name appears (a hard link of a finished temp
 * file, which fails if the name is taken).
 */
export function createPrivateFileOnce(file: string, text: string): string {
  ensurePrivateDir(path.dirname(file));
  const tmp = tempName(file);
  writeFileSync(tmp, text, { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(file, 'utf8');
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * A service name as one file or folder name. The demo runs several services from one folder, and
 * each keeps its own breakpoints, sessions and audit log.
 */
export function fileSafeName(service: string): string {
  return service.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_').slice(0, 100) || 'app';
}
