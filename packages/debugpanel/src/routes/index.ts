/**
 * Every feature of the panel, in matching order (the UI's catch-all file routes last).
 * A new feature: one file in this folder and one line here.
 */
import { breakpoints } from './breakpoints.js';
import { chaos } from './chaos.js';
import { dependencies } from './dependencies.js';
import { errors } from './errors.js';
import { flame } from './flame.js';
import { insights } from './insights.js';
import { login } from './login.js';
import { logs } from './logs.js';
import { metrics } from './metrics.js';
import { hub } from './otlp.js';
import { sampling } from './sampling.js';
import { profiles } from './profiles.js';
import { queries } from './queries.js';
import type { PanelFeature } from './registry.js';
import { services } from './services.js';
import { session } from './session.js';
import { stats } from './stats.js';
import { stream } from './stream.js';
import { traces } from './traces.js';
import { ui } from './ui.js';

export const FEATURES: readonly PanelFeature[] = [
  traces,
  logs,
  flame,
  dependencies,
  profiles,
  breakpoints,
  metrics,
  errors,
  queries,
  insights,
  hub,
  chaos,
  sampling,
  services,
  stats,
  stream,
  session,
  login,
  ui,
];

export { RouteTable } from './registry.js';
export type { PanelContext, PanelCounters, PanelFeature, PanelRoute, RouteRequest } from './registry.js';
