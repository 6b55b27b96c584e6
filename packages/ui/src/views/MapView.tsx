import type { ViewProps } from '../view-props.js';
import { NotEnabled } from './NotEnabled.js';

/** Placeholder until the dependency map (issue 4) lands; that work replaces this file. */
export function MapView(_props: ViewProps) {
  return <NotEnabled title="Service dependency map" testId="view-map" />;
}
