import { randomBytes } from 'node:crypto';
import inspector from 'node:inspector';
import { DebugPanelInspectorError } from './errors.js';
import type { CpuProfile, ProfileInfo } from '@debugpanel/model';

/** A V8 CPU profile as Chrome DevTools writes it (`.cpuprofile`). */
// The profile and its description are what the panel's profile routes send: declared in @debugpanel/model.
export type { CpuProfile, ProfileInfo };

export interface ProfileRecord extends ProfileInfo {
  profile: CpuProfile;
}

export interface ProfilerOptions {
  /** Profiles kept; the oldest goes first. Default 5. */
  maxProfiles?: number;
  /** Longest recording. Default (and at most) 30 s. */
  maxSeconds?: number;
  /** Sampling interval in µs. Default 1000. */
  samplingIntervalUs?: number;
}

export interface Profiler {
  /** True while a recording runs. */
  readonly busy: boolean;
  /**
   * Records a CPU profile of this thread for `seconds`. Rejects with DebugPanelInspectorError code
   * BUSY while another recording runs, BAD_INPUT for a bad duration.
   */
  record(seconds: number): Promise<ProfileRecord>;
  /** Newest first, without the profile bodies. */
  list(): ProfileInfo[];
  get(id: string): ProfileRecord | undefined;
  /** How many old profiles were dropped to stay within `maxProfiles`. */
  readonly dropped: number;
}

/**
 * On-demand V8 CPU profiles through an in-thread inspector session (Profiler domain), connected only
 * while recording. The result is the raw `.cpuprofile` JSON that DevTools and speedscope open.
 *
 * @example
 * ```ts
 * const profiler = createProfiler();
 * const rec = await profiler.record(2);
 * fs.writeFileSync(`${rec.id}.cpuprofile`, JSON.stringify(rec.profile));
 * ```
 */
export function createProfiler(options: ProfilerOptions = {}): Profiler {
  for (const k of Object.keys(options)) {
    if (!['maxProfiles', 'maxSeconds', 'samplingIntervalUs'].includes(k)) {
      throw new TypeError(`createProfiler: unknown option "${k}" (known: maxProfiles, maxSeconds, samplingIntervalUs)`);
    }
  }
  const maxProfiles = options.maxProfiles ?? 5;
  const maxSeconds = options.maxSeconds ?? 30;
  const interval = options.samplingIntervalUs ?? 1000;
  if (!Number.isInteger(maxProfiles) || maxProfiles < 1 || maxProfiles > 100) throw new TypeError('maxProfiles must be an integer from 1 to 100');
  if (!(maxSeconds > 0 && maxSeconds <= 30)) throw new TypeError('maxSeconds must be a number from 0 to 30');
  if (!Number.isInteger(interval) || interval < 50 || interval > 100_000) throw new TypeError('samplingIntervalUs must be an integer from 50 to 100000');

  const profiles: ProfileRecord[] = [];
  let busy = false;
  let dropped = 0;

  const post = <T>(session: inspector.Session, method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));

  return {
    get busy() {
      return busy;
    },
    get dropped() {
      return dropped;
    },
    async record(seconds) {
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > maxSeconds) {
        throw new DebugPanelInspectorError('BAD_INPUT', `seconds must be a number above 0 and at most ${maxSeconds}, got ${String(seconds)}`);
      }
      if (busy) throw new DebugPanelInspectorError('BUSY', 'a CPU profile is already being recorded; try again when it ends');
      busy = true;
      const session = new inspector.Session();
      try {
        session.connect();
        const startedAt = Date.now();
        await post(session, 'Profiler.enable');
        await post(session, 'Profiler.setSamplingInterval', { interval });
        await post(session, 'Profiler.start');
        await new Promise((r) => setTimeout(r, seconds * 1000).unref());
        const { profile } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
        await post(session, 'Profiler.disable');
        const rec: ProfileRecord = {
          id: `prof_${randomBytes(6).toString('hex')}`,
          startedAt,
          seconds,
          samples: profile.samples?.length ?? 0,
          nodes: profile.nodes.length,
          profile,
        };
        profiles.push(rec);
        if (profiles.length > maxProfiles) {
          profiles.shift();
          dropped++;
        }
        return rec;
      } finally {
        session.disconnect();
        busy = false;
      }
    },
    list: () => profiles.map(({ profile: _p, ...info }) => info).reverse(),
    get: (id) => profiles.find((p) => p.id === id),
  };
}
