/**
 * On-demand CPU profiles of this process:
 * `POST {path}/api/profiles { "seconds": N }` records one (at most 30 s, one at a time: 409 while
 * one runs) and answers when it is done; `GET {path}/api/profiles` lists the last few;
 * `GET {path}/api/profiles/:id/flame` serves one as a flame tree; `GET {path}/api/profiles/:id`
 * downloads the `.cpuprofile` that Chrome DevTools and speedscope open.
 */
import type { CpuProfile, ProfileFlameResponse, ProfileInfo, ProfileRequest, ProfilesResponse } from '@debugpanel/model';
import { createProfiler, DebugPanelInspectorError, type Profiler } from '@debugpanel/breakpoints';
import { flattenFlame, fromCpuProfile } from '@debugpanel/flamegraph';
import { readBody, sendError, sendJson } from '../http.js';
import type { PanelFeature } from './registry.js';

const ID = /^prof_[0-9a-f]{12}$/;
const STATUS: Record<string, number> = { BAD_INPUT: 400, NOT_FOUND: 404, LIMIT: 409, BUSY: 409, UNAVAILABLE: 503 };

export const profiles: PanelFeature = () => {
  // Created on first use: a panel whose profiles are never asked for costs nothing here.
  let profiler: Profiler | undefined;
  const get = (): Profiler => (profiler ??= createProfiler({ maxProfiles: 5 }));
  const find = (id: string) => (ID.test(id) ? profiler?.get(id) : undefined);
  const notFound = (id: string) => `no CPU profile "${id.slice(0, 40)}" (only the last 5 are kept)`;

  return [
    {
      method: 'POST',
      path: '/api/profiles',
      async handle({ req, res }) {
        const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/json') return sendError(res, 415, 'send JSON like {"seconds": 5} with Content-Type: application/json');
        let seconds: unknown;
        try {
          seconds = (JSON.parse(await readBody(req, 1024)) as Partial<Record<keyof ProfileRequest, unknown>> | null)?.seconds;
        } catch (err) {
          const status = (err as { status?: number }).status;
          return sendError(res, status ?? 400, status ? (err as Error).message : 'the body is not JSON; send {"seconds": 5}');
        }
        if (seconds === undefined) return sendError(res, 400, 'seconds is required, e.g. {"seconds": 5} (at most 30)');
        try {
          const rec = await get().record(seconds as number);
          const { profile: _profile, ...info } = rec;
          sendJson<ProfileInfo>(res, 201, info);
        } catch (err) {
          if (err instanceof DebugPanelInspectorError) return sendError(res, STATUS[err.code] ?? 500, err.message);
          throw err;
        }
      },
    },
    {
      method: 'GET',
      path: '/api/profiles',
      handle({ res }) {
        sendJson<ProfilesResponse>(res, 200, {
          profiles: profiler?.list() ?? [],
          recording: profiler?.busy ?? false,
          dropped: profiler?.dropped ?? 0,
        });
      },
    },
    {
      method: 'GET',
      path: '/api/profiles/:id/flame',
      role: 'debugger',
      handle({ res, params }) {
        const rec = find(params.id!);
        if (!rec) return sendError(res, 404, notFound(params.id!));
        const { profile, ...info } = rec;
        sendJson<ProfileFlameResponse>(res, 200, { ...info, flame: flattenFlame(fromCpuProfile(profile)) });
      },
    },
    {
      method: 'GET',
      path: '/api/profiles/:id',
      role: 'debugger',
      handle({ res, params }) {
        const rec = find(params.id!);
        if (!rec) return sendError(res, 404, notFound(params.id!));
        const profile: CpuProfile = rec.profile;
        const text = JSON.stringify(profile);
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="debugpanel-${rec.id}.cpuprofile"`);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Length', Buffer.byteLength(text));
        res.end(text);
      },
    },
  ];
};
