/**
 * The panel's tokens: the configured one (`token` / `DEBUGPANEL_TOKEN`), or one generated at the
 * first start and kept in `{dataDir}/token` (0600), so restarts, scripts and the other services
 * started from the same folder keep working with it (as Jupyter and the Aspire dashboard do).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPrivateFileOnce } from './state-files.js';

/** Shortest token accepted from the token file (a generated one has 43 characters) */
const MIN_FILE_TOKEN = 32;
const TOKEN_TEXT = /^[\x21-\x7e]+$/;

/** How a token is named in logs, the audit log and `GET /api/session`: 8 hex of its SHA-256. */
export function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 8);
}

/** 256 random bits, URL-safe (it goes into the one-click login URL). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export type TokenSource = 'option' | 'file' | 'generated' | 'memory';

/**
 * The debugger token: `configured` when given; else the one in `{dataDir}/token`, created on first
 * use; else (no dataDir, or a token file that cannot be used: `warn` says why) one for this run only.
 */
export function resolveToken(configured: string | undefined, dataDir: string | undefined, warn: (m: string) => void): { token: string; source: TokenSource } {
  if (configured !== undefined) return { token: configured, source: 'option' };
  if (dataDir === undefined) return { token: generateToken(), source: 'memory' };
  const file = path.join(dataDir, 'token');
  try {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let source: TokenSource = 'file';
    if (text === undefined) {
      const fresh = generateToken();
      text = createPrivateFileOnce(file, fresh + '\n');
      if (text.trim() === fresh) source = 'generated';
    }
    const token = text.trim();
    if (token.length >= MIN_FILE_TOKEN && TOKEN_TEXT.test(token)) return { token, source };
    warn(`debugpanel: ${file} does not hold a usable token (at least ${MIN_FILE_TOKEN} printable characters); using one for this run only. Delete the file to get a new one kept there.`);
  } catch (err) {
    warn(`debugpanel: cannot read or create ${file} (${(err as Error).message}); using a token for this run only`);
  }
  return { token: generateToken(), source: 'memory' };
}
