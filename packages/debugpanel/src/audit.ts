/**
 * The audit log: every mutation and every read of captured data (snapshots, logpoint output,
 * profiles, source files), with who (role and token id, never the token), from where and what
 * came of it. Kept in a bounded ring for `GET {path}/api/audit` and appended to
 * `{dataDir}/audit/<service>.jsonl` (0600), which rotates to `.1` past `maxFileBytes`; at start
 * the ring is filled again from the end of that file.
 */
import { appendFile, rename, stat } from 'node:fs/promises';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { RingBuffer, type AuditEntry } from '@debugpanel/model';
import { ensurePrivateDir } from './state-files.js';
import path from 'node:path';

export interface AuditLogOptions {
  /** JSONL file; without it entries live only in memory */
  file?: string;
  /** Entries kept in memory (default 1,000) */
  capacity?: number;
  /** Size past which the file rotates to `<file>.1` (default 1 MiB; one old file is kept) */
  maxFileBytes?: number;
  now?: () => number;
}

export type AuditInput = Omit<AuditEntry, 'seq' | 'at'> & { at?: number };

export class AuditLog {
  readonly capacity: number;
  written = 0;
  writeErrors = 0;
  rotations = 0;
  readonly #ring: RingBuffer<AuditEntry>;
  readonly #file: string | undefined;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #seq = 0;
  #bytes = 0;
  #queue: string[] = [];
  #writing: Promise<void> | undefined;

  constructor(o: AuditLogOptions = {}) {
    this.capacity = o.capacity ?? 1000;
    this.#ring = new RingBuffer<AuditEntry>(this.capacity);
    this.#file = o.file;
    this.#maxBytes = o.maxFileBytes ?? 1024 * 1024;
    this.#now = o.now ?? Date.now;
    if (this.#file) this.#restore(this.#file);
  }

  get size(): number {
    return this.#ring.size;
  }

  get dropped(): number {
    return this.#ring.dropped;
  }

  /** Reads back the last entries of the file (its last `capacity` lines at most). */
  #restore(file: string): void {
    try {
      const size = statSync(file).size;
      this.#bytes = size;
      const want = Math.min(size, this.capacity * 512);
      const buf = Buffer.alloc(want);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buf, 0, want, size - want);
      } finally {
        closeSync(fd);
      }
      const lines = buf.toString('utf8').split('\n');
      if (want < size) lines.shift(); // a partial first line
      for (const line of lines.slice(-this.capacity)) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as AuditEntry;
          if (typeof e.seq === 'number' && typeof e.action === 'string') {
            this.#ring.push(e);
            this.#seq = Math.max(this.#seq, e.seq);
          }
        } catch {
          // a torn last line after a crash: skip it
        }
      }
      // Entries read back are not "dropped" ones: start the count from here.
      this.#droppedAtStart = this.#ring.dropped;
    } catch {
      // no file yet
    }
  }

  #droppedAtStart = 0;

  /** Entries pushed out of the ring since start. */
  get droppedSinceStart(): number {
    return this.#ring.dropped - this.#droppedAtStart;
  }

  /** Appends an entry (and queues it for the file). */
  record(input: AuditInput): AuditEntry {
    const entry: AuditEntry = {
      seq: ++this.#seq,
      at: input.at ?? this.#now(),
      action: input.action.slice(0, 200),
      target: input.target.slice(0, 500),
      role: input.role,
      tokenId: input.tokenId,
      via: input.via,
      ip: input.ip.slice(0, 64),
      status: input.status,
    };
    this.#ring.push(entry);
    if (this.#file) {
      // Bounded like the ring: a file that cannot be written must not grow the queue for ever.
      if (this.#queue.length >= this.capacity) this.writeErrors++;
      else this.#queue.push(JSON.stringify(entry) + '\n');
      this.#writing ??= this.#drain(this.#file);
    }
    return entry;
  }

  /** Entries after `after` (a seq), oldest first, at most `limit` of the newest. */
  list(after = 0, limit = this.capacity): AuditEntry[] {
    const out: AuditEntry[] = [];
    for (const e of this.#ring) if (e.seq > after) out.push(e);
    return out.length > limit ? out.slice(out.length - limit) : out;
  }

  async #drain(file: string): Promise<void> {
    try {
      ensurePrivateDir(path.dirname(file));
      while (this.#queue.length > 0) {
        const text = this.#queue.join('');
        const n = this.#queue.length;
        this.#queue = [];
        try {
          if (this.#bytes > this.#maxBytes) {
            await rename(file, file + '.1');
            this.rotations++;
            this.#bytes = 0;
          }
          await appendFile(file, text, { mode: 0o600 });
          this.#bytes += Buffer.byteLength(text);
          this.written += n;
        } catch {
          this.writeErrors += n;
          try {
            this.#bytes = (await stat(file)).size;
          } catch {
            this.#bytes = 0;
          }
        }
      }
    } catch {
      this.writeErrors += this.#queue.length;
      this.#queue = [];
    } finally {
      this.#writing = undefined;
    }
  }

  /** Resolves when every recorded entry reached the file. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }
}
