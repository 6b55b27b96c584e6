/**
 * Fault toggles: each demo service can be told to add latency or fail a share of its requests,
 * so the panel has something to find. Set at start through DEMO_FAULTS / DEMO_FAULTS_<SERVICE>
 * (JSON) or at run time with `POST /_demo/faults`.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FaultSettings {
  /** Extra delay added before handling a request, ms (0 to 30000). */
  latencyMs: number;
  /** Share of requests that get the delay (0 to 1). */
  latencyRate: number;
  /** Share of requests that fail with `errorStatus` (0 to 1). */
  errorRate: number;
  /** Status of an injected failure (500 to 599). */
  errorStatus: number;
}

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  latencyRate: 1,
  errorRate: 0,
  errorStatus: 500,
});

const LIMITS: Record<keyof FaultSettings, [min: number, max: number, integer: boolean]> = {
  latencyMs: [0, 30_000, true],
  latencyRate: [0, 1, false],
  errorRate: [0, 1, false],
  errorStatus: [500, 599, true],
};
const KEYS = Object.keys(LIMITS) as (keyof FaultSettings)[];

/**
 * Validates a partial settings object and merges it over `base`. Throws with a message that names
 * the bad key (and the likely intended one for a typo).
 * @example parseFaults({ errorRate: 0.2 }) // { ...NO_FAULTS, errorRate: 0.2 }
 */
export function parseFaults(input: unknown, base: Readonly<FaultSettings> = NO_FAULTS): FaultSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error(`fault settings must be a JSON object with any of ${KEYS.join(', ')}`);
  }
  const out: FaultSettings = { ...base };
  for (const [key, value] of Object.entries(input)) {
    if (!(KEYS as string[]).includes(key)) {
      const hint = KEYS.find((k) => k.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
      throw new Error(`unknown fault setting "${key}"${hint ? ` (did you mean ${hint}?)` : ''}; known: ${KEYS.join(', ')}`);
    }
    const k = key as keyof FaultSettings;
    const [min, max, integer] = LIMITS[k];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new Error(`${k} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    out[k] = value;
  }
  return out;
}

/**
 * Reads DEMO_FAULTS (every service) then DEMO_FAULTS_<SERVICE> (this one) from the environment.
 * @example faultsFromEnv('orders', { DEMO_FAULTS_ORDERS: '{"latencyMs":300}' })
 */
export function faultsFromEnv(service: string, env: Record<string, string | undefined> = process.env): FaultSettings {
  let settings: FaultSettings = { ...NO_FAULTS };
  for (const name of ['DEMO_FAULTS', `DEMO_FAULTS_${service.toUpperCase()}`]) {
    const raw = env[name];
    if (!raw) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new Error(`${name} must be JSON such as '{"errorRate":0.1,"latencyMs":200}', got ${raw}`);
    }
    try {
      settings = parseFaults(json, settings);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  return settings;
}

/** An error the fault middleware raises; it carries the HTTP status to answer with. */
export class InjectedFault extends Error {
  constructor(readonly status: number) {
    super(`injected fault (${status}); turn it off with DELETE /_demo/faults`);
    this.name = 'InjectedFault';
  }
}

/** Holds the current settings of one service; `random` and `delay` are injectable so tests are exact. */
export class Faults {
  #settings: FaultSettings;
  constructor(
    initial: FaultSettings = { ...NO_FAULTS },
    private readonly random: () => number = Math.random,
    private readonly delay: (ms: number) => Promise<unknown> = sleep,
  ) {
    this.#settings = initial;
  }
  get settings(): Readonly<FaultSettings> {
    return this.#settings;
  }
  update(patch: unknown): FaultSettings {
    this.#settings = parseFaults(patch, this.#settings);
    return this.#settings;
  }
  reset(): FaultSettings {
    this.#settings = { ...NO_FAULTS };
    return this.#settings;
  }
  get active(): boolean {
    return this.#settings.latencyMs > 0 || this.#settings.errorRate > 0;
  }

  /** Middleware for the routes that should suffer the faults (not /health, /_demo, /_debug). */
  middleware() {
    return async (_req: Request, _res: Response, next: NextFunction): Promise<void> => {
      if (!this.active) return next();
      const s = this.#settings;
      if (s.latencyMs > 0 && this.random() < s.latencyRate) await this.delay(s.latencyMs);
      // Through next(err) so the tracing sees a real exception on the server span.
      if (s.errorRate > 0 && this.random() < s.errorRate) return next(new InjectedFault(s.errorStatus));
      next();
    };
  }

  /** `GET|POST|DELETE /_demo/faults`, for loopback clients only. */
  router(): Router {
    const router = express.Router();
    router.use('/_demo/faults', (req, res, next) => {
      if (!isLoopback(req.socket.remoteAddress)) {
        res.status(403).json({ error: 'fault toggles answer loopback clients only' });
        return;
      }
      // A page on another origin must not flip faults through the user's browser.
      if (req.method !== 'GET' && !sameOrigin(req)) {
        res.status(403).json({ error: 'cross-origin request refused' });
        return;
      }
      next();
    });
    router.get('/_demo/faults', (_req, res) => {
      res.json(this.settings);
    });
    router.post('/_demo/faults', express.json({ limit: '4kb' }), (req, res) => {
      try {
        res.json(this.update(req.body ?? {}));
      } catch (err) {
        res.status(400).json({ error: (err as Error).message });
      }
    });
    router.delete('/_demo/faults', (_req, res) => {
      res.json(this.reset());
    });
    return router;
  }
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (!origin) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}
