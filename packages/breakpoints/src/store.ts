import { chmodSync, mkdirSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { JSONFile, JSONFileSync } from 'lowdb/node';
import type { Breakpoint, Snapshot } from './types.js';

export interface PersistedState {
  version: 1;
  breakpoints: Breakpoint[];
  snapshots: Snapshot[];
}

/**
 * Breakpoints and recent snapshots in `<dataDir>/breakpoints.json`. Read synchronously once at
 * creation (so restored breakpoints are armed before the app's modules load); written through
 * lowdb's steno writer, which writes a temp file and renames it (atomic) and coalesces bursts.
 * Snapshots hold app data, so the folder is 0700 (the writer's temp file, created with the
 * process umask, is never reachable by others) and the file 0600.
 */
export class BreakpointStore {
  readonly file: string;
  private readonly writer: JSONFile<PersistedState>;
  private timer: NodeJS.Timeout | undefined;
  private pending: (() => PersistedState) | undefined;
  private writing: Promise<void> = Promise.resolve();
  writeErrors = 0;

  constructor(dataDir: string, private readonly delayMs = 200) {
    this.file = path.resolve(dataDir, 'breakpoints.json');
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // An existing folder keeps its mode under mkdir: set it.
    chmodSync(path.dirname(this.file), 0o700);
    this.writer = new JSONFile<PersistedState>(this.file);
  }

  /** The saved state, or an empty one when the file is missing or unreadable. */
  read(): PersistedState {
    try {
      const data = new JSONFileSync<PersistedState>(this.file).read();
      if (data && data.version === 1 && Array.isArray(data.breakpoints) && Array.isArray(data.snapshots)) return data;
    } catch {
      this.writeErrors++;
    }
    return { version: 1, breakpoints: [], snapshots: [] };
  }

  /** Schedules a write of `state()` (taken when the write runs, so bursts cost one write). */
  schedule(state: () => PersistedState): void {
    this.pending = state;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  /** Writes now if a write is scheduled; resolves when the file is on disk. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const state = this.pending;
    this.pending = undefined;
    if (state) {
      const data = state();
      this.writing = this.writing.then(() => this.writer.write(data)).then(() => chmod(this.file, 0o600)).catch(() => {
        this.writeErrors++;
      });
    }
    await this.writing;
  }
}
