import type { ViewProps } from '../view-props.js';
import { NotEnabled } from './NotEnabled.js';

/** Placeholder until latency, traffic, errors and saturation charts (issue 8) lands; that work replaces this file. */
export function MetricsView(_props: ViewProps) {
  return <NotEnabled title="Golden signals" testId="view-metrics" />;
}
