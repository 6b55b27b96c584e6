import type { ViewProps } from '../view-props.js';
import { NotEnabled } from './NotEnabled.js';

/** Placeholder until merged flame graphs per route and CPU profiles (issue 4) lands; that work replaces this file. */
export function FlameView(_props: ViewProps) {
  return <NotEnabled title="Flame graphs" testId="view-flame" />;
}
