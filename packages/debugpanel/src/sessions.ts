/**
 * Login sessions: the cookie holds a random id (256 bits); the panel keeps, per id, who logged in
 * (role, token id) and until when. Sessions slide (each use moves the expiry to now + ttl), are
 * bounded (past `max` the least recently used one ends, counted), end when their token is no
 * longer configured, and are saved to `{dataDir}/sessions/<service>.json` (0600) so a restart
 * keeps people logged in. The file holds SHA-256 hashes of the ids, not the cookie values.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Role } from '@debugpanel/model';
import { writePrivateFile } from './state-files.js';

export interface Session {
  role: Role;
  tokenId: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionStoreOptions {
  /** Where sessions are saved; without it they live in memory */
  file?: string;
  /** Lifetime after the last use (default 12 h) */
  ttlMs?: number;
  /** Sessions kept at once (default 1,000) */
  max?: number;
  /** Token ids that may still log in; sessions of others are dropped on load and on use */
  validTokenIds: ReadonlySet<string>;
  now?: () => number;
  onWriteError?: () => void;
}

interface SavedState {
  version: 1;
  sessions: Array<Session & { hash: string }>;
}

/** Writes are coalesced: a burst of logins (or sliding renewals) costs one write. */
const WRITE_DELAY_MS = 500;
/** Sliding renewals persisted at most this often per session (a use every request must not write every request) */
const PERSIST_SLIDE_MS = 60_000;

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  readonly max: number;
  readonly ttlMs: number;
  created = 0;
  expired = 0;
  dropped = 0;
  writeErrors = 0;
  readonly #file: string | undefined;
  readonly #valid: ReadonlySet<string>;
  readonly #now: () => number;
  /** hash of the id -> session, least recently used first */
  readonly #byHash = new Map<string, Session & { savedExpiry: number }>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(o: SessionStoreOptions) {
    this.#file = o.file;
    this.ttlMs = o.ttlMs ?? 12 * 3600_000;
    this.max = o.max ?? 1000;
    this.#valid = o.validTokenIds;
    this.#now = o.now ?? Date.now;
    if (this.#file) this.#load(this.#file);
  }

  get size(): number {
    return this.#byHash.size;
  }

  #load(file: string): void {
    let data: SavedState;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
    } catch {
      return; // none yet, or unreadable: everyone logs in again
    }
    const now = this.#now();
    if (data?.version !== 1 || !Array.isArray(data.sessions)) return;
    for (const s of data.sessions.slice(-this.max)) {
      if (typeof s?.hash !== 'string' || typeof s.expiresAt !== 'number' || typeof s.createdAt !== 'number') continue;
      if ((s.role !== 'viewer' && s.role !== 'debugger') || !this.#valid.has(s.tokenId) || s.expiresAt <= now) continue;
      this.#byHash.set(s.hash, { role: s.role, tokenId: s.tokenId, createdAt: s.createdAt, expiresAt: s.expiresAt, savedExpiry: s.expiresAt });
    }
  }

  /** A new session for a login; returns the id for the cookie. */
  create(role: Role, tokenId: string): { id: string; session: Session } {
    const now = this.#now();
    if (this.#byHash.size >= this.max) {
      this.#sweep(now);
      if (this.#byHash.size >= this.max) {
        const oldest = this.#byHash.keys().next().value;
        if (oldest !== undefined) this.#byHash.delete(oldest);
        this.dropped++;
      }
    }
    const id = randomBytes(32).toString('base64url');
    const s = { role, tokenId, createdAt: now, expiresAt: now + this.ttlMs, savedExpiry: now + this.ttlMs };
    this.#byHash.set(hashId(id), s);
    this.created++;
    this.#schedule();
    return { id, session: s };
  }

  /** The live session of a cookie value (its expiry moved on), or undefined. */
  get(id: string): Session | undefined {
    if (!SESSION_ID.test(id)) return undefined;
    const h = hashId(id);
    const s = this.#byHash.get(h);
    if (s === undefined) return undefined;
    const now = this.#now();
    if (s.expiresAt <= now || !this.#valid.has(s.tokenId)) {
      this.#byHash.delete(h);
      this.expired++;
      this.#schedule();
      return undefined;
    }
    s.expiresAt = now + this.ttlMs;
    this.#byHash.delete(h);
    this.#byHash.set(h, s); // most recently used last
    if (s.expiresAt - s.savedExpiry > PERSIST_SLIDE_MS) this.#schedule();
    return s;
  }

  /** Ends the session of a cookie value (log out); true when there was one. */
  delete(id: string): boolean {
    const ok = SESSION_ID.test(id) && this.#byHash.delete(hashId(id));
    if (ok) this.#schedule();
    return ok;
  }

  #sweep(now: number): void {
    for (const [h, s] of this.#byHash) {
      if (s.expiresAt <= now) {
        this.#byHash.delete(h);
        this.expired++;
      }
    }
  }

  #schedule(): void {
    if (!this.#file || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, WRITE_DELAY_MS);
    this.#timer.unref();
  }

  /** Writes the sessions now if a write is due; resolves when it is on disk. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (!this.#file) {
      return;
    }
    const file = this.#file!;
    const sessions: SavedState['sessions'] = [];
    for (const [hash, s] of this.#byHash) {
      s.savedExpiry = s.expiresAt;
      sessions.push({ hash, role: s.role, tokenId: s.tokenId, createdAt: s.createdAt, expiresAt: s.expiresAt });
    }
    const text = JSON.stringify({ version: 1, sessions } satisfies SavedState);
    this.#writing = this.#writing.then(() => writePrivateFile(file, text)).catch(() => {
      this.writeErrors++;
    });
    await this.#writing;
  }
}
